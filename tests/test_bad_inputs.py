"""Every bad or implausible input a researcher's review found (issue 20): a refusal or a warning, one sentence each.

Refusals are :class:`lawlib.ValidationError` naming what is wrong, before any
fitting; implausible inputs fit, with a :class:`lawlib.FitWarning` (or a note)
naming the column. The command line's cases run in a subprocess.
"""

import json
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import lawlib
from conftest import ROOT
from lawlib import (
    ChinchillaLaw,
    DataConstrainedLaw,
    FitWarning,
    KaplanLaw,
    ValidationError,
    fit_bimix,
    fit_isoflop,
    fit_parametric,
    fit_power_law,
    optimize_mixture,
    plan_sweep,
)
from lawlib.data import DATA_DIR, load

LAW = ChinchillaLaw.published("besiroglu2024")
RNG = np.random.default_rng(0)
GRID_N = np.repeat(np.geomspace(4e7, 3e9, 5), 5)
GRID_D = np.tile(np.geomspace(1e9, 1e11, 5), 5)
YE = load("mixinglaws_5mix")
YE_160M = YE[YE["model"] == "160M"]


def warned(call) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if issubclass(w.category, FitWarning)]


# -- refusals, before any fitting ------------------------------------------------------------
REFUSALS = [
    (  # losses unrelated to N and D
        lambda: fit_parametric(GRID_N, GRID_D, 3 + RNG.normal(0, 0.05, 25)),
        "the loss does not depend on 'N'",
    ),
    (
        lambda: ChinchillaLaw(E=-1, A=400, B=400, alpha=-0.2, beta=0.3),
        "E must be a finite number >= 0",
    ),
    (
        lambda: ChinchillaLaw(E=-1, A=400, B=400, alpha=-0.2, beta=0.3),
        "alpha must be a finite number > 0",
    ),
    (
        lambda: ChinchillaLaw(E=1.7, A=400, B=400, alpha=0.3, beta=-0.3),
        "beta must be a finite number > 0",
    ),
    (  # every run at one step
        lambda: fit_bimix(YE_160M[YE_160M["step"] == 30000]),
        "every run is at one step (30000): BiMix cannot learn",
    ),
    (  # one mixture
        lambda: fit_bimix(YE_160M[YE_160M["run_id"] == YE_160M["run_id"].iloc[0]]),
        "every run trains it at one proportion",
    ),
    (  # model sizes pooled under another column name
        lambda: fit_bimix(YE.rename(columns={"model": "size"})),
        "column 'size' takes 5 values",
    ),
    (
        lambda: fit_power_law(np.logspace(6, 9, 10), np.linspace(3, 2, 10), delta=-1),
        "delta must be a number > 0",
    ),
    (
        lambda: fit_power_law(np.logspace(6, 9, 10), np.linspace(3, 2, 10), delta=0),
        "delta must be a number > 0",
    ),
    (lambda: KaplanLaw.published("kaplan2020").loss_N(-1), "N: must be positive"),
    (
        lambda: LAW.compute_optimal(1e22, flops_per_token=0),
        "flops_per_token must be a finite number > 0",
    ),
    (
        lambda: DataConstrainedLaw.published("muennighoff2023").effective_data(-1, 1),
        "D: must be finite and positive",
    ),
    (lambda: plan_sweep(LAW, 1e20, 1e22, noise=-1), "noise must be a finite number >= 0, got -1"),
    (
        lambda: plan_sweep(LAW, 1e20, 1e22, n_budgets=2),
        "n_budgets must be a whole number >= 3, got 2",
    ),
    (  # constant losses
        lambda: fit_parametric(GRID_N, GRID_D, np.full(25, 2.5)),
        "column 'loss' holds one value (2.5) in all 25 runs",
    ),
    (
        lambda: fit_isoflop(GRID_N, GRID_D, LAW.loss(GRID_N, GRID_D), n_nearest=0),
        "n_nearest must be a whole number >= 3",
    ),
    (lambda: fit_bimix([1, 2, 3]), "data must be a DataFrame, got list"),
    (
        lambda: optimize_mixture(fit_bimix(YE_160M).law, -1),
        "steps must be a finite number > 0, got -1",
    ),
    (
        lambda: optimize_mixture(LAW, 3e4),
        "takes a BiMixLaw or a MixingLaw (a fit's .law), got ChinchillaLaw",
    ),
]


@pytest.mark.parametrize(("call", "message"), REFUSALS, ids=[m[:40] for _, m in REFUSALS])
def test_bad_input_is_refused_by_name(call, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        with pytest.raises(ValidationError) as caught:
            call()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)  # one line


def test_predict_with_the_wrong_inputs_is_refused():
    fit = fit_parametric(GRID_N, GRID_D, LAW.loss(GRID_N, GRID_D))
    with pytest.raises(
        ValidationError, match=r"takes 2 input\(s\) \(N, D\) or one DataFrame; got 1"
    ):
        fit.predict(1e9)
    with pytest.raises(ValidationError, match="predict needs the columns N, D"):
        fit.predict(pd.DataFrame({"params": [1e9]}))


def test_bootstrap_refuses_a_fit_made_with_other_settings():
    loss = LAW.loss(GRID_N, GRID_D) * np.exp(RNG.normal(0, 0.005, 25))
    tied = fit_parametric(GRID_N, GRID_D, loss, equal_exponents=True)
    with pytest.raises(ValidationError, match="fit holds beta fixed or tied"):
        lawlib.bootstrap_parametric(GRID_N, GRID_D, loss, fit=tied, n_resamples=10)
    other = fit_parametric(GRID_N, GRID_D, loss, delta=0.1)
    with pytest.raises(ValidationError, match=r"fit was made with delta = 0\.1"):
        lawlib.bootstrap_parametric(GRID_N, GRID_D, loss, fit=other, n_resamples=10)


def test_every_loader_reads_the_data_dir_it_is_given(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "data")
    for name, joined in (
        ("bimix2024", "bimix2024/mixtures.csv"),
        ("gadre2024_losses", "gadre2024/runs.csv"),
    ):
        (tmp_path / "data" / joined).unlink()
        with pytest.raises(ValidationError, match=f"expects its file at {tmp_path}"):
            load(name, data_dir=tmp_path / "data")
        assert len(load(name)) > 0  # the packaged data is untouched


def test_extreme_weights_find_their_bracket():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # runs without a domain are left out of it
        law = fit_bimix(YE_160M).law
    found = optimize_mixture(law, 3e4, weights=[1e-12, 1.0, 1.0, 1.0, 1e12])
    assert found.proportions.sum() == pytest.approx(1.0) and found.proportions["internet"] > 0.9


# -- implausible inputs: warned, naming the column -------------------------------------------
def test_sizes_in_millions_are_a_warning_naming_the_column():
    messages = warned(lambda: fit_parametric(GRID_N / 1e6, GRID_D, LAW.loss(GRID_N, GRID_D)))
    assert any("column 'N' has a median of" in m and "millions or billions" in m for m in messages)
    assert any("N looks like it is given in millions" in m for m in messages)
    notes = fit_isoflop(*_isoflop(), flops_per_token=6.0).notes  # allocation fits keep them too
    assert notes == []
    n, d, loss, c = _isoflop()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        scaled = fit_isoflop(n / 1e6, d, loss, c)
    assert any("column 'N' has a median" in note for note in scaled.notes)


def _isoflop():
    rows = []
    for budget in (1e19, 1e20, 1e21):
        for n in LAW.compute_optimal(budget)[0] * np.logspace(-0.5, 0.5, 7):
            rows.append((n, budget / (6 * n), budget))
    n, d, c = (np.array(v) for v in zip(*rows, strict=True))
    return n, d, LAW.loss(n, d), c


def test_swapped_columns_are_a_warning():
    n = np.repeat(np.geomspace(1e8, 3e9, 5), 5)
    d = n * np.tile(np.geomspace(5, 100, 5), 5)
    messages = warned(lambda: fit_parametric(d, n, LAW.loss(n, d)))
    assert any("are the two columns swapped?" in m for m in messages)


def test_an_answer_far_beyond_the_runs_is_flagged():
    fit = fit_parametric(GRID_N, GRID_D, LAW.loss(GRID_N, GRID_D), budget=1e30)
    note = next(n for n in fit.notes if n.startswith("extrapolation"))
    assert "decades of compute above the largest run" in note
    assert note in fit.summary().as_text()


def test_fitted_exponents_at_or_below_zero_are_a_failed_fit():
    x = np.logspace(6, 9, 12)
    rising = 2.0 + 0.2 * np.log10(x) + RNG.normal(0, 0.01, 12)  # the loss grows with x
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        fit = fit_power_law(x, rising)
    assert not fit.converged and fit.notes[0].startswith("the fit failed: alpha = ")
    assert "Converged     NO" in fit.summary().as_text()


# -- no false alarms ------------------------------------------------------------------------
def test_two_seeds_at_one_point_are_not_repeated_runs():
    x = np.repeat(np.logspace(6, 9, 6), 2)
    loss = PowerLawish(x) * np.exp(RNG.normal(0, 0.01, 12))
    assert not [m for m in warned(lambda: fit_power_law(x, loss)) if "repeat" in m]


def PowerLawish(x):
    return lawlib.PowerLaw(1.7, 400.0, 0.34)(x)


def test_the_generic_bootstrap_counts_unidentifiable_resamples():
    x = np.logspace(6, 9, 5)
    loss = PowerLawish(x) * np.exp(RNG.normal(0, 0.01, 5))
    boot = lawlib.bootstrap(lawlib.fit_power_law, {"x": x, "loss": loss}, n_resamples=40, seed=1)
    assert (
        boot.n_unidentifiable > 0
        and len(boot.samples) + boot.n_unidentifiable + boot.n_failed == 40
    )


# -- the command line -----------------------------------------------------------------------
def lawlib_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lawlib", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize(
    ("budget", "warning"),
    [
        ("1", "N_opt = 0.0477 parameters, below 1,000"),
        ("1", "18.1 decades of compute below the smallest run"),
        ("1e100", "77.9 decades of compute above the largest run"),
    ],
)
def test_optimal_warns_far_outside_the_published_fit(budget, warning):
    text = lawlib_cli("optimal", "--budget", budget, "--law", "besiroglu2024")
    assert (
        text.returncode == 0
        and "warning: extrapolation: " in text.stdout
        and warning in text.stdout
    )
    result = json.loads(lawlib_cli("optimal", "--budget", budget, "--json").stdout)
    assert any(warning in w for w in result["warnings"])


def test_an_internal_error_is_not_reported_as_bad_input(monkeypatch, capsys):
    from lawlib import cli

    def broken(args):
        raise RuntimeError("a bug")

    parser = cli.parser
    monkeypatch.setattr(cli, "parser", lambda: _with_default(parser(), "optimal", broken))
    assert cli.main(["optimal", "--budget", "1e22"]) == 1
    assert "internal error, please report" in capsys.readouterr().err


def _with_default(parser, command, run):
    for action in parser._subparsers._group_actions:
        action.choices[command].set_defaults(run=run)
    return parser
