//! Low-level file operations used by the executor: exclusive no-follow creation, sparse copy,
//! removal with optional shredding, and directory fsync.

use crate::pathbytes::PathShow as _;
use crate::sys::fs as sys;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Creates a new file with `O_EXCL | O_NOFOLLOW`, then sets its mode and ownership exactly
/// (the umask does not apply).
///
/// # Errors
///
/// The file exists (also as a symlink), or creating/chmod/chown failed.
pub fn create_exclusive(path: &Path, mode: u32, uid: Option<u32>, gid: Option<u32>) -> io::Result<File> {
    use rustix::fs::OFlags;
    let new = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW;
    let f = match crate::sys::dirs::open(path, new, 0o600) {
        Some(created) => created?,
        None => OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?,
    };
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
    crate::sys::identity::effective_uid() == 0
}

/// Gives the mode and ownership `create` asks for to a log the application recreated after
/// the move: only a regular file (never a symlink) with a single link, owned by `owner` (the
/// rotated log's owner) and created at or after `since`.
///
/// # Errors
///
/// The file is anything else, or chmod/chown failed. Nothing was changed then.
pub fn adopt_new_log(
    path: &Path,
    owner: u32,
    since: std::time::SystemTime,
    mode: u32,
    uid: Option<u32>,
    gid: Option<u32>,
) -> io::Result<()> {
    let f = open_nofollow(path)?;
    let md = f.metadata()?;
    let since = since.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    // A change time before 1970 counts as 1970.
    let changed = std::time::Duration::new(
        u64::try_from(md.ctime()).unwrap_or(0),
        u32::try_from(md.ctime_nsec().clamp(0, 999_999_999)).unwrap_or(0),
    );
    if !md.is_file() || md.nlink() != 1 || md.uid() != owner || changed < since {
        return Err(io::Error::other("not a log recreated by its writer"));
    }
    if uid.is_some() || gid.is_some() {
        match std::os::unix::fs::fchown(&f, uid, gid) {
            Err(e) if e.raw_os_error() != Some(libc::EPERM) || is_effective_root() => return Err(e),
            _ => {}
        }
    }
    f.set_permissions(std::fs::Permissions::from_mode(mode))
}

/// Gives `to` the POSIX access ACL of `from` (the extended attribute `system.posix_acl_access`),
/// as logrotate 3.21 does for copies, compressed archives and a `create`d log without a mode.
/// Returns whether there was one to copy; none, or a filesystem without ACLs, is not an error.
///
/// # Errors
///
/// Reading or setting the ACL failed otherwise.
pub fn copy_acl(from: &File, to: &File) -> io::Result<bool> {
    const NAME: &std::ffi::CStr = c"system.posix_acl_access";
    let unsupported = |e: io::Error| match e.raw_os_error() {
        Some(libc::ENODATA | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    };
    match sys::get_xattr(from, NAME).and_then(|acl| sys::set_xattr(to, NAME, &acl)) {
        Ok(()) => Ok(true),
        Err(e) => unsupported(e),
    }
}

/// Opens an existing file for reading without following a symlink.
///
/// # Errors
///
/// The path is a symlink or cannot be opened.
pub fn open_nofollow(path: &Path) -> io::Result<File> {
    use rustix::fs::OFlags;
    if let Some(opened) =
        crate::sys::dirs::open(path, OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK, 0)
    {
        return opened;
    }
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}

/// Fsyncs the directory holding `path`, so a rename or create in it is durable.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    let dir = crate::scan::dir_of(path);
    File::open(dir)?.sync_all()
}

/// Copies `src` into a new file `dst` (same mode and owner), preserving holes: only data
/// regions are copied and the size is set at the end. The copy is written as `.DST.partial`,
/// fsynced, and renamed into place without replacing anything, so `dst` is never partial.
///
/// # Errors
///
/// Any I/O error; the partial copy is removed.
pub fn copy_sparse(src: &Path, dst: &Path) -> io::Result<()> {
    let partial = super::compress::partial_name(dst);
    ensure_absent(dst)?;
    let (_, out) = copy_from(open_nofollow(src)?, &partial)?;
    finish_partial(out, &partial, dst, true)
}

/// `copytruncate`: copies `src` like [`copy_sparse`] into `.DST.partial`, reading on to the end
/// of whatever was appended during the copy, fsyncs the copy, truncates `src` through the same
/// descriptor (never a file swapped in under the same name), and only then renames the copy into
/// place. Lines written between the end of the copy and the truncation can still be lost, as with
/// logrotate; writers that reopen (such as `watched-writer`) are better served by `create`.
///
/// After a crash, a `.DST.partial` whose bytes are still the start of `src` was never truncated
/// away (it is dropped); otherwise it holds the only copy and is put in place (`exec::repair`).
///
/// # Errors
///
/// Any I/O error. Before the truncation the partial copy is removed and `src` is untouched;
/// after it, the copy is kept (under its partial name if the rename failed).
pub fn copy_truncate(src: &Path, dst: &Path) -> io::Result<()> {
    let partial = super::compress::partial_name(dst);
    ensure_absent(dst)?;
    let input = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(src)?;
    let (mut input, mut out) = copy_from(input, &partial)?;
    if let Err(e) = sync_copy_and_tail(&mut input, &mut out).and_then(|()| input.set_len(0)) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    finish_partial(out, &partial, dst, false)
}

/// Truncates the log at `path` to nothing (`copytruncate` with `rotate 0`), never through a
/// symlink, only a regular file.
///
/// # Errors
///
/// The path is not a regular file, or the truncation failed.
pub fn truncate(path: &Path) -> io::Result<()> {
    let f = OpenOptions::new().write(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("the log is not a regular file"));
    }
    f.set_len(0)
}

/// Fails with `AlreadyExists` if anything (even a dangling symlink) is at `path`.
fn ensure_absent(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => {
            Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already exists", path.shown())))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes a finished partial file durable and renames it into place (never over an existing
/// file). With `drop_on_error` a failure removes the partial file; otherwise it stays, holding
/// data that exists nowhere else.
fn finish_partial(out: File, partial: &Path, dst: &Path, drop_on_error: bool) -> io::Result<()> {
    let r = out.sync_all().and_then(|()| rename_noreplace(partial, dst)).and_then(|()| sync_parent(dst));
    if r.is_err() && drop_on_error {
        let _ = std::fs::remove_file(partial);
    }
    r
}

/// Copies everything `input` holds (to its end) into a new `dst`; returns both files, the copy
/// not yet fsynced.
fn copy_from(mut input: File, dst: &Path) -> io::Result<(File, File)> {
    let md = input.metadata()?;
    if !md.is_file() {
        return Err(io::Error::other("the log is not a regular file"));
    }
    let mut out = create_exclusive(dst, md.mode() & 0o7777, Some(md.uid()), Some(md.gid()))?;
    if let Err(e) = copy_acl(&input, &out) {
        let _ = std::fs::remove_file(dst);
        return Err(e);
    }
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
    let mut pos = 0;
    let mut buf = vec![0u8; 1 << 18];
    while pos < len {
        let Some(data) = sys::next_data(input, pos) else { break }; // only a hole remains
        let hole = sys::next_hole(input, data).unwrap_or(len).min(len);
        input.seek(SeekFrom::Start(data))?;
        out.seek(SeekFrom::Start(data))?;
        let mut left = hole.saturating_sub(data);
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
    let size = len + copy_tail(input, out, len)?;
    out.set_len(size)
}

/// Copies what `input` holds from `from` to its end into `out` at the same offset; returns how
/// many bytes that was.
fn copy_tail(input: &mut File, out: &mut File, from: u64) -> io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom, Write};
    input.seek(SeekFrom::Start(from))?;
    out.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut copied = 0;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(copied),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&buf[..n])?;
        copied += n as u64;
    }
}

/// Makes the copy durable before the source is truncated (as logrotate does), then copies what
/// the writer appended during that fsync, so that only the lines appended between this last read
/// and the truncation right after it are lost. That small tail is made durable by the fsync
/// before the copy is renamed into place.
fn sync_copy_and_tail(input: &mut File, out: &mut File) -> io::Result<()> {
    out.sync_all()?;
    let len = out.metadata()?.len();
    copy_tail(input, out, len).map(|_| ())
}

/// Overwrites a file with `shred` through a descriptor opened without following a symlink, so
/// only that very file is overwritten. It must be a regular file, with a single link unless
/// `allow_links`.
///
/// # Errors
///
/// The file is a symlink, not a regular file, has other hard links, or `shred` failed.
pub fn shred(path: &Path, cycles: Option<u32>, allow_links: bool) -> io::Result<()> {
    let f = OpenOptions::new().write(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)?;
    let md = f.metadata()?;
    if !md.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if md.nlink() > 1 && !allow_links {
        return Err(io::Error::other(format!("it has {} hard links", md.nlink())));
    }
    let mut cmd = std::process::Command::new("shred");
    if let Some(n) = cycles {
        cmd.arg(format!("--iterations={n}"));
    }
    // `-` is shred's name for its standard output, which is our descriptor.
    let status = cmd
        .arg("-")
        .stdout(f)
        .status()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot execute shred command: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("shred exited with {status}")))
    }
}

/// Creates directory `path` with `mode` and then its owner, through a descriptor opened with
/// `O_DIRECTORY | O_NOFOLLOW`, so a symlink planted there (or swapped in after the `mkdir`) is
/// never followed. An existing directory is left as it is.
///
/// # Errors
///
/// Something other than a directory is at `path` (`path ... already exists, but it is not a
/// directory`), or mkdir/chown/chmod failed.
pub fn create_dir(path: &Path, mode: u32, uid: Option<u32>, gid: Option<u32>) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let not_dir =
        || io::Error::other(format!("path {} already exists, but it is not a directory", path.shown()));
    match std::fs::DirBuilder::new().mode(mode).create(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return match std::fs::symlink_metadata(path) {
                Ok(md) if md.is_dir() => Ok(()),
                _ => Err(not_dir()),
            };
        }
        Err(e) => return Err(e),
    }
    let dir =
        OpenOptions::new().read(true).custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW).open(path).map_err(
            |e| match e.raw_os_error() {
                Some(libc::ELOOP | libc::ENOTDIR) => not_dir(),
                _ => e,
            },
        )?;
    std::os::unix::fs::fchown(&dir, uid, gid)?;
    dir.set_permissions(std::fs::Permissions::from_mode(mode))
}

/// The first free name among `PATH SUFFIX`, `PATH SUFFIX.1`, `PATH SUFFIX.2`… for moving
/// something aside.
pub fn aside_name(path: &Path, suffix: &str) -> std::path::PathBuf {
    let base = format!("{}{suffix}", path.shown());
    (0..)
        .map(|i| if i == 0 { base.clone() } else { format!("{base}.{i}") })
        .map(std::path::PathBuf::from)
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| std::path::PathBuf::from(base))
}

/// Sets access and modification times of `path` from `md` (seconds and nanoseconds).
pub fn copy_times(f: &File, md: &std::fs::Metadata) -> io::Result<()> {
    let times = std::fs::FileTimes::new().set_accessed(md.accessed()?).set_modified(md.modified()?);
    f.set_times(times)
}

/// `rename` that fails instead of replacing an existing `to`: `renameat2(RENAME_NOREPLACE)`,
/// or `link` + `unlink` where the filesystem refuses the flag (NFS answers `EINVAL`).
///
/// # Errors
///
/// `to` exists (`EEXIST`), or the rename failed.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    crate::sys::dirs::rename_noreplace(from, to).unwrap_or_else(|| sys::rename_noreplace(from, to))
}

/// Removes the file `path` (never a directory).
///
/// # Errors
///
/// As `unlink(2)`.
pub fn remove_file(path: &Path) -> io::Result<()> {
    crate::sys::dirs::unlink(path).unwrap_or_else(|| std::fs::remove_file(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> u32 {
        crate::sys::identity::effective_uid()
    }

    #[test]
    fn adopt_new_log_sets_mode_and_refuses_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let since = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
        let p = d.path().join("app.log");
        std::fs::write(&p, "x").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        adopt_new_log(&p, me(), since, 0o640, None, None).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o777, 0o640);
        let link = d.path().join("link.log");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert!(adopt_new_log(&link, me(), since, 0o666, None, None).is_err());
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o777, 0o640);
    }

    #[test]
    fn regression_create_never_adopts_a_hard_link_or_an_older_file() {
        let d = tempfile::tempdir().unwrap();
        let secret = d.path().join("secret");
        std::fs::write(&secret, "s").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
        let since = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
        let link = d.path().join("app.log");
        std::fs::hard_link(&secret, &link).unwrap();
        assert!(adopt_new_log(&link, me(), since, 0o666, None, None).is_err());
        assert_eq!(std::fs::metadata(&secret).unwrap().mode() & 0o777, 0o640);
        // A file from before the move, or owned by someone else, is not the writer's new log.
        let old = d.path().join("old.log");
        std::fs::write(&old, "o").unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        assert!(adopt_new_log(&old, me(), later, 0o666, None, None).is_err());
        assert!(adopt_new_log(&old, me() + 1, since, 0o666, None, None).is_err());
    }

    #[test]
    fn regression_create_dir_never_follows_a_symlink() {
        let d = tempfile::tempdir().unwrap();
        let secret = d.path().join("secret");
        std::fs::write(&secret, "s").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
        let old = d.path().join("old");
        std::os::unix::fs::symlink(&secret, &old).unwrap();
        let e = create_dir(&old, 0o755, Some(65534), Some(65534)).unwrap_err();
        assert!(e.to_string().contains("already exists, but it is not a directory"), "{e}");
        let md = std::fs::metadata(&secret).unwrap();
        assert_eq!((md.mode() & 0o777, md.uid()), (0o640, me()));
    }

    #[test]
    fn regression_shred_never_follows_a_symlink_or_a_hard_link() {
        let d = tempfile::tempdir().unwrap();
        let secret = d.path().join("secret");
        std::fs::write(&secret, "secret").unwrap();
        let link = d.path().join("app.log.2");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        assert!(shred(&link, None, false).is_err());
        let hard = d.path().join("app.log.3");
        std::fs::hard_link(&secret, &hard).unwrap();
        assert!(shred(&hard, None, false).is_err());
        assert_eq!(std::fs::read_to_string(&secret).unwrap(), "secret");
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
