"""Counting conventions (parameters, FLOPs per token, bits per byte) and simulated IsoFLOP runs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import lawlib

#: The OLMo ladder's published counts and logged FLOPs per token (``ladder.py``, MODEL_PARAMS and
#: MODEL_GFLOPS, commit 67a3f44): width, layers, gated hidden size, parameters, FLOPs per token.
OLMO = {
    "190M": (768, 12, 3072, 190_354_176, 1_903_391_232),
    "370M": (1024, 16, 4096, 371_262_464, 3_443_922_944),
    "760M": (1536, 16, 6144, 758_220_288, 6_373_843_968),
    "1B": (2048, 16, 8192, 1_279_395_840, 10_109_071_360),
    "3B": (3328, 16, 13312, 3_169_537_280, 22_970_355_200),
    "7B": (4096, 32, 11008, 6_887_575_552, 49_412_071_424),
    "13B": (5120, 40, 13824, 13_202_396_160, 91_335_915_520),
}
OLMO_SHAPE = {"vocab_size": 100_352, "style": "gated", "qk_norm": True}


def test_gpt2_small_has_its_published_parameter_count():
    assert lawlib.count_parameters(d_model=768, n_layers=12, vocab_size=50257, context=1024) == (
        124_439_808
    )
    # without embeddings (token and positions, tied head): Kaplan's count, 12 d^2 + 13 d per layer
    n = lawlib.count_parameters(768, 12, 50257, 1024, embeddings=False)
    assert n == 12 * (12 * 768**2 + 13 * 768) + 2 * 768


@pytest.mark.parametrize("size", OLMO)
def test_olmo_ladder_counts_and_logged_flops_exactly(size):
    d, layers, hidden, params, flops = OLMO[size]
    shape = {**OLMO_SHAPE, "ffn_hidden": hidden}
    assert lawlib.count_parameters(d, layers, embeddings=False, **shape) == params
    assert lawlib.flops_per_token(d, layers, context=4096, method="olmo", **shape) == flops


def test_flop_conventions_differ_as_their_formulas_say():
    d, layers, hidden, params, _ = OLMO["190M"]
    shape = {**OLMO_SHAPE, "ffn_hidden": hidden}
    six = lawlib.flops_per_token(d, layers, context=4096, method="6N", **shape)
    assert six == 6 * params == pytest.approx(1.142e9, rel=1e-3)
    kaplan = lawlib.flops_per_token(d, layers, context=4096, method="kaplan", **shape)
    matmul = lawlib.flops_per_token(d, layers, context=4096, method="matmul", **shape)
    assert kaplan - six == 6 * layers * 4096 * d
    assert matmul - six == 12 * layers * 4096 * d  # the untied head is already in N
    # a tied head is the same matrix as the embedding: the matmul count adds it back
    tied = lawlib.flops_per_token(d, layers, context=4096, method="matmul", tied=True, **shape)
    assert tied == pytest.approx(matmul, rel=0, abs=0)


def test_a_wider_mlp_adds_exactly_its_weights():
    base = lawlib.count_parameters(512, 4, 1000, style="gated")
    wider = lawlib.count_parameters(512, 4, 1000, style="gated", ffn_hidden=4 * 512 + 10)
    assert wider - base == 4 * 3 * 512 * 10


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lawlib.count_parameters(768, 12, 50257), "need the context length"),
        (lambda: lawlib.count_parameters(768.5, 12, 50257, 1024), "d_model must be a whole"),
        (lambda: lawlib.count_parameters(768, 0, 50257, 1024), "n_layers must be a whole"),
        (lambda: lawlib.count_parameters(768, 12, 50257, 1024, style="bert"), "style must be"),
        (lambda: lawlib.flops_per_token(768, 12, 50257, 1024, method="7N"), "method must be"),
        (lambda: lawlib.bits_per_byte(-1.0, 4.0), "nats_per_token: must be finite and positive"),
        (lambda: lawlib.bits_per_byte(2.0, 0.0), "bytes_per_token: must be finite and positive"),
    ],
)
def test_bad_sizes_are_named(call, message):
    with pytest.raises(lawlib.ValidationError, match=message):
        call()


def test_bits_per_byte_is_nats_over_ln2_bytes():
    assert lawlib.bits_per_byte(math.log(2) * 4.0, 4.0) == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(
        lawlib.bits_per_byte([2.0, 3.0], 4.0), np.array([2.0, 3.0]) / (4 * math.log(2))
    )


EQUAL = lawlib.ChinchillaLaw(E=1.8, A=400.0, B=400.0, alpha=0.34, beta=0.34)


def _n_opt_error(law, half_width, centre=None, target=1e24):
    runs = lawlib.simulate_isoflop(law, np.logspace(17, 21, 5), half_width, 15, centre=centre)
    fit = lawlib.fit_isoflop(runs["N"], runs["D"], runs["loss"], runs["C"], n_nearest=15)
    predicted = fit.law.compute_optimal(target)[0]
    return float(predicted / law.compute_optimal(target)[0] - 1)


def test_simulated_runs_lie_on_the_budget_and_the_law():
    runs = lawlib.simulate_isoflop(EQUAL, [1e19, 1e21], half_width=8, n_points=7)
    assert list(runs.columns) == ["N", "D", "C", "loss"] and len(runs) == 14
    np.testing.assert_allclose(runs["C"], 6 * runs["N"] * runs["D"], rtol=1e-15)
    np.testing.assert_allclose(runs["loss"], EQUAL.loss(runs["N"], runs["D"]), rtol=1e-15)
    first = runs[runs["C"] == 1e19]["N"].to_numpy()
    n_opt = EQUAL.compute_optimal(1e19)[0]
    assert first.min() == pytest.approx(n_opt / 8) and first.max() == pytest.approx(n_opt * 8)
    np.testing.assert_allclose(np.diff(np.log(first)), np.log(64) / 6)


def test_noisy_runs_are_deterministic_per_seed():
    a = lawlib.simulate_isoflop(EQUAL, [1e20], 4, 9, noise=0.01, seed=3)
    b = lawlib.simulate_isoflop(EQUAL, [1e20], 4, 9, noise=0.01, seed=3)
    c = lawlib.simulate_isoflop(EQUAL, [1e20], 4, 9, noise=0.01, seed=4)
    assert a.equals(b) and not a.equals(c)
    ratio = a["loss"] / EQUAL.loss(a["N"], a["D"])
    assert 0.001 < np.log(ratio).std() < 0.03


def test_parabola_bias_is_zero_on_a_symmetric_surface_and_grows_off_it():
    # alpha = beta and a grid centred on the optimum: each profile is symmetric in log N
    for half_width in (2, 4, 16):
        assert abs(_n_opt_error(EQUAL, half_width)) < 1e-9
    # off-centre by a constant factor 1.5: a parabola through an asymmetric cosh misplaces the vertex
    shifted = [
        _n_opt_error(EQUAL, w, centre=lambda c: 1.5 * EQUAL.compute_optimal(c)[0])
        for w in (2, 4, 8, 16)
    ]
    assert min(abs(e) for e in shifted) > 1e-4 and abs(shifted[-1]) > 5e-3
    # alpha / beta = 3: the profile is asymmetric even when centred; the error grows with the width
    skewed = lawlib.ChinchillaLaw(E=1.69, A=406.4, B=3.83, alpha=0.48, beta=0.16)
    errors = [_n_opt_error(skewed, w) for w in (2, 4, 8, 16)]
    assert all(0 < a < b for a, b in itertools.pairwise(errors))
    assert errors[-1] > 0.1  # N_opt over-estimated, so D_opt = C / 6 N_opt under-estimated


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"half_width": 1.0}, "half_width must be a finite number > 1"),
        ({"n_points": 2}, "n_points must be a whole number >= 3"),
        ({"budgets": [1e20, -1.0]}, "budgets: must be finite and positive"),
        ({"centre": [1e9, 2e9]}, "centre must give one size per budget"),
        ({"noise": -0.1}, "noise must be"),
    ],
)
def test_simulate_isoflop_names_bad_input(kwargs, message):
    arguments = {"budgets": [1e20], "half_width": 4.0, "n_points": 5, **kwargs}
    with pytest.raises(lawlib.ValidationError, match=message):
        lawlib.simulate_isoflop(EQUAL, **arguments)
