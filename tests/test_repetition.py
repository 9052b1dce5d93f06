"""Data-constrained scaling (Muennighoff et al. 2023): published values, reductions, the decay fit.

Targets: shared/reference/repetition-and-filtering.md, section 6.1.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawlib.data import load
from lawlib.objectives import huber
from lawlib.repetition import DataConstrainedLaw, fit_decay, profile_decay
from lawlib.validation import ValidationError

LAW = DataConstrainedLaw.published("muennighoff2023")


@pytest.fixture(scope="module")
def runs():
    frame = load("datablations_c4")
    return frame[frame["in_default_fit"]]


def test_readme_values():
    assert LAW.loss(6.34e9, 242e9, 25e9) == pytest.approx(2.2256440889984477, abs=1e-9)
    assert LAW.loss(8.67e9, 178e9, 25e9) == pytest.approx(2.2269634075087867, abs=1e-9)


def test_intermediates_and_effective_data():
    assert LAW.chinchilla.G == pytest.approx(0.22580194343, rel=1e-9)
    assert LAW.optimal_parameters(25e9) == pytest.approx(1.2746629e9, rel=1e-7)
    assert LAW.effective_data(4e9, 1e9) / 1e9 == pytest.approx(3.7257, rel=1e-4)
    assert LAW.effective_data(16e9, 1e9) / 1e9 == pytest.approx(10.5825, rel=1e-4)
    assert LAW.effective_data(1e18, 1e9) / 1e9 == pytest.approx(1 + 15.387756, rel=1e-9)
    assert LAW.chinchilla.tokens_per_parameter(1e21) == pytest.approx(19.61, rel=1e-3)


@settings(max_examples=50, deadline=None)
@given(log_u=st.floats(8, 13), share=st.floats(0.01, 1.0), extra=st.floats(1.0, 3.0))
def test_without_repetition_it_is_the_chinchilla_law(log_u, share, extra):
    U = 10.0**log_u
    for D in (U, U / extra):  # D = U, and U larger than D (only D unique tokens are seen)
        N = share * LAW.optimal_parameters(D)  # at most N_opt(D): no excess parameters
        assert LAW.loss(N, D, U) == pytest.approx(LAW.chinchilla.loss(N, D), rel=1e-12)


def test_repetition_and_excess_parameters_only_hurt():
    assert LAW.loss(1e9, 4e10, 1e10) > LAW.chinchilla.loss(1e9, 4e10)
    big = 10 * LAW.optimal_parameters(1e10)
    assert LAW.loss(big, 1e10, 1e10) > LAW.chinchilla.loss(big, 1e10)


def test_fit_statistics_with_published_constants(runs):
    predicted = LAW.loss(runs["N"], runs["D"], runs["U"])
    r2 = 1 - np.sum((runs["loss"] - predicted) ** 2) / np.sum(
        (runs["loss"] - runs["loss"].mean()) ** 2
    )
    assert r2 == pytest.approx(0.7722046, abs=1e-6)
    objective = huber(np.log(predicted) - np.log(runs["loss"]), 1e-3).sum()
    assert objective == pytest.approx(0.0158259, rel=1e-4)
    assert len(runs) == 182


def test_refit_lands_on_the_ridge(runs):
    fit = fit_decay(runs["N"], runs["D"], runs["U"], runs["loss"])
    assert fit.converged
    assert float(fit.objective) <= 0.015826 + 1e-5  # anywhere on the ridge, not particular values
    assert fit.derived["r_squared"] > 0.77


def test_profile_is_flat_along_the_ridge(runs):
    profile = profile_decay(runs["N"], runs["D"], runs["U"], runs["loss"], [5, 15.387756, 95, 1000])
    np.testing.assert_allclose(
        profile["objective"], [0.016160, 0.015826, 0.015805, 0.015878], atol=2e-6
    )
    np.testing.assert_allclose(profile["R_N_star"], [19.1, 5.31, 1.71, 0.93], rtol=0.02)


def test_readme_allocation_scan():
    n0, d0, u = 8.67e9, 178e9, 25e9
    factors = np.linspace(1.0001, 3, 500)
    candidates = (
        [(n0, d0)] + [(n0 / f, d0 * f) for f in factors] + [(n0 * f, d0 / f) for f in factors]
    )
    losses = [LAW.loss(n, d, u) for n, d in candidates]
    n_best, d_best = candidates[int(np.argmin(losses))]
    assert d_best == pytest.approx(2.2653e11, rel=1e-3)
    assert n_best == pytest.approx(6.813e9, rel=1e-3)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"U": [1e9, 5e9, 1e9]},
            r"column 'U': 1 of 3 runs have more unique tokens than tokens trained on \('D'\); first at row 1",
        ),
        (
            {"loss": [3.0, -1.0, 2.5]},
            r"column 'loss': 1 of 3 values are not positive \(first -1\), in rows 1",
        ),
        ({"N": [1e8, np.nan, 1e8]}, r"column 'N': 1 values are missing or infinite, in rows 1"),
        ({"D": [1e9] * 3}, r"no run repeats its data \(D <= U in all 3 runs\)"),
    ],
)
def test_bad_input(override, message):
    columns = {"N": [1e8] * 3, "D": [2e9] * 3, "U": [1e9] * 3, "loss": [3.0, 2.9, 2.8], **override}
    with pytest.raises(ValidationError, match=message):
        fit_decay(columns["N"], columns["D"], columns["U"], columns["loss"])


def test_compute_optimal_matches_the_brute_force_scan():
    # the README scan above, now a method: within the scan's resolution of the optimum
    C = 6 * 8.67e9 * 178e9
    n_opt, d_opt = LAW.compute_optimal(C, U=25e9)
    assert float(d_opt) == pytest.approx(2.2653e11, rel=2e-3)
    assert float(n_opt) == pytest.approx(6.813e9, rel=2e-3)
    grid = np.geomspace(n_opt / 1.01, n_opt * 1.01, 2001)
    brute = grid[np.argmin(LAW(grid, C / (6 * grid), 25e9))]
    assert float(n_opt) == pytest.approx(brute, rel=2e-5)
    # with data to spare there is no repetition, and the optimum is Chinchilla's closed form
    np.testing.assert_allclose(
        LAW.compute_optimal(1e21, U=1e15), LAW.chinchilla.compute_optimal(1e21), rtol=1e-6
    )


def test_shared_verbs():
    assert LAW.params.to_dict()["R_D_star"] == pytest.approx(15.387756)
    assert DataConstrainedLaw.from_params(LAW.params) == LAW
    assert LAW(6.34e9, 242e9, 25e9) == LAW.loss(6.34e9, 242e9, 25e9)
    assert DataConstrainedLaw.published("muennighoff2023") == LAW
    with pytest.raises(ValueError, match="choose one of muennighoff2023"):
        DataConstrainedLaw.published("chinchilla")
    with pytest.raises(ValueError, match=r"U: must be positive \[unique tokens\]; got -1"):
        LAW.compute_optimal(1e21, U=-1.0)
