//! Planner tables for a set's sequence: which scripts run around which logs, in what order,
//! and what a failure stops (sharedscripts: the whole set; else the one log).

use super::sequence::{Action, Blocker, ScriptArg, ScriptKind};
use super::tests::{facts, now, rule, state, t};
use super::*;
use crate::rule::Options;

/// Two logs of one rule, `a` and `b`, each rotating or not (its size is below the rule's
/// `size`), and `c`, missing when `c_missing` (an error without missingok).
fn set(edit: impl FnOnce(&mut Options), rotates: [bool; 2], c_missing: bool) -> SetPlan {
    let r = rule(|o| {
        o.criterion = Some(crate::rule::Criterion::Size(10));
        edit(o)
    });
    let mut logs = Vec::new();
    for (name, rotates) in [("a", rotates[0]), ("b", rotates[1])] {
        let size = if rotates { 100 } else { 1 };
        let mut f = facts(size, &[]);
        f.path = format!("/l/{name}.log").into();
        logs.push(plan_log(&r, &f, &state(Some(t(2026, 11, 1, 0))), now(), RunFlags::default()));
    }
    if c_missing {
        let mut f = facts(0, &[]);
        f.path = "/l/c.log".into();
        f.kind = FileKind::Missing;
        logs.push(plan_log(&r, &f, &state(None), now(), RunFlags::default()));
    }
    SetPlan::new(0, &r, logs)
}

fn scripts(first: bool, pre: bool, post: bool, last: bool, shared: bool) -> impl FnOnce(&mut Options) {
    move |o| {
        let s = |on: bool, name: &str| on.then(|| format!("echo {name}"));
        o.scripts.firstaction = s(first, "first");
        o.scripts.prerotate = s(pre, "pre");
        o.scripts.postrotate = s(post, "post");
        o.scripts.lastaction = s(last, "last");
        o.shared_scripts = shared;
    }
}

fn block(b: Blocker) -> String {
    match b {
        Blocker::FirstAction => "first".into(),
        Blocker::Set => "set".into(),
        Blocker::Log(i) => format!("log{i}"),
    }
}

/// Each step as `action [blocked by → failure blocks]`.
fn steps(p: &SetPlan) -> Vec<String> {
    p.steps
        .iter()
        .map(|s| {
            let what = match &s.action {
                Action::Script { kind, args } => {
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| match a {
                            ScriptArg::Pattern => "pattern".to_string(),
                            ScriptArg::Log(i) => format!("log{i}"),
                            ScriptArg::Rotated(i) => format!("rotated{i}"),
                        })
                        .collect();
                    format!("{}({})", kind.words(), args.join(","))
                }
                Action::Prepare { log, renames_later: true } => format!("prepare{log}-norenames"),
                Action::Prepare { log, .. } => format!("prepare{log}"),
                Action::Shift { log } => format!("shift{log}"),
                Action::Move { log } => format!("move{log}"),
                Action::Finish { log } => format!("finish{log}"),
                Action::NotRunning(kind) => format!("not-running({})", kind.words()),
            };
            let fails = s.failure_blocks.map_or("-".to_string(), block);
            format!("{what} [{}→{fails}]", block(s.blocked_by))
        })
        .collect()
}

macro_rules! sequence_cases {
    ($($name:ident: $scripts:expr, rotates $b:expr, c_missing $c:expr => starts_failed $sf:expr, [$($step:expr),* $(,)?];)*) => {$(
        #[test]
        fn $name() {
            let p = set($scripts, $b, $c);
            assert_eq!(steps(&p), vec![$($step),*]);
            assert_eq!(p.starts_failed, $sf);
        }
    )*};
}

sequence_cases! {
    no_scripts_each_log_in_turn: scripts(false, false, false, false, false), rotates [true, true], c_missing false
        => starts_failed false, [
            "prepare0 [log0→log0]", "move0 [log0→log0]", "finish0 [log0→log0]",
            "prepare1 [log1→log1]", "move1 [log1→log1]", "finish1 [log1→log1]",
        ];
    non_shared_scripts_run_per_log_with_its_path_and_archive: scripts(true, true, true, true, false), rotates [true, true], c_missing false
        => starts_failed false, [
            "first action(pattern) [first→first]",
            "prepare0-norenames [log0→log0]", "prerotate(log0) [log0→log0]", "shift0 [log0→log0]",
            "move0 [log0→log0]", "postrotate(log0,rotated0) [log0→log0]", "finish0 [log0→log0]",
            "prepare1-norenames [log1→log1]", "prerotate(log1) [log1→log1]", "shift1 [log1→log1]",
            "move1 [log1→log1]", "postrotate(log1,rotated1) [log1→log1]", "finish1 [log1→log1]",
            "last action(pattern) [first→-]",
        ];
    shared_scripts_run_once_around_all_logs_and_a_failure_stops_the_set: scripts(false, true, true, false, true), rotates [true, true], c_missing false
        => starts_failed false, [
            "prepare0-norenames [log0→set]", "prepare1-norenames [log1→set]",
            "prerotate(pattern) [set→set]",
            "shift0 [log0→set]", "shift1 [log1→set]",
            "move0 [log0→set]", "move1 [log1→set]",
            "postrotate(pattern) [set→set]",
            "finish0 [log0→set]", "finish1 [log1→set]",
        ];
    only_rotating_logs_get_steps: scripts(false, false, true, false, false), rotates [true, false], c_missing false
        => starts_failed false, ["prepare0 [log0→log0]", "move0 [log0→log0]", "postrotate(log0,rotated0) [log0→log0]", "finish0 [log0→log0]"];
    shared_set_with_a_refused_log_starts_failed: scripts(false, true, false, false, true), rotates [true, false], c_missing true
        => starts_failed true, ["prepare0-norenames [log0→set]", "prerotate(pattern) [set→set]", "shift0 [log0→set]", "move0 [log0→set]", "finish0 [log0→set]"];
    non_shared_set_with_a_refused_log_goes_on: scripts(false, true, false, false, false), rotates [true, false], c_missing true
        => starts_failed false, ["prepare0-norenames [log0→log0]", "prerotate(log0) [log0→log0]", "shift0 [log0→log0]", "move0 [log0→log0]", "finish0 [log0→log0]"];
    nothing_rotating_says_which_scripts_do_not_run: scripts(true, true, true, true, true), rotates [false, false], c_missing false
        => starts_failed false, [
            "not-running(first action) [first→-]", "not-running(prerotate) [first→-]",
            "not-running(postrotate) [first→-]", "not-running(last action) [first→-]",
        ];
    nothing_rotating_not_shared_says_first_and_last_only: scripts(true, true, true, true, false), rotates [false, false], c_missing false
        => starts_failed false, ["not-running(first action) [first→-]", "not-running(last action) [first→-]"];
    nothing_rotating_shared_with_an_error_says_first_and_last_only: scripts(true, true, true, true, true), rotates [false, false], c_missing true
        => starts_failed true, ["not-running(first action) [first→-]", "not-running(last action) [first→-]"];
}

#[test]
fn script_kinds_have_3_21_names_and_texts() {
    let o = {
        let mut o = Options::default();
        scripts(true, false, true, false, false)(&mut o);
        o
    };
    assert_eq!(ScriptKind::FirstAction.text(&o), Some("echo first"));
    assert_eq!(ScriptKind::PreRotate.text(&o), None);
    assert_eq!(ScriptKind::LastAction.words(), "last action");
}
