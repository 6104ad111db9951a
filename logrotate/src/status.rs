//! `logrotate --status`: a table of every log with its rule, last rotation, when it is next due
//! (or what triggers it), and its current size, for people.
//!
//! Whether a log is due now is the planner's answer ([`plan::plan_log`], as a run would decide
//! it); when it is not, the next due time comes from [`next_due`], the same rule the planner and
//! 3.21 apply (`daily` is due from the next midnight, not 24 hours later).

use crate::exec::report::Reporter;
use crate::pathbytes::PathShow as _;
use crate::plan::schedule::{frequency, next_due};
use crate::plan::{self, Decision, Identity, RunFlags};
use crate::rule::{Criterion, Rule};
use crate::plan::{FileFacts, FileKind};
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

/// What the NEXT DUE column says for a log last rotated at `last` (`None`: not in the state),
/// given what the planner decided for it at `now`.
pub fn next_text(
    rule: &Rule,
    f: &FileFacts,
    last: Option<NaiveDateTime>,
    decision: &Decision,
    now: NaiveDateTime,
) -> String {
    let o = &rule.options;
    match decision {
        Decision::Rotate(..) => return "due now".to_string(),
        Decision::Warn(_) => return "never (not a regular file)".to_string(),
        Decision::Error(_) if f.kind != FileKind::Missing => return "not rotated: error (see -d)".into(),
        _ => {}
    }
    let mut next = match (frequency(o), last) {
        (Some(freq), Some(last)) => {
            let due = next_due(freq, last);
            if due > now {
                minute(due)
            } else if f.kind == FileKind::Missing {
                "due, but missing".to_string()
            } else {
                format!("due, held back: {}", held_back(decision))
            }
        }
        (Some(_), None) => "first run records it".to_string(),
        (None, _) => match o.criterion {
            Some(Criterion::Size(n)) => format!("size ≥ {}", human_size(n)),
            _ => "only with -f".to_string(),
        },
    };
    if let Some(max) = o.max_size {
        next.push_str(&format!(" or size > {}", human_size(max)));
    }
    if let Some(min) = o.min_size.filter(|_| frequency(o).is_some()) {
        next.push_str(&format!(" (if size ≥ {})", human_size(min)));
    }
    next
}

/// The first reason a due log is skipped, without 3.21's `log does not need rotating (...)`.
fn held_back(decision: &Decision) -> String {
    match decision {
        Decision::Skip(whys) => {
            whys.first().map(|w| w.not_needed_why().unwrap_or_else(|| w.to_string())).unwrap_or_default()
        }
        d => d.lines().into_iter().next().unwrap_or_default(),
    }
}

/// Builds the rows for `rules` against the state at `state_path` (read without locking), as a
/// run at `now` would see them.
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
    let flags = RunFlags { force: false, is_root: identity.is_root() };
    let mut rows = Vec::new();
    for set in &sets {
        let rule = &rules[set.rule];
        for f in &set.files {
            let last = state.get(&crate::pathbytes::path_text(&f.path));
            let decision = plan::plan_log(rule, f, &state, now, flags).decision;
            rows.push(StatusRow {
                log: f.path.shown().to_string(),
                rule: rule.source.to_string(),
                last: last.map_or("never".to_string(), minute),
                next: next_text(rule, f, last, &decision, now),
                size: match f.kind {
                    FileKind::Missing => "missing".to_string(),
                    _ => human_size(f.size),
                },
            });
        }
    }
    rows
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

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
