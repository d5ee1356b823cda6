"""The shape of the code: bot/ stays platform-free; the command list is sound."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.core.commands import COMMANDS, public_commands
from bot.core.handlers import POST_RUN_BUTTONS
from bot.core.messages import MAX_ACTION_BYTES, Button
from bot.services.profile import ONBOARDING

ROOT = Path(__file__).resolve().parent.parent
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
