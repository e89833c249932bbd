"""``python -m poverty_core`` runs the ``poverty-core`` command."""

import sys

from poverty_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
