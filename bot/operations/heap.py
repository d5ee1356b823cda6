"""The garbage collector told which objects live as long as the process.

A full collection (CPython's third generation) walks every object that is tracked,
and after start-up that is mostly the libraries' own: SQLAlchemy, the platforms'
clients, matplotlib, the migrations, some 160,000-210,000 objects that are never
garbage. Each such pass is a pause for whatever thread set it off (the event loop's
too): 180-240 ms on the loop during an ``/export``, 80 ms each, 24 times, in a
1,000-activity Strava import (2.0 s of its 7.3 s of CPU). :func:`settle` moves what is
alive once start-up is done out of the collector's sight (``gc.freeze``), so a full
collection walks only what was made since: the same import then spends 0.35 s in them.
The app calls it once its adapters have started (:meth:`bot.app.App.start`);
``pacer import-strava`` once its modules are loaded.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then leave everything alive now out of every later collection.

    Objects made later are collected as usual. What start-up left stays: nothing of it
    becomes garbage while the process runs.
    """
    gc.collect()
    gc.freeze()
