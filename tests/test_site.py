"""The built site, in a real browser: served from 127.0.0.1, driven by Playwright in Debian's Chromium.

`make test` builds the site first; run `make book` before calling pytest by hand.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BOOK, SITE

pytestmark = pytest.mark.book

SCREENSHOTS = BOOK / "_build" / "screenshots"
#: Console errors allowed by exact text. sphinx-book-theme 1.3.0 logs this on every page when no
#: theme mode is stored yet; it then falls back to "auto", which is what we want.
ALLOWED_CONSOLE_ERRORS = {"Got invalid theme mode: . Resetting to auto."}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _pages():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run `make book` (make test does it first)")
    skip = {"genindex.html", "search.html"}
    pages = [p.relative_to(SITE) for p in SITE.rglob("*.html")]
    return sorted(
        p.as_posix() for p in pages if p.name not in skip and not p.parts[0].startswith("_")
    )


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(QuietHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make browser` installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _visit(browser, url, base):
    """Open `url`; return the page and lists of console errors, failed and foreign requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = {"console": [], "failed": [], "foreign": []}
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and m.text not in ALLOWED_CONSOLE_ERRORS
            and problems["console"].append(m.text)
        ),
    )
    page.on("requestfailed", lambda r: problems["failed"].append(f"{r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems["failed"].append(f"{r.url} (HTTP {r.status})"),
    )
    page.on(
        "request",
        lambda r: (
            not r.url.startswith((base, "data:", "blob:")) and problems["foreign"].append(r.url)
        ),
    )
    page.goto(url, wait_until="networkidle")
    return page, problems


def test_site_has_the_expected_pages():
    pages = _pages()
    import bookbuild

    expected = {f"{document}.html" for document in bookbuild.toc_documents()}
    assert expected <= set(pages), sorted(expected - set(pages))


@pytest.mark.parametrize("name", _pages() if (SITE / "index.html").exists() else ["index.html"])
def test_page_loads_cleanly_with_math_and_images(browser, server, name):
    page, problems = _visit(browser, f"{server}/{name}", server)
    try:
        assert problems["failed"] == [], f"failed requests: {problems['failed']}"
        assert problems["console"] == [], f"console errors: {problems['console']}"
        assert problems["foreign"] == [], f"requests that leave the site: {problems['foreign']}"
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == [], f"images not loaded: {broken}"
        if page.locator(".math").count():
            page.wait_for_selector("mjx-container", state="attached", timeout=15000)
            assert page.locator("mjx-container").count() >= page.locator(".math").count()
            assert "$$" not in page.inner_text("main")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / name.replace(".html", ".png").replace("/", "__")), full_page=True
        )
    finally:
        page.close()


def test_search_finds_a_chapter(browser, server):
    page, problems = _visit(browser, f"{server}/search.html?q=Huber", server)
    try:
        page.wait_for_selector("#search-results li", timeout=15000)
        links = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.href)")
        assert any("fitting_power_laws" in link for link in links), links
        assert problems["console"] == [] and problems["failed"] == [] and problems["foreign"] == []
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
