"""Live room fan-out (issue 3's figure): 1,000 viewers on one chat's event stream while posts
arrive at 20/s, hashchat and the bare baseline server under the same load in one run.

It is `bench/loadgen.py inprocess`, whose defaults are exactly this load; kept as the command
that bench/README.md names for the figure.

Usage: .venv/bin/python bench/room_fanout.py [--viewers N --messages M --rate R --harness DIR
       --json-out FILE]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # bench/ is not a package: its path is set just above

if __name__ == "__main__":
    sys.argv[1:1] = ["inprocess"]
    loadgen.main()
