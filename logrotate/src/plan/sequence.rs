//! The order in which a log set's scripts and rotations run, and what a failure stops, as
//! logrotate 3.21 does it (its `rotateLogSet`): firstaction → per group (the whole set with
//! `sharedscripts`, else each log): prepare each log → prerotate → [archive renames held for
//! prerotate] → move each log → postrotate → finish each log → lastaction. The executor runs
//! these steps and only keeps the failure flags; which step a failure blocks is decided here.

use super::LogPlan;
use crate::rule::Options;

/// A script of a stanza.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// `firstaction`: once, before anything.
    FirstAction,
    /// `prerotate`: before a group's logs move.
    PreRotate,
    /// `postrotate`: after a group's logs moved.
    PostRotate,
    /// `lastaction`: once, at the end.
    LastAction,
}

impl ScriptKind {
    /// The name 3.21 gives it in `running … script` and its errors.
    pub fn words(self) -> &'static str {
        match self {
            ScriptKind::FirstAction => "first action",
            ScriptKind::PreRotate => "prerotate",
            ScriptKind::PostRotate => "postrotate",
            ScriptKind::LastAction => "last action",
        }
    }

    /// Its text in a rule's options, if the rule has it.
    pub fn text(self, o: &Options) -> Option<&str> {
        let s = &o.scripts;
        match self {
            ScriptKind::FirstAction => s.firstaction.as_deref(),
            ScriptKind::PreRotate => s.prerotate.as_deref(),
            ScriptKind::PostRotate => s.postrotate.as_deref(),
            ScriptKind::LastAction => s.lastaction.as_deref(),
        }
    }
}

/// An argument of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptArg {
    /// The set's whole pattern (shared scripts, first and last action).
    Pattern,
    /// The log (index in the set's logs).
    Log(usize),
    /// The archive the log became (`$2` of a non-shared postrotate).
    Rotated(usize),
}

/// What a step waits for: it is skipped once this has failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    /// Only the first action script (nothing runs after it failed, not even lastaction).
    FirstAction,
    /// Anything in the set (`sharedscripts`: a failure anywhere stops the rest).
    Set,
    /// This log (index in the set's logs), or the set.
    Log(usize),
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run a script with these arguments.
    Script {
        /// Which.
        kind: ScriptKind,
        /// Its arguments (`$1`, `$2`).
        args: Vec<ScriptArg>,
    },
    /// Start rotating a log: record it in the state at `now`, say so, and carry out the steps
    /// before prerotate (all of them, or all but the archive renames, which then wait for
    /// [`Action::Shift`]). When blocked, the steps are only said.
    Prepare {
        /// Index in the set's logs.
        log: usize,
        /// The archive renames wait for the prerotate script.
        renames_later: bool,
    },
    /// The archive renames held back for the prerotate script.
    Shift {
        /// Index in the set's logs.
        log: usize,
    },
    /// Move (or copy) the log and create the new one.
    Move {
        /// Index in the set's logs.
        log: usize,
    },
    /// Compress, mail and remove what the rotation leaves.
    Finish {
        /// Index in the set's logs.
        log: usize,
    },
    /// 3.21's note that a script does not run because no log rotates.
    NotRunning(ScriptKind),
}

impl Action {
    /// The log (index in the set's logs) the step belongs to, if it is one log's.
    pub fn log(&self) -> Option<usize> {
        match self {
            Action::Prepare { log, .. }
            | Action::Shift { log }
            | Action::Move { log }
            | Action::Finish { log } => Some(*log),
            Action::Script { .. } | Action::NotRunning(_) => None,
        }
    }
}

/// One step of a set, with what blocks it and what its failure blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetStep {
    /// What it does.
    pub action: Action,
    /// It is skipped (a [`Action::Prepare`] only says its steps) once this failed.
    pub blocked_by: Blocker,
    /// What its failure blocks (`None`: nothing that follows, but the run fails).
    pub failure_blocks: Option<Blocker>,
}

/// The steps of a set whose logs were decided as in `logs`, under options `o`. `failed`: a log
/// of the set was refused with an error (with `sharedscripts`, that stops the set's actions).
pub fn sequence(o: &Options, logs: &[LogPlan]) -> (Vec<SetStep>, bool) {
    let refused = logs.iter().any(|l| matches!(l.decision, super::Decision::Error(_)));
    let shared = o.shared_scripts;
    let rotating: Vec<usize> = (0..logs.len()).filter(|&i| logs[i].is_rotating()).collect();
    let has = |k: ScriptKind| k.text(o).is_some();
    let step = |action, blocked_by, failure_blocks| SetStep { action, blocked_by, failure_blocks };
    let mut steps = Vec::new();
    if rotating.is_empty() {
        let notes = [
            (ScriptKind::FirstAction, true),
            (ScriptKind::PreRotate, shared && !refused),
            (ScriptKind::PostRotate, shared && !refused),
            (ScriptKind::LastAction, true),
        ];
        for (kind, said) in notes {
            if said && has(kind) {
                steps.push(step(Action::NotRunning(kind), Blocker::FirstAction, None));
            }
        }
        return (steps, refused && shared);
    }
    let script = |kind, args| Action::Script { kind, args };
    if has(ScriptKind::FirstAction) {
        let first = script(ScriptKind::FirstAction, vec![ScriptArg::Pattern]);
        steps.push(step(first, Blocker::FirstAction, Some(Blocker::FirstAction)));
    }
    let groups: Vec<&[usize]> =
        if shared { vec![&rotating[..]] } else { rotating.iter().map(std::slice::from_ref).collect() };
    let renames_later = has(ScriptKind::PreRotate);
    for group in groups {
        // What the group's failures block, and what blocks its scripts: the whole set with
        // sharedscripts, else the one log.
        let scope = if shared { Blocker::Set } else { Blocker::Log(group[0]) };
        let own = |i: usize| if shared { Blocker::Set } else { Blocker::Log(i) };
        for &i in group {
            steps.push(step(Action::Prepare { log: i, renames_later }, Blocker::Log(i), Some(own(i))));
        }
        if renames_later {
            let args = if shared { vec![ScriptArg::Pattern] } else { vec![ScriptArg::Log(group[0])] };
            steps.push(step(script(ScriptKind::PreRotate, args), scope, Some(scope)));
            for &i in group {
                steps.push(step(Action::Shift { log: i }, Blocker::Log(i), Some(own(i))));
            }
        }
        for &i in group {
            steps.push(step(Action::Move { log: i }, Blocker::Log(i), Some(own(i))));
        }
        if has(ScriptKind::PostRotate) {
            let args = if shared {
                vec![ScriptArg::Pattern]
            } else {
                vec![ScriptArg::Log(group[0]), ScriptArg::Rotated(group[0])]
            };
            steps.push(step(script(ScriptKind::PostRotate, args), scope, Some(scope)));
        }
        for &i in group {
            steps.push(step(Action::Finish { log: i }, Blocker::Log(i), Some(own(i))));
        }
    }
    if has(ScriptKind::LastAction) {
        let last = script(ScriptKind::LastAction, vec![ScriptArg::Pattern]);
        steps.push(step(last, Blocker::FirstAction, None));
    }
    (steps, refused && shared)
}
