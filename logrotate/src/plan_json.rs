//! `logrotate --plan-json`: the [`Plan`] as a versioned JSON document for tools.
//!
//! The planner's own types stay free to change; this module maps them to its own serde structs,
//! whose shape is the stable contract described by `docs/plan-json.schema.json` (JSON Schema
//! draft 2020-12). A change that is not backward compatible (a field renamed, removed or given
//! another type) bumps [`VERSION`]; new optional fields do not.
//!
//! Times are local, `YYYY-MM-DDTHH:MM:SS`, as the state file keeps them. Modes are octal
//! strings (`"0640"`). Paths are text; a name that is not UTF-8 has its invalid bytes replaced
//! by U+FFFD (JSON strings are Unicode).
//!
//! # Examples
//!
//! ```
//! use logrotate::{plan::Plan, plan_json};
//! let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(3, 0, 0).unwrap();
//! let doc = plan_json::document(&Plan { now, sets: Vec::new() }, &[]);
//! let json = serde_json::to_value(&doc)?;
//! assert_eq!(json["version"], 1);
//! assert_eq!(json["now"], "2026-11-23T03:00:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::plan::{Decision, LogPlan, Method, Plan, Rotation, SetPlan, Step};
use crate::rule::{CreateSpec, Rule};
use chrono::NaiveDateTime;
use serde::Serialize;
use std::path::Path;

/// The version of the document's shape (`"version"`), as in `docs/plan-json.schema.json`.
pub const VERSION: u32 = 1;

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// [`VERSION`].
    pub version: u32,
    /// The clock reading the plan was made for.
    pub now: String,
    /// One entry per rule that matched something, in config order.
    pub sets: Vec<SetJson>,
}

/// Where a rule was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleJson {
    /// The config file.
    pub file: String,
    /// 1-based line where the stanza starts.
    pub line: usize,
    /// The whole pattern, as passed to shared scripts.
    pub pattern: String,
}

/// One log set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetJson {
    /// Its rule.
    pub rule: RuleJson,
    /// One entry per file.
    pub logs: Vec<LogJson>,
}

/// What happens to one log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogJson {
    /// The log.
    pub path: String,
    /// `rotate`, `skip`, `error` or `warn`.
    pub decision: &'static str,
    /// Why, in logrotate 3.21's words, one line each (may be empty).
    pub reasons: Vec<String>,
    /// When it last rotated, as the decision saw it (the first-seen time for a new log).
    pub last_rotated: String,
    /// The state has no entry for it yet.
    pub new_in_state: bool,
    /// The time written to the state for it before anything runs, if any.
    pub record: Option<String>,
    /// The steps, when it rotates.
    pub rotation: Option<RotationJson>,
}

/// The steps of one rotation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationJson {
    /// `rename`, `copy`, `copytruncate` or `renamecopy`.
    pub method: &'static str,
    /// The archive the log becomes, before compression.
    pub rotated: String,
    /// The log is not moved after all, with this error (its dated archive exists already).
    pub refused: Option<String>,
    /// `rotate 0` with a copy method: no copy is made.
    pub skip_copy: bool,
    /// A new empty log is created with this mode and owner.
    pub create: Option<SpecJson>,
    /// Steps before the prerotate script.
    pub prepare: Vec<StepJson>,
    /// Steps after the postrotate script.
    pub finish: Vec<StepJson>,
}

/// Mode and owner of something created; a missing part is taken from the log (or defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecJson {
    /// Octal mode, such as `"0640"`.
    pub mode: Option<String>,
    /// User name or numeric id, as written.
    pub owner: Option<String>,
    /// Group name or numeric id, as written.
    pub group: Option<String>,
}

/// One filesystem step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "lowercase")]
pub enum StepJson {
    /// Create the archive directory.
    CreateDir {
        /// The directory.
        path: String,
        /// Its mode and owner.
        spec: SpecJson,
    },
    /// Rename a file.
    Rename {
        /// From.
        from: String,
        /// To.
        to: String,
    },
    /// Compress `src` into `dst`, then remove `src`.
    Compress {
        /// Source.
        src: String,
        /// Archive.
        dst: String,
    },
    /// Mail a file.
    Mail {
        /// The file.
        path: String,
        /// Subject line.
        subject: String,
        /// Whether the file is compressed (it is mailed uncompressed).
        compressed: bool,
    },
    /// Remove an archive.
    Remove {
        /// The file.
        path: String,
    },
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A mode as an octal string of at least four digits with a leading zero: `"0640"`, `"01777"`.
pub fn octal_mode(mode: u32) -> String {
    format!("0{mode:03o}")
}

fn spec(s: &CreateSpec) -> SpecJson {
    SpecJson {
        mode: s.mode.map(octal_mode),
        owner: s.owner.as_ref().map(ToString::to_string),
        group: s.group.as_ref().map(ToString::to_string),
    }
}

fn step(s: &Step) -> StepJson {
    match s {
        Step::CreateDir { path, spec: sp } => StepJson::CreateDir { path: text(path), spec: spec(sp) },
        Step::Rename { from, to } => StepJson::Rename { from: text(from), to: text(to) },
        Step::Compress { src, dst } => StepJson::Compress { src: text(src), dst: text(dst) },
        Step::Mail { path, subject, compressed } => {
            StepJson::Mail { path: text(path), subject: subject.clone(), compressed: *compressed }
        }
        Step::Remove { path } => StepJson::Remove { path: text(path) },
    }
}

fn method(m: Method) -> &'static str {
    match m {
        Method::Rename => "rename",
        Method::Copy => "copy",
        Method::CopyTruncate => "copytruncate",
        Method::RenameCopy => "renamecopy",
    }
}

fn rotation(r: &Rotation) -> RotationJson {
    RotationJson {
        method: method(r.method),
        rotated: text(&r.rotated),
        refused: r.refused.clone(),
        skip_copy: r.skip_copy,
        create: r.create.as_ref().map(spec),
        prepare: r.prepare.iter().map(step).collect(),
        finish: r.finish.iter().map(step).collect(),
    }
}

/// The decision's name and its reasons, one per line of 3.21's output.
fn decision(d: &Decision) -> (&'static str, Vec<String>) {
    let name = match d {
        Decision::Rotate(..) => "rotate",
        Decision::Skip(_) => "skip",
        Decision::Error(_) => "error",
        Decision::Warn(_) => "warn",
    };
    (name, d.lines())
}

fn log(l: &LogPlan) -> LogJson {
    let (decision, reasons) = decision(&l.decision);
    LogJson {
        path: text(&l.path),
        decision,
        reasons,
        last_rotated: time(l.last_rotated),
        new_in_state: l.is_new,
        record: l.record.map(time),
        rotation: l.rotation().map(rotation),
    }
}

fn set(s: &SetPlan, rules: &[Rule]) -> SetJson {
    let (file, line) =
        rules.get(s.rule).map_or((String::new(), 0), |r| (text(&r.source.file), r.source.line));
    SetJson {
        rule: RuleJson { file, line, pattern: s.pattern.clone() },
        logs: s.logs.iter().map(log).collect(),
    }
}

/// The document for `plan`, made from `rules` (the rules the plan was made from).
pub fn document(plan: &Plan, rules: &[Rule]) -> Document {
    Document {
        version: VERSION,
        now: time(plan.now),
        sets: plan.sets.iter().map(|s| set(s, rules)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_octal_strings() {
        assert_eq!(octal_mode(0o640), "0640");
        assert_eq!(octal_mode(0o7), "0007");
        assert_eq!(octal_mode(0o1777), "01777");
    }

    #[test]
    fn reasons_are_one_per_line() {
        use crate::plan::Skip;
        let d = Decision::Skip(vec![Skip::BelowSize, Skip::Empty]);
        assert_eq!(
            decision(&d).1,
            [
                "log does not need rotating (log size is below the 'size' threshold)",
                "log does not need rotating (log is empty)"
            ]
        );
        assert!(decision(&Decision::Skip(vec![Skip::DirMissingOk])).1.is_empty());
    }
}
