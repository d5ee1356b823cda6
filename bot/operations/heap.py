"""The garbage collector told which objects live as long as the process.

A full collection (CPython's third generation) walks every object that is tracked,
and after start-up that is mostly the libraries' own: SQLAlchemy, the platforms'
clients, matplotlib, the migrations, some 170,000 objects that are never garbage.
Measured on a 1,000-activity Strava import: 24 full collections of about 80 ms each,
2.0 s of its 7.3 s of CPU, each one a pause for whatever thread triggered it (the
event loop's too). :func:`settle` moves what is alive once start-up is done out of
the collector's sight (``gc.freeze``), so a full collection walks only what was made
since: the same import then spends 0.35 s in them.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then leave everything alive now out of every later collection.

    Called once start-up is done (modules imported, the database open); objects made
    later are collected as usual. What start-up left behind it stays: nothing of it
    becomes garbage while the process runs.
    """
    gc.collect()
    gc.freeze()
