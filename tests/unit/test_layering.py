"""The parts meet only where the architecture says: the engine and the app never import each
other (they meet in the contract, Redis and the database, as a third-party producer would),
the contract imports no other part, the store only the contract, and the web page talks to
the app over HTTP and Socket.IO only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "tickstock"
WEB = PACKAGE / "web" / "static"

#: part -> the other parts it must never import
FORBIDDEN = {
    "contract": {"store", "engine", "app", "cli", "demo"},
    "store": {"engine", "app", "cli", "demo"},
    "engine": {"app", "demo"},
    "app": {"engine", "demo"},
}


def imported_parts(path: Path) -> set[tuple[str, int]]:
    """(part, line) of every ``tickstock.<part>`` a module imports, at any depth."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tickstock" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_a_part_imports_only_what_the_architecture_allows(part: str) -> None:
    modules = sorted((PACKAGE / part).rglob("*.py"))
    assert modules, f"no modules under {part}/"
    crossings = [
        f"{module.relative_to(PACKAGE)}:{line} imports tickstock.{other}"
        for module in modules
        for other, line in imported_parts(module)
        if other in FORBIDDEN[part]
    ]
    assert crossings == []


def test_the_checker_sees_an_import_at_any_depth(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import tickstock.app.main\n"
        "def f():\n"
        "    from tickstock.engine import runner\n"
        "from . import sibling\n"
    )
    assert imported_parts(module) == {("app", 1), ("engine", 3)}


#: The page's ways out: static imports of its own modules and the two vendored packages,
#: fetch() to /api, and Socket.IO.
IMPORT = re.compile(r"""^\s*import\s[^'"]*?['"]([^'"]+)['"]|from\s+['"]([^'"]+)['"]""", re.M)


def test_the_web_page_reaches_the_app_only_over_http_and_socket_io() -> None:
    scripts = sorted(WEB.rglob("*.js"))
    assert scripts
    outside = []
    seen = 0
    for script in scripts:
        text = script.read_text()
        for match in IMPORT.finditer(text):
            seen += 1
            target = match.group(1) or match.group(2)
            if target.startswith(("./", "../")):
                resolved = (script.parent / target).resolve()
                if WEB.resolve() not in resolved.parents:
                    outside.append(f"{script.relative_to(WEB)} imports {target}")
            elif not target.startswith("/vendor/"):
                outside.append(f"{script.relative_to(WEB)} imports {target}")
        for url in re.findall(r"""(?:fetch|apiGet|getJson)\(\s*[`'"]([^`'"]+)""", text):
            if not url.startswith(("/api/", "${")):
                outside.append(f"{script.relative_to(WEB)} fetches {url}")
    assert seen > len(scripts), "the import pattern no longer matches the page's modules"
    assert outside == []
