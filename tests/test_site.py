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
        # long equations are written on several lines; no formula needs a scroll on a phone
        assert sitecheck.formulas(page) == [], "at 400 px"
        # a phone loads each figure's own narrow rendering: its 9 pt text stays 9 pt
        page.wait_for_function(
            "() => [...document.querySelectorAll('article img')].every(i => i.complete)"
        )
        small = [
            (src[-40:], round(scale, 2))
            for src, scale in sitecheck.figure_scales(page)
            if scale < MIN_FIGURE_SCALE
        ]
        assert small == [], f"figures shrunk below readable size at 400 px: {small}"
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


def test_the_printed_book_has_no_dead_toggles_and_no_cut_code_lines(browser):
    """What the PDF shows: the single-page book in print media, as :func:`sitecheck.pdf` prints it."""
    with sitecheck.serve(sitecheck.SINGLE) as base:
        page, _ = _visit(browser, f"{base}/index.html", base)
        assert page.locator("details.hide > summary").count() > 10  # the toggles exist on screen
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 688, "height": 1000})  # A4 within the PDF's margins
        found = page.evaluate(
            """() => {
              const shown = (e) => e.getClientRects().length > 0;
              const toggles = [...document.querySelectorAll('summary, button')]
                .filter((e) => shown(e) && /Show code cell|Hide code cell/.test(e.textContent))
                .map((e) => e.textContent.trim());
              const cut = [...document.querySelectorAll('pre')]
                .filter((e) => shown(e) && e.scrollWidth > e.clientWidth + 1)
                .map((e) => e.textContent.split('\\n').find((l) => l.length > 60) || '');
              return {toggles, cut};
            }"""
        )
        page.close()
    assert found["toggles"] == [], f"toggles printed: {found['toggles'][:3]}"
    assert found["cut"] == [], f"code lines cut at the margin: {found['cut'][:3]}"


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


def _drag(page, selector, value):
    """A reader's drag of a slider (or pick in a list): the value changes and the control fires."""
    page.eval_on_selector(
        selector,
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        str(value),
    )


def _values(page, selector):
    """``data-value`` of every ``[data-output]`` cell under `selector`, by output name."""
    return page.eval_on_selector_all(
        f"{selector} [data-output]",
        "cells => Object.fromEntries(cells.map(c => [c.dataset.output, c.dataset.value]))",
    )


def _redrawn_at_phone_width(page, form):
    """At 400 px the explorer's figure is drawn at the column's width, not scaled down."""
    page.set_viewport_size({"width": 400, "height": 900})
    page.wait_for_function("() => document.documentElement.clientWidth <= 400")
    box = page.evaluate(
        f"() => {{ const s = document.querySelector('{form} svg'); "
        "return [s.getBoundingClientRect().width, +s.getAttribute('width')]; }"
    )
    assert 280 <= box[0] <= 400 and box[1] == pytest.approx(box[0], abs=1), box
    assert sitecheck.overflow(page, 400) == []


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
            _drag(page, f"#iso-{name}", value)
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
            # five curves and five optima drawn, each optimum where lawlib puts it
            assert page.locator("#lawlib-isoflop svg path.iso-curve").count() == 5
            assert page.locator("#lawlib-isoflop svg circle.iso-optimum").count() == 5
        assert len(set(seen)) == len(seen)  # every move moved the optimum
        page.select_option("#iso-preset", "hoffmann2022")
        assert controls()["alpha"] == pytest.approx(0.34)
        _redrawn_at_phone_width(page, "#lawlib-isoflop")
        _clean(problems)
    finally:
        page.close()


def test_filtering_explorer_picks_the_pool_lawlib_picks(browser, server):
    """Moving compute and the half-lives gives lawlib.filtering's accuracies and best pool."""
    import numpy as np

    from lawlib.book.explorers import filtering_pools
    from lawlib.filtering import Pool, best_pool, combine_pools

    released = filtering_pools()

    def candidates(stretch):
        pools = [
            Pool.single(p["b"], p["tau"] * stretch, p["size"], a=p["a"], d=p["d"], name=name)
            for name, p in ((n, released["pools"][n]) for n in released["order"])
        ]
        return [combine_pools(pools[:k], name=f"Top {10 * k}%") for k in range(1, 5)]

    page, problems = _visit(browser, f"{server}/repetition/filtering_explorer.html", server)
    try:
        _clean(problems)
        assert page.locator("#lawlib-filtering").is_visible()
        winners = set()
        for log_n, stretch in ((7.5, 1), (8.5, 1), (9.5, 1), (10.2, 1), (9.5, 0.25), (9.5, 3.0)):
            _drag(page, "#flt-logn", log_n)
            _drag(page, "#flt-stretch", stretch)
            frontier = best_pool(candidates(stretch), [10**log_n])
            rows = page.eval_on_selector_all(
                "#lawlib-filtering tr[data-pool]",
                "rows => Object.fromEntries(rows.map(r => [r.dataset.pool,"
                " +r.querySelector('[data-output=accuracy]').dataset.value]))",
            )
            for name, accuracy in rows.items():
                expected = 100 * (1 - frontier[name].iloc[0])
                assert accuracy == pytest.approx(expected, rel=1e-6), (log_n, stretch, name)
            best = page.get_attribute("#lawlib-filtering [data-output=best]", "data-value")
            assert best == frontier["best"].iloc[0], (log_n, stretch)
            bold = page.eval_on_selector_all(
                "#lawlib-filtering tr.explorer-best", "rows => rows.map(r => r.dataset.pool)"
            )
            assert bold == [best]
            assert page.locator("#lawlib-filtering svg path.flt-curve").count() == 4
            winners.add(best)
        assert {"Top 10%", "Top 20%", "Top 30%"} <= winners  # the best pool moves with compute
        # the page's exercise: the top 40% leads only with quarter half-lives, from about 2.3e9
        grid = np.logspace(7, np.log10(2e10), 400)
        assert "Top 40%" in set(best_pool(candidates(0.25), grid)["best"])
        assert "Top 40%" not in set(best_pool(candidates(0.3), grid)["best"])
        _redrawn_at_phone_width(page, "#lawlib-filtering")
        _clean(problems)
    finally:
        page.close()


def test_mixture_explorer_predicts_what_lawlibs_fitted_laws_predict(browser, server):
    """Each domain's share moved: both laws' predictions for every domain, as lawlib gives them."""
    from lawlib.book.explorers import MIXTURE_STEP, mixture_base, mixture_laws
    from lawlib.mixtures import vary_share

    bimix, mixing = mixture_laws()
    base = mixture_base()
    page, problems = _visit(browser, f"{server}/mixtures/mixture_explorer.html", server)
    try:
        _clean(problems)
        assert page.locator("#lawlib-mixture").is_visible()
        for domain, share in (("academic", 0.4), ("symbolic", 0.02), ("internet", 0.6)):
            page.select_option("#mix-domain", domain)
            _drag(page, "#mix-share", share)
            mixture = vary_share(base, domain, [share])
            predicted = {
                "bimix": bimix.law.loss(mixture, MIXTURE_STEP).iloc[0],
                "mixing": mixing.law.loss(mixture).iloc[0],
            }
            rows = page.eval_on_selector_all(
                "#lawlib-mixture tr[data-domain]",
                "rows => rows.map(r => [r.dataset.domain, Object.fromEntries("
                "[...r.querySelectorAll('[data-output]')].map(c => [c.dataset.output,"
                " +c.dataset.value]))])",
            )
            assert [name for name, _ in rows] == list(base.index)
            for name, shown in rows:
                assert shown["share"] == pytest.approx(100 * mixture[name].iloc[0], rel=1e-9)
                for law in ("bimix", "mixing"):
                    assert shown[law] == pytest.approx(predicted[law][name], rel=1e-6), (
                        domain,
                        name,
                        law,
                    )
            outside = "both laws extrapolate" in page.inner_text("#lawlib-mixture .calc-message")
            assert outside == (domain == "symbolic"), domain  # 2% is below its smallest run's 6%
            assert page.locator("#lawlib-mixture svg path.mix-curve").count() == 2
            assert page.locator("#lawlib-mixture svg circle.mix-run").count() > 10
        _redrawn_at_phone_width(page, "#lawlib-mixture")
        _clean(problems)
    finally:
        page.close()


def _at_ratio(law, target, ratio):
    """The (N, D) at `ratio` tokens per parameter on the law's curve of loss `target` (brentq)."""
    import numpy as np
    from scipy.optimize import brentq

    room = target - law.E

    def excess(log_d):  # ln(D / N(D)) - ln(ratio), increasing in ln D
        n = (law.A / (room - law.B * np.exp(-law.beta * log_d))) ** (1 / law.alpha)
        return log_d - np.log(n) - np.log(ratio)

    low = np.log(law.B / room) / law.beta
    d = np.exp(brentq(excess, low + 1e-9, low + 80, xtol=1e-14))
    return d / ratio, d


def test_overtraining_explorer_finds_lawlibs_inference_optimum(browser, server):
    """The inference-aware model, the penalty and the saving, against lawlib.inference_optimal."""
    import lawlib

    page, problems = _visit(browser, f"{server}/practice/overtraining_explorer.html", server)
    try:
        _clean(problems)
        assert page.locator("#lawlib-overtraining").is_visible()
        cases = (
            ("besiroglu2024", 9.845, 12, 2.3),
            ("hoffmann2022", 10.5, 13.5, 3),
            ("besiroglu2024", 8.5, 10, 0.5),
        )
        for name, log_n, log_served, log_ratio in cases:
            page.select_option("#ot-preset", name)
            for control, value in (("logN", log_n), ("logDinf", log_served), ("logr", log_ratio)):
                _drag(page, f"#ot-{control}", value)
            law = lawlib.ChinchillaLaw.published(name)
            budget, _ = law.compute_for_parameters(10**log_n)
            n_opt, d_opt = (float(x) for x in law.compute_optimal(float(budget)))
            assert n_opt == pytest.approx(10**log_n, rel=1e-9)
            target = float(law.loss(n_opt, d_opt))
            served = 10.0**log_served
            best = lawlib.inference_optimal(law, target, served)
            n_chosen, d_chosen = _at_ratio(law, target, 10.0**log_ratio)
            base = 6 * n_opt * d_opt
            expected = {
                "chinchilla": (n_opt, d_opt, 6 * n_opt * d_opt + 2 * n_opt * served),
                "inference": (best.N, best.D, best.total_flops),
                "chosen": (n_chosen, d_chosen, 6 * n_chosen * d_chosen + 2 * n_chosen * served),
            }
            for model, (n, d, total) in expected.items():
                shown = page.eval_on_selector_all(
                    f"#lawlib-overtraining td[data-model={model}]",
                    "cells => Object.fromEntries(cells.map(c => [c.dataset.output, c.dataset.value]))",
                )
                assert float(shown["N"]) == pytest.approx(n, rel=1e-6), (name, model)
                assert float(shown["D"]) == pytest.approx(d, rel=1e-6), (name, model)
                assert float(shown["training"]) == pytest.approx(6 * n * d / base, rel=1e-6)
                assert float(shown["total"]) == pytest.approx(total / base, rel=1e-6)
            summary = _values(page, "#lawlib-overtraining p")
            assert float(summary["target"]) == pytest.approx(target, rel=1e-9)
            assert float(summary["penalty"]) == pytest.approx(
                best.training_flops / base - 1, abs=1e-6
            )
            saving = 1 - best.total_flops / expected["chinchilla"][2]
            assert float(summary["saving"]) == pytest.approx(saving, abs=1e-6)
            assert page.locator("#lawlib-overtraining svg path.ot-curve").count() == 2
        # the page's key takeaway: a 7B compute-optimal model serving 1e12 tokens
        law = lawlib.ChinchillaLaw.published("besiroglu2024")
        budget, _ = law.compute_for_parameters(10**9.845)
        n_opt, d_opt = (float(x) for x in law.compute_optimal(float(budget)))
        best = lawlib.inference_optimal(law, float(law.loss(n_opt, d_opt)), 1e12)
        assert best.N == pytest.approx(3.4e9, rel=0.02)
        assert round(best.tokens_per_parameter) == 116
        assert round(100 * (best.training_flops / (6 * n_opt * d_opt) - 1)) == 30
        total = 6 * n_opt * d_opt + 2e12 * n_opt
        assert round(100 * (1 - best.total_flops / total)) == 27
        # and its exercise: the model's approach to the smallest that reaches the loss at all
        target = float(law.loss(n_opt, d_opt))
        n_min = (law.A / (target - law.E)) ** (1 / law.alpha)
        assert n_min == pytest.approx(1.02e9, rel=0.005)
        excess = [lawlib.inference_optimal(law, target, s).N / n_min - 1 for s in (1e13, 1e14)]
        assert [round(e, 2) for e in excess] == [1.01, 0.47]
        _redrawn_at_phone_width(page, "#lawlib-overtraining")
        _clean(problems)
    finally:
        page.close()
