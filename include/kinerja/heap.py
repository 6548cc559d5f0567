"""The cyclic garbage collector, set for a process that collects or builds reports.

Reference counting frees almost everything pandas, pydantic and Great Expectations allocate;
the cyclic collector only adds passes over objects that are still alive. By default it runs a
young pass every 700 allocations and, as the heap grows, full passes over every object. In a
`kinerja collect` of 14 files that was 0.53 s of 4.3 s CPU (six full passes while Great
Expectations was imported, ~140 ms each once its ~300,000 objects were in the heap, one more
every ~100 files); with both settings below, 0.23 s and none (`bench/limit.py`, docs/scale.md).
"""

from __future__ import annotations

import gc

YOUNG_PASS_EVERY = 10_000
"""Allocations between young passes (Python's default is 700)."""


def for_batch_work() -> None:
    """Fewer young passes, so fewer full ones, for the rest of this process (and the processes
    it forks). Cyclic garbage is still freed, a little later."""
    young, middle, old = gc.get_threshold()
    if 0 < young < YOUNG_PASS_EVERY:
        gc.set_threshold(YOUNG_PASS_EVERY, middle, old)


def keep_out_of_collections() -> None:
    """Move every object alive now (the imports, Great Expectations' context) out of the
    collector's reach for the rest of the process: they live as long as it does, yet every
    full pass walked them all. Forked processes inherit this, and their passes no longer touch
    (so no longer copy) the parent's memory pages. No collection first: it would cost ~0.12 s
    per process to free a few hundred objects."""
    gc.freeze()
