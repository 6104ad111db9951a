#!/usr/bin/env python3
"""Issue 12's zstd benchmark: our in-process zstd vs the zstd program forked per file vs our gzip.

Two sets, each rotated with `logrotate -f` (one glob stanza, `rotate 1`, `compress`) by our binary
in three ways:
  zstd in-process:  `compresscmd /usr/bin/zstd`, `compressoptions -LEVEL -T0` (understood: the
                    zstd library runs inside logrotate);
  zstd forked:      the same options, but `compresscmd` is a symlink to /usr/bin/zstd under
                    another name (`zstd-fork`), so logrotate runs the program for each file, as
                    logrotate 3.21 does for that config;
  gzip in-process:  plain `compress` (built-in gzip -6).
Sets: BIG, one MIB MiB genlogs file; MANY, DIRS x FILES logs of KIB KiB (bench/perf.py's P1).

For each: the rotation's wall time and CPU time, children included (medians of RUNS timed runs
after WARMUP), the archives' total size, and the time to decompress all of them with the program (`zstd -dcq` / `gzip -dc`, one
process per 1000 files, output to /dev/null). Every archive is checked to decompress to its log.

usage: python3 bench/zstd.py [--quick] [--runs 3] [--level 3] [--mib 512] [--dirs 100 --files 100 --kib 4]
Builds `cargo build --release -p logrotate --bins` first (honours CARGO_TARGET_DIR) unless --ours
names a binary. Not a test: it prints a markdown table on stdout, progress on stderr.
"""
import argparse, datetime, glob, os, shlex, shutil, statistics, subprocess, sys, tempfile

import common

WAYS = ("zstd", "forked", "gzip")
TITLES = {"zstd": "zstd in-process", "forked": "zstd program forked per file", "gzip": "gzip in-process (-6)"}
EXT = {"zstd": ".zst", "forked": ".zst", "gzip": ".gz"}
QUICK = {"dirs": 10, "files": 20, "kib": 4, "mib": 16, "runs": 2}
FULL = {"dirs": 100, "files": 100, "kib": 4, "mib": 512, "runs": 3}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def config(way, logs, level, fork):
    zstd = {"zstd": "/usr/bin/zstd", "forked": fork}.get(way)
    lines = ["rotate 1", "compress", "missingok"]
    if zstd:
        lines += [f"compresscmd {zstd}", "compressext .zst", f"compressoptions -{level} -T0"]
    return f"{logs}/*/*.log {{\n" + "".join(f"    {x}\n" for x in lines) + "}\n"


def archives(tree, way):
    return sorted(glob.glob(os.path.join(tree, "*", "*.log.1" + EXT[way])))


def decompress_cmd(way, files):
    prog = ["gzip", "-dc"] if way == "gzip" else ["zstd", "-dcq"]
    return prog + files


class Bench:
    def __init__(self, a, work):
        self.a, self.work = a, work
        self.fork = os.path.join(work, "bin", "zstd-fork")
        os.makedirs(os.path.dirname(self.fork))
        os.symlink(shutil.which("zstd") or "/usr/bin/zstd", self.fork)
        self.times, self.cpu, self.sizes, self.unpack = {}, {}, {}, {}  # (set, way) -> [s] / [s] / bytes / [s]
        self.errfile = os.path.join(work, "stderr")

    def one_set(self, name, dirs, files, size):
        pristine = os.path.join(self.work, f"{name}-pristine")
        log(f"{name}: generating {dirs} x {files} logs of {size:,} bytes")
        common.genlogs(pristine, dirs, files, size)
        logs = sorted(glob.glob(os.path.join(pristine, "*", "*.log")))
        for rep in range(-self.a.warmup, self.a.runs):
            for way in WAYS if rep % 2 == 0 else WAYS[::-1]:
                root = os.path.join(self.work, f"{name}-{way}")
                shutil.rmtree(root, ignore_errors=True)
                tree = os.path.join(root, "logs")
                shutil.copytree(pristine, tree)
                conf = os.path.join(root, "bench.conf")
                with open(conf, "w") as f:
                    f.write(config(way, tree, self.a.level, self.fork))
                os.sync()
                s = common.run([self.a.ours, "-f", "-s", os.path.join(root, "state"), conf], errfile=self.errfile)
                tag = "warm-up" if rep < 0 else f"run {rep + 1}/{self.a.runs}"
                log(f"  {name} {TITLES[way]:30s} {tag:9s} {s.wall:8.3f} s wall {s.cpu:8.3f} s CPU")
                if rep < 0:
                    continue
                self.times.setdefault((name, way), []).append(s.wall)
                self.cpu.setdefault((name, way), []).append(s.cpu)
                packed = archives(tree, way)
                if len(packed) != len(logs):
                    sys.exit(f"{name} {way}: {len(packed)} archives for {len(logs)} logs")
                self.sizes[(name, way)] = sum(os.path.getsize(p) for p in packed)
                self.decompress(name, way, packed, logs if rep == 0 else None)
        for way in WAYS:
            shutil.rmtree(os.path.join(self.work, f"{name}-{way}"), ignore_errors=True)
        shutil.rmtree(pristine)

    def decompress(self, name, way, packed, check):
        wall = 0.0
        for i in range(0, len(packed), 1000):
            with open(os.devnull, "wb") as null:
                wall += common.run(decompress_cmd(way, packed[i:i + 1000]), stdout=null, errfile=self.errfile).wall
        self.unpack.setdefault((name, way), []).append(wall)
        log(f"  {name} {TITLES[way]:30s} decompressed in {wall:8.3f} s")
        if check:  # the archives hold their logs, byte for byte (1000 at a time, in order)
            for i in range(0, len(packed), 1000):
                got = subprocess.run(decompress_cmd(way, packed[i:i + 1000]), capture_output=True, check=True)
                want = b""
                for original in check[i:i + 1000]:
                    with open(original, "rb") as f:
                        want += f.read()
                if got.stdout != want:
                    sys.exit(f"{name} {way}: archives {i}..{i + 999} do not decompress to their logs")


def secs(t):
    return "—" if t is None else f"{t:.1f} s" if t >= 10 else f"{t:.2f} s" if t >= 1 else f"{t * 1000:.0f} ms"


def mib(n):
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 1024:.0f} KiB"


def times(r, label):
    return "—" if r is None else f"{r:.2f}× {label}"


def table(bench, sets):
    head = ["set", "measure", *(TITLES[w] for w in WAYS), "forked ÷ in-process", "gzip ÷ zstd in-process"]
    rows = [head, ["---"] * len(head)]
    for name, label in sets:
        med = {w: statistics.median(bench.times[(name, w)]) for w in WAYS}
        cpu = {w: statistics.median(bench.cpu[(name, w)]) for w in WAYS}
        unp = {w: statistics.median(bench.unpack[(name, w)]) for w in WAYS}
        size = {w: bench.sizes[(name, w)] for w in WAYS}
        for measure, vals, fmt in (("rotate + compress", med, secs), ("its CPU (user + system)", cpu, secs),
                                   ("archives", size, mib),
                                   ("decompress (program)", unp, secs)):
            ratio = lambda a, b: vals[a] / vals[b] if vals[b] else None
            r1 = ratio("forked", "zstd")
            r2 = ratio("gzip", "zstd")
            rows.append([label, measure, *(fmt(vals[w]) for w in WAYS),
                         f"{r1:.2f}×" if r1 else "—", f"{r2:.2f}×" if r2 else "—"])
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help=f"small sizes ({', '.join(f'--{k} {v}' for k, v in QUICK.items())})")
    ap.add_argument("--runs", type=int, help=f"timed runs (default {FULL['runs']})")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    ap.add_argument("--level", type=int, default=3, help="zstd level for both zstd ways (default 3, zstd's)")
    ap.add_argument("--mib", type=int, help=f"BIG: MiB of the one log (default {FULL['mib']}; 0 skips it)")
    ap.add_argument("--dirs", type=int, help=f"MANY: directories (default {FULL['dirs']}; 0 skips the set)")
    ap.add_argument("--files", type=int, help=f"MANY: logs per directory (default {FULL['files']})")
    ap.add_argument("--kib", type=int, help=f"MANY: KiB per log (default {FULL['kib']})")
    ap.add_argument("--ours", help="our logrotate binary (default: build it)")
    ap.add_argument("--workdir", help="where the trees go (default $TMPDIR or /tmp)")
    ap.add_argument("--fs", choices=("fresh-ext4", "workdir"),
                    help="fresh-ext4 (the default as root): the trees go on a new ext4 on a loop device "
                         "in the work dir; workdir: on the work dir's own filesystem (see common.FreshExt4)")
    a = ap.parse_args()
    for k, v in (QUICK if a.quick else FULL).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    if a.runs < 1 or a.warmup < 0 or not 1 <= a.level <= 19:
        ap.error("--runs >= 1, --warmup >= 0, --level 1..19")
    if not shutil.which("zstd") or not shutil.which("gzip"):
        sys.exit("needs the zstd and gzip programs (apt-get install zstd)")
    top, fresh, work, where = common.ours_and_trees(a, "lr-zstd-")
    started = datetime.datetime.now(datetime.timezone.utc)
    sets = []
    try:
        bench = Bench(a, work)
        if a.mib > 0:
            bench.one_set("big", 1, 1, a.mib << 20)
            sets.append(("big", f"one {a.mib} MiB log"))
        if a.dirs > 0 and a.files > 0:
            bench.one_set("many", a.dirs, a.files, a.kib << 10)
            sets.append(("many", f"{a.dirs * a.files:,} logs × {a.kib} KiB"))
    except common.Failed as e:
        sys.exit(f"a run failed: {e}")
    finally:
        if fresh:
            fresh.__exit__(None, None, None)
        shutil.rmtree(top, ignore_errors=True)
    args = " ".join(shlex.quote(x) for x in sys.argv[1:])
    print(f"\n`python3 bench/zstd.py{' ' + args if args else ''}` on {started:%Y-%m-%d %H:%M} UTC, "
          f"{common.machine()}; trees on {where}; ours at {common.git_head()}; zstd level {a.level} with -T0; median of "
          f"{a.runs} timed run{'s' * (a.runs != 1)} after {a.warmup} warm-up run{'s' * (a.warmup != 1)}\n")
    print(table(bench, sets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
