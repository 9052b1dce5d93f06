"""The book's figure look: the phone rendering of every figure, and labelled loss axes."""

from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from lawlib.book import plotting


@pytest.fixture(autouse=True)
def _style():
    plotting.use_style()
    yield
    plt.close("all")


def _sizes(html):
    images = re.findall(r'base64,([^"]+)"', html)
    return [Image.open(io.BytesIO(base64.b64decode(png))).size for png in images]


def test_phone_rendering_stacks_panels_and_gathers_wide_legends_then_restores_the_figure():
    fig, axes = plotting.panels(2)
    for ax in axes:
        ax.plot([1, 2, 3], label="a legend entry far too long for a phone's axes")
        ax.set_xlabel("a long axis label that would not fit a phone at nine points")
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    before = (
        tuple(fig.get_size_inches()),
        [ax.get_subplotspec().get_geometry() for ax in axes],
        axes[1].get_xlabel(),
    )
    phone, wide = _sizes(plotting.figure_html(fig))
    target = plotting.PHONE_WIDTH * plotting.DPI
    assert target * 0.9 <= phone[0] <= target * 1.02  # shown unscaled in a 400 px window
    assert phone[1] > 1.5 * phone[0]  # the two panels stacked, one above the other
    assert wide[0] > 2 * phone[0]  # the column-width rendering, legend beside the panels
    after = (
        tuple(fig.get_size_inches()),
        [ax.get_subplotspec().get_geometry() for ax in axes],
        axes[1].get_xlabel(),
    )
    assert after == before
    assert axes[0].get_legend().get_visible() and fig.legends == []


def test_a_single_panel_keeps_a_short_legend_inside():
    fig, ax = plotting.figure()
    ax.plot([1, 2], label="BiMix")
    legend = ax.legend()
    phone, _ = _sizes(plotting.figure_html(fig))
    assert phone[0] <= plotting.PHONE_WIDTH * plotting.DPI * 1.02
    assert not plotting._to_move(legend, fig) and fig.legends == []


def test_wrapped_labels_break_between_words_and_keep_math_whole():
    text = "$a$, the exponent of $N_{opt} \\propto C^a$ fitted over many budgets"
    lines = plotting._wrapped(text).split("\n")
    assert all(len(line) <= plotting.PHONE_LINE for line in lines)
    assert "$N_{opt} \\propto C^a$" in plotting._wrapped(text)
    assert " ".join(lines) == text


def test_loss_axes_within_a_decade_get_several_labels():
    _, ax = plotting.figure()
    plotting.loglog(ax)
    ax.plot([1e8, 1e10], [2.07, 3.7])
    ax.figure.canvas.draw()
    low, high = ax.get_ylim()
    shown = [
        t.label1.get_text()
        for t in ax.yaxis.get_minor_ticks() + ax.yaxis.get_major_ticks()
        if t.label1.get_text() and low <= t.get_loc() <= high
    ]
    assert len(shown) >= 4, shown
    assert np.all(np.diff([float(s) for s in sorted(shown, key=float)]) > 0)
