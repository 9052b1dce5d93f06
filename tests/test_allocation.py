"""Approaches 1 and 2: exponents on published data, exact recovery on synthetic runs, bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lawlib import ChinchillaLaw, ValidationError, fit_envelope, fit_isoflop
from lawlib.allocation import envelope, interpolate_isoflop
from lawlib.data import load


@pytest.fixture(scope="module")
def porian():
    return load("porian2024_isoflop")


def _panel(points, label):
    return points[points["label"] == label]


def test_isoflop_on_porian_fully_corrected_setting(porian):
    panel = _panel(porian, "Optimizer tuning (no decay)")
    result = fit_isoflop(panel["N"], panel["D"], panel["loss"], panel["C"])
    assert result.a == pytest.approx(0.50, abs=0.02)
    assert result.b == pytest.approx(0.5031, abs=0.02)  # Porian et al.'s own fit of t_opt
    n_opt = result.law.compute_optimal(5.88e23)[0]
    assert 7.7e10 / 1.2 < n_opt < 7.7e10 * 1.2
    low, high = result.conf_int().loc["a"]
    assert low < 0.4969 < high  # the authors' Akima-based estimate
    assert len(result.optima) == 12 and result.notes == []
    # the asymptotic interval of a is the classical t-interval of the least-squares slope
    line = stats.linregress(np.log(result.optima["C"]), np.log(result.optima["N_opt"]))
    half = stats.t.ppf(0.975, len(result.optima) - 2) * line.stderr
    assert (low, high) == pytest.approx((line.slope - half, line.slope + half), rel=1e-6)


def test_isoflop_on_porian_kaplan_reproduction(porian):
    panel = _panel(porian, "Reproducing Kaplan et al.")
    assert 0.84 <= fit_isoflop(panel["N"], panel["D"], panel["loss"], panel["C"]).a <= 0.87


def test_isoflop_recovers_the_closed_form_of_a_known_law():
    law = ChinchillaLaw.published("besiroglu2024")
    rows = []
    for budget in np.logspace(18, 22, 9):
        n_opt = law.compute_optimal(budget)[0]
        for n in n_opt * np.logspace(-0.5, 0.5, 9):
            rows.append({"N": n, "D": budget / (6 * n), "C": budget})
    runs = pd.DataFrame(rows)
    result = fit_isoflop(runs["N"], runs["D"], law.loss(runs["N"], runs["D"]), runs["C"])
    assert result.a == pytest.approx(law.a, abs=0.01)
    np.testing.assert_allclose(
        result.optima["N_opt"], law.compute_optimal(result.optima["C"])[0], rtol=0.05
    )


def test_a_ladder_interpolated_to_isoflop_budgets_recovers_a_known_law():
    law = ChinchillaLaw.published("besiroglu2024")
    sizes = np.geomspace(1e8, 3.2e9, 6)  # a ladder: every size at 10 to 200 tokens per parameter
    multiples = np.geomspace(10, 200, 12)
    ladder = pd.DataFrame([{"N": n, "D": m * n} for n in sizes for m in multiples])
    ladder["loss"] = law.loss(ladder["N"], ladder["D"])
    profiles = interpolate_isoflop("N", "D", "loss", data=ladder)
    # four windows where three sizes overlap, one budget each, every size inside its range
    assert profiles["C"].nunique() == 4 and (profiles.groupby("C").size() == 3).all()
    lows = ladder.groupby("N")["D"].min().loc[profiles["N"]].to_numpy()
    highs = ladder.groupby("N")["D"].max().loc[profiles["N"]].to_numpy()
    assert np.all((profiles["D"] >= lows * (1 - 1e-9)) & (profiles["D"] <= highs * (1 + 1e-9)))
    np.testing.assert_allclose(6 * profiles["N"] * profiles["D"], profiles["C"], rtol=1e-12)
    # interpolation between runs spaced 1.3x in D is within 0.1% of the law
    np.testing.assert_allclose(profiles["loss"], law.loss(profiles["N"], profiles["D"]), rtol=1e-3)
    chosen = interpolate_isoflop("N", "D", "loss", [1e20], data=ladder, min_sizes=2)
    assert set(chosen["C"]) == {1e20} and len(chosen) >= 2
    with pytest.raises(ValidationError, match="no budget is reached by 7 or more sizes"):
        interpolate_isoflop("N", "D", "loss", data=ladder, min_sizes=7)
    with pytest.raises(ValidationError, match="every size has one token count"):
        interpolate_isoflop("N", "D", "loss", data=ladder.groupby("N").head(1))


def test_isoflop_skips_budgets_with_the_minimum_at_an_edge():
    law = ChinchillaLaw.published("besiroglu2024")
    rows = []
    for budget in np.logspace(18, 21, 4):
        n_opt = law.compute_optimal(budget)[0]
        sizes = n_opt * (np.logspace(0.2, 1.0, 5) if budget == 1e18 else np.logspace(-0.5, 0.5, 7))
        rows += [{"N": n, "D": budget / (6 * n), "C": budget} for n in sizes]
    runs = pd.DataFrame(rows)
    result = fit_isoflop(runs["N"], runs["D"], law.loss(runs["N"], runs["D"]), runs["C"])
    assert len(result.optima) == 3
    assert "1 of 4 budgets skipped" in result.notes[0] and "1e18" in result.notes[0]


def test_isoflop_bad_input():
    with pytest.raises(
        ValueError,
        match=r"column 'C' holds a single compute budget \(1e\+20 FLOPs\) for all 5 runs",
    ):
        n = np.array([1e8, 2e8, 3e8, 4e8, 5e8])
        fit_isoflop(n, 1e20 / (6 * n), [3, 2.9, 2.8, 2.9, 3.0], [1e20] * 5)
    with pytest.raises(ValidationError, match="n_nearest must be a whole number >= 3, got 0"):
        fit_isoflop([1e8, 2e8, 3e8], [1e10] * 3, [3, 2.9, 2.8], n_nearest=0)
    with pytest.raises(ValidationError, match=r"column 'loss': 1 of 3 values are not positive"):
        fit_isoflop([1e8, 2e8, 3e8], [1e10] * 3, [3, -2.9, 2.8])
    with pytest.raises(
        ValueError,
        match="only 2 compute budgets have an optimum; the power-law fits of N_opt and D_opt",
    ):
        law = ChinchillaLaw.published("besiroglu2024")
        n = np.repeat(law.compute_optimal(np.array([1e19, 1e20]))[0], 5) * np.tile(
            np.logspace(-0.5, 0.5, 5), 2
        )
        c = np.repeat([1e19, 1e20], 5)
        fit_isoflop(n, c / (6 * n), law.loss(n, c / (6 * n)), c)


def test_envelope_is_the_running_minimum():
    runs = pd.DataFrame(
        {
            "N": [1, 2, 3, 4, 5.0],
            "D": [1.0] * 5,
            "C": [1, 2, 3, 4, 5.0],
            "loss": [5, 6, 4, 4.5, 3.0],
        }
    )
    frontier = envelope(runs, n_grid=5)
    assert frontier["grid_C"].round(3).tolist() == [1, 1.495, 2.236, 3.344, 5]
    assert frontier["loss"].tolist() == [5, 5, 5, 4, 3]
    assert frontier["N"].tolist() == [1, 1, 1, 3, 5]


def test_envelope_recovers_the_frontier_of_training_curves():
    law = ChinchillaLaw.published("besiroglu2024")
    rows = []
    for n in np.logspace(8, 10.5, 14):
        for d in np.logspace(9, 12, 80):  # a training curve sampled at 80 token counts
            rows.append({"N": n, "D": d})
    curves = pd.DataFrame(rows)
    result = fit_envelope(curves["N"], curves["D"], law.loss(curves["N"], curves["D"]))
    assert result.a == pytest.approx(law.a, abs=0.05)
    assert (result.optima["grid_points"] >= 1).all()


def test_envelope_on_the_reconstructed_runs():
    runs = load("epoch2024")
    runs = runs[runs["in_default_fit"]]
    result = fit_envelope(runs["N"], runs["D"], runs["loss"])
    assert 0.45 < result.a < 0.56
    assert "a" in result.summary().as_text()
