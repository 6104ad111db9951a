//! The state shared by writers and the background thread: the current handle, and the check
//! that decides when to reopen.
//!
//! Writers hold a read lock on the current handle for the whole of each `write_all`; a reopen
//! swaps the handle under the write lock and closes the old file (releasing its shared lock)
//! only after that. So no record is written to a file after the writer has let go of it, and
//! no record is split between two files.

use crate::builder::Options;
use crate::handle::{open_locked, FileId, Handle};
use crate::{Error, ReopenPolicy};
use std::fs;
use std::io::{self, ErrorKind, IoSlice, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

/// First pause before retrying a failed reopen.
const FIRST_RETRY: Duration = Duration::from_millis(10);

/// Counters describing what a [`WatchedFile`](crate::WatchedFile) has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Files opened in place of a rotated, deleted or replaced one.
    pub reopens: u64,
    /// Reopens that failed (the writer kept its old handle and retried later).
    pub reopen_failures: u64,
    /// Times the file was seen shorter than before (truncated in place, as by `copytruncate`).
    /// Writes go on at the new end of the file; this only counts.
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
    current: RwLock<Handle>,
    check: Mutex<CheckState>,
    counters: Counters,
}

impl Shared {
    pub(crate) fn open(path: PathBuf, options: Options) -> Result<Shared, Error> {
        let handle = open_locked(&path, options.create)?;
        let check = CheckState { last_len: handle.len, ..CheckState::default() };
        Ok(Shared {
            path,
            options,
            current: RwLock::new(handle),
            check: Mutex::new(check),
            counters: Counters::default(),
        })
    }

    fn current(&self) -> RwLockReadGuard<'_, Handle> {
        self.current.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn check_state(&self) -> MutexGuard<'_, CheckState> {
        self.check.lock().unwrap_or_else(PoisonError::into_inner)
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
    pub(crate) fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        let current = self.current_for_write();
        (&current.file).write_all(buf)
    }

    /// Writes some of `buf`.
    pub(crate) fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let current = self.current_for_write();
        (&current.file).write(buf)
    }

    pub(crate) fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let current = self.current_for_write();
        (&current.file).write_vectored(bufs)
    }

    /// The handle to write the next record to. With [`ReopenPolicy::EveryWrite`] the path is
    /// checked first.
    #[inline]
    fn current_for_write(&self) -> RwLockReadGuard<'_, Handle> {
        let current = self.current();
        if self.options.policy != ReopenPolicy::EveryWrite
            || fs::metadata(&self.path).is_ok_and(|md| FileId::of(&md) == current.id)
        {
            return current;
        }
        drop(current);
        // Errors went to the callback; the record goes to whichever file is open.
        let _ = self.check(false);
        self.current()
    }

    /// Syncs the current file's data to disk.
    pub(crate) fn sync_data(&self) -> io::Result<()> {
        self.current().file.sync_data()
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
        let (id, open_md) = {
            let current = self.current();
            (current.id, current.file.metadata())
        };
        let links = match open_md {
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
            Ok(md) if FileId::of(&md) == id => {
                state.missing_since = None;
                return Ok(Checked::Same);
            }
            Ok(_) => {}
            Err(e) if is_missing(&e) => {
                if links > 0 && !forced {
                    let since = *state.missing_since.get_or_insert(now);
                    let until = since + self.options.create_grace;
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
        match open_locked(&self.path, self.options.create) {
            Ok(handle) => {
                *state = CheckState { last_len: handle.len, ..CheckState::default() };
                let old = std::mem::replace(
                    &mut *self.current.write().unwrap_or_else(PoisonError::into_inner),
                    handle,
                );
                // Every write to the old file has finished (they hold the read lock); closing
                // it now releases its shared lock, and the rotator may take it.
                drop(old);
                self.counters.reopens.fetch_add(1, Ordering::Relaxed);
                Ok(Checked::Reopened)
            }
            Err(e) => Err(self.failed(&mut state, now, e)),
        }
    }

    fn failed(&self, state: &mut CheckState, now: Instant, error: Error) -> Error {
        self.counters.reopen_failures.fetch_add(1, Ordering::Relaxed);
        state.backoff = (state.backoff * 2).clamp(FIRST_RETRY, self.options.max_retry);
        state.retry_at = Some(now + state.backoff);
        error
    }

    /// When a failed reopen should be retried, if one failed.
    pub(crate) fn retry_at(&self) -> Option<Instant> {
        self.check_state().retry_at
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Whether a `stat` error means nothing is at the path (also when a directory on the way is
/// gone or has become a file).
fn is_missing(e: &io::Error) -> bool {
    e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}
