"""The contract every lawlib fitter and every law keeps: one table of cases, one test per check.

A fitter here is every public ``fit_*`` function, a law every subclass of
:class:`lawlib.law.Law`; a new one that is missing from the tables below
fails :func:`test_every_fitter_and_law_is_in_the_contract`.
"""

import copy
import inspect
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import lawlib
from lawlib import filtering
from lawlib.law import Law
from lawlib.mixtures import BiMixLaw, MixingLaw

RNG = np.random.default_rng(20)


def _isoflop_runs(law=None, budgets=(1e18, 1e19, 1e20, 1e21), per_budget=7, noise=0.004):
    law = law or lawlib.ChinchillaLaw.published("besiroglu2024")
    rows = []
    for budget in budgets:
        n_opt = law.compute_optimal(budget)[0]
        for n in n_opt * np.logspace(-0.6, 0.6, per_budget):
            rows.append({"N": n, "D": budget / (6 * n), "C": budget})
    runs = pd.DataFrame(rows)
    runs["loss"] = law.loss(runs["N"], runs["D"]) * np.exp(noise * RNG.standard_normal(len(runs)))
    return runs


RUNS = _isoflop_runs()
X = np.logspace(6, 10, 25)
POWER = pd.DataFrame(
    {"x": X, "loss": lawlib.PowerLaw(1.7, 400.0, 0.34)(X) * np.exp(0.01 * RNG.standard_normal(25))}
)
DECAY = lawlib.data.load("datablations_c4").query("in_default_fit").reset_index(drop=True)
YE = lawlib.data.load("mixinglaws_5mix").query("model == '70M'").reset_index(drop=True)
YE_ONE_STEP = YE[YE["step"] == 30000].reset_index(drop=True)
POOL = filtering.Pool.single(-0.137, 5.3, 12.8e6, a=0.025, d=0.1)
N_SEEN = POOL.size * np.array([0.5, 1, 2, 4, 6, 8, 10])
POOL_RUNS = pd.DataFrame({"n": N_SEEN, "error": POOL(N_SEEN) + 5e-4 * RNG.standard_normal(7)})
L = np.linspace(2.5, 4.0, 14)
DOWN = pd.DataFrame(
    {"loss": L, "error": lawlib.DownstreamLaw(0.85, 2.0, 0.9)(L) + 0.003 * RNG.standard_normal(14)}
)


def chinchilla_formula(p, frame):
    return p["E"] + p["A"] * frame["N"] ** -p["alpha"] + p["B"] * frame["D"] ** -p["beta"]


def bimix_formula(p, frame):
    get = lambda name: np.array([p[f"{name}[{d}]"] for d in frame["domain"]])  # noqa: E731
    return frame["proportion"] ** -get("alpha") * (
        get("B") * frame["step"] ** -get("beta") + get("C")
    )


def mixing_formula(p, frame):
    domains = [c[2:] for c in frame.columns if c.startswith("p_")]
    out = []
    for _, row in frame.iterrows():
        i = row["domain"]
        exponent = sum(p[f"t[{i}, {j}]"] * row[f"p_{j}"] for j in domains)
        out.append(p[f"c[{i}]"] + p[f"k[{i}]"] * np.exp(exponent))
    return np.array(out)


def decay_formula(p, frame):
    law = lawlib.DataConstrainedLaw.published("muennighoff2023")
    return lawlib.DataConstrainedLaw.from_chinchilla(
        law.chinchilla, R_D_star=p["R_D_star"], R_N_star=p["R_N_star"]
    ).loss(frame["N"], frame["D"], frame["U"])


#: name: (fit(**options), formula(params, frame) of the law's prediction, whether it takes starts,
#: the law's own inputs for new rows as arrays (or None when only frames make sense))
FITTERS = {
    "fit_power_law": (
        lambda **o: lawlib.fit_power_law("x", "loss", data=POWER, **o),
        lambda p, f: p["E"] + p["A"] * f["x"] ** -p["alpha"],
        True,
        lambda f: (f["x"].to_numpy(),),
    ),
    "fit_loglog_line": (
        lambda **o: lawlib.fit_loglog_line("x", "loss", data=POWER, **o),
        lambda p, f: p["A"] * f["x"] ** -p["alpha"],
        False,
        lambda f: (f["x"].to_numpy(),),
    ),
    "fit_parametric": (
        lambda **o: lawlib.fit_parametric("N", "D", "loss", data=RUNS, **o),
        chinchilla_formula,
        True,
        lambda f: (f["N"].to_numpy(), f["D"].to_numpy()),
    ),
    "fit_isoflop": (
        lambda **o: lawlib.fit_isoflop("N", "D", "loss", "C", data=RUNS, **o),
        lambda p, f: p["N_coef"] * f["C"] ** p["a"],
        False,
        lambda f: (f["C"].to_numpy(),),
    ),
    "fit_envelope": (
        lambda **o: lawlib.fit_envelope("N", "D", "loss", "C", data=RUNS, **o),
        lambda p, f: p["N_coef"] * f["C"] ** p["a"],
        False,
        lambda f: (f["C"].to_numpy(),),
    ),
    "fit_decay": (
        lambda **o: lawlib.fit_decay("N", "D", "U", "loss", data=DECAY, **o),
        decay_formula,
        True,
        lambda f: (f["N"].to_numpy(), f["D"].to_numpy(), f["U"].to_numpy()),
    ),
    "fit_pool": (
        lambda **o: lawlib.fit_pool(
            "n", "error", data=POOL_RUNS, size=POOL.size, a=0.025, d=0.1, **o
        ),
        lambda p, f: filtering.Pool.single(p["b"], p["tau"], p["size"], a=p["a"], d=p["d"])(f["n"]),
        False,
        lambda f: (f["n"].to_numpy(),),
    ),
    "fit_bimix": (
        lambda **o: lawlib.fit_bimix(YE, **o),
        bimix_formula,
        False,
        lambda f: (f["domain"].to_numpy(), f["proportion"].to_numpy(), f["step"].to_numpy()),
    ),
    "fit_mixing_law": (
        lambda **o: lawlib.fit_mixing_law(YE_ONE_STEP, **o),
        mixing_formula,
        False,
        None,
    ),
    "fit_downstream": (
        lambda **o: lawlib.fit_downstream("loss", "error", data=DOWN, **o),
        lambda p, f: p["epsilon"] - p["k"] * np.exp(-p["gamma"] * f["loss"]),
        True,
        lambda f: (f["loss"].to_numpy(),),
    ),
}

_FITS: dict = {}


def fitted(name):
    if name not in _FITS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lawlib.FitWarning)
            _FITS[name] = FITTERS[name][0]()
    return _FITS[name]


def test_every_fitter_and_law_is_in_the_contract():
    public = {name for name in lawlib.__all__ if name.startswith("fit_")}
    assert public == set(FITTERS)
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(lawlib.__path__, "lawlib."):
        if module.name != "lawlib.__main__":
            importlib.import_module(module.name)  # every module that could hold a law

    def subclasses(cls):
        return {cls, *[s for c in cls.__subclasses__() for s in subclasses(c)]}

    assert {cls.__name__ for cls in subclasses(Law)} - {"Law"} == set(LAWS)


@pytest.mark.parametrize("name", FITTERS)
def test_predict_is_the_law_at_the_fitted_data(name):
    fit, formula = fitted(name), FITTERS[name][1]
    expected = np.asarray(formula(fit.params, fit.data), dtype=float)
    np.testing.assert_allclose(np.asarray(fit.predict(), dtype=float), expected, rtol=1e-10)
    assert fit.converged, fit.notes


@pytest.mark.parametrize("name", FITTERS)
def test_predict_takes_new_data_as_a_frame_or_the_laws_own_inputs(name):
    fit, formula, _, arrays = fitted(name), FITTERS[name][1], FITTERS[name][2], FITTERS[name][3]
    new = fit.data.iloc[::2]
    expected = np.asarray(formula(fit.params, new), dtype=float)
    np.testing.assert_allclose(np.asarray(fit.predict(new), dtype=float), expected, rtol=1e-10)
    if arrays is not None:
        np.testing.assert_allclose(
            np.asarray(fit.predict(*arrays(new)), dtype=float), expected, rtol=1e-10
        )


@pytest.mark.parametrize("name", FITTERS)
def test_resid_has_one_finite_entry_per_point_used(name):
    fit, formula = fitted(name), FITTERS[name][1]
    resid = fit.resid
    assert len(resid) == len(fit.data) and np.isfinite(resid).all()
    observed = fit.data[fit.observed].to_numpy(dtype=float)
    predicted = np.asarray(formula(fit.params, fit.data), dtype=float)
    expected = np.log(observed / predicted) if fit.residual == "log" else observed - predicted
    np.testing.assert_allclose(resid, expected, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("name", FITTERS)
def test_results_pickle_and_deepcopy(name):
    fit = fitted(name)
    for clone in (pickle.loads(pickle.dumps(fit)), copy.deepcopy(fit)):
        assert clone.params.equals(fit.params) and clone.law == fit.law
        assert clone.summary().as_text() == fit.summary().as_text()


@pytest.mark.parametrize("name", [n for n, case in FITTERS.items() if case[2]])
def test_starts_at_the_optimum_reproduce_the_fit(name):
    fit = fitted(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lawlib.FitWarning)
        again = FITTERS[name][0](starts=fit.x)
    assert again.objective == pytest.approx(fit.objective, rel=1e-9, abs=1e-15)
    np.testing.assert_allclose(again.params, fit.params, rtol=1e-5)


@pytest.mark.parametrize("name", FITTERS)
def test_summary_frame_and_uncertainty_without_a_bootstrap(name):
    fit = fitted(name)
    text = fit.summary().as_text()
    assert re.search(r"Converged\s+yes", text) and "std err" in text
    frame = fit.to_frame()
    assert {"estimate", "std err", "low", "high", "fixed"} <= set(frame.columns)
    free = fit.free
    bse = fit.bse[free]
    assert np.isfinite(bse).all() and (bse > 0).all(), bse
    bounds = fit.conf_int(0.1).loc[free]
    assert ((bounds["low"] < fit.params[free]) & (fit.params[free] < bounds["high"])).all()
    cov = fit.cov_params()
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), bse, rtol=1e-12)
    assert np.isfinite(fit.aic) and np.isfinite(fit.bic) and fit.bic != fit.aic


LAWS = {
    "PowerLaw": lawlib.PowerLaw(1.7, 400.0, 0.34),
    "ChinchillaLaw": lawlib.ChinchillaLaw.published("hoffmann2022"),
    "KaplanLaw": lawlib.KaplanLaw.published("kaplan2020"),
    "Allocation": lawlib.Allocation(N_coef=0.1, a=0.5, D_coef=1.6, b=0.5),
    "DataConstrainedLaw": lawlib.DataConstrainedLaw.published("muennighoff2023"),
    "Pool": filtering.combine_pools([POOL, filtering.Pool.published("tmars_top10to20p")]),
    "BiMixLaw": BiMixLaw(
        pd.DataFrame(
            {"alpha": [0.05, 0.02], "B": [400.0, 100.0], "beta": [0.7, 0.6], "C": [2.0, 3.0]},
            index=pd.Index(["a", "b"], name="domain"),
        )
    ),
    "MixingLaw": MixingLaw(
        c=pd.Series({"a": 1.0, "b": 2.0}),
        k=pd.Series({"a": 2.0, "b": 1.0}),
        t=pd.DataFrame({"a": [-1.0, 0.3], "b": [1.0, -0.3]}, index=["a", "b"]),
    ),
    "DownstreamLaw": lawlib.DownstreamLaw(0.85, 2.0, 0.9),
}

#: A DataFrame of the law's own inputs, named as the law names them.
INPUTS = {
    "PowerLaw": pd.DataFrame({"x": [1e8, 1e9]}),
    "ChinchillaLaw": pd.DataFrame({"N": [1e8, 1e9], "D": [1e10, 2e10]}),
    "KaplanLaw": pd.DataFrame({"N": [1e8, 1e9], "D": [1e10, 2e10]}),
    "Allocation": pd.DataFrame({"C": [1e20, 1e22]}),
    "DataConstrainedLaw": pd.DataFrame({"N": [1e8, 1e9], "D": [1e10, 2e10], "U": [1e9, 1e10]}),
    "Pool": pd.DataFrame({"n": [1e7, 1e9]}),
    "BiMixLaw": pd.DataFrame({"domain": ["a", "b"], "proportion": [0.3, 0.7], "step": [1e4, 2e4]}),
    "MixingLaw": pd.DataFrame({"domain": ["a", "b"], "p_a": [0.3, 0.6], "p_b": [0.7, 0.4]}),
    "DownstreamLaw": pd.DataFrame({"loss": [2.5, 3.5]}),
}


@pytest.mark.parametrize("name", LAWS)
def test_laws_rebuild_compare_hash_pickle_and_copy(name):
    law = LAWS[name]
    assert isinstance(law.params, pd.Series) and law.params.dtype == float
    rebuilt = type(law).from_params(law.params)
    assert rebuilt == law and hash(rebuilt) == hash(law)
    assert pickle.loads(pickle.dumps(law)) == law and copy.deepcopy(law) == law
    changed = law.params.copy()
    changed.iloc[0] *= 1.01
    other = type(law).from_params(changed)
    assert other != law


@pytest.mark.parametrize("name", LAWS)
def test_laws_predict_from_a_frame_or_their_inputs(name):
    law, frame = LAWS[name], INPUTS[name]
    series = law.predict(frame)
    assert isinstance(series, pd.Series) and series.index.equals(frame.index)
    assert np.isfinite(series).all()
    if name != "MixingLaw":  # its inputs are a whole mixture per row
        arrays = [frame[column].to_numpy() for column in law.inputs]
        np.testing.assert_allclose(law(*arrays), series, rtol=1e-14)


@pytest.mark.parametrize("name", LAWS)
def test_published_constants_come_from_presets(name):
    cls = type(LAWS[name])
    table = lawlib.presets.TABLES.get(cls.PRESETS, {})
    assert set(cls.PUBLISHED) == set(table)
    for published in cls.PUBLISHED:
        law = cls.published(published)
        assert type(law).from_params(law.params) == law
    if not cls.PUBLISHED:
        with pytest.raises(lawlib.ValidationError, match="has no published constants"):
            cls.published("anything")


@pytest.mark.parametrize("name", [n for n, law in LAWS.items() if hasattr(law, "compute_optimal")])
def test_compute_optimal_has_one_signature_and_one_meaning(name):
    law = LAWS[name]
    signature = inspect.signature(law.compute_optimal)
    parameter = signature.parameters["flops_per_token"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default == 6.0
    assert next(iter(signature.parameters)) == "C"
    # a budget counted at 12 FLOPs per parameter and token buys what half of it buys at 6
    np.testing.assert_allclose(
        law.compute_optimal(1e22, flops_per_token=12.0)[0], law.compute_optimal(5e21)[0], rtol=1e-6
    )
    with pytest.raises(lawlib.ValidationError, match="flops_per_token"):
        law.compute_optimal(1e22, flops_per_token=0)


@pytest.mark.parametrize("name", LAWS)
def test_constants_are_checked_when_a_law_is_built(name):
    law = LAWS[name]
    bad = law.params.copy()
    bad.iloc[0] = np.nan
    with pytest.raises(lawlib.ValidationError, match=f"{bad.index[0]}".replace("[", r"\[")):
        type(law).from_params(bad)
