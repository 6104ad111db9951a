//! The error type: what went wrong, and with which path.

use std::io;
use std::path::PathBuf;

/// An error opening, reopening or watching a log file.
///
/// Each variant carries the path involved. A failed *reopen* never loses data: the writer keeps
/// the handle it has and tries again later; the error reaches the application through
/// [`WatchedFileBuilder::on_error`](crate::WatchedFileBuilder::on_error), the
/// [`Stats::reopen_failures`](crate::Stats::reopen_failures) counter and the return value of
/// [`WatchedFile::check_now`](crate::WatchedFile::check_now).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The parent directory of the log file could not be created
    /// ([`WatchedFileBuilder::create_dirs`](crate::WatchedFileBuilder::create_dirs)).
    #[error("error creating directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The log file could not be opened (or created).
    #[error("error opening {}: {source}", path.display())]
    Open {
        /// The log file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The log file could not be examined (`stat` or `fstat` failed with something other than
    /// "not found").
    #[error("error checking {}: {source}", path.display())]
    Stat {
        /// The log file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// Another process holds an exclusive lock on the file at the path, so the shared lock of
    /// the rotation handshake could not be taken. A rotator only locks files it has already
    /// renamed away, so this means the file kept being rotated while it was being opened, or a
    /// foreign program locks the live log.
    #[error("{} stays locked by another process", path.display())]
    Locked {
        /// The log file.
        path: PathBuf,
    },
    /// The file at the path kept changing between opening it and checking that the path still
    /// names it (it was rotated again and again during the reopen).
    #[error("{} keeps being replaced while it is reopened", path.display())]
    Unstable {
        /// The log file.
        path: PathBuf,
    },
    /// The directory holding the log file could not be watched for changes (each
    /// `WatchedFile` uses one inotify instance, and Linux allows 128 per user by default), or
    /// the background thread could not be started, or it panicked. Reported to the
    /// [`on_error`](crate::WatchedFileBuilder::on_error) callback, never returned: without the
    /// watch, the background thread still checks every
    /// [`safety_net`](crate::WatchedFileBuilder::safety_net) interval; without the thread, only
    /// [`check_now`](crate::WatchedFile::check_now) reopens.
    #[error("error watching {}: {message}", path.display())]
    Watch {
        /// The directory (or, about the background thread, the log file).
        path: PathBuf,
        /// What the watcher said.
        message: String,
    },
}

impl Error {
    /// The path the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Error::CreateDir { path, .. }
            | Error::Open { path, .. }
            | Error::Stat { path, .. }
            | Error::Locked { path }
            | Error::Unstable { path }
            | Error::Watch { path, .. } => path,
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        let kind = match &e {
            Error::CreateDir { source, .. } | Error::Open { source, .. } | Error::Stat { source, .. } => {
                source.kind()
            }
            Error::Locked { .. } => io::ErrorKind::WouldBlock,
            Error::Unstable { .. } | Error::Watch { .. } => io::ErrorKind::Other,
        };
        io::Error::new(kind, e)
    }
}
