"""Sphinx extension: the ``{laws-at-a-glance}`` table of the appendix, written at build time.

One row per law and published preset. The form is the first line of the law's docstring,
the constants come from :mod:`lawlib.presets` (and the compute their runs span from
``lawlib.presets.RANGES``), so the appendix cannot drift from the library; what only the book
knows (the data each law was fitted on, its source, the chapter deriving it) is in :data:`ROWS`.
"""

from __future__ import annotations

import importlib

from sphinx.util.docutils import SphinxDirective

from lawlib.formatting import format_number, plain_exponents

#: (law class, preset or None ("*": every preset, one row), fitted on, citation keys, chapters as
#: (document, short title)). Every preset must be covered (see :func:`rows`); a law without
#: presets is fitted to each dataset.
ROWS = [
    (
        "PowerLaw",
        None,
        "each dataset",
        "hestness2017",
        [("fitting_power_laws", "Part I")],
    ),
    (
        "KaplanLaw",
        "kaplan2020",
        "WebText2, 768 to 1.5e9 non-embedding parameters",
        "kaplan2020",
        [("chinchilla/kaplan", "Kaplan")],
    ),
    (
        "ChinchillaLaw",
        "hoffmann2022",
        "over 400 runs, 70M to 16B parameters, 5B to 500B tokens",
        "hoffmann2022",
        [
            ("chinchilla/approach3_parametric", "Approach 3"),
            ("chinchilla/twenty_tokens", "20 tokens"),
        ],
    ),
    (
        "ChinchillaLaw",
        "hoffmann2022_unrounded",
        "the same runs (the constants to more digits)",
        "hoffmann2022,besiroglu2024",
        [("chinchilla/approach3_parametric", "Approach 3")],
    ),
    (
        "ChinchillaLaw",
        "besiroglu2024",
        "240 runs reconstructed from Hoffmann et al.'s Figure 4",
        "besiroglu2024,epoch2024data",
        [("chinchilla/replication", "replication")],
    ),
    (
        "DataConstrainedLaw",
        "muennighoff2023",
        "182 C4 runs, up to 9,000 epochs",
        "muennighoff2023",
        [("repetition/repeating_data", "repeating data")],
    ),
    (
        "Pool",
        "*",
        "DataComp pools filtered by T-MARS, zero-shot ImageNet error",
        "goyal2024",
        [
            ("repetition/quality_quantity", "quality"),
            ("repetition/two_views", "two views"),
        ],
    ),
    (
        "BiMixLaw",
        None,
        "each dataset (the BiMix release; Ye et al.'s runs)",
        "ge2024bimix",
        [("mixtures/bimix", "BiMix"), ("mixtures/optimizing", "optimising")],
    ),
    (
        "MixingLaw",
        None,
        "each dataset",
        "ye2024",
        [("mixtures/bimix", "BiMix"), ("mixtures/regmix", "RegMix")],
    ),
    (
        "DownstreamLaw",
        None,
        "each corpus",
        "gadre2024",
        [("practice/downstream", "downstream")],
    ),
]

#: Constants written as the chapters write them (math, in the page's MyST).
SYMBOLS = {
    "alpha": r"$\alpha$",
    "beta": r"$\beta$",
    "tau": r"$\tau$",
    "alpha_N": r"$\alpha_N$",
    "alpha_D": r"$\alpha_D$",
}


def _law(name: str):
    return getattr(importlib.import_module("lawlib"), name)


def form(law) -> str:
    """The first line of the law's docstring (its form), as MyST text."""
    return law.__doc__.strip().splitlines()[0]


def constants(values: dict) -> str:
    """``E = 1.69, A = 406.4, ...``: a preset's constants to four significant digits."""
    return ", ".join(
        f"{SYMBOLS.get(k, k)} = {format_number(v)}" for k, v in values.items()
    )


def rows() -> list[list[str]]:
    """The table's rows: law (and preset), form, constants, fitted on (with the source), derived in."""
    from lawlib import presets

    out, covered = [], set()
    for name, preset, fitted, cite, chapters in ROWS:
        law = _law(name)
        table = presets.TABLES.get(law.PRESETS, {})
        if preset is None:
            shown, values = "", "none published: fitted to the data"
        elif (
            preset == "*"
        ):  # every preset in one row: what they share, then what differs
            covered.update((law.PRESETS, key) for key in table)
            shared = {
                k: v
                for k, v in next(iter(table.values())).items()
                if all(entry[k] == v for entry in table.values())
            }
            each = "; ".join(
                f"`{key}`: "
                + constants(
                    {k: v for k, v in entry.items() if k not in shared}
                )
                for key, entry in table.items()
            )
            shown, values = (
                f"{len(table)} presets",
                f"{each}; all: {constants(shared)}",
            )
        else:
            covered.add((law.PRESETS, preset))
            shown, values = f"`{preset}`", constants(table[preset])
        low_high = presets.RANGES.get(preset) if preset else None
        span = (
            plain_exponents(
                f"; C from {low_high[0]:.1e} to {low_high[1]:.1e} FLOPs"
            )
            if low_high
            else ""
        )
        out.append(
            [
                f"{{py:class}}`{name} <.{name}>` {shown}",
                form(law),
                values,
                f"{fitted}{span} {{cite}}`{cite}`",
                ", ".join(
                    f"{{doc}}`{title} <{doc}>`" for doc, title in chapters
                ),
            ]
        )
    missing = [
        f"{table_name}:{key}"
        for table_name, table in presets.TABLES.items()
        for key in table
        if (table_name, key) not in covered
    ]
    if missing:
        raise ValueError(
            f"laws-at-a-glance: presets without a row in ROWS: {missing}"
        )
    return out


HEADER = ["Law and preset", "Form", "Constants", "Fitted on", "Derived in"]


class LawsAtAGlance(SphinxDirective):
    """``{laws-at-a-glance}``: the table of every law and preset."""

    has_content = False

    def run(self):
        # re-read this page when the constants or a law's docstring change
        from lawlib import presets

        self.env.note_dependency(presets.__file__)
        self.env.note_dependency(__file__)
        for name, *_ in ROWS:
            self.env.note_dependency(
                importlib.import_module(_law(name).__module__).__file__
            )
        lines = [
            "```{list-table}",
            ":header-rows: 1",
            ":class: laws-at-a-glance",
            "",
        ]
        for row in [HEADER, *rows()]:
            lines.append(f"* - {row[0]}")
            lines.extend(f"  - {cell}" for cell in row[1:])
        lines.append("```")
        return self.parse_text_to_nodes("\n".join(lines))


def setup(app):
    app.add_directive("laws-at-a-glance", LawsAtAGlance)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
