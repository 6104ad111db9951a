//! `logrotate --status`: a table of every log with its rule, last rotation, what triggers the
//! next one, and its current size.

use crate::app::Exit;
use crate::exec::report::Reporter;
use crate::pathbytes::PathShow as _;
use crate::plan::schedule::{frequency, next_due};
use crate::rule::{Criterion, Rule};
use crate::scan::{self, FileKind};
use crate::size::format_size;
use crate::state::StateFile;
use std::path::Path;

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// The log path.
    pub log: String,
    /// `FILE:LINE` of its rule.
    pub rule: String,
    /// Last rotation (or first sighting), local time.
    pub last: String,
    /// When it is next due, or the size that triggers it.
    pub next: String,
    /// Current size, or `missing`.
    pub size: String,
}

/// Builds the rows for `rules` against the state at `state_path` (read without locking).
pub fn rows(rules: &[Rule], state_path: &Path, out: &mut Reporter) -> Vec<StatusRow> {
    let (state, diags) = StateFile::read_only(state_path).read();
    for d in diags {
        out.error(&d.message);
    }
    let mut diags = Vec::new();
    let sets = scan::scan(rules, &mut diags);
    let mut rows = Vec::new();
    for set in &sets {
        let rule = &rules[set.rule];
        let o = &rule.options;
        for f in &set.files {
            let last = state.get(&crate::pathbytes::path_text(&f.path));
            let mut next = match (frequency(o), last) {
                (Some(freq), Some(l)) => next_due(freq, l).format("%Y-%m-%d %H:%M").to_string(),
                (Some(_), None) => "next period (not seen yet)".to_string(),
                (None, _) => match o.criterion {
                    Some(Criterion::Size(n)) => format!("size >= {}", format_size(n)),
                    _ => "only with -f".to_string(),
                },
            };
            if let Some(max) = o.max_size {
                next.push_str(&format!(" or size > {}", format_size(max)));
            }
            if let Some(min) = o.min_size {
                next.push_str(&format!(" (if size >= {})", format_size(min)));
            }
            rows.push(StatusRow {
                log: f.path.shown().to_string(),
                rule: rule.source.to_string(),
                last: last.map_or("never".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
                next,
                size: match f.kind {
                    FileKind::Missing => "missing".to_string(),
                    _ => format_size(f.size),
                },
            });
        }
    }
    rows
}

/// Prints the table to stdout.
pub fn print_status(rules: &[Rule], state_path: &Path, out: &mut Reporter) -> Exit {
    let rows = rows(rules, state_path, out);
    let header = StatusRow {
        log: "LOG".into(),
        rule: "RULE".into(),
        last: "LAST ROTATED".into(),
        next: "NEXT DUE / TRIGGER".into(),
        size: "SIZE".into(),
    };
    let all: Vec<&StatusRow> = std::iter::once(&header).chain(&rows).collect();
    let w = |f: fn(&StatusRow) -> &str| all.iter().map(|r| f(r).len()).max().unwrap_or(0);
    let (wl, wr, wt, wn) = (w(|r| &r.log), w(|r| &r.rule), w(|r| &r.last), w(|r| &r.next));
    for r in all {
        println!("{:wl$}  {:wr$}  {:wt$}  {:wn$}  {}", r.log, r.rule, r.last, r.next, r.size);
    }
    crate::app::exit_for(out)
}
