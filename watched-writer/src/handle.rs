//! Opening the log file (`O_APPEND`, the shared lock of the rotation handshake, the check that
//! the path still names the file that got locked) and swapping it in.

use crate::Error;
use std::fs::{self, File, Metadata, OpenOptions, TryLockError};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::Duration;

/// How many times an open is retried when the path changes under it.
const OPEN_ATTEMPTS: u32 = 8;

/// Identity of a file: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    pub(crate) fn of(md: &Metadata) -> FileId {
        FileId { dev: md.dev(), ino: md.ino() }
    }
}

/// A freshly opened log file, holding the shared lock (where the filesystem supports it).
#[derive(Debug)]
pub(crate) struct Opened {
    pub(crate) file: File,
    pub(crate) id: FileId,
    /// Length when opened.
    pub(crate) len: u64,
    /// A regular file: appending with `pwrite` works (see `Shared::write_once`).
    pub(crate) is_regular: bool,
}

/// How files and directories are created.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CreateOptions {
    pub(crate) mode: u32,
    pub(crate) dir_mode: Option<u32>,
}

/// Opens (creating if needed) `path` for appending and takes a shared lock on it.
///
/// The lock is taken after the open, so the file may have been renamed away, and even
/// compressed and removed by a rotator holding the exclusive lock, in between. Once the lock
/// is held, the path is looked up again: if it still names the locked file, no rotator can
/// dispose of that file until the lock is released; otherwise it starts over. A file locked
/// exclusively is being disposed of: it is not waited for.
pub(crate) fn open_locked(path: &Path, create: CreateOptions) -> Result<Opened, Error> {
    let mut pause = Duration::from_millis(1);
    let mut locked_out = false;
    for _ in 0..OPEN_ATTEMPTS {
        if let (Some(mode), Some(dir)) = (create.dir_mode, path.parent()) {
            if !dir.as_os_str().is_empty() && !dir.is_dir() {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(mode)
                    .create(dir)
                    .map_err(|source| Error::CreateDir { path: dir.to_path_buf(), source })?;
            }
        }
        // Non-blocking, so that a FIFO with no reader at the path fails (ENXIO) instead of
        // blocking the open forever, with the check lock held; blocking again once open.
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(create.mode)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .and_then(|file| set_blocking(&file).map(|()| file))
            .map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
        locked_out = match file.try_lock_shared() {
            Ok(()) => false,
            Err(TryLockError::WouldBlock) => true,
            // No advisory locks here (some network filesystems): write without the handshake,
            // as the rotator does not wait either.
            Err(TryLockError::Error(_)) => false,
        };
        if !locked_out {
            let md = file.metadata().map_err(|source| Error::Stat { path: path.to_path_buf(), source })?;
            let id = FileId::of(&md);
            if fs::metadata(path).is_ok_and(|now| FileId::of(&now) == id) {
                return Ok(Opened { file, id, len: md.len(), is_regular: md.is_file() });
            }
        }
        drop(file);
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
    if locked_out {
        Err(Error::Locked { path: path.to_path_buf() })
    } else {
        Err(Error::Unstable { path: path.to_path_buf() })
    }
}

/// Clears `O_NONBLOCK` on `file`'s open file description.
fn set_blocking(file: &File) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is open for the duration of the calls; F_GETFL/F_SETFL touch only flags.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Makes `target`'s descriptor refer to `new`'s open file, atomically, and closes `new`'s
/// descriptor. `target` keeps its descriptor number and its close-on-exec flag.
///
/// The open file `target` referred to before is closed, and its lock released, when the last
/// reference to it goes: a `write` in progress on another thread holds one until it returns.
/// So nothing is written to the old file after its lock is released.
pub(crate) fn replace(target: &File, new: File) -> io::Result<()> {
    let (from, to) = (new.as_raw_fd(), target.as_raw_fd());
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: both descriptors are open and owned by `File`s that outlive the call; `to`
    // stays owned by `target`, which now refers to `new`'s open file.
    let r = unsafe { libc::dup3(from, to, libc::O_CLOEXEC) };
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    // SAFETY: as above; dup2 clears close-on-exec on `to`, so it is set again.
    let r = unsafe {
        let r = libc::dup2(from, to);
        if r >= 0 {
            libc::fcntl(to, libc::F_SETFD, libc::FD_CLOEXEC);
        }
        r
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    drop(new);
    Ok(())
}
