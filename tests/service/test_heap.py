"""What ``heap.settle`` promises: start-up frozen, later objects collected as usual."""

from __future__ import annotations

import gc
import weakref

from bot.operations import heap


class _Node:
    """An object that can sit in a reference cycle (only the collector frees those)."""

    other: object = None


def test_start_up_is_frozen_and_later_cycles_are_still_collected() -> None:
    before = _Node()
    before.other = before  # garbage already, in a cycle, when settle runs
    left = weakref.ref(before)
    del before
    try:
        heap.settle()
        assert left() is None  # collected first, not frozen for good
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the libraries imported so far, at least
        node = _Node()
        node.other = node  # a cycle: garbage only the collector can find
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
        assert gc.get_freeze_count() == frozen  # later objects are not frozen
    finally:
        gc.unfreeze()
