//! The daemon's inotify watcher: a table of directory watches kept equal to what the config
//! needs (up to a cap), and a reader thread that turns events into a set of changed paths.
//!
//! The reader drains the queue in large reads, then sleeps for the debounce before reading
//! again, so the kernel merges repeated events for a busy log while they wait; within a batch,
//! each changed path is recorded once. Changes accumulate in [`Pending`] behind a mutex and the
//! main loop is woken through a condvar: nothing grows without bound, whatever the write rate.

use super::inotify::{entry_path, Inotify, RawEvent, DIR_MASK};
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// At most this many changed paths wait for the main loop; beyond, a full pass replaces them.
pub const MAX_PENDING_PATHS: usize = 100_000;

/// What happened since the main loop last looked.
#[derive(Debug, Default)]
pub struct Pending {
    /// Paths whose entry was created, written, moved or removed, each once.
    pub paths: HashSet<PathBuf>,
    /// Directories that appeared (made or moved in): the watched set may need to grow.
    pub new_dirs: HashSet<PathBuf>,
    /// A watched directory, or a directory inside one, moved or went away: the watched set
    /// needs to be looked at again.
    pub dirs: bool,
    /// The kernel's queue overflowed: events were lost.
    pub overflow: bool,
    /// Signals received, in order.
    pub signals: Vec<i32>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.paths.is_empty()
            && self.new_dirs.is_empty()
            && !self.dirs
            && !self.overflow
            && self.signals.is_empty()
    }
    /// Adds `other` to this. Beyond [`MAX_PENDING_PATHS`] changed paths (users making files
    /// faster than a pass runs), they are dropped for a full pass, as after a kernel overflow.
    pub fn merge(&mut self, other: Pending) {
        self.paths.extend(other.paths);
        self.new_dirs.extend(other.new_dirs);
        self.dirs |= other.dirs;
        self.overflow |= other.overflow;
        self.signals.extend(other.signals);
        if self.paths.len() > MAX_PENDING_PATHS {
            self.paths = HashSet::new();
            self.overflow = true;
        }
        if self.new_dirs.len() > MAX_PENDING_PATHS {
            self.new_dirs = HashSet::new();
            self.dirs = true;
        }
    }
}

/// Where the reader thread and the signal thread leave [`Pending`] for the main loop.
#[derive(Debug, Default)]
pub struct Mailbox {
    pending: Mutex<Pending>,
    wake: Condvar,
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds to what is pending and wakes the main loop.
    pub fn post(&self, p: Pending) {
        if p.is_empty() {
            return;
        }
        self.lock().merge(p);
        self.wake.notify_one();
    }

    /// Waits until something is pending, at most until `deadline`, and takes it all.
    pub fn take(&self, deadline: Instant) -> Option<Pending> {
        let mut g = self.lock();
        while g.is_empty() {
            let left = deadline.checked_duration_since(Instant::now())?;
            g = self.wake.wait_timeout(g, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        Some(std::mem::take(&mut *g))
    }
}

/// Watch descriptors and the directories they stand for. Two paths may lead to one directory
/// (a symlink in a glob): they share the descriptor.
#[derive(Debug, Default)]
struct Table {
    by_wd: HashMap<i32, Vec<PathBuf>>,
    by_path: HashMap<PathBuf, i32>,
}

impl Table {
    fn forget_path(&mut self, path: &Path) -> Option<i32> {
        let wd = self.by_path.remove(path)?;
        let paths = self.by_wd.entry(wd).or_default();
        paths.retain(|p| p != path);
        if paths.is_empty() {
            self.by_wd.remove(&wd);
            return Some(wd); // the last path of this watch: remove it
        }
        None
    }
}

/// The outcome of [`Watcher::sync`].
#[derive(Debug, Default)]
pub struct Synced {
    /// Directories watched now.
    pub watched: usize,
    /// Directories wanted but not watched (beyond the cap, or the kernel's budget is spent):
    /// only the periodic rescan looks at them.
    pub left: usize,
    /// Directories that were not watched before: entries made in them before the watch existed
    /// produced no event.
    pub added: Vec<PathBuf>,
}

/// The inotify instance, its watch table and its reader thread.
pub struct Watcher {
    ino: Arc<Inotify>,
    table: Arc<Mutex<Table>>,
    max_watches: usize,
}

impl Watcher {
    /// Starts the reader thread, which posts to `mailbox` and pauses `debounce` between reads.
    ///
    /// # Errors
    ///
    /// When inotify is unavailable or the thread cannot start.
    pub fn start(mailbox: Arc<Mailbox>, debounce: Duration, max_watches: usize) -> io::Result<Self> {
        let ino = Arc::new(Inotify::new()?);
        let table = Arc::new(Mutex::new(Table::default()));
        let (r_ino, r_table) = (ino.clone(), table.clone());
        std::thread::Builder::new()
            .name("inotify".into())
            .spawn(move || read_loop(&r_ino, &r_table, &mailbox, debounce))?;
        Ok(Watcher { ino, table, max_watches })
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Watches the first `max_watches` directories of `wanted` (ordered most important first)
    /// and nothing else.
    pub fn sync(&mut self, wanted: &[PathBuf]) -> Synced {
        let keep: HashSet<&Path> = wanted.iter().take(self.max_watches).map(PathBuf::as_path).collect();
        let mut t = self.table();
        let gone: Vec<PathBuf> = t.by_path.keys().filter(|p| !keep.contains(p.as_path())).cloned().collect();
        for path in gone {
            if let Some(wd) = t.forget_path(&path) {
                self.ino.rm_watch(wd);
            }
        }
        let mut out = Synced { left: wanted.len().saturating_sub(self.max_watches), ..Synced::default() };
        let mut budget_spent = false;
        for dir in wanted.iter().take(self.max_watches) {
            if t.by_path.contains_key(dir) {
                continue;
            }
            if budget_spent {
                out.left += 1;
                continue;
            }
            match self.ino.add_watch(dir, DIR_MASK) {
                Ok(wd) => {
                    t.by_path.insert(dir.clone(), wd);
                    t.by_wd.entry(wd).or_default().push(dir.clone());
                    out.added.push(dir.clone());
                }
                // The kernel's per-user budget (fs.inotify.max_user_watches) is spent.
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => {
                    budget_spent = true;
                    out.left += 1;
                }
                // Gone or replaced since it was listed: the next sync looks again.
                Err(_) => {}
            }
        }
        out.watched = t.by_path.len();
        out
    }
}

/// The reader thread: wait for events, drain them, post the changed paths, pause.
fn read_loop(ino: &Inotify, table: &Mutex<Table>, mailbox: &Mailbox, debounce: Duration) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut batch: HashMap<i32, HashSet<Vec<u8>>> = HashMap::new();
    let mut pause = debounce;
    loop {
        ino.wait(None);
        let mut flags = Pending::default();
        let mut ended: Vec<i32> = Vec::new();
        let mut made: Vec<(i32, Vec<u8>)> = Vec::new();
        let mut last: Option<(i32, Vec<u8>)> = None;
        let read = ino.drain(&mut buf, |e: RawEvent<'_>| {
            if e.is_overflow() {
                flags.overflow = true;
                return;
            }
            if e.is_ignored() {
                ended.push(e.wd);
            }
            if e.is_dir() && e.mask & (libc::IN_CREATE | libc::IN_MOVED_TO) != 0 {
                made.push((e.wd, e.name.to_vec()));
            } else if e.name.is_empty() || e.is_dir() {
                flags.dirs = true;
            }
            if last.as_ref().is_some_and(|(wd, name)| *wd == e.wd && name == e.name) {
                return; // the common case under write load: the same file again
            }
            let names = batch.entry(e.wd).or_default();
            if !names.contains(e.name) {
                names.insert(e.name.to_vec());
            }
            last = Some((e.wd, e.name.to_vec()));
        });
        let count = match read {
            Ok(n) => n,
            Err(_) => {
                flags.overflow = true;
                0
            }
        };
        flags.paths = resolve(&mut batch, table);
        let mut made_by_wd: HashMap<i32, HashSet<Vec<u8>>> = HashMap::new();
        for (wd, name) in made.drain(..) {
            made_by_wd.entry(wd).or_default().insert(name);
        }
        flags.new_dirs = resolve(&mut made_by_wd, table);
        flags.dirs |= forget_ended(&ended, table);
        mailbox.post(flags);
        // A burst big enough to risk the kernel's queue limit (16384 by default) before the
        // next read: read again sooner. Otherwise let the kernel merge events for a debounce.
        pause = if count > 2048 { (pause / 2).max(Duration::from_millis(5)) } else { debounce };
        std::thread::sleep(pause);
    }
}

/// Turns (watch, name) pairs into paths.
fn resolve(batch: &mut HashMap<i32, HashSet<Vec<u8>>>, table: &Mutex<Table>) -> HashSet<PathBuf> {
    let t = table.lock().unwrap_or_else(|e| e.into_inner());
    let mut paths = HashSet::new();
    for (wd, names) in batch.drain() {
        for dir in t.by_wd.get(&wd).into_iter().flatten() {
            paths.extend(names.iter().map(|n| entry_path(dir, n)));
        }
    }
    paths
}

/// Forgets the watches the kernel ended. Returns whether one of them was still in the table:
/// its directory was deleted or unmounted (not unwatched by us), so the watched set must be
/// looked at again.
fn forget_ended(ended: &[i32], table: &Mutex<Table>) -> bool {
    let mut t = table.lock().unwrap_or_else(|e| e.into_inner());
    let mut any = false;
    for wd in ended {
        for dir in t.by_wd.remove(wd).unwrap_or_default() {
            t.by_path.remove(&dir);
            any = true;
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for_path(mb: &Mailbox, want: &Path) -> Pending {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut all = Pending::default();
        while !all.paths.contains(want) {
            let Some(p) = mb.take(deadline) else { panic!("no event for {}: {all:?}", want.display()) };
            all.merge(p);
        }
        all
    }

    #[test]
    fn posts_changed_paths_and_new_directories() {
        let d = tempfile::tempdir().unwrap();
        let mb = Arc::new(Mailbox::default());
        let mut w = Watcher::start(mb.clone(), Duration::from_millis(20), 10).unwrap();
        let s = w.sync(&[d.path().to_path_buf()]);
        assert_eq!((s.watched, s.left, s.added.len()), (1, 0, 1));
        std::fs::write(d.path().join("a.log"), "x").unwrap();
        wait_for_path(&mb, &d.path().join("a.log"));
        std::fs::create_dir(d.path().join("sub")).unwrap();
        assert!(wait_for_path(&mb, &d.path().join("sub")).new_dirs.contains(&d.path().join("sub")));
    }

    #[test]
    fn watches_beyond_the_cap_are_left_and_dropped_dirs_unwatched() {
        let d = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = (0..5).map(|i| d.path().join(format!("d{i}"))).collect();
        for dir in &dirs {
            std::fs::create_dir(dir).unwrap();
        }
        let mb = Arc::new(Mailbox::default());
        let mut w = Watcher::start(mb.clone(), Duration::from_millis(20), 3).unwrap();
        let s = w.sync(&dirs);
        assert_eq!((s.watched, s.left), (3, 2));
        assert_eq!(s.added, dirs[..3].to_vec());
        let s = w.sync(&dirs[2..]);
        assert_eq!((s.watched, s.left, s.added), (3, 0, dirs[3..].to_vec()));
        // d0 is no longer watched: an event there is not reported; one in d4 is.
        std::fs::write(dirs[0].join("x"), "").unwrap();
        std::fs::write(dirs[4].join("y"), "").unwrap();
        let p = wait_for_path(&mb, &dirs[4].join("y"));
        assert!(!p.paths.contains(&dirs[0].join("x")));
    }

    #[test]
    fn deleted_directory_is_forgotten_and_rewatched_after_recreation() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let mb = Arc::new(Mailbox::default());
        let mut w = Watcher::start(mb.clone(), Duration::from_millis(20), 10).unwrap();
        w.sync(&[d.path().to_path_buf(), sub.clone()]);
        std::fs::remove_dir(&sub).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while w.table().by_path.contains_key(&sub) {
            assert!(mb.take(deadline).is_some(), "watch of the deleted directory was not dropped");
        }
        std::fs::create_dir(&sub).unwrap();
        assert_eq!(w.sync(&[d.path().to_path_buf(), sub.clone()]).added, vec![sub]);
    }

    #[test]
    fn too_many_pending_paths_become_an_overflow() {
        let mb = Mailbox::default();
        let many =
            |from: usize, n: usize| (from..from + n).map(|i| PathBuf::from(format!("/l/{i}"))).collect();
        mb.post(Pending { paths: many(0, MAX_PENDING_PATHS), ..Pending::default() });
        mb.post(Pending { paths: many(MAX_PENDING_PATHS, 1), ..Pending::default() });
        let p = mb.take(Instant::now()).unwrap();
        assert!(p.paths.is_empty() && p.overflow);
    }

    #[test]
    fn mailbox_take_times_out_when_nothing_is_pending() {
        let mb = Mailbox::default();
        assert!(mb.take(Instant::now() + Duration::from_millis(10)).is_none());
        mb.post(Pending { signals: vec![1], ..Pending::default() });
        assert_eq!(mb.take(Instant::now()).unwrap().signals, vec![1]);
    }
}
