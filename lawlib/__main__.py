"""``python -m lawlib``: the command line (see :mod:`lawlib.cli`)."""

import sys

from .cli import main

sys.exit(main())
