"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SITE = BOOK / "_build" / "html"
EXECUTED = BOOK / "_build" / "executed"

#: Besiroglu et al. (2024)'s bootstrap standard errors of the Approach 3 fit (4,000 resamples,
#: seed 42); shared/reference/chinchilla.md, section 4.3. Tested to 5% by the library and the chapter.
BESIROGLU_SE = {"A": 124.52, "B": 1293.28, "E": 0.026, "alpha": 0.0154, "beta": 0.0206}

sys.path.insert(0, str(BOOK / "_tools"))
