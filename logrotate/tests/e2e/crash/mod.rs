//! Shared by the crash tests (`kill.rs`) and the fault-injection tests
//! (`faults.rs`): a test bed (a log directory, a config, a state file), numbered lines
//! appended in batches, the oracle that checks every line is where it must be, and the `strace`
//! plumbing that kills a run or fails a syscall at a chosen invocation.
//!
//! Every line the tests write is `NNNNNNNNNNNN FILLER\n` (64 bytes): a unique 12-digit number and
//! a filler derived from it, so a torn or foreign line is recognised. Lines are appended only
//! between runs, in batches, so every file the rotation makes (the live log, each archive) must
//! hold exactly one run of whole batches `[a, b)`.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The logrotate binary under test: `$LOGROTATE_BIN` if set (a prebuilt, e.g. release, binary),
/// else the workspace's.
pub fn logrotate_bin() -> PathBuf {
    crate::common::logrotate_from_env("LOGROTATE_BIN")
}

/// Whether `strace` can be used. Missing: a failure when `$CI` is set (`.ci/run` installs it),
/// otherwise the caller skips with a message.
pub fn have_strace() -> bool {
    let ok = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "strace is required in CI (.ci/run installs it)");
        eprintln!("SKIPPED: strace is not installed");
    }
    ok
}

/// How the log is rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    CopyTruncate,
    Copy,
    RenameCopy,
    Compress,
    /// `compress` with `compresscmd` zstd: in-process zstd, `.zst` archives.
    Zstd,
    DelayCompress,
    DateExt,
    OldDir,
}

impl Mode {
    /// The directives of this mode. Every mode keeps 1000 archives (nothing falls off the end)
    /// and rotates only with `-f` (`size 1G`), so a run without `-f` only repairs. `missingok`:
    /// a kill between the move and `create` leaves no live log, which without it is an error
    /// of the next run (as in logrotate 3.21), not a loss.
    fn directives(self) -> &'static str {
        match self {
            Mode::Create => "create 0640",
            Mode::CopyTruncate => "copytruncate",
            Mode::Copy => "copy",
            Mode::RenameCopy => "renamecopy\n    create 0640",
            Mode::Compress => "compress\n    create 0640",
            Mode::Zstd => "compress\n    compresscmd /usr/bin/zstd\n    create 0640",
            Mode::DelayCompress => "compress\n    delaycompress\n    create 0640",
            // Seconds in the name: rotations in one second would collide ("already exists"),
            // so the loop waits for the next second before each forced run.
            Mode::DateExt => "dateext\n    dateformat -%Y%m%d%H%M%S\n    compress\n    create 0640",
            Mode::OldDir => "olddir old\n    compress\n    create 0640",
        }
    }

    /// Whether the live log keeps its lines when rotated (so lines appear in it and archives).
    pub fn keeps_live(self) -> bool {
        self == Mode::Copy
    }

    pub fn is_dateext(self) -> bool {
        self == Mode::DateExt
    }
}

/// What a file of the bed holds: whole lines `[a, b)` in order, or nothing.
type Span = Option<(u64, u64)>;

/// A temp dir with `logs/app.log`, `logs/old/` (olddir), `state` and `test.conf`, and the
/// record of every line appended to the log.
pub struct Bed {
    pub dir: tempfile::TempDir,
    pub mode: Mode,
    /// Start of every batch appended so far, and `next` after them: the batch boundaries.
    bounds: Vec<u64>,
    next: u64,
    /// Parsed spans by (inode, size, mtime): renamed archives are not read again.
    cache: HashMap<(u64, u64, i64, i64), Result<Span, String>>,
    /// When the last forced run started (dateext waits for the next second).
    last_forced: Option<std::time::SystemTime>,
}

pub const LINE: usize = 64;
const FILLER: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn line(id: u64, out: &mut Vec<u8>) {
    let k = (id % 11) as usize;
    write!(out, "{id:012} ").unwrap();
    out.extend_from_slice(&FILLER[k..k + LINE - 14]);
    out.push(b'\n');
}

impl Bed {
    pub fn new(mode: Mode) -> Bed {
        let dir = tempfile::Builder::new().prefix("crash-").tempdir().unwrap();
        fs::create_dir(dir.path().join("logs")).unwrap();
        fs::create_dir(dir.path().join("logs/old")).unwrap();
        let conf = format!(
            "{}/logs/app.log {{\n    rotate 1000\n    size 1G\n    missingok\n    {}\n}}\n",
            dir.path().display(),
            mode.directives()
        );
        fs::write(dir.path().join("test.conf"), conf).unwrap();
        Bed { dir, mode, bounds: Vec::new(), next: 0, cache: HashMap::new(), last_forced: None }
    }

    pub fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    pub fn log(&self) -> PathBuf {
        self.p("logs/app.log")
    }
    pub fn state(&self) -> PathBuf {
        self.p("state")
    }
    pub fn lines(&self) -> u64 {
        self.next
    }

    /// Appends a batch of about `bytes` bytes (at least one line) to the live log, creating it.
    pub fn append(&mut self, bytes: usize) {
        let n = (bytes / LINE).max(1) as u64;
        let mut buf = Vec::with_capacity(n as usize * LINE);
        for id in self.next..self.next + n {
            line(id, &mut buf);
        }
        let mut f = fs::OpenOptions::new().append(true).create(true).open(self.log()).unwrap();
        f.write_all(&buf).unwrap();
        self.bounds.push(self.next);
        self.next += n;
    }

    /// Keeps the directory after the test (for a failure report) and returns its path.
    pub fn keep(self) -> PathBuf {
        self.dir.keep()
    }

    /// The logrotate command for this bed: `[-f] -s STATE CONF`.
    pub fn args(&self, force: bool) -> Vec<String> {
        let mut v = Vec::new();
        if force {
            v.push("-f".to_string());
        }
        v.push("-s".to_string());
        v.push(self.state().display().to_string());
        v.push(self.p("test.conf").display().to_string());
        v
    }

    /// Before a forced run: with dateext, waits until the clock is in a later second than the
    /// last forced run (the archive name has seconds).
    pub fn before_forced_run(&mut self) {
        if self.mode.is_dateext() {
            if let Some(t) = self.last_forced {
                let secs =
                    |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
                while secs(std::time::SystemTime::now()) <= secs(t) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        self.last_forced = Some(std::time::SystemTime::now());
    }

    /// Runs logrotate to the end.
    pub fn run(&mut self, force: bool) -> Output {
        if force {
            self.before_forced_run();
        }
        Command::new(logrotate_bin()).args(self.args(force)).output().unwrap()
    }

    /// The names in the bed that are neither the live log, an archive, the state, its lock or
    /// the config: leftovers of an interrupted or failed rotation.
    pub fn leftovers(&self) -> Vec<String> {
        let mut bad = Vec::new();
        for (rel, _) in self.files() {
            let name = rel.rsplit('/').next().unwrap();
            let ok = match rel.as_str() {
                "test.conf" | "state" | "state.lock" | "logs/app.log" => true,
                _ => rel.starts_with("logs/") && archive_name(name),
            };
            if !ok {
                bad.push(rel);
            }
        }
        bad
    }

    /// Every file under the bed (relative path, metadata), directories excluded.
    fn files(&self) -> Vec<(String, fs::Metadata)> {
        let mut out = Vec::new();
        let mut stack = vec![PathBuf::new()];
        while let Some(rel) = stack.pop() {
            for e in fs::read_dir(self.dir.path().join(&rel)).unwrap() {
                let e = e.unwrap();
                let r = rel.join(e.file_name());
                let md = fs::symlink_metadata(e.path()).unwrap();
                if md.is_dir() && (r == Path::new("logs") || r == Path::new("logs/old")) {
                    stack.push(r);
                } else {
                    out.push((r.display().to_string(), md));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// What each file holds: (relative path, span). The live log and archives; with
    /// `intermediate` also the files an interrupted or failed rotation leaves for the next run
    /// to finish (`.ARCHIVE.partial`, `LOG.tmp`), those only when they parse.
    fn spans(&mut self, intermediate: bool) -> Result<Vec<(String, Span)>, String> {
        let mut out = Vec::new();
        for (rel, md) in self.files() {
            let name = rel.rsplit('/').next().unwrap().to_string();
            let inter = rel.starts_with("logs/") && intermediate_name(&name);
            if !(rel == "logs/app.log"
                || (rel.starts_with("logs/") && archive_name(&name))
                || (intermediate && inter))
            {
                continue;
            }
            if !md.is_file() {
                return Err(format!("{rel} is not a regular file"));
            }
            let key = (md.ino(), md.size(), md.mtime(), md.mtime_nsec());
            if !self.cache.contains_key(&key) {
                let packed = name.trim_end_matches(".partial");
                let codec = [".gz", ".zst"].into_iter().find(|ext| packed.ends_with(ext));
                let parsed = self.parse(&self.p(&rel), codec);
                self.cache.insert(key, parsed);
            }
            match self.cache[&key].clone() {
                Ok(span) => out.push((rel, span)),
                Err(_) if inter => {}
                Err(e) => return Err(format!("{rel}: {e}")),
            }
        }
        Ok(out)
    }

    /// The span of lines a file holds; `codec`: its extension when compressed.
    fn parse(&self, path: &Path, codec: Option<&str>) -> Result<Span, String> {
        let mut bytes = Vec::new();
        let f = fs::File::open(path).map_err(|e| e.to_string())?;
        if codec == Some(".gz") {
            flate2::read::MultiGzDecoder::new(f)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("not a whole gzip file: {e}"))?;
        } else if codec == Some(".zst") {
            zstd::stream::read::Decoder::new(f)
                .and_then(|mut d| d.read_to_end(&mut bytes))
                .map_err(|e| format!("not a whole zstd file: {e}"))?;
        } else {
            std::io::BufReader::new(f).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        if bytes.len() % LINE != 0 {
            return Err(format!("{} bytes: a torn line", bytes.len()));
        }
        let mut expect = Vec::with_capacity(LINE);
        let first = parse_id(&bytes[..LINE]).ok_or("a line that is not ours")?;
        for (i, chunk) in bytes.chunks(LINE).enumerate() {
            expect.clear();
            line(first + i as u64, &mut expect);
            if chunk != expect.as_slice() {
                return Err(format!(
                    "line {} is {:?}, expected {:?} (not one run of lines)",
                    i + 1,
                    String::from_utf8_lossy(chunk),
                    String::from_utf8_lossy(&expect)
                ));
            }
        }
        Ok(Some((first, first + (bytes.len() / LINE) as u64)))
    }

    /// The oracle. Every file (live log, archives) is one run of whole batches; without `copy`
    /// every line appended so far is in exactly one of them; with `copy` the live log holds
    /// every line and each archive is a distinct whole-batch prefix of it. With `exact` false
    /// only "every line is somewhere" is required (after a failed run), where somewhere
    /// includes a `.partial` copy or a `LOG.tmp` that the next run finishes.
    pub fn check_lines(&mut self, exact: bool) -> Result<(), String> {
        let spans = self.spans(!exact)?;
        let listing = || {
            spans
                .iter()
                .map(|(r, s)| match s {
                    Some((a, b)) => format!("{r}=[{a},{b})"),
                    None => format!("{r}=empty"),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let is_bound = |x: u64| x == self.next || self.bounds.binary_search(&x).is_ok();
        for (rel, span) in &spans {
            if let Some((a, b)) = span {
                if !is_bound(*a) || !is_bound(*b) {
                    return Err(format!("{rel} holds [{a},{b}), not whole batches; files: {}", listing()));
                }
            }
        }
        let mut count = vec![0u32; self.next as usize];
        for (_, (a, b)) in spans.iter().filter_map(|(r, s)| s.map(|s| (r, s))) {
            for c in &mut count[a as usize..b as usize] {
                *c += 1;
            }
        }
        let missing = count.iter().filter(|&&c| c == 0).count();
        if missing > 0 {
            let first = count.iter().position(|&c| c == 0).unwrap();
            return Err(format!("{missing} lines lost (first: {first}); files: {}", listing()));
        }
        if !exact {
            return Ok(());
        }
        if self.mode.keeps_live() {
            let live = spans.iter().find(|(r, _)| r == "logs/app.log").map(|(_, s)| *s);
            if live != Some(Some((0, self.next))) && self.next > 0 {
                return Err(format!("the live log does not hold every line once; files: {}", listing()));
            }
            let mut ends: Vec<u64> = Vec::new();
            for (rel, span) in spans.iter().filter(|(r, _)| r != "logs/app.log") {
                match span {
                    Some((0, b)) if !ends.contains(b) => ends.push(*b),
                    _ => return Err(format!("{rel} is not a new prefix of the log; files: {}", listing())),
                }
            }
            return Ok(());
        }
        let doubled = count.iter().filter(|&&c| c > 1).count();
        if doubled > 0 {
            let first = count.iter().position(|&c| c > 1).unwrap();
            return Err(format!("{doubled} lines duplicated (first: {first}); files: {}", listing()));
        }
        Ok(())
    }

    /// The state file, if any, is logrotate's format: the header, then `"PATH" Y-M-D-h:m:s`.
    pub fn check_state(&self) -> Result<(), String> {
        let text = match fs::read_to_string(self.state()) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("state unreadable: {e}")),
        };
        let mut lines = text.lines();
        if lines.next() != Some("logrotate state -- version 2") || !text.ends_with('\n') {
            return Err(format!("state file is not whole: {text:?}"));
        }
        for l in lines {
            let ok = l.starts_with('"')
                && l.rsplit_once("\" ").is_some_and(|(_, d)| {
                    let parts: Vec<&str> = d.split(['-', ':']).collect();
                    parts.len() == 6
                        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                });
            if !ok {
                return Err(format!("bad state line {l:?} in {text:?}"));
            }
        }
        Ok(())
    }

    /// The run after an interrupted or failed one: `logrotate [-f] -s STATE CONF` must exit 0
    /// with no `error:`, leave no leftovers, keep the state readable (also by `logrotate -d`),
    /// and every line must be where the oracle says.
    pub fn repair_and_check(&mut self, force: bool) -> Result<(), String> {
        let out = self.run(force);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() || err.contains("error") {
            return Err(format!("the repair run exited {:?}: {err}", out.status.code()));
        }
        self.check_after_repair()
    }

    /// The checks of [`Self::repair_and_check`] without running anything.
    pub fn check_after_repair(&mut self) -> Result<(), String> {
        let left = self.leftovers();
        if !left.is_empty() {
            return Err(format!("leftovers after the repair run: {left:?}"));
        }
        self.check_state()?;
        let dry = Command::new(logrotate_bin()).arg("-d").args(self.args(false)).output().unwrap();
        if !dry.status.success() {
            return Err(format!(
                "`logrotate -d` on the state exited {:?}: {}",
                dry.status.code(),
                String::from_utf8_lossy(&dry.stderr)
            ));
        }
        self.check_lines(true)
    }

    /// A file listing for failure messages.
    pub fn listing(&self) -> String {
        self.files().iter().map(|(r, md)| format!("{r}({})", md.len())).collect::<Vec<_>>().join(" ")
    }
}

/// A bed with the archives of two earlier rotations and a third batch in the live log.
pub fn prepared(mode: Mode) -> Bed {
    let mut bed = Bed::new(mode);
    if mode.is_dateext() {
        // Two forced runs in one second would collide on the archive name: make the earlier
        // archive by hand, as a dateext run of long ago would have.
        bed.append(LINE * 5);
        let bytes = fs::read(bed.log()).unwrap();
        let gz = fs::File::create(bed.p("logs/app.log-20200101000000.gz")).unwrap();
        let mut enc = flate2::write::GzEncoder::new(gz, flate2::Compression::default());
        enc.write_all(&bytes).unwrap();
        enc.finish().unwrap();
        fs::remove_file(bed.log()).unwrap();
        bed.append(LINE * 5);
        return bed;
    }
    for _ in 0..2 {
        bed.append(LINE * 5);
        let out = bed.run(true);
        assert!(out.status.success(), "{mode:?}: preparing: {}", String::from_utf8_lossy(&out.stderr));
    }
    // For the copying modes, big enough (600 KiB) that the copy takes three writes, so a kill
    // can leave it half done. (A compression's output is small either way.)
    let copies = matches!(mode, Mode::Copy | Mode::CopyTruncate | Mode::RenameCopy);
    bed.append(if copies { LINE * 9600 } else { LINE * 5 });
    bed
}

/// `.ARCHIVE.partial` and `app.log.tmp`.
fn intermediate_name(name: &str) -> bool {
    name == "app.log.tmp"
        || name.strip_prefix('.').and_then(|n| n.strip_suffix(".partial")).is_some_and(archive_name)
}

/// `app.log.N`, `app.log-DIGITS`, either with `.gz` or `.zst`.
fn archive_name(name: &str) -> bool {
    let base = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".zst")).unwrap_or(name);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    base.strip_prefix("app.log.").is_some_and(digits) || base.strip_prefix("app.log-").is_some_and(digits)
}

fn parse_id(l: &[u8]) -> Option<u64> {
    std::str::from_utf8(&l[..12]).ok()?.parse().ok()
}

/// The outcome of a run under `strace`.
pub struct Traced {
    pub out: Output,
    /// The tracee was killed by the injected SIGKILL.
    pub killed: bool,
    /// The injection happened (a line marked `(INJECTED)` in the trace).
    pub injected: bool,
}

/// Runs `logrotate ARGS` under `strace -f`, injecting `what` (`signal=KILL`, `error=ENOSPC`...)
/// at the `n`th call of `syscall` (counted per syscall and per process, as strace does).
pub fn traced(args: &[String], syscall: &str, what: &str, n: u64, trace: &Path) -> Traced {
    let out = Command::new("strace")
        .args(["-f", "-qq", "-o"])
        .arg(trace)
        .args(["-e", &format!("trace={syscall}")])
        .args(["-e", &format!("inject={syscall}:{what}:when={n}")])
        .arg(logrotate_bin())
        .args(args)
        .output()
        .unwrap();
    let text = fs::read_to_string(trace).unwrap_or_default();
    let killed = out.status.signal() == Some(9) || out.status.code() == Some(128 + 9);
    Traced { out, killed, injected: text.contains("(INJECTED)") }
}

/// The calls of each of `syscalls` made by `logrotate ARGS` (an uninjected run under strace):
/// for each syscall that occurs, in the order given, each call as strace printed it
/// (`name(args) = result`). The run must succeed.
pub fn count_syscalls(args: &[String], syscalls: &[&str], trace: &Path) -> Vec<(String, Vec<String>)> {
    let (out, calls) = trace_calls(args, syscalls, trace);
    assert!(out.status.success(), "the uninjected run failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(!calls.is_empty(), "no traced call of {syscalls:?} in {}", trace.display());
    calls
}

/// [`count_syscalls`] for the main thread only. strace counts `inject=…:when=N` for each
/// thread (and child) on its own, so this is the list whose Nth call is the one injected in the
/// main thread (reading the state ahead, listing directories, compressing on a pool: other
/// threads' calls are numbered on their own).
pub fn count_main_thread_syscalls(
    args: &[String],
    syscalls: &[&str],
    trace: &Path,
) -> Vec<(String, Vec<String>)> {
    let all = count_syscalls(args, syscalls, trace);
    let text = fs::read_to_string(trace).unwrap();
    let main_pid = text.lines().next().and_then(|l| l.split_once(' ')).map(|(pid, _)| pid);
    let mut calls: Vec<(String, Vec<String>)> = all.into_iter().map(|(s, _)| (s, Vec::new())).collect();
    for l in text.lines().filter(|l| l.split_once(' ').map(|(pid, _)| pid) == main_pid) {
        let Some(call) = l.split_once(' ').map(|(_, rest)| rest.trim_start()) else { continue };
        let Some(name) = call.split('(').next() else { continue };
        if let Some(c) = calls.iter_mut().find(|(s, _)| s == name) {
            c.1.push(call.to_string());
        }
    }
    calls.retain(|(_, c)| !c.is_empty());
    calls
}

/// Like [`count_syscalls`], whatever the outcome of the run, which is returned too.
pub fn trace_calls(args: &[String], syscalls: &[&str], trace: &Path) -> (Output, Vec<(String, Vec<String>)>) {
    let out = Command::new("strace")
        .args(["-f", "-qq", "-o"])
        .arg(trace)
        .args(["-e", &format!("trace={}", syscalls.join(","))])
        .arg(logrotate_bin())
        .args(args)
        .output()
        .unwrap();
    let text = fs::read_to_string(trace).unwrap();
    let mut calls: Vec<(String, Vec<String>)> =
        syscalls.iter().map(|s| (s.to_string(), Vec::new())).collect();
    for l in text.lines() {
        // "PID  name(args) = ret"
        let Some(call) = l.split_once(' ').map(|(_, rest)| rest.trim_start()) else { continue };
        let Some(name) = call.split('(').next() else { continue };
        if let Some(c) = calls.iter_mut().find(|(s, _)| s == name) {
            c.1.push(call.to_string());
        }
    }
    calls.retain(|(_, c)| !c.is_empty());
    (out, calls)
}
