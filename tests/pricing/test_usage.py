import pytest

from costwarden import Document, ScanOptions, scan
from costwarden.errors import ConfigError
from costwarden.pricing.usage import load_usage
from tests.plans import change, dumps, plan

M5 = 0.096


def write(tmp_path, text):
    path = tmp_path / "usage.yml"
    path.write_text(text)
    return path


def priced(usage, *changes):
    result = scan(Document("p.json", dumps(plan(*changes))), ScanOptions(usage=usage))
    return {r.address: result.costs[r.key] for r in result.resources if r.key in result.costs}, result


def m5(address="aws_instance.a", count=None):
    return change(address, {"instance_type": "m5.large"})


def test_type_default_pattern_and_exact_address_in_that_order(tmp_path):
    usage = load_usage(
        write(
            tmp_path,
            """
version: "0.1"
resource_type_default_usage:
  aws_instance:
    hours_per_month: 100
resource_usage:
  module.m.*:
    hours_per_month: 200
  module.m.aws_instance.c:
    hours_per_month: 300
""",
        )
    )
    costs, _ = priced(usage, m5("aws_instance.a"), m5("module.m.aws_instance.b"), m5("module.m.aws_instance.c"))
    assert costs["aws_instance.a"].monthly_cost == pytest.approx(M5 * 100)
    assert costs["module.m.aws_instance.b"].monthly_cost == pytest.approx(M5 * 200)
    assert costs["module.m.aws_instance.c"].monthly_cost == pytest.approx(M5 * 300)
    assert "usage file: aws_instance, module.m.*, module.m.aws_instance.c" in costs["module.m.aws_instance.c"].basis


def test_schedule_and_instance_hours(tmp_path):
    usage = load_usage(
        write(
            tmp_path,
            """
resource_usage:
  aws_instance.a:
    schedule: {hours_per_day: 10, days_per_week: 5}
  aws_instance.b:
    instance_hours_per_month: 1000
""",
        )
    )
    costs, _ = priced(usage, m5("aws_instance.a"), m5("aws_instance.b"))
    assert costs["aws_instance.a"].monthly_cost == pytest.approx(M5 * 10 * 5 * 730 / 168)
    assert costs["aws_instance.b"].monthly_cost == pytest.approx(M5 * 1000)


def test_unmatched_entry_is_a_warning(tmp_path):
    usage = load_usage(write(tmp_path, "resource_usage:\n  aws_instance.gone:\n    hours_per_month: 10\n"))
    _, result = priced(usage, m5())
    assert any(w.message == "usage entry 'aws_instance.gone' matches no resource" for w in result.warnings)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            "resource_usage:\n  aws_instance.a:\n    hours_per_moth: 10\n",
            "resource_usage.aws_instance.a.hours_per_moth: unknown key",
            3,
        ),
        (
            "resource_usage:\n  aws_instance.a:\n    hours_per_month: -5\n",
            "resource_usage.aws_instance.a.hours_per_month: Input should be greater than or equal to 0",
            3,
        ),
        ("resource_usage:\n  aws_instance.a:\n    hours_per_month: 800\n", "less than or equal to 744", 3),
        (
            "resource_usage:\n  x:\n    schedule: {hours_per_day: 25, days_per_week: 5}\n",
            "resource_usage.x.schedule.hours_per_day",
            3,
        ),
        ("resource_usage:\n  x:\n    runs_per_month: -1\n", "resource_usage.x.runs_per_month", 3),
        ("version: '2'\n", "version: Input should be '0.1'", 1),
        ("resources: {}\n", "resources: unknown key", 1),
        ("[1, 2]\n", "expected a mapping", 1),
    ],
)
def test_bad_usage_file_names_file_key_and_line(tmp_path, text, message, line):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_usage(path)
    assert message in caught.value.message
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_missing_usage_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read usage file: No such file or directory"):
        load_usage(tmp_path / "nope.yml")
