"""Time of the laptop scaling-law lab: the default sweep plus Approaches 1-3 (target: under 30 s here).

The reference for the expected-loss engine is the direct iteration of the
second-moment recursion, timed on one model in the same process.
"""

from __future__ import annotations

import time

import numpy as np

from lawlib.toy import (
    DEFAULT_SIZES,
    draw_spectrum,
    expected_curve,
    expected_curves,
    fit_three_approaches,
    learning_rate,
    recursion_loss,
)


def main(seed: int = 0) -> None:
    start = time.perf_counter()
    curves = expected_curves(1.0, 0.25, DEFAULT_SIZES, seed=seed)
    built = time.perf_counter()
    fits = fit_three_approaches(curves)
    done = time.perf_counter()
    print(
        f"default sweep (alpha 1, beta 0.25, v 4096, sizes 16..2048, exact expected SGD): {built - start:.1f} s; "
        f"Approaches 1-3: {done - built:.1f} s; total {done - start:.1f} s"
    )
    print(
        f"  xi: approach 1 {fits['approach1'].a:.3f}, approach 2 {fits['approach2'].a:.3f}, "
        f"approach 3 {fits['approach3'].law.a:.3f} (theory 0.333)"
    )

    spectrum = draw_spectrum(1.0, 0.25, 256, 4096, np.random.default_rng(seed))
    gamma = learning_rate(1.0, 4096, 0.25)
    steps = 20000
    t0 = time.perf_counter()
    recursion_loss(spectrum, gamma, 1, steps)
    t1 = time.perf_counter()
    weights, rates, limit = expected_curve(spectrum, gamma, 1)
    limit + np.sum(weights * rates ** np.logspace(0, np.log10(steps), 71)[:, None], axis=1)
    t2 = time.perf_counter()
    print(
        f"one model (d = 256) to {steps} steps: recursion {t1 - t0:.3f} s, closed form at 71 points {t2 - t1:.3f} s, "
        f"ratio {(t1 - t0) / (t2 - t1):.1f}x"
    )


if __name__ == "__main__":
    main()
