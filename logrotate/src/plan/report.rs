//! What a pass tells its caller, computed by the planner: for each log, what was decided and
//! (once executed) whether it rotated, when it is next due, and the size that makes it rotate.
//! The daemon sleeps and wakes on these answers and `--status` prints them: neither keeps its
//! own copy of the rules.

use super::schedule::{frequency, next_due};
use super::{Decision, Due, LogPlan, Refusal, SetPlan, Skip, Warning};
use crate::rule::{Criterion, Options, Rule};
use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

/// The sizes at which a log may rotate before (or without) its time: `size`, `maxsize`, and a
/// time rule's `minsize` (a due log held back by it rotates once it grows past it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeTrigger {
    /// `size N`: rotates at N bytes or more.
    pub size: Option<u64>,
    /// `maxsize N`: rotates above N bytes, even before its time.
    pub max_size: Option<u64>,
    /// `minsize N`: held back below N bytes.
    pub min_size: Option<u64>,
}

impl SizeTrigger {
    /// The trigger of a rule, if its logs can be made to rotate by growing.
    pub fn of(o: &Options) -> Option<SizeTrigger> {
        let size = match o.criterion {
            Some(Criterion::Size(n)) => Some(n),
            _ => None,
        };
        let t = SizeTrigger { size, max_size: o.max_size, min_size: o.min_size };
        (t.size.is_some() || t.max_size.is_some() || t.min_size.is_some()).then_some(t)
    }

    /// Whether a log of `size` bytes may rotate by size now (the planner has the last word:
    /// `minsize` only lets a due time rule go).
    pub fn is_crossed(&self, size: u64) -> bool {
        self.size.is_some_and(|n| size >= n)
            || self.max_size.is_some_and(|m| size > m)
            || self.min_size.is_some_and(|m| size >= m)
    }
}

/// What became of a log in a pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It is due (a plan that was not carried out: `--status`, `--plan-json`).
    Due(Due),
    /// It rotated.
    Rotated(Due),
    /// Its rotation started and failed (an error was reported).
    Failed(Due),
    /// Left alone, and why.
    Skipped(Vec<Skip>),
    /// Left alone with an error.
    Refused(Refusal),
    /// Left alone with a warning.
    Warned(Warning),
}

/// One log of a pass.
#[derive(Debug, Clone, PartialEq)]
pub struct LogReport {
    /// The log.
    pub path: PathBuf,
    /// Index of its rule.
    pub rule: usize,
    /// What became of it.
    pub outcome: Outcome,
    /// Its last rotation in the state before the pass (`None`: not there yet).
    pub last: Option<NaiveDateTime>,
    /// When its time rule is next due, after this pass (`None`: no time rule).
    pub next_due: Option<NaiveDateTime>,
    /// The sizes that make it rotate (`None`: it does not rotate by size).
    pub size_trigger: Option<SizeTrigger>,
}

/// What one pass did, or would do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PassReport {
    /// The logs, in the order they were handled.
    pub logs: Vec<LogReport>,
}

impl PassReport {
    /// The logs that rotated, in the order they did.
    pub fn rotated(&self) -> impl Iterator<Item = &Path> {
        self.logs.iter().filter(|l| matches!(l.outcome, Outcome::Rotated(_))).map(|l| l.path.as_path())
    }

    /// The earliest moment after `now` at which a time rule becomes due. Moments already past
    /// belong to logs the pass chose not to rotate (`notifempty`, `minsize`, `minage`...).
    pub fn next_due_after(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.logs.iter().filter_map(|l| l.next_due).filter(|&due| due > now).min()
    }
}

/// The report on `sets` planned at `now` for `rules`. `rotated` is what the executor says
/// rotated (in any order), or `None` when the plan was not carried out.
pub fn report(
    rules: &[Rule],
    sets: &[SetPlan],
    now: NaiveDateTime,
    rotated: Option<&[PathBuf]>,
) -> PassReport {
    // Looked up once per log: a set, not a scan of the list (10,000 logs made it quadratic).
    let rotated: Option<std::collections::HashSet<&std::path::Path>> =
        rotated.map(|r| r.iter().map(PathBuf::as_path).collect());
    let logs = sets
        .iter()
        .flat_map(|set| set.logs.iter().map(move |log| (set.rule, log)))
        .map(|(i, log)| log_report(&rules[i], i, log, now, rotated.as_ref()))
        .collect();
    PassReport { logs }
}

fn log_report(
    rule: &Rule,
    index: usize,
    log: &LogPlan,
    now: NaiveDateTime,
    rotated: Option<&std::collections::HashSet<&std::path::Path>>,
) -> LogReport {
    let outcome = match (&log.decision, rotated) {
        (Decision::Rotate(due, _), None) => Outcome::Due(due.clone()),
        (Decision::Rotate(due, _), Some(done)) if done.contains(log.path.as_path()) => {
            Outcome::Rotated(due.clone())
        }
        (Decision::Rotate(due, _), Some(_)) => Outcome::Failed(due.clone()),
        (Decision::Skip(whys), _) => Outcome::Skipped(whys.clone()),
        (Decision::Error(why), _) => Outcome::Refused(why.clone()),
        (Decision::Warn(why), _) => Outcome::Warned(why.clone()),
    };
    // What the state holds for the log once the pass is over: a rotation that started is
    // recorded at `now`, a new log at its first sighting.
    let recorded = match outcome {
        Outcome::Rotated(_) | Outcome::Failed(_) => now,
        _ => log.record.unwrap_or(log.last_rotated),
    };
    LogReport {
        path: log.path.clone(),
        rule: index,
        last: (!log.is_new).then_some(log.last_rotated),
        next_due: frequency(&rule.options).map(|freq| next_due(freq, recorded)),
        size_trigger: SizeTrigger::of(&rule.options),
        outcome,
    }
}
