"""Multi-start optimisation: global choice, notes, convergence decisions."""

import numpy as np
import pytest

from lawlib.optimize import multistart


def double_well(theta, rows=None):
    """f(x) = (x^2 - 1)^2 + 0.1 x: minima near -1 (lower) and +1."""
    x = theta[:, 0]
    return (x**2 - 1) ** 2 + 0.1 * x, (4 * x * (x**2 - 1) + 0.1)[:, None]


def test_best_of_many_starts_is_the_global_minimum():
    outcome = multistart(double_well, [[2.0], [0.5], [-2.0]])
    assert outcome.converged
    assert outcome.x[0] == pytest.approx(-1.0125, abs=1e-3)
    assert outcome.start_values.shape == (3,)
    assert np.sum(np.isclose(outcome.start_values, outcome.value)) == 1


def test_single_start_can_be_trapped():
    outcome = multistart(double_well, [[2.0]])
    assert outcome.x[0] > 0


def symmetric(theta, rows=None):
    x = theta[:, 0]
    return (x**2 - 1) ** 2, (4 * x * (x**2 - 1))[:, None]


def test_tied_optima_at_different_points_are_reported():
    outcome = multistart(symmetric, [[2.0], [-2.0]], names=["x"])
    assert any("other starts reach the best objective" in note for note in outcome.notes)


def test_optimum_on_a_bound_is_reported():
    def slope(theta, rows=None):
        return theta[:, 0], np.ones_like(theta)

    outcome = multistart(slope, [[0.5]], bounds=[(0.0, 1.0)], names=["w"])
    assert outcome.x[0] == pytest.approx(0.0)
    assert any("sits on a bound for w" in note for note in outcome.notes)


def test_scipy_and_batched_engines_agree():
    batched = multistart(double_well, [[2.0], [0.5], [-2.0]], engine="batched")
    scipy = multistart(double_well, [[2.0], [0.5], [-2.0]], engine="scipy")
    assert batched.x[0] == pytest.approx(scipy.x[0], abs=1e-8)
    with pytest.raises(ValueError, match="engine must be 'batched' or 'scipy', got 'adam'"):
        multistart(double_well, [[0.0]], engine="adam")


def test_batched_bfgs_gives_each_start_its_own_data():
    from lawlib.optimize import batched_bfgs

    targets = np.array([1.0, -2.0, 3.5])

    def shifted(theta, rows):
        return (theta[:, 0] - targets[rows]) ** 2, 2 * (theta[:, :1] - targets[rows, None])

    x, _f, converged = batched_bfgs(shifted, np.zeros((3, 1)))
    np.testing.assert_allclose(x[:, 0], targets, atol=1e-6)
    assert converged.all()
