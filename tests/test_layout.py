"""The package layout is the architecture: dependencies point one way, from the shell to the core.

The layers and their order are written in ``bot/__init__.py``; this test holds the code to them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: a module may import its own layer and the layers before it, never after.
LAYERS = [
    ("content", ["bot.content"]),
    ("understanding", ["bot.understanding"]),
    ("engine", ["bot.engine"]),
    ("storage", ["bot.storage"]),
    ("shell", ["bot.shell"]),
    ("scheduled", ["bot.scheduled"]),
    ("wiring", ["bot.settings", "bot.deps", "handlers", "bot.app", "bot.chat", "bot.__main__"]),
]
EMULATOR_MAY_IMPORT = ("bot.content.html", "bot.emulator")


def _modules() -> dict[str, Path]:
    found = {}
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] in ("bot", "handlers")}


def _layer(module: str) -> int | None:
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    return None


def test_every_module_belongs_to_a_layer_or_the_emulator() -> None:
    strays = [
        name
        for name in _modules()
        if name != "bot" and _layer(name) is None and not name.startswith("bot.emulator")
    ]
    assert strays == []


def test_no_module_imports_a_layer_above_its_own() -> None:
    wrong = []
    for name, path in _modules().items():
        own = _layer(name)
        for imported in _imports(path):
            if name.startswith("bot.emulator"):
                if not imported.startswith(EMULATOR_MAY_IMPORT):
                    wrong.append(f"{name} -> {imported} (the emulator may import content only)")
                continue
            if own is None:
                continue
            if imported.startswith("bot.emulator"):
                if name not in ("bot.chat",):
                    wrong.append(f"{name} -> {imported}")
                continue
            theirs = _layer(imported)
            if theirs is None or theirs > own:
                wrong.append(f"{name} ({LAYERS[own][0]}) -> {imported}")
    assert wrong == []


def test_only_the_command_line_imports_the_wiring_module() -> None:
    importers = sorted(n for n, p in _modules().items() if "bot.app" in _imports(p))
    assert importers == ["bot.__main__", "bot.chat"]


def test_there_are_no_import_circles() -> None:
    modules = _modules()
    graph = {
        name: _imports(path, top_level_only=True) & set(modules) for name, path in modules.items()
    }
    # An import of a package runs its __init__ too.
    for name in list(graph):
        for imported in list(graph[name]):
            parts = imported.split(".")
            graph[name] |= {".".join(parts[:i]) for i in range(1, len(parts))} & set(modules)
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if other == name or name.startswith(other + "."):
                continue  # a module of a package importing its own package's __init__
            if state.get(other) == 1:
                circles.append(" -> ".join([*stack[stack.index(other) :], other]))
            elif other not in state:
                visit(other, [*stack, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_every_package_says_what_it_owns_and_may_import() -> None:
    for init in [*sorted((ROOT / "bot").rglob("__init__.py")), ROOT / "handlers" / "__init__.py"]:
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, f"{init.relative_to(ROOT)} has no docstring"
        assert "import" in doc.lower() or init.parent.name == "bot", init
