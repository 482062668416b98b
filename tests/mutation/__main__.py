"""``python -m tests.mutation``: the same as ``scripts/mutate``."""

import sys

from .runner import main

sys.exit(main())
