"""The simulated training service (budget, refusal, reproducible noise) and the sweep planner."""

import numpy as np
import pytest

from lawlib import (
    BudgetExceeded,
    ChinchillaLaw,
    TrainingService,
    ValidationError,
    plan_sweep,
    sweep_design,
)

LAW = ChinchillaLaw.published("besiroglu2024")


def test_runs_are_charged_six_n_d_and_listed():
    service = TrainingService(LAW, 1e19, seed=0)
    service.train(1e8, 2e9)
    service.train([2e8, 4e8], [1e9, 5e8])
    assert service.spent == pytest.approx(6 * (1e8 * 2e9 + 2e8 * 1e9 + 4e8 * 5e8), rel=1e-12)
    assert service.remaining == pytest.approx(1e19 - service.spent, rel=1e-12)
    assert list(service.runs.columns) == ["N", "D", "C", "loss"] and len(service.runs) == 3
    assert service.runs["C"].sum() == pytest.approx(service.spent, rel=1e-12)


def test_a_run_past_the_budget_is_refused_and_not_charged():
    service = TrainingService(LAW, 1e18)
    service.train(1e8, 1e9)  # 6e17
    with pytest.raises(BudgetExceeded, match=r"cost 6e\+17 FLOPs, but only 4e\+17 of the 1e\+18"):
        service.train(1e8, 1e9)
    assert service.spent == pytest.approx(6e17) and len(service.runs) == 1
    service.train(1e8, 1e9 * 4 / 6)  # exactly what remains
    assert service.remaining == pytest.approx(0.0, abs=1e3)


def test_noise_is_reproducible_per_seed_and_of_the_stated_size():
    sizes = np.full(4000, 1e8)
    first = TrainingService(LAW, 1e30, seed=5, noise=0.01).train(sizes, 2e9)
    again = TrainingService(LAW, 1e30, seed=5, noise=0.01).train(sizes, 2e9)
    other = TrainingService(LAW, 1e30, seed=6, noise=0.01).train(sizes, 2e9)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    log_ratio = np.log(first / LAW.loss(1e8, 2e9))
    assert np.std(log_ratio) == pytest.approx(0.01, rel=0.05)
    assert abs(np.mean(log_ratio)) < 3 * 0.01 / np.sqrt(4000)
    exact = TrainingService(LAW, 1e30, noise=0.0).train(1e8, 2e9)
    assert exact == pytest.approx(float(LAW.loss(1e8, 2e9)), rel=1e-15)


def test_the_scorer_compares_with_the_secret_law():
    service = TrainingService(LAW, 1e20)
    n_opt, d_opt = LAW.compute_optimal(1e22)
    right = service.score(1e22, n_opt, LAW.loss(n_opt, d_opt))
    assert np.allclose(right["relative error"], 0.0, atol=1e-12)
    off = service.score(1e22, 1.1 * n_opt, LAW.loss(n_opt, d_opt) * 0.98)
    assert off.loc["N_opt", "relative error"] == pytest.approx(0.1)
    assert off.loc["loss", "relative error"] == pytest.approx(-0.02)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.train(-1e8, 1e9), "N: must be finite and positive"),
        (
            lambda s: s.train(1e8, float("nan")),
            r"D: must be finite and positive \[tokens\]; got nan",
        ),
        (lambda s: TrainingService(LAW, -1.0), "budget"),
        (lambda s: TrainingService(LAW, 1e20, noise=-0.1), "noise"),
        (lambda s: TrainingService(LAW, 1e20, seed=1.5), "seed"),
    ],
)
def test_bad_requests_are_named(call, message):
    with pytest.raises(ValueError, match=message):  # ValidationError is a ValueError
        call(TrainingService(LAW, 1e20))


def test_a_design_spends_exactly_the_budget_around_the_prior_optimum():
    design = sweep_design(LAW, 1e20, n_budgets=4, sizes_per_budget=5, decades=1.5, size_span=3)
    assert design["C"].sum() == pytest.approx(1e20, rel=1e-12)
    budgets = np.sort(design["C"].unique())
    assert budgets.size == 4 and np.log10(budgets[-1] / budgets[0]) == pytest.approx(1.5)
    assert np.allclose(6 * design["N"] * design["D"], design["C"], rtol=1e-12)
    for budget, group in design.groupby("C"):
        centre = np.exp(np.log(group["N"]).mean())
        assert centre == pytest.approx(float(LAW.compute_optimal(budget)[0]), rel=1e-9)
        assert group["N"].max() / group["N"].min() == pytest.approx(9.0)


def test_plan_without_noise_finds_the_prior_optimum():
    plan = plan_sweep(LAW, 1e20, 1e22, noise=0.0, n_simulations=3)
    assert plan.failed == 0 and plan.cost == pytest.approx(1e20, rel=1e-12)
    assert plan.simulated == pytest.approx(np.full(3, plan.simulated[0]))
    assert plan.simulated[0] == pytest.approx(plan.truth, rel=0.03)  # parabola bias only


def test_plan_intervals_cover_the_truth_and_compare_designs():
    few = plan_sweep(LAW, 1e20, 1e22, n_budgets=3, sizes_per_budget=9, n_simulations=150, seed=2)
    many = plan_sweep(LAW, 1e20, 1e22, n_budgets=8, sizes_per_budget=4, n_simulations=150, seed=2)
    for plan in (few, many):
        low, high = plan.interval
        assert low < plan.truth < high
    again = plan_sweep(LAW, 1e20, 1e22, n_budgets=3, sizes_per_budget=9, n_simulations=150, seed=2)
    np.testing.assert_array_equal(few.simulated, again.simulated)
    assert many.width < few.width  # at this budget, spread in compute buys more than depth
    assert few.summary()["runs"] == "27"


def test_a_plan_that_cannot_extrapolate_is_refused():
    with pytest.raises(ValidationError, match="n_budgets must be a whole number >= 3, got 2"):
        plan_sweep(LAW, 1e20, 1e22, n_budgets=2)
    with pytest.raises(ValidationError, match="sizes_per_budget must be a whole number >= 3"):
        sweep_design(LAW, 1e20, sizes_per_budget=2)
    with pytest.raises(ValidationError, match="noise must be a finite number >= 0, got -1"):
        plan_sweep(LAW, 1e20, 1e22, noise=-1)
