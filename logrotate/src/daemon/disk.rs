//! The daemon's real-time disk guard: with `minfree` rules it checks the free space of their
//! filesystems (`statvfs`, one per archive directory) when writes arrive and at least once a
//! second, and asks for a pass over those rules ([`super::triggers::Trigger::DiskLow`]) when
//! one is below its threshold; the pass ends with the guard ([`crate::guard::after_pass`]).

use crate::rule::Rule;
use crate::size::human_size;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often the free space is looked at without writes (a filesystem another program fills).
const POLL: Duration = Duration::from_secs(1);
/// Writes arriving faster than this are checked once.
const MIN_GAP: Duration = Duration::from_millis(100);
/// After a pass that could not bring a filesystem back above its threshold (no archive left),
/// the next try waits this long, so a full disk is not a pass a second.
const BACK_OFF: Duration = Duration::from_secs(60);

/// The directories to watch the space of, and when to look next.
#[derive(Debug)]
pub(super) struct DiskWatch {
    /// Archive directories of `minfree` rules, with the rule.
    dirs: Vec<(PathBuf, usize)>,
    /// The rules that set `minfree`.
    rules: Vec<usize>,
    last: Instant,
    next: Instant,
    held_until: Option<Instant>,
}

impl DiskWatch {
    /// For the rules now in force (a scan of the `minfree` rules' logs).
    pub(super) fn new(rules: &[Rule]) -> Self {
        let now = Instant::now();
        let mut w = DiskWatch { dirs: Vec::new(), rules: Vec::new(), last: now, next: now, held_until: None };
        w.refresh(rules);
        w
    }

    /// Looks again at which directories the `minfree` rules use (after a reload, a rescan).
    pub(super) fn refresh(&mut self, rules: &[Rule]) {
        self.dirs = crate::guard::min_free_dirs(rules);
        self.rules = (0..rules.len()).filter(|&i| rules[i].options.min_free.is_some()).collect();
    }

    /// When the free space is next to be looked at without writes, if there is anything to
    /// look at.
    pub(super) fn next_check(&self) -> Option<Instant> {
        (!self.dirs.is_empty()).then(|| self.held_until.map_or(self.next, |t| t.max(self.next)))
    }

    /// The rules that set `minfree`.
    pub(super) fn rules(&self) -> &[usize] {
        &self.rules
    }

    /// Whether a filesystem is below its `minfree` now (what to say about it). Looked at when the poll is due, or when
    /// `writes` arrived (at most every [`MIN_GAP`]); not while held back after a pass that could
    /// not help.
    pub(super) fn low(&mut self, rules: &[Rule], writes: bool, now: Instant) -> Option<String> {
        let due = now >= self.next || (writes && now >= self.last + MIN_GAP);
        if self.dirs.is_empty() || !due || self.held_until.is_some_and(|t| now < t) {
            return None;
        }
        self.last = now;
        self.next = now + POLL;
        let (dir, free, needs) = crate::guard::first_short(rules, &self.dirs)?;
        Some(format!(
            "minfree: {} has {} free, needs {}: removing old archives",
            dir.display(),
            human_size(free),
            human_size(needs)
        ))
    }

    /// After a pass for a low filesystem: if it is still low, the guard did all it could, and
    /// the next try waits [`BACK_OFF`].
    pub(super) fn acted(&mut self, rules: &[Rule]) {
        let now = Instant::now();
        self.last = now;
        self.next = now + POLL;
        self.held_until = crate::guard::first_short(rules, &self.dirs).map(|_| now + BACK_OFF);
    }
}
