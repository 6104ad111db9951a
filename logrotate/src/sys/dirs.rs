//! Files named from their directory held open, for work on thousands of files in a few
//! directories (a batch's compressions and placements).
//!
//! Each operation on a path makes the kernel walk every component of it again; for logs under
//! `/var/lib/…/logs/app/x.log` that walk cost more than some of the operations themselves. In a
//! [`scope`], the directory of each path is opened once (`O_PATH`) per thread and the file is
//! named from it (`openat`, `renameat2`, `unlinkat`): the same files as by their paths, each
//! directory as it was when first opened in the scope. Outside a scope, or when the directory
//! cannot be opened, the functions give `None` and the caller uses the path, with the errors
//! it always had.
//!
//! A scope is short (one batch) and holds at most [`KEPT`] directories per thread.

use rustix::fs::{Mode, OFlags, RenameFlags};
use std::cell::RefCell;
use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd as _, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// Directories kept open per thread in a scope (the least recently used one is closed).
const KEPT: usize = 8;

thread_local! {
    /// The directories open in this thread's scope, most recently used last; `None` outside one.
    static OPEN: RefCell<Option<Vec<(PathBuf, OwnedFd)>>> = const { RefCell::new(None) };
}

/// Runs `f` with the directories of the files it names through this module held open.
pub(crate) fn scope<R>(f: impl FnOnce() -> R) -> R {
    /// Closes the scope's directories however `f` ends.
    struct Close(bool);
    impl Drop for Close {
        fn drop(&mut self) {
            if self.0 {
                OPEN.with(|o| o.borrow_mut().take());
            }
        }
    }
    // A scope within a scope keeps the outer one's directories.
    let outer = OPEN.with(|o| o.borrow().is_some());
    if !outer {
        OPEN.with(|o| *o.borrow_mut() = Some(Vec::new()));
    }
    let _close = Close(!outer);
    f()
}

/// `op(directory, name)` for `path` in a scope; `None` outside one, or when `path` has no file
/// name or its directory cannot be opened.
fn at<R>(path: &Path, op: impl FnOnce(BorrowedFd<'_>, &OsStr) -> R) -> Option<R> {
    let (dir, name) =
        crate::scan::split_plain(path).or_else(|| Some((crate::scan::dir_of(path), path.file_name()?)))?;
    OPEN.with(|o| {
        let mut open = o.borrow_mut();
        let open = open.as_mut()?;
        // (Compared as text: a directory named two ways is opened twice, no harm.)
        let i = match open.iter().rposition(|(d, _)| d.as_os_str() == dir.as_os_str()) {
            Some(i) => {
                // The most recently used last: the first is closed when another is opened.
                let used = open.remove(i);
                open.push(used);
                open.len() - 1
            }
            None => {
                let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let fd = rustix::fs::open(dir, flags, Mode::empty()).ok()?;
                if open.len() == KEPT {
                    open.remove(0);
                }
                open.push((dir.to_path_buf(), fd));
                open.len() - 1
            }
        };
        Some(op(open[i].1.as_fd(), name))
    })
}

/// `open(path, flags, mode)` from its directory held open (see [`at`]).
pub(crate) fn open(path: &Path, flags: OFlags, mode: u32) -> Option<io::Result<File>> {
    at(path, |dir, name| {
        let fd = rustix::fs::openat(dir, name, flags | OFlags::CLOEXEC, Mode::from_raw_mode(mode))?;
        Ok(File::from(fd))
    })
}

/// `unlink(path)` from its directory held open (see [`at`]).
pub(crate) fn unlink(path: &Path) -> Option<io::Result<()>> {
    at(path, |dir, name| Ok(rustix::fs::unlinkat(dir, name, rustix::fs::AtFlags::empty())?))
}

/// `renameat2(from, to, RENAME_NOREPLACE)` for two files of one directory held open (see
/// [`at`]); `None` too for files of two directories, or when the filesystem refuses the flag
/// (the caller's way then falls back as it does for paths).
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> Option<io::Result<()>> {
    if crate::scan::dir_of(from) != crate::scan::dir_of(to) {
        return None;
    }
    let to_name = to.file_name()?;
    let done =
        at(from, |dir, name| rustix::fs::renameat_with(dir, name, dir, to_name, RenameFlags::NOREPLACE))?;
    match done {
        Ok(()) => Some(Ok(())),
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::OPNOTSUPP) => None,
        Err(e) => Some(Err(e.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_scope_nothing_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, "x").unwrap();
        assert!(open(&a, OFlags::RDONLY, 0).is_none());
        assert!(unlink(&a).is_none());
        assert!(a.exists());
    }

    #[test]
    fn in_a_scope_files_are_named_from_their_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        scope(|| {
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL;
            let made = open(&a, flags, 0o600).unwrap().unwrap();
            assert_eq!(std::os::unix::fs::MetadataExt::mode(&made.metadata().unwrap()) & 0o777, 0o600);
            assert_eq!(open(&a, flags, 0o600).unwrap().unwrap_err().kind(), io::ErrorKind::AlreadyExists);
            std::fs::write(&b, "b").unwrap();
            let clash = rename_noreplace(&a, &b).unwrap().unwrap_err();
            assert_eq!(clash.kind(), io::ErrorKind::AlreadyExists);
            unlink(&b).unwrap().unwrap();
            rename_noreplace(&a, &b).unwrap().unwrap();
            assert!(!a.exists() && b.exists());
            // Files in another directory, or none at all, are left to their paths.
            assert!(rename_noreplace(&b, &std::env::temp_dir().join("b")).is_none());
            assert!(open(Path::new("/"), OFlags::RDONLY, 0).is_none());
            // Many directories: the oldest is closed, every one still works.
            let subs: Vec<PathBuf> = (0..KEPT + 2).map(|i| dir.path().join(format!("d{i}"))).collect();
            for d in &subs {
                std::fs::create_dir(d).unwrap();
                open(&d.join("f"), flags, 0o600).unwrap().unwrap();
            }
            assert!(subs.iter().all(|d| d.join("f").exists()));
            assert_eq!(OPEN.with(|o| o.borrow().as_ref().map(Vec::len)), Some(KEPT));
            // The one used last is kept over older ones.
            unlink(&subs[2].join("f")).unwrap().unwrap();
            open(&dir.path().join("again"), flags, 0o600).unwrap().unwrap();
            let kept = |d: &Path| OPEN.with(|o| o.borrow().as_ref().unwrap().iter().any(|(p, _)| p == d));
            assert!(kept(&subs[2]) && !kept(&subs[3]));
        });
        assert_eq!(OPEN.with(|o| o.borrow().as_ref().map(Vec::len)), None);
    }
}
