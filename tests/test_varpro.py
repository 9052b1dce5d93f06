"""Variable projection: exact non-negative least squares, the grid search, and fits that reach
the 4,500-start optimum; the bootstrap that refits every resample globally."""

import warnings

import numpy as np
import pytest
from scipy.optimize import nnls

import lawlib
from lawlib import ChinchillaLaw, bootstrap_parametric, fit_parametric, fit_power_law
from lawlib.data import load
from lawlib.varpro import best_starts, nonnegative_least_squares, profile


@pytest.mark.parametrize("m", [1, 2, 3])
def test_nonnegative_least_squares_equals_scipy(m):
    rng = np.random.default_rng(m)
    for _ in range(200):
        X = rng.normal(size=(30, m)) + (rng.uniform() < 0.5) * 2.0
        y = rng.normal(size=30) + X @ rng.normal(size=m)
        coef, sse = nonnegative_least_squares(X.T @ X, X.T @ y, y @ y)
        expected, residual = nnls(X, y)
        assert sse == pytest.approx(residual**2, rel=1e-9, abs=1e-9)
        np.testing.assert_allclose(coef, expected, rtol=1e-7, atol=1e-9)


def test_profile_solves_the_linear_part_exactly_at_every_grid_point():
    runs = load("epoch2024").query("in_default_fit")
    logx, logy = np.log(runs[["N", "D"]].to_numpy()), np.log(runs["loss"].to_numpy())
    exponents = np.array([0.2, 0.35, 0.9])
    theta, sse = profile(logx, logy, exponents=exponents)
    assert theta.shape == (1, 9, 5) and sse.shape == (1, 9)
    y = np.exp(logy)
    for point, value in zip(theta[0], sse[0], strict=True):
        e, a, alpha, b, beta = point
        X = np.column_stack(
            [np.ones_like(y), np.exp(-alpha * logx[:, 0]), np.exp(-beta * logx[:, 1])]
        )
        _, residual = nnls(X / y[:, None], np.ones_like(y))
        assert value == pytest.approx(residual**2, rel=1e-8)
        predicted = np.exp(e) + np.exp(a - alpha * logx[:, 0]) + np.exp(b - beta * logx[:, 1])
        assert np.sum((predicted / y - 1) ** 2) == pytest.approx(residual**2, rel=1e-6)


def test_best_starts_takes_local_minima_first():
    grid = np.linspace(-1, 1, 9)
    x, y = np.meshgrid(grid, grid, indexing="ij")
    surface = np.minimum((x - 0.5) ** 2 + (y - 0.5) ** 2, 0.1 + (x + 0.75) ** 2 + (y + 0.75) ** 2)
    theta = np.stack([np.zeros(81), np.zeros(81), x.ravel(), np.zeros(81), y.ravel()], axis=1)
    chosen = best_starts(theta, surface.ravel(), count=3)
    assert chosen[0, [2, 4]].tolist() == [0.5, 0.5]
    assert chosen[1, [2, 4]].tolist() == [-0.75, -0.75]  # the second valley before neighbours


def _same_optimum(fast, published):
    assert fast.converged
    assert float(fast.objective) <= float(published.objective) * (1 + 1e-9)
    return float(fast.objective) / float(published.objective) - 1


def test_varpro_reaches_the_published_optimum_on_besiroglu_et_al():
    runs = load("epoch2024").query("in_default_fit")
    fast = fit_parametric("N", "D", "loss", data=runs, engine="varpro")
    published = fit_parametric("N", "D", "loss", data=runs)
    assert abs(_same_optimum(fast, published)) < 1e-9
    np.testing.assert_allclose(fast.params, published.params, rtol=1e-5)
    assert "variable projection" in fast.summary().as_text()
    with pytest.raises(ValueError, match="chooses its own starts"):
        fit_parametric("N", "D", "loss", data=runs, engine="varpro", starts=[[0, 5, 0.3, 5, 0.3]])


def _random_law(rng):
    """A random Chinchilla law (exponents 0.2 to 0.5, as published ones) and 80 runs in which
    both reducible terms carry at least 20% of the reducible loss: a design that can identify the law (where one term is lost in the
    noise, the objective is flat along a ridge and no engine has a unique optimum to reach)."""
    while True:
        truth = ChinchillaLaw(
            E=rng.uniform(1.5, 2.0),
            A=np.exp(rng.uniform(3, 8)),
            B=np.exp(rng.uniform(3, 9)),
            alpha=rng.uniform(0.2, 0.5),
            beta=rng.uniform(0.2, 0.5),
        )
        N = np.exp(rng.uniform(np.log(1e7), np.log(1e10), 80))
        D = np.exp(rng.uniform(np.log(1e8), np.log(1e12), 80))
        share = np.mean(truth.B * D**-truth.beta) / np.mean(truth.loss(N, D) - truth.E)
        if 0.2 < share < 0.8:
            return N, D, truth.loss(N, D) * np.exp(rng.normal(0, 0.01, 80))


@pytest.mark.parametrize("seed", range(3))
def test_varpro_is_no_worse_on_random_laws(seed):
    N, D, loss = _random_law(np.random.default_rng(seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        _same_optimum(fit_parametric(N, D, loss, engine="varpro"), fit_parametric(N, D, loss))


def test_varpro_for_tied_exponents_and_the_one_variable_law():
    runs = load("gadre2024_losses").query("eval_set == 'c4_val' and dataset == 'rpj'")
    tied = fit_parametric("N", "D", "loss", data=runs, engine="varpro", equal_exponents=True)
    _same_optimum(tied, fit_parametric("N", "D", "loss", data=runs, equal_exponents=True))
    assert tied.params["alpha"] == tied.params["beta"]
    x = np.logspace(6, 10, 20)
    y = lawlib.PowerLaw(1.7, 400.0, 0.34)(x) * np.exp(np.random.default_rng(0).normal(0, 0.01, 20))
    _same_optimum(fit_power_law(x, y, engine="varpro"), fit_power_law(x, y))


@pytest.mark.slow
def test_varpro_is_no_worse_on_every_dataset_the_book_fits():
    datasets = {"epoch2024, every run": load("epoch2024")}
    for label, part in load("porian2024_isoflop").groupby("label"):
        datasets[f"Porian et al., {label}"] = part
    for corpus, part in load("gadre2024_losses").query("eval_set == 'c4_val'").groupby("dataset"):
        datasets[f"Gadre et al., {corpus}"] = part
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        for name, runs in datasets.items():
            for tied in (False, True):
                fast = fit_parametric(
                    "N", "D", "loss", data=runs, engine="varpro", equal_exponents=tied
                )
                slow = fit_parametric("N", "D", "loss", data=runs, equal_exponents=tied)
                assert float(fast.objective) <= float(slow.objective) * (1 + 1e-9), (name, tied)


def test_global_bootstrap_finds_the_basins_a_warm_start_misses():
    truth = ChinchillaLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)
    rng = np.random.default_rng(0)
    N = np.exp(rng.uniform(np.log(5e7), np.log(2e9), 25))
    D = np.exp(rng.uniform(np.log(1e9), np.log(3e10), 25))
    loss = truth.loss(N, D) * np.exp(rng.normal(0, 0.03, 25))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        fit = fit_parametric(N, D, loss)
        warm = bootstrap_parametric(N, D, loss, n_resamples=200, seed=1, fit=fit)
        wide = bootstrap_parametric(N, D, loss, n_resamples=200, seed=1, fit=fit, refit="global")
    refits = wide.refits
    assert list(refits.columns) == ["objective", "converged", "objective_warm", "other_basin"]
    assert (refits["objective"] <= refits["objective_warm"] * (1 + 1e-12)).all()
    np.testing.assert_allclose(refits["objective_warm"], warm.refits["objective"], rtol=1e-12)
    assert refits["other_basin"].sum() > 20  # a weakly identified design: many resamples move
    assert wide.se()["alpha"] > warm.se()["alpha"]


def test_global_bootstrap_agrees_with_warm_where_there_is_one_basin():
    runs = load("epoch2024").query("in_default_fit")
    fit = fit_parametric("N", "D", "loss", data=runs)
    warm = bootstrap_parametric("N", "D", "loss", data=runs, n_resamples=100, seed=3, fit=fit)
    wide = bootstrap_parametric(
        "N", "D", "loss", data=runs, n_resamples=100, seed=3, fit=fit, refit="global"
    )
    assert wide.refits["other_basin"].sum() == 0
    np.testing.assert_allclose(wide.se(), warm.se(), rtol=1e-4)
    with pytest.raises(ValueError, match="refit must be 'warm' or 'global'"):
        bootstrap_parametric("N", "D", "loss", data=runs, n_resamples=10, fit=fit, refit="cold")
