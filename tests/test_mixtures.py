"""Data-mixture laws: BiMix values and fit, the Lagrange optimum, Ye et al.'s law, held-out errors.

Targets: shared/reference/mixtures.md, section 9.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

import lawlib
import lawlib.book.explorers
from lawlib import FitWarning, ValidationError
from lawlib.data import load
from lawlib.mixtures import (
    BiMixLaw,
    MixingLaw,
    fit_bimix,
    fit_mixing_law,
    mixture_domains,
    optimize_mixture,
    relative_errors,
    split_runs,
)

DOMAINS = ["academic", "prose", "dialogue", "symbolic", "internet"]
TABLE_160M = pd.DataFrame(
    {  # reference sheet 1.4
        "alpha": [0.0541, 0.0056, 0.0257, 0.0817, 0.0413],
        "B": [446.7, 136.9, 968.2, 897.6, 313.4],
        "beta": [0.746, 0.583, 0.840, 0.873, 0.689],
        "C": [2.079, 2.984, 2.550, 1.139, 2.850],
    },
    index=pd.Index(DOMAINS, name="domain"),
)


@pytest.fixture(scope="module")
def runs():
    return load("mixinglaws_5mix")


def _quiet_fit(frame, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        return fit_bimix(frame, **kwargs)


def test_bimix_formula_and_redundancy():
    law = BiMixLaw(TABLE_160M.loc[["academic"]])
    assert law.loss({"academic": 0.25}, 3e4)["academic"].item() == pytest.approx(
        2.461035532, rel=1e-9
    )
    assert law.loss({"academic": 1.0}, 3e4)["academic"].item() == pytest.approx(
        2.283213052, rel=1e-9
    )
    assert law.loss({"academic": 0.25}, 1e9)["academic"].item() == pytest.approx(
        2.241010867, rel=1e-9
    )
    assert np.isinf(law.loss({"academic": 0.0}, 3e4)["academic"].item())
    with pytest.raises(ValueError, match="proportions must be finite and >= 0"):
        law.loss({"academic": -0.1}, 3e4)
    A, B, C, c = 2.0, 100.0, 1.5, 7.3
    for scale in (1.0, c):
        value = (A * scale) * 0.3**-0.05 * (B / scale * 1e4**-0.7 + C / scale)
        assert value == pytest.approx(A * 0.3**-0.05 * (B * 1e4**-0.7 + C), rel=1e-12)


@pytest.mark.parametrize(
    ("steps", "expected", "total"),
    [
        (1e4, (0.2797, 0.0392, 0.1522, 0.2481, 0.2808), 14.71469),
        (3e4, (0.2790, 0.0399, 0.1545, 0.2417, 0.2849), 13.35522),
        (1e7, (0.2773, 0.0392, 0.1579, 0.2403, 0.2852), 12.24365),
    ],
)
def test_optimum_of_the_published_coefficients(steps, expected, total):
    found = optimize_mixture(BiMixLaw(TABLE_160M), steps)
    np.testing.assert_allclose(found.proportions.to_numpy(), expected, atol=1e-4)
    assert found.objective == pytest.approx(total, rel=1e-4)


def test_common_alpha_toy():
    law = BiMixLaw(
        pd.DataFrame(
            {"alpha": [0.05] * 3, "B": [0.0] * 3, "beta": [1.0] * 3, "C": [1.0, 2.0, 3.0]},
            index=["a", "b", "c"],
        )
    )
    np.testing.assert_allclose(
        optimize_mixture(law, 1e4).proportions.to_numpy(), [0.172946, 0.334661, 0.492393], atol=1e-6
    )


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 6), steps=st.floats(1e3, 1e7))
def test_lagrange_solution_equals_a_general_optimiser(seed, m, steps):
    rng = np.random.default_rng(seed)
    law = BiMixLaw(
        pd.DataFrame(
            {
                "alpha": rng.uniform(0.01, 0.5, m),
                "B": rng.uniform(10, 1000, m),
                "beta": rng.uniform(0.2, 1.0, m),
                "C": rng.uniform(1, 4, m),
            },
            index=[f"d{i}" for i in range(m)],
        )
    )
    weights = rng.uniform(0.2, 2.0, m)
    optimum = optimize_mixture(law, steps, weights=weights).proportions.to_numpy()
    assert (optimum > 0).all()
    # Lagrange: w_i alpha_i K_i(s) r_i^-(1 + alpha_i), minus the slope of each weighted loss, is one lam for all i
    coefficients = law.coefficients
    slopes = (
        weights * coefficients["alpha"] * law.scale(steps) * optimum ** -(1 + coefficients["alpha"])
    )
    np.testing.assert_allclose(slopes, slopes.mean(), rtol=1e-9)

    def objective(r):
        return float(np.sum(weights * law.loss(np.clip(r, 1e-12, None), steps).to_numpy()[0]))

    general = minimize(
        objective,
        np.full(m, 1 / m),
        method="SLSQP",
        bounds=[(1e-9, 1)] * m,
        constraints=[{"type": "eq", "fun": lambda r: r.sum() - 1}],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    np.testing.assert_allclose(optimum, general.x, atol=1e-6)
    assert objective(optimum) <= objective(general.x) + 1e-12


def test_synthetic_recovery_of_bimix_coefficients():
    truth = TABLE_160M.loc[["academic", "symbolic"]]
    law = BiMixLaw(truth)
    rng = np.random.default_rng(3)
    proportions = rng.dirichlet([1, 1], size=20)
    rows = []
    for run, r in enumerate(proportions):
        for step in np.geomspace(3e3, 3e4, 10):
            loss = law.loss(r, step).to_numpy()[0] * np.exp(rng.normal(0, 0.002, 2))
            rows.append(
                {
                    "run_id": f"r{run}",
                    "p_academic": r[0],
                    "p_symbolic": r[1],
                    "step": step,
                    "loss_academic": loss[0],
                    "loss_symbolic": loss[1],
                }
            )
    fit = fit_bimix(pd.DataFrame(rows))
    assert fit.converged
    np.testing.assert_allclose(fit.coefficients["alpha"], truth["alpha"], atol=0.005)
    np.testing.assert_allclose(fit.coefficients["beta"], truth["beta"], rtol=0.05)
    np.testing.assert_allclose(fit.coefficients["C"], truth["C"], rtol=0.03)


def test_the_mixture_axis_alone_recovers_a_known_law_at_one_step():
    truth = TABLE_160M.loc[["academic", "symbolic"]]
    step = 3e4
    scale = BiMixLaw(truth).scale(step)  # K_i at that step
    rng = np.random.default_rng(5)
    r = rng.dirichlet([1, 1], size=40)
    loss = scale * r ** -truth["alpha"].to_numpy() * np.exp(rng.normal(0, 0.002, r.shape))
    frame = pd.DataFrame(
        {
            "run_id": [f"r{k}" for k in range(len(r))],
            "p_academic": r[:, 0],
            "p_symbolic": r[:, 1],
            "step": step,
            "loss_academic": loss[:, 0],
            "loss_symbolic": loss[:, 1],
        }
    )
    fit = fit_bimix(frame, axes="mixture")
    assert fit.converged
    np.testing.assert_allclose(fit.coefficients["alpha"], truth["alpha"], atol=0.003)
    np.testing.assert_allclose(fit.coefficients["C"], scale, rtol=0.005)  # C_i is K_i
    assert (fit.coefficients[["B", "beta"]] == 0).all().all()
    assert set(fit.fixed) == {f"{p}[{d}]" for d in truth.index for p in ("B", "beta")}
    assert any("says nothing about other steps" in note for note in fit.notes)
    np.testing.assert_allclose(fit.law.loss(r, step).to_numpy(), loss, rtol=0.01)
    with pytest.raises(ValidationError, match="axes='mixture'"):
        fit_bimix(frame)  # one step, both axes: the message names the way out
    two_steps = pd.concat([frame, frame.assign(step=2 * step)])
    with pytest.raises(ValidationError, match="fits runs at one step; these are at 2 steps"):
        fit_bimix(two_steps, axes="mixture")
    with pytest.raises(ValidationError, match="axes must be 'both' or 'mixture'"):
        fit_bimix(frame, axes="steps")


def test_fit_on_ye_runs_reproduces_reference_coefficients(runs):
    subset = runs[(runs["model"] == "160M") & (runs["step"] <= 20000)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_bimix(subset)
    messages = [str(w.message) for w in caught if issubclass(w.category, FitWarning)]
    assert len(messages) == 5 and messages[0].startswith(
        "domain 'academic': 43 of 229 rows (runs x steps) have p_academic = 0"
    )
    table = fit.coefficients
    np.testing.assert_allclose(table["alpha"], TABLE_160M["alpha"], rtol=0.01, atol=1e-4)
    np.testing.assert_allclose(table["B"], TABLE_160M["B"], rtol=0.01)
    np.testing.assert_allclose(table["beta"], TABLE_160M["beta"], rtol=0.01)
    np.testing.assert_allclose(table["C"], TABLE_160M["C"], rtol=0.01)
    assert table["n_points"].tolist() == [186, 159, 168, 181, 219]
    later = runs[(runs["model"] == "160M") & (runs["step"] > 20000) & (runs["step"] <= 30000)]
    errors = relative_errors(fit.predict(later, later["step"].to_numpy()), later, DOMAINS, later)
    np.testing.assert_allclose(
        errors, [0.0078, 0.0127, 0.0137, 0.0156, 0.0055], atol=0.001
    )  # reference 1.4


def _mixture_split(runs, model):
    kept, held = split_runs(runs[runs["model"] == model], 4, run_column="run_id")
    return kept[kept["step"] <= 30000], held[held["step"] == 30000]


def test_split_runs_holds_out_every_kth_mixture_in_natural_order(runs):
    group = runs[runs["model"] == "160M"]
    kept, held = split_runs(group, 4, run_column="run_id")
    ids = sorted(group["run_id"].unique(), key=lambda run: int(run.split("_")[-1]))
    assert sorted(held["run_id"].unique()) == sorted(ids[3::4])  # 160M_9 before 160M_10
    assert len(kept) + len(held) == len(group) and not set(kept["run_id"]) & set(held["run_id"])
    first_seen = split_runs(group, 4, run_column="run_id", order="appearance")[1]
    assert set(first_seen["run_id"]) == set(list(dict.fromkeys(group["run_id"]))[3::4])
    for every, message in ((1, "from 2 to half"), (100, "from 2 to half")):
        with pytest.raises(ValidationError, match=message):
            split_runs(group, every, run_column="run_id")
    with pytest.raises(ValidationError, match="no run column 'run'"):
        split_runs(group, 4)


def test_the_exponential_laws_optimum_beats_every_random_mixture(runs):
    at_step = runs[(runs["model"] == "160M") & (runs["step"] == 30000)]
    law = fit_mixing_law(at_step).law
    found = optimize_mixture(law)
    assert found.proportions.sum() == pytest.approx(1.0, abs=1e-12) and found.steps is None
    assert found.objective == pytest.approx(float(law.loss(found.proportions).to_numpy().sum()))
    random = np.random.default_rng(0).dirichlet(np.ones(5), 20000)
    assert found.objective <= law.loss(random).to_numpy().sum(axis=1).min() + 1e-9
    weighted = optimize_mixture(law, weights=[0, 0, 0, 1, 0])  # the symbolic loss alone
    assert weighted.proportions["symbolic"] > found.proportions["symbolic"]
    with pytest.raises(ValidationError, match="has no step"):
        optimize_mixture(law, 30000)


def test_held_out_metrics_against_their_definitions():
    from lawlib.metrics import held_out_metrics

    rng = np.random.default_rng(1)
    observed = rng.uniform(2, 4, (12, 3))
    predicted = observed * (1 + rng.normal(0, 0.01, observed.shape))
    metrics = held_out_metrics(observed, predicted)
    y, p = observed.ravel(), predicted.ravel()
    assert metrics["R², losses pooled"] == pytest.approx(np.corrcoef(y, p)[0, 1] ** 2, abs=5e-3)
    assert metrics["mean abs. % error"] == pytest.approx(100 * np.mean(np.abs(p / y - 1)))
    assert metrics["R² per domain, worst"] <= metrics["R² per domain, mean"] <= 1
    with pytest.raises(ValidationError, match="share one"):
        held_out_metrics(observed, predicted[:, :2])


def test_bimix_and_exponential_law_on_held_out_mixtures(runs):
    train, test = _mixture_split(runs, "160M")
    bimix = _quiet_fit(train)
    bimix_error = relative_errors(bimix.predict(test, 30000), test, DOMAINS, test).mean()
    exponential = fit_mixing_law(train[train["step"] == 30000])
    exponential_error = relative_errors(exponential.law.loss(test), test, DOMAINS, test).mean()
    assert len(test) == 6
    assert bimix_error < 0.008  # measured 0.70% (chapter "BiMix")
    assert exponential_error < 0.015  # measured 1.31%
    assert exponential.converged


def test_ye_law_with_published_coefficients():
    coefficients = np.array(
        [  # reference sheet 2: [log c, log k, t_academic ... t_internet], 70M at 30k steps
            [0.9750, -2.1391, -10.0864, 2.7140, 2.7106, 2.6083, 1.5866],
            [1.2624, -2.1656, 1.3930, -4.6811, 0.7855, 1.8719, 0.5734],
            [1.1375, -7.1017, 6.7135, 6.2643, -31.8621, 6.6423, 6.2053],
            [0.4750, -3.6546, 3.3289, 3.6705, 3.1127, -16.4217, 3.1591],
            [1.2402, -1.9510, 1.1897, 0.8697, -0.5184, 1.7122, -3.0870],
        ]
    )
    law = MixingLaw(
        c=pd.Series(np.exp(coefficients[:, 0]), index=DOMAINS),
        k=pd.Series(np.exp(coefficients[:, 1]), index=DOMAINS),
        t=pd.DataFrame(coefficients[:, 2:], index=DOMAINS, columns=DOMAINS),
    )
    np.testing.assert_allclose(
        law.loss(np.full(5, 0.2)).to_numpy()[0],
        [2.75843, 3.64727, 3.11921, 1.62179, 3.60324],
        atol=1e-5,
    )
    np.testing.assert_allclose(
        law.loss([0.25, 0.09375, 0.03125, 0.25, 0.375]).to_numpy()[0],
        [2.69738, 3.74643, 3.27712, 1.61300, 3.55479],
        atol=1e-5,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"p_prose": -0.1},
            r"column 'p_prose': 1 proportions are negative, in runs x0$",
        ),
        (
            {"p_prose": 0.5},
            r"1 runs do not sum to 1 \(tolerance 0.001; first sums to 0.7\), in runs x0$",
        ),
        ({"step": 0}, r"column 'step': 1 of 6 values are not positive \(first 0\), in runs x0$"),
        (
            {"p_prose": "lots"},
            r"column 'p_prose': 1 values are not numbers \(first 'lots'\), in runs x0",
        ),
        (
            {"loss_academic": -2.0},
            r"column 'loss_academic': 1 of 6 values are not positive \(first -2\), in runs x0$",
        ),
    ],
)
def test_bad_input_names_the_run_and_column(change, message):
    frame = pd.DataFrame(
        {
            "run_id": [f"x{i}" for i in range(6)],
            "p_academic": [0.2] * 6,
            "p_prose": [0.8] * 6,
            "step": [1e3, 2e3, 3e3, 4e3, 5e3, 6e3],
            "loss_academic": [3.0] * 6,
            "loss_prose": [3.0] * 6,
        }
    )
    for column, value in change.items():
        frame[column] = frame[column].astype(object)  # text in a number column, as read from CSV
        frame.loc[0, column] = value
    with pytest.raises(ValidationError, match=message):
        fit_bimix(frame)


def test_unknown_domain_is_named():
    frame = pd.DataFrame({"p_a": [1.0], "loss_a": [2.0], "step": [1.0]})
    with pytest.raises(ValidationError, match="missing columns p_b, loss_b; the file has p_a"):
        fit_bimix(frame, domains=["a", "b"])
    assert mixture_domains(frame) == ["a"]


RELEASE = load("bimix2024")
SLIMPAJAMA = RELEASE[(RELEASE["dataset"] == "slimpajama")]
ENTROPY_MIXTURES = ["SE", "JE", "CE", "VNE"]


def test_the_fit_does_not_depend_on_the_unit_of_steps():
    train = SLIMPAJAMA[SLIMPAJAMA["mixture"].isin(ENTROPY_MIXTURES)]
    in_steps = fit_bimix(train)
    in_micro = fit_bimix(train.assign(step=train["step"] * 1e6))
    probe = dict.fromkeys(in_steps.law.domains, 1 / 7)
    np.testing.assert_allclose(
        in_steps.predict(probe, 2e5).to_numpy(), in_micro.predict(probe, 2e11).to_numpy(), rtol=1e-7
    )
    np.testing.assert_allclose(
        in_steps.law.coefficients["beta"], in_micro.law.coefficients["beta"], rtol=1e-6
    )


def test_long_and_wide_forms_give_the_same_fit():
    from lawlib.mixtures import long_to_wide

    train = SLIMPAJAMA[SLIMPAJAMA["mixture"].isin(ENTROPY_MIXTURES)]
    wide = long_to_wide(train)
    assert len(wide) == 4 * 20 and {"p_ArXiv", "loss_ArXiv"} <= set(wide.columns)
    assert "p_avg" not in wide  # the release's average has no proportion: not a domain
    assert fit_bimix(train).params.equals(fit_bimix(wide, run_column="mixture").params)


def test_missing_losses_are_left_out_with_a_note_and_subsets_fit():
    train = SLIMPAJAMA[SLIMPAJAMA["mixture"].isin(ENTROPY_MIXTURES)].copy()
    hole = (train["domain"] == "Github") & (train["step"].isin([50000, 60000, 70000]))
    train.loc[hole, "loss"] = np.nan
    fit = fit_bimix(train)
    assert "domain 'Github': 12 missing (NaN) losses left out of its fit" in fit.notes
    assert fit.coefficients.loc["Github", "n_points"] == 80 - 12
    subset = fit_bimix(train, domains=["ArXiv", "Book"])  # proportions still sum to 1 over all 7
    assert subset.law.domains == ["ArXiv", "Book"]
    np.testing.assert_allclose(
        subset.law.coefficients.loc["ArXiv"], fit.law.coefficients.loc["ArXiv"], rtol=1e-9
    )


def test_an_exponent_on_its_bound_is_a_warning_and_a_note():
    steps = np.tile([1e3, 2e3, 4e3, 8e3, 16e3], 4)
    share = np.repeat([0.1, 0.3, 0.5, 0.7], 5)
    frame = pd.DataFrame(
        {"p_a": share, "p_b": 1 - share, "step": steps, "run_id": np.repeat(list("wxyz"), 5)}
    )
    frame["loss_a"] = 2.0 + 30 * steps**-0.5  # does not depend on the share: alpha = 0
    frame["loss_b"] = (1 - share) ** -0.1 * (2.0 + 30 * steps**-0.5)
    with pytest.warns(FitWarning, match=r"domain 'a': alpha = .* sits on its bound \(0.0, 5.0\)"):
        fit = fit_bimix(frame)
    assert any("sits on its bound" in note for note in fit.notes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: pd.concat([f, f.iloc[:1]]),
            "column 'loss': 1 rows repeat|2 rows repeat a \\(mixture, step, domain\\); first mixture 'SE'",
        ),
        (
            lambda f: f.assign(proportion=f["proportion"].where(f["step"] != 20000, 0.5)),
            "column 'proportion': mixture 'CE' gives domain 'ArXiv' 2 proportions",
        ),
        (lambda f: f.drop(columns="step"), "missing columns step; the file has dataset, mixture"),
    ],
)
def test_long_form_input_errors_name_the_column_domain_and_mixture(change, message):
    train = SLIMPAJAMA[SLIMPAJAMA["mixture"].isin(ENTROPY_MIXTURES)]
    with pytest.raises(ValidationError, match=message):
        fit_bimix(change(train))


def test_the_mixing_law_reports_a_fixed_gauge():
    runs = load("mixinglaws_5mix")
    runs = runs[(runs["model"] == "160M") & (runs["step"] == 30000)]
    fit = fit_mixing_law(runs, n_random=1)
    np.testing.assert_allclose(fit.law.t.sum(axis=1), 0.0, atol=1e-12)  # rows centered
    shifted = type(fit.law)(c=fit.law.c, k=fit.law.k * np.exp(-0.7), t=fit.law.t + 0.7)
    np.testing.assert_allclose(
        shifted.loss(runs).to_numpy(), fit.law.loss(runs).to_numpy(), rtol=1e-12
    )
    assert "each row of t centered" in fit.summary().as_text()


def test_mixing_law_jacobian_takes_scipys_two_point_path_exactly():
    # fit_mixing_law's own forward differences must leave the fits unchanged, bit for bit
    from scipy.optimize import least_squares

    from lawlib.mixtures.mixing_law import _forward_difference

    rng = np.random.default_rng(0)
    rows = rng.dirichlet(np.ones(4), size=40)
    y = 1.2 + 0.8 * np.exp(rows @ np.array([-1.0, 0.3, 0.5, 0.2])) + 0.01 * rng.normal(size=40)

    def residual(theta):
        return np.exp(theta[0]) + np.exp(theta[1] + rows @ theta[2:]) - y

    start = np.array([0.1, -0.5, 0.0, 0.1, -0.2, 0.3])
    ours = least_squares(
        residual, start, jac=lambda t: _forward_difference(t, y, rows), loss="huber", f_scale=0.05
    )
    scipys = least_squares(residual, start, loss="huber", f_scale=0.05)
    np.testing.assert_array_equal(ours.x, scipys.x)
    assert ours.njev == scipys.njev


def test_vary_share_keeps_the_other_domains_in_ratio_and_sums_to_one():
    base = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    moved = lawlib.mixtures.vary_share(base, "b", [0.0, 0.65, 1.0])
    assert list(moved.columns) == ["a", "b", "c"]
    np.testing.assert_allclose(moved.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose((moved["a"] / moved["c"])[:2], 2.5, rtol=1e-12)
    np.testing.assert_allclose(moved.loc[1], [0.25, 0.65, 0.1], rtol=1e-12)


@pytest.mark.parametrize(
    ("base", "domain", "shares", "message"),
    [
        ({"a": 0.5, "b": 0.5}, "z", [0.1], "'z' is not a domain of the mixture (a, b)"),
        ({"a": 1.0, "b": 0.0}, "a", [0.1], "gives a everything"),
        ({"a": 0.5, "b": 0.6}, "a", [0.1], "sum to 1, sums to 1.1"),
        ({"a": 0.5, "b": 0.5}, "a", [1.5], "shares must be a sequence of numbers in [0, 1]"),
    ],
)
def test_vary_share_names_what_is_wrong(base, domain, shares, message):
    with pytest.raises(lawlib.ValidationError, match=re.escape(message)):
        lawlib.mixtures.vary_share(pd.Series(base), domain, shares)


def test_the_mixture_explorers_claims_hold():
    """The mixture explorer's takeaways: how far the two laws part inside the trained shares."""
    from lawlib.book.explorers import MIXTURE_STEP, mixture_base, mixture_data, mixture_laws

    bimix, mixing = mixture_laws()
    base = mixture_base()
    trained = mixture_data()["trained"]
    gaps = {}
    for domain in base.index:
        path = lawlib.mixtures.vary_share(base, domain, np.linspace(*trained[domain], 50))
        gap = (bimix.law.loss(path, MIXTURE_STEP)[domain] - mixing.law.loss(path)[domain]).abs()
        gaps[domain] = (gap.max(), gap.mean())
    assert max(gaps, key=lambda d: gaps[d][0]) == "academic"
    assert round(gaps["academic"][0], 2) == 0.08
    assert 0.01 <= min(m for _, m in gaps.values()) and max(m for _, m in gaps.values()) <= 0.035
    runs = lawlib.book.explorers.mixture_runs()
    last = runs[runs["step"] == MIXTURE_STEP]
    for law in (bimix.law.loss(last, MIXTURE_STEP), mixing.law.loss(last)):
        errors = [
            np.abs(law[d].to_numpy() - last[f"loss_{d}"].to_numpy())[last[f"p_{d}"] > 0]
            for d in base.index
        ]
        assert round(float(np.concatenate(errors).mean()), 2) == 0.02
    # the exercise: doubling the academic share lowers its BiMix loss by 2**-alpha
    assert round(1 - 2 ** -bimix.coefficients.at["academic", "alpha"], 3) == 0.037
    # and one run at 1% internet would separate the laws by about 0.21 nats
    one = lawlib.mixtures.vary_share(base, "internet", [0.01])
    gap = bimix.law.loss(one, MIXTURE_STEP)["internet"] - mixing.law.loss(one)["internet"]
    assert round(float(gap.iloc[0]), 2) == 0.21
