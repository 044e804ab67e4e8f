"""The layers of docs/architecture.md hold: imports flow one way, and no package cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES_DIRS = {
    "edl": ROOT / "edl",
    "temp_library": ROOT / "temp_library",
    "conform": ROOT / "conform",
    "mconform_samples": ROOT / "samples",
}

# Lowest first. A module may import from its own layer or any layer below, never above.
LAYERS = [
    ("edl",),  # cuts: time model, readers, writers, change lists; no audio, no music
    ("temp_library.audio",),  # audio files and DSP building blocks
    ("temp_library",),  # the temp library
    ("mconform_samples",),  # the sample project's audio synthesis (uses the audio layer)
    ("conform.cues", "conform.music", "conform.handoff", "conform.paperwork", "conform.duck"),
    ("conform.terminal",),  # what the terminal shows (tables, consoles)
    ("conform.demo",),  # the demo and its narration
    ("conform.cli", "conform"),  # the command line
]


def layer_of(module: str) -> int:
    best, where = -1, None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, where = len(prefix), index
    if where is None:
        raise AssertionError(f"{module} is in no layer; add it to LAYERS and docs/architecture.md")
    return where


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES_DIRS.items():
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(path: Path, module: str) -> set[str]:
    """Every project module this file imports, at top level or inside functions."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
    roots = set(PACKAGES_DIRS)
    return {n for n in names if n.split(".")[0] in roots}


MODULES = modules()
SHARED = '"' + "sha" + 'red"'  # spelled so that this file does not match itself


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_imports_only_its_own_layer_or_below(module: str) -> None:
    mine = layer_of(module)
    upward = [n for n in imports(MODULES[module], module) if layer_of(n) > mine]
    assert not upward, f"{module} (layer {mine}) imports upwards: {sorted(upward)}"


def room(module: str) -> str:
    """The sub-package a module lives in (``conform.cues``), or its top-level package."""
    path = MODULES[module]
    package = module.split(".")[0]
    depth = len(path.relative_to(PACKAGES_DIRS[package]).parts)
    return ".".join(module.split(".")[:2]) if depth > 1 else package


def resolve(name: str) -> str:
    """The project module an import names (``from a.b import c`` may name a function c)."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def test_sub_packages_have_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        for target in imports(path, module):
            a, b = room(module), room(resolve(target))
            if a != b:
                graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 1:
            raise AssertionError("import cycle: " + " -> ".join([*trail, node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])


def test_nothing_in_the_project_reads_the_shared_folder() -> None:
    for folder in (*PACKAGES_DIRS.values(), ROOT / "tests", ROOT / "bench"):
        for path in folder.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert SHARED not in text and "../" + "sha" + "red" not in text, path
