"""Power-law fits: exact recovery, noisy recovery, robustness, closed forms, bad input."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawlib import PowerLaw, ValidationError, fit_loglog_line, fit_power_law

X = np.logspace(np.log10(7e7), np.log10(1.6e10), 40)


@settings(max_examples=15, deadline=None)
@given(E=st.floats(0.5, 3.0), A=st.floats(10.0, 400.0), alpha=st.floats(0.2, 0.8))
def test_noiseless_data_recovers_the_law(E, A, alpha):
    truth = PowerLaw(E, A, alpha)
    if truth.reducible(X[-1]) < 1e-3 * E:  # the reducible term must be visible over the data
        return
    fit = fit_power_law(X, truth(X))
    assert fit.converged
    assert fit.params["E"] == pytest.approx(E, rel=1e-4)
    assert fit.params["alpha"] == pytest.approx(alpha, rel=1e-4)
    assert fit.params["A"] == pytest.approx(A, rel=1e-3)


def test_recovery_with_noise_stays_within_a_few_standard_errors():
    truth = PowerLaw(1.69, 406.4, 0.34)
    estimates = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        fit = fit_power_law(X, truth(X) * np.exp(rng.normal(0, 0.005, X.size)))
        estimates.append(fit.params[["E", "alpha"]].to_numpy())
    mean = np.mean(estimates, axis=0)
    assert mean[0] == pytest.approx(1.69, abs=0.02)
    assert mean[1] == pytest.approx(0.34, abs=0.02)


def test_huber_resists_outliers_that_pull_least_squares():
    truth = PowerLaw(1.69, 406.4, 0.34)
    robust_errors, squared_errors = [], []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        y = truth(X) * np.exp(rng.normal(0, 0.01, X.size))
        y[rng.choice(X.size, 3, replace=False)] *= np.exp(0.15)
        robust = fit_power_law(X, y, delta=1e-3)
        squared = fit_power_law(X, y, delta=np.inf)
        robust_errors.append(abs(robust.params["E"] - 1.69))
        squared_errors.append(abs(squared.params["E"] - 1.69))
    assert np.median(robust_errors) < 0.05
    assert np.median(squared_errors) > 2 * np.median(robust_errors)
    assert squared.objective_definition.startswith("squared error / 2")
    assert "Huber loss (delta = 0.001)" in robust.objective_definition


def test_loglog_line_is_exact_on_a_pure_power_law():
    fit = fit_loglog_line(X, 7.0 * X**-0.25)
    assert fit.params["alpha"] == pytest.approx(0.25, rel=1e-10)
    assert fit.params["A"] == pytest.approx(7.0, rel=1e-8)
    assert fit.derived["slope"] == pytest.approx(-0.25, rel=1e-10)
    assert float(fit.objective) == pytest.approx(0.0, abs=1e-20)


def test_line_through_a_law_with_a_floor_lies_between_the_local_exponents():
    truth = PowerLaw(1.69, 406.4, 0.34)
    line = fit_loglog_line(X, truth(X))
    low, high = truth.local_exponent(X[-1]), truth.local_exponent(X[0])
    assert low < line.params["alpha"] < high < 0.34


def test_local_exponent_is_the_numerical_log_slope():
    law = PowerLaw(1.5, 80.0, 0.4)
    x, h = 3e8, 1e-6
    numeric = -(np.log(law(x * np.exp(h))) - np.log(law(x * np.exp(-h)))) / (2 * h)
    assert law.local_exponent(x) == pytest.approx(numeric, rel=1e-7)


def test_mean_reduction_reaches_the_same_optimum_with_lawlib_tolerances():
    rng = np.random.default_rng(3)
    y = PowerLaw(1.69, 406.4, 0.34)(X) * np.exp(rng.normal(0, 0.01, X.size))
    total = fit_power_law(X, y, reduction="sum")
    mean = fit_power_law(X, y, reduction="mean")
    np.testing.assert_allclose(mean.params, total.params, rtol=1e-4)
    assert float(mean.objective) == pytest.approx(float(total.objective) / X.size, rel=1e-6)


@pytest.mark.parametrize(
    ("x", "loss", "message"),
    [
        (
            [1, 2, np.nan, 4, 5],
            [3, 2, 2, 2, 2],
            r"column 'N': 1 values are missing or infinite, in rows 2$",
        ),
        (
            [1, 2, 3, 4, 5],
            [3, 2, np.inf, 2, 2],
            r"column 'loss': 1 values are missing or infinite, in rows 2$",
        ),
        (
            [1, -2, 3, 0, 5],
            [3, 2, 2, 2, 2],
            r"column 'N': 2 of 5 values are not positive \(first -2\), in rows 1, 3$",
        ),
        (
            [1, 2, 3, 4, 5],
            [3, 2, 2, 0, 2],
            r"column 'loss': 1 of 5 values are not positive \(first 0\), in rows 3$",
        ),
        (
            [1, 2, 3, 4],
            [3, 2, 2, 2, 2],
            r"columns have different lengths: N has 4, loss has 5 rows",
        ),
        (
            [1, 2, 3],
            [3, 2, 2],
            r"3 rows are too few for a power law with an irreducible term with 3 parameters",
        ),
        (
            [1, 2, "x", 4],
            [3, 2, 2, 2],
            r"column 'N': 1 values are not numbers \(first 'x'\), in rows 2$",
        ),
    ],
)
def test_bad_input_is_named_before_fitting(x, loss, message):
    with pytest.raises(ValidationError, match=message) as caught:
        fit_power_law(pd.Series(x, name="N", dtype=object), loss)
    assert len(caught.value.problems) == 1


def test_every_problem_is_listed_at_once():
    with pytest.raises(ValidationError) as caught:
        fit_power_law(pd.Series([1, -2, np.nan, 4, 5], name="N"), [3, 2, 2, "x", 2])
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems with the runs: (1) column 'N'")


def test_a_design_that_cannot_identify_the_law_is_refused():
    with pytest.raises(ValidationError, match=r"only 3 distinct \(x\) points"):
        fit_power_law([1e6, 1e6, 1e7, 1e7, 1e8, 1e8], [3, 3.1, 2.5, 2.6, 2.2, 2.3])
    with pytest.raises(ValidationError, match=r"column 'x' holds one value"):
        fit_power_law([1e6] * 5, [3, 3.1, 2.5, 2.6, 2.2])


def test_data_frame_in_by_column_name():
    runs = pd.DataFrame({"C": X, "final loss": PowerLaw(1.7, 400.0, 0.34)(X)})
    fit = fit_power_law("C", "final loss", data=runs)
    np.testing.assert_allclose(fit.params, [1.7, 400.0, 0.34], rtol=1e-6)
    np.testing.assert_allclose(fit.predict(runs), runs["final loss"], rtol=1e-8)
    assert fit.resid.abs().max() < 1e-8
    with pytest.raises(ValidationError, match="no column 'loss' in the data; it has C, final loss"):
        fit_power_law("C", "loss", data=runs)


def test_bad_pandas_input_names_the_index_label():
    import pandas as pd

    frame = pd.DataFrame(
        {"N": [1e8, 2e8, 3e8, 4e8], "loss": [3.0, -1.0, 2.5, 2.4]}, index=["r1", "r2", "r3", "r4"]
    )
    with pytest.raises(
        ValueError, match=r"column 'loss': 1 of 4 values are not positive \(first -1\), in rows r2$"
    ):
        fit_power_law(frame["N"], frame["loss"])
