"""Entropy estimators against analytic values, and the entropy-to-mixture maps."""

import numpy as np
import pandas as pd
import pytest

from lawlib.entropy import (
    conditional_entropy,
    domain_entropies,
    entropy_mixture,
    joint_entropy,
    tokenize,
    unigram_entropy,
)


def test_exact_cases():
    tokens = list("abcd") * 1000
    assert unigram_entropy(tokens, correction=False, base=np.e) == pytest.approx(
        np.log(4), rel=1e-12
    )
    assert unigram_entropy(tokens, base=np.e) == pytest.approx(1.3866694, abs=1e-7)
    assert conditional_entropy(tokens, correction=False) == 0.0
    repeated = list("aab") * 1000
    assert unigram_entropy(repeated, correction=False) == pytest.approx(0.9182958, abs=1e-7)
    assert conditional_entropy(repeated, correction=False) == pytest.approx(0.666889, abs=1e-6)


def test_uniform_symbols_bias_and_correction():
    rng = np.random.default_rng(0)
    K, N = 50, 2000
    tokens = rng.integers(0, K, N).tolist()
    plugin = unigram_entropy(tokens, correction=False, base=np.e)
    corrected = unigram_entropy(tokens, base=np.e)
    assert plugin == pytest.approx(np.log(K) - (K - 1) / (2 * N), abs=3 / np.sqrt(N))
    assert abs(corrected - np.log(K)) < abs(plugin - np.log(K))


def test_geometric_distribution():
    rng = np.random.default_rng(1)
    p, N = 0.3, 20000
    tokens = rng.geometric(p, N).tolist()
    analytic = (-(1 - p) * np.log2(1 - p) - p * np.log2(p)) / p
    assert unigram_entropy(tokens) == pytest.approx(analytic, abs=0.02)


def test_markov_chain_conditional_entropy():
    rng = np.random.default_rng(2)
    P = np.array([[0.9, 0.1], [0.4, 0.6]])
    state, chain = 0, []
    for _ in range(50000):
        chain.append(state)
        state = rng.choice(2, p=P[state])
    stationary = np.array([0.8, 0.2])  # solves pi P = pi
    rate = -sum(stationary[i] * P[i, j] * np.log2(P[i, j]) for i in range(2) for j in range(2))
    assert conditional_entropy(chain) == pytest.approx(rate, abs=0.01)
    assert joint_entropy(chain) == pytest.approx(unigram_entropy(chain) + rate, abs=0.01)


def test_maps_and_units():
    bits = {"code": 4.026, "docs": 3.840, "chat": 2.878, "kjv": 4.356}
    np.testing.assert_allclose(
        entropy_mixture(bits, "linear"), [0.2666, 0.2543, 0.1906, 0.2885], atol=1e-4
    )
    np.testing.assert_allclose(
        entropy_mixture(bits, "softmax"), [0.2826, 0.2346, 0.0897, 0.3931], atol=1e-4
    )
    nats = {k: v * np.log(2) for k, v in bits.items()}
    np.testing.assert_allclose(
        entropy_mixture(nats, "softmax"), [0.2788, 0.2450, 0.1258, 0.3504], atol=1e-4
    )
    # the published map is the default: softmax of entropies in nats, T = 1
    pd.testing.assert_series_equal(entropy_mixture(nats), entropy_mixture(nats, "softmax"))
    with pytest.raises(ValueError, match="mapping must be 'linear' or 'softmax', got 'power'"):
        entropy_mixture(bits, "power")
    with pytest.raises(ValueError, match="temperature must be positive"):
        entropy_mixture(bits, "softmax", temperature=0)


def test_domain_entropies_use_equal_samples():
    texts = {"a": "the cat sat on the mat " * 50, "b": "one two three four five six " * 50}
    table = domain_entropies(texts, n_tokens=200)
    assert list(table.index) == ["a", "b"]
    assert (table["conditional"] >= table["conditional_plugin"]).all()
    with pytest.raises(ValueError, match="domain 'a' has 300 tokens, fewer than n_tokens = 1000"):
        domain_entropies(texts, n_tokens=1000)
    assert tokenize("Hi, there!") == ["hi", ",", "there", "!"]
    assert tokenize("é", unit="byte") == [195, 169]
