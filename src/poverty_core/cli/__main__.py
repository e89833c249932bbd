"""``python -m poverty_core.cli``: the ``poverty-core`` command."""

import sys

from poverty_core.cli import main

sys.exit(main())
