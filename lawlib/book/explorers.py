"""The numbers behind the book's explorable figures, written into the site at build time.

Each explorer is a page whose figure is drawn in the reader's browser by a plain script
(``book/_ext/*.js``). Everything those scripts start from comes from here: the published laws
(``lawlib.presets``), Goyal et al.'s released pools, and the two mixture laws fitted on Ye et
al.'s runs. :func:`script` writes them as one JavaScript file; the book's browser test fits or
loads the same laws with ``lawlib`` and compares the page's numbers with the library's.
"""

from __future__ import annotations

import json
import warnings

import pandas as pd

from .. import data
from ..errors import FitWarning
from ..mixtures import fit_bimix, fit_mixing_law, mixture_domains
from ..presets import CHINCHILLA, RANGES
from .plotting import PALETTE

#: Goyal et al.'s released fit the filtering explorer draws, and its four disjoint pools, best
#: first (combined cumulatively into Top 10%, Top 20%, ... as in *Quality versus quantity*).
FILTERING_FIT = "tmars_imagenet1k_utility"
FILTERING_ORDER = (
    "tmars_top0to10p",
    "tmars_top10to20p",
    "tmars_top20to30p",
    "tmars_top30to40p",
)
#: The runs, model and step the mixture explorer's two laws are fitted on: BiMix on every
#: mixture at every step up to ``MIXTURE_STEP``, Ye et al.'s law on every mixture at it.
MIXTURE_DATASET = "mixinglaws_5mix"
MIXTURE_MODEL = "160M"
MIXTURE_STEP = 30000


def filtering_pools() -> dict:
    """Goyal et al.'s four pools of :data:`FILTERING_FIT`, as the filtering explorer reads them.

    Returns
    -------
    dict
        ``order`` (pool names, best first) and ``pools``: per name, ``b``, ``tau`` [epochs],
        ``size`` [samples], ``a``, ``d`` and the paper's ``label``.
    """
    table = data.load("goyal2024_params").query("fit_id == @FILTERING_FIT").set_index("pool")
    pools = {
        name: {
            "b": float(table.at[name, "b"]),
            "tau": float(table.at[name, "tau"]),
            "size": float(table.at[name, "size"]),
            "a": float(table.at[name, "a"]),
            "d": float(table.at[name, "d"]),
            "label": str(table.at[name, "pool_label"]),
        }
        for name in FILTERING_ORDER
    }
    return {"order": list(FILTERING_ORDER), "pools": pools}


def mixture_runs() -> pd.DataFrame:
    """Ye et al.'s runs of :data:`MIXTURE_MODEL` up to :data:`MIXTURE_STEP` (wide form).

    Returns
    -------
    DataFrame
        One row per run and step: ``p_<domain>`` shares and ``loss_<domain>`` [nats/token].
    """
    runs = data.load(MIXTURE_DATASET)
    return runs[(runs["model"] == MIXTURE_MODEL) & (runs["step"] <= MIXTURE_STEP)]


def mixture_laws():
    """BiMix and Ye et al.'s mixing law, fitted on :func:`mixture_runs` as the explorer shows them.

    Returns
    -------
    (BiMixResult, FitResult)
        BiMix on every step up to :data:`MIXTURE_STEP`; the mixing law at that step.
    """
    runs = mixture_runs()
    with warnings.catch_warnings():
        # the runs with a zero share of a domain are left out of its BiMix fit, as the chapter says
        warnings.simplefilter("ignore", FitWarning)
        bimix = fit_bimix(runs)
    mixing = fit_mixing_law(runs[runs["step"] == MIXTURE_STEP])
    return bimix, mixing


def mixture_base() -> pd.Series:
    """The mixture the explorer starts from: the mean of the runs' mixtures at :data:`MIXTURE_STEP`.

    Returns
    -------
    Series
        A share per domain, summing to 1.
    """
    last = mixture_runs().query("step == @MIXTURE_STEP")
    domains = mixture_domains(last)
    return pd.Series(last[[f"p_{d}" for d in domains]].to_numpy(float).mean(axis=0), index=domains)


def mixture_data() -> dict:
    """The mixture explorer's laws and runs.

    Returns
    -------
    dict
        ``domains``, ``labels``, ``step``, ``bimix`` (per domain ``alpha``, ``B``, ``beta``,
        ``C``), ``mixing`` (``c``, ``k`` per domain and ``t`` as rows of the matrix), ``runs``
        (at the step: ``shares`` and ``losses`` per run, in the order of ``domains``) and
        ``base`` (the runs' mean mixture) and ``trained`` (per domain, the smallest positive and
        the largest share any run gave it).
    """
    runs = mixture_runs()
    bimix, mixing = mixture_laws()
    domains = mixture_domains(runs)
    last = runs[runs["step"] == MIXTURE_STEP]
    shares = last[[f"p_{d}" for d in domains]].to_numpy(float)
    law = mixing.law
    return {
        "domains": domains,
        "labels": {d: d.capitalize() for d in domains},
        "step": MIXTURE_STEP,
        "model": MIXTURE_MODEL,
        "bimix": {
            d: {k: float(bimix.coefficients.at[d, k]) for k in ("alpha", "B", "beta", "C")}
            for d in domains
        },
        "mixing": {
            "c": [float(law.c[d]) for d in domains],
            "k": [float(law.k[d]) for d in domains],
            "t": law.t.loc[domains, domains].to_numpy(float).tolist(),
        },
        "runs": {
            "shares": shares.tolist(),
            "losses": last[[f"loss_{d}" for d in domains]].to_numpy(float).tolist(),
        },
        "base": mixture_base().tolist(),
        "trained": {
            d: [float(shares[shares[:, i] > 0, i].min()), float(shares[:, i].max())]
            for i, d in enumerate(domains)
        },
    }


def script() -> str:
    """The JavaScript file the explorers and the live calculator load.

    Returns
    -------
    str
        Assignments to ``window.LAWLIB_PRESETS``, ``LAWLIB_RANGES``, ``LAWLIB_PALETTE``,
        ``LAWLIB_FILTERING`` and ``LAWLIB_MIXTURE``.
    """
    ranges = {name: RANGES[name] for name in CHINCHILLA if name in RANGES}
    values = {
        "LAWLIB_PRESETS": CHINCHILLA,
        "LAWLIB_RANGES": ranges,
        "LAWLIB_PALETTE": PALETTE,
        "LAWLIB_FILTERING": filtering_pools(),
        "LAWLIB_MIXTURE": mixture_data(),
    }
    lines = ["/* Written at build time by lawlib.book.explorers.script(), from lawlib. */"]
    lines += [f"window.{name} = {json.dumps(value)};" for name, value in values.items()]
    return "\n".join(lines) + "\n"
