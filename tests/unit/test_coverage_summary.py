"""The coverage gate of ``make test`` (scripts/coverage_summary.py): modules are counted in
their package, totals add up, and a total under its floor fails the step with a reason."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "coverage_summary.py"


@pytest.fixture(scope="module")
def summary_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coverage_summary", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def python_file(statements: int, covered: int, branches: int, covered_branches: int) -> dict:
    return {
        "summary": {
            "num_statements": statements,
            "covered_lines": covered,
            "num_branches": branches,
            "covered_branches": covered_branches,
        }
    }


PYTHON = {
    "files": {
        "src/tickstock/engine/bars.py": python_file(100, 90, 20, 10),
        "src/tickstock/engine/feeds.py": python_file(100, 100, 20, 20),
        "src/tickstock/app/state.py": python_file(50, 50, 0, 0),
        "src/tickstock/cli.py": python_file(10, 5, 4, 1),
        "src/tickstock/store/migrations/versions/0001_initial.py": python_file(40, 40, 0, 0),
    }
}
JS = {"total": {"lines": {"total": 200, "covered": 150}, "branches": {"total": 40, "covered": 30}}}


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, Path]:
    python, js = tmp_path / "python.json", tmp_path / "js.json"
    python.write_text(json.dumps(PYTHON))
    js.write_text(json.dumps(JS))
    return python, js


def test_modules_count_in_their_package_and_top_level_modules_in_cli_other(summary_script) -> None:
    package = summary_script.python_package
    assert package("src/tickstock/engine/bars.py") == "engine"
    assert package("/abs/src/tickstock/store/migrations/versions/0001.py") == "store"
    assert package("src/tickstock/cli.py") == "cli/other"
    assert package("src/tickstock/settings.py") == "cli/other"


def test_totals_add_up_per_package_and_overall(summary_script, reports) -> None:
    summary = summary_script.summarise(*reports)
    engine = summary["packages"]["engine"]
    assert (engine["lines"], engine["lines_covered"], engine["lines_percent"]) == (200, 190, 95.0)
    assert engine["branches_percent"] == 75.0
    assert summary["packages"]["contract"]["lines"] == 0
    python = summary["totals"]["python"]
    assert (python["lines"], python["lines_covered"]) == (300, 285)
    assert python["branches"] == 44 and python["branches_covered"] == 31
    assert summary["totals"]["js"]["lines_percent"] == 75.0
    assert summary["packages"]["web (JS)"]["branches_percent"] == 75.0


def test_a_total_under_its_floor_fails_with_the_figure(summary_script, reports, capsys) -> None:
    python, js = reports
    code = summary_script.main(
        [
            "--python",
            str(python),
            "--js",
            str(js),
            "--floor",
            "python_lines=95",
            "--floor",
            "js_lines=80",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "python_lines" not in err  # 95.0 % meets 95
    assert "js_lines: 75.0 % is under the floor 80.0 %" in err


def test_floors_met_pass_and_the_summary_is_written(
    summary_script, reports, tmp_path, capsys
) -> None:
    python, js = reports
    out = tmp_path / "summary.json"
    code = summary_script.main(
        [
            "--python",
            str(python),
            "--js",
            str(js),
            "--floor",
            "python_branches=70",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "python total" in capsys.readouterr().out
    assert json.loads(out.read_text())["floors"] == {"python_branches": 70.0}


def test_a_missing_report_fails_its_floor_rather_than_passing(summary_script, tmp_path) -> None:
    missing = tmp_path / "absent.json"
    code = summary_script.main(
        ["--python", str(missing), "--js", str(missing), "--floor", "js_lines=1"]
    )
    assert code == 1


def test_a_malformed_floor_is_refused(summary_script) -> None:
    with pytest.raises(SystemExit):
        summary_script.main(["--floor", "ruby_lines=90"])
