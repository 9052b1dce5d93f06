"""Chinchilla and Kaplan laws: closed forms, published and recomputed values, Approach 3 on real data.

Targets and tolerances: shared/reference/chinchilla.md, section 8.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from conftest import BESIROGLU_SE
from lawlib import (
    ChinchillaLaw,
    FitWarning,
    KaplanLaw,
    ValidationError,
    bootstrap_parametric,
    fit_parametric,
)
from lawlib.chinchilla import hoffmann_grid, law_to_theta
from lawlib.data import load
from lawlib.optimize import SCIPY_DEFAULTS

ROUNDED, UNROUNDED, B24 = (
    ChinchillaLaw.published("hoffmann2022"),
    ChinchillaLaw.published("hoffmann2022_unrounded"),
    ChinchillaLaw.published("besiroglu2024"),
)


@pytest.fixture(scope="module")
def runs():
    frame = load("epoch2024")
    return frame[frame["in_default_fit"]]


@pytest.fixture(scope="module")
def default_fit(runs):
    return fit_parametric(runs["N"], runs["D"], runs["loss"])


@pytest.mark.parametrize(
    ("law", "G", "a"),
    [(ROUNDED, 1.344711, 14 / 31), (UNROUNDED, 1.300046, 0.456526), (B24, 0.119630, 0.512612)],
)
def test_frontier_constants(law, G, a):
    assert law.G == pytest.approx(G, abs=5e-7)  # printed to 6 decimals
    assert law.a == pytest.approx(a, abs=5e-7)
    # b against brute force: the slope of the minimising D over a decade of compute
    d_low, d_high = (_brute_force_tokens(law, budget) for budget in (1e22, 1e23))
    assert np.log10(d_high / d_low) == pytest.approx(law.b, rel=1e-5)


def _brute_force_tokens(law, C, k=6.0):
    """Tokens of the loss-minimising split of budget C, by bounded scalar search over log N."""
    search = minimize_scalar(
        lambda logn: law.loss(np.exp(logn), C / (k * np.exp(logn))),
        bounds=(np.log(1e5), np.log(1e14)),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return C / (k * np.exp(search.x))


def test_rounded_law_at_gophers_budget():
    n_opt, d_opt = ROUNDED.compute_optimal(5.76e23)
    assert n_opt == pytest.approx(3.2190e10, rel=1e-4)
    assert d_opt == pytest.approx(2.9823e12, rel=1e-4)
    assert ROUNDED.tokens_per_parameter(5.76e23) == pytest.approx(92.65, rel=1e-4)
    assert ROUNDED.optimal_loss(5.76e23) == pytest.approx(1.9307, rel=1e-4)
    K = ROUNDED.A * ROUNDED.G**-ROUNDED.alpha + ROUNDED.B * ROUNDED.G**ROUNDED.beta
    assert K == pytest.approx(813.680, rel=1e-5)
    exponent = ROUNDED.alpha * ROUNDED.beta / (ROUNDED.alpha + ROUNDED.beta)
    assert exponent == pytest.approx(0.1535484, rel=1e-6)
    assert ROUNDED.optimal_loss(1e22) == pytest.approx(
        1.69 + K * (1e22 / 6) ** -exponent, rel=1e-12
    )


def test_unrounded_and_refit_ratios():
    assert UNROUNDED.compute_optimal(5.76e23)[0] == pytest.approx(4.036e10, rel=1e-3)
    assert UNROUNDED.tokens_per_parameter(5.76e23) == pytest.approx(58.93, rel=1e-4)
    assert UNROUNDED.tokens_per_parameter(1e21) == pytest.approx(33.91, rel=1e-3)
    assert B24.compute_optimal(5.88e23)[0] == pytest.approx(7.302e10, rel=1e-3)
    assert B24.tokens_per_parameter(5.88e23) == pytest.approx(18.38, rel=1e-3)
    assert B24.tokens_per_parameter(1e21) == pytest.approx(21.59, rel=1e-3)
    assert B24.tokens_per_parameter(1e25) == pytest.approx(17.11, rel=1e-3)


def test_point_losses():
    assert ROUNDED.loss(70e9, 1.4e12) == pytest.approx(1.936645, rel=1e-6)
    assert ROUNDED.loss(280e9, 300e9) == pytest.approx(1.993258, rel=1e-6)
    assert UNROUNDED.loss(70e9, 1.4e12) == pytest.approx(1.920846, rel=1e-6)
    assert UNROUNDED.loss(280e9, 300e9) == pytest.approx(1.967243, rel=1e-6)


@pytest.mark.parametrize(
    ("law", "C", "D"), [(UNROUNDED, 2.35e19, 9.79e9), (ROUNDED, 3.47e19, 1.447e10)]
)
def test_table_a3_inversion_at_400m(law, C, D):
    budget, tokens = law.compute_for_parameters(400e6)
    assert budget == pytest.approx(C, rel=5e-3)
    assert tokens == pytest.approx(D, rel=5e-3)
    assert law.compute_optimal(budget)[0] == pytest.approx(400e6, rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    alpha=st.floats(0.15, 0.8),
    beta=st.floats(0.15, 0.8),
    log_c=st.floats(18, 26),
    log_factor=st.floats(-2.5, 2.5),
)
def test_equivalent_compute_matches_a_search_along_the_frontier(alpha, beta, log_c, log_factor):
    """C_eq in closed form against a root search of optimal_loss(C) = L(N, D)."""
    from scipy.optimize import brentq

    law = ChinchillaLaw(E=1.8, A=400.0, B=1500.0, alpha=alpha, beta=beta)
    budget = 10.0**log_c
    n_opt, _ = law.compute_optimal(budget)
    n = float(n_opt) * 10.0**log_factor  # a split off the optimum by up to 300x in N
    d = budget / (6 * n)
    closed = float(law.equivalent_compute(n, d))
    target = float(law.loss(n, d))
    searched = np.exp(
        brentq(
            lambda u: float(law.optimal_loss(np.exp(u))) - target,
            np.log(budget) - 200,
            np.log(budget) + 1,
            xtol=1e-13,
        )
    )
    assert closed == pytest.approx(searched, rel=1e-8)
    assert closed <= budget * (1 + 1e-9)
    share = float(law.useful_share(budget, d / n))
    assert share == pytest.approx(closed / budget, rel=1e-9)
    if abs(log_factor) < 1e-9:
        assert closed == pytest.approx(budget, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    E=st.floats(1.0, 2.5),
    A=st.floats(50, 5000),
    B=st.floats(50, 5000),
    alpha=st.floats(0.15, 0.8),
    beta=st.floats(0.15, 0.8),
    log_c=st.floats(18, 26),
    k=st.sampled_from([6.0, 8.0]),
)
def test_closed_form_equals_brute_force_along_the_budget(E, A, B, alpha, beta, log_c, k):
    law = ChinchillaLaw(E, A, B, alpha, beta)
    C = 10.0**log_c
    n_opt, d_opt = law.compute_optimal(C, flops_per_token=k)
    search = minimize_scalar(
        lambda logn: law.loss(np.exp(logn), C / (k * np.exp(logn))),
        bounds=(np.log(n_opt) - 8, np.log(n_opt) + 8),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert np.exp(search.x) == pytest.approx(n_opt, rel=1e-4)
    assert k * n_opt * d_opt == pytest.approx(C, rel=1e-12)
    # at the optimum the reducible terms stand in the ratio beta : alpha
    assert alpha * A * n_opt**-alpha == pytest.approx(beta * B * d_opt**-beta, rel=1e-9)


def test_vectorised_over_budgets():
    budgets = np.array([1e20, 1e22, 1e24])
    n_opt, _d_opt = B24.compute_optimal(budgets)
    assert n_opt.shape == (3,)
    np.testing.assert_allclose([B24.compute_optimal(c)[0] for c in budgets], n_opt)
    assert B24.loss(np.array([[1e9], [1e10]]), np.array([1e10, 1e11, 1e12])).shape == (2, 3)


def test_kaplan_allocation():
    kaplan = KaplanLaw.published("kaplan2020")
    n1, _ = kaplan.compute_optimal(1e21)
    n10, d10 = kaplan.compute_optimal(1e22)
    assert n10 / n1 == pytest.approx(10**0.73)
    # Hoffmann et al.'s summary of Kaplan et al.: 10x compute buys a 5.5x model and 1.8x data
    assert n10 / n1 == pytest.approx(5.5, rel=0.03)
    assert d10 / kaplan.compute_optimal(1e21)[1] == pytest.approx(1.8, rel=0.05)
    assert 6 * n10 * d10 == pytest.approx(1e22)
    assert kaplan.compute_optimal(8.64e19)[0] == pytest.approx(1.3e9)
    assert kaplan.loss_N(8.8e13) == pytest.approx(1.0)
    assert kaplan.loss(np.inf, 1.8e13) == pytest.approx(1.0)


def test_default_fit_reproduces_besiroglu_et_al(default_fit, runs):
    fit, params = default_fit, default_fit.params
    assert fit.n_obs == 240 and fit.converged
    assert list(params.index) == ["E", "A", "B", "alpha", "beta"]
    assert float(fit.objective) == pytest.approx(1.018274e-3, rel=1e-4)
    assert fit.engine.startswith("variable projection")
    # the published recipe, by name: 4,500 starts reach the same optimum
    recipe = fit_parametric(runs["N"], runs["D"], runs["loss"], engine="batched")
    assert recipe.n_starts == 4500 and "4500" in str(recipe.summary())
    assert fit.objective == pytest.approx(recipe.objective, rel=1e-9)
    assert params["E"] == pytest.approx(1.8172, abs=2e-4)
    assert params["A"] == pytest.approx(477.8, rel=0.01)
    assert params["B"] == pytest.approx(2143, rel=0.01)
    assert params["alpha"] == pytest.approx(0.3473, abs=2e-3)
    assert params["beta"] == pytest.approx(0.3672, abs=2e-3)
    assert fit.derived["a"] == pytest.approx(params["beta"] / (params["alpha"] + params["beta"]))


def test_reference_objective_values(runs):
    from lawlib.objectives import huber_log_objective

    logx = np.log(runs[["N", "D"]].to_numpy())
    logy = np.log(runs["loss"].to_numpy())
    for law, value in [(ROUNDED, 4.1210e-3), (UNROUNDED, 1.2312e-3)]:
        objective, _ = huber_log_objective(law_to_theta(law)[None], logx, logy, 1e-3)
        assert objective[0] == pytest.approx(value, rel=1e-3)


def test_averaged_objective_stalls_near_hoffmanns_values(runs):
    start = law_to_theta(UNROUNDED)
    stalled = fit_parametric(
        runs["N"],
        runs["D"],
        runs["loss"],
        reduction="mean",
        starts=start,
        engine="scipy",
        options=SCIPY_DEFAULTS,
    )
    assert stalled.params["A"] == pytest.approx(406.4, rel=0.01)
    assert stalled.params["B"] == pytest.approx(410.7, rel=0.01)
    assert stalled.params["E"] == pytest.approx(1.69, abs=0.01)
    assert stalled.params["alpha"] == pytest.approx(0.339, abs=0.01)
    assert stalled.params["beta"] == pytest.approx(0.285, abs=0.01)
    summed = fit_parametric(
        runs["N"],
        runs["D"],
        runs["loss"],
        reduction="sum",
        starts=start,
        engine="scipy",
        options=SCIPY_DEFAULTS,
    )
    assert float(summed.objective) == pytest.approx(
        1.1633e-3, rel=1e-3
    )  # stalls too, from one start
    tight = fit_parametric(runs["N"], runs["D"], runs["loss"], reduction="mean", starts=start)
    assert float(tight.objective) * 240 == pytest.approx(1.018274e-3, rel=1e-4)


def test_engines_agree_on_a_subset_of_the_grid(runs):
    grid = hoffmann_grid()[::25]
    batched = fit_parametric(runs["N"], runs["D"], runs["loss"], starts=grid)
    scipy = fit_parametric(runs["N"], runs["D"], runs["loss"], starts=grid, engine="scipy")
    assert float(batched.objective) == pytest.approx(float(scipy.objective), rel=1e-6)
    np.testing.assert_allclose(batched.params, scipy.params, rtol=1e-3)


def test_parameter_recovery_and_bootstrap_coverage():
    truth = ChinchillaLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)
    rng = np.random.default_rng(7)
    N = np.exp(rng.uniform(np.log(5e7), np.log(1.6e10), 200))
    D = np.exp(rng.uniform(np.log(3e8), np.log(3e11), 200))
    loss = truth.loss(N, D) * np.exp(rng.normal(0, 0.005, 200))
    fit = fit_parametric(N, D, loss)
    assert fit.params["E"] == pytest.approx(1.8, abs=0.03)
    assert fit.params["alpha"] == pytest.approx(0.35, abs=0.02)
    assert fit.params["beta"] == pytest.approx(0.37, abs=0.02)
    boot = bootstrap_parametric(N, D, loss, n_resamples=300, seed=1, fit=fit)
    assert boot.n_failed <= 3
    interval = boot.interval(0.95)
    for name, value in {"E": 1.8, "alpha": 0.35, "beta": 0.37, "a": truth.a}.items():
        assert interval.loc[name, "low"] <= value <= interval.loc[name, "high"], name
    assert set(interval.index) >= {"E", "A", "B", "alpha", "beta", "a", "b", "tokens_per_parameter"}


def test_bootstrap_reproduces_besiroglu_standard_errors(runs, default_fit):
    boot = bootstrap_parametric(
        runs["N"],
        runs["D"],
        runs["loss"],
        n_resamples=4000,
        seed=42,
        sampler="legacy",
        fit=default_fit,
    )
    se = boot.se()
    for name, published in BESIROGLU_SE.items():
        assert se[name] == pytest.approx(published, rel=0.05), name
    interval = boot.interval(0.95)
    assert interval.loc["alpha", "low"] == pytest.approx(0.317, abs=0.002)
    assert interval.loc["beta", "high"] == pytest.approx(0.415, abs=0.002)
    assert se["a"] == pytest.approx(0.0200, rel=0.05)
    width = boot.interval(0.8).loc["a"]
    assert width["high"] - width["low"] == pytest.approx(0.0514, rel=0.03)


BAD = [
    (
        {"N": [1e8, np.nan] + [1e9] * 8},
        r"column 'N': 1 values are missing or infinite, in rows 1$",
    ),
    (
        {"D": [1e9, 1e10, -1] + [1e10] * 7},
        r"column 'D': 1 of 10 values are not positive \(first -1\), in rows 2$",
    ),
    (
        {"loss": [3.0, 0.0] + [2.5] * 8},
        r"column 'loss': 1 of 10 values are not positive \(first 0\), in rows 1$",
    ),
    ({"loss": [3.0] * 9}, r"columns have different lengths: N has 10, D has 10, loss has 9 rows"),
    (
        {"N": [1e8] * 5, "D": [1e9] * 5, "loss": [3.0] * 5},
        r"5 rows are too few for the Chinchilla law with 5 parameters",
    ),
]


@pytest.mark.parametrize(("override", "message"), BAD)
def test_bad_input_is_named_before_fitting(override, message):
    columns = {"N": [1e8] * 10, "D": [1e10] * 10, "loss": [2.5] * 10, **override}
    with pytest.raises(ValidationError, match=message):
        fit_parametric(columns["N"], columns["D"], columns["loss"])
    with pytest.raises(ValidationError, match=message):
        bootstrap_parametric(columns["N"], columns["D"], columns["loss"], n_resamples=5)


GRID_N = np.repeat([4e7, 1e8, 3e8, 1e9], 3)
GRID_D = np.tile([1e9, 4e9, 2e10], 4)
TRUE = ChinchillaLaw.published("besiroglu2024")


def test_runs_at_one_compute_budget_are_refused():
    # the case: six runs on one IsoFLOP profile gave alpha = 38.8 and exit 0
    N = np.geomspace(1e8, 3e9, 6)
    D = 1e21 / (6 * N)
    with pytest.raises(ValidationError, match=r"all 6 runs share one compute budget"):
        fit_parametric(N, D, TRUE.loss(N, D))


def test_a_constant_model_size_is_refused():
    N, D = np.full(12, 1e9), GRID_D
    with pytest.raises(ValidationError, match=r"column 'N' holds one value \(1e\+09\) in all 12"):
        fit_parametric(N, D, TRUE.loss(N, D))


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        (lambda N, D, L: (np.r_[N, N], np.r_[D, D], np.r_[L, L]), "12 runs repeat another run"),
        (lambda N, D, L: (N, D / 1e9, L), "D looks like it is given in billions"),
        (lambda N, D, L: (N, D, np.exp(L) * 3), "looks like perplexity"),
    ],
)
def test_suspicious_runs_warn_and_leave_a_note(change, warning):
    N, D, loss = change(GRID_N, GRID_D, TRUE.loss(GRID_N, GRID_D))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_parametric(N, D, loss, starts=hoffmann_grid()[::50])
    assert any(w.category is FitWarning and warning in str(w.message) for w in caught)
    assert any(warning in note for note in fit.notes)


def test_ties_at_different_parameters_warn():
    # with N = D for every run, swapping (A, alpha) with (B, beta) gives the same predictions
    N = np.logspace(5, 13, 40)
    loss = ChinchillaLaw(1.7, 40.0, 300.0, 0.2, 0.5).loss(N, N)
    loss = loss * np.exp(np.random.default_rng(0).normal(0, 0.002, N.size))
    e, a, b = np.log([1.7, 40.0, 300.0])
    starts = np.array([[e, a, 0.2, b, 0.5], [e, b, 0.5, a, 0.2]])
    with pytest.warns(FitWarning, match="1 other starts reach the best objective"):
        fit = fit_parametric(N, N, loss, starts=starts)
    assert any("not well identified" in note for note in fit.notes)


def test_no_warning_on_the_real_fit(runs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_parametric(runs["N"], runs["D"], runs["loss"], starts=hoffmann_grid()[::50])


def test_summary_frame_has_derived_quantities(default_fit):
    frame = default_fit.to_frame()["estimate"]
    assert {"E", "A", "B", "alpha", "beta", "a", "b", "tokens_per_parameter"} <= set(frame.index)
    assert frame["a"] == pytest.approx(frame["beta"] / (frame["alpha"] + frame["beta"]), rel=1e-12)
    n_opt, d_opt = ChinchillaLaw(*frame[["E", "A", "B", "alpha", "beta"]]).compute_optimal(5.76e23)
    assert frame["tokens_per_parameter"] == pytest.approx(d_opt / n_opt, rel=1e-12)


def test_best_fit_on_a_bound_warns(runs):
    bounds = [
        (None, None),
        (None, None),
        (0.0, 0.3),
        (None, None),
        (0.0, None),
    ]  # alpha at most 0.3
    with pytest.warns(FitWarning, match="the best fit sits on a bound for alpha"):
        fit = fit_parametric(
            runs["N"], runs["D"], runs["loss"], starts=hoffmann_grid()[::300], bounds=bounds
        )
    assert fit.params["alpha"] == pytest.approx(0.3)
    assert any("sits on a bound" in note for note in fit.notes)


def test_laws_share_verbs_and_refuse_bad_inputs():
    law = ChinchillaLaw.published("hoffmann2022")
    assert law == ChinchillaLaw.published("hoffmann2022")
    assert ChinchillaLaw.from_params(law.params) == law
    assert law(70e9, 1.4e12) == law.loss(70e9, 1.4e12)
    assert law(np.inf, np.inf) == pytest.approx(law.E)  # the limits are allowed
    assert set(ChinchillaLaw.PUBLISHED) == {
        "hoffmann2022",
        "hoffmann2022_unrounded",
        "besiroglu2024",
    }
    for budget in (-1e24, 0.0, np.nan, np.inf):
        with pytest.raises(ValidationError, match=r"^C: must be finite and positive \[FLOPs\]"):
            law.compute_optimal(budget)
    with pytest.raises(ValidationError, match=r"^N: must be positive \[parameters\]; got -1"):
        law(-1.0, 1e9)
    with pytest.raises(ValidationError, match="choose one of hoffmann2022, hoffmann2022_unrounded"):
        ChinchillaLaw.published("chinchilla")
    unrounded = ChinchillaLaw.from_logs(
        log_E=0.5267228, log_A=6.0073404, log_B=6.0179186, alpha=0.33917084, beta=0.2849083
    )
    assert unrounded == ChinchillaLaw.published("hoffmann2022_unrounded")
    kaplan = KaplanLaw.published("kaplan2020")
    assert KaplanLaw.from_params(kaplan.params) == kaplan
    with pytest.raises(ValidationError, match="C: must be finite and positive"):
        kaplan.compute_optimal(-1.0)
    with pytest.raises(ValidationError, match="N: must be positive"):
        kaplan.loss_N(-1.0)


def test_data_frame_in_gives_the_same_fit():
    runs = load("epoch2024")
    runs = runs[runs["in_default_fit"]].rename(columns={"N": "params", "loss": "final loss"})
    fit = fit_parametric("params", "D", "final loss", data=runs, starts=hoffmann_grid()[::25])
    arrays = fit_parametric(
        runs["params"], runs["D"], runs["final loss"], starts=hoffmann_grid()[::25]
    )
    assert fit.params.equals(arrays.params)
    np.testing.assert_allclose(fit.predict(runs), fit.law(runs["params"], runs["D"]), rtol=1e-14)
    assert fit.inputs == ("params", "D") and fit.observed == "final loss"


def test_equal_exponents_recover_a_tied_law_and_never_beat_the_free_fit():
    truth = ChinchillaLaw(E=1.7, A=140.0, B=240.0, alpha=0.26, beta=0.26)
    rng = np.random.default_rng(3)
    N = np.repeat(np.logspace(7, 9, 5), 6)
    D = N * np.tile(20 * np.logspace(-0.6, 1.5, 6), 5)
    loss = truth.loss(N, D)
    tied = fit_parametric(N, D, loss, equal_exponents=True)
    assert tied.model == "L = E + A / N^alpha + B / D^alpha"
    assert tied.law.alpha == tied.law.beta
    for name in ("E", "A", "B", "alpha"):
        assert tied.params[name] == pytest.approx(truth.params[name], rel=1e-4), name
    noisy = loss * np.exp(0.01 * rng.standard_normal(loss.size))
    tied = fit_parametric(N, D, noisy, equal_exponents=True)
    free = fit_parametric(N, D, noisy)
    assert free.objective <= tied.objective * (1 + 1e-9)  # a nested model cannot fit better
    with pytest.raises(ValidationError, match="starts must have 4 columns"):
        fit_parametric(N, D, loss, equal_exponents=True, starts=[[0, 5, 0.3, 5, 0.3]])
