"""What ``heap.settle`` promises: start-up frozen, later objects collected as usual."""

from __future__ import annotations

import gc
import weakref

from bot.operations import heap


class _Node:
    """An object that can sit in a reference cycle (only the collector frees those)."""

    other: object = None


def test_start_up_is_frozen_and_later_cycles_are_still_collected() -> None:
    try:
        heap.settle()
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
