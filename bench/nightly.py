#!/usr/bin/env python3
"""Benchmark many logs (issue 10): ours vs Debian's logrotate 3.21 on the same trees.

P1: forced rotation + compression of DIRS x FILES logs of 4 KiB (`logrotate -f`), beside
    `pigz -6` compressing the same bytes concatenated (the compute floor).
P2: the nightly no-op over the same logs, all rotated today (nothing is due).
One glob stanza `daily rotate 7 compress missingok notifempty`, as in the issue.

usage: bench/nightly.py [--dirs 100] [--files 100] [--runs 5]
Run from the workspace root. Builds the release binary first. Not a test: it prints figures.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLOGS = os.path.join(ROOT, "bench", "genlogs.py")
ORACLE = "/usr/sbin/logrotate"


def timed(cmd, **kw):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        sys.exit(f"{cmd} failed: {r.stderr.decode()}")
    return time.perf_counter() - t


def tree(work, name, pristine, config_text):
    """A fresh copy of the logs and a config for them; returns (config, state)."""
    root = os.path.join(work, name)
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(pristine, os.path.join(root, "logs"))
    conf = os.path.join(root, "bench.conf")
    with open(conf, "w") as f:
        f.write(config_text.replace("@D@", os.path.join(root, "logs")))
    return conf, os.path.join(root, "state")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dirs", type=int, default=100)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    if not os.path.exists(ORACLE):
        sys.exit(f"{ORACLE} is missing: apt-get install logrotate")
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "logrotate", "--bins"], cwd=ROOT, check=True)
    ours = os.path.join(ROOT, "target", "release", "logrotate")
    config = "@D@/*/*.log {\n    daily\n    rotate 7\n    compress\n    missingok\n    notifempty\n}\n"
    work = tempfile.mkdtemp(prefix="lr-nightly-")
    os.chmod(work, 0o755)
    try:
        pristine = os.path.join(work, "pristine")
        subprocess.run([sys.executable, GENLOGS, pristine, str(a.dirs), str(a.files), "4096"],
                       check=True, stdout=subprocess.DEVNULL)
        n = a.dirs * a.files
        p1 = {"ours": [], "3.21": []}
        p2 = {"ours": [], "3.21": []}
        for _ in range(a.runs):
            for label, binary in (("ours", ours), ("3.21", ORACLE)):
                conf, state = tree(work, label, pristine, config)
                p1[label].append(timed([binary, "-f", "-s", state, conf]))
                # The apps write new logs; all were rotated today, so the next pass has nothing
                # to do but find that out.
                logs = os.path.join(work, label, "logs")
                for d in os.listdir(pristine):
                    for f in os.listdir(os.path.join(pristine, d)):
                        shutil.copyfile(os.path.join(pristine, d, f), os.path.join(logs, d, f))
                p2[label].append(timed([binary, "-s", state, conf]))
        cat = os.path.join(work, "all.log")
        with open(cat, "wb") as out:
            for d in sorted(os.listdir(pristine)):
                for f in sorted(os.listdir(os.path.join(pristine, d))):
                    with open(os.path.join(pristine, d, f), "rb") as src:
                        shutil.copyfileobj(src, out)
        pigz = []
        if shutil.which("pigz"):
            for _ in range(a.runs):
                with open(os.devnull, "wb") as null:
                    t = time.perf_counter()
                    subprocess.run(["pigz", "-6", "-c", cat], stdout=null, check=True)
                    pigz.append(time.perf_counter() - t)
        med = statistics.median
        print(f"{n} logs of 4 KiB in {a.dirs} directories, median of {a.runs} runs")
        o1, d1 = med(p1["ours"]), med(p1["3.21"])
        print(f"P1 forced rotate + compress: ours {o1:.3f} s   Debian logrotate 3.21 {d1:.3f} s   "
              f"-> {d1 / o1:.1f}x faster (target >= 30x)")
        if pigz:
            print(f"   pigz -6 on the same bytes concatenated: {med(pigz):.3f} s   -> ours is "
                  f"{o1 / med(pigz):.2f}x pigz (target <= 1.5x)")
        else:
            print("   pigz not installed: apt-get install pigz for the compute floor")
        o2, d2 = med(p2["ours"]), med(p2["3.21"])
        print(f"P2 nightly no-op:            ours {o2:.3f} s   Debian logrotate 3.21 {d2:.3f} s   "
              f"-> {d2 / o2:.1f}x faster (target >= 10x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
