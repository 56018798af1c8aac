"""Coverage per package, from coverage.py's JSON (Python, tests and the tickstock processes
they start) and c8's json-summary (the front end's JavaScript), checked against floors.

    .venv/bin/coverage combine && .venv/bin/coverage json -o var/coverage/python.json
    c8 --reporter=json-summary --report-dir var/coverage/js ... node --test tests/js/
    .venv/bin/python scripts/coverage_summary.py --floor python_lines=90 --out var/coverage/summary.json

Prints one table (lines and branches per package, then the totals) and exits 1 when a
total is under its floor. ``make test`` runs it; ``scripts/test_report.py`` reads --out.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COVERAGE_DIR = ROOT / "var" / "coverage"
PACKAGES = ("contract", "store", "engine", "app")  # src/tickstock/<name>/; the rest is cli/other
JS_PREFIX = "src/tickstock/web/static/"


@dataclass
class Counts:
    lines: int = 0
    lines_hit: int = 0
    branches: int = 0
    branches_hit: int = 0

    def add(self, other: Counts) -> None:
        self.lines += other.lines
        self.lines_hit += other.lines_hit
        self.branches += other.branches
        self.branches_hit += other.branches_hit

    @staticmethod
    def percent(hit: int, total: int) -> float:
        return 100.0 if total == 0 else 100.0 * hit / total

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "lines_covered": self.lines_hit,
            "lines_percent": round(self.percent(self.lines_hit, self.lines), 1),
            "branches": self.branches,
            "branches_covered": self.branches_hit,
            "branches_percent": round(self.percent(self.branches_hit, self.branches), 1),
        }


def python_package(path: str) -> str:
    """``src/tickstock/engine/runner.py`` → ``engine``; a module at the top → ``cli/other``."""
    parts = Path(path).parts
    inside = parts[parts.index("tickstock") + 1 :] if "tickstock" in parts else parts
    return inside[0] if len(inside) > 1 and inside[0] in PACKAGES else "cli/other"


def python_counts(report: dict[str, Any]) -> dict[str, Counts]:
    packages = {name: Counts() for name in (*PACKAGES, "cli/other")}
    for path, data in report["files"].items():
        s = data["summary"]
        packages[python_package(path)].add(
            Counts(
                s["num_statements"],
                s["covered_lines"],
                s.get("num_branches", 0),
                s.get("covered_branches", 0),
            )
        )
    return packages


def js_counts(summary: dict[str, Any]) -> Counts:
    total = summary["total"]
    return Counts(
        total["lines"]["total"],
        total["lines"]["covered"],
        total["branches"]["total"],
        total["branches"]["covered"],
    )


def summarise(python_json: Path, js_json: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"packages": {}, "totals": {}}
    if python_json.exists():
        packages = python_counts(json.loads(python_json.read_text()))
        total = Counts()
        for name, counts in packages.items():
            result["packages"][name] = counts.as_dict()
            total.add(counts)
        result["totals"]["python"] = total.as_dict()
    if js_json.exists():
        js = js_counts(json.loads(js_json.read_text())).as_dict()
        result["packages"]["web (JS)"] = js
        result["totals"]["js"] = js
    return result


def table(summary: dict[str, Any]) -> str:
    head = f"{'package':<12} {'lines':>16} {'branches':>16}"
    out = [head, "-" * len(head)]

    def row(name: str, c: dict[str, Any]) -> str:
        lines = f"{c['lines_percent']:5.1f} % of {c['lines']:>5}"
        branches = f"{c['branches_percent']:5.1f} % of {c['branches']:>5}"
        return f"{name:<12} {lines:>16} {branches:>16}"

    out += [row(name, c) for name, c in summary["packages"].items()]
    out.append("-" * len(head))
    out += [row(f"{name} total", c) for name, c in summary["totals"].items()]
    return "\n".join(out)


def check(summary: dict[str, Any], floors: dict[str, float]) -> list[str]:
    """Each floor ``<python|js>_<lines|branches>``: a message for each total under it."""
    failures = []
    for key, floor in floors.items():
        language, _, measure = key.partition("_")
        totals = summary["totals"].get(language)
        if totals is None:
            failures.append(f"{key}: no {language} coverage was measured")
        elif totals[f"{measure}_percent"] < floor:
            failures.append(f"{key}: {totals[f'{measure}_percent']} % is under the floor {floor} %")
    return failures


def parse_floor(text: str) -> tuple[str, float]:
    key, sep, value = text.partition("=")
    language, _, measure = key.partition("_")
    if not sep or language not in ("python", "js") or measure not in ("lines", "branches"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected e.g. python_lines=90")
    return key, float(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", type=Path, default=COVERAGE_DIR / "python.json")
    parser.add_argument("--js", type=Path, default=COVERAGE_DIR / "js" / "coverage-summary.json")
    parser.add_argument("--floor", type=parse_floor, action="append", default=[])
    parser.add_argument("--out", type=Path, help="write the summary as JSON here")
    args = parser.parse_args(argv)
    summary = summarise(args.python, args.js)
    floors = dict(args.floor)
    summary["floors"] = floors
    print(table(summary))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    failures = check(summary, floors)
    for failure in failures:
        print(f"coverage: {failure}", file=sys.stderr)
    if floors and not failures:
        print("coverage floors met: " + ", ".join(f"{k} {v:g} %" for k, v in floors.items()))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
