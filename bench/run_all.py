"""Run every benchmark in ``bench/`` with short durations; their JSON goes to ``docs/bench/``.

``make bench`` calls this; ``make report`` turns ``docs/bench/*.json`` into
``docs/test-report.md``. Longer runs: call a benchmark directly (each has ``--help``).

    .venv/bin/python bench/run_all.py [--only load soak] [--soak-minutes 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "bench"


def benchmarks(soak_minutes: int) -> dict[str, list[str]]:
    """name → command; each writes ``docs/bench/<name>.json``."""
    return {
        "compute": ["bench/compute.py", "--minutes", "50", "--json", str(OUT / "compute.json")],
        "engine": ["bench/engine.py", "--minutes", "30", "--json", str(OUT / "engine.json")],
        "relay": ["bench/relay.py", "--repeat", "2", "--sweep", "--json", str(OUT / "relay.json")],
        "load": ["bench/load.py", "--duration", "20", "--json", str(OUT / "load.json")],
        "browser": ["bench/browser.py", "--minutes", "2", "--json", str(OUT / "browser.json")],
        "browser-grid": [
            "bench/browser_grid.py",
            "--minutes",
            "10",
            "--json",
            str(OUT / "browser-grid.json"),
        ],
        "soak": ["bench/soak.py", "--minutes", str(soak_minutes), "--json", str(OUT / "soak.json")],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    parser.add_argument("--soak-minutes", type=int, default=3)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    failed = []
    for name, command in benchmarks(args.soak_minutes).items():
        if args.only and name not in args.only:
            continue
        if not (ROOT / command[0]).exists():
            print(f"== {name}: {command[0]} does not exist, skipped", flush=True)
            continue
        print(f"== {name}: {' '.join(command)}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, *command], cwd=ROOT, check=False)
        print(f"== {name}: exit {result.returncode} after {time.monotonic() - started:.0f} s")
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"run_all: FAILED: {' '.join(failed)}", file=sys.stderr)
        return 1
    print(f"run_all: JSON in {OUT.relative_to(ROOT)}/; make report writes docs/test-report.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
