"""Uncertainty without a bootstrap: coverage by simulation, prediction intervals, AIC, fixed and weighted fits."""

import warnings

import numpy as np
import pandas as pd
import pytest

import lawlib
from lawlib import ChinchillaLaw, PowerLaw, ValidationError, fit_parametric, fit_power_law
from lawlib.chinchilla import hoffmann_grid

TRUTH = ChinchillaLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)


def _coverage(delta, noise, seed, n_runs=80, n_fits=200):
    rng = np.random.default_rng(seed)
    N = np.exp(rng.uniform(np.log(5e7), np.log(1.6e10), n_runs))
    D = np.exp(rng.uniform(np.log(3e8), np.log(3e11), n_runs))
    hits = pd.Series(0, index=TRUTH.params.index)
    for _ in range(n_fits):
        loss = TRUTH.loss(N, D) * np.exp(noise(rng, n_runs))
        bounds = fit_parametric(N, D, loss, delta=delta).conf_int(0.1)
        hits += (bounds["low"] <= TRUTH.params) & (TRUTH.params <= bounds["high"])
    return hits / n_fits


@pytest.mark.slow
@pytest.mark.parametrize(
    ("delta", "noise"),
    [
        (np.inf, lambda rng, n: rng.normal(0, 0.01, n)),  # least squares, Gaussian noise
        (1e-3, lambda rng, n: rng.normal(0, 0.01, n)),  # the book's recipe
        (1e-3, lambda rng, n: rng.laplace(0, 0.007, n)),  # heavier tails
    ],
    ids=["least squares", "Huber, Gaussian noise", "Huber, Laplace noise"],
)
def test_nominal_90_percent_intervals_cover_the_truth(delta, noise):
    coverage = _coverage(delta, noise, seed=11)
    assert ((coverage >= 0.80) & (coverage <= 0.97)).all(), coverage
    again = _coverage(delta, noise, seed=11, n_fits=5)
    assert again.equals(_coverage(delta, noise, seed=11, n_fits=5))  # deterministic per seed


def test_least_squares_errors_are_the_textbook_ones():
    # a power law with E = 0 is linear in log space: the standard errors of (log A, alpha) are OLS's
    rng = np.random.default_rng(4)
    x = np.logspace(6, 10, 30)
    y = 5.0 * x**-0.3 * np.exp(rng.normal(0, 0.02, 30))
    fit = fit_power_law(x, y, delta=np.inf, fixed={"E": 1e-300})
    X = np.column_stack([np.ones(30), -np.log(x)])
    coef, *_ = np.linalg.lstsq(X, np.log(y), rcond=None)
    s2 = np.sum((np.log(y) - X @ coef) ** 2) / 28
    se = np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))
    assert fit.bse["alpha"] == pytest.approx(se[1], rel=1e-5)
    assert fit.bse["A"] == pytest.approx(se[0] * fit.params["A"], rel=1e-5)  # delta method
    assert fit.bse["E"] == 0.0 and fit.to_frame().loc["E", "fixed"]


def test_prediction_intervals_cover_new_runs():
    rng = np.random.default_rng(5)
    x = np.logspace(6, 9, 40)
    law = PowerLaw(1.7, 400.0, 0.34)
    inside = []
    for _ in range(60):
        fit = fit_power_law(x, law(x) * np.exp(rng.normal(0, 0.01, 40)), delta=np.inf)
        new = np.logspace(6.5, 9.5, 10)
        band = fit.predict(new, interval=True, level=0.9)
        observed = law(new) * np.exp(rng.normal(0, 0.01, 10))
        inside.append(((band["low"] <= observed) & (observed <= band["high"])).mean())
    assert 0.83 <= np.mean(inside) <= 0.96
    assert band.attrs["kind"] == "prediction"


def test_aic_prefers_the_form_the_data_came_from():
    rng = np.random.default_rng(6)
    x = np.logspace(6, 10, 40)
    y = PowerLaw(1.7, 400.0, 0.34)(x) * np.exp(rng.normal(0, 0.005, 40))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        floor = fit_power_law(x, y, delta=np.inf)
        line = lawlib.fit_loglog_line(x, y)
    assert floor.aic < line.aic - 10 and floor.bic < line.bic - 10
    # both are Gaussian log-likelihoods: the line's is the OLS one
    residual = line.resid.to_numpy()
    sigma2 = np.mean(residual**2)
    expected = -0.5 * 40 * (np.log(2 * np.pi * sigma2) + 1)
    assert line.llf == pytest.approx(expected, rel=1e-10)


@pytest.fixture(scope="module")
def runs():
    frame = lawlib.data.load("epoch2024")
    return frame[frame["in_default_fit"]]


def test_a_fixed_floor_is_held_and_marked(runs):
    fixed = fit_parametric("N", "D", "loss", data=runs, fixed={"E": 1.69})
    assert fixed.params["E"] == 1.69 and fixed.fixed == {"E": 1.69}
    recipe = fit_parametric(
        "N", "D", "loss", data=runs, fixed={"E": 1.69}, starts=hoffmann_grid()[::20][:, 1:]
    )
    assert fixed.objective == pytest.approx(recipe.objective, rel=1e-8)  # both engines agree
    free = fit_parametric("N", "D", "loss", data=runs)
    assert fixed.objective > free.objective  # a constraint cannot fit better
    text = fixed.summary().as_text()
    assert "Held fixed              E = 1.69" in text and "fixed" in text
    assert fixed.bse["E"] == 0.0 and fixed.conf_int().loc["E"].tolist() == [1.69, 1.69]
    with pytest.raises(ValidationError, match="fixed names 'F', which is not a parameter"):
        fit_parametric("N", "D", "loss", data=runs, fixed={"F": 1.0})
    with pytest.raises(ValidationError, match="fixed E must be a finite number > 0"):
        fit_parametric("N", "D", "loss", data=runs, fixed={"E": -1.0})


def test_integer_weights_equal_repeated_runs(runs):
    rng = np.random.default_rng(8)
    counts = rng.integers(1, 4, len(runs))
    weighted = fit_parametric("N", "D", "loss", data=runs.assign(w=counts), weights="w")
    repeated = runs.loc[runs.index.repeat(counts)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)  # repeated rows are warned about
        plain = fit_parametric("N", "D", "loss", data=repeated)
    assert weighted.objective == pytest.approx(plain.objective, rel=1e-9)
    np.testing.assert_allclose(weighted.params, plain.params, rtol=1e-5)
    assert "weighted" in weighted.objective_definition
    assert np.isnan(weighted.aic) and any("weighted fit" in n for n in weighted.summary().notes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)  # the digitised runs repeat some N
        power = fit_power_law("N", "loss", data=runs.assign(w=counts), weights="w")
        power_plain = fit_power_law("N", "loss", data=repeated)
    assert power.objective == pytest.approx(power_plain.objective, rel=1e-9)
    with pytest.raises(ValidationError, match="weights has 3 entries for 240 runs"):
        fit_parametric("N", "D", "loss", data=runs, weights=[1.0, 2.0, 3.0])


def test_the_published_fit_reports_standard_errors_and_correlations(runs):
    fit = fit_parametric("N", "D", "loss", data=runs)
    corr = fit.corr_params()
    assert corr.loc["A", "alpha"] > 0.99 and corr.loc["B", "beta"] > 0.99  # the ridges
    assert "A ~ alpha" in fit.summary().as_text()
    assert set(fit.cov_params().index) == {"E", "A", "B", "alpha", "beta"}
