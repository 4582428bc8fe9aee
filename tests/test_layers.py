"""The layout's rules (docs/architecture.md), read from the source: which package may import which, no web
framework below the channels, no import cycles (imports inside functions count too), no file over 800 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
MAX_LINES = 800

# Package -> the app packages it may import. Channels on top (rasa, trainer, web), core at the bottom.
# config (settings) is open to all but core; main and __main__ assemble everything and are not listed.
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "content": {"core", "config"},
    "conversation": {"core", "config"},
    "store": {"core", "config"},
    "web": {"core", "content", "conversation", "store", "config"},
    "rasa": {"core", "conversation", "store", "web", "config"},
    "trainer": {"core", "content", "store", "web", "config"},
    "runtime": set(),
    "config": set(),
}
NO_WEB_FRAMEWORK = ("core", "content", "conversation", "store")


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(APP.rglob("*.py"))}


def imported(path: Path) -> Iterator[str]:
    """Every module name an import statement in the file names, at module level or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def package(module: str) -> str:
    """app.core.triage.index -> core; app.main -> main."""
    return module.split(".")[1] if module.count(".") else module


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m in imported(path) if m in known and m != name} for name, path in known.items()}


def test_each_package_imports_only_the_layers_below_it() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        for target in targets
        if package(name) in MAY_IMPORT
        and target != "app"  # the root package: __version__ only
        and package(target) != package(name)
        and package(target) not in MAY_IMPORT[package(name)]
    ]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_web_framework_below_the_channels() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, path in modules().items()
        if package(name) in NO_WEB_FRAMEWORK
        for target in imported(path)
        if target.split(".")[0] in ("fastapi", "starlette", "uvicorn")
    ]
    assert not wrong, "\n".join(sorted(wrong))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_python_file_over_800_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
