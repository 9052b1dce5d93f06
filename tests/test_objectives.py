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
    e=st.floats(-1, 1),
    a=st.floats(0, 10),
    alpha=st.floats(0.05, 1.0),
    b=st.floats(0, 10),
    beta=st.floats(0.05, 1.0),
    delta=st.sampled_from([1e-3, 1e-1, np.inf]),
    reduction=st.sampled_from(["sum", "mean"]),
)
def test_gradient_matches_central_differences(e, a, alpha, b, beta, delta, reduction):
    rng = np.random.default_rng(0)
    logx = np.log(np.column_stack([np.logspace(7, 10, 25), np.logspace(9, 12, 25)]))
    logy = np.log(1.8 + rng.uniform(0.1, 2.0, 25))
    theta = np.array([e, a, alpha, b, beta])
    value, grad = huber_log_objective(theta[None], logx, logy, delta, reduction)
    step = 1e-6
    numeric = np.array(
        [
            (
                huber_log_objective((theta + step * unit)[None], logx, logy, delta, reduction)[0][0]
                - huber_log_objective((theta - step * unit)[None], logx, logy, delta, reduction)[0][
                    0
                ]
            )
            / (2 * step)
            for unit in np.eye(5)
        ]
    )
    np.testing.assert_allclose(grad[0], numeric, rtol=1e-4, atol=1e-8 * max(1.0, abs(value[0])))


def test_batch_rows_equal_single_evaluations():
    logx = np.log(np.logspace(6, 9, 10))[:, None]
    logy = np.log(np.linspace(3, 2, 10))
    batch = np.array([[0.5, 5.0, 0.3], [0.0, 10.0, 0.7], [1.0, 2.0, 0.1]])
    values, grads = huber_log_objective(batch, logx, logy, 1e-3)
    for row, value, grad in zip(batch, values, grads, strict=True):
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


def test_weights_count_points_as_if_repeated():
    logx = np.log(np.logspace(6, 9, 6))[:, None]
    logy = np.log(np.array([3.0, 2.8, 2.5, 2.45, 2.3, 2.2]))
    theta = np.array([[0.5, 5.0, 0.3], [0.2, 4.0, 0.25]])
    counts = np.array([[2, 0, 1, 1, 0, 2], [1, 1, 1, 1, 1, 1]])
    for reduction in ("sum", "mean"):
        weighted = huber_log_objective(theta, logx, logy, 1e-3, reduction, weights=counts)
        for row in range(2):
            repeat = np.repeat(np.arange(6), counts[row])
            single = huber_log_objective(
                theta[row : row + 1], logx[repeat], logy[repeat], 1e-3, reduction
            )
            assert weighted[0][row] == pytest.approx(single[0][0], rel=1e-12)
            np.testing.assert_allclose(weighted[1][row], single[1][0], rtol=1e-10)


def test_chunked_problem_equals_direct_evaluation():
    from lawlib.objectives import CHUNK_ROWS, HuberLogProblem

    rng = np.random.default_rng(0)
    logx = np.log(np.column_stack([np.logspace(7, 10, 30), np.logspace(9, 12, 30)]))
    logy = np.log(rng.uniform(2, 4, 30))
    theta = rng.uniform([-1, 0, 0, 0, 0], [1, 20, 1, 20, 1], size=(2 * CHUNK_ROWS + 7, 5))
    problem = HuberLogProblem(logx, logy, 1e-3, center=False)
    value, grad = problem(theta)
    direct_value, direct_grad = huber_log_objective(theta, logx, logy, 1e-3)
    np.testing.assert_array_equal(value, direct_value)
    np.testing.assert_array_equal(grad, direct_grad)
    centred = HuberLogProblem(logx, logy, 1e-3, center=True)
    np.testing.assert_allclose(centred(centred.to_internal(theta))[0], direct_value, rtol=1e-10)
    np.testing.assert_allclose(
        centred.to_external(centred.to_internal(theta)), theta, rtol=1e-12, atol=1e-12
    )
