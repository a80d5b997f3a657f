"""The built-in Rego pack says exactly what its Python twins say, and prices it the same."""

from pathlib import Path

import pytest

from costwarden import Overrides, prepare, scan
from costwarden.rego.policies import builtin_ids
from tests.requires import unavailable

REGO_TWINS = builtin_ids()
BUILTIN_REGO = prepare(overrides=Overrides(settings={"rego": {"builtin": True}}))

ROOT = Path(__file__).parents[2]
FIXTURES = [
    ROOT / "examples",
    ROOT / "tests" / "fixtures" / "hcl" / "app" / "plan.json",
]


def key(violation):
    return (
        violation.policy_id,
        violation.address,
        violation.message,
        violation.severity,
        tuple(sorted(violation.remedy.changes.items())) if violation.remedy else None,
        round(violation.cost.monthly_savings, 2) if violation.cost else None,
    )


def test_the_twins_are_read_from_the_pack_metadata():
    assert {"CW101", "CW301", "CW302", "CW401"} <= REGO_TWINS
    python = next(s for s in BUILTIN_REGO.sources if s.name == "python")
    assert not {p.id for p in python.policies} & REGO_TWINS


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_same_violations_and_prices(path):
    python = scan([str(path)])
    rego = scan([str(path)], BUILTIN_REGO)
    assert rego.errors == ()
    twins = sorted((key(v) for v in python.violations if v.policy_id in REGO_TWINS), key=str)
    assert twins, "the fixtures must exercise the twins"
    assert twins == sorted((key(v) for v in rego.violations if v.policy_id in REGO_TWINS), key=str)


def test_corpus_parity(corpus_files):
    for path in corpus_files:
        python = {key(v) for v in scan([str(path)]).violations if v.policy_id in REGO_TWINS}
        rego = {key(v) for v in scan([str(path)], BUILTIN_REGO).violations if v.policy_id in REGO_TWINS}
        assert python == rego, path


@pytest.fixture
def corpus_files():
    import os

    corpus = Path(os.environ.get("COSTWARDEN_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not corpus.is_dir():
        unavailable(f"corpus not found: {corpus}")
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".json", ".yaml", ".yml"))


def test_the_twins_carry_the_python_documentation():
    python = scan([str(FIXTURES[0])])
    rego = scan([str(FIXTURES[0])], BUILTIN_REGO)
    for policy_id in REGO_TWINS & set(python.policies):
        assert rego.policies[policy_id].doc == python.policies[policy_id].doc
        assert rego.policies[policy_id].doc
