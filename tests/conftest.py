"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SITE = BOOK / "_build" / "html"
EXECUTED = BOOK / "_build" / "executed"

sys.path.insert(0, str(BOOK / "_tools"))
