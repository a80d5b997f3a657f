"""Wall time and peak memory of a full ``costwarden scan`` on generated inputs.

    python bench/bench_scan.py [SIZES...]        # plans; default: 1000 10000 50000
    python bench/bench_scan.py --k8s 5000 --hcl 1000
    python bench/bench_scan.py --rego 1000 10000 50000   # the built-in Rego pack instead of Python
    python bench/bench_scan.py --metrics 10000           # joining a metrics file to every instance

Each figure is the best of three runs of a fresh process (interpreter start and imports
included), reported beside plain ``json.load`` of the same file, with the cyclic garbage
collector on and paused. Plans are generated once into bench/out/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "out"
RUNS = 3

MEASURE = """
import resource, sys, time
started = time.perf_counter()
mode, path = sys.argv[1], sys.argv[2]
if mode == "json":
    import json
    with open(path, "rb") as handle:
        json.load(handle)
elif mode == "json-nogc":
    import gc, json
    gc.disable()
    with open(path, "rb") as handle:
        json.load(handle)
else:
    from costwarden.cli import main
    extra = ["--builtin-rego"] if mode == "scan-rego" else []
    if mode == "scan-metrics":
        extra = ["--metrics-file", path.replace(".json", ".metrics.csv")]
    code = main(["scan", path, "-o", "json=/dev/null", *extra])
    assert code in (0, 1), code
elapsed = time.perf_counter() - started
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(elapsed, peak / 1024)
"""


def measure(mode: str, path: Path) -> tuple[float, float]:
    best = (float("inf"), 0.0)
    for _ in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, mode, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, peak_mb = (float(x) for x in done.stdout.split())
        best = min(best, (seconds, peak_mb))
    return best


def other_inputs(k8s: int | None, hcl: int | None) -> None:
    from gen_inputs import hcl_tree, k8s_stream

    OUT.mkdir(exist_ok=True)
    if k8s:
        stream = OUT / f"stream-{k8s}.yaml"
        if not stream.exists():
            stream.write_text(k8s_stream(k8s))
        seconds, peak = measure("scan", stream)
        size = stream.stat().st_size / 1e6
        print(f"kubernetes stream, {k8s} documents, {size:.1f} MB: {seconds:.2f} s, {peak:.0f} MB peak")
    if hcl:
        tree = OUT / f"hcl-{hcl}"
        if not tree.exists():
            hcl_tree(tree, hcl)
        files = len(list(tree.rglob("*.tf")))
        seconds, peak = measure("scan", tree)
        print(f"terraform tree, {files} .tf files: {seconds:.2f} s, {peak:.0f} MB peak")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    if "--metrics" in argv:
        size = int(argv[2]) if len(argv) > 2 else 10000
        path = OUT / f"plan-{size}.json"
        if not path.exists():
            from gen_plan import generate

            OUT.mkdir(exist_ok=True)
            path.write_text(json.dumps(generate(size), indent=2))
        plan = json.loads(path.read_text())
        ids = [
            c["change"]["before"]["id"] for c in plan["resource_changes"] if (c["change"].get("before") or {}).get("id")
        ]
        rows = "".join(f"{cloud_id},{5 + i % 60},{10 + i % 60},12,168,2016\n" for i, cloud_id in enumerate(ids))
        path.with_suffix(".metrics.csv").write_text(
            "resource,gpu_util_avg,gpu_util_p95,gpu_memory_peak_gib,window_hours,samples\n" + rows
        )
        plain_s, _ = measure("scan", path)
        joined_s, joined_mb = measure("scan-metrics", path)
        joined = f"with the metrics file {joined_s:.2f} s, {joined_mb:.0f} MB"
        print(f"{size} resources, {len(ids)} measured rows: scan {plain_s:.2f} s; {joined}")
        return 0
    if "--rego" in argv:
        for size in [int(a) for a in argv[2:]] or [1000, 10000, 50000]:
            path = OUT / f"plan-{size}.json"
            if not path.exists():
                from gen_plan import generate

                OUT.mkdir(exist_ok=True)
                path.write_text(json.dumps(generate(size), indent=2))
            python_s, python_mb = measure("scan", path)
            rego_s, rego_mb = measure("scan-rego", path)
            python = f"python pack {python_s:.2f} s {python_mb:.0f} MB"
            print(f"{size:>6} resources: {python}; rego pack {rego_s:.2f} s {rego_mb:.0f} MB (largest process)")
        return 0
    if "--k8s" in argv or "--hcl" in argv:
        options = dict(zip(argv[1::2], argv[2::2], strict=False))
        other_inputs(int(options.get("--k8s", 0)) or None, int(options.get("--hcl", 0)) or None)
        return 0
    sizes = [int(a) for a in argv[1:]] or [1000, 10000, 50000]
    sys.path.insert(0, str(HERE))
    from gen_plan import generate

    header = ("resources", "MB", "scan s", "peak MB", "json.load s", "no-gc s", "ratio")
    print("{:>9} {:>6} | {:>7} {:>8} | {:>11} {:>8} | {}".format(*header))
    for size in sizes:
        path = OUT / f"plan-{size}.json"
        if not path.exists():
            OUT.mkdir(exist_ok=True)
            path.write_text(json.dumps(generate(size), indent=2))
        scan_s, scan_mb = measure("scan", path)
        json_s, _ = measure("json", path)
        nogc_s, _ = measure("json-nogc", path)
        megabytes = path.stat().st_size / 1e6
        ratio = f"{scan_s / json_s:.1f}x"
        row = (size, megabytes, scan_s, scan_mb, json_s, nogc_s, ratio)
        print("{:>9} {:>6.1f} | {:>7.2f} {:>8.0f} | {:>11.2f} {:>8.2f} | {}".format(*row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
