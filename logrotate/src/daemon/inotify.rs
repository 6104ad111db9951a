//! A thin, safe wrapper over the Linux inotify calls the daemon needs: add and remove
//! directory watches, wait for the descriptor to become readable, and read every queued event
//! in large batches (one `read` returns hundreds of events).
//!
//! The daemon reads, then sleeps for the debounce before reading again. While events sit
//! unread the kernel merges an event identical to the last one queued, so a log written 100,000
//! times a second costs a handful of events per debounce, not one per write.

use crate::sys::inotify as sys;
use std::ffi::OsStr;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// What the daemon asks to hear about in a watched directory: content changes and entries that
/// appear, disappear or move, and the directory itself going away. Reads and opens are left
/// out, so our own scans cause no events.
pub const DIR_MASK: u32 = libc::IN_MODIFY | libc::IN_CLOSE_WRITE | crate::sys::inotify::LISTING_MASK;

/// One event, borrowed from the read buffer.
#[derive(Debug, Clone, Copy)]
pub struct RawEvent<'a> {
    /// The watch it came from.
    pub wd: i32,
    /// `IN_*` bits.
    pub mask: u32,
    /// The entry's name inside the watched directory; empty for events on the directory itself.
    pub name: &'a [u8],
}

impl RawEvent<'_> {
    /// Whether the event is about a directory entry that is itself a directory.
    pub fn is_dir(&self) -> bool {
        self.mask & libc::IN_ISDIR != 0
    }
    /// Whether the kernel dropped events because its queue was full.
    pub fn is_overflow(&self) -> bool {
        self.mask & libc::IN_Q_OVERFLOW != 0
    }
    /// Whether the watch is gone (removed by us, or its directory was deleted or unmounted).
    pub fn is_ignored(&self) -> bool {
        self.mask & libc::IN_IGNORED != 0
    }
}

/// An inotify instance (non-blocking, close-on-exec).
#[derive(Debug)]
pub struct Inotify {
    fd: OwnedFd,
}

impl Inotify {
    /// Creates an instance.
    ///
    /// # Errors
    ///
    /// When the per-user limit of inotify instances is reached, or inotify is unavailable.
    pub fn new() -> io::Result<Self> {
        Ok(Inotify { fd: sys::init()? })
    }

    /// Watches `dir` with `mask`; returns the watch descriptor (the same one again for a
    /// directory that is already watched through another path).
    ///
    /// # Errors
    ///
    /// `ENOSPC` when the user's watch budget (`fs.inotify.max_user_watches`) is spent;
    /// `ENOTDIR`, `ENOENT`, `EACCES` for the path.
    pub fn add_watch(&self, dir: &Path, mask: u32) -> io::Result<i32> {
        sys::add_watch(&self.fd, dir, mask)
    }

    /// Removes a watch. A watch that is already gone is not an error worth reporting.
    pub fn rm_watch(&self, wd: i32) {
        let _ = sys::remove_watch(&self.fd, wd);
    }

    /// Waits until events are queued, for at most `timeout` (`None`: no limit). Returns whether
    /// there are events to read.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        sys::wait_readable(&self.fd, timeout)
    }

    /// Reads every queued event, calling `each` for it, until the queue is empty. Returns how
    /// many events were read.
    ///
    /// # Errors
    ///
    /// A read error other than "nothing queued" (`EAGAIN`) or `EINTR`.
    pub fn drain(&self, buf: &mut [u8], mut each: impl FnMut(RawEvent<'_>)) -> io::Result<usize> {
        let mut count = 0;
        loop {
            let n = match sys::read(&self.fd, buf) {
                Ok(0) => return Ok(count),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(count),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            count += parse(&buf[..n], &mut each);
        }
    }
}

/// Splits a buffer filled by `read` into events.
fn parse(mut buf: &[u8], each: &mut impl FnMut(RawEvent<'_>)) -> usize {
    const HEAD: usize = std::mem::size_of::<libc::inotify_event>();
    let mut count = 0;
    while buf.len() >= HEAD {
        let bytes = |i: usize| [buf[i], buf[i + 1], buf[i + 2], buf[i + 3]];
        let word = |i: usize| u32::from_ne_bytes(bytes(i));
        // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }
        let (wd, mask, len) = (i32::from_ne_bytes(bytes(0)), word(4), word(12) as usize);
        let Some(name) = buf.get(HEAD..HEAD + len) else { break };
        // The name is NUL-padded to an alignment boundary.
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        each(RawEvent { wd, mask, name: &name[..end] });
        count += 1;
        buf = &buf[HEAD + len..];
    }
    count
}

/// The path of entry `name` of `dir` (or `dir` itself for an empty name).
pub fn entry_path(dir: &Path, name: &[u8]) -> std::path::PathBuf {
    if name.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(OsStr::from_bytes(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(ino: &Inotify) -> Vec<(i32, u32, Vec<u8>)> {
        let mut buf = vec![0u8; 4096];
        let mut v = Vec::new();
        assert!(ino.wait(Some(Duration::from_secs(5))));
        ino.drain(&mut buf, |e| v.push((e.wd, e.mask, e.name.to_vec()))).unwrap();
        v
    }

    #[test]
    fn reports_creation_and_modification_with_names() {
        let d = tempfile::tempdir().unwrap();
        let ino = Inotify::new().unwrap();
        let wd = ino.add_watch(d.path(), DIR_MASK).unwrap();
        std::fs::write(d.path().join("a.log"), "x").unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        let ev = read_all(&ino);
        assert!(ev.iter().all(|e| e.0 == wd));
        assert!(ev.iter().any(|e| e.2 == b"a.log" && e.1 & libc::IN_CREATE != 0));
        assert!(ev.iter().any(|e| e.2 == b"sub" && e.1 & libc::IN_ISDIR != 0));
    }

    #[test]
    fn unread_identical_events_are_merged_by_the_kernel() {
        use std::io::Write;
        let d = tempfile::tempdir().unwrap();
        let mut f = std::fs::File::create(d.path().join("hot.log")).unwrap();
        let ino = Inotify::new().unwrap();
        ino.add_watch(d.path(), DIR_MASK).unwrap();
        for _ in 0..10_000 {
            f.write_all(b"line\n").unwrap();
        }
        let ev = read_all(&ino);
        assert!(ev.len() < 10, "{} events for 10,000 writes", ev.len());
    }

    #[test]
    fn removed_directory_ends_its_watch_and_no_dirs_refused() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(d.path().join("file"), "").unwrap();
        let ino = Inotify::new().unwrap();
        assert!(ino.add_watch(&d.path().join("file"), DIR_MASK).is_err());
        ino.add_watch(&sub, DIR_MASK).unwrap();
        std::fs::remove_dir(&sub).unwrap();
        let ev = read_all(&ino);
        assert!(ev.iter().any(|e| e.1 & libc::IN_IGNORED != 0), "{ev:?}");
    }

    #[test]
    fn entry_paths() {
        assert_eq!(entry_path(Path::new("/l"), b"a.log"), Path::new("/l/a.log"));
        assert_eq!(entry_path(Path::new("/l"), b""), Path::new("/l"));
    }
}
