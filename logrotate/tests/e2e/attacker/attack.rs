//! The sandbox of the attacker tests: a root-owned 0755 temp dir holding a log directory owned
//! by `nobody` (the attacker's), and victims outside it (a root-owned secret file, mode 0640,
//! and a root-owned directory); planting of symlinks, hard links, FIFOs and directories; runs
//! with a time limit; and the check that nothing outside the log directory changed.

use std::ffi::CString;
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// uid and gid of `nobody` / `nogroup`, the owner of the log directory.
pub const NOBODY: u32 = 65534;
/// The marker in the secret; finding it in a file `nobody` can read is a disclosure.
pub const SECRET: &str = "TOP-SECRET 7f3a9c: root's private data\n";
/// The live log's content.
pub const LOG_TEXT: &str = "line 1\nline 2\nline 3\n";
/// Files in the victim directory (root's, 0644).
pub const VICTIM_DIR_FILES: [&str; 2] = ["app.log.1", "app.log.2"];
/// Longest a run may take before it counts as a hang and is killed.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What the attacker plants at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plant {
    /// A symlink to the secret file.
    SymlinkFile,
    /// A symlink to the victim directory.
    SymlinkDir,
    /// A hard link to the secret file (root can make it; so can a user wherever
    /// `fs.protected_hardlinks=0`).
    HardLink,
    /// A FIFO (reading it blocks).
    Fifo,
    /// An empty directory owned by `nobody`.
    Dir,
}

impl Plant {
    pub const ALL: [Plant; 5] =
        [Plant::SymlinkFile, Plant::SymlinkDir, Plant::HardLink, Plant::Fifo, Plant::Dir];

    pub fn label(self) -> &'static str {
        match self {
            Plant::SymlinkFile => "symlink→secret",
            Plant::SymlinkDir => "symlink→victim dir",
            Plant::HardLink => "hard link→secret",
            Plant::Fifo => "FIFO",
            Plant::Dir => "directory",
        }
    }
}

/// One temp dir: `ROOT/logs` (nobody, 0755), `ROOT/victim/secret` (root, 0640),
/// `ROOT/victim/dir` (root, 0755, holding root's own `app.log.1` and `app.log.2`, names an
/// olddir redirected there would touch), `ROOT/conf`, `ROOT/state`.
pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new().prefix("attack-").tempdir().unwrap();
        let root = dir.path().to_path_buf();
        // 3.21 refuses logs whose parent is world- or group-writable; /tmp itself is fine as a
        // grandparent.
        chmod(&root, 0o755);
        let logs = root.join("logs");
        fs::create_dir(&logs).unwrap();
        chown(&logs, NOBODY, NOBODY);
        chmod(&logs, 0o755);
        fs::create_dir_all(root.join("victim/dir")).unwrap();
        chmod(&root.join("victim"), 0o755);
        chmod(&root.join("victim/dir"), 0o755);
        fs::write(root.join("victim/secret"), SECRET).unwrap();
        chmod(&root.join("victim/secret"), 0o640);
        for name in VICTIM_DIR_FILES {
            fs::write(root.join("victim/dir").join(name), format!("root's own {name}\n")).unwrap();
            chmod(&root.join("victim/dir").join(name), 0o644);
        }
        Sandbox { _dir: dir, root }
    }

    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn secret(&self) -> PathBuf {
        self.root.join("victim/secret")
    }
    pub fn victim_dir(&self) -> PathBuf {
        self.root.join("victim/dir")
    }
    pub fn conf_path(&self) -> PathBuf {
        self.root.join("conf")
    }

    /// A regular file in the log directory, owned by `nobody`, mode 0640.
    pub fn log_file(&self, rel: &str, text: &str) {
        let p = self.logs().join(rel);
        fs::write(&p, text).unwrap();
        chown(&p, NOBODY, NOBODY);
        chmod(&p, 0o640);
    }

    /// A directory in the log directory, owned by `nobody`, mode 0755.
    pub fn log_dir(&self, rel: &str) {
        let p = self.logs().join(rel);
        fs::create_dir_all(&p).unwrap();
        chown(&p, NOBODY, NOBODY);
        chmod(&p, 0o755);
    }

    /// Plants `what` at `rel` in the log directory, as `nobody` would.
    pub fn plant(&self, rel: &str, what: Plant) {
        let p = self.logs().join(rel);
        match what {
            Plant::SymlinkFile => std::os::unix::fs::symlink(self.secret(), &p).unwrap(),
            Plant::SymlinkDir => std::os::unix::fs::symlink(self.victim_dir(), &p).unwrap(),
            Plant::HardLink => fs::hard_link(self.secret(), &p).unwrap(),
            Plant::Fifo => {
                let c = CString::new(p.as_os_str().as_bytes()).unwrap();
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo {}", p.display());
            }
            Plant::Dir => fs::create_dir(&p).unwrap(),
        }
        if what != Plant::HardLink {
            std::os::unix::fs::lchown(&p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }

    /// Writes the config, `@L@` standing for the log directory; root-owned, 0644.
    pub fn conf(&self, text: &str) -> PathBuf {
        let p = self.conf_path();
        fs::write(&p, text.replace("@L@", &self.logs().display().to_string())).unwrap();
        chmod(&p, 0o644);
        p
    }

    /// What must not change.
    pub fn snapshot(&self) -> Snapshot {
        let md = fs::symlink_metadata(self.secret()).unwrap();
        let dmd = fs::symlink_metadata(self.victim_dir()).unwrap();
        Snapshot {
            secret: FileState::of(&self.secret()),
            secret_nlink: md.nlink(),
            dir: (dmd.ino(), dmd.mode(), dmd.uid(), dmd.gid()),
            dir_files: names(&self.victim_dir())
                .iter()
                .map(|n| (n.clone(), FileState::of(&self.victim_dir().join(n))))
                .collect(),
        }
    }

    /// Every way the victims (or the sandbox outside `logs/`) differ from `before`, and every
    /// copy of the secret that `nobody` can read. Empty when the run was safe.
    pub fn violations(&self, before: &Snapshot) -> Vec<String> {
        let mut v = Vec::new();
        match fs::symlink_metadata(self.secret()) {
            Err(e) => v.push(format!("secret gone: {e}")),
            Ok(md) => {
                let now = FileState::of(&self.secret());
                let b = &before.secret;
                if now.ino != b.ino || !md.is_file() {
                    v.push("secret replaced by another file".into());
                }
                if now.content != b.content {
                    v.push(format!(
                        "secret content changed ({} → {} bytes)",
                        b.content.len(),
                        now.content.len()
                    ));
                }
                if now.mode != b.mode {
                    v.push(format!("secret mode {:o} → {:o}", b.mode & 0o7777, now.mode & 0o7777));
                }
                if (now.uid, now.gid) != (b.uid, b.gid) {
                    v.push(format!("secret owner {}:{} → {}:{}", b.uid, b.gid, now.uid, now.gid));
                }
                if now.mtime != b.mtime {
                    v.push("secret mtime changed (written to)".into());
                }
                if md.nlink() > before.secret_nlink {
                    v.push(format!("secret got more hard links ({} → {})", before.secret_nlink, md.nlink()));
                }
            }
        }
        match fs::symlink_metadata(self.victim_dir()) {
            Err(e) => v.push(format!("victim dir gone: {e}")),
            Ok(md) => {
                if (md.ino(), md.mode(), md.uid(), md.gid()) != before.dir {
                    v.push(format!(
                        "victim dir changed: mode {:o} owner {}:{}",
                        md.mode() & 0o7777,
                        md.uid(),
                        md.gid()
                    ));
                }
            }
        }
        let inside = names(&self.victim_dir());
        let new: Vec<&String> =
            inside.iter().filter(|n| !before.dir_files.iter().any(|(b, _)| b == *n)).collect();
        if !new.is_empty() {
            v.push(format!("created inside the victim dir: {}", join(&new)));
        }
        for (name, b) in &before.dir_files {
            let p = self.victim_dir().join(name);
            if fs::symlink_metadata(&p).is_err() {
                v.push(format!("victim dir lost its {name}"));
                continue;
            }
            let now = FileState::of(&p);
            if (now.ino, &now.content, now.mode, now.uid, now.gid)
                != (b.ino, &b.content, b.mode, b.uid, b.gid)
            {
                v.push(format!("victim dir's {name} was replaced or changed"));
            }
        }
        let extra: Vec<String> =
            names(&self.root.join("victim")).into_iter().filter(|n| n != "secret" && n != "dir").collect();
        if !extra.is_empty() {
            v.push(format!("created beside the victims: {}", extra.join(", ")));
        }
        let allowed = ["logs", "victim", "conf", "state", "state.lock"];
        let extra: Vec<String> =
            names(&self.root).into_iter().filter(|n| !allowed.contains(&n.as_str())).collect();
        if !extra.is_empty() {
            v.push(format!("created outside the log dir: {}", extra.join(", ")));
        }
        let secret_ino = before.secret.ino;
        for (rel, md) in walk(&self.logs()) {
            let copied = md.is_file() && md.ino() != secret_ino && readable_by_nobody(&md);
            if copied && contains_secret(&self.logs().join(&rel)) {
                v.push(format!("secret copied into logs/{rel}, readable by nobody"));
            }
        }
        v
    }

    /// `rel` names in the log directory (recursively, symlinks not followed) with a kind tag.
    pub fn listing(&self) -> Vec<String> {
        walk(&self.logs())
            .into_iter()
            .map(|(rel, md)| {
                let t = md.file_type();
                let tag = if t.is_symlink() {
                    "@"
                } else if t.is_dir() {
                    "/"
                } else if md.is_file() {
                    ""
                } else {
                    "|"
                };
                format!("{rel}{tag}")
            })
            .collect()
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

pub struct Snapshot {
    pub secret: FileState,
    /// Links of the secret when the run starts (the test's own plants included).
    pub secret_nlink: u64,
    dir: (u64, u32, u32, u32),
    dir_files: Vec<(String, FileState)>,
}

pub struct FileState {
    pub ino: u64,
    pub content: Vec<u8>,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: (i64, i64),
}

impl FileState {
    fn of(p: &Path) -> FileState {
        let md = fs::symlink_metadata(p).unwrap();
        FileState {
            ino: md.ino(),
            content: if md.is_file() { fs::read(p).unwrap_or_default() } else { Vec::new() },
            mode: md.mode(),
            uid: md.uid(),
            gid: md.gid(),
            mtime: (md.mtime(), md.mtime_nsec()),
        }
    }
}

fn readable_by_nobody(md: &fs::Metadata) -> bool {
    let m = md.mode();
    (md.uid() == NOBODY && m & 0o400 != 0) || (md.gid() == NOBODY && m & 0o040 != 0) || m & 0o004 != 0
}

fn contains_secret(p: &Path) -> bool {
    let Ok(bytes) = fs::read(p) else { return false };
    let needle = SECRET.as_bytes();
    let has = |b: &[u8]| b.windows(needle.len()).any(|w| w == needle);
    if has(&bytes) {
        return true;
    }
    let mut out = Vec::new();
    let _ = flate2::read::MultiGzDecoder::new(&bytes[..]).take(1 << 20).read_to_end(&mut out);
    has(&out)
}

fn join(v: &[&String]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Every entry under `dir` (not following symlinks), with paths relative to `dir`.
fn walk(dir: &Path) -> Vec<(String, fs::Metadata)> {
    let mut out = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        for name in names(&dir.join(&rel)) {
            let r = rel.join(&name);
            let Ok(md) = fs::symlink_metadata(dir.join(&r)) else { continue };
            if md.is_dir() {
                todo.push(r.clone());
            }
            out.push((r.display().to_string(), md));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

pub fn chmod(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

pub fn chown(p: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
}

/// How one run ended.
#[derive(Debug, Clone)]
pub struct Run {
    /// Exit code; `None` when killed by a signal (or by us, see `hung`).
    pub code: Option<i32>,
    /// Still running after [`TIMEOUT`]: killed.
    pub hung: bool,
    pub stderr: String,
}

impl Run {
    /// The run either succeeded quietly or reported a problem the documented way: exit 1 with
    /// an `error:` line. `None` when so, else what is wrong.
    pub fn misreport(&self) -> Option<String> {
        // As in logrotate 3.21, moving something out of the way of an archive or the new log is
        // reported (`destination X already exists, renaming to X-YYYYMMDDHH.backup`) without
        // changing the exit status: the run dealt with it.
        let dealt_with = |l: &str| l.contains("already exists, renaming to") && l.ends_with(".backup");
        let has_error = self.stderr.lines().any(|l| l.starts_with("error:") && !dealt_with(l));
        match (self.hung, self.code) {
            (true, _) => Some(format!("hung: killed after {} s", TIMEOUT.as_secs())),
            (_, Some(0)) if has_error => Some("printed an error: line but exited 0".into()),
            (_, Some(0)) => None,
            // 3 is 3.21's code for a state file it cannot open or lock.
            (_, Some(1 | 3)) if has_error => None,
            (_, Some(1)) => Some("exit 1 without an error: line".into()),
            (_, Some(c)) => Some(format!("exit {c}")),
            (_, None) => Some("killed by a signal".into()),
        }
    }

    /// `exit N` and the first `error:` line (else the first line), with `root` elided.
    pub fn summary(&self, root: &Path) -> String {
        if self.hung {
            return format!("HANG (killed after {} s)", TIMEOUT.as_secs());
        }
        let code = self.code.map_or("signal".to_string(), |c| c.to_string());
        let root = format!("{}/", root.display());
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("error:"))
            .or_else(|| self.stderr.lines().find(|l| !l.trim().is_empty()))
            .map(|l| l.replace(&root, ""));
        match line {
            Some(l) => format!("{code} `{}`", shorten(&l, 90)),
            None => code,
        }
    }
}

fn shorten(s: &str, n: usize) -> String {
    let s = s.replace('|', "/");
    if s.chars().count() <= n {
        s
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// Runs `cmd` in its own process group; kills the group after [`TIMEOUT`].
pub fn run(mut cmd: Command) -> Run {
    let err = tempfile::NamedTempFile::new().unwrap();
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(err.reopen().unwrap()).process_group(0);
    let mut child = cmd.spawn().expect("spawn");
    let start = Instant::now();
    let (code, hung) = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break (st.code(), false);
        }
        if start.elapsed() > TIMEOUT {
            let pid = libc::pid_t::try_from(child.id()).expect("a pid fits pid_t");
            // SAFETY: kill(2) on the process group we created.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run { code, hung, stderr: fs::read_to_string(err.path()).unwrap_or_default() }
}

/// Runs `cmd` under strace, every rename held for `delay` after it took effect, while a thread
/// plants `what` at `logs/LOG` as soon as `logs/LOG.1` exists and `logs/LOG` does not: the
/// instant between the move and the creation of the new log. Returns the run and whether the
/// plant happened.
pub fn run_planting_after_move(sb: &Sandbox, cmd: Command, log: &str, what: Plant) -> (Run, bool) {
    let delay = Duration::from_millis(700);
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-qq", "-o", "/dev/null", "-e", "trace=rename,renameat,renameat2", "-e"])
        .arg(format!("inject=rename,renameat,renameat2:delay_exit={}", delay.as_micros()))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    let live = sb.logs().join(log);
    let moved = sb.logs().join(format!("{log}.1"));
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let planter = s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if fs::symlink_metadata(&moved).is_ok() && fs::symlink_metadata(&live).is_err() {
                    sb.plant(log, what);
                    return true;
                }
                std::thread::sleep(Duration::from_micros(500));
            }
            false
        });
        let r = run(traced);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (r, planter.join().unwrap())
    })
}

/// Debian's logrotate 3.21, the oracle; `None` (comparison skipped) when it is not installed,
/// except under CI, where it must be.
pub fn oracle() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/sbin/logrotate");
    if p.exists() {
        return Some(p);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but /usr/sbin/logrotate is missing");
    eprintln!("/usr/sbin/logrotate not installed: skipping the comparison with 3.21");
    None
}

pub fn strace_available() -> bool {
    Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
