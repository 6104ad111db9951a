#!/usr/bin/env python3
"""Issue 10's benchmark: P1-P4 for our logrotate beside Debian's logrotate 3.21, gzip -6 and pigz -6.

P1: forced rotation + compression (`logrotate -f`) of DIRS x FILES logs of KIB KiB, one glob stanza
    `daily rotate 7 compress missingok notifempty`; gzip -6 and pigz -6 compress the same bytes
    concatenated (the compute floor).
P2: the nightly no-op over the same logs, all rotated today (the apps wrote new logs; nothing is due).
P3: rotation + compression of one MIB MiB log; gzip -6 and pigz -6 compress the same file.
P4: peak RSS of each contender in P3 (wait4; logrotate 3.21's includes its gzip child).

Each contender gets WARMUP untimed runs, then RUNS timed ones, on fresh copies of the same
generated logs (bench/genlogs.py); the table shows medians and the issue's targets with PASS or
MISS. After the first timed run of P1, P2 and P3, the trees left by ours and by 3.21 must be
equivalent (names, types, modes, owners, decompressed contents, state paths); a difference is
printed and the exit status is 1. --strict also exits 2 when a target is missed.

usage: python3 bench/perf.py [--quick] [--runs 3] [--dirs 100 --files 100 --kib 4] [--mib 512]
Run from anywhere. Builds `cargo build --release -p logrotate --bins` first (honours
CARGO_TARGET_DIR) unless --ours names a binary. Not a test: it prints figures (markdown on stdout,
progress on stderr).
"""
import argparse, datetime, glob, os, shlex, shutil, statistics, sys, tempfile

import common, equiv

CONFIG = "@D@/*/*.log {\n    daily\n    rotate 7\n    compress\n    missingok\n    notifempty\n}\n"
CASES = ("P1", "P2", "P3", "P4")
ROTATORS = ("ours", "3.21")
COMPRESSORS = ("gzip", "pigz")
TITLES = {"ours": "ours", "3.21": "logrotate 3.21", "gzip": "gzip -6", "pigz": "pigz -6"}
QUICK = {"dirs": 10, "files": 20, "kib": 4, "mib": 16, "runs": 2}
FULL = {"dirs": 100, "files": 100, "kib": 4, "mib": 512, "runs": 3}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, a, work):
        self.a, self.work = a, work
        self.bins = {"ours": a.ours, "3.21": a.oracle, "gzip": shutil.which(a.gzip), "pigz": shutil.which(a.pigz)}
        self.missing = {who for who, b in self.bins.items() if not b or not os.access(b, os.X_OK)}
        self.samples = {}  # (case, contender) -> [Sample] of the timed runs
        self.problems = []  # equivalence differences, loud at the end
        self.sizes = {}  # contender -> bytes of P3's archive (first timed run)
        self.errfile = os.path.join(work, "stderr")

    def present(self, group):
        return [who for who in group if who not in self.missing]

    def reps(self):
        """-WARMUP..-1 are warm-ups, 0..RUNS-1 timed; contenders alternate order between runs."""
        for rep in range(-self.a.warmup, self.a.runs):
            yield rep, (1 if rep % 2 == 0 else -1)

    def timed(self, case, who, rep, cmd, **kw):
        s = common.run(cmd, errfile=self.errfile, **kw)
        tag = "warm-up" if rep < 0 else f"run {rep + 1}/{self.a.runs}"
        rss = "" if s.rss_kib is None else f"   peak RSS {s.rss_kib / 1024:6.1f} MiB"
        log(f"  {case} {TITLES[who]:15s} {tag:9s} {s.wall:8.3f} s wall {s.cpu:8.3f} s CPU{rss}")
        if rep >= 0:
            self.samples.setdefault((case, who), []).append(s)
        return s

    def tree(self, name):
        """A fresh directory WORK/NAME with a config for NAME/logs: (root, logs, config, state)."""
        root = os.path.join(self.work, name)
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        conf = os.path.join(root, "bench.conf")
        with open(conf, "w") as f:
            f.write(CONFIG.replace("@D@", os.path.join(root, "logs")))
        return root, os.path.join(root, "logs"), conf, os.path.join(root, "state")

    def compress(self, case, who, rep, src):
        """gzip -6 / pigz -6 of `src` into a file beside it, as a rotation would write it."""
        dst = os.path.join(self.work, f"{who}.gz")
        os.sync()
        with open(dst, "wb") as out:
            self.timed(case, who, rep, [self.bins[who], "-6", "-c", src], stdout=out, rss=case == "P3")
        if rep == 0 and case == "P3":
            self.sizes[who] = os.path.getsize(dst)
        os.remove(dst)

    def check(self, case, snaps, expected):
        """Ours and 3.21 left the same tree, and it holds the `expected` file names."""
        for who, (files, _) in snaps.items():
            names = {n for n, v in files.items() if v[0] != "dir"}
            if names != expected:
                wrong = sorted(names ^ expected)
                self.problems.append(f"{case}: {TITLES[who]} left {len(names)} files, expected {len(expected)} "
                                     f"(first differences: {', '.join(wrong[:5])})")
        if len(snaps) == 2:
            diffs = equiv.differences(snaps["ours"], snaps["3.21"])
            self.problems += [f"{case}: {d}" for d in diffs]
            log(f"  {case} equivalence with logrotate 3.21: {'DIFFERENT' if diffs else 'same'}")

    def many_logs(self):
        """P1 and P2."""
        a = self.a
        pristine = os.path.join(self.work, "p1-pristine")
        log(f"generating {a.dirs} x {a.files} logs of {a.kib} KiB")
        common.genlogs(pristine, a.dirs, a.files, a.kib << 10)
        logs = sorted(os.path.relpath(p, pristine) for p in glob.glob(os.path.join(pristine, "*", "*.log")))
        cat = os.path.join(self.work, "p1-all.log")
        with open(cat, "wb") as out:
            for rel in logs:
                with open(os.path.join(pristine, rel), "rb") as src:
                    shutil.copyfileobj(src, out)
        self.p1_bytes = os.path.getsize(cat)
        for rep, order in self.reps():
            snaps1, snaps2 = {}, {}
            for who in self.present(ROTATORS)[::order]:
                root, tree, conf, state = self.tree(f"p1-{who}")
                shutil.copytree(pristine, tree)
                os.sync()
                self.timed("P1", who, rep, [self.bins[who], "-f", "-s", state, conf])
                if rep == 0:
                    snaps1[who] = equiv.snapshot(root, tree, state)
                for rel in logs:  # the apps write new logs; all were rotated today
                    shutil.copyfile(os.path.join(pristine, rel), os.path.join(tree, rel))
                os.sync()
                self.timed("P2", who, rep, [self.bins[who], "-s", state, conf])
                if rep == 0:
                    snaps2[who] = equiv.snapshot(root, tree, state)
            for who in self.present(COMPRESSORS)[::order]:
                self.compress("P1", who, rep, cat)
            if rep == 0:
                self.check("P1", snaps1, {rel + ".1.gz" for rel in logs})
                self.check("P2", snaps2, {rel + ".1.gz" for rel in logs} | set(logs))
        for who in ROTATORS:
            shutil.rmtree(os.path.join(self.work, f"p1-{who}"), ignore_errors=True)

    def big_log(self):
        """P3 and P4."""
        a = self.a
        pristine = os.path.join(self.work, "p3-pristine")
        log(f"generating one log of {a.mib} MiB")
        common.genlogs(pristine, 1, 1, a.mib << 20)
        rel = os.path.join("app000", "svc000.log")
        src = os.path.join(pristine, rel)
        for rep, order in self.reps():
            snaps = {}
            for who in self.present(ROTATORS)[::order]:
                root, tree, conf, state = self.tree(f"p3-{who}")
                os.makedirs(os.path.dirname(os.path.join(tree, rel)))
                shutil.copyfile(src, os.path.join(tree, rel))
                os.sync()
                self.timed("P3", who, rep, [self.bins[who], "-f", "-s", state, conf], rss=True)
                if rep == 0:
                    snaps[who] = equiv.snapshot(root, tree, state)
                    archive = os.path.join(tree, rel + ".1.gz")
                    if os.path.exists(archive):  # if not, check() says so
                        self.sizes[who] = os.path.getsize(archive)
                shutil.rmtree(root)
            for who in self.present(COMPRESSORS)[::order]:
                self.compress("P3", who, rep, src)
            if rep == 0:
                self.check("P3", snaps, {rel + ".1.gz"})
        shutil.rmtree(pristine)


def median(bench, case, who):
    s = bench.samples.get((case, who))
    return statistics.median(x.wall for x in s) if s else None


def peak_mib(bench, who):
    s = bench.samples.get(("P3", who))
    return max(x.rss_kib for x in s) / 1024 if s else None


def secs(t):
    return "—" if t is None else f"{t:.1f} s" if t >= 10 else f"{t:.2f} s" if t >= 1 else f"{t * 1000:.0f} ms"


def missing_note(bench, who):
    return f"{TITLES[who]} not installed" + (" (`apt-get install pigz`)" if who == "pigz" else "")


def cell(bench, value, who, fmt):
    if who in bench.missing:
        return "not installed"
    return fmt(value) if value is not None else "—"


def ratio(num, den):
    return num / den if num is not None and den else None


def speed(r):
    return "—" if r is None else f"{r:.2f}× faster" if r >= 1 else f"{1 / r:.2f}× slower"


def verdict(value, ok):
    return "n/a" if value is None else "PASS" if ok(value) else "MISS"


def figures(bench, cases):
    a = bench.a
    n = a.dirs * a.files
    rows = []
    if "P1" in cases:
        rows.append((f"P1: forced rotate + compress of {n:,} logs × {a.kib} KiB ({a.dirs} dirs × {a.files}; "
                     f"compressors: the {bench.p1_bytes / 2**20:.1f} MiB concatenated)",
                     [cell(bench, median(bench, "P1", w), w, secs) for w in ROTATORS + COMPRESSORS]))
    if "P2" in cases:
        rows.append(("P2: the nightly no-op over the same logs, all rotated today",
                     [cell(bench, median(bench, "P2", w), w, secs) for w in ROTATORS] + ["—", "—"]))
    if "P3" in cases:
        rows.append((f"P3: rotate + compress one {a.mib} MiB log",
                     [cell(bench, median(bench, "P3", w), w, secs) for w in ROTATORS + COMPRESSORS]))
    if "P4" in cases:
        rows.append(("P4: peak RSS compressing that log",
                     [cell(bench, peak_mib(bench, w), w, lambda m: f"{m:.1f} MiB") for w in ROTATORS + COMPRESSORS]))
    head = "| case | " + " | ".join(TITLES[w] for w in ROTATORS + COMPRESSORS) + " |"
    return [head, "|---|---|---|---|---|"] + [f"| {label} | " + " | ".join(c) + " |" for label, c in rows]


def targets(bench, cases):
    """[(target, measured, verdict)] for the issue's targets among `cases`."""
    out = []
    m = lambda case, who: median(bench, case, who)
    x = lambda r: f"{r:.2f}×"
    if "P1" in cases:
        r = ratio(m("P1", "3.21"), m("P1", "ours"))
        out.append(("P1 ≥ 30× faster than logrotate 3.21", speed(r), verdict(r, lambda v: v >= 30)))
        r = ratio(m("P1", "ours"), m("P1", "pigz"))
        got = missing_note(bench, "pigz") if "pigz" in bench.missing else f"{x(r)} pigz's time" if r else "—"
        out.append(("P1 ≤ 1.5× the time of pigz -6 on the same bytes", got, verdict(r, lambda v: v <= 1.5)))
    if "P2" in cases:
        r = ratio(m("P2", "3.21"), m("P2", "ours"))
        out.append(("P2 ≥ 10× faster than logrotate 3.21", speed(r), verdict(r, lambda v: v >= 10)))
    if "P3" in cases:
        r = ratio(m("P3", "pigz"), m("P3", "ours"))
        got = missing_note(bench, "pigz") if "pigz" in bench.missing else speed(r)
        out.append(("P3 ≥ 1.3× faster than pigz -6", got, verdict(r, lambda v: v >= 1.3)))
    if "P4" in cases:
        p = peak_mib(bench, "ours")
        out.append(("P4 ours ≤ 16 MiB peak RSS", "—" if p is None else f"{p:.1f} MiB", verdict(p, lambda v: v <= 16)))
    checked = [c for c in ("P1", "P2", "P3") if c in cases or (c == "P3" and "P4" in cases)]
    if "3.21" in bench.missing:
        out.append(("same results as logrotate 3.21", missing_note(bench, "3.21"), "n/a"))
    else:
        out.append((f"same results as logrotate 3.21 ({', '.join(checked)}: names, modes, owners, "
                    "decompressed contents, state paths)",
                    f"{len(bench.problems)} differences" if bench.problems else "same",
                    "FAIL" if bench.problems else "PASS"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help=f"small sizes for a fast check ({', '.join(f'--{k} {v}' for k, v in QUICK.items())})")
    ap.add_argument("--runs", type=int, help=f"timed runs per contender (default {FULL['runs']})")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    ap.add_argument("--dirs", type=int, help=f"P1/P2: directories (default {FULL['dirs']})")
    ap.add_argument("--files", type=int, help=f"P1/P2: logs per directory (default {FULL['files']})")
    ap.add_argument("--kib", type=int, help=f"P1/P2: KiB per log (default {FULL['kib']})")
    ap.add_argument("--mib", type=int, help=f"P3/P4: MiB of the big log (default {FULL['mib']})")
    ap.add_argument("--cases", default=",".join(CASES), help="which of P1,P2,P3,P4 (default all)")
    ap.add_argument("--ours", help="our logrotate binary (default: build it, "
                                   "$CARGO_TARGET_DIR/release/logrotate)")
    ap.add_argument("--oracle", default="/usr/sbin/logrotate", help="Debian's logrotate 3.21")
    ap.add_argument("--gzip", default="gzip")
    ap.add_argument("--pigz", default="pigz")
    ap.add_argument("--workdir", help="where the trees go (default $TMPDIR or /tmp)")
    ap.add_argument("--fs", choices=("fresh-ext4", "workdir"),
                    help="fresh-ext4 (the default as root): the trees go on a new ext4 (mkfs.ext4's "
                         "defaults, with a journal) on a loop device in the work dir; workdir: on "
                         "the work dir's own filesystem (see common.FreshExt4 for why)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--strict", action="store_true", help="exit 2 if a target is missed")
    a = ap.parse_args()
    for k, v in (QUICK if a.quick else FULL).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    cases = [c.strip().upper() for c in a.cases.split(",") if c.strip()]
    if not cases or set(cases) - set(CASES) or a.runs < 1 or a.warmup < 0:
        ap.error("--cases takes P1,P2,P3,P4; --runs >= 1; --warmup >= 0")
    top, fresh, work, where = common.ours_and_trees(a, "lr-perf-")
    bench = Bench(a, work)
    if "ours" in bench.missing:
        sys.exit(f"{a.ours} is not an executable")
    for who in sorted(bench.missing):
        log(f"{missing_note(bench, who)}: its columns stay empty")
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        if {"P1", "P2"} & set(cases):
            bench.many_logs()
        if {"P3", "P4"} & set(cases):
            bench.big_log()
    except common.Failed as e:
        sys.exit(f"a run failed: {e}")
    finally:
        if fresh:
            fresh.__exit__(None, None, None)
        if a.keep and not fresh:
            log(f"kept {work}")
        else:
            shutil.rmtree(top, ignore_errors=True)

    args = " ".join(shlex.quote(x) for x in sys.argv[1:])
    print(f"\n`python3 bench/perf.py{' ' + args if args else ''}` on {started:%Y-%m-%d %H:%M} UTC, "
          f"{common.machine()}; trees on {where}; ours at {common.git_head()}; "
          f"median of {a.runs} timed run{'s' * (a.runs != 1)} after {a.warmup} warm-up run{'s' * (a.warmup != 1)}\n")
    print("\n".join(figures(bench, cases)))
    print("\n| target | measured | verdict |\n|---|---|---|")
    rows = targets(bench, cases)
    for t, got, v in rows:
        print(f"| {t} | {got} | {v} |")
    if bench.sizes:
        print("\nP3 archive sizes: " + ", ".join(f"{TITLES[w]} {s / 2**20:.1f} MiB" for w, s in bench.sizes.items()))
    for who in sorted(bench.missing):
        print(f"{missing_note(bench, who)}: its figures and ratios are missing.")
    if "P4" in cases:
        print(f"P4 peak RSS from {common.RSS_SOURCE}; logrotate 3.21's includes its gzip child.")
    if bench.problems:
        msg = "\n".join(["", "!!! OURS AND LOGROTATE 3.21 LEFT DIFFERENT RESULTS !!!"] + bench.problems)
        print(msg)
        print(msg, file=sys.stderr)
        return 1
    if a.strict and any(v == "MISS" for _, _, v in rows):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
