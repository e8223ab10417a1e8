"""``python -m pipelines``: the command line an analyst uses (see ``pipelines.cli``)."""

import sys

from pipelines.cli import main

sys.exit(main())
