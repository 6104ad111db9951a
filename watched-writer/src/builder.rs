//! [`WatchedFileBuilder`] and [`ReopenPolicy`]: how a [`WatchedFile`] is opened and when it
//! looks for rotation.

use crate::handle::CreateOptions;
use crate::{Error, WatchedFile};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// When a [`WatchedFile`] checks whether its path still names the file it has open.
///
/// Whatever the policy, [`WatchedFile::check_now`] checks at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReopenPolicy {
    /// Watch the parent directory with inotify and reopen from a background thread as soon as
    /// the file is renamed, deleted or replaced, or the directory is removed. While the
    /// directory is missing, its nearest existing ancestor is watched, so the reopen follows
    /// its return at once. When the path is a symlink, the directory of its target is watched
    /// too. A write costs one relaxed atomic load and the `write` system call: no `stat`, no
    /// lock.
    /// As a safety net for filesystems where inotify says nothing (NFS, FUSE), the background
    /// thread also checks every [`WatchedFileBuilder::safety_net`] interval (1 s by default).
    ///
    /// Because the reopen happens in the background, an idle application also lets go of a
    /// rotated file at once, so the rotator can compress it without waiting.
    #[default]
    Notify,
    /// Python's `WatchedFileHandler` semantics: `stat` the path before every record and reopen
    /// when it names another file. Costs one `stat` per write, and needs no thread.
    EveryWrite,
    /// Check from a background thread at this interval, without inotify. A duration too long
    /// to add to the clock (`Duration::MAX`) means never.
    Interval(Duration),
}

type ErrorCallback = Arc<dyn Fn(&Error) + Send + Sync>;

/// Settings of a [`WatchedFile`], shared with its background thread.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) create: CreateOptions,
    pub(crate) policy: ReopenPolicy,
    pub(crate) safety_net: Duration,
    pub(crate) create_grace: Duration,
    pub(crate) max_retry: Duration,
    pub(crate) on_error: Option<ErrorCallback>,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("create", &self.create)
            .field("policy", &self.policy)
            .field("safety_net", &self.safety_net)
            .field("create_grace", &self.create_grace)
            .field("max_retry", &self.max_retry)
            .field("on_error", &self.on_error.as_ref().map(|_| "Fn(&Error)"))
            .finish()
    }
}

/// Opens a [`WatchedFile`] with settings other than the defaults of [`WatchedFile::open`].
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
/// use watched_writer::{ReopenPolicy, WatchedFile};
///
/// let dir = tempfile::tempdir()?;
/// let failures = Arc::new(AtomicUsize::new(0));
/// let seen = Arc::clone(&failures);
/// let mut log = WatchedFile::builder()
///     .mode(0o640)
///     .create_dirs(true)
///     .policy(ReopenPolicy::Interval(Duration::from_millis(250)))
///     .on_error(move |e| {
///         seen.fetch_add(1, Ordering::Relaxed);
///         eprintln!("warning: {e}");
///     })
///     .open(dir.path().join("app/app.log"))?;
/// writeln!(log, "started")?;
/// assert_eq!(failures.load(Ordering::Relaxed), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct WatchedFileBuilder {
    options: Options,
}

impl Default for WatchedFileBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl WatchedFileBuilder {
    /// The defaults: mode `0o666` (less the umask), parent directory must exist,
    /// [`ReopenPolicy::Notify`] with a 1 s safety net, a 500 ms create grace, retries backing
    /// off up to 1 s, no error callback.
    pub fn new() -> Self {
        WatchedFileBuilder {
            options: Options {
                create: CreateOptions { mode: 0o666, dir_mode: None },
                policy: ReopenPolicy::Notify,
                safety_net: Duration::from_secs(1),
                create_grace: Duration::from_millis(500),
                max_retry: Duration::from_secs(1),
                on_error: None,
            },
        }
    }

    /// Permission bits for a log file the writer creates (the umask still applies). Files a
    /// rotator creates keep the mode the rotator gives them.
    pub fn mode(mut self, mode: u32) -> Self {
        self.options.create.mode = mode;
        self
    }

    /// Create missing parent directories (mode `0o755`, less the umask), when opening and
    /// when reopening after the directory was removed.
    pub fn create_dirs(mut self, yes: bool) -> Self {
        self.options.create.dir_mode = yes.then_some(0o755);
        self
    }

    /// When to look for rotation. See [`ReopenPolicy`].
    pub fn policy(mut self, policy: ReopenPolicy) -> Self {
        self.options.policy = policy;
        self
    }

    /// With [`ReopenPolicy::Notify`], also check the path at this interval, in case inotify
    /// misses a change (network filesystems). Default 1 s. A duration too long to add to the
    /// clock (`Duration::MAX`) means never.
    pub fn safety_net(mut self, every: Duration) -> Self {
        self.options.safety_net = every.max(Duration::from_millis(1));
        self
    }

    /// When the file was renamed away and nothing is at the path yet, wait this long for the
    /// rotator to create the new file (logrotate's `create`) before creating it ourselves; the
    /// records of that moment go to the renamed file, which the shared lock keeps safe. This
    /// avoids racing the rotator, whose create fails if the file already exists. A deleted
    /// file is replaced at once. Default 500 ms; `Duration::ZERO` creates at once;
    /// `Duration::MAX` waits for the rotator (or [`WatchedFile::check_now`]) forever.
    pub fn create_grace(mut self, grace: Duration) -> Self {
        self.options.create_grace = grace;
        self
    }

    /// After a failed reopen the writer keeps the old file and retries after 10 ms, then
    /// doubling up to this bound (which may be shorter). Default 1 s.
    pub fn max_retry_interval(mut self, bound: Duration) -> Self {
        self.options.max_retry = bound.max(Duration::from_millis(1));
        self
    }

    /// Called with every error met while reopening or watching (after any lock is released).
    /// It runs on the thread that noticed the error: the background thread, or a writing
    /// thread with [`ReopenPolicy::EveryWrite`]. Failures are also counted in
    /// [`Stats::reopen_failures`](crate::Stats::reopen_failures). A panic on the background
    /// thread (say, in this callback) is reported here as an [`Error::Watch`] and the thread
    /// carries on; if the callback panics again on that report, the thread ends.
    pub fn on_error<F>(mut self, callback: F) -> Self
    where
        F: Fn(&Error) + Send + Sync + 'static,
    {
        self.options.on_error = Some(Arc::new(callback));
        self
    }

    /// Opens `path` for appending, creating it if needed, and starts watching it.
    ///
    /// A relative path is made absolute against the current directory now, so a later
    /// `chdir` does not change which file is followed.
    ///
    /// # Errors
    ///
    /// [`Error::CreateDir`] if a missing parent directory could not be created,
    /// [`Error::Open`] if the file could not be opened, [`Error::Locked`] if another process
    /// keeps an exclusive lock on it, [`Error::Unstable`] if it kept being replaced during the
    /// open. Failing to set up the inotify watch is not an error: it is reported to the
    /// [`on_error`](Self::on_error) callback and the safety net does the checking.
    pub fn open<P: AsRef<Path>>(self, path: P) -> Result<WatchedFile, Error> {
        WatchedFile::with_options(path.as_ref(), self.options)
    }
}
