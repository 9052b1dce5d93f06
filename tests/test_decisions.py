"""The decision report and the optimum kept inside the trained design: known laws, brute force, real runs."""

import warnings

import numpy as np
import pandas as pd
import pytest

import lawlib
from lawlib.decisions import decision_report, ranking
from lawlib.mixtures import split_runs
from lawlib.mixtures.optimum import design_bounds

DOMAINS = ["a", "b", "c"]
LAW = lawlib.BiMixLaw(
    pd.DataFrame(
        {
            "alpha": [0.3, 0.1, 0.05],
            "B": [40.0, 20.0, 60.0],
            "beta": [0.4, 0.3, 0.5],
            "C": [2.0, 2.5, 1.5],
        },
        index=pd.Index(DOMAINS, name="domain"),
    )
)
STEP = 1e4


def mixture_runs(n, seed, *, noise=0.0, concentration=2.0, law=LAW):
    """`n` Dirichlet mixtures at one step with the law's losses (times 1 + noise * N(0, 1))."""
    rng = np.random.default_rng(seed)
    r = rng.dirichlet(np.full(len(DOMAINS), concentration), size=n)
    losses = law.loss(r, STEP).to_numpy() * (1 + noise * rng.standard_normal((n, len(DOMAINS))))
    frame = pd.DataFrame(r, columns=[f"p_{d}" for d in DOMAINS])
    for j, d in enumerate(DOMAINS):
        frame[f"loss_{d}"] = losses[:, j]
    frame["step"] = STEP
    frame["run"] = [f"m{i}" for i in range(n)]
    return frame


def summed(r):
    return float(LAW.loss(r, STEP).to_numpy().sum())


def test_design_optimum_is_the_best_mixture_in_the_box_by_brute_force():
    runs = mixture_runs(30, 0, concentration=8.0)  # a narrow design around the centre
    low, high = design_bounds(runs, DOMAINS)
    free = lawlib.optimize_mixture(LAW, STEP)
    boxed = lawlib.optimize_mixture(LAW, STEP, within="design", runs=runs)
    r = boxed.proportions.to_numpy()
    assert r.sum() == pytest.approx(1, abs=1e-12)
    assert np.all(r >= low - 1e-12) and np.all(r <= high + 1e-12)
    assert np.any(np.isclose(r, low) | np.isclose(r, high))  # the free optimum lies outside the box
    assert boxed.objective > free.objective
    rng = np.random.default_rng(1)
    candidates = rng.dirichlet(np.ones(3), size=200_000)
    inside = candidates[np.all((candidates >= low) & (candidates <= high), axis=1)]
    assert len(inside) > 1000
    brute = LAW.loss(inside, STEP).to_numpy().sum(axis=1).min()
    assert boxed.objective <= brute + 1e-9
    assert boxed.objective == pytest.approx(brute, rel=1e-4)
    assert "within the trained ranges" in repr(boxed)


def test_hull_optimum_beats_every_trained_mixture_and_their_combinations():
    runs = mixture_runs(12, 2, concentration=3.0)
    hull = lawlib.optimize_mixture(LAW, STEP, within="hull", runs=runs)
    points = runs[[f"p_{d}" for d in DOMAINS]].to_numpy()
    assert hull.objective <= min(summed(p) for p in points) + 1e-9
    mu = np.random.default_rng(3).dirichlet(np.ones(len(points)), size=5000)
    assert hull.objective <= LAW.loss(mu @ points, STEP).to_numpy().sum(axis=1).min() + 1e-7
    report = decision_report(LAW, runs.iloc[:8], runs.iloc[8:], hull, steps=STEP)
    assert report.in_hull and report.in_range


def test_exponential_law_within_the_design_stays_in_its_box():
    law = lawlib.MixingLaw(
        c=pd.Series({"x": 1.0, "y": 1.5}),
        k=pd.Series({"x": 2.0, "y": 1.0}),
        t=pd.DataFrame({"a": [-3.0, 1.0], "b": [0.5, -2.0], "c": [1.0, 0.5]}, index=["x", "y"]),
    )
    runs = mixture_runs(20, 4, concentration=10.0)
    low, high = design_bounds(runs, DOMAINS)
    boxed = lawlib.optimize_mixture(law, within="design", runs=runs)
    r = boxed.proportions.to_numpy()
    assert np.all(r >= low - 1e-9) and np.all(r <= high + 1e-9) and r.sum() == pytest.approx(1)
    rng = np.random.default_rng(5)
    candidates = rng.dirichlet(np.ones(3), size=100_000)
    inside = candidates[np.all((candidates >= low) & (candidates <= high), axis=1)]
    assert boxed.objective <= law.loss(inside).to_numpy().sum(axis=1).min() + 1e-6


def test_an_exact_law_ranks_every_held_out_pair_and_tells_a_real_gain():
    runs = mixture_runs(60, 6, concentration=1.0)  # mixtures all over the simplex
    train, test = runs.iloc[:45], runs.iloc[45:]
    choice = lawlib.optimize_mixture(LAW, STEP)  # the free optimum, inside the trained hull
    report = decision_report(LAW, train, test, choice, default="m0", alternatives=train)
    assert report.held_out_error == pytest.approx(0, abs=1e-12)
    assert report.spearman == pytest.approx(1) and report.pairs_right == 1
    best = train.loc[train[[f"loss_{d}" for d in DOMAINS]].sum(axis=1).idxmin(), "run"]
    assert report.best_trained == best
    assert report.gain_over_best == pytest.approx(1 - choice.objective / report.observed_best)
    assert report.in_hull and report.gain_over_best > 0 and report.can_tell
    assert report.verdict.startswith("the law can tell this choice from the best trained one")
    assert report.quantity == "summed loss" and np.isnan(report.seed_noise)
    weights = {d: float(d == DOMAINS[1]) for d in DOMAINS}  # one domain's loss alone
    one = decision_report(LAW, train, test, choice, weights=weights, alternatives=train)
    assert one.quantity == f"loss on {DOMAINS[1]}"
    assert report.table.loc["predicted gain over m0", "value"] == pytest.approx(
        1 - choice.objective / summed(runs.iloc[0][[f"p_{d}" for d in DOMAINS]].to_numpy(float))
    )
    text = str(report.summary().as_text())
    assert "Verdict" in text and "Held-out error" in text


def test_a_gain_within_the_noise_cannot_be_told_and_seed_noise_is_pooled():
    rng = np.random.default_rng(7)
    base = mixture_runs(25, 8, concentration=20.0)  # mixtures close together: a small spread
    reruns = pd.concat([base.iloc[:5]] * 4, ignore_index=True)
    factor = 1 + 0.01 * rng.standard_normal(len(reruns))  # 1% seed noise on every loss of a run
    for d in DOMAINS:
        reruns[f"loss_{d}"] *= factor
    reruns["run"] = [f"r{i}" for i in range(len(reruns))]
    train = pd.concat([base.iloc[5:20], reruns], ignore_index=True)
    choice = lawlib.optimize_mixture(LAW, STEP, within="hull", runs=train)
    report = decision_report(LAW, train, base.iloc[20:], choice)
    assert report.seed_noise == pytest.approx(0.01, rel=0.3)
    assert report.gain_over_best < report.seed_noise and not report.can_tell
    assert "within the held-out error of the summed loss" in report.verdict
    assert "seed noise" in report.verdict


def test_a_choice_outside_the_hull_is_an_extrapolation_not_a_decision():
    runs = mixture_runs(30, 9, concentration=8.0)
    free = lawlib.optimize_mixture(LAW, STEP)
    report = decision_report(LAW, runs.iloc[:20], runs.iloc[20:], free)
    assert not report.in_hull and not report.in_range and not report.can_tell
    assert set(report.outside) >= {"a"}
    value, low, high = report.outside["a"]
    assert not low <= value <= high
    assert "outside the trained design" in report.verdict


def test_compute_optimal_choice_against_trained_runs_at_one_budget():
    law = lawlib.ChinchillaLaw.published("besiroglu2024")
    budget = 1e21
    N = np.logspace(8, 10, 9)
    runs = pd.DataFrame({"N": N, "D": budget / (6 * N)})
    runs["loss"] = law(runs["N"], runs["D"])
    smaller = pd.DataFrame({"N": np.logspace(7, 9, 9)})
    smaller["D"] = 1e20 / (6 * smaller["N"])
    smaller["loss"] = law(smaller["N"], smaller["D"]) * 1.001
    n_opt, d_opt = law.compute_optimal(budget)
    report = decision_report(
        law, smaller, runs.iloc[::2], {"N": n_opt, "D": d_opt}, alternatives=runs
    )
    assert report.quantity == "loss" and report.n_alternatives == 9
    brute = min(law(n, budget / (6 * n)) for n in np.logspace(8, 10, 2001))
    assert report.predicted_choice == pytest.approx(brute, rel=1e-6)
    assert report.gain_over_best >= 0
    assert report.held_out_error == pytest.approx(0, abs=1e-12)
    assert not report.in_range  # fitted at 1e20 FLOPs, chosen at 1e21: outside the design
    assert set(report.outside) == {"N"}


@pytest.fixture(scope="module")
def ye_runs():
    runs = lawlib.data.load("mixinglaws_5mix").query("model == '160M'")
    kept, held = split_runs(runs, 4, run_column="run_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        fit = lawlib.fit_bimix(kept[kept["step"] <= 30000])
    return fit, kept[kept["step"] <= 30000], held[held["step"] == 30000]


def test_ye_runs_optimum_inside_the_hull_beats_the_best_trained_by_more_than_the_error(ye_runs):
    # Ye et al.'s 160M runs: BiMix fitted on three of four mixtures up to step 30,000
    fit, train, held = ye_runs
    free = lawlib.optimize_mixture(fit.law, 30000)
    assert free.proportions["dialogue"] > train["p_dialogue"].max()  # beyond any trained share
    hull = lawlib.optimize_mixture(fit.law, 30000, within="hull", runs=train)
    report = decision_report(fit, train, held, hull, run_column="run_id")
    assert report.best_trained == "160M_24"
    assert report.gain_over_best == pytest.approx(0.0040, abs=0.0002)
    assert report.held_out_error == pytest.approx(0.0013, abs=0.0002)
    assert report.held_out_max_error < 0.002 and report.pairs_right == 1
    # BiMix cannot predict a mixture without one of the domains: 2 of 6 held-out runs are scored
    assert report.n_held_out == 2 and "4 of 6 held-out runs left out" in report.notes[0]
    assert "rest on 2 runs only" in report.notes[1]
    assert report.can_tell


def test_propose_mixture_is_the_chapter_workflow_in_one_call(ye_runs):
    fit, train, held = ye_runs
    runs = lawlib.data.load("mixinglaws_5mix").query("model == '160M'")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        proposed = lawlib.propose_mixture(runs, 30000, holdout_every=4)
    hull = lawlib.optimize_mixture(fit.law, 30000, within="hull", runs=train)
    domains = list(fit.law.domains)
    uniform = pd.Series(1 / len(domains), index=domains, name="uniform")
    by_hand = decision_report(fit, train, held, hull, default=uniform, run_column="run_id")
    assert proposed.train.equals(train) and proposed.held_out.equals(held)
    np.testing.assert_allclose(proposed.proposal.proportions, hull.proportions, atol=1e-12)
    assert repr(proposed.report.as_dict()) == repr(by_hand.as_dict())  # NaN seed noise too
    assert proposed.report.default == "uniform" and proposed.report.gain_over_default > 0
    assert proposed.report.can_tell and "can tell" in str(proposed.summary())


@pytest.mark.parametrize(
    ("runs", "kwargs", "message"),
    [
        (lambda r: r.drop(columns="step"), {}, "the runs have no step column"),
        (lambda r: r, {"step": 12345.0}, "no held-out run has a row at step 12345"),
        (lambda r: r.drop(columns="run_id"), {}, "no run column 'run_id'"),
        (lambda r: r, {"holdout_every": 1}, "split_runs"),
    ],
)
def test_propose_mixture_names_bad_input_before_fitting(runs, kwargs, message):
    base = lawlib.data.load("mixinglaws_5mix").query("model == '160M'")
    arguments = {"step": 30000.0, "holdout_every": 4, **kwargs}
    step = arguments.pop("step")
    with pytest.raises(lawlib.ValidationError, match=message):
        lawlib.propose_mixture(runs(base), step, **arguments)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda kw: kw.update(held_out=kw["held_out"].iloc[:1]), "needs 2 or more held-out runs"),
        (
            lambda kw: kw.update(runs=kw["runs"].drop(columns="loss_a")),
            "the fitted runs lack the columns loss_a",
        ),
        (lambda kw: kw.update(default="nope"), "default 'nope' names no trained run"),
        (lambda kw: kw.update(choice={"a": 0.5, "b": 0.2, "c": 0.1}), "summing to 1"),
        (lambda kw: kw.update(choice={"a": 0.5, "b": 0.5}), "gives no proportion for c"),
        (lambda kw: kw.update(law="a law"), "takes a mixture law or a law of numeric inputs"),
        (lambda kw: kw.update(steps=None), "BiMix needs the step"),
        (lambda kw: kw.update(steps=123.0), "have no rows at step 123"),
        (lambda kw: kw.update(weights=[0, 0, 0]), "not all zero"),
        (
            lambda kw: kw.update(runs=kw["runs"].assign(p_a=np.nan)),
            "the fitted runs: every proportion must be finite",
        ),
    ],
)
def test_bad_input_is_named_before_any_comparison(change, message):
    runs = mixture_runs(12, 10)
    kwargs = {
        "law": LAW,
        "runs": runs.iloc[:8],
        "held_out": runs.iloc[8:],
        "choice": {"a": 0.4, "b": 0.3, "c": 0.3},
        "steps": STEP,
    }
    change(kwargs)
    with pytest.raises(lawlib.ValidationError, match=message):
        decision_report(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"within": "design"}, "within='design' needs the trained mixtures"),
        ({"within": "box", "runs": None}, "within must be 'simplex', 'design' or 'hull'"),
        ({"within": "hull", "runs": [[0.5, 0.5]]}, "runs must be a DataFrame"),
    ],
)
def test_optimizer_refuses_a_design_it_cannot_use(kwargs, message):
    with pytest.raises(lawlib.ValidationError, match=message):
        lawlib.optimize_mixture(LAW, STEP, **kwargs)


def test_the_exponential_law_takes_no_step_in_any_search_or_report():
    law = lawlib.MixingLaw(
        c=pd.Series({"x": 1.0}),
        k=pd.Series({"x": 2.0}),
        t=pd.DataFrame({"a": [-1.0], "b": [0.5], "c": [0.2]}, index=["x"]),
    )
    runs = mixture_runs(10, 11).rename(columns={"loss_a": "loss_x"})
    for within in ("simplex", "design", "hull"):
        with pytest.raises(lawlib.ValidationError, match="has no step"):
            lawlib.optimize_mixture(law, STEP, within=within, runs=runs)
    with pytest.raises(lawlib.ValidationError, match="has no step"):
        decision_report(
            law, runs.iloc[:6], runs.iloc[6:], {"a": 0.3, "b": 0.3, "c": 0.4}, steps=STEP
        )
    report = decision_report(law, runs.iloc[:6], runs.iloc[6:], {"a": 0.3, "b": 0.3, "c": 0.4})
    assert report.quantity == "loss on x" and np.isfinite(report.held_out_error)


def test_ranking_counts_pairs_by_hand():
    # pairs (1,2) right, (1,3) right, (2,3) wrong: 2 of 3; ranks 1 2 3 against 1 3 2: rho = 0.5
    assert ranking([1.0, 2.0, 3.0], [1.1, 2.2, 2.1]) == pytest.approx((0.5, 2 / 3))
    rho, right = ranking([3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.0])
    assert rho == pytest.approx(-1) and right == 0
    assert np.isnan(ranking([1.0, 2.0], [5.0, 5.0])).all()  # no pair to order, no correlation
    with pytest.raises(lawlib.ValidationError, match="two runs or more"):
        ranking([1.0], [1.0])
    with pytest.raises(lawlib.ValidationError, match="must be finite"):
        ranking([1.0, np.nan], [1.0, 2.0])
