"""The shared fit result: summary text and HTML, frames, objective definition, intervals."""

import warnings

import numpy as np
import pandas as pd

import lawlib
import lawlib.checklist
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


def test_report_fills_the_checklist_from_the_fit_and_marks_what_only_the_author_knows():
    runs = lawlib.data.load("epoch2024").query("in_default_fit")
    fit = lawlib.fit_parametric(runs["N"], runs["D"], runs["loss"])
    report = fit.report()
    items = report.items
    assert list(items) == list(lawlib.checklist.CHECKLIST)
    assert items["form"] == fit.model and "delta = 0.001" in items["objective"]
    assert items["initialization"].startswith(f"{fit.n_starts} starts")
    assert items["range"] == "N 5.73e7 to 1.62e10; D 8.19e8 to 3.18e11; loss 2.08 to 3.41"
    assert report.missing == ["data", "parameters", "compute", "loss_unit"]
    told = fit.report(
        checkpoints="the final one of each run",
        parameters="all, embeddings included",
        compute="C = 6 N D",
        loss_unit="nats/token",
    )
    assert told.missing == [] and "240 points; checkpoints: the final one" in told.items["data"]
    assert told.as_dict()["items"]["parameters"] == "all, embeddings included"
    assert "4 of 11 items not stated" in str(report)
    # Approach 2 states its FLOPs per token itself
    isoflop = lawlib.data.load("porian2024_isoflop").query("label == 'Reproducing Kaplan et al.'")
    allocation = lawlib.fit_isoflop(
        isoflop["N"], isoflop["D"], isoflop["loss"], isoflop["C"], flops_per_token=6.0
    )
    assert allocation.report().items["compute"] == "C = 6 N D"
    assert allocation.report().items["initialization"] == "none needed (closed form)"
