"""Sphinx extension for the book's site: each script loaded once, nothing loaded that is not used.

Jupyter Book 1 adds every ``.js`` file under ``_static/`` to every page, so MathJax's own
components (which MathJax loads itself, from beside ``mathjax_path``) would load a second
time; and sphinx-thebe registers its configuration script on every read of the sources,
so an incremental build declares ``THEBE_JS_URL`` twice. The book has no live code (Thebe
is off in ``_config.yml``), so its scripts are dropped. The theme's colour mode gets a
default, which it otherwise reports as an error on a reader's first visit. The single-page
build (printed to the book's PDF) gets myst-nb's collapsed-cell markup, which myst-nb
registers for the ``html`` builder only. The live calculator and the explorable figures load
their scripts on their own pages only: ``lawlib-data.js`` (lawlib's presets, pools and fitted
mixture laws, written at build time by :func:`lawlib.book.explorers.script`), the shared number,
law and plot helpers, and the page's own script.
"""

from __future__ import annotations

from pathlib import Path

#: The data and helpers every interactive page loads, before its own script.
SHARED_SCRIPTS = (
    "lawlib-data.js",
    "lawlib-numbers.js",
    "lawlib-chinchilla.js",
    "lawlib-svgplot.js",
)
#: Every page with a script of its own: the scripts it loads (and no other page does).
PAGE_SCRIPTS = {
    "practice/live_calculator": (*SHARED_SCRIPTS, "lawlib-calculator.js"),
    "chinchilla/isoflop_explorer": (*SHARED_SCRIPTS, "lawlib-isoflop.js"),
    "repetition/filtering_explorer": (*SHARED_SCRIPTS, "lawlib-filtering.js"),
    "mixtures/mixture_explorer": (*SHARED_SCRIPTS, "lawlib-mixture.js"),
    "practice/overtraining_explorer": (
        *SHARED_SCRIPTS,
        "lawlib-overtraining.js",
    ),
}
#: The file beside this one each script is copied from (``lawlib-data.js`` is written from
#: lawlib by :func:`lawlib.book.explorers.script`).
SCRIPT_SOURCES = {
    "lawlib-numbers.js": "numbers.js",
    "lawlib-chinchilla.js": "chinchilla.js",
    "lawlib-svgplot.js": "svgplot.js",
    "lawlib-calculator.js": "calculator.js",
    "lawlib-isoflop.js": "isoflop.js",
    "lawlib-filtering.js": "filtering.js",
    "lawlib-mixture.js": "mixture.js",
    "lawlib-overtraining.js": "overtraining.js",
}


def _is_thebe(script) -> bool:
    body = script.attributes.get("body", "") or ""
    return "THEBE_JS_URL" in body or str(script.filename or "").endswith(
        "sphinx-thebe.js"
    )


def _is_mathjax_component(script, mathjax_path: str) -> bool:
    """A file from the MathJax folder that Jupyter Book added, not Sphinx's own MathJax tag."""
    name = str(script.filename or "")
    return "mathjax/" in name and not (
        name.endswith(mathjax_path) and "defer" in script.attributes
    )


def _name(script) -> str:
    """The file name of a script, without the ``_static/`` folder or a ``?v=`` checksum."""
    return str(script.filename).split("?")[0].rsplit("/", 1)[-1]


def prune_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep each script once; drop Thebe's and the auto-added MathJax components."""
    kept, seen = [], set()
    for script in context.get("script_files", []):
        key = (str(script.filename), script.attributes.get("body"))
        if (
            key in seen
            or _is_thebe(script)
            or _is_mathjax_component(script, app.config.mathjax_path)
            or (
                any(_name(script) in names for names in PAGE_SCRIPTS.values())
                and _name(script) not in PAGE_SCRIPTS.get(pagename, ())
            )
        ):
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept
    # light mode unless the reader chose another (the theme logs an error when none is set)
    context.setdefault("default_mode", "light")


def write_page_scripts(app, exception) -> None:
    """Write the explorers' data (from lawlib, at build time) and the page scripts into the site."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    from lawlib.book.explorers import script

    (static / "lawlib-data.js").write_text(script())
    for target, source in SCRIPT_SOURCES.items():
        (static / target).write_text(
            Path(__file__).with_name(source).read_text()
        )


def setup(app):
    from myst_nb.sphinx_ import (
        HideCodeCellNode,
        depart_HideCellInput,
        visit_HideCellInput,
    )

    app.add_node(
        HideCodeCellNode,
        override=True,
        singlehtml=(visit_HideCellInput, depart_HideCellInput),
    )
    app.connect("html-page-context", prune_scripts, priority=900)
    for script in dict.fromkeys(
        n for names in PAGE_SCRIPTS.values() for n in names
    ):
        app.add_js_file(script)
    app.connect("build-finished", write_page_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
