//! `logrotate --status`: a table of every log with its rule, last rotation, when it is next due
//! (or what triggers it), and its current size, for people.
//!
//! Every answer is the planner's ([`plan::report`]): whether a log is due now (as a run would
//! decide it), when it is next due (`daily` is due from the next midnight, as in 3.21), and the
//! sizes that trigger it. This module only words them.

use crate::exec::report::Reporter;
use crate::pathbytes::PathShow as _;
use crate::plan::report::{report, LogReport, Outcome};
use crate::plan::{self, FileKind, Identity, RunFlags};
use crate::rule::Rule;
use crate::scan;
use crate::size::human_size;
use crate::state::StateFile;
use chrono::NaiveDateTime;
use std::path::Path;

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// The log path.
    pub log: String,
    /// `FILE:LINE` of its rule.
    pub rule: String,
    /// Last rotation (or first sighting), local time, or `never`.
    pub last: String,
    /// `due now`, the date it is next due, or the size that triggers it.
    pub next: String,
    /// Current size, or `missing`.
    pub size: String,
}

fn minute(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// What the NEXT DUE column says for a log, from the planner's report of a pass at `now`
/// (`missing`: the log does not exist).
pub fn next_text(log: &LogReport, missing: bool, now: NaiveDateTime) -> String {
    match &log.outcome {
        Outcome::Due(_) | Outcome::Rotated(_) | Outcome::Failed(_) => return "due now".to_string(),
        Outcome::Warned(_) => return "never (not a regular file)".to_string(),
        Outcome::Refused(_) if !missing => return "not rotated: error (see -d)".into(),
        _ => {}
    }
    let trigger = log.size_trigger.as_ref();
    let mut next = match (log.next_due, log.last) {
        (Some(due), Some(_)) => {
            if due > now {
                minute(due)
            } else if missing {
                "due, but missing".to_string()
            } else {
                format!("due, held back: {}", held_back(&log.outcome))
            }
        }
        (Some(_), None) => "first run records it".to_string(),
        (None, _) => match trigger.and_then(|t| t.size) {
            Some(n) => format!("size ≥ {}", human_size(n)),
            None => "only with -f".to_string(),
        },
    };
    if let Some(max) = trigger.and_then(|t| t.max_size) {
        next.push_str(&format!(" or size > {}", human_size(max)));
    }
    if let Some(min) = trigger.and_then(|t| t.min_size).filter(|_| log.next_due.is_some()) {
        next.push_str(&format!(" (if size ≥ {})", human_size(min)));
    }
    next
}

/// The first reason a due log is left alone, without 3.21's `log does not need rotating (...)`.
fn held_back(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Skipped(whys) => {
            whys.first().map(|w| w.not_needed_why().unwrap_or_else(|| w.to_string())).unwrap_or_default()
        }
        Outcome::Refused(why) => why.to_string(),
        Outcome::Warned(why) => why.to_string(),
        Outcome::Due(why) | Outcome::Rotated(why) | Outcome::Failed(why) => why.to_string(),
    }
}

/// Builds the rows for `rules` against the state at `state_path` (read without locking), from
/// the planner's report of a pass at `now` (planned, not carried out).
pub fn rows(
    rules: &[Rule],
    state_path: &Path,
    now: NaiveDateTime,
    identity: Identity,
    out: &mut Reporter,
) -> Vec<StatusRow> {
    let (state, diags) = StateFile::read_only(state_path).read();
    for d in diags {
        out.error(&d.message);
    }
    let mut diags = Vec::new();
    let sets = scan::scan(rules, &mut diags);
    let flags = RunFlags { force: false, is_root: identity.is_root(), words: false };
    let plan = plan::plan(rules, &sets, &state, now, flags);
    let report = report(rules, &plan.sets, now, None);
    let files = sets.iter().flat_map(|s| &s.files);
    report
        .logs
        .iter()
        .zip(files)
        .map(|(log, f)| {
            let missing = f.kind == FileKind::Missing;
            StatusRow {
                log: f.path.shown().to_string(),
                rule: rules[log.rule].source.to_string(),
                last: log.last.map_or("never".to_string(), minute),
                next: next_text(log, missing, now),
                size: if missing { "missing".to_string() } else { human_size(f.size) },
            }
        })
        .collect()
}

/// The rows as an aligned table, header first (widths count characters, not bytes).
pub fn table(rows: &[StatusRow]) -> String {
    let header = StatusRow {
        log: "LOG".into(),
        rule: "RULE".into(),
        last: "LAST ROTATED".into(),
        next: "NEXT DUE / TRIGGER".into(),
        size: "SIZE".into(),
    };
    let all: Vec<&StatusRow> = std::iter::once(&header).chain(rows).collect();
    let w = |f: fn(&StatusRow) -> &str| all.iter().map(|r| f(r).chars().count()).max().unwrap_or(0);
    let (wl, wr, wt, wn) = (w(|r| &r.log), w(|r| &r.rule), w(|r| &r.last), w(|r| &r.next));
    let mut text = String::new();
    for r in all {
        // `{:w$}` pads by characters, so `≥` counts as one column.
        let line = format!("{:wl$}  {:wr$}  {:wt$}  {:wn$}  {}", r.log, r.rule, r.last, r.next, r.size);
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

#[path = "status_guard.rs"]
mod guard;
pub use guard::guard_tables;

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
