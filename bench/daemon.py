#!/usr/bin/env python3
"""Benchmark logrotated watching many files: idle CPU, RSS, size-trigger latency; and the cost
of one full evaluation pass of `logrotate` against Debian's logrotate on the same files.

usage: bench/daemon.py [--files 10000] [--idle-secs 60] [--latency-runs 5]
Run from the workspace root. Builds the release binaries first. Not a test: it prints figures.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLOGS = os.path.join(os.path.dirname(ROOT), "shared", "bench", "genlogs.py")


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--idle-secs", type=float, default=60)
    ap.add_argument("--latency-runs", type=int, default=5)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "logrotate", "--bins"], cwd=ROOT, check=True)
    ours = os.path.join(ROOT, "target", "release", "logrotate")
    daemon_bin = os.path.join(ROOT, "target", "release", "logrotated")
    dirs = max(1, a.files // 100)
    work = tempfile.mkdtemp(prefix="lr-bench-")
    try:
        logs = os.path.join(work, "logs")
        subprocess.run([sys.executable, GENLOGS, logs, str(dirs), "100", "2048"], check=True)
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
