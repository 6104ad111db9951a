//! `watched-writer`: a log file handle that follows external rotation, loses no line, and costs
//! no `stat` per write.
//!
//! An application that keeps its log file open goes on writing into the renamed file after
//! `logrotate` has moved it away, and its lines are lost when the rotator compresses or removes
//! that file. A [`WatchedFile`] notices the rotation and reopens the path:
//!
//! - when the file is **renamed away** (logrotate's default `create` mode), **deleted**, or
//!   **replaced** by another file, or its **parent directory is removed and recreated**;
//! - when it is **truncated in place** (`copytruncate`), nothing needs reopening: the file is
//!   opened with `O_APPEND`, so writing goes on at the new end and leaves no hole of NUL bytes.
//!
//! By default ([`ReopenPolicy::Notify`]) a background thread watches the parent directory with
//! inotify and reopens as soon as something happens to the file; a write costs one relaxed
//! atomic load and the `write` system call, nothing more. A safety net checks the path every
//! second anyway, for filesystems where inotify is silent (NFS). [`ReopenPolicy::EveryWrite`]
//! gives Python's `WatchedFileHandler` semantics (a `stat` before every record), and
//! [`ReopenPolicy::Interval`] checks at a fixed pace.
//!
//! A reopen opens the new file *first* and then swaps it in; if the open fails (permissions,
//! full disk) the writer keeps writing to the old file, retries later, and reports the error
//! through [`WatchedFileBuilder::on_error`] and [`Stats::reopen_failures`]. No record is
//! dropped, and none is split between two files (short of the rare case of a partial write
//! described at [`WatchedFile`]).
//!
//! # Examples
//!
//! The common case:
//!
//! ```
//! use std::io::Write;
//! use watched_writer::WatchedFile;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("app.log");
//! let mut log = WatchedFile::open(&path)?;
//! writeln!(log, "first")?;
//!
//! // A rotator renames the file away and creates a new one, as logrotate does.
//! std::fs::rename(&path, dir.path().join("app.log.1"))?;
//! std::fs::File::create(&path)?;
//!
//! // inotify tells the background thread, which reopens the path within a millisecond or so.
//! # let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
//! while log.stats().reopens == 0 {
//!     # assert!(std::time::Instant::now() < deadline, "no reopen");
//!     std::thread::sleep(std::time::Duration::from_millis(1));
//! }
//! writeln!(log, "second")?;
//! assert_eq!(std::fs::read_to_string(dir.path().join("app.log.1"))?, "first\n");
//! assert_eq!(std::fs::read_to_string(&path)?, "second\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With `tracing` (feature `tracing`, opt-in: `features = ["tracing"]`), a `WatchedFile` is a
//! `tracing_subscriber::fmt::MakeWriter`:
//!
//! ```
//! # #[cfg(feature = "tracing")] {
//! use watched_writer::WatchedFile;
//!
//! let dir = tempfile::tempdir()?;
//! let log = WatchedFile::open(dir.path().join("app.log"))?;
//! let subscriber = tracing_subscriber::fmt().with_writer(log).with_ansi(false).finish();
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::info!(port = 8080, "listening");
//! });
//! let text = std::fs::read_to_string(dir.path().join("app.log"))?;
//! assert!(text.contains("listening port=8080"), "{text}");
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With the `log` crate, give it to `env_logger` as a pipe (any logger that takes a
//! `Box<dyn Write + Send>` works the same way):
//!
//! ```
//! use watched_writer::WatchedFile;
//!
//! let dir = tempfile::tempdir()?;
//! let log = WatchedFile::open(dir.path().join("app.log"))?;
//! env_logger::Builder::new()
//!     .target(env_logger::Target::Pipe(Box::new(log)))
//!     .filter_level(log::LevelFilter::Info)
//!     .init();
//! log::info!("listening on {}", 8080);
//! let text = std::fs::read_to_string(dir.path().join("app.log"))?;
//! assert!(text.contains("listening on 8080"), "{text}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The handshake with the rotator
//!
//! Reopening after a rename still leaves a window: records written between the rename and the
//! reopen go to the renamed file, and a rotator that compresses it (`compress` without
//! `delaycompress`) or removes it at once would lose them. The two sides close the window with
//! `flock(2)` advisory locks on the rotated file:
//!
//! 1. **Writer** (this crate). While a file is open for writing, the handle holds a *shared*
//!    lock on it (`File::lock_shared`). It takes the lock after opening the path, then looks
//!    the path up again: if the path no longer names the locked file (it was rotated in
//!    between), it closes it and starts over. A file that is locked exclusively is being
//!    disposed of by a rotator, so it is never waited for.
//! 2. **Writer**, on reopen: the new file is opened and locked first. Then the descriptor the
//!    writer writes to is made to refer to the new file in one atomic step (`dup3`), and the
//!    old open file is closed, which releases its shared lock. The kernel keeps the old file
//!    open until a `write` already running on it returns, so the lock is released only after
//!    the last record written to that file is in it. Dropping the `WatchedFile` closes the
//!    file and releases the lock too. So once the writer's lock is gone, nothing more is
//!    written to that file.
//! 3. **Rotator** (`logrotate` in this workspace). After renaming the log away and before
//!    compressing, shredding or removing the rotated file, it opens that file and takes an
//!    *exclusive* lock on it, waiting at most `locktimeout` seconds (default 3). Holding it
//!    means no writer of this crate can still append to the file. If the wait times out, it
//!    leaves the file uncompressed for the next run, with a warning, and loses nothing. Where
//!    the filesystem has no advisory locks, neither side waits.
//!
//! With [`ReopenPolicy::Notify`] the reopen happens within milliseconds of the rename, so the
//! rotator hardly waits, even when the application is idle. With [`ReopenPolicy::EveryWrite`]
//! an idle application lets go only at its next record; if that comes later than
//! `locktimeout`, the rotator leaves the file uncompressed, with a warning.
//!
//! Writers that do not take the lock behave exactly as they do under any logrotate. Locks are
//! per open file description, so a child process that inherits the descriptor (the file is
//! opened close-on-exec, so only a plain `fork`) shares the lock.
//!
//! # `fork`
//!
//! A child made by a plain `fork` gets a copy of the handle but not its background thread, so
//! its copy does not follow rotation (only [`WatchedFile::check_now`], and
//! [`ReopenPolicy::EveryWrite`], still reopen, and a reopen in the child swaps the file under
//! the parent's descriptor too, as they share it). A forked child that logs needs its own
//! `WatchedFile`, opened after the fork. Dropping the inherited copy in the child is harmless:
//! it neither waits for nor stops the parent's thread, and the parent's drop does not wait for
//! the child.
//!
//! What the handshake cannot save: records written to a file that someone *deletes* (rather
//! than renames) before the writer notices, and, with `copytruncate`, records written between
//! the copy and the truncation (logrotate documents that loss; prefer `create`).
#![deny(missing_docs)]
// On docs.rs (`--cfg docsrs`), items behind a feature get a badge naming it.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod dirwatch;
mod error;
mod handle;
#[cfg(feature = "tracing")]
mod make_writer;
mod shared;
mod worker;
mod writer;

pub use builder::{ReopenPolicy, WatchedFileBuilder};
pub use error::Error;
pub use shared::Stats;
pub use writer::WatchedFile;

/// The README's examples, run as doctests (one of them needs the `tracing` feature).
#[cfg(all(doctest, feature = "tracing"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
