//! Watches the demo directory and the writer's counters every 2 ms and narrates what happens:
//! the log crossing the size limit, logrotated's rename, the writer's reopen (which releases its
//! shared lock on the rotated file), and the compression that logrotated held back until then.

use super::{human, Out};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use watched_writer::WatchedFile;

/// What was seen of one rotation.
#[derive(Debug, Clone, Default)]
pub struct Rotation {
    /// From the log crossing the limit to its rename.
    pub lag: Option<Duration>,
    /// From the rename to the writer's reopen: how long logrotated waited to compress.
    pub lock_wait: Option<Duration>,
}

/// A rotation under way: renamed, not compressed yet.
struct Pending {
    renamed: Instant,
    rotation: Rotation,
}

/// The watching thread.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    busy: Arc<AtomicBool>,
    thread: JoinHandle<(Vec<Rotation>, Vec<String>)>,
}

impl Monitor {
    /// Starts watching `dir/app.log` (rotated at `limit` bytes) and `writer`.
    pub fn start(out: Out, dir: &Path, limit: u64, writer: Arc<WatchedFile>) -> Monitor {
        let stop = Arc::new(AtomicBool::new(false));
        let busy = Arc::new(AtomicBool::new(false));
        let mut w = Watch {
            out,
            log: dir.join("app.log"),
            rotated: dir.join("app.log.1"),
            compressed: dir.join("app.log.1.gz"),
            limit,
            writer,
            ino: None,
            crossed: None,
            reopens: 0,
            pending: None,
            done: Vec::new(),
            problems: Vec::new(),
        };
        let (s, b) = (stop.clone(), busy.clone());
        let thread = std::thread::spawn(move || {
            loop {
                // One last look after the stop, so nothing that happened before it is missed.
                let last = s.load(Ordering::SeqCst);
                w.poll();
                b.store(w.pending.is_some() || w.crossed.is_some(), Ordering::SeqCst);
                if last {
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            if w.pending.is_some() {
                w.problem("the last rotation was never compressed");
            }
            (w.done, w.problems)
        });
        Monitor { stop, busy, thread }
    }

    /// Whether the log is above the limit or a rotation is not finished.
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst)
    }

    /// Stops watching; returns the rotations seen and the problems found.
    pub fn finish(self) -> (Vec<Rotation>, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("monitor thread")
    }
}

struct Watch {
    out: Out,
    log: PathBuf,
    rotated: PathBuf,
    compressed: PathBuf,
    limit: u64,
    writer: Arc<WatchedFile>,
    /// The inode at the log's path, once the writer created it.
    ino: Option<u64>,
    /// When the file now at the path was first seen at or above the limit.
    crossed: Option<Instant>,
    reopens: u64,
    pending: Option<Pending>,
    done: Vec<Rotation>,
    problems: Vec<String>,
}

impl Watch {
    fn problem(&mut self, what: &str) {
        self.out.say(&format!("PROBLEM: {what}"));
        self.problems.push(what.to_string());
    }

    fn poll(&mut self) {
        // The counter first: a reopen implies the rename, which the path then shows.
        let reopens = self.writer.stats().reopens;
        let Ok(md) = fs::metadata(&self.log) else { return };
        let now = Instant::now();
        match self.ino {
            Some(old) if old != md.ino() => self.renamed(now),
            _ => {}
        }
        self.ino = Some(md.ino());
        if self.crossed.is_none() && md.len() >= self.limit {
            self.crossed = Some(now);
            self.out.say(&format!(
                "app.log reached {} (the rule says size 1M): logrotated hears of it through inotify",
                human(md.len())
            ));
        }
        if reopens > self.reopens {
            self.reopens = reopens;
            self.reopened(now);
        }
        if self.pending.is_some() && !self.rotated.exists() && self.compressed.exists() {
            self.compressed();
        }
    }

    fn renamed(&mut self, now: Instant) {
        if self.pending.is_some() {
            self.problem("a new rotation began before the last one was compressed");
        }
        let size = fs::metadata(&self.rotated).map_or(0, |m| m.len());
        let lag = self.crossed.take().map(|c| now - c);
        let after =
            lag.map_or(String::new(), |l| format!(", {} after it crossed the limit", super::millis(l)));
        self.out.say(&format!(
            "logrotated renamed app.log to app.log.1 ({}){after}; created a new app.log",
            human(size)
        ));
        self.out.say("logrotated waits for the writer's shared lock on app.log.1 before compressing it");
        self.pending = Some(Pending { renamed: now, rotation: Rotation { lag, lock_wait: None } });
    }

    fn reopened(&mut self, now: Instant) {
        let n = self.reopens;
        match self.pending.as_mut() {
            Some(p) if p.rotation.lock_wait.is_none() => {
                let wait = now - p.renamed;
                p.rotation.lock_wait = Some(wait);
                self.out.say(&format!(
                        "writer reopened app.log (reopen #{n}) and released its lock on app.log.1, {} after the rename",
                        super::millis(wait)
                    ),
                );
            }
            _ => self.out.say(&format!("writer reopened app.log (reopen #{n})")),
        }
    }

    fn compressed(&mut self) {
        // The counter goes up just after the lock is released: look again before judging.
        let reopens = self.writer.stats().reopens;
        if reopens > self.reopens {
            self.reopens = reopens;
            self.reopened(Instant::now());
        }
        let Some(p) = self.pending.take() else { return };
        if p.rotation.lock_wait.is_none() {
            self.problem("app.log.1 was compressed before the writer released it");
        }
        let size = fs::metadata(&self.compressed).map_or(0, |m| m.len());
        let raw = fs::File::open(&self.compressed)
            .and_then(|f| std::io::copy(&mut flate2::read::MultiGzDecoder::new(f), &mut std::io::sink()))
            .unwrap_or(0);
        self.out.say(&format!(
            "logrotated got the lock and compressed app.log.1 to app.log.1.gz: {} to {} ({:.1} %)",
            human(raw),
            human(size),
            100.0 * size as f64 / raw.max(1) as f64
        ));
        self.done.push(p.rotation);
    }
}
