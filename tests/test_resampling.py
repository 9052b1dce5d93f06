"""Bootstrap: determinism, coverage on a known law, intervals, failures."""

import numpy as np
import pandas as pd
import pytest

from lawlib import PowerLaw, bootstrap, bootstrap_power_law, fit_power_law
from lawlib.resampling import BootstrapResult

X = np.logspace(np.log10(7e7), np.log10(1.6e10), 40)
TRUTH = PowerLaw(1.69, 406.4, 0.34)


def noisy(seed):
    return TRUTH(X) * np.exp(np.random.default_rng(seed).normal(0, 0.01, X.size))


def test_same_seed_same_samples_other_seed_other_samples():
    y = noisy(1)
    start = fit_power_law(X, y).x
    first = bootstrap(fit_power_law, {"x": X, "loss": y}, n_resamples=30, seed=5, starts=start)
    again = bootstrap(fit_power_law, {"x": X, "loss": y}, n_resamples=30, seed=5, starts=start)
    other = bootstrap(fit_power_law, {"x": X, "loss": y}, n_resamples=30, seed=6, starts=start)
    pd.testing.assert_frame_equal(first.samples, again.samples)
    assert not np.allclose(first.samples.to_numpy(), other.samples.to_numpy())


def test_intervals_cover_the_truth_in_most_repetitions():
    # the batched bootstrap draws and refits as `bootstrap` does (tested to agree below), only faster
    hits = 0
    for seed in range(12):
        y = noisy(seed)
        boot = bootstrap_power_law(X, y, n_resamples=100, seed=seed)
        interval = boot.interval(0.9).loc["alpha"]
        hits += interval["low"] <= 0.34 <= interval["high"]
    assert hits >= 8  # 90% nominal; P(hits < 8) is about 2% if coverage were exact


def test_interval_shape_level_and_se():
    samples = pd.DataFrame({"alpha": np.linspace(0, 1, 101), "E": np.linspace(1, 2, 101)})
    result = BootstrapResult(
        samples=samples, estimate=samples.mean(), n_resamples=101, n_failed=0, seed=0
    )
    interval = result.interval(0.9)
    assert list(interval.columns) == ["low", "high"]
    assert interval.attrs["level"] == 0.9
    assert interval.loc["alpha", "low"] == pytest.approx(0.05)
    assert interval.loc["E", "high"] == pytest.approx(1.95)
    assert result.se()["alpha"] == pytest.approx(samples["alpha"].std())
    with pytest.raises(ValueError, match="level must be a number strictly between 0 and 1, got 95"):
        result.interval(95)


def test_too_few_resamples_and_bad_columns_are_named():
    with pytest.raises(ValueError, match="n_resamples must be a whole number >= 2, got 1"):
        bootstrap(fit_power_law, {"x": X, "loss": noisy(0)}, n_resamples=1)
    with pytest.raises(
        ValueError, match="columns have different lengths: x has 40, loss has 39 rows"
    ):
        bootstrap(fit_power_law, {"x": X, "loss": noisy(0)[:-1]}, n_resamples=5)


def test_refits_that_do_not_converge_are_counted_not_kept():
    calls = iter(range(100))

    class Fake:
        def __init__(self, converged):
            self.converged = converged
            self.params = pd.Series({"p": 1.0})
            self.derived = pd.Series(dtype=float)

    def flaky(x):
        return Fake(converged=next(calls) % 3 != 1)

    result = bootstrap(flaky, {"x": X}, n_resamples=9, seed=0)
    assert result.n_failed == 3
    assert len(result.samples) == 6


def test_batched_power_law_bootstrap_matches_one_refit_per_resample():
    from lawlib import bootstrap_power_law

    y = noisy(7)
    y[[3, 20]] *= 1.15
    full = fit_power_law(X, y)
    slow = bootstrap(fit_power_law, {"x": X, "loss": y}, n_resamples=60, seed=11, starts=full.x)
    fast = bootstrap_power_law(X, y, n_resamples=60, seed=11, fit=full)
    assert fast.n_failed == slow.n_failed == 0
    np.testing.assert_allclose(
        fast.samples[["E", "alpha"]], slow.samples[["E", "alpha"]], rtol=1e-4
    )
    np.testing.assert_allclose(fast.samples["A"], slow.samples["A"], rtol=1e-3)


def test_counts_are_the_same_draws_as_indices():
    from lawlib.resampling import resample_counts, resample_indices

    indices = resample_indices(7, 5, seed=3)
    counts = resample_counts(7, 5, seed=3)
    assert counts.shape == (5, 7) and (counts.sum(axis=1) == 7).all()
    for row, index in zip(counts, indices, strict=True):
        np.testing.assert_array_equal(row, np.bincount(index, minlength=7))


def test_the_fast_bootstrap_takes_a_frame_by_column_name():
    x = np.logspace(6, 10, 30)
    y = PowerLaw(1.7, 400.0, 0.34)(x) * np.exp(np.random.default_rng(1).normal(0, 0.01, 30))
    frame = pd.DataFrame({"tokens": x, "loss": y})
    by_name = bootstrap_power_law("tokens", "loss", data=frame, n_resamples=50, seed=3)
    by_array = bootstrap_power_law(x, y, n_resamples=50, seed=3)
    assert by_name.samples.equals(by_array.samples)
