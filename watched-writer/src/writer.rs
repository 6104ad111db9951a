//! [`WatchedFile`]: the handle applications write to.

use crate::builder::Options;
use crate::shared::{Checked, Shared};
use crate::worker::Worker;
use crate::{Error, ReopenPolicy, Stats, WatchedFileBuilder};
use std::fmt;
use std::io::{self, IoSlice, Write};
use std::path::Path;
use std::sync::Arc;

/// A log file opened for appending that follows external rotation.
///
/// Write to it through [`std::io::Write`], on `WatchedFile` or on `&WatchedFile` (like
/// `&File`), from as many threads as you like. Each [`write_all`](Write::write_all) lands whole
/// in one file, in one `write(2)`: give it one record at a time. `write!`/`writeln!` format the
/// whole record before writing it with one `write_all`. There is no buffering: a record is in
/// the file (the page cache) when the call returns. The file is opened with `O_APPEND`, so
/// records from several threads or processes never overwrite each other, and after a
/// truncation (`copytruncate`) writing goes on at the new end, leaving no hole.
///
/// Should the kernel take only part of a record (a full disk, a file size limit), the rest
/// follows with reopens held off. A reopen that completes after the partial `write` returns
/// and before the hold is taken (the time to take one mutex) splits that record: its start
/// stays in the old file and the rest goes to the new one. Keeping every record whole would
/// cost a lock on every write.
///
/// While a file is open, the handle holds a shared advisory lock on it, released when the file
/// is closed (on reopen, or when the `WatchedFile` is dropped). See the crate docs for the
/// handshake with the rotator.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use watched_writer::WatchedFile;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.log");
/// let log = WatchedFile::open(&path)?;
/// std::thread::scope(|s| {
///     for t in 0..4 {
///         let mut log = &log;
///         s.spawn(move || writeln!(log, "hello from thread {t}"));
///     }
/// });
/// assert_eq!(std::fs::read_to_string(&path)?.lines().count(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct WatchedFile {
    // Dropped first: the background thread stops before the file is closed.
    _worker: Option<Worker>,
    shared: Arc<Shared>,
}

impl WatchedFile {
    /// Opens `path` for appending (creating it if needed) with the default settings: follow
    /// rotation with [`ReopenPolicy::Notify`]. See [`WatchedFileBuilder`] for the others.
    ///
    /// # Errors
    ///
    /// [`Error::Open`] if the file cannot be opened or created (the parent directory must
    /// exist), and the other errors of [`WatchedFileBuilder::open`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut log = watched_writer::WatchedFile::open(dir.path().join("app.log"))?;
    /// log.write_all(b"one record\n")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open<P: AsRef<Path>>(path: P) -> Result<WatchedFile, Error> {
        WatchedFileBuilder::new().open(path)
    }

    /// A builder, to choose the mode, the reopen policy and more.
    pub fn builder() -> WatchedFileBuilder {
        WatchedFileBuilder::new()
    }

    pub(crate) fn with_options(path: &Path, options: Options) -> Result<WatchedFile, Error> {
        let path =
            std::path::absolute(path).map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
        let shared = Arc::new(Shared::open(path, options)?);
        let worker = Worker::start(&shared);
        Ok(WatchedFile { _worker: worker, shared })
    }

    /// The path being followed (made absolute when opened).
    pub fn path(&self) -> &Path {
        self.shared.path()
    }

    /// The reopen policy in force.
    pub fn policy(&self) -> ReopenPolicy {
        self.shared.options.policy
    }

    /// What the handle has done so far: reopens, failed reopens, truncations seen.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Checks now, on this thread, whether the path still names the open file, and reopens if
    /// not. Unlike the checks the policy makes, this one does not wait out the create grace or
    /// a retry backoff: if the file was renamed away and nothing replaced it, it is created.
    /// Returns whether a new file was opened.
    ///
    /// The policy's own checks make this unnecessary; it is for tests, and for applications
    /// that want to reopen at a moment of their choosing (say on `SIGHUP`).
    ///
    /// # Errors
    ///
    /// The error of a failed reopen ([`Error::Open`], [`Error::CreateDir`], [`Error::Stat`],
    /// [`Error::Locked`], [`Error::Unstable`]). The old file stays open and writes go on to
    /// it; the error is also passed to the `on_error` callback and counted.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("app.log");
    /// let mut log = watched_writer::WatchedFile::open(&path)?;
    /// writeln!(log, "before")?;
    /// std::fs::rename(&path, dir.path().join("app.log.1"))?;
    /// assert!(log.check_now()?);
    /// writeln!(log, "after")?;
    /// assert_eq!(std::fs::read_to_string(&path)?, "after\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_now(&self) -> Result<bool, Error> {
        Ok(self.shared.check(true)? == Checked::Reopened)
    }

    /// Flushes the data written so far to disk (`fdatasync` on the file open now).
    ///
    /// # Errors
    ///
    /// The error of `fdatasync`.
    pub fn sync_data(&self) -> io::Result<()> {
        self.shared.sync_data()
    }
}

impl Write for &WatchedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.shared.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.shared.write_vectored(bufs)
    }

    /// Writes the whole record to one file, even if that takes several `write` calls.
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.shared.write_all(buf)
    }

    /// Formats the whole record first, then writes it with one `write_all`, so that
    /// `writeln!` records from several threads never interleave.
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        match args.as_str() {
            Some(s) => self.shared.write_all(s.as_bytes()),
            None => self.shared.write_all(fmt::format(args).as_bytes()),
        }
    }

    /// Nothing to do: nothing is buffered.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for WatchedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        (&*self).write_vectored(bufs)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        (&*self).write_all(buf)
    }

    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        (&*self).write_fmt(args)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
