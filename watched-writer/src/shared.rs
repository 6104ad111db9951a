//! The state shared by writers and the background thread: the open file, and the check that
//! decides when to reopen.
//!
//! Writers write to one descriptor for the life of the handle, with no lock in user space. A
//! reopen makes that descriptor refer to the new file (`dup3`, see [`handle::replace`]): a
//! `write` running at that moment finishes on the old file, which the kernel closes (releasing
//! its shared lock) only once that `write` returns; every later `write` goes to the new file.
//! So the hot path is one relaxed atomic load and the `write` itself, and nothing is ever
//! written to a file after the writer has let go of it.

use crate::builder::Options;
use crate::handle::{self, open_locked, FileId};
use crate::{Error, ReopenPolicy};
use std::fs::{self, File};
use std::io::{self, ErrorKind, IoSlice, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// First pause before retrying a failed reopen.
const FIRST_RETRY: Duration = Duration::from_millis(10);

/// Counters describing what a [`WatchedFile`](crate::WatchedFile) has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Files opened in place of a rotated, deleted or replaced one.
    pub reopens: u64,
    /// Reopens that failed (the writer kept its old file and retried later).
    pub reopen_failures: u64,
    /// Times a check found the file shorter than at the check before (truncated in place, as
    /// by `copytruncate`). Writes go on at the new end of the file whether or not a check
    /// notices; this only counts, and misses a truncation followed by enough writes.
    pub truncations: u64,
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    /// The path still names the open file.
    Same,
    /// A new file was opened.
    Reopened,
    /// A reopen is due but must wait (create grace, retry backoff) until then.
    WaitUntil(Instant),
}

#[derive(Debug, Default)]
struct CheckState {
    /// When the path was first seen missing while the open file still had a name elsewhere.
    missing_since: Option<Instant>,
    /// Not before this instant is a failed reopen retried (except by `check_now`).
    retry_at: Option<Instant>,
    backoff: Duration,
    /// Length of the file at the previous check.
    last_len: u64,
}

#[derive(Debug, Default)]
struct Counters {
    reopens: AtomicU64,
    reopen_failures: AtomicU64,
    truncations: AtomicU64,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) path: PathBuf,
    pub(crate) options: Options,
    /// The descriptor every record is written to; a reopen changes the file it refers to.
    file: File,
    /// The file is a regular one, so appending with `pwrite` works.
    positional: AtomicBool,
    /// Identity of the file open now.
    id: RwLock<FileId>,
    /// Held while checking and reopening, and while finishing a short write.
    check: Mutex<CheckState>,
    counters: Counters,
}

impl Shared {
    pub(crate) fn open(path: PathBuf, options: Options) -> Result<Shared, Error> {
        let opened = open_locked(&path, options.create)?;
        let check = CheckState { last_len: opened.len, ..CheckState::default() };
        Ok(Shared {
            path,
            options,
            file: opened.file,
            positional: AtomicBool::new(opened.is_regular),
            id: RwLock::new(opened.id),
            check: Mutex::new(check),
            counters: Counters::default(),
        })
    }

    fn check_state(&self) -> MutexGuard<'_, CheckState> {
        self.check.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn id(&self) -> FileId {
        *self.id.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn stats(&self) -> Stats {
        Stats {
            reopens: self.counters.reopens.load(Ordering::Relaxed),
            reopen_failures: self.counters.reopen_failures.load(Ordering::Relaxed),
            truncations: self.counters.truncations.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn report(&self, error: &Error) {
        if let Some(callback) = &self.options.on_error {
            callback(error);
        }
    }

    /// Writes all of `buf` to one file.
    ///
    /// A record normally goes out in one `write`. If the kernel takes only part of it (disk
    /// full, file size limit), the rest is written while reopens are held off.
    pub(crate) fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        self.before_write();
        let done = self.write_once(buf)?;
        if done == buf.len() {
            return Ok(());
        }
        let _no_reopen = self.check_state();
        let mut rest = &buf[done..];
        while !rest.is_empty() {
            match self.write_once(rest)? {
                0 => return Err(ErrorKind::WriteZero.into()),
                n => rest = &rest[n..],
            }
        }
        Ok(())
    }

    /// Writes some of `buf`.
    pub(crate) fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.before_write();
        self.write_once(buf)
    }

    pub(crate) fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.before_write();
        (&self.file).write_vectored(bufs)
    }

    /// One system call appending `buf`, retried if interrupted.
    #[inline]
    fn write_once(&self, buf: &[u8]) -> io::Result<usize> {
        loop {
            let result = if self.positional.load(Ordering::Relaxed) {
                match append_at(&self.file, buf) {
                    // Swapped for a pipe or a device a moment ago.
                    Err(e) if e.raw_os_error() == Some(libc::ESPIPE) => (&self.file).write(buf),
                    other => other,
                }
            } else {
                (&self.file).write(buf)
            };
            match result {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    /// With [`ReopenPolicy::EveryWrite`], checks the path before a record.
    #[inline]
    fn before_write(&self) {
        if self.options.policy == ReopenPolicy::EveryWrite
            && !fs::metadata(&self.path).is_ok_and(|md| FileId::of(&md) == self.id())
        {
            // Errors went to the callback; the record goes to whichever file is open.
            let _ = self.check(false);
        }
    }

    /// Syncs the current file's data to disk.
    pub(crate) fn sync_data(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Checks whether the path still names the open file, and reopens if not. `forced` skips
    /// the create grace and the retry backoff. Errors are also reported to the callback.
    pub(crate) fn check(&self, forced: bool) -> Result<Checked, Error> {
        let result = self.check_locked(forced);
        if let Err(e) = &result {
            self.report(e);
        }
        result
    }

    fn check_locked(&self, forced: bool) -> Result<Checked, Error> {
        let mut state = self.check_state();
        let now = Instant::now();
        let links = match self.file.metadata() {
            Ok(md) => {
                if md.len() < state.last_len {
                    self.counters.truncations.fetch_add(1, Ordering::Relaxed);
                }
                state.last_len = md.len();
                md.nlink()
            }
            Err(_) => 1,
        };
        match fs::metadata(&self.path) {
            Ok(md) if FileId::of(&md) == self.id() => {
                state.missing_since = None;
                state.retry_at = None;
                state.backoff = Duration::ZERO;
                return Ok(Checked::Same);
            }
            Ok(_) => {}
            Err(e) if is_missing(&e) => {
                if links > 0 && !forced {
                    let since = *state.missing_since.get_or_insert(now);
                    let until = later(since, self.options.create_grace);
                    if now < until {
                        return Ok(Checked::WaitUntil(until));
                    }
                }
            }
            Err(source) => {
                return Err(self.failed(&mut state, now, Error::Stat { path: self.path.clone(), source }))
            }
        }
        if let Some(at) = state.retry_at.filter(|&at| !forced && now < at) {
            return Ok(Checked::WaitUntil(at));
        }
        let opened = match open_locked(&self.path, self.options.create) {
            Ok(opened) => opened,
            Err(e) => return Err(self.failed(&mut state, now, e)),
        };
        let (id, len, is_regular) = (opened.id, opened.len, opened.is_regular);
        if let Err(source) = handle::replace(&self.file, opened.file) {
            return Err(self.failed(&mut state, now, Error::Open { path: self.path.clone(), source }));
        }
        self.positional.store(is_regular, Ordering::Relaxed);
        *self.id.write().unwrap_or_else(PoisonError::into_inner) = id;
        *state = CheckState { last_len: len, ..CheckState::default() };
        self.counters.reopens.fetch_add(1, Ordering::Relaxed);
        Ok(Checked::Reopened)
    }

    fn failed(&self, state: &mut CheckState, now: Instant, error: Error) -> Error {
        self.counters.reopen_failures.fetch_add(1, Ordering::Relaxed);
        state.backoff = state.backoff.saturating_mul(2).max(FIRST_RETRY).min(self.options.max_retry);
        state.retry_at = Some(later(now, state.backoff));
        error
    }

    /// Lets the next check retry a failed reopen at once, without waiting out the backoff
    /// (the directory that was missing is back).
    pub(crate) fn retry_soon(&self) {
        let mut state = self.check_state();
        state.retry_at = None;
        state.backoff = Duration::ZERO;
    }

    /// When the last failed reopen is to be retried, if one failed.
    pub(crate) fn retry_at(&self) -> Option<Instant> {
        self.check_state().retry_at
    }
}

/// Appends `buf` to a regular file opened with `O_APPEND`, with `pwrite`.
///
/// On Linux, `pwrite` on a file opened with `O_APPEND` appends whatever the offset (pwrite(2),
/// BUGS). Unlike `write`, it does not take the file-position mutex that the kernel takes for
/// every `write` in a multi-threaded process. It is called through `syscall(2)` rather than
/// libc's wrapper, which is a thread-cancellation point and pays for that on every call in a
/// multi-threaded process; Rust never cancels threads. Together: some 5% of throughput.
#[cfg(all(any(target_os = "linux", target_os = "android"), target_pointer_width = "64"))]
#[inline]
fn append_at(file: &File, buf: &[u8]) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor stays open while `file` is borrowed, and `buf` is valid for
    // `buf.len()` bytes. On 64-bit targets the offset is one argument.
    let n = unsafe {
        libc::syscall(libc::SYS_pwrite64, file.as_raw_fd(), buf.as_ptr(), buf.len(), 0 as libc::off_t)
    };
    // A negative count is -1 with errno set.
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// Elsewhere `pwrite` may not append: plain `write`.
#[cfg(not(all(any(target_os = "linux", target_os = "android"), target_pointer_width = "64")))]
#[inline]
fn append_at(file: &File, buf: &[u8]) -> io::Result<usize> {
    (&*file).write(buf)
}

/// `at + after`, or, if that cannot be represented (`Duration::MAX` means "never"), an
/// instant some centuries away.
pub(crate) fn later(at: Instant, after: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    at.checked_add(after).or_else(|| at.checked_add(FAR)).unwrap_or(at)
}

/// Whether a `stat` error means nothing is at the path (also when a directory on the way is
/// gone or has become a file).
fn is_missing(e: &io::Error) -> bool {
    e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}
