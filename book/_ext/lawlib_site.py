"""Sphinx extension for the book's site: each script loaded once, nothing loaded that is not used.

Jupyter Book 1 adds every ``.js`` file under ``_static/`` to every page, so MathJax's own
components (which MathJax loads itself, from beside ``mathjax_path``) would load a second
time; and sphinx-thebe registers its configuration script on every read of the sources,
so an incremental build declares ``THEBE_JS_URL`` twice. The book has no live code (Thebe
is off in ``_config.yml``), so its scripts are dropped. The theme's colour mode gets a
default, which it otherwise reports as an error on a reader's first visit. The single-page
build (printed to the book's PDF) gets myst-nb's collapsed-cell markup, which myst-nb
registers for the ``html`` builder only.
"""

from __future__ import annotations


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


def prune_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep each script once; drop Thebe's and the auto-added MathJax components."""
    kept, seen = [], set()
    for script in context.get("script_files", []):
        key = (str(script.filename), script.attributes.get("body"))
        if (
            key in seen
            or _is_thebe(script)
            or _is_mathjax_component(script, app.config.mathjax_path)
        ):
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept
    # light mode unless the reader chose another (the theme logs an error when none is set)
    context.setdefault("default_mode", "light")


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
