"""The power-law random-features lab: exact reductions, engines agreeing, exponents against theory.

Targets: shared/reference/toy-model.md, section 9.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import lawlib
from lawlib.toy import (
    DEFAULT_SIZES,
    PLRFTheory,
    _mu,
    check_step_size,
    draw_spectrum,
    expected_curve,
    expected_curves,
    learning_rate,
    recursion_loss,
    sgd_training,
    simulate_sweep,
    tail_mass,
)


@pytest.mark.parametrize("batch", [1, 4])
def test_closed_form_equals_the_recursion(batch):
    spectrum = draw_spectrum(1.0, 0.25, 40, 300, np.random.default_rng(0), sigma2=1e-3)
    gamma = learning_rate(1.0, 300, 0.25)
    weights, rates, limit = expected_curve(spectrum, gamma, batch)
    closed = limit + np.array([np.sum(weights * rates**t) for t in range(300)])
    np.testing.assert_allclose(closed, recursion_loss(spectrum, gamma, batch, 299), rtol=1e-11)
    lam = spectrum.lam
    T = np.diag((1 - gamma * lam) ** 2 + gamma**2 * lam**2 / batch) + gamma**2 / batch * np.outer(
        lam, lam
    )
    fixed = spectrum.p_star + lam @ np.linalg.solve(
        np.eye(lam.size) - T, gamma**2 / batch * spectrum.p_star * lam
    )
    assert limit == pytest.approx(fixed, rel=1e-12)  # P* / (1 - kappa)


def test_the_two_engines_agree_within_monte_carlo_error():
    steps, losses, spectrum = sgd_training(1.0, 0.25, d=50, v=400, steps=1000, runs=60, seed=3)
    weights, rates, limit = expected_curve(spectrum, learning_rate(1.0, 400, 0.25), 1)
    expected = limit + np.array([np.sum(weights * rates**t) for t in steps])
    ratio = losses.mean(axis=0) / expected
    assert np.all(np.abs(ratio - 1) < 0.25)  # single steps of 60 runs scatter most early on
    assert abs(np.mean(np.log(ratio[steps >= 100]))) < 0.05


def test_constants():
    assert tail_mass(1.0, 0.25, 4096) == pytest.approx(2.5427e-6, rel=1e-3)
    assert _mu(1.0, 1, 1e5) == pytest.approx(
        4 / np.pi**2, rel=1e-4
    )  # v/d large: the v = infinity value
    np.testing.assert_allclose(
        [_mu(1.0, d, 4096) for d in (16, 64, 256, 1024)],
        [0.4066, 0.4105, 0.4272, 0.5152],
        atol=2e-4,
    )


def test_limit_loss_matches_the_deterministic_equivalent():
    # 16 .. 512: five octaves; size 1024 alone would triple the cost (d^2 v per draw)
    sizes = DEFAULT_SIZES[:6]
    curves = expected_curves(
        1.0, 0.25, sizes, mode="gd", tail=False, seed=0, draws=48
    )  # enough draws to average out
    simulated = np.array([curves.loss(i, 1e30) for i in range(len(sizes))])
    theory = PLRFTheory(1.0, 0.25).limit_loss(np.array(sizes))
    np.testing.assert_allclose(simulated / theory, 1.0, atol=0.1)


def test_same_seed_same_sweep():
    first = simulate_sweep(sizes=(16, 32), tokens=[10, 100, 1000], seed=5)
    again = simulate_sweep(sizes=(16, 32), tokens=[10, 100, 1000], seed=5)
    other = simulate_sweep(sizes=(16, 32), tokens=[10, 100, 1000], seed=6)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["loss"], other["loss"])
    assert list(first.columns) == ["N", "D", "C", "loss", "step"]


def test_label_noise_becomes_the_floor():
    sizes = DEFAULT_SIZES[1:6]
    curves = expected_curves(1.0, 0.25, sizes, mode="gd", sigma2=1e-3, seed=1)
    D = np.logspace(2, 9, 50)
    frame = pd.concat(
        [
            pd.DataFrame({"N": float(d), "D": D, "loss": curves.loss(i, D)})
            for i, d in enumerate(sizes)
        ]
    )
    frame = frame[curves.gamma * frame["D"] >= 10]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        fit = lawlib.fit_parametric(
            frame["N"],
            frame["D"],
            frame["loss"],
            starts=[[np.log(1e-3), 0, 1.5, 0, 0.75], [-8, 0, 1.0, 0, 0.5]],
        )
    assert fit.params["E"] == pytest.approx(1e-3, rel=0.05)  # GD: sigma^2
    sgd = expected_curves(1.0, 0.25, sizes, sigma2=1e-3, seed=1)
    frame["loss"] = np.concatenate(
        [sgd.loss(i, frame.loc[frame["N"] == d, "D"]) for i, d in enumerate(sizes)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        noisy = lawlib.fit_parametric(
            frame["N"],
            frame["D"],
            frame["loss"],
            starts=[[np.log(1e-3), 0, 1.5, 0, 0.75], [-8, 0, 1.0, 0, 0.5]],
        )
    kappa = check_step_size(
        draw_spectrum(1.0, 0.25, 512, 4096, np.random.default_rng(1)), sgd.gamma, 1
    )
    assert noisy.params["E"] == pytest.approx(
        1e-3 / (1 - kappa), rel=0.05
    )  # SGD: sigma^2 / (1 - kappa)


def test_theory_and_inverse_map():
    theory = PLRFTheory(0.75, 0.25)
    assert (theory.a_N, theory.xi, theory.eta) == pytest.approx((1.0, 0.4, 0.4))
    mimic = PLRFTheory.from_chinchilla(0.34, 0.28)
    assert (mimic.alpha, mimic.beta) == pytest.approx((0.6071, 0.0629), abs=1e-4)
    assert mimic.xi == pytest.approx(0.28 / (0.34 + 0.28), rel=1e-12)
    with pytest.raises(ValueError, match=r"no Phase Ia point has a_N = 0\.3478, b_D = 0\.3658"):
        PLRFTheory.from_chinchilla(0.3478, 0.3658)


def test_learning_rate_above_the_stability_bound_is_an_error():
    spectrum = draw_spectrum(1.0, 0.25, 16, 256, np.random.default_rng(0))
    with pytest.raises(
        ValueError, match=r"learning rate too large: \(1 \+ 1/B\) gamma lambda_max = .* >= 2"
    ):
        expected_curve(spectrum, 5.0, 1)
    with pytest.raises(ValueError, match="need 2 alpha \\+ 2 beta > 1"):
        simulate_sweep(0.3, 0.1)
