"""``python -m zhurnal.cli``: the same as the ``zhurnal`` command."""

import sys

from zhurnal.cli.main import main

sys.exit(main())
