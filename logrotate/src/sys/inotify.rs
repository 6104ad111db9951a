//! The inotify system calls the daemon's watcher makes (`daemon::inotify` turns them into
//! events).

use rustix::event::{PollFd, PollFlags};
use rustix::fs::inotify::{self, CreateFlags, WatchFlags};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::time::Duration;

/// A new inotify instance, non-blocking and close-on-exec (`inotify_init1`).
pub(crate) fn init() -> io::Result<OwnedFd> {
    Ok(inotify::init(CreateFlags::NONBLOCK | CreateFlags::CLOEXEC)?)
}

/// Watches `path` for the `IN_*` bits of `mask`; returns the watch descriptor.
pub(crate) fn add_watch(fd: impl AsFd, path: &Path, mask: u32) -> io::Result<i32> {
    Ok(inotify::add_watch(fd, path, WatchFlags::from_bits_retain(mask))?)
}

/// Removes a watch.
pub(crate) fn remove_watch(fd: impl AsFd, wd: i32) -> io::Result<()> {
    Ok(inotify::remove_watch(fd, wd)?)
}

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
pub(crate) fn read(fd: impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
    Ok(rustix::io::read(fd, buf)?)
}
