//! The background thread of [`ReopenPolicy::Notify`] and [`ReopenPolicy::Interval`]: it
//! checks the path when inotify reports a change in the parent directory, at the safety-net
//! interval, and when a pending reopen becomes due.

use crate::handle::FileId;
use crate::shared::{Checked, Shared};
use crate::{Error, ReopenPolicy};
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// First pause before looking again for a directory that is gone.
const FIRST_REWATCH: Duration = Duration::from_millis(10);

#[derive(Debug)]
enum Msg {
    /// Something happened to the file or its directory.
    Changed,
    Stop,
}

/// The running background thread, stopped and joined on drop.
#[derive(Debug)]
pub(crate) struct Worker {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread for `shared`'s policy; `None` for [`ReopenPolicy::EveryWrite`].
    pub(crate) fn start(shared: &Arc<Shared>) -> Option<Worker> {
        let (period, inotify) = match shared.options.policy {
            ReopenPolicy::EveryWrite => return None,
            ReopenPolicy::Notify => (shared.options.safety_net, true),
            ReopenPolicy::Interval(every) => (every.max(Duration::from_millis(1)), false),
        };
        let (tx, rx) = mpsc::channel();
        // Set the watch up before returning, so no change after `open` goes unseen.
        let watch = inotify.then(|| DirWatch::new(shared, tx.clone()));
        let shared = Arc::clone(shared);
        let thread = std::thread::Builder::new()
            .name("watched-writer".into())
            .spawn(move || run(&shared, &rx, watch, period))
            .ok()?;
        Some(Worker { tx, thread: Some(thread) })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(shared: &Shared, rx: &Receiver<Msg>, mut watch: Option<DirWatch>, period: Duration) {
    let mut next_check = Instant::now() + period;
    let mut due: Option<Instant> = None;
    loop {
        let mut deadline = next_check;
        for at in [due, shared.retry_at(), watch.as_ref().and_then(DirWatch::retry_at)].into_iter().flatten()
        {
            deadline = deadline.min(at);
        }
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(Msg::Changed) => {
                // A rotation comes as a burst of events: one check covers them all.
                while let Ok(msg) = rx.try_recv() {
                    if let Msg::Stop = msg {
                        return;
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        // Watch first and check after, so that no change falls between the two.
        if let Some(w) = &mut watch {
            w.ensure(shared);
        }
        due = match shared.check(false) {
            Ok(Checked::WaitUntil(at)) => Some(at),
            _ => None,
        };
        next_check = Instant::now() + period;
    }
}

/// An inotify watch on the parent directory, set again when the directory is replaced.
struct DirWatch {
    watcher: Option<RecommendedWatcher>,
    dir: PathBuf,
    /// The directory being watched, if any.
    watched: Option<FileId>,
    backoff: Duration,
    retry_at: Option<Instant>,
}

impl DirWatch {
    fn new(shared: &Shared, tx: Sender<Msg>) -> DirWatch {
        let path = shared.path().to_path_buf();
        let dir = path.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let filter_dir = dir.clone();
        let handler = move |event: notify::Result<notify::Event>| {
            if event.as_ref().map_or(true, |e| is_relevant(e, &path, &filter_dir)) {
                let _ = tx.send(Msg::Changed);
            }
        };
        let watcher = match notify::recommended_watcher(handler) {
            Ok(w) => Some(w),
            Err(e) => {
                shared.report(&Error::Watch { path: dir.clone(), message: e.to_string() });
                None
            }
        };
        let mut watch = DirWatch { watcher, dir, watched: None, backoff: Duration::ZERO, retry_at: None };
        watch.ensure(shared);
        watch
    }

    /// When to try again to watch a directory that could not be watched.
    fn retry_at(&self) -> Option<Instant> {
        self.retry_at
    }

    /// Makes sure the directory now at the path is the one watched.
    fn ensure(&mut self, shared: &Shared) {
        let Some(watcher) = &mut self.watcher else { return };
        let now = std::fs::metadata(&self.dir).ok().filter(|md| md.is_dir()).map(|md| FileId::of(&md));
        if now.is_some() && now == self.watched {
            return;
        }
        if self.watched.take().is_some() {
            // Gone already if the directory was deleted; that is fine.
            let _ = watcher.unwatch(&self.dir);
        }
        let result = match now {
            Some(id) => watcher.watch(&self.dir, RecursiveMode::NonRecursive).map(|()| id),
            None => Err(notify::Error::path_not_found()),
        };
        match result {
            Ok(id) => {
                self.watched = Some(id);
                self.backoff = Duration::ZERO;
                self.retry_at = None;
            }
            Err(e) => {
                // Until the directory is back, look for it often at first, then at the
                // safety-net pace.
                if now.is_some() {
                    shared.report(&Error::Watch { path: self.dir.clone(), message: e.to_string() });
                }
                self.backoff = (self.backoff * 2).clamp(FIRST_REWATCH, shared.options.safety_net);
                self.retry_at = Some(Instant::now() + self.backoff);
            }
        }
    }
}

/// Whether an inotify event may mean that the path names another file now. Writes (ours
/// included), opens, closes and attribute changes do not; renames, creations and deletions of
/// the file or of the directory do, and so does an overflowed event queue.
fn is_relevant(event: &notify::Event, path: &Path, dir: &Path) -> bool {
    match event.kind {
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_)) => false,
        _ => {
            event.need_rescan() || event.paths.is_empty() || event.paths.iter().any(|p| p == path || p == dir)
        }
    }
}
