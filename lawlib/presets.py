"""Published constants of the laws, in one place, with their sources.

Plain numbers, no imports beyond the standard library, so that the command
line can list the names without loading numpy. The laws build themselves from
here (:meth:`lawlib.ChinchillaLaw.published`,
:meth:`lawlib.DataConstrainedLaw.published`).
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


def lookup(table: dict, name: str, law: str) -> dict:
    """The constants of `name` in `table`, or a ValueError listing the names there are."""
    if name not in table:
        raise ValueError(f"no published {law} named {name!r}; choose one of {', '.join(table)}")
    return dict(table[name])
