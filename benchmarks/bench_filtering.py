"""Speed of Goyal et al.'s epoch product in lawlib against the loop it replaced.

Run with `make bench`. Reports the ratio measured in one process and the largest
relative difference between the two: the reference multiplies one factor per epoch
over the whole array of sample counts, as the released code does per point.
"""

from __future__ import annotations

import numpy as np

from lawlib.filtering import Pool, combine_pools, error_code_form
from timing import best_of


def reference_error(pool, n, normalizer=1e5):
    """The code form by a loop over every epoch up to the largest n (one array operation each)."""
    n = np.atleast_1d(np.asarray(n, dtype=float))
    a, d = pool.a, pool.d
    first = (a / normalizer * np.minimum(n, pool.size)) ** pool.utility(0)
    product = np.ones_like(n)
    for j in range(1, int(np.max(np.ceil(n / pool.size)))):
        upper = np.minimum(pool.size * (j + 1), n)
        product *= np.where(n > pool.size * j, (upper / (pool.size * j)) ** pool.utility(j), 1.0)
    return (first + d) * product


def main() -> None:
    parts = [Pool.single(b, tau, 12.8e6, a=0.025, d=0.1) for b, tau in ((-0.16, 6.7), (-0.14, 8.5))]
    pool = combine_pools(parts)
    n = np.concatenate([np.logspace(6, 12, 400), [1e13]])  # up to 390,625 epochs of the pool
    ours, fast = best_of(3, lambda: error_code_form(pool, n))
    theirs, slow = best_of(1, lambda: reference_error(pool, n))
    gap = float(np.max(np.abs(fast / slow - 1)))
    print("Goyal et al.'s code form, 401 sample counts up to 1e13 (390,625 epochs)")
    print(f"  lawlib (cumulative sum in logs): {ours:.3f} s")
    print(f"  loop over epochs (reference):    {theirs:.3f} s")
    print(f"  ratio: {theirs / ours:.0f}x faster; largest relative difference {gap:.1e}")


if __name__ == "__main__":
    main()
