"""costwarden alone, costwarden with ``--checkov``, and Checkov alone, on a generated plan.

    python bench/bench_checkov.py [SIZE] [--checkov-bin PATH]     # default 1000 resources

Each figure is one fresh process (Checkov is slow enough that one run tells): wall time and
the peak resident memory of the largest process in it. Checkov is found at ``--checkov-bin``,
``.tools/checkov/bin/checkov`` (what ``.ci/run`` installs) or on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "out"


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of the largest process, measured from a fresh child."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True, env=env)
    seconds, peak = (float(x) for x in done.stdout.split())
    return seconds, peak


def main(argv: list[str]) -> int:
    size = int(next((a for a in argv if a.isdigit()), "1000"))
    given = argv[argv.index("--checkov-bin") + 1] if "--checkov-bin" in argv else None
    default = HERE.parent / ".tools" / "checkov" / "bin" / "checkov"
    checkov = given or (str(default) if default.is_file() else shutil.which("checkov"))
    if checkov is None:
        print("checkov not found: .ci/run installs it in .tools/checkov, or pass --checkov-bin", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    from gen_plan import generate

    OUT.mkdir(exist_ok=True)
    path = OUT / f"plan-{size}.json"
    if not path.exists():
        path.write_text(json.dumps(generate(size), indent=2))
    costwarden = [sys.executable, "-m", "costwarden", "scan", str(path), "-o", "json=/dev/null"]
    runs = {
        "costwarden alone": costwarden,
        "costwarden --checkov": [*costwarden, "--checkov", "--checkov-bin", checkov],
        "checkov alone": [checkov, "-f", str(path), "--framework", "terraform_plan", "-o", "json", "--quiet"],
    }
    started = time.perf_counter()
    for name, command in runs.items():
        seconds, peak = measure(command)
        print(f"{name:<22} {size} resources: {seconds:6.2f} s, {peak:6.0f} MB peak (largest process)")
    print(f"(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
