//! The disk guard's plan: which archives `maxtotalsize` and `minfree` remove after a pass, and
//! which logs `minfree` rotates when removing archives is not enough. A pure function of the
//! rules, the file facts (archives with sizes and times) and each filesystem's free space, so
//! the order it removes in is tested with tables of made-up facts.
//!
//! - `maxtotalsize SIZE`: for each log of the rule, its archives oldest first are removed until
//!   the rest fit in SIZE. It holds after every pass, whether the log rotated or not.
//! - `minfree SIZE|N%`: on each filesystem that holds archives of rules that set it (the largest
//!   threshold wins), while the free space is below the threshold, their archives are removed
//!   oldest first (by modification time) across all their logs, keeping each log's newest
//!   archive while any other is left; then the newest ones, each with a warning; then, if still
//!   short, the largest live logs that have a size rule are rotated (largest first).
//!
//! The live logs of every rule are never removed.

use super::facts::{Archive, FileFacts, FileKind, SetFacts};
use crate::pathbytes::PathShow as _;
use crate::rule::{Criterion, Options, Rule};
use crate::size::human_size;
use chrono::NaiveDateTime;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A filesystem as the guard sees it (`statvfs`: `f_bavail * f_frsize`, as `df` shows users).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disk {
    /// A directory on it, to name it in messages (the first archive directory seen there).
    pub path: PathBuf,
    /// Bytes available to unprivileged users.
    pub avail: u64,
    /// The filesystem's size in bytes.
    pub total: u64,
}

/// What the guard knows of the disks: each filesystem, and which one each directory is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Disks {
    /// The filesystems.
    pub disks: Vec<Disk>,
    /// Directory (archive directory or a log's directory) → index into `disks`.
    pub of_dir: HashMap<PathBuf, usize>,
}

impl Disks {
    fn of(&self, dir: &Path) -> Option<usize> {
        self.of_dir.get(dir).copied()
    }
}

/// Why the guard removes an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "directive", rename_all = "lowercase")]
pub enum Reason {
    /// The log's archives total more than its `maxtotalsize`.
    MaxTotalSize {
        /// The log.
        log: PathBuf,
        /// Its archives' total before this removal.
        total: u64,
        /// The limit.
        max: u64,
    },
    /// The filesystem has less free space than `minfree` asks.
    MinFree {
        /// A directory on the filesystem.
        disk: PathBuf,
        /// Its free space before this removal (counting the removals planned before it).
        free: u64,
        /// The threshold.
        needs: u64,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::MaxTotalSize { log, total, max } => write!(
                f,
                "maxtotalsize: the archives of {} total {}, more than {}",
                log.shown(),
                human_size(*total),
                human_size(*max)
            ),
            Reason::MinFree { disk, free, needs } => write!(
                f,
                "minfree: {} has {} free, needs {}",
                disk.shown(),
                human_size(*free),
                human_size(*needs)
            ),
        }
    }
}

/// One archive the guard removes (after `preremove`, shredded with `shred`, as any removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// Index of the rule.
    pub rule: usize,
    /// The log it is an archive of.
    pub log: PathBuf,
    /// The archive.
    pub path: PathBuf,
    /// Its size.
    pub size: u64,
    /// Its modification time.
    pub mtime: NaiveDateTime,
    /// It is the log's newest archive (said as a warning).
    pub newest: bool,
    /// Why.
    pub reason: Reason,
}

impl Removal {
    /// The line said for it (with `-v`; as a warning for a log's newest archive).
    pub fn message(&self) -> String {
        if self.newest {
            format!(
                "removing the newest archive {} of {} ({})",
                self.path.shown(),
                self.log.shown(),
                self.reason
            )
        } else {
            format!("removing old log {} ({})", self.path.shown(), self.reason)
        }
    }
}

/// A live log `minfree` rotates (and compresses) because removing archives was not enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuardRotation {
    /// Index of the rule.
    pub rule: usize,
    /// The log.
    pub log: PathBuf,
    /// Its size.
    pub size: u64,
    /// Why (always [`Reason::MinFree`]).
    pub reason: Reason,
}

/// A filesystem with a `minfree` threshold, as the guard found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiskCheck {
    /// A directory on it.
    pub path: PathBuf,
    /// Free space now.
    pub free: u64,
    /// The threshold (the largest of the rules on it).
    pub needs: u64,
    /// Free space once the planned removals are done (before any rotation).
    pub free_after: u64,
}

/// Everything the guard does after a pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GuardPlan {
    /// Archives to remove, in order.
    pub removals: Vec<Removal>,
    /// Logs to rotate, largest first.
    pub rotations: Vec<GuardRotation>,
    /// Each filesystem with a `minfree` threshold.
    pub disks: Vec<DiskCheck>,
}

impl GuardPlan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.removals.is_empty() && self.rotations.is_empty()
    }
}

/// Whether any rule sets `maxtotalsize` or `minfree` (else the guard has nothing to look at).
pub fn is_guarded(o: &Options) -> bool {
    o.max_total_size.is_some() || o.min_free.is_some()
}

/// How old an archive is among those of its log when the times tie: a higher number is older,
/// an earlier date is older.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Age {
    Numbered(std::cmp::Reverse<u64>),
    Dated([i64; 6]),
}

/// One archive of a log, as the guard orders it.
#[derive(Debug, Clone)]
struct Cand<'a> {
    rule: usize,
    log: &'a Path,
    dir: &'a Path,
    archive: &'a Archive,
    age: Age,
}

impl Cand<'_> {
    fn path(&self) -> PathBuf {
        self.dir.join(crate::pathbytes::to_os(&self.archive.name))
    }

    /// Oldest first: by time, then by the name's number or date, then by path.
    fn key(&self) -> (NaiveDateTime, &Age, PathBuf) {
        (self.archive.mtime, &self.age, self.path())
    }
}

/// A compression extension: `.` and a few letters or digits (`.gz`, `.zst`, `.bz2`).
fn is_comp_ext(s: &str) -> bool {
    s.strip_prefix('.')
        .is_some_and(|e| !e.is_empty() && e.len() <= 8 && e.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The archives of a log, oldest first: its numbered (`LOG.N`) and dated (`LOG-DATE`) names,
/// compressed or not; other files that merely start with its name are not its archives.
fn archives_of<'a>(rule: usize, o: &Options, f: &'a FileFacts) -> Vec<Cand<'a>> {
    let file_name = f.path.file_name().map(|n| crate::pathbytes::from_os(n).into_owned()).unwrap_or_default();
    let (base, ext) = super::names::split_ext(o, &file_name);
    let format = o.effective_date_format();
    let tail_ok =
        |tail: &str| tail.strip_prefix(ext.as_str()).is_some_and(|c| c.is_empty() || is_comp_ext(c));
    let mut out: Vec<Cand<'a>> = f
        .archives
        .iter()
        .filter_map(|a| {
            let rest = a.name.strip_prefix(base.as_str())?;
            let numbered = rest.strip_prefix('.').and_then(|r| {
                let digits = r.bytes().take_while(u8::is_ascii_digit).count();
                let n = r[..digits].parse::<u64>().ok()?;
                tail_ok(&r[digits..]).then_some(Age::Numbered(std::cmp::Reverse(n)))
            });
            let age = numbered.or_else(|| {
                let len = crate::dateext::match_prefix(format, rest)?;
                tail_ok(&rest[len..]).then(|| Age::Dated(crate::dateext::sort_key(format, &rest[..len])))
            })?;
            Some(Cand { rule, log: &f.path, dir: &f.archive_dir, archive: a, age })
        })
        .collect();
    out.sort_by(|a, b| a.key().cmp(&b.key()));
    out
}

/// How many archives of a log the guard counts (those `maxtotalsize` and `minfree` may
/// remove), and their total size.
pub fn archive_total(o: &Options, f: &FileFacts) -> (usize, u64) {
    let cands = archives_of(0, o, f);
    (cands.len(), cands.iter().map(|c| c.archive.size).sum())
}

/// Plans what the guard removes and rotates (see the module's docs).
pub fn plan_guard(rules: &[Rule], sets: &[SetFacts], disks: &Disks) -> GuardPlan {
    let live: HashSet<&Path> = sets
        .iter()
        .flat_map(|s| &s.files)
        .filter(|f| f.kind != FileKind::Missing)
        .map(|f| f.path.as_path())
        .collect();
    // The logs of the other rules (not scanned for the guard) are known by their patterns.
    let others: Vec<glob::Pattern> = rules
        .iter()
        .filter(|r| !is_guarded(&r.options))
        .flat_map(|r| &r.patterns)
        .filter_map(|p| glob::Pattern::new(p).ok())
        .collect();
    let is_live = |p: &Path| live.contains(p) || others.iter().any(|g| g.matches_path(p));
    let mut plan = GuardPlan::default();
    let mut freed = vec![0u64; disks.disks.len()];
    // Every log of a guarded rule, with its archives oldest first (never a live log).
    let mut logs: Vec<(usize, &FileFacts, Vec<Cand>)> = Vec::new();
    for set in sets {
        let o = &rules[set.rule].options;
        if !is_guarded(o) {
            continue;
        }
        for f in set.files.iter().filter(|f| f.kind == FileKind::Regular) {
            let mut cands = archives_of(set.rule, o, f);
            cands.retain(|c| !is_live(&c.path()));
            logs.push((set.rule, f, cands));
        }
    }
    // maxtotalsize: each log on its own.
    for (rule, f, cands) in &mut logs {
        let Some(max) = rules[*rule].options.max_total_size else { continue };
        let mut total: u64 = cands.iter().map(|c| c.archive.size).sum();
        let count = cands.len();
        let mut gone = 0;
        while total > max && gone < count {
            let c = &cands[gone];
            let reason = Reason::MaxTotalSize { log: f.path.clone(), total, max };
            plan.removals.push(removal(c, gone + 1 == count, reason));
            if let Some(d) = disks.of(c.dir) {
                freed[d] += c.archive.size;
            }
            total -= c.archive.size;
            gone += 1;
        }
        cands.drain(..gone);
    }
    // minfree: each filesystem with a threshold.
    for (d, disk) in disks.disks.iter().enumerate() {
        let on_disk = |f: &FileFacts| disks.of(&f.archive_dir) == Some(d);
        let needs = logs
            .iter()
            .filter(|(_, f, _)| on_disk(f))
            .filter_map(|(rule, _, _)| rules[*rule].options.min_free)
            .map(|m| m.bytes_of(disk.total))
            .max();
        let Some(needs) = needs else { continue };
        let mut free = disk.avail.saturating_add(freed[d]);
        let now_free = free;
        let mut older: Vec<(&Cand, bool)> = Vec::new();
        for (rule, f, cands) in &logs {
            if rules[*rule].options.min_free.is_none() || !on_disk(f) {
                continue;
            }
            let last = cands.len().saturating_sub(1);
            older.extend(cands.iter().enumerate().map(|(i, c)| (c, i == last)));
        }
        // The logs' newest archives go last, and only if the others were not enough.
        older.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.key().cmp(&b.0.key())));
        for (c, newest) in older {
            if free >= needs {
                break;
            }
            let reason = Reason::MinFree { disk: disk.path.clone(), free, needs };
            plan.removals.push(removal(c, newest, reason));
            free = free.saturating_add(c.archive.size);
        }
        plan.disks.push(DiskCheck { path: disk.path.clone(), free: now_free, needs, free_after: free });
        if free >= needs {
            continue;
        }
        // Still short: rotate the largest live logs that have a size rule.
        let mut big: Vec<(usize, &FileFacts)> = logs
            .iter()
            .filter(|(rule, f, _)| {
                let o = &rules[*rule].options;
                let sized = matches!(o.criterion, Some(Criterion::Size(_))) || o.max_size.is_some();
                let dir = f.path.parent().unwrap_or(Path::new("."));
                o.min_free.is_some()
                    && sized
                    && f.size > 0
                    && disks.of(dir).or(disks.of(&f.archive_dir)) == Some(d)
            })
            .map(|(rule, f, _)| (*rule, *f))
            .collect();
        big.sort_by(|a, b| b.1.size.cmp(&a.1.size).then_with(|| a.1.path.cmp(&b.1.path)));
        for (rule, f) in big {
            if free >= needs {
                break;
            }
            let reason = Reason::MinFree { disk: disk.path.clone(), free, needs };
            plan.rotations.push(GuardRotation { rule, log: f.path.clone(), size: f.size, reason });
            // At best the whole log is freed (compressed logs shrink to a fraction).
            free = free.saturating_add(f.size);
        }
    }
    plan
}

fn removal(c: &Cand, newest: bool, reason: Reason) -> Removal {
    Removal {
        rule: c.rule,
        log: c.log.to_path_buf(),
        path: c.path(),
        size: c.archive.size,
        mtime: c.archive.mtime,
        newest,
        reason,
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
