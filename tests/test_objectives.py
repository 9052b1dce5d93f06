"""The Huber-on-log-residual objective: values, gradients, numerical stability."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawlib.objectives import huber, huber_log_objective, log_model


def test_huber_branches():
    r = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(huber(r, 1.0), [2.5, 0.125, 0.0, 0.125, 2.5])
    np.testing.assert_allclose(huber(r, np.inf), r**2 / 2)


def test_log_model_matches_direct_formula_and_survives_large_terms():
    logx = np.log(np.array([[1e8, 1e10], [1e9, 1e11]]))
    theta = np.array([[np.log(1.7), np.log(400.0), 0.34, np.log(2000.0), 0.37]])
    direct = 1.7 + 400.0 / np.exp(logx[:, 0]) ** 0.34 + 2000.0 / np.exp(logx[:, 1]) ** 0.37
    logpred, weights = log_model(theta, logx)
    np.testing.assert_allclose(np.exp(logpred[0]), direct, rtol=1e-12)
    np.testing.assert_allclose(weights.sum(axis=2), 1.0)
    huge = np.array([[800.0, 900.0, 0.0]])  # exp(900) overflows; LSE must not
    assert np.isfinite(log_model(huge, logx[:, :1])[0]).all()


@settings(max_examples=40, deadline=None)
@given(
    e=st.floats(-1, 1), a=st.floats(0, 10), alpha=st.floats(0.05, 1.0), b=st.floats(0, 10), beta=st.floats(0.05, 1.0),
    delta=st.sampled_from([1e-3, 1e-1, np.inf]), reduction=st.sampled_from(["sum", "mean"]),
)
def test_gradient_matches_central_differences(e, a, alpha, b, beta, delta, reduction):
    rng = np.random.default_rng(0)
    logx = np.log(np.column_stack([np.logspace(7, 10, 25), np.logspace(9, 12, 25)]))
    logy = np.log(1.8 + rng.uniform(0.1, 2.0, 25))
    theta = np.array([e, a, alpha, b, beta])
    value, grad = huber_log_objective(theta[None], logx, logy, delta, reduction)
    step = 1e-6
    numeric = np.array([
        (huber_log_objective((theta + step * unit)[None], logx, logy, delta, reduction)[0][0]
         - huber_log_objective((theta - step * unit)[None], logx, logy, delta, reduction)[0][0]) / (2 * step)
        for unit in np.eye(5)
    ])
    np.testing.assert_allclose(grad[0], numeric, rtol=1e-4, atol=1e-8 * max(1.0, abs(value[0])))


def test_batch_rows_equal_single_evaluations():
    logx = np.log(np.logspace(6, 9, 10))[:, None]
    logy = np.log(np.linspace(3, 2, 10))
    batch = np.array([[0.5, 5.0, 0.3], [0.0, 10.0, 0.7], [1.0, 2.0, 0.1]])
    values, grads = huber_log_objective(batch, logx, logy, 1e-3)
    for row, value, grad in zip(batch, values, grads):
        single_value, single_grad = huber_log_objective(row[None], logx, logy, 1e-3)
        assert value == pytest.approx(single_value[0], rel=1e-14)
        np.testing.assert_allclose(grad, single_grad[0], rtol=1e-12)


def test_mean_is_sum_over_n_and_bad_reduction_is_named():
    logx = np.log(np.logspace(6, 9, 8))[:, None]
    logy = np.log(np.linspace(3, 2, 8))
    theta = np.array([[0.5, 5.0, 0.3]])
    total, _ = huber_log_objective(theta, logx, logy, 1e-3, "sum")
    mean, _ = huber_log_objective(theta, logx, logy, 1e-3, "mean")
    assert mean[0] == pytest.approx(total[0] / 8)
    with pytest.raises(ValueError, match="reduction must be 'sum' or 'mean', got 'median'"):
        huber_log_objective(theta, logx, logy, 1e-3, "median")
