//! The state file on disk: opening, locking (flock, shared with Debian's logrotate), reading,
//! and durable writing (tmp file, fsync, rename, directory fsync).

use super::*;

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
    #[error("state file {} is already locked", path.shown())]
    Locked {
        /// The state file (not the `.lock` sidecar, even when that is what was busy).
        path: PathBuf,
    },
    /// Creating, opening or locking a file failed (in 3.21's words, naming the state file even
    /// when its `.lock` sidecar is what failed).
    #[error("error opening state file {}: {}", path.shown(), strerror(source))]
    Io {
        /// The state file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The state file (or its `.lock` sidecar) is a symbolic link, which is refused.
    #[error("state file {} is a symbolic link", path.shown())]
    Symlink {
        /// The symbolic link.
        path: PathBuf,
    },
}

/// An I/O error as C's `strerror` says it (without Rust's ` (os error N)`).
fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
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
            let f = open_nofollow(&lock_path, 0o600).map_err(|e| match e {
                StateError::Io { source, .. } => StateError::Io { path: path.to_owned(), source },
                other => other,
            })?;
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
    /// Paths that are not UTF-8 are kept as [`crate::pathbytes`] strings.
    pub fn read(&self) -> (State, Vec<Diagnostic>) {
        self.read_ahead(None)
    }

    /// [`StateFile::read`], taking what `ahead` parsed when the file has not changed since.
    pub fn read_ahead(&self, ahead: Option<Prefetch>) -> (State, Vec<Diagnostic>) {
        let Some(held) = &self.held else {
            return (State::new(), Vec::new());
        };
        // Keeps a concurrent `write` from another thread off the tmp file.
        let _writing = held.state.lock().unwrap_or_else(|e| e.into_inner());
        if held.locking {
            let _ = std::fs::remove_file(suffixed(&self.path, ".tmp"));
        }
        match read_regular(&self.path) {
            // What was read ahead is taken when the file still holds the same bytes.
            Ok(bytes) => match ahead.and_then(Prefetch::join).filter(|(seen, ..)| *seen == bytes) {
                Some((_, state, diags)) => (state, diags),
                None => State::parse(&crate::pathbytes::from_bytes(&bytes), &self.path),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => (State::new(), Vec::new()),
            Err(e) => {
                let message = format!("error opening state file {}: {}", self.path.shown(), strerror(&e));
                (State::new(), vec![Diagnostic::error(message).at(Location::file(&self.path))])
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
        tmp.write_all(&crate::pathbytes::to_bytes(&state.render()))?;
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
        self.diagnostics.push(
            Diagnostic::warning(format!(
                "state file {} is world-readable and thus can be locked from other unprivileged \
             users. Skipping lock acquisition...",
                path.shown()
            ))
            .at(Location::file(path)),
        );
        Ok(false)
    }
}

/// `path` with `suffix` appended to its last component.
pub(super) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
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
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path)
        .and_then(regular)
        .map_err(|e| StateError::io(path, e))
}

/// The state file read and parsed on another thread while the config loads (what the nightly
/// no-op of 10,000 logs waits for otherwise). It is only a guess: [`StateFile::read_ahead`]
/// reads the file again once it holds the lock, and takes the guess only when the bytes are
/// the same.
#[derive(Debug)]
pub struct Prefetch(std::thread::JoinHandle<Option<ReadAhead>>);

/// The bytes read ahead, and what they parse to.
type ReadAhead = (Vec<u8>, State, Vec<Diagnostic>);

impl Prefetch {
    /// Starts reading `path` (nothing for `/dev/null`, or when no thread can start).
    pub fn start(path: &Path) -> Option<Prefetch> {
        if path == Path::new("/dev/null") {
            return None;
        }
        let path = path.to_owned();
        let reader = move || {
            let bytes = read_regular(&path).ok()?;
            let (mut state, diags) = State::parse(&crate::pathbytes::from_bytes(&bytes), &path);
            state.remember_text(&bytes);
            Some((bytes, state, diags))
        };
        std::thread::Builder::new().name("state".into()).spawn(reader).ok().map(Prefetch)
    }

    fn join(self) -> Option<ReadAhead> {
        self.0.join().ok().flatten()
    }
}

/// The bytes of the regular file at `path` (not through a symbolic link; a FIFO is refused
/// without blocking).
fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path)
        .and_then(regular)?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut f, &mut bytes)?;
    Ok(bytes)
}

/// Refuses a FIFO, device or directory planted where a regular file belongs (opened with
/// `O_NONBLOCK`, so opening a FIFO never hangs).
fn regular(f: File) -> io::Result<File> {
    if f.metadata()?.is_file() {
        Ok(f)
    } else {
        Err(io::Error::other("not a regular file"))
    }
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
