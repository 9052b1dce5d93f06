"""Speed of lawlib.fit_power_law and lawlib.bootstrap against a straightforward reference.

Run with `make bench`. Reports ratios measured in one process, never absolute
thresholds: the reference is what most replications write, one
``scipy.optimize.minimize(method="L-BFGS-B")`` per start with numerical gradients.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

import lawlib
from lawlib.objectives import huber
from timing import best_of


def reference_fit(x, loss, delta=1e-3):
    """One L-BFGS-B per start of the same grid, gradients by finite differences."""

    def objective(theta):
        residual = np.logaddexp(theta[0], theta[1] - theta[2] * np.log(x)) - np.log(loss)
        return huber(residual, delta).sum()

    return min(
        (minimize(objective, start, method="L-BFGS-B") for start in lawlib.start_grid()),
        key=lambda r: r.fun,
    )


def main(
    seed: int = 20220329, n_points: int = 40, n_resamples: int = 1000, repeats: int = 3
) -> None:
    rng = np.random.default_rng(seed)
    x = np.logspace(np.log10(7e7), np.log10(1.6e10), n_points)
    loss = lawlib.PowerLaw(1.69, 406.4, 0.34)(x) * np.exp(rng.normal(0, 0.01, n_points))

    ref_time, ref = best_of(repeats, lambda: reference_fit(x, loss))
    lib_time, fit = best_of(
        repeats, lambda: lawlib.fit_power_law(x, loss, starts=lawlib.start_grid())
    )
    print(f"fit_power_law, {fit.n_starts} starts, {n_points} points (best of {repeats})")
    print(f"  reference (numerical gradients): {ref_time:.3f} s, objective {ref.fun:.10e}")
    print(
        f"  lawlib (analytic gradients):     {lib_time:.3f} s, objective {float(fit.objective):.10e}"
    )
    print(
        f"  speed-up: {ref_time / lib_time:.2f}x; objective lawlib - reference: {float(fit.objective) - ref.fun:+.2e}"
    )
    default_time, default = best_of(repeats, lambda: lawlib.fit_power_law(x, loss))
    print(
        f"  lawlib default (variable projection): {default_time:.3f} s, "
        f"{ref_time / default_time:.1f}x the reference, objective "
        f"{default.objective - ref.fun:+.2e} from it"
    )

    slow_time, slow = best_of(
        1,
        lambda: lawlib.bootstrap(
            lawlib.fit_power_law,
            {"x": x, "loss": loss},
            n_resamples=n_resamples,
            seed=seed,
            starts=fit.x,
        ),
    )
    fast_time, fast = best_of(
        repeats,
        lambda: lawlib.bootstrap_power_law(x, loss, n_resamples=n_resamples, seed=seed, fit=fit),
    )
    gap = float((fast.interval(0.95) / slow.interval(0.95) - 1).abs().to_numpy().max())
    print(f"bootstrap, {n_resamples} resamples, each refit from the optimum")
    print(
        f"  reference (lawlib.bootstrap, one fit per resample): {slow_time:.3f} s, {slow.n_failed} failed"
    )
    print(
        f"  lawlib.bootstrap_power_law (all resamples batched): {fast_time:.3f} s, {fast.n_failed} failed"
    )
    print(
        f"  speed-up: {slow_time / fast_time:.1f}x; largest relative gap between the 95% interval ends: {gap:.1e}"
    )


if __name__ == "__main__":
    main()
