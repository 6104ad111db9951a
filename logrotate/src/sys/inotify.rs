//! The inotify system calls the daemon's watcher makes (`daemon::inotify` turns them into
//! events), and the scan's live directory listings (`scan::live`).

#[cfg(feature = "daemon")]
use rustix::event::{PollFd, PollFlags};
use rustix::fs::inotify::{self, CreateFlags, WatchFlags};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
#[cfg(feature = "daemon")]
use std::time::Duration;

/// What changes a directory's listing: entries appearing, disappearing or moving, and the
/// directory itself going away (the scan's live listings watch this; the daemon adds writes).
pub(crate) const LISTING_MASK: u32 = libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF
    | libc::IN_ONLYDIR;

/// A new inotify instance, non-blocking and close-on-exec (`inotify_init1`).
pub(crate) fn init() -> io::Result<OwnedFd> {
    Ok(inotify::init(CreateFlags::NONBLOCK | CreateFlags::CLOEXEC)?)
}

/// Watches `path` for the `IN_*` bits of `mask`; returns the watch descriptor.
pub(crate) fn add_watch(fd: impl AsFd, path: &Path, mask: u32) -> io::Result<i32> {
    Ok(inotify::add_watch(fd, path, WatchFlags::from_bits_retain(mask))?)
}

/// Removes a watch.
#[cfg(feature = "daemon")]
pub(crate) fn remove_watch(fd: impl AsFd, wd: i32) -> io::Result<()> {
    Ok(inotify::remove_watch(fd, wd)?)
}

#[cfg(feature = "daemon")]
/// Waits until `fd` is readable, for at most `timeout` (`None`: no limit); whether it is.
pub(crate) fn wait_readable(fd: impl AsFd, timeout: Option<Duration>) -> bool {
    let timeout = timeout.map(|t| {
        rustix::time::Timespec::try_from(t).unwrap_or(rustix::time::Timespec { tv_sec: i64::MAX, tv_nsec: 0 })
    });
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    matches!(rustix::event::poll(&mut fds, timeout.as_ref()), Ok(n) if n > 0)
        && fds[0].revents().contains(PollFlags::IN)
}

/// Reads what is queued into `buf`; returns how many bytes (`EAGAIN` when nothing is).
#[cfg(feature = "daemon")]
pub(crate) fn read(fd: impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
    Ok(rustix::io::read(fd, buf)?)
}

/// Reads every event queued on a non-blocking `fd`, calling `each(wd, mask, name)` for it (the
/// name is empty for an event on the watched directory itself), until none is queued.
///
/// # Errors
///
/// A read error other than "nothing queued" (`EAGAIN`) or `EINTR`.
pub(crate) fn drain(fd: impl AsFd, each: &mut dyn FnMut(i32, u32, &[u8])) -> io::Result<()> {
    let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 16384];
    let mut reader = inotify::Reader::new(fd, &mut buf);
    loop {
        match reader.next() {
            Ok(ev) => each(ev.wd(), ev.events().bits(), ev.file_name().map_or(&[][..], |n| n.to_bytes())),
            Err(rustix::io::Errno::AGAIN) => return Ok(()),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}
