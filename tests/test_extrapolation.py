"""The extrapolation audit: fit on the small end, predict the rest, on laws with known answers."""

import numpy as np
import pandas as pd
import pytest

import lawlib
from lawlib.extrapolation import audit_bins, audit_summary, extrapolation_audit


def power_law_runs(noise=0.0, seed=0):
    law = lawlib.PowerLaw(E=1.7, A=1e5, alpha=0.3)  # 0.8 to 0.05 above E
    runs = pd.DataFrame({"C": np.geomspace(1e17, 1e21, 24)})
    runs["loss"] = law(runs["C"]) * np.exp(np.random.default_rng(seed).normal(0, noise, 24))
    return runs


def fit_predict(train, test):
    fit = lawlib.fit_power_law("C", "loss", data=train)
    return fit.law(test["C"]), fit.law.params


def test_a_law_fitted_to_its_own_curve_extrapolates_exactly():
    errors, constants = extrapolation_audit({"exact": (power_law_runs(), "C", fit_predict)})
    assert errors["error"].max() < 1e-6
    assert len(constants) == 4 and constants[0]["alpha"] == pytest.approx(0.3, rel=1e-6)
    logs = np.linspace(17, 21, 24)
    fitted_max = logs[logs <= 17 + 0.4 * 4 + 1e-9].max()
    distances = errors.loc[errors["share"] == 0.4, "distance"]
    assert distances.max() == pytest.approx(21 - fitted_max, rel=1e-9)


def test_noise_makes_far_predictions_worse_and_the_summary_says_so():
    runs = power_law_runs(noise=0.01, seed=3)
    errors, _ = extrapolation_audit({"noisy": (runs, "C", fit_predict)})
    summary = audit_summary(errors)
    row = summary.loc["noisy"]
    assert row["count"] == len(errors[errors["share"] < 1])
    logs = np.linspace(17, 21, 24)
    assert row["reach [decades]"] == pytest.approx(21 - logs[logs <= 18.6 + 1e-9].max(), rel=1e-9)
    assert 0 < row["in-sample [%]"] < 1  # the misfit is the noise (sd 1%)
    assert row["beyond 1 decade [%]"] > row["within ½ decade [%]"]  # true for seeds 0-5
    bins = audit_bins(errors, 0.5)
    assert set(bins["dataset"]) == {"noisy"} and (bins["bin"] % 0.5 == 0.25).all()


def test_bad_shares_and_columns_are_named():
    runs = power_law_runs()
    with pytest.raises(lawlib.ValidationError, match=r"1\.5 is not between 0 and 1"):
        extrapolation_audit({"x": (runs, "C", fit_predict)}, [0.5, 1.5])
    with pytest.raises(lawlib.ValidationError, match="x: no column steps"):
        extrapolation_audit({"x": (runs, "steps", fit_predict)})
