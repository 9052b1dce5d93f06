"""Gadre et al.'s map from validation loss to average top-1 error."""

import numpy as np
import pytest

from lawlib import DownstreamLaw, ValidationError, fit_downstream

TRUTH = DownstreamLaw(epsilon=0.86, k=2.5, gamma=0.72)


def test_recovers_a_known_map_exactly_and_under_noise():
    loss = np.linspace(2.4, 4.2, 20)
    fit = fit_downstream(loss, TRUTH.error(loss))
    assert fit.converged
    np.testing.assert_allclose(fit.params, TRUTH.params, rtol=1e-6)
    assert fit.derived["r_squared"] == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    noisy = fit_downstream(loss, TRUTH.error(loss) + rng.normal(0, 0.003, loss.size))
    assert noisy.params["gamma"] == pytest.approx(0.72, rel=0.25)
    assert np.max(np.abs(noisy.law.error(loss) - TRUTH.error(loss))) < 0.004


def test_inverse_and_shared_verbs():
    assert TRUTH(3.0) == TRUTH.error(3.0)
    loss = np.array([2.5, 3.0, 3.5])
    np.testing.assert_allclose(TRUTH.loss_for_error(TRUTH.error(loss)), loss, rtol=1e-12)
    assert np.isnan(TRUTH.loss_for_error(0.9))  # above the ceiling epsilon
    assert DownstreamLaw.from_params(TRUTH.params) == TRUTH


def test_data_frame_in_gives_the_same_fit():
    import pandas as pd

    loss = np.linspace(2.4, 4.2, 12)
    frame = pd.DataFrame({"c4": loss, "err": TRUTH.error(loss)})
    by_name = fit_downstream("c4", "err", data=frame)
    by_value = fit_downstream(loss, TRUTH.error(loss))
    np.testing.assert_allclose(by_name.params, by_value.params, rtol=1e-12)


@pytest.mark.parametrize(
    ("loss", "error", "message"),
    [
        (
            [3.0, 2.9, 2.8, 2.7, 2.6],
            [0.5, 0.45, 55.0, 0.4, 0.38],
            r"outside \[0, 1\].*as a fraction",
        ),
        ([3.0, 2.9, -2.8, 2.7, 2.6], [0.5, 0.45, 0.42, 0.4, 0.38], "not positive"),
        ([3.0, 2.9, 2.8, 2.7, 2.6], [0.3, 0.35, 0.4, 0.45, 0.5], "does not fall"),
        ([3.0, 3.0, 3.0, 3.0, 3.0], [0.5, 0.45, 0.42, 0.4, 0.38], "loss"),
    ],
)
def test_bad_input_is_named_before_fitting(loss, error, message):
    with pytest.raises(ValidationError, match=message):
        fit_downstream(loss, error)
