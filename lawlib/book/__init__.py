"""What only the book needs: its look, its lab parameters, its Colab install and its records.

Modules: ``plotting`` (figures at column width, one palette), ``tables`` (the
table look), ``explorers`` (the numbers the site's explorable figures start from), ``lab`` (:func:`~lawlib.book.lab.check_lab`, :func:`~lawlib.book.lab.check_parameters`), ``colab``
(the one-line install cell), ``records`` (:func:`~lawlib.book.records.record`: a number shown in the
prose and read by the tests). The library (``lawlib``) does not import this
package; a chapter does.
"""

from __future__ import annotations

from . import colab, explorers, lab, plotting, records, tables
from .lab import check_lab, check_parameters
from .records import record

__all__ = [
    "check_lab",
    "check_parameters",
    "colab",
    "explorers",
    "lab",
    "plotting",
    "record",
    "records",
    "tables",
]
