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
//! assert_eq!(json["version"], 2);
//! assert_eq!(json["now"], "2026-11-23T03:00:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::plan::sequence::{Action, Blocker, ScriptArg, ScriptKind, SetStep};
use crate::plan::{Decision, LogPlan, Plan, Rotation, SetPlan, Step};
use crate::rule::{CreateSpec, MoveMethod, Options, Rule};
use chrono::NaiveDateTime;
use serde::Serialize;
use std::path::Path;

#[path = "plan_json_guard.rs"]
pub mod guard;

/// The version of the document's shape (`"version"`), as in `docs/plan-json.schema.json`.
pub const VERSION: u32 = 2;

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// [`VERSION`].
    pub version: u32,
    /// The clock reading the plan was made for.
    pub now: String,
    /// One entry per rule that matched something, in config order.
    pub sets: Vec<SetJson>,
    /// What the disk guard would do after the pass, when a rule sets `maxtotalsize` or
    /// `minfree`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<guard::GuardJson>,
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
    /// The identity file operations take (`su`), if any.
    pub su: Option<SuJson>,
    /// `sharedscripts`: prerotate and postrotate run once for the set, and a failure anywhere
    /// stops the set's remaining actions.
    pub shared_scripts: bool,
    /// A log of the set was refused with an error, and with `sharedscripts` that blocks the
    /// set's actions from the start.
    pub starts_failed: bool,
    /// One entry per file.
    pub logs: Vec<LogJson>,
    /// What runs, in order.
    pub steps: Vec<SetStepJson>,
}

/// `su USER GROUP`, as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuJson {
    /// User name or numeric id.
    pub user: String,
    /// Group name or numeric id (`null`: the user's group).
    pub group: Option<String>,
}

/// What blocks a step, or what its failure blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockerJson {
    /// `firstaction` (only a failed first action script), `set` (any failure in the set), or
    /// `log` (a failure of `log`, or of the set).
    pub scope: &'static str,
    /// The log, for `log`.
    pub log: Option<String>,
}

/// One step of a set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetStepJson {
    /// What it does.
    #[serde(flatten)]
    pub action: ActionJson,
    /// It is skipped once this failed (a blocked `prepare` only says its steps).
    pub blocked_by: BlockerJson,
    /// What its failure blocks (`null`: nothing, but the run fails).
    pub failure_blocks: Option<BlockerJson>,
}

/// What a step of a set does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ActionJson {
    /// Run a script: `/bin/sh -c TEXT logrotate_script ARGS...`.
    Script {
        /// `firstaction`, `prerotate`, `postrotate` or `lastaction`.
        script: &'static str,
        /// Its arguments.
        args: Vec<String>,
        /// Its text.
        text: String,
    },
    /// Start a log's rotation: its `rotation.prepare` steps.
    Prepare {
        /// The log.
        log: String,
        /// The archive renames wait for the prerotate script (then `shift`).
        renames_later: bool,
    },
    /// The archive renames held back for the prerotate script.
    Shift {
        /// The log.
        log: String,
    },
    /// Move (or copy) the log, and create the new one.
    Move {
        /// The log.
        log: String,
    },
    /// The log's `rotation.finish` steps.
    Finish {
        /// The log.
        log: String,
    },
    /// A script that does not run, since no log of the set rotates.
    NotRunning {
        /// Which.
        script: &'static str,
    },
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
        /// It is overwritten first (`shred`).
        shred: bool,
        /// The `preremove` script runs first, with the file as its argument.
        preremove: bool,
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

fn step(s: &Step, o: &Options) -> StepJson {
    match s {
        Step::CreateDir { path, spec: sp } => StepJson::CreateDir { path: text(path), spec: spec(sp) },
        Step::Rename { from, to } => StepJson::Rename { from: text(from), to: text(to) },
        Step::Compress { src, dst } => StepJson::Compress { src: text(src), dst: text(dst) },
        Step::Mail { path, subject, compressed } => {
            StepJson::Mail { path: text(path), subject: subject.clone(), compressed: *compressed }
        }
        Step::Remove { path } => {
            StepJson::Remove { path: text(path), shred: o.shred, preremove: o.scripts.preremove.is_some() }
        }
    }
}

fn method(m: MoveMethod) -> &'static str {
    match m {
        MoveMethod::Rename => "rename",
        // 3.21's `copy` with `renamecopy` is planned as a copy (see `Rotation::method`).
        MoveMethod::Copy | MoveMethod::CopyAndRenameCopy => "copy",
        MoveMethod::CopyTruncate => "copytruncate",
        MoveMethod::RenameCopy => "renamecopy",
    }
}

fn rotation(r: &Rotation, o: &Options) -> RotationJson {
    RotationJson {
        method: method(r.method),
        rotated: text(&r.rotated),
        refused: r.refused.as_ref().map(ToString::to_string),
        skip_copy: r.skip_copy,
        create: r.create.as_ref().map(spec),
        prepare: r.prepare.iter().map(|s| step(s, o)).collect(),
        finish: r.finish.iter().map(|s| step(s, o)).collect(),
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

fn log(l: &LogPlan, o: &Options) -> LogJson {
    let (decision, reasons) = decision(&l.decision);
    LogJson {
        path: text(&l.path),
        decision,
        reasons,
        last_rotated: time(l.last_rotated),
        new_in_state: l.is_new,
        record: l.record.map(time),
        rotation: l.rotation().map(|r| rotation(r, o)),
    }
}

fn script_name(kind: ScriptKind) -> &'static str {
    match kind {
        ScriptKind::FirstAction => "firstaction",
        ScriptKind::PreRotate => "prerotate",
        ScriptKind::PostRotate => "postrotate",
        ScriptKind::LastAction => "lastaction",
    }
}

fn blocker(b: Blocker, s: &SetPlan) -> BlockerJson {
    match b {
        Blocker::FirstAction => BlockerJson { scope: "firstaction", log: None },
        Blocker::Set => BlockerJson { scope: "set", log: None },
        Blocker::Log(i) => BlockerJson { scope: "log", log: s.logs.get(i).map(|l| text(&l.path)) },
    }
}

fn set_step(st: &SetStep, s: &SetPlan, o: &Options) -> SetStepJson {
    let path = |i: &usize| s.logs.get(*i).map(|l| text(&l.path)).unwrap_or_default();
    let action = match &st.action {
        Action::Script { kind, args } => ActionJson::Script {
            script: script_name(*kind),
            args: args
                .iter()
                .map(|a| match a {
                    // As the script gets it: without 3.21's trailing blank.
                    ScriptArg::Pattern => s.pattern.trim_end().to_string(),
                    ScriptArg::Log(i) => path(i),
                    ScriptArg::Rotated(i) => s
                        .logs
                        .get(*i)
                        .and_then(LogPlan::rotation)
                        .map(|r| text(&r.rotated))
                        .unwrap_or_default(),
                })
                .collect(),
            text: kind.text(o).unwrap_or_default().to_string(),
        },
        Action::Prepare { log, renames_later } => {
            ActionJson::Prepare { log: path(log), renames_later: *renames_later }
        }
        Action::Shift { log } => ActionJson::Shift { log: path(log) },
        Action::Move { log } => ActionJson::Move { log: path(log) },
        Action::Finish { log } => ActionJson::Finish { log: path(log) },
        Action::NotRunning(kind) => ActionJson::NotRunning { script: script_name(*kind) },
    };
    SetStepJson {
        action,
        blocked_by: blocker(st.blocked_by, s),
        failure_blocks: st.failure_blocks.map(|b| blocker(b, s)),
    }
}

fn set(s: &SetPlan, rules: &[Rule]) -> SetJson {
    let default = Options::default();
    let (file, line, o) = rules
        .get(s.rule)
        .map_or((String::new(), 0, &default), |r| (text(&r.source.file), r.source.line, &r.options));
    SetJson {
        rule: RuleJson { file, line, pattern: s.pattern.clone() },
        su: o.su.as_ref().map(|su| SuJson {
            user: su.user.to_string(),
            group: su.group.as_ref().map(ToString::to_string),
        }),
        shared_scripts: o.shared_scripts,
        starts_failed: s.starts_failed,
        logs: s.logs.iter().map(|l| log(l, o)).collect(),
        steps: s.steps.iter().map(|st| set_step(st, s, o)).collect(),
    }
}

/// The document for `plan`, made from `rules` (the rules the plan was made from).
pub fn document(plan: &Plan, rules: &[Rule]) -> Document {
    Document {
        version: VERSION,
        now: time(plan.now),
        sets: plan.sets.iter().map(|s| set(s, rules)).collect(),
        guard: None,
    }
}

/// [`document`], with what the disk guard would do after the pass (`guard`).
pub fn document_with_guard(
    plan: &Plan,
    rules: &[Rule],
    guard_plan: Option<&crate::plan::guard::GuardPlan>,
) -> Document {
    Document { guard: guard_plan.map(guard::guard), ..document(plan, rules) }
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
