"""Training plus inference compute at a target loss: closed form, brute force, Lagrange conditions."""

import itertools

import numpy as np
import pytest

from lawlib import ChinchillaLaw, inference_optimal

LAW = ChinchillaLaw.published("besiroglu2024")


def test_without_inference_it_is_the_chinchilla_optimum():
    chosen = inference_optimal(LAW, 2.0, 0.0)
    n_opt, d_opt = LAW.compute_optimal(chosen.training_flops)
    assert chosen.N == pytest.approx(float(n_opt), rel=1e-6)
    assert chosen.D == pytest.approx(float(d_opt), rel=1e-6)
    assert chosen.loss == pytest.approx(2.0, rel=1e-12) and chosen.inference_flops == 0.0


@pytest.mark.parametrize("served", [1e11, 1e13, 1e15])
def test_against_brute_force_and_the_lagrange_conditions(served):
    chosen = inference_optimal(LAW, 2.0, served)
    # brute force: every D on a fine grid, N from the loss constraint
    log_d = np.linspace(np.log(chosen.D) - 2, np.log(chosen.D) + 2, 200_001)
    room = 2.0 - LAW.E - LAW.B * np.exp(-LAW.beta * log_d)
    ok = room > 0
    n = (LAW.A / room[ok]) ** (1 / LAW.alpha)
    total = 6 * n * np.exp(log_d[ok]) + 2 * n * served
    best = int(np.argmin(total))
    assert chosen.total_flops <= total[best] * (1 + 1e-9)
    assert chosen.D == pytest.approx(np.exp(log_d[ok][best]), rel=1e-4)
    # stationarity: parameter term over data term equals total over training compute per unit D
    ratio = (LAW.alpha * LAW.A * chosen.N**-LAW.alpha) / (LAW.beta * LAW.B * chosen.D**-LAW.beta)
    assert ratio == pytest.approx((6 * chosen.D + 2 * served) / (6 * chosen.D), rel=1e-5)


def test_tokens_per_parameter_rise_with_inference_demand():
    ratios = [inference_optimal(LAW, 2.0, d).tokens_per_parameter for d in (0, 1e12, 1e13, 1e14)]
    assert all(a < b for a, b in itertools.pairwise(ratios))
    assert ratios[0] == pytest.approx(18.79, abs=0.01)  # Besiroglu et al.'s law near loss 2


def test_bad_targets_are_named():
    with pytest.raises(ValueError, match=r"loss: must lie above the law's floor E = 1.817"):
        inference_optimal(LAW, 1.5, 1e12)
    with pytest.raises(
        ValueError, match=r"inference_tokens must be a finite number >= 0, got -1\.0"
    ):
        inference_optimal(LAW, 2.0, -1.0)
    with pytest.raises(
        ValueError, match="inference_tokens must be a finite number >= 0, got 'lots'"
    ):
        inference_optimal(LAW, 2.0, "lots")
    with pytest.raises(ValueError, match="flops_per_token must be a finite number > 0, got 0"):
        inference_optimal(LAW, 2.0, 1e12, flops_per_token=0)
