//! The planner: a pure function from rules, file facts, state and the clock to a [`Plan`].
//!
//! Nothing here touches the filesystem or reads the clock, so every decision is testable with
//! tables of named cases (see `tests.rs`).

mod decision;
pub mod facts;
pub mod guard;
pub mod names;
pub mod report;
mod rotation;
pub mod schedule;
pub mod sequence;

use crate::rule::{Criterion, Frequency, Rule};
use crate::state::State;
use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::Serialize;
use std::path::PathBuf;

pub use decision::{Decision, Due, Refusal, Skip, Warning};
pub use facts::{Archive, FileFacts, FileKind, SetFacts};
pub use rotation::{first_archive_name, plan_rotation, Line, LineKind, Note, Rotation, Step};

/// Settings of one run that are not part of any rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunFlags {
    /// `-f`: rotate even if no criterion says so.
    pub force: bool,
    /// The process runs as root (enables the insecure-directory check).
    pub is_root: bool,
    /// The rotations' `-v` lines are read (`-v`, `-d`, `-l`, `--plan-json`): without, they are
    /// not written out.
    pub words: bool,
}

/// Who runs a pass: as root (without `su`) logrotate refuses logs in directories other users
/// may write. The binaries ask the system; the planner only reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The real user id of the process.
    pub uid: u32,
}

impl Identity {
    /// Root.
    pub const ROOT: Identity = Identity { uid: 0 };

    /// Whether this is root.
    pub fn is_root(self) -> bool {
        self.uid == 0
    }
}

/// The plan for one log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogPlan {
    /// The log path.
    pub path: PathBuf,
    /// Rotate (with the rotation's steps), skip or error, and why.
    pub decision: Decision,
    /// The state entry to write before anything runs: the first-seen time for a new log (the
    /// executor records `now` for a rotating log once its rotation starts).
    pub record: Option<NaiveDateTime>,
    /// When it last rotated, as the decision saw it (the first-seen time for a new log).
    pub last_rotated: NaiveDateTime,
    /// The state had no entry for the log (3.21 then says `Creating new state`).
    pub is_new: bool,
    /// The log itself was looked at (3.21's `lstat` of it was reached and succeeded): its
    /// `Creating new state` comes before the reasons, not after the error.
    pub is_found: bool,
}

impl LogPlan {
    /// Whether this log rotates.
    pub fn is_rotating(&self) -> bool {
        self.rotation().is_some()
    }

    /// The steps, when rotating.
    pub fn rotation(&self) -> Option<&Rotation> {
        self.decision.rotation()
    }
}

/// The plan for one rule (log set).
#[derive(Debug, Clone, PartialEq)]
pub struct SetPlan {
    /// Index of the rule.
    pub rule: usize,
    /// The whole pattern, as passed to shared scripts.
    pub pattern: String,
    /// One entry per file.
    pub logs: Vec<LogPlan>,
    /// What runs, in order: scripts and each rotating log's phases, with what a failure stops.
    pub steps: Vec<sequence::SetStep>,
    /// With sharedscripts, a log of the set was refused with an error: the set's actions are
    /// blocked from the start.
    pub starts_failed: bool,
}

impl SetPlan {
    /// The plan for rule number `index` whose logs were decided as `logs`: its steps follow.
    pub fn new(index: usize, rule: &Rule, logs: Vec<LogPlan>) -> SetPlan {
        let (steps, starts_failed) = sequence::sequence(&rule.options, &logs);
        SetPlan { rule: index, pattern: rule.pattern_string(), logs, steps, starts_failed }
    }

    /// Whether at least one log of the set rotates (scripts run only then).
    pub fn is_rotating(&self) -> bool {
        self.logs.iter().any(LogPlan::is_rotating)
    }
}

/// Everything one run will do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The clock reading the plan was made for.
    pub now: NaiveDateTime,
    /// One entry per rule, in config order.
    pub sets: Vec<SetPlan>,
}

/// Plans every set.
pub fn plan(rules: &[Rule], facts: &[SetFacts], state: &State, now: NaiveDateTime, flags: RunFlags) -> Plan {
    let sets = facts
        .iter()
        .map(|set| {
            let rule = &rules[set.rule];
            let logs = plan_logs(rule, &set.files, state, now, flags);
            SetPlan::new(set.rule, rule, logs)
        })
        .collect();
    Plan { now, sets }
}

/// [`plan_log`] for each of `files`, in order; thousands are planned on several threads (each
/// log's plan depends on its own facts only).
fn plan_logs(
    rule: &Rule,
    files: &[FileFacts],
    state: &State,
    now: NaiveDateTime,
    flags: RunFlags,
) -> Vec<LogPlan> {
    const PER_THREAD: usize = 1024;
    let parts = crate::par::parts(files, PER_THREAD);
    let planned = crate::par::map(&parts, |part| {
        part.iter().map(|f| plan_log(rule, f, state, now, flags)).collect::<Vec<_>>()
    });
    planned.into_iter().flatten().collect()
}

/// The time logrotate records for a log it sees for the first time: now, to the hour.
pub fn first_seen(now: NaiveDateTime) -> NaiveDateTime {
    now.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0)).unwrap_or(now)
}

/// Plans one log.
pub fn plan_log(rule: &Rule, f: &FileFacts, state: &State, now: NaiveDateTime, flags: RunFlags) -> LogPlan {
    let path_str = crate::pathbytes::path_text(&f.path);
    let last = state.get(&path_str);
    // Every log considered gets a state entry, even a missing one (as logrotate does).
    let record = if last.is_none() { Some(first_seen(now)) } else { None };
    let last_rotated = last.unwrap_or_else(|| first_seen(now));
    let blocked_dir = flags.is_root && rule.options.su.is_none() && (f.parent_missing || f.insecure_dir);
    let is_found = f.kind != FileKind::Missing && !blocked_dir;
    let mut record = record;
    let decision = match decide(rule, f, last_rotated, now, flags) {
        Ok(due) => match rotation::plan_rotation(rule, f, now, flags.words) {
            Ok(r) => Decision::Rotate(due, Box::new(r)),
            Err(refusal) => {
                // logrotate records the attempt, so it is not retried until the next period.
                record = Some(now);
                Decision::Error(refusal)
            }
        },
        Err(not) => not,
    };
    LogPlan { path: f.path.clone(), decision, record, last_rotated, is_new: last.is_none(), is_found }
}

fn skip(why: Skip) -> Result<Due, Decision> {
    Err(Decision::Skip(vec![why]))
}

/// Whether `freq` says a log last rotated at `last` is due at `now`.
pub fn is_time_due(freq: Frequency, last: NaiveDateTime, now: NaiveDateTime) -> bool {
    match freq {
        Frequency::Hourly => now.date() != last.date() || now.hour() != last.hour(),
        Frequency::Daily => now.date() != last.date(),
        Frequency::Weekly(on) => {
            // As logrotate 3.21: on the weekday (not twice a day), or after 7 calendar days.
            let days = (now.date() - last.date()).num_days();
            days >= 7 || (days >= 1 && on == crate::rule::WeeklyOn::Day(now.weekday()))
        }
        Frequency::Monthly => now.month() != last.month() || now.year() != last.year(),
        Frequency::Yearly => now.year() != last.year(),
    }
}

/// Whether the rule and the state alone prove that a log cannot be due now, whatever its size
/// or age: a time rule without `maxsize`, not forced, last rotated this period (and not in the
/// future). The scanner then need not look at the file at all.
pub fn cannot_be_due(rule: &Rule, last: Option<NaiveDateTime>, now: NaiveDateTime, force: bool) -> bool {
    let o = &rule.options;
    let (Some(last), Some(Criterion::Time(freq)), None, false) = (last, o.criterion, o.max_size, force)
    else {
        return false;
    };
    let same_hour = last.date() == now.date() && last.hour() == now.hour();
    last - now <= chrono::Duration::hours(25) && (same_hour || !is_time_due(freq, last, now))
}

/// Whether the log rotates (and why), or what is decided instead.
fn decide(
    rule: &Rule,
    f: &FileFacts,
    last: NaiveDateTime,
    now: NaiveDateTime,
    flags: RunFlags,
) -> Result<Due, Decision> {
    let o = &rule.options;
    let path = || f.path.clone();
    // As root (without su), logrotate looks at the log's directory first.
    if flags.is_root && o.su.is_none() {
        if f.parent_missing {
            if o.missing_ok {
                // 3.21 says nothing at all here.
                return skip(Skip::DirMissingOk);
            }
            let dir = f.path.parent().unwrap_or(std::path::Path::new(".")).to_path_buf();
            return Err(Decision::Error(Refusal::DirMissing { dir }));
        }
        if f.insecure_dir {
            return Err(Decision::Error(Refusal::InsecureDir { path: path() }));
        }
    }
    match f.kind {
        FileKind::Missing if o.missing_ok => return skip(Skip::Missing { path: path() }),
        FileKind::Missing => return Err(Decision::Error(Refusal::Missing { path: path() })),
        FileKind::Symlink => return skip(Skip::Symlink { path: path() }),
        // A FIFO, socket or device: never rotated (logrotate would rename a FIFO, or block
        // reading it), and said as a warning.
        FileKind::Other | FileKind::Directory => {
            return Err(Decision::Warn(Warning::NotRegular { path: path() }))
        }
        FileKind::Regular => {}
    }
    if let Some(link) = f.archive_dir_link.as_ref().filter(|_| flags.is_root && o.su.is_none()) {
        let (olddir, link) = (f.archive_dir.clone(), link.clone());
        return Err(Decision::Error(Refusal::OlddirThroughLink { path: path(), olddir, link }));
    }
    if f.nlink > 1 && !o.allow_hardlink {
        return skip(Skip::HardLinks { path: path(), count: f.nlink, pattern: rule.pattern_string() });
    }
    let due = if flags.force {
        Due::Forced
    } else if let Some(max) = o.max_size.filter(|&m| f.size > m) {
        Due::AboveMaxSize { size: f.size, max }
    } else {
        match o.criterion {
            Some(Criterion::Size(n)) if f.size >= n => Due::Size { size: f.size, min: n },
            Some(Criterion::Size(_)) | None => return skip(Skip::BelowSize),
            Some(Criterion::Time(_)) if last - now > chrono::Duration::hours(25) => {
                Due::LastRotatedInFuture { path: path() }
            }
            Some(Criterion::Time(freq)) => time_decision(o, f, freq, last, now)?,
        }
    };
    // The notifempty flag overrides the normal criteria.
    if !o.if_empty && f.size == 0 {
        return skip(Skip::Empty);
    }
    Ok(due)
}

/// A time rule: due by its frequency, then held back by `minsize` or `minage` (which only ever
/// hold back a time rule); as 3.21, every reason that holds is given.
fn time_decision(
    o: &crate::rule::Options,
    f: &FileFacts,
    freq: Frequency,
    last: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Due, Decision> {
    let same_hour = last.date() == now.date() && last.hour() == now.hour();
    if same_hour {
        return skip(Skip::AlreadyRotated);
    }
    let mut held_back = Vec::new();
    if !is_time_due(freq, last, now) {
        held_back.push(Skip::NotDue { last, period: freq });
    }
    if let Some(min) = o.min_size.filter(|&min| f.size < min) {
        held_back.push(Skip::TooSmall { size: f.size, min });
    }
    // As logrotate: held back up to and including the `minage` days.
    if let Some(min_age) = o.min_age {
        let min_secs = i64::try_from(min_age.as_secs()).ok();
        let age_secs = rotation::whole_seconds_between(f.mtime, now);
        if min_secs.is_none_or(|min| age_secs <= min) {
            held_back.push(Skip::TooYoung { age_secs, min_secs });
        }
    }
    if !held_back.is_empty() {
        return Err(Decision::Skip(held_back));
    }
    Ok(Due::Period(freq))
}

#[cfg(test)]
mod decision_tests;
#[cfg(test)]
mod report_tests;
#[cfg(test)]
mod sequence_tests;
#[cfg(test)]
pub(crate) mod tests;
