#!/usr/bin/env python3
"""Benchmark rotation with compression: `logrotate -f` (ours vs Debian's 3.21) on the same logs,
beside plain `gzip -6` and `pigz -6` on the same bytes. Prints seconds and ratios.

usage: bench/compress.py [--files 10] [--mib 20] [--runs 3]
Run from the workspace root. Builds the release binary first. Not a test: it prints figures.
"""
import argparse, glob, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLOGS = os.path.join(ROOT, "bench", "genlogs.py")


def timed(cmd, **kw):
    t = time.perf_counter()
    r = subprocess.run(cmd, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {r.stderr.decode()}")
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--mib", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "logrotate", "--bins"], cwd=ROOT, check=True)
    ours = os.path.join(ROOT, "target", "release", "logrotate")
    work = tempfile.mkdtemp(prefix="lr-compress-")
    try:
        pristine = os.path.join(work, "pristine")
        subprocess.run([sys.executable, GENLOGS, pristine, "1", str(a.files), str(a.mib << 20)], check=True)
        sources = sorted(glob.glob(os.path.join(pristine, "*", "*.log")))
        total = sum(os.path.getsize(p) for p in sources)
        logs = os.path.join(work, "logs")
        conf = os.path.join(work, "bench.conf")
        with open(conf, "w") as f:
            f.write(f"{logs}/*.log {{\n    rotate 5\n    compress\n}}\n")

        def rotate_with(binary):
            shutil.rmtree(logs, ignore_errors=True)
            os.makedirs(logs)
            for p in sources:
                shutil.copy(p, logs)
            subprocess.run(["sync"])
            return timed([binary, "-f", "-s", os.path.join(work, "state"), conf])

        def compress_with(cmd):
            t = 0.0
            for p in sources:
                with open(p, "rb") as src, open(os.devnull, "wb") as dst:
                    t += timed(cmd, stdin=src, stdout=dst)
            return t

        results, sizes = {}, {}
        for name, fn in [
            ("ours: logrotate -f, compress", lambda: rotate_with(ours)),
            ("Debian logrotate 3.21 -f, compress", lambda: rotate_with("/usr/sbin/logrotate")),
            ("gzip -6 (compression only)", lambda: compress_with(["gzip", "-6", "-c"])),
            ("pigz -6 (compression only)", lambda: compress_with(["pigz", "-6", "-c"])),
        ]:
            exe = name.split()[0] if not name.startswith(("ours", "Debian")) else None
            if exe and shutil.which(exe) is None:
                continue
            if name.startswith("Debian") and not os.path.exists("/usr/sbin/logrotate"):
                continue
            results[name] = statistics.median(fn() for _ in range(a.runs))
            if name.startswith(("ours", "Debian")):
                sizes[name] = sum(os.path.getsize(p) for p in glob.glob(os.path.join(logs, "*.gz")))
        base = results["ours: logrotate -f, compress"]
        print(f"{len(sources)} logs, {total / 2**20:.0f} MiB, median of {a.runs} runs, {os.cpu_count()} cores")
        for name, t in results.items():
            print(f"{name:40s} {t:7.2f} s  {total / 2**20 / t:7.1f} MiB/s  {t / base:5.2f}x our time")
        for name, size in sizes.items():
            print(f"{name:40s} archives {size / 2**20:.1f} MiB ({total / size:.2f}:1)")
        print(f"reproduce: python3 bench/compress.py --files {a.files} --mib {a.mib} --runs {a.runs}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
