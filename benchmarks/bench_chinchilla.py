"""Speed of Approach 3 on the Besiroglu et al. data: lawlib against the common replication recipe.

Run with `make bench`. The reference is one scipy.optimize.minimize(method="L-BFGS-B")
per start with numerical gradients, as common replications do. The full
4,500-start reference takes minutes; ``--reference-starts K`` times it on every
(4500 / K)-th start and scales the time up, saying so.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import minimize

from lawlib import bootstrap_parametric, data, fit_parametric
from lawlib.chinchilla import hoffmann_grid
from lawlib.objectives import huber


def reference_fit(N, D, loss, starts, delta=1e-3):
    logn, logd, logy = np.log(N), np.log(D), np.log(loss)

    def objective(theta):
        e, a, alpha, b, beta = theta
        predicted = np.logaddexp(np.logaddexp(a - alpha * logn, b - beta * logd), e)
        return huber(predicted - logy, delta).sum()

    return min(
        (minimize(objective, start, method="L-BFGS-B") for start in starts), key=lambda r: r.fun
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--reference-starts", type=int, default=4500, help="starts the reference runs"
    )
    parser.add_argument("--resamples", type=int, default=4000, help="bootstrap resamples")
    args = parser.parse_args()

    runs = data.load("epoch2024")
    runs = runs[runs["in_default_fit"]]
    N, D, loss = (runs[c].to_numpy() for c in ("N", "D", "loss"))
    grid = hoffmann_grid()

    start = time.perf_counter()
    fit = fit_parametric(N, D, loss)
    lib_time = time.perf_counter() - start

    step = max(1, grid.shape[0] // args.reference_starts)
    subset = grid[::step]
    start = time.perf_counter()
    reference = reference_fit(N, D, loss, subset)
    ref_time = (time.perf_counter() - start) * grid.shape[0] / subset.shape[0]
    scaled = "" if step == 1 else f" (timed on {subset.shape[0]} starts, scaled to 4500)"

    print(f"Approach 3 on {len(runs)} points, {grid.shape[0]} starts")
    print(
        f"  reference, L-BFGS-B per start, numerical gradients: {ref_time:8.2f} s{scaled}, "
        f"objective {reference.fun:.10e}"
    )
    print(
        f"  lawlib.fit_parametric (batched BFGS + polish):       {lib_time:8.2f} s, "
        f"objective {float(fit.objective):.10e}"
    )
    print(
        f"  speed-up {ref_time / lib_time:.0f}x; objective lawlib - reference {float(fit.objective) - reference.fun:+.2e}"
    )

    start = time.perf_counter()
    boot = bootstrap_parametric(
        N, D, loss, n_resamples=args.resamples, seed=42, sampler="legacy", fit=fit
    )
    boot_time = time.perf_counter() - start
    print(
        f"bootstrap_parametric, {args.resamples} resamples: {boot_time:.2f} s, {boot.n_failed} failed, "
        f"{boot_time / lib_time:.1f} times one full-grid fit"
    )


if __name__ == "__main__":
    main()
