//! The inotify watch on the parent directory.
//!
//! The mask holds only what can change which file the path names: creations, deletions and
//! renames in the directory, and the directory itself being deleted or moved. Writes, opens
//! and closes are left out, so that the writer's own writes wake nobody (the `notify` crate's
//! inotify backend always asks for `IN_MODIFY`, `IN_OPEN` and `IN_CLOSE_WRITE`, which made
//! each write wake its thread and cost about half the throughput; see the README).
//!
//! Two more directories may be watched, with the same mask:
//! - while the parent directory is missing, its nearest existing ancestor, for the next
//!   directory on the way to be created, so that the reopen follows the directory's return;
//! - when the path is a symlink, the directory of the file it points to, where a rotator
//!   following the link renames and creates files.

use crate::handle::FileId;
use crate::shared::{later, Shared};
use crate::Error;
use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask};
use std::ffi::OsString;
use std::fs;
use std::io::{self, ErrorKind};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// First pause before looking again for a directory that could not be watched.
const FIRST_REWATCH: Duration = Duration::from_millis(10);

/// How many symlinks are followed at the path, as the kernel's limit.
const MAX_LINKS: usize = 40;

/// Every watch has the same mask: inotify merges watches on one directory into one.
const MASK: WatchMask = WatchMask::CREATE
    .union(WatchMask::DELETE)
    .union(WatchMask::MOVED_FROM)
    .union(WatchMask::MOVED_TO)
    .union(WatchMask::DELETE_SELF)
    .union(WatchMask::MOVE_SELF)
    .union(WatchMask::ONLYDIR);

/// Events saying that the watched directory itself is gone (or moved): its watch is dropped.
const ABOUT_SELF: EventMask = EventMask::IGNORED.union(EventMask::DELETE_SELF).union(EventMask::MOVE_SELF);

/// One watched directory, and the entry in it whose changes matter.
#[derive(Debug)]
struct Watched {
    wd: WatchDescriptor,
    dir: PathBuf,
    id: FileId,
    name: OsString,
}

/// An inotify watch on the parent directory, set again when the directory is replaced.
#[derive(Debug)]
pub(crate) struct DirWatch {
    inotify: Option<Inotify>,
    /// The log path.
    path: PathBuf,
    /// The parent directory of the log path.
    dir: PathBuf,
    /// Watches, in this order: the parent directory; while that is missing, its nearest
    /// existing ancestor; and the directory of a symlink's target.
    watches: [Option<Watched>; 3],
    backoff: Duration,
    retry_at: Option<Instant>,
}

const MAIN: usize = 0;
const ANCESTOR: usize = 1;
const TARGET: usize = 2;

impl DirWatch {
    /// Watches the directory of `shared`'s path. If inotify cannot be had, the error goes to
    /// the callback and the watch stays silent.
    pub(crate) fn new(shared: &Shared) -> DirWatch {
        let path = shared.path().to_path_buf();
        let dir = path.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let inotify = match Inotify::init() {
            Ok(i) => Some(i),
            Err(e) => {
                shared.report(&Error::Watch { path: dir.clone(), message: e.to_string() });
                None
            }
        };
        let mut watch = DirWatch {
            inotify,
            path,
            dir,
            watches: [None, None, None],
            backoff: Duration::ZERO,
            retry_at: None,
        };
        watch.ensure(shared);
        watch
    }

    /// A watch that never reports anything ([`ReopenPolicy::Interval`](crate::ReopenPolicy)).
    pub(crate) fn disabled() -> DirWatch {
        DirWatch {
            inotify: None,
            path: PathBuf::new(),
            dir: PathBuf::new(),
            watches: [None, None, None],
            backoff: Duration::ZERO,
            retry_at: None,
        }
    }

    /// The descriptor to poll for events.
    pub(crate) fn fd(&self) -> Option<BorrowedFd<'_>> {
        self.inotify.as_ref().map(AsFd::as_fd)
    }

    /// Reads the pending events; returns whether any may concern the log file. A watched
    /// directory that was deleted or moved is forgotten (its inode number may come back with
    /// the next directory, so it must not be recognised by that).
    pub(crate) fn take_events(&mut self) -> bool {
        let Some(inotify) = &mut self.inotify else { return false };
        let mut buffer = [0u8; 4096];
        let mut relevant = false;
        let mut gone = [false; 3];
        loop {
            match inotify.read_events(&mut buffer) {
                Ok(events) => {
                    for event in events {
                        relevant |= event.mask.contains(EventMask::Q_OVERFLOW);
                        for (i, watched) in self.watches.iter().enumerate() {
                            let Some(w) = watched.as_ref().filter(|w| w.wd == event.wd) else { continue };
                            if event.mask.intersects(ABOUT_SELF) {
                                gone[i] = true;
                                relevant = true;
                            }
                            relevant |= event.name == Some(w.name.as_os_str());
                        }
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // WouldBlock: all read. Anything else: look anyway.
                Err(e) => {
                    relevant |= e.kind() != ErrorKind::WouldBlock;
                    break;
                }
            }
        }
        for (i, gone) in gone.into_iter().enumerate() {
            if gone {
                self.unwatch(i);
            }
        }
        relevant
    }

    /// When to try again to watch a directory that could not be watched.
    pub(crate) fn retry_at(&self) -> Option<Instant> {
        self.retry_at
    }

    /// Makes sure the directories now on the way to the file are the ones watched. Returns
    /// whether the parent directory's watch was set again (after the directory came back).
    pub(crate) fn ensure(&mut self, shared: &Shared) -> bool {
        if self.inotify.is_none() {
            return false;
        }
        let mut back = false;
        let mut error = None;
        // Each round that finds the next directory on the way already there goes one deeper.
        let mut settled = false;
        for _ in 0..=self.dir.components().count() {
            let (main, failure) = self.set(MAIN, &self.dir.clone(), file_name(&self.path));
            back |= main;
            if self.watches[MAIN].is_some() {
                self.unwatch(ANCESTOR);
                settled = true;
                break;
            }
            if failure.as_ref().is_some_and(|e| !is_missing(e)) {
                error = failure;
                break;
            }
            // The directory is missing: watch the nearest ancestor for the next one on the way.
            let Some((ancestor, next)) = nearest_ancestor(&self.dir) else { break };
            let (_, failure) = self.set(ANCESTOR, &ancestor, next.clone());
            if failure.is_some() {
                error = failure.filter(|e| !is_missing(e));
                continue;
            }
            if !ancestor.join(&next).is_dir() {
                settled = true;
                break;
            }
        }
        self.ensure_target();
        if settled {
            self.backoff = Duration::ZERO;
            self.retry_at = None;
        } else {
            // Report the first failure of a streak, not every retry.
            if let Some(e) = error.filter(|_| self.backoff.is_zero()) {
                shared.report(&Error::Watch { path: self.dir.clone(), message: e.to_string() });
            }
            // Look again often at first, then at the safety-net pace.
            self.backoff = self.backoff.saturating_mul(2).max(FIRST_REWATCH).min(shared.options.safety_net);
            self.retry_at = Some(later(Instant::now(), self.backoff));
        }
        back
    }

    /// Watches the directory of the file a symlink at the path points to, if that is
    /// another directory than the parent's.
    fn ensure_target(&mut self) {
        let Some(target) = link_target(&self.path) else {
            self.unwatch(TARGET);
            return;
        };
        let dir = target.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let same_as_main = self.watches[MAIN].as_ref().is_some_and(|w| Some(w.id) == dir_id(&dir));
        if same_as_main {
            self.unwatch(TARGET);
            return;
        }
        // A missing target directory is looked for again at the next check.
        let _ = self.set(TARGET, &dir, file_name(&target));
    }

    /// Makes slot `i` watch `dir` for `name`, unless it already does. Returns whether a watch
    /// was added, and the error if `dir` could not be watched.
    fn set(&mut self, i: usize, dir: &Path, name: OsString) -> (bool, Option<io::Error>) {
        let now = dir_id(dir);
        if let Some(w) = &mut self.watches[i] {
            if w.dir == dir && now == Some(w.id) {
                w.name = name;
                return (false, None);
            }
        }
        self.unwatch(i);
        let Some(inotify) = &mut self.inotify else { return (false, None) };
        // Watch first, then identify: a directory replaced in between sends its watch
        // IN_DELETE_SELF or IN_MOVE_SELF, so is forgotten and watched again.
        let wd = match inotify.watches().add(dir, MASK) {
            Ok(wd) => wd,
            Err(e) => return (false, Some(e)),
        };
        match dir_id(dir) {
            Some(id) => {
                self.watches[i] = Some(Watched { wd, dir: dir.to_path_buf(), id, name });
                (true, None)
            }
            None => {
                if !self.watches.iter().flatten().any(|other| other.wd == wd) {
                    let _ = inotify.watches().remove(wd);
                }
                (false, Some(ErrorKind::NotFound.into()))
            }
        }
    }

    /// Drops the watch of slot `i`, unless another slot shares it (the same directory).
    fn unwatch(&mut self, i: usize) {
        let Some(w) = self.watches[i].take() else { return };
        let shared = self.watches.iter().flatten().any(|other| other.wd == w.wd);
        if let (false, Some(inotify)) = (shared, &mut self.inotify) {
            // Already gone if the directory was deleted; that is fine.
            let _ = inotify.watches().remove(w.wd);
        }
    }
}

fn file_name(path: &Path) -> OsString {
    path.file_name().unwrap_or_default().to_os_string()
}

fn dir_id(dir: &Path) -> Option<FileId> {
    fs::metadata(dir).ok().filter(fs::Metadata::is_dir).map(|md| FileId::of(&md))
}

/// Whether a failure to watch means that the directory is not there.
fn is_missing(e: &io::Error) -> bool {
    e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

/// The nearest existing ancestor of the missing directory `dir`, and the name of the next
/// directory on the way from it to `dir`.
fn nearest_ancestor(dir: &Path) -> Option<(PathBuf, OsString)> {
    let mut below: &Path = dir;
    for ancestor in dir.ancestors().skip(1) {
        if ancestor.is_dir() {
            let next = match below.components().next_back() {
                Some(Component::Normal(name)) => name.to_os_string(),
                _ => return None,
            };
            return Some((ancestor.to_path_buf(), next));
        }
        below = ancestor;
    }
    None
}

/// Where the symlinks at `path` lead, if `path` is a symlink (even a dangling one).
fn link_target(path: &Path) -> Option<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if !fs::symlink_metadata(&at).is_ok_and(|md| md.file_type().is_symlink()) {
            break;
        }
        let to = fs::read_link(&at).ok()?;
        at = at.parent().unwrap_or(Path::new("/")).join(to);
    }
    (at != path && !at.file_name().unwrap_or_default().is_empty()).then_some(at)
}
