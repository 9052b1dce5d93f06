"""Timing shared by the benchmarks: the best of several runs, in one process."""

from __future__ import annotations

import time


def best_of(repeats, function):
    """Run `function` `repeats` times; return the shortest time [s] and the last result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result
