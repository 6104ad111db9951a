#!/usr/bin/env python3
"""P1 and P2 of issue 10 (many small logs: forced rotation, then the nightly no-op), now part of
bench/perf.py: `python3 bench/perf.py --cases P1,P2 [--dirs 100 --files 100 --runs 3]`.
This wrapper runs exactly that, passing its arguments on."""
import os, sys

os.execv(sys.executable, [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "perf.py"),
                          "--cases", "P1,P2", *sys.argv[1:]])
