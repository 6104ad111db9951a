#!/usr/bin/env python3
"""Benchmark logrotated watching many files: idle CPU, RSS, size-trigger latency; the cost of
one full evaluation pass of `logrotate` against Debian's logrotate on the same files; and the
daemon's CPU and trigger latency while an app writes 100k lines/s to a watched log.

usage: bench/daemon.py [--files 10000] [--idle-secs 60] [--latency-runs 5]
                       [--load-secs 20] [--load-rate 100000] [--load-only] [--compare OLD_LOGROTATED]
Run from anywhere. Builds the release binaries first (honours CARGO_TARGET_DIR). Not a test: it prints figures.
--compare runs the write-load scenario with another logrotated binary too (e.g. one built from
an older commit with `git worktree add /tmp/old <commit>`), for before/after figures.
"""
import argparse, os, shutil, statistics, subprocess, tempfile, time

import common


def proc_cpu_secs(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    return 0


def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, r


def wait_rotated(path, ino, timeout=30):
    """Waits until `path` is no longer the inode `ino` (moved away by a rotation)."""
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        try:
            if os.stat(path).st_ino != ino:
                break
        except FileNotFoundError:
            break
        time.sleep(0.001)
    return time.perf_counter() - t


def write_load(daemon_bin, loggen, secs, rate, probes):
    """The daemon watches `busy.log` (size 1G: it does not rotate here; at 100k lines/s of 100
    bytes it grows 10 MB/s) while loggen appends `rate` lines/s to it, one write() per line.
    Returns (CPU % of one core over `secs`, trigger latencies of `small.log` (size 64k) under the
    same load, lines/s the writer achieved)."""
    work = tempfile.mkdtemp(prefix="lr-load-")
    try:
        logs = os.path.join(work, "logs")
        os.makedirs(logs)
        busy, small = os.path.join(logs, "busy.log"), os.path.join(logs, "small.log")
        open(busy, "w").close()
        conf = os.path.join(work, "load.conf")
        with open(conf, "w") as f:
            f.write(f"{busy} {{\n    size 1G\n    rotate 1\n}}\n")
            f.write(f"{small} {{\n    size 64k\n    rotate 100\n    missingok\n}}\n")
        state = os.path.join(work, "state")
        p = subprocess.Popen([daemon_bin, "-s", state, conf], stderr=subprocess.DEVNULL)
        while not os.path.exists(state):
            time.sleep(0.05)
        time.sleep(1)
        total = int(rate * (secs + 3 + probes * 2.5 + 10))
        w = subprocess.Popen([loggen, busy, str(total), "--rate", str(rate), "--policy", "plain"],
                             stdout=subprocess.DEVNULL)
        time.sleep(2)
        c0, t0, s0 = proc_cpu_secs(p.pid), time.perf_counter(), os.path.getsize(busy)
        time.sleep(secs)
        c1, t1, s1 = proc_cpu_secs(p.pid), time.perf_counter(), os.path.getsize(busy)
        cpu = (c1 - c0) / (t1 - t0) * 100
        achieved = (s1 - s0) / 100 / (t1 - t0)
        lat = []
        chunk = b"y" * 100 * 1024
        for _ in range(probes):
            with open(small, "ab") as f:
                f.write(chunk)
            lat.append(wait_rotated(small, os.stat(small).st_ino))
            time.sleep(1.5)
        w.kill()
        w.wait()
        p.terminate()
        p.wait(timeout=30)
        return cpu, lat, achieved
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_load(label, cpu, lat, achieved):
    print(f"{label:28s} CPU {cpu:6.2f} % of one core (target <= 2 %)   trigger latency median "
          f"{statistics.median(lat)*1000:.0f} ms, max {max(lat)*1000:.0f} ms (target <= 1000 ms)   "
          f"writer {achieved:,.0f} lines/s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--idle-secs", type=float, default=60)
    ap.add_argument("--latency-runs", type=int, default=5)
    ap.add_argument("--load-secs", type=float, default=20)
    ap.add_argument("--load-rate", type=int, default=100000)
    ap.add_argument("--load-only", action="store_true", help="only the write-load scenario")
    ap.add_argument("--compare", metavar="OLD_LOGROTATED", help="also run the write load with this binary")
    a = ap.parse_args()
    common.build(["-p", "watched-writer", "--example", "loggen"])
    ours = common.release_bin("logrotate")
    daemon_bin = common.release_bin("logrotated")
    loggen = common.release_bin("loggen", "examples")

    print(f"== logrotated under write load: {a.load_rate:,} lines/s of 100 bytes, one write() each, "
          f"to a watched log with a size rule, {a.load_secs:.0f} s ==")
    report_load("this build", *write_load(daemon_bin, loggen, a.load_secs, a.load_rate, a.latency_runs))
    if a.compare:
        report_load(f"{a.compare}", *write_load(a.compare, loggen, a.load_secs, a.load_rate, a.latency_runs))
    if a.load_only:
        return
    print()
    dirs = max(1, a.files // 100)
    work = tempfile.mkdtemp(prefix="lr-bench-")
    try:
        logs = os.path.join(work, "logs")
        common.genlogs(logs, dirs, 100, 2048)
        conf = os.path.join(work, "bench.conf")
        with open(conf, "w") as f:
            f.write(f"{logs}/app*/*.log {{\n    size 1M\n    rotate 2\n    missingok\n}}\n")
        nfiles = dirs * 100
        print(f"{nfiles} log files in {dirs} directories, rule: size 1M")

        # One evaluation pass over every file (nothing is due): ours vs Debian's logrotate.
        print("\n== one full pass (cron-style run, nothing due) ==")
        if os.path.exists("/usr/sbin/logrotate"):
            t_ref, _ = timed(["/usr/sbin/logrotate", "-s", os.path.join(work, "st-ref"), conf])
            t_ref, _ = timed(["/usr/sbin/logrotate", "-s", os.path.join(work, "st-ref"), conf])
        else:
            t_ref = None
        timed([ours, "-s", os.path.join(work, "st-ours"), conf])
        t_ours, r = timed([ours, "-s", os.path.join(work, "st-ours"), conf])
        if r.returncode != 0:
            print(r.stderr)
        line = f"ours {t_ours*1000:8.1f} ms"
        if t_ref:
            line += f"   Debian logrotate {t_ref*1000:8.1f} ms   ratio {t_ref/t_ours:5.1f}x faster"
        print(line)

        # The daemon.
        state = os.path.join(work, "state")
        p = subprocess.Popen([daemon_bin, "-s", state, conf], stderr=subprocess.PIPE, text=True)
        while not os.path.exists(state):
            time.sleep(0.05)
        time.sleep(2)
        print(f"\n== logrotated idle, watching {nfiles} files, {a.idle_secs:.0f} s ==")
        c0 = proc_cpu_secs(p.pid)
        time.sleep(a.idle_secs)
        c1 = proc_cpu_secs(p.pid)
        cpu = (c1 - c0) / a.idle_secs * 100
        rss = proc_status(p.pid, "VmRSS") / 1024
        hwm = proc_status(p.pid, "VmHWM") / 1024
        print(f"idle CPU {cpu:.3f} %   (target ~0 %; cron-run logrotate: 0 % between runs)")
        print(f"RSS {rss:.1f} MiB, peak {hwm:.1f} MiB   (target <= 20 MiB)")

        print(f"\n== size-trigger latency ({a.latency_runs} runs) ==")
        chunk = b"x" * 1100 * 1024
        lat = []
        for i in range(a.latency_runs):
            target = os.path.join(logs, f"app{i % dirs:03d}", f"svc{(i * 7) % 100:03d}.log")
            t = time.perf_counter()
            with open(target, "ab") as f:
                f.write(chunk)
            while not os.path.exists(target + ".1"):
                time.sleep(0.001)
                if time.perf_counter() - t > 30:
                    break
            lat.append(time.perf_counter() - t)
            time.sleep(0.5)
        print(f"median {statistics.median(lat)*1000:.0f} ms, max {max(lat)*1000:.0f} ms   (target <= 1000 ms;"
              " logrotate from cron.daily: up to 24 h, from cron.hourly: up to 1 h)")
        p.terminate()
        p.wait(timeout=30)
        print(f"\nreproduce: python3 bench/daemon.py --files {nfiles} --idle-secs {a.idle_secs:.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
