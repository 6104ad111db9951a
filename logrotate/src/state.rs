//! The state file: when each log was last rotated, in logrotate 3.21's format.
//!
//! ```text
//! logrotate state -- version 2
//! "/var/log/syslog" 2026-1-5-6:25:1
//! "/var/log/odd \"name\"" 2026-1-5-0:0:0
//! ```
//!
//! Times are local, with unpadded numbers. [`State`] is the pure model (parse, render, prune);
//! [`StateFile`] is an open, locked state file on disk that reads and durably writes it.
//!
//! Reading follows logrotate exactly: each line is split like `poptParseArgvString` (quotes,
//! backslashes), the path is then unescaped (`\\` and `\n`), and the date is read like
//! `sscanf("%d-%d-%d-%d:%d:%d")` with at least the date required. The first bad line stops the
//! reading; entries before it are kept and an error is reported.
//!
//! # Examples
//!
//! ```
//! use logrotate::state::State;
//! use std::path::Path;
//! let text = "logrotate state -- version 2\n\"/var/log/a b\" 2026-1-5-6:25:1\n";
//! let (mut state, diagnostics) = State::parse(text, Path::new("status"));
//! assert!(diagnostics.is_empty());
//! let when = state.get("/var/log/a b").unwrap();
//! assert_eq!(when.to_string(), "2026-01-05 06:25:01");
//! state.set("/var/log/x\"y", when);
//! assert!(state.render().contains("\"/var/log/x\\\"y\" 2026-1-5-6:25:1\n"));
//! ```

use crate::config::Diagnostic;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// The header logrotate 3.21 writes.
const HEADER_V2: &str = "logrotate state -- version 2";
/// The older header, still accepted when reading.
const HEADER_V1: &str = "logrotate state -- version 1";
/// logrotate reads lines with `fgets(buf, 2 * PATH_MAX + 16 - 1)`: a line of more bytes than
/// this, counting its newline, is "too long".
const MAX_LINE: usize = 8206;

/// Entries of logs not seen in a run are dropped once their last rotation is more than this many
/// seconds old: logrotate's `SECONDS_IN_YEAR` (365.2422 days). Verified against 3.21: an age of
/// exactly 31556926 s is kept, one second more is dropped.
pub const PRUNE_AFTER_SECS: i64 = 31_556_926;

/// When each log was last rotated: path -> local time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    entries: BTreeMap<String, NaiveDateTime>,
}

impl State {
    /// An empty state.
    pub fn new() -> Self {
        State::default()
    }

    /// When `path` was last rotated, if known.
    pub fn get(&self, path: &str) -> Option<NaiveDateTime> {
        self.entries.get(path).copied()
    }

    /// Records that `path` was last rotated at `t` (local time).
    pub fn set(&mut self, path: &str, t: NaiveDateTime) {
        self.entries.insert(path.to_owned(), t);
    }

    /// Forgets `path`, returning its time if it had one.
    pub fn remove(&mut self, path: &str) -> Option<NaiveDateTime> {
        self.entries.remove(path)
    }

    /// All entries, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, NaiveDateTime)> + '_ {
        self.entries.iter().map(|(p, t)| (p.as_str(), *t))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses the text of a state file; `file` is only used in messages.
    ///
    /// Empty text is an empty state. The first line must be the version 1 or 2 header, else
    /// `bad top line in state file FILE`. Blank lines are skipped. The first bad line ends the
    /// parse with one of logrotate's messages (`bad line N in state file FILE`,
    /// `line N too long in state file FILE` — also used for a last line without a newline —
    /// or `bad year|month|day|hour|minute|second V for file P in state file FILE`); the entries
    /// before it are kept. A date-only entry means midnight. Out-of-range days are normalised
    /// the way `mktime` does (`2026-3-0` is 28 February). A path listed twice keeps the later
    /// time.
    pub fn parse(text: &str, file: &Path) -> (State, Vec<Diagnostic>) {
        let mut state = State::new();
        let mut diagnostics = Vec::new();
        let file = file.display();
        let mut lines = text.split_inclusive('\n');
        match lines.next() {
            None => return (state, diagnostics),
            Some(top) if is_header(top) => {}
            Some(_) => {
                let message = format!("bad top line in state file {file}");
                return (state, vec![Diagnostic::error(message)]);
            }
        }
        for (index, raw) in lines.enumerate() {
            let number = index + 2;
            let Some(line) = raw.strip_suffix('\n').filter(|_| raw.len() <= MAX_LINE) else {
                let message = format!("line {number} too long in state file {file}");
                diagnostics.push(Diagnostic::error(message));
                break;
            };
            if line.is_empty() {
                continue;
            }
            match parse_entry(line) {
                Ok((path, when)) => state.set(&path, when),
                Err(EntryError::BadLine) => {
                    let message = format!("bad line {number} in state file {file}");
                    diagnostics.push(Diagnostic::error(message));
                    break;
                }
                Err(EntryError::BadField { field, value, path }) => {
                    let message = format!("bad {field} {value} for file {path} in state file {file}");
                    diagnostics.push(Diagnostic::error(message));
                    break;
                }
            }
        }
        (state, diagnostics)
    }

    /// Renders the state in logrotate's version 2 format, sorted by path.
    ///
    /// In paths, `"` and `\` get a backslash and a newline becomes `\n`; every other byte is
    /// written as is, exactly like logrotate 3.21.
    pub fn render(&self) -> String {
        let mut out = format!("{HEADER_V2}\n");
        for (path, t) in &self.entries {
            out.push('"');
            for c in path.chars() {
                match c {
                    '"' | '\\' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '\n' => out.push_str("\\n"),
                    _ => out.push(c),
                }
            }
            out.push_str(&format!(
                "\" {}-{}-{}-{}:{}:{}\n",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ));
        }
        out
    }

    /// Drops the entries logrotate 3.21 drops when it writes the state file, and returns their
    /// paths (logrotate says `Removing PATH from state file, because it does not exist and has
    /// not been rotated for one year` for each, in verbose mode).
    ///
    /// The rule, verified against the real tool: an entry is dropped when `is_used(path)` is
    /// false and `now - last_rotated` is more than [`PRUNE_AFTER_SECS`] (365.2422 days, not a
    /// calendar year). In logrotate an entry is "used" when this run's configuration named the
    /// log and the log was found on disk (it sets the flag after a successful `stat`); an
    /// existing file that no config names is dropped too, despite the message. For a drop-in
    /// result pass "this run looked at this log and it exists"; passing plain existence keeps
    /// entries of files that are no longer configured. Times are naive local times, so across a
    /// DST change the age can differ from logrotate's `difftime` by the DST offset.
    pub fn prune(&mut self, now: NaiveDateTime, is_used: impl Fn(&str) -> bool) -> Vec<String> {
        let limit = Duration::seconds(PRUNE_AFTER_SECS);
        let stale: Vec<String> = self
            .entries
            .iter()
            .filter(|(path, t)| now.signed_duration_since(**t) > limit && !is_used(path))
            .map(|(path, _)| path.clone())
            .collect();
        for path in &stale {
            self.entries.remove(path);
        }
        stale
    }
}

fn is_header(line: &str) -> bool {
    line.strip_suffix('\n').is_some_and(|l| l == HEADER_V1 || l == HEADER_V2)
}

enum EntryError {
    BadLine,
    BadField { field: &'static str, value: i32, path: String },
}

/// One `"PATH" DATE` line, read the way logrotate's `readState` does.
fn parse_entry(line: &str) -> Result<(String, NaiveDateTime), EntryError> {
    let args = split_args(line).ok_or(EntryError::BadLine)?;
    let [path, date] = <[String; 2]>::try_from(args).map_err(|_| EntryError::BadLine)?;
    let (count, [year, month, day, hour, minute, second]) = scan_date(&date);
    if count < 3 {
        return Err(EntryError::BadLine);
    }
    let checks: [(&'static str, i32, bool); 6] = [
        ("year", year, year == 1900 || (1970..=2100).contains(&year)),
        ("month", month, (1..=12).contains(&month)),
        ("day", day, (0..=31).contains(&day)),
        ("hour", hour, (0..=23).contains(&hour)),
        ("minute", minute, (0..=59).contains(&minute)),
        ("second", second, (0..=59).contains(&second)),
    ];
    if let Some(&(field, value, _)) = checks.iter().find(|c| !c.2) {
        // logrotate names the path as split, before unescaping.
        return Err(EntryError::BadField { field, value, path });
    }
    // Like mktime: day 0 is the last day of the previous month, 31 February is 3 March.
    let when = NaiveDate::from_ymd_opt(year, month as u32, 1)
        .and_then(|d| d.checked_add_signed(Duration::days(i64::from(day) - 1)))
        .and_then(|d| d.and_hms_opt(hour as u32, minute as u32, second as u32))
        .ok_or(EntryError::BadLine)?;
    Ok((unescape(&path), when))
}

/// Splits a line into words like popt's `poptParseArgvString`: whitespace separates words,
/// `"` and `'` quote; inside quotes a backslash only disappears before the quote character
/// itself, outside quotes it takes the next character literally. Empty words vanish.
/// `None` for an unterminated quote or a trailing backslash.
fn split_args(line: &str) -> Option<Vec<String>> {
    let mut args = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(q) => {
                if c == '\\' {
                    let next = chars.next()?;
                    if next != q {
                        word.push('\\');
                    }
                    word.push(next);
                } else {
                    word.push(c);
                }
            }
            None if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') => {
                if !word.is_empty() {
                    args.push(std::mem::take(&mut word));
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '\\' => word.push(chars.next()?),
                _ => word.push(c),
            },
        }
    }
    if quote.is_some() {
        return None;
    }
    if !word.is_empty() {
        args.push(word);
    }
    Some(args)
}

/// logrotate's `unescape`: `\n` becomes a newline, `\\` a backslash; other backslashes stay.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `sscanf(s, "%d-%d-%d-%d:%d:%d", ...)`: how many numbers were read, and the numbers (fields
/// not read stay 0). Like glibc, a number too big for an `int` keeps its low 32 bits.
fn scan_date(s: &str) -> (usize, [i32; 6]) {
    let mut fields = [0i32; 6];
    let mut rest = s;
    for (i, field) in fields.iter_mut().enumerate() {
        if i > 0 {
            let sep = if i == 4 || i == 5 { ':' } else { '-' };
            match rest.strip_prefix(sep) {
                Some(r) => rest = r,
                None => return (i, fields),
            }
        }
        let r = rest.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
        let (negative, r) = match r.as_bytes().first() {
            Some(b'-') => (true, &r[1..]),
            Some(b'+') => (false, &r[1..]),
            _ => (false, r),
        };
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return (i, fields);
        }
        let value = r[..digits]
            .bytes()
            .fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add(i64::from(b - b'0')));
        *field = (if negative { value.saturating_neg() } else { value }) as i32;
        rest = &r[digits..];
    }
    (6, fields)
}

/// How [`StateFile::open`] waits for the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// Fail at once with [`StateError::Locked`] if another process holds the lock.
    NonBlocking,
    /// Wait for the lock, for at most the given time (`None`: forever), then fail with
    /// [`StateError::Locked`] (logrotate's `--wait-for-state-lock`).
    Wait(Option<std::time::Duration>),
    /// Take no lock at all (logrotate's `--skip-state-lock`).
    Skip,
}

/// Why the state file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Another process holds the lock. Print `error: {this}` followed by
    /// [`StateError::PARALLEL_HINT`] on its own line, and exit with status 3 as logrotate does.
    #[error("state file {} is already locked", path.display())]
    Locked {
        /// The state file (not the `.lock` sidecar, even when that is what was busy).
        path: PathBuf,
    },
    /// Creating, opening or locking a file failed.
    #[error("error accessing state file {}: {source}", path.display())]
    Io {
        /// The file concerned (the state file or its `.lock` sidecar).
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The state file (or its `.lock` sidecar) is a symbolic link, which is refused.
    #[error("state file {} is a symbolic link", path.display())]
    Symlink {
        /// The symbolic link.
        path: PathBuf,
    },
}

impl StateError {
    /// The second line logrotate prints after [`StateError::Locked`].
    pub const PARALLEL_HINT: &'static str =
        "logrotate does not support parallel execution on the same set of logfiles.";

    fn io(path: &Path, source: io::Error) -> Self {
        if source.raw_os_error() == Some(libc::ELOOP) {
            StateError::Symlink { path: path.to_owned() }
        } else {
            StateError::Io { path: path.to_owned(), source }
        }
    }
}

/// An open state file, locked against other logrotate runs for as long as it lives.
///
/// Two locks are taken, both exclusive `flock`s, in this order:
///
/// 1. `PATH.lock`, a sidecar created with mode 0600 and never renamed or removed. Because
///    [`StateFile::write`] replaces `PATH` by a rename, a lock on `PATH` alone would be lost on
///    the first write; the sidecar is what keeps two runs of this implementation apart.
/// 2. `PATH` itself, which is what Debian's logrotate locks, so the two exclude each other.
///    Like logrotate 3.21, a world-readable state file is not locked (any user could hold that
///    lock and stop rotation); a warning says so, see [`StateFile::diagnostics`]. Each write
///    locks the new file before renaming it into place, so the lock is never dropped.
///
/// `PATH` is created empty with mode 0640 (minus the umask) if missing, as logrotate does.
/// The path `/dev/null` means no state and no lock: nothing is created, [`StateFile::read`] is
/// empty and [`StateFile::write`] does nothing.
///
/// # Security
///
/// `PATH`, `PATH.lock` and `PATH.tmp` are opened with `O_NOFOLLOW`: a symbolic link there is
/// refused ([`StateError::Symlink`]) rather than followed.
///
/// # Examples
///
/// ```
/// use logrotate::state::{LockMode, State, StateFile};
/// let dir = tempfile::tempdir()?;
/// let file = StateFile::open(&dir.path().join("status"), LockMode::NonBlocking)?;
/// let (mut state, diagnostics) = file.read();
/// assert!(state.is_empty() && diagnostics.is_empty());
/// let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(6, 25, 1).unwrap();
/// state.set("/var/log/syslog", t);
/// file.write(&state)?;
/// assert_eq!(file.read().0, state);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    /// `None` for `/dev/null`.
    held: Option<Held>,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
struct Held {
    /// Whether to lock (false for [`LockMode::Skip`]).
    locking: bool,
    /// The locked sidecar, kept open to keep the lock.
    _sidecar: Option<File>,
    /// The current state file, locked when `locking` (and it was not world-readable); `None`
    /// when opened with [`StateFile::read_only`].
    state: Mutex<Option<File>>,
}

impl StateFile {
    /// Opens (creating if needed) and locks the state file at `path`.
    ///
    /// # Errors
    ///
    /// [`StateError::Locked`] if another process holds a lock (after waiting, for
    /// [`LockMode::Wait`]); [`StateError::Symlink`] if `path` or `path.lock` is a symbolic link;
    /// [`StateError::Io`] if a file cannot be created, opened or locked.
    pub fn open(path: &Path, lock: LockMode) -> Result<StateFile, StateError> {
        let mut file = StateFile { path: path.to_owned(), held: None, diagnostics: Vec::new() };
        if path == Path::new("/dev/null") {
            return Ok(file);
        }
        // No deadline (wait forever) for `Wait(None)` or a timeout too large to represent.
        let deadline = match lock {
            LockMode::Wait(Some(d)) => Instant::now().checked_add(d),
            _ => None,
        };
        let locking = lock != LockMode::Skip;
        let mut sidecar = None;
        if locking {
            let lock_path = suffixed(path, ".lock");
            let f = open_nofollow(&lock_path, 0o600)?;
            if file.lockable(&f, &lock_path)? {
                acquire(&f, lock, deadline, path, &lock_path)?;
            }
            sidecar = Some(f);
        }
        let state = open_nofollow(path, 0o640)?;
        if locking && file.lockable(&state, path)? {
            acquire(&state, lock, deadline, path, path)?;
        }
        file.held = Some(Held { locking, _sidecar: sidecar, state: Mutex::new(Some(state)) });
        Ok(file)
    }

    /// The state file at `path` for reading only, as `logrotate -d` uses it: nothing is
    /// created or locked, [`StateFile::read`] works as usual (a missing file is an empty state)
    /// and [`StateFile::write`] fails. `/dev/null` still reads as empty.
    pub fn read_only(path: &Path) -> StateFile {
        let held = (path != Path::new("/dev/null")).then(|| Held {
            locking: false,
            _sidecar: None,
            state: Mutex::new(None),
        });
        StateFile { path: path.to_owned(), held, diagnostics: Vec::new() }
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Warnings from opening: `state file PATH is world-readable and thus can be locked from
    /// other unprivileged users. Skipping lock acquisition...`, as logrotate prints them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Reads and parses the state file (see [`State::parse`]); a missing file is an empty
    /// state. An I/O error gives an empty state and an `error opening state file` diagnostic.
    ///
    /// A `PATH.tmp` left by an interrupted [`StateFile::write`] is ignored, and removed when we
    /// hold the lock: a write only renames its tmp file over `PATH` after `sync_all`, so a tmp
    /// file that is still there never replaced anything and `PATH` holds the previous state.
    ///
    /// Paths are `String`s, so bytes that are not UTF-8 are read as U+FFFD.
    pub fn read(&self) -> (State, Vec<Diagnostic>) {
        let Some(held) = &self.held else {
            return (State::new(), Vec::new());
        };
        // Keeps a concurrent `write` from another thread off the tmp file.
        let _writing = held.state.lock().unwrap_or_else(|e| e.into_inner());
        if held.locking {
            let _ = std::fs::remove_file(suffixed(&self.path, ".tmp"));
        }
        let bytes = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&self.path)
            .and_then(|mut f| {
                let mut bytes = Vec::new();
                io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
            });
        match bytes {
            Ok(bytes) => State::parse(&String::from_utf8_lossy(&bytes), &self.path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => (State::new(), Vec::new()),
            Err(e) => {
                let message = format!("error opening state file {}: {e}", self.path.display());
                (State::new(), vec![Diagnostic::error(message)])
            }
        }
    }

    /// Replaces the state file with `state`, durably: the text goes to `PATH.tmp` (created with
    /// `O_EXCL | O_NOFOLLOW` after removing a stale one, with the owner of the current state
    /// file and its mode minus world-read, as logrotate does), which is `sync_all`ed, locked,
    /// renamed onto `PATH`, and the directory is fsynced. `PATH` is never half-written: it holds
    /// either the old or the new state. Does nothing for `/dev/null`.
    ///
    /// # Errors
    ///
    /// Any I/O error; the tmp file is removed and `PATH` is left as it was.
    /// [`io::ErrorKind::PermissionDenied`] if opened with [`StateFile::read_only`].
    pub fn write(&self, state: &State) -> io::Result<()> {
        let Some(held) = &self.held else {
            return Ok(());
        };
        // Held for the whole write: it serialises writers and guards the swap of the lock.
        let mut current = held.state.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_none() {
            let message = "state file was opened read-only";
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, message));
        }
        let tmp_path = suffixed(&self.path, ".tmp");
        match std::fs::remove_file(&tmp_path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let tmp = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp_path)?;
        let result = self.fill_and_rename(held, &tmp, &tmp_path, state);
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp_path);
            return result;
        }
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // The new file is in place (and locked): keep it, which releases the old inode.
        *current = Some(tmp);
        File::open(dir)?.sync_all()
    }

    fn fill_and_rename(&self, held: &Held, mut tmp: &File, tmp_path: &Path, state: &State) -> io::Result<()> {
        let (mode, owner) = match std::fs::symlink_metadata(&self.path) {
            Ok(m) if m.is_file() => (m.mode() & 0o777 & !0o004, Some((m.uid(), m.gid()))),
            _ => (0o640, None),
        };
        if let Some((uid, gid)) = owner {
            let mine = tmp.metadata()?;
            if (mine.uid(), mine.gid()) != (uid, gid) {
                std::os::unix::fs::fchown(tmp, Some(uid), Some(gid))?;
            }
        }
        tmp.set_permissions(std::fs::Permissions::from_mode(mode))?;
        tmp.write_all(state.render().as_bytes())?;
        tmp.sync_all()?;
        if held.locking {
            tmp.try_lock().map_err(|e| match e {
                TryLockError::Error(e) => e,
                TryLockError::WouldBlock => io::Error::from(io::ErrorKind::WouldBlock),
            })?;
        }
        std::fs::rename(tmp_path, &self.path)
    }

    /// Whether `f` may be locked; warns (like logrotate) when it is world-readable.
    fn lockable(&mut self, f: &File, path: &Path) -> Result<bool, StateError> {
        let mode = f.metadata().map_err(|e| StateError::io(path, e))?.mode();
        if mode & 0o004 == 0 {
            return Ok(true);
        }
        self.diagnostics.push(Diagnostic::warning(format!(
            "state file {} is world-readable and thus can be locked from other unprivileged \
             users. Skipping lock acquisition...",
            path.display()
        )));
        Ok(false)
    }
}

/// `path` with `suffix` appended to its last component.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = OsString::from(path.as_os_str());
    s.push(suffix);
    PathBuf::from(s)
}

/// Opens `path` read-write, creating it with `mode` (minus the umask), refusing symlinks.
fn open_nofollow(path: &Path, mode: u32) -> Result<File, StateError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| StateError::io(path, e))
}

/// Takes an exclusive flock on `f` (at `path`) according to `lock`, polling until `deadline`
/// if there is one, else blocking, when waiting.
fn acquire(
    f: &File,
    lock: LockMode,
    deadline: Option<Instant>,
    state_path: &Path,
    path: &Path,
) -> Result<(), StateError> {
    let locked = || StateError::Locked { path: state_path.to_owned() };
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::Error(e)) => return Err(StateError::io(path, e)),
            Err(TryLockError::WouldBlock) => {}
        }
        let LockMode::Wait(_) = lock else {
            return Err(locked());
        };
        let Some(deadline) = deadline else {
            return f.lock().map_err(|e| StateError::io(path, e));
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(locked());
        }
        std::thread::sleep(left.min(std::time::Duration::from_millis(20)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Level;
    use std::os::unix::fs::symlink;
    use std::process::Command;

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, s).unwrap()
    }

    fn parse(text: &str) -> (State, Vec<String>) {
        let (state, diagnostics) = State::parse(text, Path::new("/st"));
        assert!(diagnostics.iter().all(|d| d.level == Level::Error));
        (state, diagnostics.into_iter().map(|d| d.message).collect())
    }

    /// Parses one entry line after a version 2 header, in a file named `F`: `PATH @ TIME`, or
    /// the error text.
    fn entry(line: &str) -> String {
        let text = format!("{HEADER_V2}\n{line}\n");
        let (state, diagnostics) = State::parse(&text, Path::new("F"));
        let first = state.iter().next();
        let result = match (first, &diagnostics[..]) {
            (Some((path, t)), []) if state.len() == 1 => format!("{path} @ {t}"),
            (None, [d]) if d.level == Level::Error => d.message.clone(),
            _ => panic!("unexpected result for {line:?}: {state:?} {diagnostics:?}"),
        };
        result
    }

    const TRICKY: &[&str] = &[
        "/var/log/plain.log",
        "/l/quote\"d",
        "/l/back\\slash",
        "/l/literal\\n not newline",
        "/l/new\nline",
        "/l/sp ace\tand tab",
        "/l/single'quote",
        "/l/$dollar",
        "/l/trailing\\",
        "/l/both\\\"",
        "/l/ünïcode",
    ];

    #[test]
    fn tricky_paths_round_trip() {
        let mut state = State::new();
        for (i, path) in TRICKY.iter().enumerate() {
            state.set(path, dt(2026, 1, 5, 6, 25, i as u32));
        }
        let text = state.render();
        let (back, errors) = parse(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, state);
        assert!(text.contains("\"/l/quote\\\"d\" "));
        assert!(text.contains("\"/l/back\\\\slash\" "));
        assert!(text.contains("\"/l/new\\nline\" "));
        assert!(text.contains("\"/l/literal\\\\n not newline\" "));
    }

    #[test]
    fn render_is_sorted_unpadded_local_format() {
        let mut state = State::new();
        state.set("/var/log/syslog", dt(2026, 1, 5, 6, 25, 1));
        state.set("/var/log/auth.log", dt(2025, 12, 31, 23, 0, 0));
        assert_eq!(
            state.render(),
            "logrotate state -- version 2\n\
             \"/var/log/auth.log\" 2025-12-31-23:0:0\n\
             \"/var/log/syslog\" 2026-1-5-6:25:1\n"
        );
        assert_eq!(State::new().render(), "logrotate state -- version 2\n");
    }

    #[test]
    fn version_1_header_and_date_only_entries() {
        let (state, errors) = parse("logrotate state -- version 1\n\"/a\" 2000-1-1\n\"/b\" 2026-1-1-5\n");
        assert!(errors.is_empty());
        assert_eq!(state.get("/a"), Some(dt(2000, 1, 1, 0, 0, 0)));
        assert_eq!(state.get("/b"), Some(dt(2026, 1, 1, 5, 0, 0)));
    }

    #[test]
    fn bad_line_in_the_middle_keeps_earlier_entries_and_stops() {
        let text = format!("{HEADER_V2}\n\"/a\" 2026-1-1\n\n\"/b\" 2026-1-2\ngarbage\n\"/c\" 2026-1-3\n");
        let (state, errors) = parse(&text);
        assert_eq!(errors, ["bad line 5 in state file /st"]);
        assert_eq!(state.iter().map(|(p, _)| p).collect::<Vec<_>>(), ["/a", "/b"]);
    }

    #[test]
    fn empty_and_header_only_are_empty_states() {
        assert_eq!(parse(""), (State::new(), vec![]));
        assert_eq!(parse("logrotate state -- version 2\n"), (State::new(), vec![]));
    }

    #[test]
    fn top_line_and_line_length_errors() {
        let bad_top = ["logrotate state -- version 3\n", "logrotate state -- version 2", "\n"];
        for text in bad_top {
            assert_eq!(parse(text).1, ["bad top line in state file /st"], "{text:?}");
        }
        let (state, errors) = parse(&format!("{HEADER_V2}\n\"/a\" 2026-1-1\n\"/b\" 2026-1-2"));
        assert_eq!(errors, ["line 3 too long in state file /st"]);
        assert_eq!(state.len(), 1);
        // 8206 bytes with the newline is the most logrotate's fgets buffer holds.
        let line = |len: usize| format!("\"/{}\" 2026-1-1", "a".repeat(len - 12));
        assert_eq!(line(8205).len(), 8205);
        assert!(entry(&line(8205)).ends_with(" @ 2026-01-01 00:00:00"));
        assert_eq!(entry(&line(8206)), "line 2 too long in state file F");
    }

    /// Each case was checked against Debian's logrotate 3.21.
    #[test]
    fn entry_lines_are_read_like_logrotate() {
        #[rustfmt::skip]
        let cases = [
            ("single quotes", "'/s' 2026-1-1", "/s @ 2026-01-01 00:00:00"),
            ("unquoted \\ ", "/u\\ q 2026-1-1-1:2:3junk", "/u q @ 2026-01-01 01:02:03"),
            ("pieces join", "\"/x\"y\"z\" 2026-1-1", "/xyz @ 2026-01-01 00:00:00"),
            ("unknown escape", "\"/e\\q\" 2026-1-1x", "/e\\q @ 2026-01-01 00:00:00"),
            ("\\' in \"", "\"/q\\'x\" 2026-1-1", "/q\\'x @ 2026-01-01 00:00:00"),
            ("\\' in '", "'/q\\'x' 2026-1-1", "/q'x @ 2026-01-01 00:00:00"),
            ("tab, padding", " \"/t\"\t2026-01-02-03:04:05 ", "/t @ 2026-01-02 03:04:05"),
            ("CR is space", "\"/r\" 2026-1-1\r", "/r @ 2026-01-01 00:00:00"),
            ("signs, spaces", "\"/p\" \"+2026-+1- 1\"", "/p @ 2026-01-01 00:00:00"),
            ("partial time", "\"/h\" 2026-1-1-1:", "/h @ 2026-01-01 01:00:00"),
            ("bad separator", "\"/f\" 2026-1-1-1-2-3", "/f @ 2026-01-01 01:00:00"),
            ("day 0", "\"/d\" 2026-3-0-23:59:59", "/d @ 2026-02-28 23:59:59"),
            ("31 February", "\"/d\" 2026-2-31", "/d @ 2026-03-03 00:00:00"),
            ("year 1900", "\"/y\" 1900-1-1", "/y @ 1900-01-01 00:00:00"),
            ("blank", "  ", "bad line 2 in state file F"),
            ("one word", "\"/a\"", "bad line 2 in state file F"),
            ("three words", "\"/a\" 2026-1-1 x", "bad line 2 in state file F"),
            ("empty word", "\"/a\" \"\"", "bad line 2 in state file F"),
            ("empty path", "\"\" 2026-1-1", "bad line 2 in state file F"),
            ("open quote", "\"/a 2026-1-1", "bad line 2 in state file F"),
            ("trailing \\", "/a\\", "bad line 2 in state file F"),
            ("two fields", "\"/a\" 2026-1", "bad line 2 in state file F"),
            ("year 1969", "\"/a\\n\" 1969-1-1", "bad year 1969 for file /a\\n in state file F"),
            ("year 2101", "\"/a\" 2101-1-1", "bad year 2101 for file /a in state file F"),
            ("overflow", "/a 99999999999-1-1", "bad year 1215752191 for file /a in state file F"),
            ("month 0", "\"/a\" 2026-0-1", "bad month 0 for file /a in state file F"),
            ("day 32", "\"/a\" 2026-1-32", "bad day 32 for file /a in state file F"),
            ("day -1", "\"/a\" 2026-1--1", "bad day -1 for file /a in state file F"),
            ("hour 24", "/a 2026-1-1-24:0:0", "bad hour 24 for file /a in state file F"),
            ("hour -1", "/a 2026-1-1--1:0:0", "bad hour -1 for file /a in state file F"),
            ("minute 60", "/a 2026-1-1-1:60:0", "bad minute 60 for file /a in state file F"),
            ("second 60", "/a 2026-1-1-1:0:60", "bad second 60 for file /a in state file F"),
        ];
        for (name, line, want) in cases {
            assert_eq!(entry(line), want, "case {name:?}: {line:?}");
        }
    }

    #[test]
    fn later_duplicate_wins() {
        let (state, _) = parse(&format!("{HEADER_V2}\n\"/a\" 2026-1-1\n\"/a\" 2026-1-3\n"));
        assert_eq!(state.get("/a"), Some(dt(2026, 1, 3, 0, 0, 0)));
    }

    #[test]
    fn prune_drops_unused_entries_older_than_365_2422_days() {
        let now = dt(2026, 11, 23, 10, 0, 0);
        let at_limit = now - Duration::seconds(PRUNE_AFTER_SECS);
        let mut state = State::new();
        state.set("/gone/at-limit", at_limit);
        state.set("/gone/past-limit", at_limit - Duration::seconds(1));
        state.set("/gone/calendar-year-ago", dt(2025, 11, 23, 10, 0, 0));
        state.set("/used/ancient", dt(2000, 1, 1, 0, 0, 0));
        let removed = state.prune(now, |p| p.starts_with("/used/"));
        assert_eq!(removed, ["/gone/past-limit"]);
        let kept: Vec<_> = state.iter().map(|(p, _)| p).collect();
        assert_eq!(kept, ["/gone/at-limit", "/gone/calendar-year-ago", "/used/ancient"]);
    }

    fn state_with(path: &str) -> State {
        let mut state = State::new();
        state.set(path, dt(2026, 1, 5, 6, 25, 1));
        state
    }

    fn is_locked_by_someone(path: &Path) -> bool {
        let f = File::open(path).unwrap();
        match f.try_lock() {
            Ok(()) => false,
            Err(TryLockError::WouldBlock) => true,
            Err(TryLockError::Error(e)) => panic!("{e}"),
        }
    }

    #[test]
    fn write_then_read_back_creates_0640_and_keeps_both_locks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        assert!(file.diagnostics().is_empty());
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        assert_eq!(file.read(), (State::new(), vec![]));
        file.write(&state_with("/l/a\"b")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), state_with("/l/a\"b").render());
        assert_eq!(file.read(), (state_with("/l/a\"b"), vec![]));
        assert!(!suffixed(&path, ".tmp").exists());
        // 0640 minus the umask.
        let mode = std::fs::metadata(&path).unwrap().mode() & 0o7777;
        assert_eq!((mode & !0o640, mode & 0o600), (0, 0o600), "{mode:o}");
        // After the rename, the new inode is locked too, as is the sidecar.
        assert!(is_locked_by_someone(&path));
        assert!(is_locked_by_someone(&suffixed(&path, ".lock")));
    }

    #[test]
    fn second_open_is_locked_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        let _held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        let err = StateFile::open(&path, LockMode::NonBlocking).unwrap_err();
        assert!(matches!(&err, StateError::Locked { path: p } if *p == path), "{err:?}");
        assert_eq!(err.to_string(), format!("state file {} is already locked", path.display()));
        let err = StateFile::open(&path, LockMode::Wait(Some(std::time::Duration::from_millis(50))));
        assert!(matches!(err, Err(StateError::Locked { .. })), "{err:?}");
    }

    #[test]
    fn wait_gets_the_lock_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        let held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(held);
        });
        let waited = StateFile::open(&path, LockMode::Wait(Some(std::time::Duration::from_secs(30))));
        releaser.join().unwrap();
        assert!(waited.is_ok(), "{waited:?}");
        drop(waited);
        assert!(StateFile::open(&path, LockMode::Wait(None)).is_ok());
        let forever = LockMode::Wait(Some(std::time::Duration::MAX));
        assert!(StateFile::open(&path, forever).is_ok());
    }

    #[test]
    fn skip_takes_no_lock_and_creates_no_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        let skipping = StateFile::open(&path, LockMode::Skip).unwrap();
        assert!(!suffixed(&path, ".lock").exists());
        assert!(!is_locked_by_someone(&path));
        skipping.write(&state_with("/a")).unwrap();
        assert_eq!(skipping.read().0, state_with("/a"));
        let _held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        let also = StateFile::open(&path, LockMode::Skip).unwrap();
        assert_eq!(also.read().0, state_with("/a"));
    }

    #[test]
    fn read_only_creates_nothing_and_refuses_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        let missing = StateFile::read_only(&path);
        assert_eq!(missing.read(), (State::new(), vec![]));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let err = missing.write(&State::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(!path.exists());
        let held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        held.write(&state_with("/a")).unwrap();
        assert_eq!(StateFile::read_only(&path).read().0, state_with("/a"));
    }

    #[test]
    fn dev_null_means_no_state_and_no_lock() {
        let a = StateFile::open(Path::new("/dev/null"), LockMode::NonBlocking).unwrap();
        let b = StateFile::open(Path::new("/dev/null"), LockMode::NonBlocking).unwrap();
        a.write(&state_with("/a")).unwrap();
        assert_eq!(b.read(), (State::new(), vec![]));
        assert!(!Path::new("/dev/null.lock").exists());
        assert!(!Path::new("/dev/null.tmp").exists());
    }

    #[test]
    fn stale_tmp_from_interrupted_write_is_ignored_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        std::fs::write(&path, state_with("/old").render()).unwrap();
        let tmp = suffixed(&path, ".tmp");
        std::fs::write(&tmp, "logrotate state -- version 2\n\"/half-writ").unwrap();
        let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        assert_eq!(file.read(), (state_with("/old"), vec![]));
        assert!(!tmp.exists());
        std::fs::write(&tmp, "junk").unwrap();
        file.write(&state_with("/new")).unwrap();
        assert_eq!(file.read().0, state_with("/new"));
    }

    #[test]
    fn symlinked_state_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "").unwrap();
        let path = dir.path().join("status");
        symlink(&target, &path).unwrap();
        let err = StateFile::open(&path, LockMode::NonBlocking).unwrap_err();
        assert!(matches!(&err, StateError::Symlink { path: p } if *p == path), "{err:?}");
        let err = StateFile::open(&path, LockMode::Skip).unwrap_err();
        assert!(matches!(err, StateError::Symlink { .. }), "{err:?}");
    }

    #[test]
    fn world_readable_state_is_not_locked_and_write_drops_world_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        let warning = format!(
            "state file {} is world-readable and thus can be locked from other unprivileged \
             users. Skipping lock acquisition...",
            path.display()
        );
        assert_eq!(file.diagnostics(), [Diagnostic::warning(warning)]);
        assert!(!is_locked_by_someone(&path));
        file.write(&State::new()).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, 0o660);
        assert!(is_locked_by_someone(&path));
    }

    #[test]
    fn unreadable_state_is_an_error_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status");
        let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(file.read(), (State::new(), vec![]));
        std::fs::create_dir(&path).unwrap();
        let (state, diagnostics) = file.read();
        assert!(state.is_empty());
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.starts_with("error opening state file"), "{diagnostics:?}");
    }

    const REAL: &str = "/usr/sbin/logrotate";

    fn real_logrotate() -> bool {
        let found = Path::new(REAL).exists();
        if !found {
            eprintln!("note: {REAL} is not installed; skipping the comparison with it");
        }
        found
    }

    #[test]
    fn reads_and_renders_an_escaped_path_like_real_logrotate() {
        if !real_logrotate() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir(&logs).unwrap();
        let name = "we\"ird \\ na\nme.log";
        let log = logs.join(name);
        std::fs::write(&log, "x\n").unwrap();
        let conf = dir.path().join("conf");
        std::fs::write(&conf, format!("{}/*.log {{\n  rotate 1\n  daily\n}}\n", logs.display())).unwrap();
        let status = dir.path().join("status");
        let out = Command::new(REAL).arg("-f").arg("-s").arg(&status).arg(&conf).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "logrotate failed: {stderr}");
        let text = std::fs::read_to_string(&status).unwrap();
        let (state, diagnostics) = State::parse(&text, &status);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let path = log.to_str().unwrap();
        let when = state.get(path).unwrap_or_else(|| panic!("{path:?} not in {text:?}"));
        let ours = state_with_at(path, when).render();
        let our_line = ours.lines().nth(1).unwrap();
        assert!(our_line.contains("we\\\"ird \\\\ na\\nme.log"), "{our_line}");
        assert!(text.lines().any(|l| l == our_line), "{our_line:?} not in {text:?}");
    }

    #[test]
    fn real_logrotate_reads_our_tricky_paths_and_writes_them_back_unchanged() {
        if !real_logrotate() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("conf");
        let pattern = format!("{}/none/*.log", dir.path().display());
        std::fs::write(&conf, format!("{pattern} {{\n  missingok\n}}\n")).unwrap();
        // Recent enough that logrotate does not prune these entries of unconfigured logs.
        let when = chrono::Local::now().naive_local().with_nanosecond(0).unwrap() - Duration::days(1);
        let mut state = State::new();
        for path in TRICKY {
            state.set(path, when);
        }
        let status = dir.path().join("status");
        std::fs::write(&status, state.render()).unwrap();
        std::fs::set_permissions(&status, std::fs::Permissions::from_mode(0o640)).unwrap();
        let out = Command::new(REAL).arg("-s").arg(&status).arg(&conf).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "logrotate failed: {stderr}");
        let sorted = |text: &str| {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            lines.sort();
            lines
        };
        // logrotate adds an entry of its own for the pattern that matched nothing.
        let mut theirs = sorted(&std::fs::read_to_string(&status).unwrap());
        theirs.retain(|l| !l.contains(&pattern));
        assert_eq!(theirs, sorted(&state.render()));
    }

    fn state_with_at(path: &str, when: NaiveDateTime) -> State {
        let mut state = State::new();
        state.set(path, when);
        state
    }

    #[test]
    fn real_logrotate_is_locked_out_while_we_hold_the_state() {
        if !real_logrotate() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("conf");
        std::fs::write(&conf, format!("{}/none.log {{\n  missingok\n}}\n", dir.path().display())).unwrap();
        let status = dir.path().join("status");
        let held = StateFile::open(&status, LockMode::NonBlocking).unwrap();
        held.write(&state_with("/a")).unwrap();
        let out = Command::new(REAL).arg("-s").arg(&status).arg(&conf).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        let locked = StateError::Locked { path: status.clone() };
        let expected = format!("error: {locked}\n{}\n", StateError::PARALLEL_HINT);
        assert!(stderr.contains(&expected), "{stderr}");
    }
}
