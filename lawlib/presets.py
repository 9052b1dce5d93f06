"""Published constants of the laws, in one place, with their sources.

Plain numbers, no imports beyond the standard library, so that the command
line can list the names without loading numpy. Every law with published
constants builds itself from here (``Law.published(name)``, see
:mod:`lawlib.law`); :data:`TABLES` maps each law's table name to its table,
and :data:`RANGES` gives the compute the runs behind each fit spanned, for
extrapolation warnings.
"""

from __future__ import annotations

from math import exp

#: Chinchilla laws ``L = E + A / N**alpha + B / D**beta``.
CHINCHILLA = {
    # Hoffmann et al. (2022), eq. 10, as printed (rounded)
    "hoffmann2022": {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28},
    # Hoffmann et al.'s fit to more digits, as hard-coded (in logs) in Besiroglu et al.'s
    # notebook (epoch-research/analyzing-chinchilla at 9225883), from the paper's TeX source
    "hoffmann2022_unrounded": {
        "E": exp(0.5267228),
        "A": exp(6.0073404),
        "B": exp(6.0179186),
        "alpha": 0.33917084,
        "beta": 0.2849083,
    },
    # Besiroglu et al. (2024), their refit of the reconstructed runs (point estimate)
    "besiroglu2024": {"E": 1.8172, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658},
}

#: Data-constrained laws: a Chinchilla part and the decay constants R_D*, R_N*.
DATA_CONSTRAINED = {
    # Muennighoff et al. (2023), huggingface/datablations README at commit 1370131 (in logs)
    "muennighoff2023": {
        "E": exp(0.6254804),
        "A": exp(6.255414),
        "B": exp(7.3049974),
        "alpha": 0.3526596,
        "beta": 0.3526596,
        "R_D_star": 15.387756,
        "R_N_star": 5.309743,
    },
}

#: Kaplan et al. (2020): eqs. 1.1, 1.2 and 1.7, and the joint fit of eq. 1.5 (their Table 2).
KAPLAN = {
    "kaplan2020": {
        "N_c": 8.8e13,
        "alpha_N": 0.076,
        "D_c": 5.4e13,
        "alpha_D": 0.095,
        "joint_N_c": 6.4e13,
        "joint_alpha_N": 0.076,
        "joint_D_c": 1.8e13,
        "joint_alpha_D": 0.103,
        "allocation_scale": 1.3e9,
        "a": 0.73,
    },
}

#: Data pools of Goyal et al. (2024): the released fit of ImageNet zero-shot error on the T-MARS
#: buckets (locuslab/scaling_laws_data_filtering, parameter_values at cf5ced1; fit_id
#: tmars_imagenet1k_utility): utility b, half-life tau [epochs], size [samples], the shared
#: code-form scale a and irreducible error d.
FILTERING = {
    name: {"b": b, "tau": tau, "size": 12.8e6, "a": 0.025, "d": 0.1}
    for name, b, tau in (
        ("tmars_top0to10p", -0.16, 6.7272727272727275),
        ("tmars_top10to20p", -0.125, 8.545454545454547),
        ("tmars_top20to30p", -0.1, 5.2727272727272725),
        ("tmars_top30to40p", -0.085, 2.2727272727272725),
        ("tmars_top0to40p_random25p", -0.12000000000000001, 6.0),
    )
}

#: Each law's table, by the name a law class gives in ``PRESETS``.
TABLES = {
    "chinchilla": CHINCHILLA,
    "data_constrained": DATA_CONSTRAINED,
    "kaplan": KAPLAN,
    "filtering": FILTERING,
}

#: Compute [FLOPs] spanned by the runs behind each published fit, (smallest, largest):
#: Hoffmann et al.'s and Besiroglu et al.'s fits, the 245 runs of Fig. 4 as reconstructed
#: (data/epoch2024); Muennighoff et al.'s, their 182 C4 runs (data/datablations), C = 6 N D.
RANGES = {
    "hoffmann2022": (1.397e18, 1.296e22),
    "hoffmann2022_unrounded": (1.397e18, 1.296e22),
    "besiroglu2024": (1.397e18, 1.296e22),
    "muennighoff2023": (4.259e15, 9.260e21),
}


def lookup(table: dict, name: str, law: str) -> dict:
    """The constants of `name` in `table`, or a ValueError listing the names there are.

    Parameters
    ----------
    table : dict
    name : str
    law : str
        The law's name, for the message.

    Returns
    -------
    dict
    """
    if name not in table:
        raise ValueError(f"no published {law} named {name!r}; choose one of {', '.join(table)}")
    return dict(table[name])
