#!/usr/bin/env python3
"""P3 and P4 of issue 10 (one big log: rotation with compression beside gzip -6 and pigz -6, and
peak RSS), now part of bench/perf.py: `python3 bench/perf.py --cases P3,P4 [--mib 512 --runs 3]`.
This wrapper runs exactly that, passing its arguments on."""
import os, sys

os.execv(sys.executable, [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "perf.py"),
                          "--cases", "P3,P4", *sys.argv[1:]])
