//! Low-level file operations used by the executor: exclusive no-follow creation, sparse copy,
//! removal with optional shredding, and directory fsync.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Creates a new file with `O_EXCL | O_NOFOLLOW`, then sets its mode and ownership exactly
/// (the umask does not apply).
///
/// # Errors
///
/// The file exists (also as a symlink), or creating/chmod/chown failed.
pub fn create_exclusive(path: &Path, mode: u32, uid: Option<u32>, gid: Option<u32>) -> io::Result<File> {
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    if uid.is_some() || gid.is_some() {
        match std::os::unix::fs::fchown(&f, uid, gid) {
            Ok(()) => {}
            // Running as an `su` user that may not give files away: the file stays theirs.
            Err(e) if e.raw_os_error() == Some(libc::EPERM) && !is_effective_root() => {}
            Err(e) => {
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        }
    }
    f.set_permissions(std::fs::Permissions::from_mode(mode))?;
    Ok(f)
}

fn is_effective_root() -> bool {
    // SAFETY: geteuid never fails.
    unsafe { libc::geteuid() == 0 }
}

/// Gives an existing regular file (never a symlink) the mode and ownership `create` asks for.
///
/// # Errors
///
/// The path is a symlink or not a regular file, or chmod/chown failed.
pub fn adopt_existing(path: &Path, mode: u32, uid: Option<u32>, gid: Option<u32>) -> io::Result<()> {
    let f = open_nofollow(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if uid.is_some() || gid.is_some() {
        match std::os::unix::fs::fchown(&f, uid, gid) {
            Err(e) if e.raw_os_error() != Some(libc::EPERM) || is_effective_root() => return Err(e),
            _ => {}
        }
    }
    f.set_permissions(std::fs::Permissions::from_mode(mode))
}

/// Opens an existing file for reading without following a symlink.
///
/// # Errors
///
/// The path is a symlink or cannot be opened.
pub fn open_nofollow(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}

/// Fsyncs the directory holding `path`, so a rename or create in it is durable.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(dir)?.sync_all()
}

fn seek(fd: i32, off: i64, whence: i32) -> Option<i64> {
    // SAFETY: lseek on a valid fd.
    let r = unsafe { libc::lseek(fd, off, whence) };
    (r >= 0).then_some(r)
}

/// Copies `src` into a new file `dst` (same mode and owner), preserving holes: only data
/// regions are copied and the size is set at the end. The copy is fsynced.
///
/// # Errors
///
/// Any I/O error; a partial `dst` is removed.
pub fn copy_sparse(src: &Path, dst: &Path) -> io::Result<()> {
    copy_from(open_nofollow(src)?, dst)?.1.sync_all()
}

/// `copytruncate`: copies `src` into a new file `dst` like [`copy_sparse`], reading on to the end
/// of whatever was appended during the copy, then truncates `src` through the same descriptor
/// (never a file swapped in under the same name). Lines written between the end of the copy
/// and the truncation can still be lost, as with logrotate; writers that reopen (such as
/// `watched-writer`) are better served by the default `create` mode.
///
/// # Errors
///
/// Any I/O error; a partial `dst` is removed and `src` is not truncated.
pub fn copy_truncate(src: &Path, dst: &Path) -> io::Result<()> {
    let input = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(src)?;
    let (input, out) = copy_from(input, dst)?;
    // Truncate first, then fsync the copy: the window in which appended lines are lost is the
    // instant between the last read and the truncate, not the length of an fsync.
    input.set_len(0)?;
    out.sync_all()
}

/// Copies everything `input` holds (to its end) into a new `dst`; returns both files, the copy
/// not yet fsynced.
fn copy_from(mut input: File, dst: &Path) -> io::Result<(File, File)> {
    let md = input.metadata()?;
    if !md.is_file() {
        return Err(io::Error::other("the log is not a regular file"));
    }
    let mut out = create_exclusive(dst, md.mode() & 0o7777, Some(md.uid()), Some(md.gid()))?;
    match copy_data(&mut input, &mut out, md.len()) {
        Ok(()) => Ok((input, out)),
        Err(e) => {
            let _ = std::fs::remove_file(dst);
            Err(e)
        }
    }
}

fn copy_data(input: &mut File, out: &mut File, len: u64) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let fd = input.as_raw_fd();
    let mut pos: i64 = 0;
    let mut buf = vec![0u8; 1 << 18];
    let end = len as i64;
    while pos < end {
        let data = match seek(fd, pos, libc::SEEK_DATA) {
            Some(d) => d,
            None => break, // only a hole remains
        };
        let hole = seek(fd, data, libc::SEEK_HOLE).unwrap_or(end).min(end);
        input.seek(SeekFrom::Start(data as u64))?;
        out.seek(SeekFrom::Start(data as u64))?;
        let mut left = (hole - data) as u64;
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let n = input.read(&mut buf[..want])?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])?;
            left -= n as u64;
        }
        pos = hole;
    }
    // Whatever was appended while we copied: read on to the end.
    input.seek(SeekFrom::Start(len))?;
    out.seek(SeekFrom::Start(len))?;
    let mut size = len;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
        size += n as u64;
    }
    out.set_len(size)
}

/// Removes a file, overwriting it first with `shred` when asked.
///
/// # Errors
///
/// The removal failed.
pub fn remove(path: &Path, shred: bool, cycles: Option<u32>) -> io::Result<()> {
    if shred {
        let mut cmd = std::process::Command::new("shred");
        cmd.arg("-u");
        if let Some(n) = cycles {
            cmd.arg(format!("--iterations={n}"));
        }
        match cmd.arg(path).status() {
            Ok(s) if s.success() => return Ok(()),
            _ => {} // fall back to a plain unlink below
        }
    }
    std::fs::remove_file(path)
}

/// Sets access and modification times of `path` from `md` (seconds and nanoseconds).
pub fn copy_times(f: &File, md: &std::fs::Metadata) -> io::Result<()> {
    let times = std::fs::FileTimes::new().set_accessed(md.accessed()?).set_modified(md.modified()?);
    f.set_times(times)
}

/// `rename` that fails instead of replacing an existing `to`.
///
/// # Errors
///
/// `to` exists (`EEXIST`), or the rename failed.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let f = std::ffi::CString::new(from.as_os_str().as_bytes())?;
    let t = std::ffi::CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: valid NUL-terminated paths; AT_FDCWD for relative paths.
    let rc = unsafe {
        libc::renameat2(libc::AT_FDCWD, f.as_ptr(), libc::AT_FDCWD, t.as_ptr(), libc::RENAME_NOREPLACE)
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adopt_existing_sets_mode_and_refuses_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("app.log");
        std::fs::write(&p, "x").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        adopt_existing(&p, 0o640, None, None).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o777, 0o640);
        let link = d.path().join("link.log");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert!(adopt_existing(&link, 0o666, None, None).is_err());
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o777, 0o640);
    }

    #[test]
    fn create_exclusive_never_follows_or_replaces() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("target");
        std::os::unix::fs::symlink(&target, d.path().join("link")).unwrap();
        assert!(create_exclusive(&d.path().join("link"), 0o644, None, None).is_err());
        assert!(!target.exists(), "the symlink was followed");
    }

    #[test]
    fn rename_noreplace_keeps_the_target() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        assert!(rename_noreplace(&a, &b).is_err());
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b");
    }
}
