"""``python -m verify.tensor``: see ``verify.tensor.cli``."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
