//! One scenario tree: a temp dir holding the config, the logs, the state file, the mail script
//! and whatever the scripts and the mailer write. Each tool gets its own, built identically.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use super::clock;

/// Name of the state file, directly under the tree root. It is compared on its own.
pub const STATE: &str = "state";
const CONFIG: &str = "logrotate.conf";
const MAIL_SCRIPT: &str = "mail.sh";
/// A run that takes longer than this is killed (a FIFO opened by mistake blocks forever).
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

const MAIL_SH: &str = "#!/bin/sh\n\
{ echo \"mail args: $*\"; cat; echo \"-- end of mail --\"; } >> \"@R@/mail.out\"\n";

/// How one entry of the tree looks after a run, with the tree root replaced by `@R@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `f` file, `d` directory, `l` symlink, `p` FIFO, `?` anything else.
    pub kind: char,
    /// Permission bits (0 for symlinks).
    pub mode: u32,
    /// True when the file held gzip data and `content` is the decompressed text.
    pub gzip: bool,
    /// File content (decompressed), or the symlink target.
    pub content: Vec<u8>,
}

/// Every entry of a tree except the state file, keyed by path relative to the root.
pub type Snapshot = BTreeMap<String, Node>;

/// What a run of one tool returned.
pub struct RunOutput {
    /// Exit code, `None` when killed by a signal.
    pub code: Option<i32>,
    /// Standard output followed by standard error.
    pub output: String,
    /// Clock before the run.
    pub started: i64,
    /// Clock after the run.
    pub finished: i64,
}

/// A temp tree for one tool.
pub struct Tree {
    _tmp: tempfile::TempDir,
    /// The tree root; `@R@` in scenario text. The logs live in `root/logs` (`@D@`).
    pub root: PathBuf,
    out_dir: PathBuf,
}

impl Tree {
    /// An empty tree with `logs/` and the mail script in place.
    pub fn new() -> Tree {
        let tmp = tempfile::Builder::new().prefix("lr-diff-").tempdir().expect("tempdir");
        let root = tmp.path().join("r");
        let out_dir = tmp.path().join("out");
        for dir in [&root, &root.join("logs"), &out_dir] {
            fs::create_dir(dir).expect("mkdir");
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let tree = Tree { _tmp: tmp, root, out_dir };
        let mail = tree.expand(MAIL_SH);
        tree.write_root(MAIL_SCRIPT, mail.as_bytes(), 0o755);
        tree
    }

    /// The log directory, `@D@`.
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }

    fn root_str(&self) -> String {
        self.root.to_str().expect("utf-8 temp path").to_string()
    }

    /// Expand `@S:label@` (a script line recording `label $1 $2`), `@D@` and `@R@`.
    pub fn expand(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("@S:") {
            let after = &rest[start + 3..];
            let end = after.find('@').expect("unterminated @S:label@");
            out.push_str(&rest[..start]);
            out.push_str(&format!("echo \"{} $1 $2\" >> \"@R@/scripts.out\"", &after[..end]));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        let logs = self.logs();
        out.replace("@D@", logs.to_str().expect("utf-8")).replace("@R@", &self.root_str())
    }

    /// Write a file relative to the root with the given mode, creating parent directories.
    pub fn write_root(&self, rel: &str, contents: &[u8], mode: u32) -> PathBuf {
        let path = self.root.join(rel);
        self.make_parents(&path);
        fs::write(&path, contents).expect("write file");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
        path
    }

    /// Write gzip data relative to the root.
    pub fn write_root_gz(&self, rel: &str, contents: &[u8]) -> PathBuf {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(contents).expect("gzip");
        let data = enc.finish().expect("gzip finish");
        self.write_root(rel, &data, 0o644)
    }

    /// Create a directory relative to the root.
    pub fn mkdir_root(&self, rel: &str, mode: u32) {
        let path = self.root.join(rel);
        self.make_parents(&path);
        fs::create_dir(&path).expect("mkdir");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
    }

    /// Create a symlink at `rel` pointing at `target` (placeholders expanded).
    pub fn symlink_root(&self, rel: &str, target: &str) {
        let path = self.root.join(rel);
        self.make_parents(&path);
        std::os::unix::fs::symlink(self.expand(target), &path).expect("symlink");
    }

    /// Create a hard link at `rel` to the existing `target` (both relative to the root).
    pub fn hardlink_root(&self, rel: &str, target: &str) {
        let path = self.root.join(rel);
        self.make_parents(&path);
        fs::hard_link(self.root.join(target), &path).expect("hard link");
    }

    /// Create a FIFO at `rel`.
    pub fn fifo_root(&self, rel: &str) {
        let path = self.root.join(rel);
        self.make_parents(&path);
        let c = CString::new(path.as_os_str().as_bytes()).expect("no NUL");
        // SAFETY: `c` is a valid NUL-terminated path.
        let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
        assert_eq!(rc, 0, "mkfifo {}", path.display());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    }

    /// Append text to a file relative to the root.
    pub fn append_root(&self, rel: &str, text: &[u8]) {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(self.root.join(rel))
            .expect("open for append");
        f.write_all(text).expect("append");
    }

    /// Set the mtime (and atime) of `rel` without following symlinks.
    pub fn set_mtime_root(&self, rel: &str, epoch: i64) {
        set_mtime(&self.root.join(rel), epoch);
    }

    fn make_parents(&self, path: &Path) {
        let parent = path.parent().expect("parent");
        if !parent.exists() {
            fs::create_dir_all(parent).expect("mkdir -p");
        }
    }

    /// Write the config (placeholders expanded) with mode 0644.
    pub fn write_config(&self, text: &str) {
        let text = self.expand(text);
        self.write_root(CONFIG, text.as_bytes(), 0o644);
    }

    /// Run a logrotate binary on this tree: `BIN FLAGS -s STATE -m mail.sh CONFIG`.
    pub fn run(&self, bin: &Path, flags: &[String]) -> RunOutput {
        let out_path = self.out_dir.join("output");
        let out = fs::File::create(&out_path).expect("create output file");
        let err = out.try_clone().expect("clone output file");
        let started = clock::now();
        let mut child = Command::new(bin)
            .args(flags)
            .arg("-s")
            .arg(self.root.join(STATE))
            .arg("-m")
            .arg(self.root.join(MAIL_SCRIPT))
            .arg(self.root.join(CONFIG))
            .current_dir(&self.root)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let status = wait_or_kill(&mut child, RUN_TIMEOUT, Duration::from_millis(10));
        let finished = clock::now();
        let mut output = fs::read_to_string(&out_path).unwrap_or_default();
        output = output.replace(&self.root_str(), "@R@");
        let code = match status {
            Some(status) => status.code(),
            None => {
                output.push_str("\n<<killed after timeout>>\n");
                None
            }
        };
        RunOutput { code, output, started, finished }
    }

    /// The raw state file, if any.
    pub fn state_text(&self) -> Option<String> {
        fs::read(self.root.join(STATE)).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// Write the raw state file (mode 0600: logrotate will not lock a world-readable one).
    pub fn write_state(&self, text: &str) {
        self.write_root(STATE, text.as_bytes(), 0o600);
    }

    /// Move time forward by `days`: every state time and every mtime under `logs/` goes back.
    pub fn travel(&self, days: i64) {
        let shift = days * 86_400;
        if let Some(text) = self.state_text() {
            let mut out = String::new();
            for line in text.lines() {
                let shifted = line.rsplit_once(' ').and_then(|(path, when)| {
                    let epoch = clock::parse_state_time(when)?;
                    Some(format!("{path} {}", clock::format_state_time(epoch - shift)))
                });
                match shifted {
                    Some(l) if line.starts_with('"') => out.push_str(&l),
                    _ => out.push_str(line),
                }
                out.push('\n');
            }
            self.write_state(&out);
        }
        let mut paths = Vec::new();
        walk(&self.logs(), &mut paths);
        for path in paths {
            let meta = fs::symlink_metadata(&path).expect("lstat");
            set_mtime(&path, meta.mtime() - shift);
        }
    }

    /// Everything under the root except the state file (and its `.lock` sidecar), normalised.
    pub fn snapshot(&self) -> Snapshot {
        let mut paths = Vec::new();
        walk(&self.root, &mut paths);
        let root = self.root_str();
        let mut snap = Snapshot::new();
        for path in paths {
            let rel =
                path.strip_prefix(&self.root).expect("under root").to_str().expect("utf-8 name").to_string();
            // Our sidecar lock file beside the state file is a documented difference.
            if rel == STATE || rel == format!("{STATE}.lock") {
                continue;
            }
            let meta = fs::symlink_metadata(&path).expect("lstat");
            let ft = meta.file_type();
            let mode = meta.mode() & 0o7777;
            let node = if ft.is_symlink() {
                let target = fs::read_link(&path).expect("readlink");
                let target = target.to_str().expect("utf-8").replace(&root, "@R@");
                Node { kind: 'l', mode: 0, gzip: false, content: target.into_bytes() }
            } else if ft.is_dir() {
                Node { kind: 'd', mode, gzip: false, content: Vec::new() }
            } else if ft.is_file() {
                let raw = fs::read(&path).expect("read file");
                let (gzip, content) = decode(raw);
                let mut content = replace_bytes(&content, root.as_bytes(), b"@R@");
                if rel == "scripts.out" {
                    content = trim_line_ends(&content);
                }
                Node { kind: 'f', mode, gzip, content }
            } else if ft.is_fifo() {
                Node { kind: 'p', mode, gzip: false, content: Vec::new() }
            } else {
                Node { kind: '?', mode, gzip: false, content: Vec::new() }
            };
            snap.insert(rel, node);
        }
        snap
    }
}

/// Decompress gzip data (detected by its magic bytes, whatever the file is called).
fn decode(raw: Vec<u8>) -> (bool, Vec<u8>) {
    if raw.len() < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
        return (false, raw);
    }
    let mut out = Vec::new();
    match MultiGzDecoder::new(&raw[..]).read_to_end(&mut out) {
        // A compressed archive compressed again (a pattern such as `app.*` matches archives):
        // the inner gzip header differs between gzip implementations, its content must not.
        Ok(_) => (true, decode(out).1),
        Err(e) => {
            let mut bad = format!("<<corrupt gzip: {e}>>").into_bytes();
            bad.extend_from_slice(&raw);
            (true, bad)
        }
    }
}

/// README "Compatibility": a shared script gets the pattern without 3.21's trailing blank, so
/// the records of script arguments are compared without blanks at line ends.
fn trim_line_ends(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    // (A pattern may end in a newline, `"LOG"` then `{` on the next line: an empty line.)
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// All paths below `dir` (not `dir` itself), depth first, without following symlinks.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<PathBuf> = entries.map(|e| e.expect("dir entry").path()).collect();
    names.sort();
    for path in names {
        out.push(path.clone());
        let is_dir = fs::symlink_metadata(&path).map(|m| m.is_dir()).unwrap_or(false);
        if is_dir {
            walk(&path, out);
        }
    }
}

fn set_mtime(path: &Path, epoch: i64) {
    let c = CString::new(path.as_os_str().as_bytes()).expect("no NUL");
    let ts = libc::timespec { tv_sec: epoch as libc::time_t, tv_nsec: 0 };
    let times = [ts, ts];
    // SAFETY: `c` is a valid path and `times` points at two timespecs.
    let rc =
        unsafe { libc::utimensat(libc::AT_FDCWD, c.as_ptr(), times.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) };
    assert_eq!(rc, 0, "utimensat {}", path.display());
}

/// Waits for `child` for at most `timeout` (checking every `poll`); kills it then. `None` when
/// it had to be killed.
pub fn wait_or_kill(
    child: &mut std::process::Child,
    timeout: Duration,
    poll: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if Instant::now() > deadline {
            // The child is ours; kill it by its id.
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(poll);
    }
}

/// Parse state text into `path -> time` (path still escaped as written) plus other lines.
pub fn parse_state(text: &str) -> (std::collections::BTreeMap<String, String>, Vec<String>) {
    let mut entries = std::collections::BTreeMap::new();
    let mut other = Vec::new();
    for line in text.lines() {
        match line.rsplit_once(' ') {
            Some((path, when)) if path.starts_with('"') && path.ends_with('"') && path.len() > 1 => {
                entries.insert(path.to_string(), when.to_string());
            }
            _ => other.push(line.to_string()),
        }
    }
    (entries, other)
}

/// Seconds of slack around a run within which a state time counts as "now".
const NOW_SLACK: i64 = 10;

/// A state file for comparison (entries sorted: their order is a deliberate difference): root →
/// `@R@`; a time within [`NOW_SLACK`] of the run → `now`; a time unchanged by the run →
/// `unchanged`; otherwise `Y-M-D-H`.
pub fn normalize_state(
    after: Option<&str>,
    before: Option<&str>,
    root: &str,
    started: i64,
    finished: i64,
) -> Vec<String> {
    let Some(after) = after else {
        return vec!["<no state file>".to_string()];
    };
    let (before, _) = parse_state(before.unwrap_or(""));
    let (entries, other) = parse_state(after);
    let mut lines: Vec<String> = other.iter().map(|l| l.replace(root, "@R@")).collect();
    for (path, when) in entries {
        let shown = match super::clock::parse_state_time(&when) {
            Some(t) if t >= started - NOW_SLACK && t <= finished + NOW_SLACK => "now".to_string(),
            _ if before.get(&path) == Some(&when) => "unchanged".to_string(),
            Some(_) => super::clock::hour_part(&when),
            None => format!("unparsable {when}"),
        };
        lines.push(format!("{} {shown}", path.replace(root, "@R@")));
    }
    lines
}
