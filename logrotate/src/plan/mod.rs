//! The planner: a pure function from rules, file facts, state and the clock to a [`Plan`].
//!
//! Nothing here touches the filesystem or reads the clock, so every decision is testable with
//! tables of named cases (see `tests.rs`).

use crate::pathbytes::PathShow as _;
pub mod names;
mod rotation;
pub mod schedule;

use crate::rule::{Criterion, Frequency, Rule};
use crate::scan::{FileFacts, FileKind, SetFacts};
use crate::state::State;
use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::Serialize;
use std::path::PathBuf;

pub use rotation::{first_archive_name, method_of, plan_rotation, Method, Note, Rotation, Step};

/// Settings of one run that are not part of any rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunFlags {
    /// `-f`: rotate even if no criterion says so.
    pub force: bool,
    /// The process runs as root (enables the insecure-directory check).
    pub is_root: bool,
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

/// What happens to one log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", content = "reason", rename_all = "lowercase")]
pub enum Decision {
    /// Rotate, and why.
    Rotate(String),
    /// Leave it, and why (not an error).
    Skip(String),
    /// Leave it and report an error (exit status 1).
    Error(String),
    /// Leave it and print a warning (exit status unaffected): something we never rotate.
    Warn(String),
}

/// The plan for one log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogPlan {
    /// The log path.
    pub path: PathBuf,
    /// Rotate, skip or error.
    pub decision: Decision,
    /// The state entry to write before anything runs: the first-seen time for a new log (the
    /// executor records `now` for a rotating log once its rotation starts).
    pub record: Option<NaiveDateTime>,
    /// When it last rotated, as the decision saw it (the first-seen time for a new log).
    pub last_rotated: NaiveDateTime,
    /// The steps, when rotating.
    pub rotation: Option<Rotation>,
    /// The state had no entry for the log (3.21 then says `Creating new state`).
    #[serde(skip)]
    pub is_new: bool,
    /// The log itself was looked at (3.21's `lstat` of it was reached and succeeded): its
    /// `Creating new state` comes before the reasons, not after the error.
    #[serde(skip)]
    pub is_found: bool,
}

impl LogPlan {
    /// Whether this log rotates.
    pub fn is_rotating(&self) -> bool {
        self.rotation.is_some()
    }
}

/// The plan for one rule (log set).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetPlan {
    /// Index of the rule.
    pub rule: usize,
    /// The whole pattern, as passed to shared scripts.
    pub pattern: String,
    /// One entry per file.
    pub logs: Vec<LogPlan>,
}

impl SetPlan {
    /// Whether at least one log of the set rotates (scripts run only then).
    pub fn is_rotating(&self) -> bool {
        self.logs.iter().any(LogPlan::is_rotating)
    }
}

/// Everything one run will do.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
            SetPlan {
                rule: set.rule,
                pattern: rule.pattern_string(),
                logs: set.files.iter().map(|f| plan_log(rule, f, state, now, flags)).collect(),
            }
        })
        .collect();
    Plan { now, sets }
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
    let decision = decide(rule, f, last_rotated, now, flags);
    let blocked_dir = flags.is_root && o_su_none(rule) && (f.parent_missing || f.insecure_dir);
    let is_found = f.kind != FileKind::Missing && !blocked_dir;
    let mut out = LogPlan {
        path: f.path.clone(),
        decision,
        record,
        last_rotated,
        rotation: None,
        is_new: last.is_none(),
        is_found,
    };
    if let Decision::Rotate(_) = &out.decision {
        match rotation::plan_rotation(rule, f, now) {
            Ok(r) => out.rotation = Some(r),
            Err(msg) => {
                // logrotate records the attempt, so it is not retried until the next period.
                out.record = Some(now);
                out.decision = Decision::Error(msg);
            }
        }
    }
    out
}

fn o_su_none(rule: &Rule) -> bool {
    rule.options.su.is_none()
}

fn skip(s: &str) -> Decision {
    Decision::Skip(s.to_string())
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

/// Why a log that is not rotated is not, in logrotate 3.21's words.
fn not_needed(why: &str) -> Decision {
    Decision::Skip(format!("log does not need rotating ({why})"))
}

fn decide(rule: &Rule, f: &FileFacts, last: NaiveDateTime, now: NaiveDateTime, flags: RunFlags) -> Decision {
    let o = &rule.options;
    let path = f.path.shown();
    // As root (without su), logrotate looks at the log's directory first.
    if flags.is_root && o.su.is_none() {
        if f.parent_missing {
            if o.missing_ok {
                // 3.21 says nothing at all here.
                return skip("");
            }
            let dir = f.path.parent().unwrap_or(std::path::Path::new(".")).shown();
            return Decision::Error(format!("stat of {dir} failed: No such file or directory"));
        }
        if f.insecure_dir {
            return Decision::Error(format!(
                "skipping \"{path}\" because parent directory has insecure permissions (It's world writable or writable by group which is not \"root\") Set \"su\" directive in config file to tell logrotate which user/group should be used for rotation."
            ));
        }
    }
    match f.kind {
        FileKind::Missing if o.missing_ok => return skip(&format!("log {path} does not exist -- skipping")),
        FileKind::Missing => {
            return Decision::Error(format!("stat of {path} failed: No such file or directory"))
        }
        FileKind::Symlink => {
            return skip(&format!(
                "log {path} is symbolic link. Rotation of symbolic links is not allowed to avoid security issues -- skipping."
            ))
        }
        // A FIFO, socket or device: never rotated (logrotate would rename a FIFO, or block
        // reading it), and said as a warning.
        FileKind::Other | FileKind::Directory => {
            return Decision::Warn(format!("log {path} is not a regular file -- skipping"))
        }
        FileKind::Regular => {}
    }
    if let Some(link) = f.archive_dir_link.as_ref().filter(|_| flags.is_root && o.su.is_none()) {
        return Decision::Error(format!(
            "skipping \"{path}\" because olddir {} is reached through the symbolic link {}, in a directory writable by a user other than root. Set \"su\" directive in config file to tell logrotate which user/group should be used for rotation.",
            f.archive_dir.shown(),
            link.shown()
        ));
    }
    if f.nlink > 1 && !o.allow_hardlink {
        return skip(&format!(
            "log {path} has multiple ({}) hard links. Rotation of files with multiple hard links is not allowed for {} -- skipping.",
            f.nlink,
            rule.pattern_string()
        ));
    }
    let decision = if flags.force {
        Decision::Rotate("forced from command line".to_string())
    } else if o.max_size.is_some_and(|m| f.size > m) {
        Decision::Rotate("log size is above the 'maxsize' threshold".to_string())
    } else {
        match o.criterion {
            Some(Criterion::Size(n)) if f.size >= n => {
                Decision::Rotate(format!("log size {} >= size {n}", f.size))
            }
            Some(Criterion::Size(_)) | None => not_needed("log size is below the 'size' threshold"),
            Some(Criterion::Time(_)) if last - now > chrono::Duration::hours(25) => {
                Decision::Rotate(format!("log {path} last rotated in the future -- rotation forced"))
            }
            Some(Criterion::Time(freq)) => time_decision(o, f, freq, last, now),
        }
    };
    match decision {
        // The notifempty flag overrides the normal criteria.
        Decision::Rotate(_) if !o.if_empty && f.size == 0 => not_needed("log is empty"),
        d => d,
    }
}

/// A time rule: due by its frequency, then held back by `minsize` or `minage` (which only ever
/// hold back a time rule), in logrotate's words.
fn time_decision(
    o: &crate::rule::Options,
    f: &FileFacts,
    freq: Frequency,
    last: NaiveDateTime,
    now: NaiveDateTime,
) -> Decision {
    let same_hour = last.date() == now.date() && last.hour() == now.hour();
    if same_hour {
        return not_needed("log has already been rotated");
    }
    // As 3.21, every reason that holds is said, one line each.
    let mut held_back = Vec::new();
    if !is_time_due(freq, last, now) {
        let period = match freq {
            Frequency::Hourly => "an hour",
            Frequency::Daily => "a day",
            Frequency::Weekly(_) => "a week",
            Frequency::Monthly => "a month",
            Frequency::Yearly => "a year",
        };
        held_back.push(format!(
            "log has been rotated at {}, which is less than {period} ago",
            last.format("%Y-%m-%d %H:%M")
        ));
    }
    if o.min_size.is_some_and(|min| f.size < min) {
        held_back.push(
            "'minsize' directive is used and the log size is smaller than the minsize value".to_string(),
        );
    }
    // As logrotate: held back up to and including the `minage` days.
    let too_young = o.min_age.is_some_and(|age| {
        i64::try_from(age.as_secs())
            .ok()
            .is_none_or(|age| rotation::whole_seconds_between(f.mtime, now) <= age)
    });
    if too_young {
        held_back
            .push("'minage' directive is used and the log age is smaller than the minage days".to_string());
    }
    if !held_back.is_empty() {
        let lines: Vec<String> =
            held_back.iter().map(|why| format!("log does not need rotating ({why})")).collect();
        return Decision::Skip(lines.join("\n  "));
    }
    Decision::Rotate(format!("{freq:?} rotation is due").to_lowercase())
}

#[cfg(test)]
pub(crate) mod tests;
