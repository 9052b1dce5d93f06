"""The shared fit result: summary text and HTML, frames, objective definition, intervals."""

import warnings

import numpy as np
import pandas as pd

from lawlib import FitResult, FitWarning, PowerLaw, bootstrap, fit_power_law, start_grid

X = np.logspace(8, 10, 30)
Y = PowerLaw(1.7, 400.0, 0.34)(X) * np.exp(np.random.default_rng(0).normal(0, 0.01, 30))


def test_summary_states_recipe_convergence_and_intervals():
    fit = fit_power_law(X, Y, starts=start_grid())
    text = str(fit.summary(0.1))
    for expected in [
        "L = E + A * x^(-alpha)",
        "Observations  30",
        "Huber delta   0.001",
        "Reduction     sum",
        "Converged     yes",
        "Starts        150",
        "Intervals     90%: asymptotic",
        "low 5%",
        "high 95%",
        "std err",
        "AIC, BIC",
        "E ~ alpha",
    ]:
        assert expected in text, expected
    assert "<table>" in fit.summary().as_html()
    assert fit._repr_html_() == fit.summary().as_html()
    frame = fit.to_frame(0.1)
    assert list(frame.columns) == ["estimate", "std err", "low", "high", "fixed"]
    assert (frame["low"] <= frame["estimate"]).all() and (frame["estimate"] <= frame["high"]).all()
    assert frame.attrs["method"].startswith("asymptotic")


def test_a_bootstrap_attached_to_the_result_gives_its_intervals():
    fit = fit_power_law(X, Y, starts=start_grid())
    boot = bootstrap(fit_power_law, {"x": X, "loss": Y}, n_resamples=20, seed=0, starts=fit.x)
    attached = fit.with_bootstrap(boot)
    assert attached.conf_int(0.1).equals(boot.interval(0.9))
    assert attached.conf_int(0.1).attrs["method"] == "bootstrap percentile, 20 resamples"
    assert "bootstrap percentile" in attached.summary(0.1).as_text()
    np.testing.assert_allclose(attached.bse[["E", "A", "alpha"]], boot.se()[["E", "A", "alpha"]])
    assert fit.bootstrap is None  # the original is unchanged


def test_not_converged_fit_says_so_in_notes_and_summary():
    fit = fit_power_law(X, Y, starts=[[0.0, 0.0, 0.0]])
    forced = type(fit)(
        **{
            **fit.__dict__,
            "converged": False,
            "message": "ABNORMAL",
            "notes": ["the optimizer did not converge: ABNORMAL"],
        }
    )
    text = forced.summary().as_text()
    assert "Converged     NO (ABNORMAL)" in text
    assert "[1] the optimizer did not converge: ABNORMAL" in text
    assert "NOT converged" in repr(forced)


def test_objective_is_a_float_with_a_definition():
    fit = fit_power_law(X, Y, starts=start_grid())
    assert type(fit.objective) is float
    assert fit.objective_definition.startswith("Huber loss (delta = 0.001) of log(predicted loss)")
    assert fit.n_starts == 150


def test_predict_resid_and_intervals_like_statsmodels():
    fit = fit_power_law(X, Y)
    np.testing.assert_allclose(fit.predict(), fit.law(X), rtol=1e-14)
    np.testing.assert_allclose(fit.resid, np.log(Y) - np.log(fit.law(X)), atol=1e-14)
    frame = fit.to_frame()
    assert frame.attrs["converged"] is True and frame.attrs["notes"] == []
    band = fit.predict(X, interval=True, level=0.9)
    mean = fit.predict(X, interval="confidence", level=0.9)
    assert list(band.columns) == ["predicted", "low", "high"]
    assert ((band["low"] < mean["low"]) & (mean["high"] < band["high"])).all()
    assert ((band["low"] < band["predicted"]) & (band["predicted"] < band["high"])).all()


def test_the_summary_names_the_engine_that_ran():
    batched = fit_power_law(X, Y, starts=start_grid())
    scipy = fit_power_law(X, Y, engine="scipy", starts=start_grid()[::10])
    default = fit_power_law(X, Y)
    assert batched.engine.startswith("BFGS on all starts at once")
    assert scipy.engine.startswith("L-BFGS-B per start")
    assert default.engine.startswith("variable projection")
    assert f"Engine        {scipy.engine}" in scipy.summary().as_text()
    # nit and nfev count the final local run (for the batched engine, the polish)
    assert scipy.nit > 0 and scipy.nfev >= scipy.nit and batched.nfev >= 1


def test_a_caution_is_a_warning_and_a_note_but_a_plain_note_is_not_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = FitResult.build(
            model="m",
            params={"A": 1.0},
            law=PowerLaw(1.0, 1.0, 1.0),
            objective=0.0,
            definition="d",
            engine="closed form",
            notes=["2 budgets skipped"],
            cautions=["the runs repeat"],
            data=pd.DataFrame({"x": X, "loss": Y}),
            inputs=("x",),
            observed="loss",
        )
    assert [str(w.message) for w in caught if w.category is FitWarning] == ["the runs repeat"]
    assert result.notes == ["the runs repeat", "2 budgets skipped"] and result.converged
