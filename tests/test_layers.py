"""Imports flow one way (channels -> Rasa -> actions -> services -> back office): none goes upward."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> packages it must never import (directly, by module path)
FORBIDDEN = {
    "citydata": ("bot", "backoffice"),
    "backoffice": ("bot",),
    "bot.open311": ("bot.actions", "bot.channels", "bot.workers", "bot.photos", "bot.geo", "bot.catalogue"),
    "bot.photos": ("bot.actions", "bot.channels", "bot.workers", "bot.open311"),
    "bot.geo": ("bot.actions", "bot.channels", "bot.workers", "bot.open311"),
    "bot.catalogue": ("bot.actions", "bot.channels", "bot.workers"),
    "bot.nlu": ("bot.actions", "bot.channels", "bot.workers", "bot.open311"),
    "bot.workers": ("bot.actions", "bot.channels"),
    "bot.tools": ("bot.actions", "bot.channels"),
    "bot.actions": ("bot.channels",),
    "bot.channels": ("bot.actions", "bot.workers", "bot.open311", "bot.catalogue"),
    "bot.text": ("bot.actions", "bot.channels", "bot.workers"),
    "bot.settings": ("bot.actions", "bot.channels", "bot.workers"),
    "bot.sentences": ("bot.actions", "bot.channels", "bot.workers", "bot.photos", "bot.resources"),
    "bot.resources": ("bot.actions", "bot.channels"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


SOURCES = sorted(
    p
    for top in ("bot", "backoffice", "citydata")
    for p in (ROOT / top).rglob("*.py")
    if "migrations" not in p.parts
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_nothing_above_it(path):
    name = module_name(path)
    rules = [banned for package, banned in FORBIDDEN.items() if within(name, package)]
    wrong = sorted(
        imported
        for imported in imported_modules(path)
        for banned in rules
        for b in banned
        if within(imported, b) and not within(name, b)
    )
    assert not wrong, f"{name} imports {wrong}"


def test_every_package_of_the_assistant_has_a_rule():
    packages = {module_name(p.parent / "__init__.py") for p in (ROOT / "bot").glob("*/__init__.py")}
    assert packages <= set(FORBIDDEN) | {"bot.tools"}, packages - set(FORBIDDEN)
