"""Helpers shared by the benchmark scripts: where the binaries are, building them, and timing a
child process with its CPU time and peak RSS (from wait4). Python 3 standard library only."""
import os, platform, shutil, subprocess, sys, tempfile, time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLOGS = os.path.join(ROOT, "bench", "genlogs.py")


def target_dir():
    """Cargo's target directory: $CARGO_TARGET_DIR (relative to the workspace root, where cargo
    runs) or target/."""
    return os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR") or "target")


def release_bin(name, sub=""):
    return os.path.join(target_dir(), "release", sub, name)


def build(*extra):
    """`cargo build --release -p logrotate --bins` (and `extra` cargo invocations, each a list of
    arguments after `cargo build --release`), from the workspace root."""
    for args in (["-p", "logrotate", "--bins"], *extra):
        subprocess.run(["cargo", "build", "--release", "--quiet", *args], cwd=ROOT, check=True)


def genlogs(root, dirs, files, size, seed=1):
    """Writes ROOT/appNNN/svcNNN.log with bench/genlogs.py (DIRS x FILES logs of SIZE bytes)."""
    subprocess.run([sys.executable, GENLOGS, root, str(dirs), str(files), str(size), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)


# Peak RSS comes from GNU time when it is installed: a child forked from Python starts with
# Python's pages, and the kernel keeps that high-water mark across exec, so wait4's ru_maxrss
# cannot go below ~20 MiB; time forks from a small process and reports its child's peak.
TIME = shutil.which("time")
RSS_SOURCE = ("GNU time's %M" if TIME else
              "wait4 (a floor of the forking Python's ~20 MiB: apt-get install time for exact figures)")


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds, waited-for descendants included
    rss_kib: int | None  # peak resident set of the command or of any descendant it waited for


class Failed(Exception):
    pass


def run(cmd, stdin=None, stdout=None, errfile=None, rss=False):
    """Runs `cmd` to completion and measures it (its peak RSS only if `rss`: through GNU time,
    whose fork and exec add about a millisecond). stdin/stdout are open files (default
    /dev/null); stderr goes to `errfile` (a path) and is shown if the command fails."""
    null = open(os.devnull, "r+b")
    err = open(errfile or os.devnull, "wb")
    fd, rssfile = tempfile.mkstemp(prefix="lr-bench-rss-")
    os.close(fd)
    try:
        timed = [TIME, "-f", "%M", "-o", rssfile, *cmd] if TIME and rss else cmd
        t = time.perf_counter()
        p = subprocess.Popen(timed, stdin=stdin or null, stdout=stdout or null, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        with open(rssfile) as f:
            last = (f.read().split() or ["?"])[-1]
    finally:
        null.close()
        err.close()
        os.remove(rssfile)
    if p.returncode != 0:
        text = open(errfile, errors="replace").read()[-2000:] if errfile else ""
        raise Failed(f"{' '.join(cmd)} exited with {p.returncode}\n{text}")
    peak = (int(last) if TIME and last.isdigit() else ru.ru_maxrss) if rss else None
    return Sample(wall, ru.ru_utime + ru.ru_stime, peak)


def git_head():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    """'2 cores, Intel(R) Xeon(R) Processor, 23.5 GiB RAM, Linux 6.1'."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {mem:.1f} GiB RAM, {platform.system()} {platform.release()}"


def fstype(path):
    """The filesystem type of the mount holding `path` (from /proc/mounts)."""
    best, kind = "", "unknown"
    path = os.path.realpath(path)
    try:
        with open("/proc/mounts") as f:
            for line in f:
                _, mnt, fs = line.split()[:3]
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
                    best, kind = mnt, fs
    except OSError:
        pass
    return kind


def can_mount_ext4():
    """Whether a fresh ext4 can be made for the benchmark: root, mkfs.ext4 and mount."""
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("mkfs.ext4", "losetup", "mount", "umount"))


class FreshExt4:
    """A new ext4 filesystem (mkfs.ext4's defaults, so with a journal, as Debian installs it) in
    a sparse image of SIZE_GIB under PARENT, mounted on a loop device for the benchmark's trees.

    Why: an ext4 without a journal (as some VM images have) looks for a free inode past every
    inode freed in the last few seconds, so creating files right after deleting thousands (what
    a benchmark that resets its trees does) costs each tool far more than it would on a server,
    and mostly measures the deletions of the run before. A fresh filesystem per run measures the
    tools. `--fs workdir` measures where the work dir is instead."""

    def __init__(self, parent, size_gib):
        self.size_gib = size_gib
        self.image = os.path.join(parent, "fs.img")
        self.mnt = os.path.join(parent, "mnt")

    def __enter__(self):
        with open(self.image, "wb") as f:
            f.truncate(self.size_gib << 30)
        subprocess.run(["mkfs.ext4", "-q", "-F", self.image], check=True)
        os.makedirs(self.mnt, exist_ok=True)
        # Direct I/O: the loop device writes through to the image as a disk would, without a
        # second page cache in between (which made an fsync cost twice a disk's).
        self.dev = subprocess.run(["losetup", "-f", "--show", "--direct-io=on", self.image], check=True,
                                  capture_output=True, text=True).stdout.strip()
        subprocess.run(["mount", self.dev, self.mnt], check=True)
        os.chmod(self.mnt, 0o755)
        return self.mnt

    def __exit__(self, *exc):
        subprocess.run(["umount", self.mnt], check=False)
        subprocess.run(["losetup", "-d", self.dev], check=False)
        for p in (self.image,):
            try:
                os.remove(p)
            except OSError:
                pass
        return False


def ours_and_trees(a, prefix):
    """What perf.py and zstd.py do before their runs: builds our binary unless `a.ours` names one
    (sets `a.ours`), and makes the work directory, on a fresh ext4 unless `a.fs` says `workdir`
    (sets `a.fs`). Returns (top, fresh, work, where): `top` to remove at the end, `fresh` the
    FreshExt4 to exit (or None), `work` where the trees go, `where` its description."""
    if a.ours is None:
        print("cargo build --release -p logrotate --bins", file=sys.stderr, flush=True)
        build()
        a.ours = release_bin("logrotate")
    a.ours = os.path.abspath(a.ours)
    if a.fs is None:
        a.fs = "fresh-ext4" if can_mount_ext4() else "workdir"
    top = tempfile.mkdtemp(prefix=prefix, dir=a.workdir)
    os.chmod(top, 0o755)  # 3.21 will not touch logs in a directory others may write
    fresh = FreshExt4(top, 2 + 4 * a.mib // 1024) if a.fs == "fresh-ext4" else None
    work = fresh.__enter__() if fresh else top
    where = ("a fresh ext4 (mkfs.ext4 defaults, journal) on a loop device" if fresh
             else f"the work dir's {fstype(work)}")
    return top, fresh, work, where
