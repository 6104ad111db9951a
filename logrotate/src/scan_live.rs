//! Directory listings that stay true through a pass, for looking at a log again when its turn
//! comes (see [`super::Rescan`]).
//!
//! Once an earlier log of a set has rotated, each later log's archives are looked for again,
//! as 3.21 looks at the disk when it reaches a log. Listing the directory again for each of
//! them made a forced rotation of N logs in one directory cost N listings of N names (10,000
//! logs with 7 archives each: 12 minutes). Here a directory is listed once, under an inotify
//! watch taken before the listing; the events queued since (what the executor, scripts or
//! anyone else created, removed or renamed there) are applied to the listing before each look.
//! The listing is the directory as it is now, for the cost of the changes since.
//!
//! Applying every event since the watch began, in order, to a listing read at some moment
//! after it began gives the directory as it is now: a name that changed after the listing has
//! a later event, and the last event about a name says whether it exists.
//!
//! Temporary files (`.NAME.partial`: a pass writes and renames thousands of its own) are left
//! out: only the repair at the scan looks for them, and no archive is named so.
//!
//! A directory is listed again when it is no longer the one listed (another inode at the path,
//! or it went away), when the kernel's queue overflowed, and every time when inotify is not
//! available (no watch, as before).

use crate::sys::inotify;
use std::collections::{BTreeSet, HashMap};
use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use inotify::LISTING_MASK as MASK;

/// Listings kept up to date by inotify; see the module doc.
#[derive(Debug)]
pub(super) struct LiveDirs {
    /// The inotify instance, made at the first look; `None` when unavailable (then every
    /// look lists the directory).
    fd: Option<OwnedFd>,
    /// Whether the instance was asked for yet.
    started: bool,
    dirs: HashMap<OsString, LiveDir>,
    /// The paths listed under each watch (one directory may be reached by several paths).
    watched: HashMap<i32, Vec<OsString>>,
}

#[derive(Debug)]
struct LiveDir {
    /// `(dev, ino)` of the directory listed.
    id: (u64, u64),
    /// Its watch; `None` when it could not be watched (listed again at the next look).
    wd: Option<i32>,
    /// Every name ([`crate::pathbytes`] strings).
    names: BTreeSet<String>,
}

impl LiveDirs {
    pub(super) fn new() -> Self {
        LiveDirs { fd: None, started: false, dirs: HashMap::new(), watched: HashMap::new() }
    }

    /// The names in `dir` (device and inode `id`, from a `stat` just made) as they are now;
    /// `None` if it cannot be read (it does not exist).
    pub(super) fn names(&mut self, dir: &Path, id: (u64, u64)) -> Option<&BTreeSet<String>> {
        if !self.started {
            self.started = true;
            self.fd = inotify::init().ok();
        }
        self.catch_up();
        let key = dir.as_os_str();
        let current = self.dirs.get(key).is_some_and(|d| d.wd.is_some() && d.id == id);
        if !current {
            self.forget(key);
            // The watch first: whatever changes after it is queued, the listing included.
            let wd = self.fd.as_ref().and_then(|fd| inotify::add_watch(fd, dir, MASK).ok());
            let mut names = BTreeSet::new();
            crate::sys::fs::list_dir(dir, |name, _| {
                if !is_temporary(name) {
                    names.insert(crate::pathbytes::from_bytes(name).into_owned());
                }
            })
            .ok()?;
            if let Some(wd) = wd {
                self.watched.entry(wd).or_default().push(key.to_owned());
            }
            self.dirs.insert(key.to_owned(), LiveDir { id, wd, names });
        }
        self.dirs.get(key).map(|d| &d.names)
    }

    /// Applies the queued events to the listings.
    fn catch_up(&mut self) {
        let Some(fd) = &self.fd else { return };
        let (dirs, watched) = (&mut self.dirs, &self.watched);
        let mut lost = Vec::new();
        let mut overflow = false;
        let read = inotify::drain(fd, &mut |wd, mask, name| {
            if mask & libc::IN_Q_OVERFLOW != 0 {
                overflow = true;
            } else if mask & (libc::IN_DELETE_SELF | libc::IN_MOVE_SELF | libc::IN_IGNORED) != 0 {
                lost.push(wd);
            } else if let Some(keys) = watched.get(&wd).filter(|_| !is_temporary(name)) {
                let name = crate::pathbytes::from_os(OsStr::from_bytes(name)).into_owned();
                let appears = mask & (libc::IN_CREATE | libc::IN_MOVED_TO) != 0;
                for key in keys {
                    let Some(d) = dirs.get_mut(key) else { continue };
                    if appears {
                        d.names.insert(name.clone());
                    } else {
                        d.names.remove(&name);
                    }
                }
            }
        });
        if read.is_err() || overflow {
            self.dirs.clear();
            self.watched.clear();
            return;
        }
        for wd in lost {
            for key in self.watched.remove(&wd).unwrap_or_default() {
                self.dirs.remove(&key);
            }
        }
    }

    /// The names in `dir` as they are now if it is listed and watched already (no `stat`: a
    /// directory removed or moved away is forgotten by its own event).
    pub(super) fn watched_names(&mut self, dir: &Path) -> Option<&BTreeSet<String>> {
        if !self.started {
            return None;
        }
        self.catch_up();
        self.dirs.get(dir.as_os_str()).filter(|d| d.wd.is_some()).map(|d| &d.names)
    }

    /// Drops the listing of `key` (it is read again).
    fn forget(&mut self, key: &OsStr) {
        if let Some(wd) = self.dirs.remove(key).and_then(|d| d.wd) {
            if let Some(keys) = self.watched.get_mut(&wd) {
                keys.retain(|k| k != key);
            }
        }
    }
}

/// `.NAME.partial`: a temporary file (see the module doc).
fn is_temporary(name: &[u8]) -> bool {
    name.starts_with(b".") && name.ends_with(b".partial")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::MetadataExt;

    /// The listing after a `stat` of `dir`, as the scan looks; `None` if it is missing.
    fn look(live: &mut LiveDirs, dir: &Path) -> Option<Vec<String>> {
        let md = fs::metadata(dir).ok()?;
        live.names(dir, (md.dev(), md.ino())).map(|n| n.iter().cloned().collect())
    }

    fn names(live: &mut LiveDirs, dir: &Path) -> Vec<String> {
        look(live, dir).unwrap_or_default()
    }

    #[test]
    fn a_listing_follows_creations_removals_and_renames_without_listing_again() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.log"), "").unwrap();
        fs::write(d.join("a.log.1"), "").unwrap();
        let mut live = LiveDirs::new();
        assert_eq!(names(&mut live, d), ["a.log", "a.log.1"]);
        // A mark only the kept listing has: it shows as long as the directory is not read again.
        live.dirs.get_mut(d.as_os_str()).unwrap().names.insert("mark".into());
        fs::rename(d.join("a.log.1"), d.join("a.log.2")).unwrap();
        fs::rename(d.join("a.log"), d.join("a.log.1")).unwrap();
        fs::write(d.join("a.log"), "").unwrap();
        fs::create_dir(d.join("sub")).unwrap();
        fs::write(d.join("gone"), "").unwrap();
        fs::remove_file(d.join("gone")).unwrap();
        assert_eq!(names(&mut live, d), ["a.log", "a.log.1", "a.log.2", "mark", "sub"]);
    }

    #[test]
    fn a_directory_replaced_or_removed_is_listed_again() {
        let root = tempfile::tempdir().unwrap();
        let d = root.path().join("logs");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("old"), "").unwrap();
        let mut live = LiveDirs::new();
        assert_eq!(names(&mut live, &d), ["old"]);
        fs::rename(&d, root.path().join("moved")).unwrap();
        assert!(look(&mut live, &d).is_none());
        fs::create_dir(&d).unwrap();
        fs::write(d.join("new"), "").unwrap();
        assert_eq!(names(&mut live, &d), ["new"]);
        fs::remove_file(d.join("new")).unwrap();
        fs::remove_dir(&d).unwrap();
        assert!(look(&mut live, &d).is_none());
    }

    #[test]
    fn without_inotify_every_look_lists_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = LiveDirs { started: true, ..LiveDirs::new() };
        assert!(names(&mut live, dir.path()).is_empty());
        fs::write(dir.path().join("x"), "").unwrap();
        assert_eq!(names(&mut live, dir.path()), ["x"]);
    }
}
