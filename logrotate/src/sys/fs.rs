//! Files: renames that never replace, extended attributes, and the data/hole map of a sparse
//! file.

use rustix::fs::{RenameFlags, SeekFrom, CWD};
use rustix::io::Errno;
use std::ffi::CStr;
use std::fs::File;
use std::io;
use std::path::Path;

/// How [`rename_noreplace_with`] moves a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoReplace {
    /// `renameat2(RENAME_NOREPLACE)`, falling back to [`NoReplace::Link`] where refused.
    Kernel,
    /// `link(2)` then `unlink(2)` at once: what a filesystem without `RENAME_NOREPLACE` gets
    /// (tests take this way on any filesystem).
    #[cfg(test)]
    Link,
}

/// `rename` that fails with `EEXIST` instead of replacing an existing `to`.
///
/// It is `renameat2(RENAME_NOREPLACE)`. Where the filesystem refuses the flag (NFS and some
/// FUSE filesystems answer `EINVAL`, others `EOPNOTSUPP`) or the kernel predates it
/// (`ENOSYS`), the file is moved as `tempfile` does: `link` (which never replaces) then
/// `unlink`.
///
/// # Errors
///
/// `to` exists (`EEXIST`), or the rename (or the link and unlink) failed; after a failed
/// unlink the new link is removed again, so `from` is where it was.
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    rename_noreplace_with(from, to, NoReplace::Kernel)
}

/// [`rename_noreplace`] with the way chosen: tests force [`NoReplace::Link`].
pub(crate) fn rename_noreplace_with(from: &Path, to: &Path, how: NoReplace) -> io::Result<()> {
    if how == NoReplace::Kernel {
        match rustix::fs::renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::hard_link(from, to)?;
    if let Err(e) = std::fs::remove_file(from) {
        let _ = std::fs::remove_file(to);
        return Err(e);
    }
    Ok(())
}

/// The value of extended attribute `name` of the open file `f`.
///
/// # Errors
///
/// `ENODATA` when it has none, `EOPNOTSUPP` when the filesystem has no such attributes.
pub(crate) fn get_xattr(f: &File, name: &CStr) -> io::Result<Vec<u8>> {
    loop {
        let size = rustix::fs::fgetxattr_query(f, name)?;
        let mut buf = vec![0u8; size];
        match rustix::fs::fgetxattr(f, name, &mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            // It grew between the two calls: ask again.
            Err(Errno::RANGE) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sets extended attribute `name` of the open file `f` to `value`.
///
/// # Errors
///
/// `EOPNOTSUPP` when the filesystem has no such attributes, or the value is refused.
pub(crate) fn set_xattr(f: &File, name: &CStr, value: &[u8]) -> io::Result<()> {
    Ok(rustix::fs::fsetxattr(f, name, value, rustix::fs::XattrFlags::empty())?)
}

/// The offset of the first byte of data at or after `from` (`SEEK_DATA`); `None` when only a
/// hole remains (or the filesystem cannot say, which std's copy then treats the same way).
pub(crate) fn next_data(f: &File, from: u64) -> Option<u64> {
    rustix::fs::seek(f, SeekFrom::Data(from)).ok()
}

/// The offset of the first hole at or after `from` (`SEEK_HOLE`; the end of the file counts as
/// one).
pub(crate) fn next_hole(f: &File, from: u64) -> Option<u64> {
    rustix::fs::seek(f, SeekFrom::Hole(from)).ok()
}

/// Writes out everything the filesystem holding `f` has in memory (`syncfs(2)`): one call
/// makes a batch of files, and the directory entries made so far, durable.
///
/// # Errors
///
/// The filesystem reported a write error (`EIO`, `ENOSPC`, ...).
pub(crate) fn syncfs(f: &File) -> io::Result<()> {
    Ok(rustix::fs::syncfs(f)?)
}

/// Makes a FIFO at `path` (`mknodat(S_IFIFO)`), for tests of what is never rotated or read.
#[cfg(test)]
pub(crate) fn mkfifo(path: &Path, mode: u32) -> io::Result<()> {
    use rustix::fs::{FileType, Mode};
    Ok(rustix::fs::mknodat(CWD, path, FileType::Fifo, Mode::from_bits_truncate(mode), 0)?)
}

/// Every entry of the directory `dir` but `.` and `..`: its name, and whether it is a
/// directory (the entry's type; an `lstat` where the filesystem does not say). Read with
/// `getdents64` into one buffer: nothing allocated per entry. An error part way stops the
/// listing there, as `readdir` would.
///
/// # Errors
///
/// `dir` cannot be opened as a directory.
pub(crate) fn list_dir(dir: &Path, mut each: impl FnMut(&[u8], bool)) -> io::Result<()> {
    use rustix::fs::{openat, statat, AtFlags, FileType, Mode, OFlags, RawDir};
    let fd = openat(CWD, dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
    let mut buf: Vec<u8> = Vec::with_capacity(32 << 10);
    let mut entries = RawDir::new(&fd, buf.spare_capacity_mut());
    while let Some(Ok(entry)) = entries.next() {
        let name = entry.file_name();
        if matches!(name.to_bytes(), b"." | b"..") {
            continue;
        }
        let is_dir = match entry.file_type() {
            FileType::Directory => true,
            FileType::Unknown => statat(&fd, name, AtFlags::SYMLINK_NOFOLLOW)
                .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory),
            _ => false,
        };
        each(name.to_bytes(), is_dir);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_fallback_never_replaces() {
        let d = tempfile::tempdir().unwrap();
        let (a, b, c) = (d.path().join("a"), d.path().join("b"), d.path().join("c"));
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        let e = rename_noreplace_with(&a, &b, NoReplace::Link).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a");
        rename_noreplace_with(&a, &c, NoReplace::Link).unwrap();
        assert!(!a.exists());
        assert_eq!(std::fs::read_to_string(&c).unwrap(), "a");
    }

    #[test]
    fn the_link_fallback_moves_a_symlink_not_its_target() {
        let d = tempfile::tempdir().unwrap();
        let (target, link, moved) = (d.path().join("t"), d.path().join("l"), d.path().join("m"));
        std::fs::write(&target, "t").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        rename_noreplace_with(&link, &moved, NoReplace::Link).unwrap();
        assert!(std::fs::symlink_metadata(&moved).unwrap().file_type().is_symlink());
        assert!(std::fs::symlink_metadata(&link).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "t");
    }

    #[test]
    fn the_kernel_rename_never_replaces() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        let e = rename_noreplace(&a, &b).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EEXIST));
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b");
    }

    #[test]
    fn data_and_holes_of_a_sparse_file() {
        use std::io::{Seek, Write};
        let d = tempfile::tempdir().unwrap();
        let mut f = File::create(d.path().join("sparse")).unwrap();
        f.write_all(b"head").unwrap();
        f.seek(io::SeekFrom::Start(1 << 22)).unwrap();
        f.write_all(b"tail").unwrap();
        assert_eq!(next_data(&f, 0), Some(0));
        let hole = next_hole(&f, 0).unwrap();
        assert!((4..=(1 << 22) + 4).contains(&hole), "{hole}");
        assert_eq!(next_data(&f, (1 << 22) + 4), None, "past the end is no data");
    }

    #[test]
    fn an_extended_attribute_is_copied_or_its_absence_said() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        let (fa, fb) = (File::create(&a).unwrap(), File::create(&b).unwrap());
        let name = c"user.logrotate-test";
        match set_xattr(&fa, name, b"value") {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => return,
            Err(e) => panic!("{e}"),
        }
        let value = get_xattr(&fa, name).unwrap();
        assert_eq!(value, b"value");
        set_xattr(&fb, name, &value).unwrap();
        assert_eq!(get_xattr(&fb, name).unwrap(), b"value");
        let e = get_xattr(&fb, c"user.logrotate-none").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENODATA));
    }
}
