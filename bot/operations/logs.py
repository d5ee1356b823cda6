"""Log lines that say which process wrote them, and which roles it held then."""

from __future__ import annotations

import logging
from collections.abc import Callable

FORMAT = "%(asctime)s %(levelname)s [%(pacer_process)s %(pacer_roles)s] %(name)s: %(message)s"


class ProcessContext(logging.Filter):
    """Adds ``pacer_process`` and ``pacer_roles`` to every record a handler emits."""

    def __init__(self, process: str, roles: Callable[[], str] = lambda: "-") -> None:
        super().__init__()
        self.process = process
        self.roles = roles

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record; only annotates it."""
        record.pacer_process = self.process
        record.pacer_roles = self.roles()
        return True


def install(context: ProcessContext) -> None:
    """Annotate what the root logger's handlers emit (call after ``basicConfig``)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(context)


def describe(held: set[str], waiting: set[str]) -> str:
    """``telegram,scheduler`` active, ``standby:discord``; ``-`` for none."""
    parts = sorted(held) + [f"standby:{r}" for r in sorted(waiting)]
    return ",".join(parts) or "-"
