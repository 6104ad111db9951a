//! Planner tables of reasons: each case names a situation and the reason the planner gives, as
//! data (the words are `decision.rs`'s business).

use super::tests::{facts, freq, now, rule, state, t};
use super::*;
use crate::rule::{Criterion, Frequency, Options};
use std::path::PathBuf;

fn decision(
    edit: impl FnOnce(&mut Options),
    size: u64,
    last: Option<NaiveDateTime>,
    force: bool,
) -> Decision {
    plan_log(&rule(edit), &facts(size, &[]), &state(last), now(), super::tests::flags(force, true)).decision
}

fn due(d: &Decision) -> Option<&Due> {
    match d {
        Decision::Rotate(why, _) => Some(why),
        _ => None,
    }
}

fn skips(d: &Decision) -> &[Skip] {
    match d {
        Decision::Skip(whys) => whys,
        _ => &[],
    }
}

macro_rules! due_cases {
    ($($name:ident: $edit:expr, size $size:expr, last $last:expr, force $force:expr => $due:expr;)*) => {$(
        #[test]
        fn $name() {
            let d = decision($edit, $size, $last, $force);
            assert_eq!(due(&d), Some(&$due), "{d:?}");
        }
    )*};
}

macro_rules! skip_cases {
    ($($name:ident: $edit:expr, size $size:expr, last $last:expr => $skips:expr;)*) => {$(
        #[test]
        fn $name() {
            let d = decision($edit, $size, $last, false);
            assert_eq!(skips(&d), &$skips[..], "{d:?}");
        }
    )*};
}

due_cases! {
    forced_says_forced: freq(Frequency::Daily), size 10, last None, force true => Due::Forced;
    daily_yesterday_is_its_period: freq(Frequency::Daily), size 10, last Some(t(2026, 11, 24, 23)), force false
        => Due::Period(Frequency::Daily);
    size_reached_carries_size_and_limit: |o| o.criterion = Some(Criterion::Size(100)), size 150, last None, force false
        => Due::Size { size: 150, min: 100 };
    maxsize_carries_size_and_limit: |o| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.max_size = Some(100) },
        size 101, last Some(t(2026, 11, 25, 10)), force false => Due::AboveMaxSize { size: 101, max: 100 };
    state_in_the_future: freq(Frequency::Monthly), size 10, last Some(t(2026, 12, 25, 0)), force false
        => Due::LastRotatedInFuture { path: PathBuf::from("/l/app.log") };
}

skip_cases! {
    daily_today_not_due_carries_last_and_period: freq(Frequency::Daily), size 10, last Some(t(2026, 11, 25, 0))
        => [Skip::NotDue { last: t(2026, 11, 25, 0), period: Frequency::Daily }];
    same_hour_already_rotated: freq(Frequency::Hourly), size 10, last Some(t(2026, 11, 25, 10)) => [Skip::AlreadyRotated];
    minsize_carries_size_and_limit:
        |o| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.min_size = Some(100) },
        size 99, last Some(t(2026, 11, 1, 0)) => [Skip::TooSmall { size: 99, min: 100 }];
    not_due_and_too_small_gives_both:
        |o| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.min_size = Some(100) },
        size 99, last Some(t(2026, 11, 25, 0))
        => [Skip::NotDue { last: t(2026, 11, 25, 0), period: Frequency::Daily }, Skip::TooSmall { size: 99, min: 100 }];
    size_rule_below: |o| o.criterion = Some(Criterion::Size(100)), size 99, last None => [Skip::BelowSize];
    notifempty_empty: |o| o.if_empty = false, size 0, last Some(t(2020, 1, 1, 0)) => [Skip::BelowSize];
    notifempty_due_but_empty: |o| { o.if_empty = false; o.criterion = Some(Criterion::Time(Frequency::Daily)) },
        size 0, last Some(t(2026, 11, 1, 0)) => [Skip::Empty];
}

#[test]
fn minage_holds_back_with_the_age_it_saw() {
    let d = decision(
        |o| {
            o.min_age = Some(std::time::Duration::from_secs(30 * 86_400));
            o.criterion = Some(Criterion::Time(Frequency::Daily))
        },
        10,
        Some(t(2026, 11, 1, 0)),
        false,
    );
    assert!(matches!(skips(&d), [Skip::TooYoung { min_secs: Some(2_592_000), .. }]), "{d:?}");
}

#[test]
fn reasons_are_said_in_3_21_words() {
    let not_due = Skip::NotDue {
        last: t(2026, 11, 25, 0),
        period: Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Sun)),
    };
    assert_eq!(
        not_due.to_string(),
        "log does not need rotating (log has been rotated at 2026-11-25 00:30, which is less than a week ago)"
    );
    assert_eq!(Due::Size { size: 150, min: 100 }.to_string(), "log size 150 >= size 100");
    assert_eq!(
        Due::Period(Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Wed))).to_string(),
        "weekly rotation is due"
    );
    let missing = Decision::Error(Refusal::Missing { path: "/l/app.log".into() });
    assert_eq!(missing.lines(), ["stat of /l/app.log failed: No such file or directory"]);
    assert!(Decision::Skip(vec![Skip::DirMissingOk]).lines().is_empty());
}

#[test]
fn a_rotating_log_carries_its_rotation_and_a_refused_one_an_error() {
    let d = decision(freq(Frequency::Daily), 10, Some(t(2026, 11, 24, 0)), false);
    assert!(
        matches!(&d, Decision::Rotate(Due::Period(Frequency::Daily), r) if r.rotated == std::path::Path::new("/l/app.log.1"))
    );
    let mut f = facts(10, &[]);
    f.archive_dir_exists = false;
    let r = rule(|o| o.olddir = Some("/old".into()));
    let p = plan_log(&r, &f, &state(None), now(), super::tests::flags(true, false));
    assert!(matches!(p.decision, Decision::Error(Refusal::OlddirMissing { .. })), "{:?}", p.decision);
    assert_eq!(p.record, Some(now()), "the attempt is recorded");
}

#[test]
fn not_needed_is_exactly_what_has_a_not_needed_reason() {
    let p = PathBuf::from("/l/a.log");
    let all = [
        Skip::DirMissingOk,
        Skip::Missing { path: p.clone() },
        Skip::Symlink { path: p.clone() },
        Skip::HardLinks { path: p, count: 2, pattern: "p".into() },
        Skip::BelowSize,
        Skip::Empty,
        Skip::AlreadyRotated,
        Skip::NotDue { last: now(), period: Frequency::Daily },
        Skip::TooSmall { size: 1, min: 2 },
        Skip::TooYoung { age_secs: 1, min_secs: Some(2) },
    ];
    for s in all {
        assert_eq!(s.is_not_needed(), s.not_needed_why().is_some(), "{s:?}");
    }
}
