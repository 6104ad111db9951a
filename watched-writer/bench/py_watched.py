#!/usr/bin/env python3
"""The reference: Python's logging.handlers.WatchedFileHandler writing the same lines as loggen.

    py_watched.py PATH LINES [--bytes N] [--rate LINES_PER_SEC]

Each line is its 0-based sequence number zero-padded to 12 digits, a space, and padding to N
bytes (default 100) including the newline the handler adds; one logging call per line. Prints
`lines=… secs=… lines_per_sec=… reopens=…` like loggen.
"""
import argparse
import logging
import logging.handlers
import time


class CountingHandler(logging.handlers.WatchedFileHandler):
    reopens = 0

    def _open(self):
        CountingHandler.reopens += 1
        return super()._open()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("lines", type=int)
    ap.add_argument("--bytes", type=int, default=100)
    ap.add_argument("--rate", type=float)
    a = ap.parse_args()
    handler = CountingHandler(a.path)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("bench")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    pad = "x" * (a.bytes - 14)
    start = time.perf_counter()
    for seq in range(a.lines):
        if a.rate:
            due = start + seq / a.rate
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
        log.info("%012d %s", seq, pad)
    secs = time.perf_counter() - start
    print(f"lines={a.lines} secs={secs:.3f} lines_per_sec={a.lines / secs:.0f} reopens={CountingHandler.reopens - 1}")


if __name__ == "__main__":
    main()
