"""Garbage-collector settings for the long-running processes (engine and app server).

Both processes allocate many short-lived objects per event (the engine tens of thousands per
minute close, the app a few dozen per relayed message). With CPython's default thresholds
(700, 10, 10) that means frequent young collections and, every few seconds under load, a full
collection over every object of the process — measured at 67–150 ms in the app at
2,000 events/s, i.e. the whole p99 of the relay. Neither process makes many reference
cycles, so:

* ``gc.freeze()`` after start-up moves the long-lived objects (modules, the calendar, the
  universe, the restored live view) out of every future collection;
* a larger young-generation threshold makes collections rare, and rarer still the full ones.

Long-lived buffers that churn (the app's replay ring and de-duplication window) hold only
tuples of atomic values, which the collector untracks, so a full collection stays short.
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
