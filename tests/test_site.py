"""The built site, in a real browser: served from 127.0.0.1, driven by Playwright in Debian's Chromium.

`make test` builds the site first; run `make book` before calling pytest by hand. Every page
is opened at 1280 and at 400 px and must load with no uncaught exception, console error,
failed or foreign request, with its math typeset, its figures at readable size and nothing
wider than the column (see ``book/_tools/sitecheck.py``).
"""

from __future__ import annotations

import re
import unicodedata

import pytest

import sitecheck
from conftest import BOOK, SITE

pytestmark = pytest.mark.book

#: A figure may be shown at no less than this fraction of its pixel width: the book's smallest
#: font (9 pt at 110 dpi) then displays at 9 * 110 / 96 * 0.873 = 9 pt.
MIN_FIGURE_SCALE = 0.873


def _pages():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run `make book` (make test does it first)")
    return sitecheck.pages(SITE)


@pytest.fixture(scope="module")
def server():
    with sitecheck.serve(SITE) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sitecheck.chromium() as chromium:
        yield chromium


def _visit(browser, url, base, width=1280):
    return sitecheck.visit(browser, url, base, width)


def _clean(problems):
    for kind, found in problems.items():
        assert found == [], f"{kind}: {found}"


def test_site_has_the_expected_pages():
    pages = _pages()
    import bookbuild

    expected = {f"{document}.html" for document in bookbuild.toc_documents()}
    assert expected <= set(pages), sorted(expected - set(pages))


@pytest.mark.parametrize("name", _pages() if (SITE / "index.html").exists() else ["index.html"])
def test_page_loads_cleanly_and_fits_at_1280_and_400_px(browser, server, name):
    """One load per page: checked at 1280 px, then resized to a phone's 400 px and checked again."""
    page, problems = _visit(browser, f"{server}/{name}", server)
    try:
        _clean(problems)
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == [], f"images not loaded: {broken}"
        if page.locator(".math").count():
            assert page.locator("mjx-container").count() >= page.locator(".math").count()
            assert "$$" not in page.inner_text("main")
        small = [
            (src, round(scale, 2))
            for src, scale in sitecheck.figure_scales(page)
            if scale < MIN_FIGURE_SCALE
        ]
        assert small == [], f"figures shrunk below readable size (text under 9 pt): {small}"
        assert sitecheck.overflow(page, 1280) == []
        assert sitecheck.defects(page) == []
        page.set_viewport_size({"width": 400, "height": 900})
        page.wait_for_function("() => document.documentElement.clientWidth <= 400")
        assert sitecheck.overflow(page, 400) == [], "at 400 px"
        _clean(problems)
    finally:
        page.close()


def test_search_finds_a_chapter(browser, server):
    page, problems = _visit(browser, f"{server}/search.html?q=Huber", server)
    try:
        page.wait_for_selector("#search-results li", timeout=15000)
        links = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.href)")
        assert any("fitting_power_laws" in link for link in links), links
        _clean(problems)
    finally:
        page.close()


def test_exercise_solutions_start_collapsed(browser, server):
    page, _ = _visit(browser, f"{server}/fitting_power_laws.html", server)
    try:
        assert page.locator(".exercise").count() == 3
        solutions = page.locator(".solution")
        assert solutions.count() == 3
        assert not page.locator(".solution pre").first.is_visible()
    finally:
        page.close()


def test_no_page_or_stylesheet_loads_anything_from_the_internet():
    remote = re.compile(
        r"""(<script[^>]+src=["']https?:|<link[^>]+href=["']https?:[^>]+stylesheet|"""
        r"""<link[^>]+stylesheet[^>]+href=["']https?:|url\(["']?https?:)""",
        re.I,
    )
    offenders = [
        path.relative_to(SITE).as_posix()
        for path in list(SITE.rglob("*.html")) + list(SITE.rglob("*.css"))
        if remote.search(path.read_text(errors="replace"))
    ]
    assert offenders == []


def test_chapters_have_launch_and_download_buttons():
    import yaml

    import bookbuild

    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    repository = config["repository"]["url"].removeprefix("https://github.com/")
    for chapter in bookbuild.chapters():
        relative = chapter.relative_to(BOOK)
        html = (SITE / relative.with_suffix(".html")).read_text()
        notebook = f"book/{relative.as_posix()}"
        assert f"https://mybinder.org/v2/gh/{repository}/main?urlpath=lab/tree/{notebook}" in html
        assert f"https://colab.research.google.com/github/{repository}/blob/main/{notebook}" in html
        up = "../" * (len(relative.parts) - 1)
        assert f'href="{up}_sources/{relative.as_posix()}"' in html
        assert (SITE / "_sources" / relative).exists()


def _title(document):
    """The first heading of a chapter or page, as a reader sees it."""
    import json

    path = BOOK / f"{document}.ipynb"
    if path.exists():
        cells = json.loads(path.read_text())["cells"]
        text = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
    else:
        text = (BOOK / f"{document}.md").read_text()
    return re.search(r"^# (.+)$", text, flags=re.M).group(1)


def _comparable(text):
    """Text as a PDF's extracted text can be compared: ligatures and quotes unified, no
    spaces, hyphens or markup (a title may break across lines, with a hyphen)."""
    text = unicodedata.normalize("NFKC", text).translate(
        str.maketrans("\u201c\u201d\u2019", '""\'')
    )
    return re.sub(r"[\s`$\-]+", "", text)


def test_the_whole_book_is_one_pdf_linked_from_the_introduction():
    from pypdf import PdfReader

    import bookbuild

    pdf = SITE / sitecheck.PDF_NAME
    assert pdf.exists(), f"no PDF at {pdf}"
    assert f'href="{sitecheck.PDF_NAME}"' in (SITE / "intro.html").read_text()
    reader = PdfReader(pdf)
    assert len(reader.pages) > 50

    def bookmarks(outline):
        for item in outline:
            yield from bookmarks(item) if isinstance(item, list) else [item.title]

    # the PDF's bookmarks are its headings (numbered): every chapter's title is among them
    marks = {_comparable(title) for title in bookmarks(reader.outline)}
    titles = [_title(document) for document in bookbuild.toc_documents()]
    missing = [title for title in titles if not any(_comparable(title) in m for m in marks)]
    assert missing == [], f"chapter titles not among the PDF's bookmarks: {missing}"


#: Budgets, presets and inference tokens typed into the live calculator.
CALCULATOR_CASES = [
    ("5.76e23", "besiroglu2024", "0"),
    ("1e20", "hoffmann2022", "0"),
    ("3.3e25", "hoffmann2022_unrounded", "0"),
    ("1e22", "besiroglu2024", "1e13"),
    ("5.76e23", "hoffmann2022", "2e14"),
    ("2e21", "hoffmann2022_unrounded", "5e11"),
]


def _calculator_answer(name, budget, served):
    import lawlib

    law = lawlib.ChinchillaLaw.published(name)
    n_opt, d_opt = law.compute_optimal(budget)
    n, d = n_opt, d_opt
    if served > 0:
        chosen = lawlib.inference_optimal(law, float(law.loss(n, d)), served)
        n, d = chosen.N, chosen.D
    total = 6 * float(n * d) + 2 * float(n) * served
    total_of_optimum = 6 * float(n_opt * d_opt) + 2 * float(n_opt) * served
    return {
        "N": float(n),
        "D": float(d),
        "ratio": float(d / n),
        "loss": float(law.loss(n, d)),
        "training": 6 * float(n * d),
        "total": total,
        "total_of_optimum": total_of_optimum,
        "saving": 1 - total / total_of_optimum,
    }


def test_live_calculator_agrees_with_lawlib(browser, server):
    from lawlib.presets import CHINCHILLA

    page, problems = _visit(browser, f"{server}/practice/live_calculator.html", server)
    try:
        _clean(problems)
        assert page.evaluate("window.LAWLIB_PRESETS") == CHINCHILLA  # exported at build time
        assert page.locator("#lawlib-calculator").is_visible()
        for budget, name, served in CALCULATOR_CASES:
            page.fill("#calc-budget", budget)
            page.select_option("#calc-preset", name)
            page.fill("#calc-inference", served)
            shown = page.eval_on_selector_all(
                "[data-output]",
                "cells => Object.fromEntries(cells.map(c => [c.dataset.output, c.dataset.value]))",
            )
            expected = _calculator_answer(name, float(budget), float(served))
            assert set(shown) == set(expected)
            for key, value in expected.items():
                if key == "saving":  # 0 without inference, so compared absolutely
                    assert float(shown[key]) == pytest.approx(value, abs=1e-6), (budget, name)
                else:
                    assert float(shown[key]) == pytest.approx(value, rel=1e-6), (budget, name, key)
            saving = expected["saving"]
            assert (saving > 1e-3) == (float(served) > 0), (budget, name, saving)
        message = ".calc-message"
        for typed in ("lots", "0x10", "Infinity", "-1"):
            page.fill("#calc-budget", typed)
            assert "compute budget must be a positive number" in page.inner_text(message), typed
            assert page.inner_text("[data-output='N']") == "—"
        page.select_option("#calc-preset", "besiroglu2024")
        page.fill("#calc-inference", "0")
        page.fill("#calc-budget", "1")
        assert "far smaller than any model behind these laws" in page.inner_text(message)
        page.fill("#calc-budget", "1e16")
        assert "below the smallest run behind this law" in page.inner_text(message)
        page.fill("#calc-budget", "1e20")
        assert page.inner_text(message) == ""
        page.fill("#calc-budget", "1e25")
        page.fill("#calc-inference", "1e14")
        shown = page.inner_text(message)
        assert "beyond the largest run behind this law (1.3e22 FLOPs)" in shown
        assert "training this model costs" in shown
        saving = _calculator_answer("besiroglu2024", 1e25, 1e14)["saving"]
        assert page.inner_text("[data-output='saving']") == f"{100 * saving:.1f}%"
        _clean(problems)
    finally:
        page.close()


def test_calculator_scripts_load_on_its_page_only():
    pages = _pages()
    loading = [
        name
        for name in pages
        if "lawlib-calculator.js" in (SITE / name).read_text(errors="replace")
    ]
    assert loading == ["practice/live_calculator.html"]


def test_laws_at_a_glance_is_written_from_the_presets():
    """The appendix's table holds every preset's constants as lawlib.presets has them."""
    from lawlib import presets
    from lawlib.formatting import format_number

    html = (SITE / "laws.html").read_text()
    table = html[html.index('<table class="laws-at-a-glance') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    text = [
        re.sub(r"\s+", " ", unicodedata.normalize("NFC", re.sub(r"<[^>]+>", " ", r))) for r in rows
    ]
    for table_name, entries in presets.TABLES.items():
        for name, values in entries.items():
            (row,) = [r for r in text if f" {name} " in r]
            for value in values.values():
                assert format_number(value) in row, (table_name, name, value)
    chinchilla = next(r for r in text if " besiroglu2024 " in r)
    assert "1.4e18 to 1.3e22 FLOPs" in chinchilla  # presets.RANGES


def test_isoflop_explorer_moves_with_its_controls_and_agrees_with_lawlib(browser, server):
    """Moving the budget, an exponent or a preset redraws the optimum lawlib computes."""
    import lawlib

    page, problems = _visit(browser, f"{server}/chinchilla/isoflop_explorer.html", server)
    try:
        _clean(problems)
        assert page.locator("#lawlib-isoflop").is_visible()

        def shown():
            return page.eval_on_selector_all(
                "#lawlib-isoflop [data-output]",
                "cells => Object.fromEntries(cells.map(c => [c.dataset.output, +c.dataset.value]))",
            )

        def controls():
            return page.evaluate(
                "() => Object.fromEntries(['E', 'logA', 'logB', 'alpha', 'beta', 'logC']"
                ".map(k => [k, +document.getElementById('iso-' + k).value]))"
            )

        seen = []
        for name, value in (("logC", "21.5"), ("alpha", "0.45"), ("beta", "0.3"), ("logA", "3.2")):
            # a reader's drag: the value changes and the control fires "input"
            page.eval_on_selector(
                f"#iso-{name}",
                "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
                value,
            )
            c = controls()
            law = lawlib.ChinchillaLaw(
                E=c["E"], A=10 ** c["logA"], B=10 ** c["logB"], alpha=c["alpha"], beta=c["beta"]
            )
            n_opt, d_opt = law.compute_optimal(10 ** c["logC"])
            numbers = shown()
            assert numbers["N"] == pytest.approx(float(n_opt), rel=1e-6), name
            assert numbers["D"] == pytest.approx(float(d_opt), rel=1e-6), name
            assert numbers["loss"] == pytest.approx(float(law.loss(n_opt, d_opt)), rel=1e-6)
            assert numbers["a"] == pytest.approx(law.a, rel=1e-9)
            seen.append(numbers["N"])
            # five curves and five optima drawn
            assert page.locator("#lawlib-isoflop svg path").count() == 5
            assert page.locator("#lawlib-isoflop svg circle").count() == 5
        assert len(set(seen)) == len(seen)  # every move moved the optimum
        page.select_option("#iso-preset", "hoffmann2022")
        assert controls()["alpha"] == pytest.approx(0.34)
        page.set_viewport_size({"width": 400, "height": 900})
        page.wait_for_function("() => document.documentElement.clientWidth <= 400")
        width = page.evaluate(
            "() => document.querySelector('#lawlib-isoflop svg').getBoundingClientRect().width"
        )
        assert 280 <= width <= 400  # redrawn at the phone's width, not scaled down
        _clean(problems)
    finally:
        page.close()
