"""Data-filtering laws (Goyal et al. 2024): released fits reproduced, paper vs code form, pools combined.

Targets: shared/reference/repetition-and-filtering.md, section 6.2.
"""

import json

import numpy as np
import pandas as pd
import pytest

from lawlib import FitWarning, ValidationError
from lawlib.data import DATA_DIR, load
from lawlib.filtering import (
    Pool,
    best_pool,
    combine_pools,
    effective_samples,
    error_code_form,
    error_paper_form,
    fit_pool,
    paper_scale,
    switch_points,
)

A, D, SIZE = 0.025, 0.1, 12.8e6


@pytest.fixture(scope="module")
def buckets():
    params = load("goyal2024_params").query("fit_id == 'tmars_imagenet1k_utility'")
    return {
        row.pool: Pool.single(row.b, row.tau, row.size, a=A, d=D, name=row.pool_label)
        for row in params.itertuples()
    }


@pytest.fixture(scope="module")
def cumulative(buckets):
    order = ["tmars_top0to10p", "tmars_top10to20p", "tmars_top20to30p", "tmars_top30to40p"]
    return [
        combine_pools([buckets[name] for name in order[:k]], name="+".join(order[:k]))
        for k in range(1, 5)
    ]


def test_tidy_parameters_match_the_released_jsonl():
    tidy = load("goyal2024_params")
    for line in (DATA_DIR / "goyal2024" / "parameter_values.jsonl").read_text().splitlines():
        record = json.loads(line)
        rows = tidy[tidy["fit_id"] == record["id"]].set_index("pool").loc[record["names"]]
        np.testing.assert_allclose(rows["b"], record["b_values"])
        np.testing.assert_allclose(rows["tau"], record["c_values"])
        assert (rows["a"] == record["best_a"]).all()


def test_code_form_matches_the_derived_table(buckets, cumulative):
    table = pd.read_csv(DATA_DIR / "goyal2024" / "derived_predictions_tmars_imagenet.csv")
    pools = {
        **dict(buckets.items()),
        **{pool.name: pool for pool in cumulative},
    }
    for row in table.itertuples():
        assert error_code_form(pools[row.buckets], row.samples_seen)[0] == pytest.approx(
            row.predicted_error, abs=1e-6
        )
    assert len(table) == 41


def test_published_accuracies(cumulative):
    accuracy = 100 * (
        1 - best_pool(cumulative, [32e6, 128e6, 640e6]).drop(columns=["best", "best_error"])
    )
    assert accuracy.iloc[0, 0] == pytest.approx(18.2471, abs=1e-4)
    assert accuracy.iloc[1, 1] == pytest.approx(29.6000, abs=1e-4)
    assert accuracy.iloc[2, 1] == pytest.approx(38.5524, abs=1e-4)
    assert accuracy.iloc[2, 3] == pytest.approx(35.1359, abs=1e-4)


def test_best_pool_switches_from_aggressive_to_lenient(cumulative):
    frontier = best_pool(cumulative, np.logspace(7, np.log10(2e10), 3000))
    switches = switch_points(frontier)
    assert len(switches) == 2
    assert (
        switches.loc[0, "n"] == pytest.approx(1.01e8, rel=0.05)
        and switches.loc[0, "to"] == cumulative[1].name
    )
    assert (
        switches.loc[1, "n"] == pytest.approx(1.10e9, rel=0.05)
        and switches.loc[1, "to"] == cumulative[2].name
    )
    assert cumulative[3].name not in set(frontier["best"])


def test_paper_and_code_forms_differ(buckets, cumulative):
    top = buckets["tmars_top0to10p"]
    gaps = [
        100 * (error_paper_form(top, k * SIZE) - error_code_form(top, k * SIZE))[0]
        for k in (2, 10, 50)
    ]
    np.testing.assert_allclose(gaps, [0.95, 2.34, 2.60], atol=0.01)
    n = np.linspace(1e6, SIZE, 20)  # within the first pass both are a n^b + d
    np.testing.assert_allclose(error_paper_form(top, n), error_code_form(top, n), rtol=1e-12)
    paper_switches = switch_points(best_pool(cumulative, np.logspace(7, 10, 3000), form="paper"))
    assert paper_switches.loc[0, "n"] == pytest.approx(8.2e7, rel=0.03)


def test_internal_consistency(buckets):
    top, low = buckets["tmars_top0to10p"], buckets["tmars_top30to40p"]
    assert paper_scale(A, top) == pytest.approx(11.38, abs=0.01)
    n = np.logspace(6, 9.3, 400)  # beyond ~150 epochs the factors are 1 to machine precision
    error = error_code_form(top, n)
    assert np.all(np.diff(error) < 0)  # strictly decreasing
    # at an exact epoch boundary the last factor is neutral: continuous across it
    for k in (1, 3):
        below, at = error_code_form(top, [k * SIZE * (1 - 1e-12), k * SIZE])
        assert below == pytest.approx(at, rel=1e-9)
    assert error_code_form(top, 1e13)[0] == pytest.approx(0.688131, abs=1e-5)  # the floor
    assert error_code_form(low, 1e13)[0] == pytest.approx(0.922031, abs=1e-5)


def test_combining_identical_pools_stretches_the_half_life():
    pool = Pool.single(b=-0.12, tau=4.0, size=SIZE, a=A, d=D, name="x")
    for p in (2, 3, 5):
        combined = combine_pools([pool] * p)
        stretched = Pool.single(b=-0.12, tau=p * 4.0, size=p * SIZE, a=A, d=D)
        n = np.logspace(6, 10, 50)
        np.testing.assert_allclose(
            error_code_form(combined, n), error_code_form(stretched, n), rtol=1e-12
        )
        np.testing.assert_allclose(
            combined.utility(np.arange(30)), stretched.utility(np.arange(30)), rtol=1e-12
        )


def test_fit_pool_recovers_a_known_pool():
    truth = Pool.single(b=-0.137, tau=5.3, size=SIZE, a=A, d=D)
    n = SIZE * np.array([2, 4, 6, 8, 10])
    rng = np.random.default_rng(0)
    error = error_code_form(truth, n) + rng.normal(0, 5e-4, n.size)
    fit = fit_pool(n, error, size=SIZE, a=A, d=D)
    assert fit.params["b"] == pytest.approx(-0.137, abs=0.01)
    assert fit.params["tau"] == pytest.approx(5.3, rel=0.3)
    assert float(fit.objective) <= np.sum((error_code_form(truth, n) - error) ** 2)
    exact = fit_pool(n, error_code_form(truth, n), size=SIZE, a=A, d=D)
    assert exact.params["b"] == pytest.approx(-0.137, rel=1e-3) and exact.params[
        "tau"
    ] == pytest.approx(5.3, rel=1e-2)


def test_bad_input():
    with pytest.raises(ValidationError, match=r"Pool: b must be a finite number < 0, got 0\.1"):
        Pool.single(b=0.1, tau=2.0, size=SIZE, a=A, d=D)
    with pytest.raises(ValidationError, match="combine_pools: needs pools of equal size"):
        combine_pools(
            [Pool.single(-0.1, 2.0, SIZE, a=A, d=D), Pool.single(-0.1, 2.0, 2 * SIZE, a=A, d=D)]
        )
    with pytest.raises(ValidationError, match="combine_pools: needs pools of one law"):
        combine_pools(
            [Pool.single(-0.1, 2.0, SIZE, a=A, d=D), Pool.single(-0.1, 2.0, SIZE, a=A, d=0.0)]
        )
    with pytest.raises(ValidationError, match=r"column 'error': 1 of 3 values are not positive"):
        fit_pool([1e7, 2e7, 3e7], [0.9, -0.8, 0.7], size=SIZE, a=A, d=D)
    with pytest.raises(ValidationError, match="form must be 'code' or 'paper', got 'digest'"):
        best_pool([Pool.single(-0.1, 2.0, SIZE, a=A, d=D)], [1e7], form="digest")
    with pytest.raises(ValidationError, match="n: must be finite and positive"):
        error_code_form(Pool.single(-0.1, 2.0, SIZE, a=A, d=D), [-1.0])


def test_pools_are_laws_with_published_constants(buckets):
    for name, pool in buckets.items():
        published = Pool.published(name)
        assert published == pool  # the released fit, from lawlib.presets
        assert Pool.from_params(published.params) == published
    combined = combine_pools(list(buckets.values())[:3])
    assert Pool.from_params(combined.params) == combined
    n = np.array([3e7, 3e8])
    np.testing.assert_allclose(combined(n), error_code_form(combined, n), rtol=0)
    np.testing.assert_allclose(combined.predict(pd.DataFrame({"n": n})), combined(n), rtol=0)


def test_effective_samples():
    pool = Pool.single(b=-0.12, tau=4.0, size=SIZE, a=A, d=D)
    n = np.array([0.3, 1.0]) * SIZE
    np.testing.assert_allclose(effective_samples(pool, n), n, rtol=1e-12)  # first pass: all fresh
    later = effective_samples(pool, 10 * SIZE)[0]
    assert SIZE < later < 10 * SIZE
    lasting = Pool.single(
        b=-0.12, tau=1e9, size=SIZE, a=A, d=D
    )  # no decay: every pass is as good as fresh
    assert effective_samples(lasting, 10 * SIZE)[0] == pytest.approx(10 * SIZE, rel=1e-6)
    # the reducible error of the paper form equals that of n_eff fresh samples
    n_eff = effective_samples(pool, 7.5 * SIZE)[0]
    assert error_paper_form(pool, 7.5 * SIZE, 2.0)[0] == pytest.approx(
        2.0 * n_eff**-0.12 + 0.1, rel=1e-10
    )


def test_fit_pool_is_honest_when_the_refinement_stalls():
    truth = Pool.single(b=-0.137, tau=5.3, size=SIZE, a=A, d=D)
    n = SIZE * np.array([2, 4, 6, 8, 10])
    error = error_code_form(truth, n)
    # a one-point grid holding the exact answer: the refinement has nowhere to go, and the
    # result must not claim a converged refinement it never made
    with pytest.warns(FitWarning, match="the refinement stayed at the grid point"):
        fit = fit_pool(n, error, size=SIZE, a=A, d=D, b_grid=[-0.137], tau_grid=[5.3])
    assert not fit.converged
    assert fit.notes[0] == "the optimizer did not converge: the refinement stayed at the grid point"
