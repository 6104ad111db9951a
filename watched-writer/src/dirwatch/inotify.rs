//! The inotify watch on the parent directory.
//!
//! The mask holds only what can change which file the path names: creations, deletions and
//! renames in the directory, and the directory itself being deleted or moved. Writes, opens
//! and closes are left out, so that the writer's own writes wake nobody (the `notify` crate's
//! inotify backend always asks for `IN_MODIFY`, `IN_OPEN` and `IN_CLOSE_WRITE`, which made
//! each write wake its thread and cost about half the throughput; see the README).

use crate::handle::FileId;
use crate::shared::Shared;
use crate::Error;
use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask};
use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// First pause before looking again for a directory that is gone.
const FIRST_REWATCH: Duration = Duration::from_millis(10);

/// An inotify watch on the parent directory, set again when the directory is replaced.
#[derive(Debug)]
pub(crate) struct DirWatch {
    inotify: Option<Inotify>,
    dir: PathBuf,
    name: OsString,
    /// The watch, and the directory it is on.
    watch: Option<(WatchDescriptor, FileId)>,
    backoff: Duration,
    retry_at: Option<Instant>,
}

impl DirWatch {
    /// Watches the directory of `shared`'s path. If inotify cannot be had, the error goes to
    /// the callback and the watch stays silent.
    pub(crate) fn new(shared: &Shared) -> DirWatch {
        let path = shared.path();
        let dir = path.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let inotify = match Inotify::init() {
            Ok(i) => Some(i),
            Err(e) => {
                shared.report(&Error::Watch { path: dir.clone(), message: e.to_string() });
                None
            }
        };
        let name = path.file_name().unwrap_or_default().to_os_string();
        let mut watch = DirWatch { inotify, dir, name, watch: None, backoff: Duration::ZERO, retry_at: None };
        watch.ensure(shared);
        watch
    }

    /// A watch that never reports anything ([`ReopenPolicy::Interval`](crate::ReopenPolicy)).
    pub(crate) fn disabled() -> DirWatch {
        DirWatch {
            inotify: None,
            dir: PathBuf::new(),
            name: OsString::new(),
            watch: None,
            backoff: Duration::ZERO,
            retry_at: None,
        }
    }

    /// The descriptor to poll for events.
    pub(crate) fn fd(&self) -> Option<BorrowedFd<'_>> {
        self.inotify.as_ref().map(AsFd::as_fd)
    }

    /// Reads the pending events; returns whether any may concern the log file.
    pub(crate) fn take_events(&mut self) -> bool {
        let Some(inotify) = &mut self.inotify else { return false };
        let mut buffer = [0u8; 4096];
        let mut relevant = false;
        loop {
            match inotify.read_events(&mut buffer) {
                Ok(events) => {
                    for event in events {
                        let about_dir = EventMask::Q_OVERFLOW
                            | EventMask::IGNORED
                            | EventMask::DELETE_SELF
                            | EventMask::MOVE_SELF;
                        relevant |=
                            event.mask.intersects(about_dir) || event.name == Some(self.name.as_os_str());
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // WouldBlock: all read. Anything else: look anyway.
                Err(e) => return relevant || e.kind() != ErrorKind::WouldBlock,
            }
        }
    }

    /// When to try again to watch a directory that could not be watched.
    pub(crate) fn retry_at(&self) -> Option<Instant> {
        self.retry_at
    }

    /// Makes sure the directory now at the path is the one watched.
    pub(crate) fn ensure(&mut self, shared: &Shared) {
        let Some(inotify) = &mut self.inotify else { return };
        let now = std::fs::metadata(&self.dir).ok().filter(|md| md.is_dir()).map(|md| FileId::of(&md));
        if now.is_some() && now == self.watch.as_ref().map(|(_, id)| *id) {
            return;
        }
        if let Some((wd, _)) = self.watch.take() {
            // Already gone if the directory was deleted; that is fine.
            let _ = inotify.watches().remove(wd);
        }
        let mask = WatchMask::CREATE
            | WatchMask::DELETE
            | WatchMask::MOVED_FROM
            | WatchMask::MOVED_TO
            | WatchMask::DELETE_SELF
            | WatchMask::MOVE_SELF
            | WatchMask::ONLYDIR;
        let added = match now {
            Some(id) => inotify.watches().add(&self.dir, mask).map(|wd| (wd, id)).map_err(Some),
            None => Err(None),
        };
        match added {
            Ok(watch) => {
                self.watch = Some(watch);
                self.backoff = Duration::ZERO;
                self.retry_at = None;
            }
            Err(error) => {
                // Report the first failure of a streak, not every retry.
                if let Some(e) = error.filter(|e| e.kind() != ErrorKind::NotFound && self.backoff.is_zero()) {
                    shared.report(&Error::Watch { path: self.dir.clone(), message: e.to_string() });
                }
                // Until the directory is back, look for it often at first, then at the
                // safety-net pace.
                self.backoff = (self.backoff * 2).max(FIRST_REWATCH).min(shared.options.safety_net);
                self.retry_at = Some(Instant::now() + self.backoff);
            }
        }
    }
}
