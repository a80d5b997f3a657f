"""Every Python snippet in the README runs as shown: the library example and the policy example."""

import re
import subprocess
import sys
from pathlib import Path

from tests.cli_run import run_cli
from tests.plans import change, dumps, plan

ROOT = Path(__file__).parents[1]
SNIPPETS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
P5_IN_DEV = plan(
    change("aws_instance.big", {"instance_type": "p5.48xlarge", "tags_all": {"finops:environment": "dev"}})
)


def test_the_readme_has_the_snippets_this_test_runs():
    assert len(SNIPPETS) == 2


def test_the_library_snippet_runs(tmp_path):
    (library,) = [s for s in SNIPPETS if "costwarden.prepare" in s]
    (tmp_path / "plan.json").write_bytes(dumps(P5_IN_DEV))
    (tmp_path / ".costwarden.yaml").write_text("fail_on: high\n")
    done = subprocess.run([sys.executable, "-c", library], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr  # the untagged p5 is a high-severity CW101
    assert "CW101 aws_instance.big" in done.stdout


def test_the_policy_snippet_runs_as_a_user_policy(tmp_path):
    (snippet,) = [s for s in SNIPPETS if "@policy" in s]
    path = snippet.splitlines()[0].removeprefix("# ")
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(snippet)
    (tmp_path / "plan.json").write_bytes(dumps(P5_IN_DEV))
    run = run_cli(tmp_path, "scan", "plan.json", "-p", "policies", "-o", "json")
    found = run.found("ACME1")[("ACME1", "aws_instance.big")]
    assert found["message"] == "8 x H100 in dev" and found["severity"] == "high"
