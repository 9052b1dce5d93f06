"""Multi-start optimisation: global choice, notes, convergence decisions."""

import numpy as np
import pytest

from lawlib.optimize import multistart


def double_well(theta):
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


def symmetric(theta):
    x = theta[:, 0]
    return (x**2 - 1) ** 2, (4 * x * (x**2 - 1))[:, None]


def test_tied_optima_at_different_points_are_reported():
    outcome = multistart(symmetric, [[2.0], [-2.0]], names=["x"])
    assert any("other starts reach the best objective" in note for note in outcome.notes)


def test_optimum_on_a_bound_is_reported():
    def slope(theta):
        return theta[:, 0], np.ones_like(theta)

    outcome = multistart(slope, [[0.5]], bounds=[(0.0, 1.0)], names=["w"])
    assert outcome.x[0] == pytest.approx(0.0)
    assert any("sits on a bound for w" in note for note in outcome.notes)
