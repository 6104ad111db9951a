"""Did two rotations produce the same result? A snapshot of a tree records every name under it with
its type, mode, owner and the SHA-256 of its contents (of the decompressed contents for `.gz`
archives), plus the paths in the state file. Two snapshots of trees at different places compare
with each tree's root replaced by `ROOT`; rotation times in the state are not compared."""
import gzip, hashlib, os, re, stat

STATE_LINE = re.compile(r'^"((?:[^"\\]|\\.)*)" (\d+-\d+-\d+(?:-\d+:\d+:\d+)?)$')


def digest(path):
    h = hashlib.sha256()
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except (OSError, EOFError) as e:  # gzip.BadGzipFile is an OSError
        return f"unreadable: {e}"
    return ("gunzip " if path.endswith(".gz") else "") + h.hexdigest()[:16]


def state_paths(state, root):
    """The paths recorded in a logrotate state file, `root` replaced by ROOT; bad lines too."""
    paths = set()
    if not os.path.exists(state):
        return {"(no state file)"}
    with open(state, errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines[1:]:
        m = STATE_LINE.match(line)
        paths.add(m.group(1).replace(root, "ROOT", 1) if m else f"(bad state line) {line}")
    return paths


def snapshot(root, logs, state):
    """{relative name: (type, mode, uid, gid, contents)} of everything under `logs`, and the
    state's paths. `root` is the prefix that differs between the trees being compared."""
    files = {}
    for d, dirs, names in os.walk(logs):
        for n in dirs + names:
            p = os.path.join(d, n)
            st = os.lstat(p)
            kind = "dir" if stat.S_ISDIR(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "other"
            contents = digest(p) if kind == "file" else ""
            files[os.path.relpath(p, logs)] = (kind, oct(stat.S_IMODE(st.st_mode)), st.st_uid, st.st_gid, contents)
    return files, state_paths(state, root)


def differences(ours, theirs, limit=20):
    """Human-readable differences between two snapshots (empty if they are equivalent)."""
    (fa, sa), (fb, sb) = ours, theirs
    out = []
    for name in sorted(fa.keys() | fb.keys()):
        a, b = fa.get(name), fb.get(name)
        if a != b:
            out.append(f"{name}: ours {a or 'missing'}, 3.21 {b or 'missing'}")
    for p in sorted(sa - sb):
        out.append(f"state: only ours has {p}")
    for p in sorted(sb - sa):
        out.append(f"state: only 3.21 has {p}")
    if len(out) > limit:
        out = out[:limit] + [f"... and {len(out) - limit} more"]
    return out
