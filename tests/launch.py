"""``python -m tests.launch DB LOGIN YYYY-MM-DD``: the register as ``zhurnal --db DB --as
LOGIN`` runs it (same ``run``: logging, the hangup handler), on a fixed school day.

The fault tests start it in a real pseudo-terminal and kill the terminal under it.
"""

import sys
from datetime import date

from zhurnal.tui.app import run

if __name__ == "__main__":
    db, login, day = sys.argv[1:4]
    sys.exit(run(db, login, today=date.fromisoformat(day)))
