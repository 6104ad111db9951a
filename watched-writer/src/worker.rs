//! The background thread of [`ReopenPolicy::Notify`] and [`ReopenPolicy::Interval`]: it
//! checks the path when the directory watch reports a change to the file, at the periodic
//! (safety-net) interval, and when a pending reopen becomes due.

use crate::dirwatch::DirWatch;
use crate::shared::{later, Checked, Shared};
use crate::{Error, ReopenPolicy};
use std::any::Any;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The running background thread, stopped and joined on drop.
#[derive(Debug)]
pub(crate) struct Worker {
    /// Shutting this down wakes the thread (its end of the pair reads end-of-file) to stop it.
    stop: Option<UnixStream>,
    thread: Option<JoinHandle<()>>,
    /// The process that started the thread: a child forked since has no such thread.
    pid: u32,
}

impl Worker {
    /// Starts the thread for `shared`'s policy; `None` for [`ReopenPolicy::EveryWrite`], or
    /// if no thread can be started (reported to the callback; then only
    /// [`WatchedFile::check_now`] reopens).
    ///
    /// [`WatchedFile::check_now`]: crate::WatchedFile::check_now
    pub(crate) fn start(shared: &Arc<Shared>) -> Option<Worker> {
        let (period, watch) = match shared.options.policy {
            ReopenPolicy::EveryWrite => return None,
            // Set the watch up before returning; the thread checks once the watch is in
            // place, so no change after `open` goes unseen.
            ReopenPolicy::Notify => (shared.options.safety_net, DirWatch::new(shared)),
            ReopenPolicy::Interval(every) => (every.max(Duration::from_millis(1)), DirWatch::disabled()),
        };
        let started = UnixStream::pair().and_then(|(stop, stopped)| {
            let shared = Arc::clone(shared);
            std::thread::Builder::new()
                .name("watched-writer".into())
                .spawn(move || supervise(&shared, &stopped, watch, period))
                .map(|thread| Worker { stop: Some(stop), thread: Some(thread), pid: std::process::id() })
        });
        match started {
            Ok(worker) => Some(worker),
            Err(e) => {
                let path = shared.path().to_path_buf();
                shared.report(&Error::Watch { path, message: format!("no background thread: {e}") });
                None
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let stop = self.stop.take();
        let thread = self.thread.take();
        if std::process::id() != self.pid {
            // A forked child: the thread lives in the parent only. Closing our copy of the
            // socket leaves the parent's thread running; joining would wait forever.
            std::mem::forget(thread);
            return;
        }
        if let Some(stop) = stop {
            // Shut the socket down rather than just closing it: a forked child may hold a
            // copy, which would keep it open.
            let _ = stop.shutdown(Shutdown::Both);
        }
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// Runs the thread, reporting a panic (say, in the error callback) and carrying on.
fn supervise(shared: &Shared, stopped: &UnixStream, mut watch: DirWatch, period: Duration) {
    loop {
        match catch_unwind(AssertUnwindSafe(|| run(shared, stopped, &mut watch, period))) {
            Ok(()) => return,
            Err(panic) => {
                let path = shared.path().to_path_buf();
                let message = format!("background thread panicked: {}", panic_message(&*panic));
                // A callback that panics again ends the thread.
                if catch_unwind(AssertUnwindSafe(|| shared.report(&Error::Watch { path, message }))).is_err()
                {
                    return;
                }
            }
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

fn run(shared: &Shared, stopped: &UnixStream, watch: &mut DirWatch, period: Duration) {
    // With a watch, check at once: the file may have changed between opening it and setting
    // the watch. Without one, keep to the interval.
    let mut next_check = if watch.fd().is_some() { Instant::now() } else { later(Instant::now(), period) };
    let mut due: Option<Instant> = None;
    loop {
        let mut deadline = next_check;
        for at in [due, watch.retry_at()].into_iter().flatten() {
            deadline = deadline.min(at);
        }
        match wait(stopped.as_fd(), watch.fd(), deadline) {
            Wake::Stop => return,
            // Not about our file, and nothing is due yet.
            Wake::Events if !watch.take_events() && Instant::now() < deadline => continue,
            Wake::Events | Wake::Timeout => {}
        }
        // Watch first and check after, so that no change falls between the two.
        if watch.ensure(shared) {
            // The directory is back: a reopen that failed while it was gone is due now.
            shared.retry_soon();
        }
        due = match shared.check(false) {
            Ok(Checked::WaitUntil(at)) => Some(at),
            Ok(Checked::Same | Checked::Reopened) => None,
            Err(_) => shared.retry_at(),
        };
        next_check = later(Instant::now(), period);
    }
}

enum Wake {
    Stop,
    Events,
    Timeout,
}

/// Waits until `deadline`, an event on `events`, or the other end of `stop` is shut down.
fn wait(stop: BorrowedFd<'_>, events: Option<BorrowedFd<'_>>, deadline: Instant) -> Wake {
    let left = deadline.saturating_duration_since(Instant::now());
    // Round up, so as not to wake just before the deadline and spin.
    let timeout = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as libc::c_int;
    let mut fds = [
        libc::pollfd { fd: stop.as_raw_fd(), events: libc::POLLIN, revents: 0 },
        libc::pollfd { fd: events.map_or(-1, |fd| fd.as_raw_fd()), events: libc::POLLIN, revents: 0 },
    ];
    // SAFETY: `fds` is a valid array of two pollfd for the duration of the call; a negative
    // fd is ignored by poll.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
    if n <= 0 {
        // Timeout, or EINTR: the caller recomputes its deadline either way.
        return Wake::Timeout;
    }
    if fds[0].revents != 0 {
        Wake::Stop
    } else {
        Wake::Events
    }
}
