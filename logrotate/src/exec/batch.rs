//! Batched durability and parallel compression within a set.
//!
//! A log's finish step that only compresses (and removes) is put off while the steps after it
//! in the plan (other logs' prepare and move) go on, their messages kept by the [`Reporter`].
//! When something that could observe the disk or the order comes next (a script, a mail, a
//! step that could see the put-off files), or the set ends, the batch is carried out:
//!
//! 1. the archives are written under their `.NAME.partial` names on a few threads, without
//!    an fsync each;
//! 2. the filesystems involved are made durable at once (`syncfs`): the partial archives, the
//!    renamed logs and the new ones (a batch of a few files fsyncs each instead, as a
//!    `syncfs` also waits for whatever else the filesystem holds);
//! 3. the put-off steps run in plan order, as they would have: each archive is renamed into
//!    place (never over a file) and only then its source removed; each one's messages come out
//!    before the messages kept after it;
//! 4. each directory that changed is fsynced once.
//!
//! A crash before step 2 leaves sources and `.partial` files (the next run removes the
//! partials); after it, sources beside finished archives (`exec::repair` resolves them).
//!
//! [`Reporter`]: super::report::Reporter

use super::compress::{self, Durable, Seen};
use super::{Executor, SetCx, StepEnd};
use crate::pathbytes::PathShow as _;
use crate::plan::sequence::{Action, Blocker, SetStep};
use crate::plan::{Rotation, Step};
use crate::rule::{MoveMethod, Options};
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};

impl Executor<'_> {
    /// Puts off step `i` into the batch if it is a finish step that can wait. Returns whether
    /// it did.
    pub(super) fn put_off(&mut self, cx: &mut SetCx, i: usize) -> bool {
        let step = &cx.set.steps[i];
        let Action::Finish { log } = step.action else { return false };
        let Some(batch) = self.batch.as_mut() else { return false };
        let rules = self.rules;
        let o = &rules[cx.set.rule].options;
        let Some(r) = cx.run.rotations[log].as_ref() else { return false };
        if !can_wait(o, r) {
            return false;
        }
        batch.jobs.push(i);
        batch.logs.insert(log);
        batch.blocks_others |= step.failure_blocks.is_some_and(|b| b != Blocker::Log(log));
        // A log whose move failed gets no archive written ahead (its turn is skipped anyway).
        let blocked = cx.run.set_failed || cx.run.log_failed[log];
        for s in &r.finish {
            match s {
                Step::Compress { src, dst } => {
                    batch.touch(src);
                    batch.touch(dst);
                    // Written there while the set goes on: no other step may see it either.
                    batch.touch(&compress::partial_name(dst));
                    if !blocked {
                        batch.queue(o, src, dst);
                    }
                }
                Step::Remove { path } => batch.touch(path),
                _ => {}
            }
        }
        self.out.hold_next();
        true
    }

    /// Whether `step` may run while the batch waits: it is another log's prepare, shift or
    /// move that runs no program and cannot see what the batch touches.
    pub(super) fn may_wait(&self, cx: &SetCx, step: &SetStep) -> bool {
        let Some(batch) = self.batch.as_ref() else { return true };
        if batch.jobs.is_empty() {
            return true;
        }
        let log = match step.action {
            Action::Prepare { log, .. } | Action::Shift { log } | Action::Move { log } => log,
            _ => return false,
        };
        if batch.blocks_others || batch.logs.contains(&log) {
            return false;
        }
        let o = &self.rules[cx.set.rule].options;
        let r = cx.run.rotations[log].as_ref();
        let mails = r.is_some_and(|r| r.prepare.iter().any(|s| matches!(s, Step::Mail { .. })));
        let rotated = r.map(|r| r.rotated.as_path());
        !mails
            && o.scripts.preremove.is_none()
            && is_apart(batch, &cx.set.logs[log].path, rotated, o.extension.as_deref())
    }

    /// Carries out the batch (see the module's documentation): writes the waiting archives
    /// ahead, makes everything durable, runs the waiting steps in order with what was said
    /// after each, and fsyncs the directories that changed. Returns whether anything failed.
    pub(super) fn carry_out_batch(&mut self, cx: &mut SetCx) -> bool {
        let Some(mut b) = self.batch.take() else { return false };
        // What the pool wrote while the set went on, and what it was never given.
        // While the pool finishes, what it wrote so far goes to disk (an early `syncfs`, on
        // another thread; its outcome does not matter: the one after the last archive decides).
        let early = (b.pool.is_some() && b.jobs.len() > FEW).then(|| {
            let dirs: Vec<PathBuf> = b.touched.keys().map(PathBuf::from).collect();
            let sync = move || sync_filesystems(dirs.iter().map(PathBuf::as_path));
            std::thread::Builder::new().spawn(sync).ok()
        });
        let mut written = b.pool.take().map(Pool::finish).unwrap_or_default();
        drop(early.flatten().map(std::thread::JoinHandle::join));
        let pending = std::mem::take(&mut b.pending);
        let work: Vec<(&Options, PathBuf, PathBuf)> =
            pending.iter().map(|j| (&*j.options, j.src.clone(), j.dst.clone())).collect();
        written.extend(write_ahead(&work));
        let unsynced = std::mem::take(&mut b.unsynced);
        // A few files are fsynced each (a `syncfs` would also wait for whatever else the
        // filesystem holds); more, at once with their filesystems.
        let partials = written.values().filter_map(|w| w.result.as_deref().ok());
        let files: Vec<&Path> = partials.chain(unsynced.iter().map(PathBuf::as_path)).collect();
        let durable = if files.len() <= FEW {
            // An archive that cannot be made durable failed its compression: said in its turn.
            for w in written.values_mut() {
                let Ok(partial) = &w.result else { continue };
                if let Err(e) = super::fsops::open_nofollow(partial).and_then(|f| f.sync_all()) {
                    let _ = std::fs::remove_file(partial);
                    w.result = Err(e);
                }
            }
            unsynced.iter().try_for_each(|f| super::fsops::open_nofollow(f)?.sync_all())
        } else {
            let dirs: BTreeSet<PathBuf> = files.iter().map(|f| dir_of(f)).collect();
            sync_filesystems(dirs.iter().map(PathBuf::as_path))
        };
        let mut failed = false;
        let synced = durable.is_ok();
        if let Err(e) = durable {
            // Nothing written ahead is known durable: each is written again in its turn.
            written.drain().for_each(|(_, w)| discard(w));
            if let Some(first) = unsynced.first() {
                let why = super::report::strerror(&e);
                failed = !self.fail(&format!("error syncing the new log {}: {why}", first.shown()));
            }
        }
        // What can only succeed is placed on several threads now, as each turn would place it;
        // the turns then say it, in order. Not when a failure could block other logs: a turn
        // after a failed one may not run at all.
        if synced && !b.blocks_others {
            let o = &self.rules[cx.set.rule].options;
            let run = &*cx.run;
            let work: Vec<(&Options, PathBuf, PathBuf)> = b
                .jobs
                .iter()
                .filter_map(|&i| cx.set.steps[i].action.log())
                .filter(|&log| !run.set_failed && !run.log_failed[log])
                .filter_map(|log| run.rotations[log].as_ref())
                .flat_map(|r| &r.finish)
                .filter_map(|s| match s {
                    Step::Compress { src, dst } => Some((o, src.clone(), dst.clone())),
                    _ => None,
                })
                .collect();
            b.placed = place_ahead(&mut written, &work);
        }
        let jobs = std::mem::take(&mut b.jobs);
        b.written = written;
        self.batch = Some(b);
        let mut stop = false;
        for (job, segment) in jobs.into_iter().zip(self.out.take_held()) {
            if !stop {
                match self.run_step(cx, job) {
                    StepEnd::Done => {}
                    StepEnd::Failed => failed = true,
                    StepEnd::Stop => (failed, stop) = (true, true),
                }
            }
            self.out.replay(segment);
        }
        let Some(b) = self.batch.take() else { return failed };
        b.written.into_values().for_each(discard);
        for dir in b.dirty.iter().map(Path::new) {
            if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
                failed = !self.fail(&format!("error syncing the directory {}: {e}", dir.shown()));
            }
        }
        self.batch = Some(Batch::default());
        failed
    }
}

impl Batch {
    /// Gives the compression of `src` into `dst` to the pool, started for the second job of
    /// a batch when there is more than one core (a batch of one compresses in its turn).
    fn queue(&mut self, o: &Options, src: &Path, dst: &Path) {
        let options = match &self.options {
            Some(shared) => std::sync::Arc::clone(shared),
            None => self.options.insert(std::sync::Arc::new(o.clone())).clone(),
        };
        self.pending.push(Job { options, src: src.to_path_buf(), dst: dst.to_path_buf() });
        if self.pool.is_none() && self.pending.len() >= 2 && threads() > 1 {
            self.pool = Pool::start(threads());
        }
        if let Some(pool) = &self.pool {
            self.pending.drain(..).for_each(|job| pool.send(job));
        }
    }

    /// Notes that the entries of `path`'s directory changed without an fsync.
    pub(super) fn changed(&mut self, path: &Path) {
        let dir = crate::scan::dir_of(path).as_os_str();
        if !self.dirty.contains(dir) {
            self.dirty.insert(dir.to_owned());
        }
    }

    /// Notes a file a put-off job reads or writes.
    fn touch(&mut self, path: &Path) {
        let name = path.file_name().map(|n| crate::pathbytes::from_os(n).into_owned()).unwrap_or_default();
        let dir = crate::scan::dir_of(path).as_os_str();
        match self.touched.get_mut(dir) {
            Some(names) => names.insert(name),
            None => self.touched.entry(dir.to_owned()).or_default().insert(name),
        };
    }
}

/// The put-off work of a set, and the durability it still owes.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// Finish steps put off (indexes in the set's steps), in plan order.
    pub jobs: Vec<usize>,
    /// Whether a put-off job's failure would block more than its own log.
    pub blocks_others: bool,
    /// The files the put-off jobs read and write: the names in each directory.
    pub touched: HashMap<std::ffi::OsString, BTreeSet<String>>,
    /// The logs (indexes in the set's logs) of the put-off jobs.
    pub logs: std::collections::HashSet<usize>,
    /// Archives written ahead, by source.
    pub written: HashMap<PathBuf, Written>,
    /// Directories whose entries changed without an fsync.
    dirty: BTreeSet<std::ffi::OsString>,
    /// New logs created without an fsync.
    pub unsynced: Vec<PathBuf>,
    /// The set's options, shared with the pool.
    options: Option<std::sync::Arc<Options>>,
    /// Compressions not given to a pool (yet).
    pending: Vec<Job>,
    /// Threads compressing the put-off jobs while the set goes on.
    pool: Option<Pool>,
    /// Archives already placed when their turn comes, by source: the source removed too, or
    /// why it could not be (said in the turn).
    pub placed: HashMap<PathBuf, io::Result<()>>,
}

/// A compression to write ahead: the archive of `src` at `dst`'s partial name.
#[derive(Debug)]
struct Job {
    options: std::sync::Arc<Options>,
    src: PathBuf,
    dst: PathBuf,
}

/// Threads that write archives ahead while the executor goes on with the set's moves. Dropped
/// without [`Pool::finish`] (the set stopped), it waits for them and removes what they wrote.
#[derive(Debug)]
struct Pool {
    jobs: Option<std::sync::mpsc::Sender<Job>>,
    workers: Vec<std::thread::JoinHandle<Vec<(PathBuf, Written)>>>,
}

impl Pool {
    /// `None` when no thread could start (a pids limit): the jobs then wait for their turns.
    fn start(threads: usize) -> Option<Pool> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let workers = (0..threads)
            .map(|_| {
                let rx = std::sync::Arc::clone(&rx);
                std::thread::Builder::new().spawn(move || {
                    crate::sys::dirs::scope(|| {
                        let mut done = Vec::new();
                        loop {
                            let job = match rx.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => return done,
                            };
                            let Ok(job) = job else { return done };
                            if let Some(w) = write_one(&job.options, &job.src, &job.dst, Durable::Later) {
                                done.push((job.src, w));
                            }
                        }
                    })
                })
            })
            .filter_map(Result::ok)
            .collect::<Vec<_>>();
        (!workers.is_empty()).then(|| Pool { jobs: Some(tx), workers })
    }

    fn send(&self, job: Job) {
        if let Some(tx) = &self.jobs {
            // A worker that died (it cannot: nothing in it panics) leaves the job to its turn.
            let _ = tx.send(job);
        }
    }

    /// Waits for every job given so far: the archives written, by source.
    fn finish(mut self) -> HashMap<PathBuf, Written> {
        self.jobs = None;
        let done: Vec<Vec<(PathBuf, Written)>> =
            std::mem::take(&mut self.workers).into_iter().filter_map(|w| w.join().ok()).collect();
        let mut written = HashMap::with_capacity(done.iter().map(Vec::len).sum());
        written.extend(done.into_iter().flatten());
        written
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.jobs = None;
        for w in std::mem::take(&mut self.workers) {
            w.join().into_iter().flatten().for_each(|(_, w)| discard(w));
        }
    }
}

/// The cores compression may use (up to 8), asked once: `available_parallelism` reads the
/// cgroup files each time.
pub(crate) fn threads() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8))
}

/// An archive written ahead of its turn (or the failure to write it).
#[derive(Debug)]
pub(super) struct Written {
    /// The partial archive, or why there is none.
    pub result: io::Result<PathBuf>,
    /// What the compressor said on stderr.
    pub stderr: Vec<u8>,
    /// What the source was when it was read.
    pub seen: Option<Seen>,
}

/// Whether a log's finish steps can wait in a batch: nothing in them runs a program of the
/// user's (preremove, shred, mail) or needs another identity (`su`), and they compress.
pub(super) fn can_wait(o: &Options, r: &Rotation) -> bool {
    o.su.is_none()
        && o.scripts.preremove.is_none()
        && !o.shred
        && !matches!(r.method, MoveMethod::RenameCopy | MoveMethod::CopyAndRenameCopy)
        && r.finish.iter().any(|s| matches!(s, Step::Compress { .. }))
        && r.finish.iter().all(|s| matches!(s, Step::Compress { .. } | Step::Remove { .. }))
}

/// Whether a step of log `log` (at `path`, archived beside `rotated`) may run while the batch
/// waits: it cannot see any file the batch touches, as no such file is in its directories
/// under a name starting with its own (the names its archives have).
pub(super) fn is_apart(batch: &Batch, path: &Path, rotated: Option<&Path>, extension: Option<&str>) -> bool {
    let Some(name) = path.file_name().map(|n| crate::pathbytes::from_os(n).into_owned()) else {
        return false;
    };
    let stem = extension.and_then(|e| name.strip_suffix(e)).unwrap_or(&name);
    let dirs = [Some(crate::scan::dir_of(path)), rotated.map(crate::scan::dir_of)];
    // The names starting with `stem` follow it in the order of the set.
    !dirs.into_iter().flatten().any(|dir| {
        let Some(names) = batch.touched.get(dir.as_os_str()) else { return false };
        let first =
            names.range::<str, _>((std::ops::Bound::Included(stem), std::ops::Bound::Unbounded)).next();
        first.is_some_and(|n| n.starts_with(stem))
    })
}

/// The compressions of waiting jobs no pool took (a batch of one, or one core), written ahead
/// here: `(options, source, archive)`. Files that are large (compressed on several cores
/// themselves), not regular, with other links, or still locked by a writer are left for their
/// turn.
pub(super) fn write_ahead(work: &[(&Options, PathBuf, PathBuf)]) -> HashMap<PathBuf, Written> {
    work.iter()
        .filter_map(|(o, src, dst)| Some((src.clone(), write_one(o, src, dst, Durable::Later)?)))
        .collect()
}

/// Up to this many files to make durable, each gets an fsync instead of its filesystem a
/// `syncfs`.
const FEW: usize = 4;

fn write_one(o: &Options, src: &Path, dst: &Path, durable: Durable) -> Option<Written> {
    let opened = super::fsops::open_nofollow(src).and_then(|f| Ok((f.metadata()?, f)));
    let (md, held) = match opened {
        Ok(opened) => opened,
        // Said in its turn as the compression's failure, if the source is still what it was
        // (a symlink is removed there instead, and this dropped).
        Err(e) => {
            let seen = std::fs::symlink_metadata(src).ok().map(|md| Seen::of(&md));
            return Some(Written { result: Err(e), stderr: Vec::new(), seen });
        }
    };
    if !md.is_file() || md.len() >= compress::PARALLEL_MIN {
        return None;
    }
    if std::os::unix::fs::MetadataExt::nlink(&md) > 1 && !o.allow_hardlink {
        return None;
    }
    // A writer still holding it is waited for in its turn.
    if held.try_lock().is_err() {
        return None;
    }
    let mut stderr = Vec::new();
    // (Read through the file locked: the lock goes with it when it is read.)
    let written = compress::write_partial_from(o, held, &md, src, dst, &mut stderr, durable);
    let seen = written.as_ref().map_or_else(|_| Some(Seen::of(&md)), |(_, seen)| Some(*seen));
    Some(Written { result: written.map(|(p, _)| p), stderr, seen })
}

/// Makes the filesystems holding `dirs` durable: one `syncfs` per filesystem.
///
/// # Errors
///
/// A directory cannot be opened, or a filesystem reported a write error.
pub(super) fn sync_filesystems<'p>(dirs: impl IntoIterator<Item = &'p Path>) -> io::Result<()> {
    let mut done = BTreeSet::new();
    for dir in dirs {
        let f = std::fs::File::open(dir)?;
        let dev = std::os::unix::fs::MetadataExt::dev(&f.metadata()?);
        if done.insert(dev) {
            crate::sys::fs::syncfs(&f)?;
        }
    }
    Ok(())
}

/// Places an archive written ahead if its source is still what was compressed (`now`: what the
/// source is now, from the file just opened at its name): `Some` with the outcome and what the
/// compressor said; `None` (the partial file removed) when the source changed since and must
/// be compressed again.
pub(super) fn place(w: Written, now: Option<Seen>, dst: &Path) -> Option<(io::Result<()>, Vec<u8>)> {
    if now.is_none() || now != w.seen {
        discard(w);
        return None;
    }
    let placed = match w.result {
        Ok(partial) => compress::place(&partial, dst),
        Err(e) => Err(e),
    };
    Some((placed, w.stderr))
}

/// Places the archives written ahead whose turn can only succeed, on several threads (a thread
/// per directory at a time): the source is still the regular file compressed, no writer holds
/// it, nothing is at the archive's name, and the compressor said nothing. Each is renamed into
/// place and its source removed, as its turn would; anything else is left to its turn.
/// Returns, by source, whether the source was removed too, or why not (the archive is placed
/// either way). A rename that fails (not for a file in the way) fails the archive: its partial
/// file is removed, and its turn says so.
fn place_ahead(
    written: &mut HashMap<PathBuf, Written>,
    work: &[(&Options, PathBuf, PathBuf)],
) -> HashMap<PathBuf, io::Result<()>> {
    let mut by_dir: Vec<&[(&Options, PathBuf, PathBuf)]> = Vec::new();
    let mut rest = work;
    while let Some(first) = rest.first() {
        let dir = crate::scan::dir_of(&first.1);
        let n = rest.iter().take_while(|(_, src, _)| crate::scan::dir_of(src) == dir).count();
        by_dir.push(&rest[..n]);
        rest = &rest[n..];
    }
    let ready = &*written;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers: Vec<usize> = (0..threads().min(by_dir.len())).collect();
    let done: Vec<(PathBuf, Placed)> = crate::par::map(&workers, |_| {
        crate::sys::dirs::scope(|| {
            let mut done = Vec::new();
            while let Some(group) = by_dir.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                for (o, src, dst) in group.iter() {
                    if let Some(placed) = ready.get(src).and_then(|w| place_one(o, w, src, dst)) {
                        done.push((src.clone(), placed));
                    }
                }
            }
            done
        })
    })
    .into_iter()
    .flatten()
    .collect();
    let mut placed = HashMap::with_capacity(done.len());
    for (src, outcome) in done {
        match outcome {
            Placed::Done(removed) => {
                written.remove(&src);
                placed.insert(src, removed);
            }
            Placed::Failed(e) => {
                if let Some(w) = written.get_mut(&src) {
                    if let Ok(partial) = &w.result {
                        let _ = std::fs::remove_file(partial);
                    }
                    w.result = Err(e);
                }
            }
        }
    }
    placed
}

/// What [`place_one`] did.
enum Placed {
    /// Renamed into place; the source removed, or why not.
    Done(io::Result<()>),
    /// The rename failed.
    Failed(io::Error),
}

/// One archive of [`place_ahead`]: `None` when it is left to its turn.
fn place_one(o: &Options, w: &Written, src: &Path, dst: &Path) -> Option<Placed> {
    let partial = w.result.as_ref().ok()?;
    if !w.stderr.is_empty() || o.scripts.preremove.is_some() || o.shred {
        return None;
    }
    // (Opened without following a link and without blocking, before looking at it: the source
    // is the file this run moved there, in a directory no other user may write, as a batch
    // never runs with `su`. Its turn looks first, then opens.)
    let held = super::fsops::open_nofollow(src).ok()?;
    held.try_lock().ok()?;
    let md = held.metadata().ok()?;
    let regular = md.is_file() && (o.allow_hardlink || std::os::unix::fs::MetadataExt::nlink(&md) == 1);
    if !regular || Some(Seen::of(&md)) != w.seen {
        return None;
    }
    // Never over a file (EEXIST): then the partial stays, for the turn, which moves it aside.
    match super::fsops::rename_noreplace(partial, dst) {
        Ok(()) => Some(Placed::Done(super::fsops::remove_file(src))),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
        Err(e) => Some(Placed::Failed(e)),
    }
}

/// Removes an archive written ahead that will not be used.
pub(super) fn discard(w: Written) {
    if let Ok(partial) = w.result {
        let _ = std::fs::remove_file(partial);
    }
}

/// The directory of `path` (`.` for a bare name).
pub(super) fn dir_of(path: &Path) -> PathBuf {
    crate::scan::dir_of(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gz_options() -> Options {
        Options { compress: true, ..Options::default() }
    }

    #[test]
    fn archives_written_ahead_are_placed_only_for_the_source_they_read() {
        let d = tempfile::tempdir().unwrap();
        let o = gz_options();
        let (a, b) = (d.path().join("a.log.1"), d.path().join("b.log.1"));
        std::fs::write(&a, "line a\n").unwrap();
        std::fs::write(&b, "line b\n").unwrap();
        let (ga, gb) = (d.path().join("a.log.1.gz"), d.path().join("b.log.1.gz"));
        let mut written = write_ahead(&[(&o, a.clone(), ga.clone()), (&o, b.clone(), gb.clone())]);
        assert_eq!(written.len(), 2);
        assert!(!ga.exists() && !gb.exists(), "nothing is under a real name before its turn");
        sync_filesystems([d.path()]).unwrap();
        let seen = |p: &Path| std::fs::symlink_metadata(p).ok().map(|md| Seen::of(&md));
        let (placed, said) = place(written.remove(&a).unwrap(), seen(&a), &ga).unwrap();
        placed.unwrap();
        assert!(said.is_empty());
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&ga).unwrap()).read_to_string(&mut text).unwrap();
        assert_eq!(text, "line a\n");
        // b changed after it was read: its archive is dropped, to be written again.
        std::fs::write(&b, "line b and more\n").unwrap();
        assert!(place(written.remove(&b).unwrap(), seen(&b), &gb).is_none());
        assert!(!compress::partial_name(&gb).exists() && !gb.exists());
    }

    #[test]
    fn what_cannot_be_written_ahead_waits_for_its_turn() {
        let d = tempfile::tempdir().unwrap();
        let o = gz_options();
        let target = d.path().join("target");
        std::fs::write(&target, "x").unwrap();
        let link = d.path().join("a.log.1");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let hard = d.path().join("b.log.1");
        std::fs::hard_link(&target, &hard).unwrap();
        let locked = d.path().join("c.log.1");
        std::fs::write(&locked, "held").unwrap();
        let writer = std::fs::File::open(&locked).unwrap();
        writer.lock_shared().unwrap();
        let work: Vec<_> =
            [&link, &hard, &locked].iter().map(|p| (&o, p.to_path_buf(), p.with_extension("1.gz"))).collect();
        let written = write_ahead(&work);
        // A symlink is never read: its turn removes it (the failure kept here is dropped then).
        assert_eq!(written.keys().collect::<Vec<_>>(), [&link]);
        assert!(written[&link].result.is_err());
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 4, "no partial file left");
    }

    #[test]
    fn a_step_that_could_see_the_batch_files_does_not_wait() {
        let mut b = Batch::default();
        b.touch(Path::new("/l/svc1.log.1"));
        b.touch(Path::new("/l/svc1.log.1.gz"));
        let apart = |p: &str, rotated: Option<&str>, ext: Option<&str>| {
            is_apart(&b, Path::new(p), rotated.map(Path::new), ext)
        };
        assert!(apart("/l/svc2.log", Some("/l/svc2.log.1"), None));
        assert!(apart("/l/svc10.log", None, None));
        assert!(apart("/m/svc1.log", Some("/o/svc1.log.1"), None), "other directories");
        assert!(!apart("/l/svc1.log", None, None), "its own names");
        assert!(!apart("/l/svc1", None, None), "a log whose archives are named like them");
        assert!(!apart("/m/svc1.log", Some("/l/svc1.log.1"), None), "an olddir holding them");
        assert!(!apart("/l/svc1.txt", None, Some(".txt")), "extension: the stem counts");
    }

    #[test]
    fn only_finish_steps_without_programs_or_another_identity_wait() {
        let r = |finish: Vec<Step>| Rotation {
            prepare: vec![],
            refused: None,
            method: MoveMethod::Rename,
            rotated: "a.1".into(),
            skip_copy: false,
            create: None,
            finish,
            trace: vec![],
            unsaid_in_dry_run: None,
        };
        let compress = Step::Compress { src: "a.1".into(), dst: "a.1.gz".into() };
        let mail = Step::Mail { path: "a.1.gz".into(), subject: String::new(), compressed: true };
        let o = gz_options();
        assert!(can_wait(&o, &r(vec![compress.clone()])));
        assert!(!can_wait(&o, &r(vec![])));
        assert!(!can_wait(&o, &r(vec![compress.clone(), mail])));
        assert!(!can_wait(&Options { shred: true, ..gz_options() }, &r(vec![compress.clone()])));
        let mut pre = gz_options();
        pre.scripts.preremove = Some("true".into());
        assert!(!can_wait(&pre, &r(vec![compress])));
    }
}
