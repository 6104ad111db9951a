#!/usr/bin/env python3
"""Scale benchmark (issue 10): many logs in ONE directory, and a huge `rotate`.

  noop-100k   100,000 logs in one directory, all rotated today: the nightly no-op
  noop-10kx7  10,000 logs with 7 archives each in one directory, rotated today: the no-op
  force-10kx7 the same, forced (`-f`): each log's archives shift and one is removed
  rotate-1e8  `rotate 100000000` on one log with 3 archives, forced: time and peak RSS

usage: bench/scale.py [--oracle] [--only NAME,...]
Run from the workspace root; builds the release binary (honours CARGO_TARGET_DIR). With
--oracle, Debian's /usr/sbin/logrotate runs the same cases (slow: minutes for some) and the
resulting names and state are compared. Not a test: it prints figures.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = "/usr/sbin/logrotate"
STANZA = "{\n    daily\n    rotate 7\n    compress\n    missingok\n    notifempty\n}\n"


def make(root, case):
    """Writes the logs, config and state of `case` under `root`; returns the extra flags."""
    logs = os.path.join(root, "logs")
    os.makedirs(logs)
    today = time.strftime("%Y-%-m-%-d-0:0:0")
    paths, flags = [], []
    if case == "noop-100k":
        count, archives = 100000, 0
    elif case in ("noop-10kx7", "force-10kx7"):
        count, archives = 10000, 7
        flags = ["-f"] if case.startswith("force") else []
    else:
        count, archives = 0, 0
    for i in range(count):
        p = os.path.join(logs, "svc%06d.log" % i)
        with open(p, "w") as f:
            f.write("x\n")
        for n in range(1, archives + 1):
            with open("%s.%d.gz" % (p, n), "w") as f:
                f.write("x\n")
        paths.append(p)
    conf = logs + "/*.log " + STANZA
    if case == "rotate-1e8":
        p = os.path.join(logs, "app.log")
        for name in (p, p + ".1", p + ".2", p + ".3"):
            with open(name, "w") as f:
                f.write("x\n")
        conf, flags = p + " {\n    rotate 100000000\n}\n", ["-f"]
    with open(os.path.join(root, "conf"), "w") as f:
        f.write(conf)
    with open(os.path.join(root, "state"), "w") as f:
        f.write("logrotate state -- version 2\n")
        f.writelines('"%s" %s\n' % (p, today) for p in paths)
    os.chmod(os.path.join(root, "state"), 0o600)
    return flags


def run(binary, root, flags):
    """Runs one pass; returns (seconds, peak RSS of the process in MiB, from GNU time)."""
    report = os.path.join(root, "time")
    cmd = ["/usr/bin/time", "-f", "%e %M", "-o", report,
           binary, *flags, "-s", os.path.join(root, "state"), os.path.join(root, "conf")]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit(f"{binary} failed in {root}: {r.stderr.decode()[:2000]}")
    with open(report) as f:
        secs, kib = f.read().split()[-2:]
    return float(secs), int(kib) / 1024


def outcome(root):
    """The names left and the state's paths (dates left out), relative to `root`."""
    names = sorted(os.listdir(os.path.join(root, "logs")))
    with open(os.path.join(root, "state")) as f:
        state = sorted(line.rsplit(" ", 1)[0].replace(root, "") for line in f.readlines()[1:])
    return names, state


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--only", default="noop-100k,noop-10kx7,force-10kx7,rotate-1e8")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "logrotate", "--bin", "logrotate"],
                   cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    tools = [("ours", os.path.join(target, "release", "logrotate"))]
    if a.oracle:
        tools.append(("3.21", ORACLE))
    work = tempfile.mkdtemp(prefix="lr-scale-")
    print("| case | tool | seconds | peak RSS MiB |\n|---|---|---|---|")
    try:
        for case in a.only.split(","):
            seen = {}
            for label, binary in tools:
                root = os.path.join(work, case, label)
                flags = make(root, case)
                secs, rss = run(binary, root, flags)
                print(f"| {case} | {label} | {secs:.2f} | {rss:.1f} |", flush=True)
                seen[label] = outcome(root)
                shutil.rmtree(root)
            if len(seen) == 2 and seen["ours"] != seen["3.21"]:
                print(f"| {case} | results DIFFER | | |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
