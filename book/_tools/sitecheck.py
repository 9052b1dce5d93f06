"""The built site in a real browser: Debian's Chromium driven by Playwright, served from 127.0.0.1.

    python book/_tools/sitecheck.py screenshots   # every page at 1280 and 400 px into _build/screenshots/
    python book/_tools/sitecheck.py pdf           # print the single-page build to the book's PDF

The browser test (``tests/test_site.py``) uses the same helpers: :func:`serve`,
:func:`chromium`, :func:`visit` (which records page errors, console errors and
failed or foreign requests) and :func:`overflow` (what is wider than the article).
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent
BUILD = BOOK / "_build"
SITE = BUILD / "html"
SINGLE = BUILD / "singlehtml"
SCREENSHOTS = BUILD / "screenshots"
#: The whole book as one PDF, in the site's root (linked from the introduction).
PDF_NAME = "scaling-laws-book.pdf"
#: Widths at which every page is checked and photographed [CSS px]: a laptop and a phone.
WIDTHS = (1280, 400)
#: Chromium as the tests run it: no sandbox (root in CI), nothing that reaches the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


#: The folder each running server serves, by its base URL (to read a page's own HTML).
_SERVED: dict[str, Path] = {}


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` on a free port of 127.0.0.1; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    _SERVED[base] = Path(folder)
    try:
        yield base
    finally:
        _SERVED.pop(base, None)
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium():
    """Debian's Chromium under Playwright; yield the browser."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit(
            "Debian's chromium is not installed: `make browser` installs it"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def pages(site: Path = SITE) -> list[str]:
    """Every page of the site, relative to its root, but the generated index and search pages."""
    skip = {"genindex.html", "search.html"}
    found = [p.relative_to(site) for p in site.rglob("*.html")]
    return sorted(
        p.as_posix()
        for p in found
        if p.name not in skip and not p.parts[0].startswith("_")
    )


#: The target of a ``<meta http-equiv="Refresh">`` redirect.
_REFRESH = re.compile(
    r'http-equiv="Refresh" content="0; url=([^"]+)"', re.IGNORECASE
)


def visit(browser, url: str, base: str, width: int = 1280):
    """Open `url` at `width`; return the page and what went wrong while it loaded.

    Problems are lists under ``pageerror`` (uncaught exceptions), ``console``
    (console errors), ``failed`` (failed requests and HTTP errors) and
    ``foreign`` (requests that leave the site).
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = {"pageerror": [], "console": [], "failed": [], "foreign": []}
    page.on(
        "pageerror", lambda error: problems["pageerror"].append(str(error))
    )
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and problems["console"].append(message.text)
        ),
    )
    page.on(
        "requestfailed",
        lambda r: problems["failed"].append(f"{r.url} ({r.failure})"),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and problems["failed"].append(f"{r.url} (HTTP {r.status})")
        ),
    )
    page.on(
        "request",
        lambda r: (
            not r.url.startswith((base, "data:", "blob:"))
            and problems["foreign"].append(r.url)
        ),
    )
    page.goto(url, wait_until="load")
    served = _SERVED.get(base)
    local = (
        served / url[len(base) :].split("?")[0].lstrip("/") if served else None
    )
    refresh = (
        _REFRESH.search(local.read_text(errors="replace"))
        if local is not None and local.is_file()
        else None
    )
    if refresh:  # a redirect page (index.html): wait for the page it sends the reader to
        page.wait_for_url(f"**/{refresh.group(1)}", wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    if page.locator(".math").count():
        page.wait_for_selector(
            "mjx-container", state="attached", timeout=15000
        )
        page.evaluate(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
        )
    return page, problems


#: Finds what is wider than the article: elements whose right edge passes the article's, and
#: scrolling boxes whose content is wider than they are. Hidden elements (collapsed solutions)
#: and what a scrolling box clips are not counted; the box itself is.
_OVERFLOW_JS = """
(allowed) => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const right = article.getBoundingClientRect().right + 1;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const name = el => {
    const id = el.id ? '#' + el.id : '';
    const cls = el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '';
    const text = (el.innerText || el.textContent || '').trim().slice(0, 60).replace(/\\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${id}${cls} "${text}"`;
  };
  const found = [];
  for (const el of article.querySelectorAll('*')) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (el.matches(allowed) || el.closest(allowed)) continue;
    const o = getComputedStyle(el).overflowX;
    if ((o === 'auto' || o === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      found.push(`scrolls sideways (${el.scrollWidth} > ${el.clientWidth} px): ${name(el)}`);
    } else if (box.right > right && !clipped(el)) {
      found.push(`passes the column by ${Math.round(box.right - right)} px: ${name(el)}`);
    }
  }
  return found;
}
"""

#: What may scroll sideways, by width: at a phone's width, code, display equations and tables do
#: (each in its own box, with a shadow at the edge that has more; see ``lawlib.css``).
ALLOWED_SCROLLERS = {
    1280: ":not(*)",
    400: "pre, div.highlight, mjx-container[display='true'], div.output.text_html, "
    "div.pst-scrollable-table-container",
}


def overflow(page, width: int) -> list[str]:
    """Elements of the article wider than their column at `width` (see :data:`ALLOWED_SCROLLERS`)."""
    return page.evaluate(_OVERFLOW_JS, ALLOWED_SCROLLERS[width])


#: Formulas wider than the room they have: a display equation whose typeset math (``mjx-math``,
#: not MathJax's hidden assistive copy) is wider than its box, or an inline formula that passes
#: the column outside a box that scrolls (a table's).
_FORMULAS_JS = """
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const right = article.getBoundingClientRect().right + 1;
  const found = [];
  const text = m => (m.querySelector('mjx-assistive-mml') || m).textContent.trim().slice(0, 60);
  for (const m of article.querySelectorAll('mjx-container')) {
    if (!m.offsetParent || m.closest('div.pst-scrollable-table-container, div.output.text_html')) continue;
    const math = m.querySelector(':scope > mjx-math');
    if (!math) continue;
    const width = math.getBoundingClientRect().width;
    if (m.getAttribute('display') === 'true') {
      if (width > m.clientWidth + 1) found.push(`display equation ${Math.round(width)} px in ${m.clientWidth} px: ${text(m)}`);
    } else if (m.getBoundingClientRect().right > right) {
      found.push(`inline formula passes the column by ${Math.round(m.getBoundingClientRect().right - right)} px: ${text(m)}`);
    }
  }
  return found;
}
"""


def formulas(page) -> list[str]:
    """Formulas on `page` wider than their room (see :data:`_FORMULAS_JS`)."""
    return page.evaluate(_FORMULAS_JS)


#: Finds what a reader should never see: a table header broken inside a word, a number in
#: ``e+`` notation outside code, raw TeX (``$`` or a backslash command) outside math, a section
#: with nothing under its heading, a "Show code cell source" toggle with no output beside it,
#: a package listed as "not installed", and a bibliography label beside author-year citations.
_DEFECTS_JS = """
() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const found = [];
  const visible = el => el.offsetParent !== null;
  const short = t => t.trim().replace(/\\s+/g, ' ').slice(0, 70);
  // 1. headers broken inside a word: a word whose letters sit on two lines
  for (const th of article.querySelectorAll('thead th')) {
    if (!visible(th)) continue;
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s-]+/g;  // a break after a hyphen is a break between word parts
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) found.push(`header broken inside the word "${m[0]}": ${short(th.innerText)}`);
      }
    }
  }
  // text a reader reads as prose or tables: not code, not math, not scripts
  const skip = 'pre, code, kbd, samp, script, style, mjx-container, .MathJax, div.highlight, .math, nav, .headerlink, dt.sig';
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement && !n.parentElement.closest(skip) && visible(n.parentElement)
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    const e = text.match(/\\d(?:\\.\\d+)?e\\+\\d+/);
    if (e) found.push(`number in e+ notation "${e[0]}": ${short(text)}`);
    const tex = text.match(/\\$|\\\\[A-Za-z]+/);
    if (tex) found.push(`raw TeX "${tex[0]}" outside math: ${short(text)}`);
    if (/^\\s*not installed\\s*$/.test(text)) found.push(`a package "not installed": ${short(node.parentElement.parentElement.innerText)}`);
  }
  // 4. sections with nothing under their heading
  for (const section of article.querySelectorAll('section')) {
    const body = [...section.children].filter(c => !/^H[1-6]$/.test(c.tagName) && c.tagName !== 'SPAN');
    if (body.length === 0) found.push(`empty section: ${short(section.innerText)}`);
  }
  // the bibliography's generated labels ([GMC+24]) beside author-year citations
  for (const label of article.querySelectorAll('div.citation > span.label')) {
    if (visible(label)) found.push(`a bibliography label shown: ${short(label.innerText)}`);
  }
  // 5. a hidden code cell that shows nothing: a toggle with no output
  for (const cell of article.querySelectorAll('div.cell.tag_hide-input:not(.tag_parameters)')) {
    const output = cell.querySelector('div.cell_output');
    if (!output || output.innerText.trim() === '' && !output.querySelector('img, svg, table, iframe'))
      found.push(`a "Show code cell source" toggle with no output: ${short(cell.querySelector('pre')?.innerText || '')}`);
  }
  return found;
}
"""


def defects(page) -> list[str]:
    """What a reader should never see on `page` (see :data:`_DEFECTS_JS`)."""
    return page.evaluate(_DEFECTS_JS)


def figure_scales(page) -> list[tuple[str, float]]:
    """Each figure's displayed width over its pixel width (1: shown at full size)."""
    return page.eval_on_selector_all(
        "article img",
        "imgs => imgs.filter(i => i.naturalWidth > 0 && i.offsetParent)"
        ".map(i => [i.src.split('/').pop(), i.getBoundingClientRect().width / i.naturalWidth])",
    )


def screenshots(site: Path = SITE, target: Path = SCREENSHOTS) -> list[Path]:
    """Photograph every page, full length, at every width in :data:`WIDTHS`."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(site) as base, chromium() as browser:
        for name in pages(site):
            for width in WIDTHS:
                page, _ = visit(browser, f"{base}/{name}", base, width)
                path = (
                    target
                    / f"{name.replace('.html', '').replace('/', '__')}@{width}.png"
                )
                page.screenshot(path=str(path), full_page=True)
                page.close()
                written.append(path)
    return written


def pdf(single: Path = SINGLE, target: Path | None = None) -> Path:
    """Print the single-page build of the book to a PDF (A4, backgrounds, math typeset)."""
    target = target or (BOOK / "_build" / "executed" / "_extra" / PDF_NAME)
    target.parent.mkdir(parents=True, exist_ok=True)
    with serve(single) as base, chromium() as browser:
        page, problems = visit(browser, f"{base}/index.html", base)
        # the single-page builder writes no search index, but its pages still ask for one
        failed = [f for f in problems["failed"] if "/searchindex.js " not in f]
        bad = problems["pageerror"] + failed + problems["foreign"]
        if bad:
            raise SystemExit(
                f"the single-page book did not load cleanly: {bad[:3]}"
            )
        page.emulate_media(media="print")
        page.pdf(
            path=str(target),
            format="A4",
            print_background=True,
            outline=True,  # bookmarks from the headings: the reader's table of contents
            tagged=True,
            margin={
                "top": "16mm",
                "bottom": "16mm",
                "left": "14mm",
                "right": "14mm",
            },
        )
        page.close()
    return target


def main(argv: list[str]) -> None:
    command = argv[0] if argv else ""
    if command == "screenshots":
        written = screenshots()
        print(f"{len(written)} screenshots in {SCREENSHOTS}")
    elif command == "pdf":
        print(f"PDF: {pdf()}")
    else:
        raise SystemExit("usage: sitecheck.py screenshots | pdf")


if __name__ == "__main__":
    main(sys.argv[1:])
