"""The shape of the code: bot/ stays platform-free; the command list is sound."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.commands import COMMANDS, public_commands
from bot.messages import MAX_ACTION_BYTES, Button
from bot.texts.profile import ONBOARDING
from bot.texts.runs import POST_RUN_BUTTONS

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_LIBRARIES = {"discord", "telegram"}


def test_no_module_under_bot_imports_a_platform_library() -> None:
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in PLATFORM_LIBRARIES | {"adapters"}:
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def module_name(path: Path) -> str:
    """``bot/core/dispatch.py`` -> ``bot.core.dispatch``; a package -> its own name."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def bot_modules() -> dict[str, Path]:
    """Every module under bot/, by dotted name."""
    return {module_name(p): p for p in sorted((ROOT / "bot").rglob("*.py"))}


def imported_names(path: Path, name: str) -> Iterator[str]:
    """Every dotted name an import statement anywhere in the module refers to.

    All levels count: inside functions, ``if TYPE_CHECKING:`` blocks and
    ``try`` blocks alike. ``from x import y`` yields ``x.y``: the caller keeps
    it when ``y`` is a submodule and falls back to ``x`` when it is a name.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                yield f"{base}.{alias.name}"


def import_graph() -> dict[str, set[str]]:
    """Module -> the bot/ modules it imports (a submodule named by ``from x import y`` counts)."""
    modules = bot_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for imported in imported_names(path, name):
            # The module itself, or the nearest enclosing one (``import bot.x.y`` of a name).
            candidate = imported
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None (iterative DFS)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for root in sorted(graph):
        if colour[root] != WHITE:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        colour[root] = GREY
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = BLACK
                stack.pop()
            elif colour.get(child, BLACK) == GREY:
                path = [n for n, _ in stack]
                return [*path[path.index(child) :], child]
            elif colour.get(child) == WHITE:
                colour[child] = GREY
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_the_import_graph_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from __future__ import annotations\n"
        "import bot.clock\n"
        "from typing import TYPE_CHECKING\n"
        "from bot.core import dispatch\n"
        "from .storage.database import Database\n"
        "if TYPE_CHECKING:\n"
        "    from bot.ports import Messenger\n"
        "def later():\n"
        "    from bot import app\n"
        "    import bot.delivery.outbound as outbound\n",
        encoding="utf-8",
    )
    names = set(imported_names(source, "bot.sample"))
    assert {
        "bot.clock",
        "bot.core.dispatch",
        "bot.storage.database.Database",
        "bot.ports.Messenger",
        "bot.app",
        "bot.delivery.outbound",
    } <= names
    graph = import_graph()
    assert set(graph) == set(bot_modules())
    assert {"bot.core.dispatch", "bot.storage.database"} <= graph["bot.bootstrap"]
    assert "bot.messages" in graph["bot.ports"]  # a name resolves to its module


def test_no_import_cycle_under_bot() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_ports_depend_on_nothing_in_the_core() -> None:
    core = {n for n in import_graph()["bot.ports"] if n == "bot.core" or n.startswith("bot.core.")}
    assert core == set(), f"bot/ports.py imports {sorted(core)}"


@pytest.mark.slow  # wall-clock time: a fresh interpreter
def test_importing_all_of_bot_loads_no_platform_library() -> None:
    code = (
        "import pkgutil, importlib, sys, bot\n"
        "for m in pkgutil.walk_packages(bot.__path__, 'bot.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('discord', 'telegram')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_command_names_fit_every_platform() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    for spec in public_commands():
        # Discord: 1-32 lowercase chars; Telegram: 1-32 of a-z, 0-9, _ ; descriptions <= 100.
        assert spec.name.isascii() and spec.name == spec.name.lower() and len(spec.name) <= 32
        assert 3 <= len(spec.description) <= 100
        required_seen_optional = False
        for opt in spec.options:
            assert 1 <= len(opt.description) <= 100
            assert len(opt.choices) <= 25
            if not opt.required:
                required_seen_optional = True
            assert not (opt.required and required_seen_optional), spec.name


def test_every_button_action_fits_telegram_callback_data() -> None:
    buttons = [b for row in POST_RUN_BUTTONS for b in row]
    buttons += [Button(label, value) for q in ONBOARDING for label, value in q.answers]
    assert all(len(b.action.encode()) <= MAX_ACTION_BYTES for b in buttons)
    try:
        Button("too long", "/x " + "y" * 64)
    except ValueError:
        pass
    else:
        raise AssertionError("an oversized action id must be refused")
