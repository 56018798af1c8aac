"""The engine process's garbage-collector settings, for a steady minute-close latency.

A minute close at 5,000 symbols allocates tens of thousands of short-lived objects (strings,
the rows built for the database), which with CPython's default thresholds (700, 10, 10)
triggers many young collections and, now and then, a full one over every object of the
process — tens of ms landing on a random minute close, i.e. on the p99. The engine makes
almost no reference cycles, so:

* ``gc.freeze()`` after start-up moves the long-lived objects (modules, the calendar, the
  universe) out of every future collection;
* a larger young-generation threshold makes collections rare, and rarer still the full ones.
"""

from __future__ import annotations

import gc

#: Young-generation allocations between collections, then the two older generations' ratios.
THRESHOLDS = (50_000, 20, 100)


def settle_after_start_up() -> None:
    """Collect once, freeze what start-up built, and raise the collection thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
