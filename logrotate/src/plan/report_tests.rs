//! The planner's report ties the daemon to the planner: the size triggers and next due times
//! the daemon sleeps and wakes on are exactly where the planner starts to rotate.

use super::report::{report, Outcome, SizeTrigger};
use super::tests::{facts, rule, state};
use super::*;
use crate::rule::{Criterion, Frequency, Options, WeeklyOn};
use chrono::{Duration, NaiveDate};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
}

fn rotates(r: &Rule, size: u64, last: NaiveDateTime, now: NaiveDateTime) -> bool {
    plan_log(r, &facts(size, &[]), &state(Some(last)), now, RunFlags::default()).is_rotating()
}

/// Rules that may rotate by size, and a size rule's neighbours.
fn size_rules() -> Vec<(&'static str, Rule)> {
    let daily = |o: &mut Options| o.criterion = Some(Criterion::Time(Frequency::Daily));
    vec![
        ("size 100", rule(|o| o.criterion = Some(Criterion::Size(100)))),
        (
            "daily maxsize 100",
            rule(|o| {
                daily(o);
                o.max_size = Some(100)
            }),
        ),
        (
            "daily minsize 100",
            rule(|o| {
                daily(o);
                o.min_size = Some(100)
            }),
        ),
        (
            "size 100 maxsize 50",
            rule(|o| {
                o.criterion = Some(Criterion::Size(100));
                o.max_size = Some(50)
            }),
        ),
        ("daily", rule(daily)),
    ]
}

#[test]
fn the_daemons_size_trigger_is_where_the_planner_starts_to_rotate() {
    let now = at(2026, 11, 25, 10, 30);
    // Rotated this hour: only size can make it rotate now.
    let this_hour = at(2026, 11, 25, 10, 0);
    // Rotated days ago: a time rule is due, held back only by minsize.
    let days_ago = at(2026, 11, 20, 10, 0);
    for (name, r) in size_rules() {
        let trigger = SizeTrigger::of(&r.options);
        for size in [0, 1, 49, 50, 51, 99, 100, 101, 1000] {
            let crossed = trigger.is_some_and(|t| t.is_crossed(size));
            // Whatever rotates by size alone, the daemon is woken for.
            if rotates(&r, size, this_hour, now) {
                assert!(crossed, "{name}, size {size}: the planner rotates, the daemon would not look");
            }
            // A due time rule held back by minsize rotates as soon as the trigger is crossed.
            if r.options.min_size.is_some() {
                assert_eq!(rotates(&r, size, days_ago, now), crossed, "{name}, size {size}");
            }
            // size and maxsize: crossing them is rotating.
            if r.options.min_size.is_none() && crossed {
                assert!(rotates(&r, size, this_hour, now), "{name}, size {size}: woken for nothing");
            }
        }
    }
    assert_eq!(
        SizeTrigger::of(&rule(|o| o.criterion = Some(Criterion::Time(Frequency::Daily))).options),
        None
    );
}

#[test]
fn the_next_due_time_is_the_first_moment_the_planner_rotates() {
    let weekly_wed = Frequency::Weekly(WeeklyOn::Day(chrono::Weekday::Wed));
    let cases = [
        (Frequency::Hourly, at(2026, 11, 23, 10, 17)),
        (Frequency::Daily, at(2026, 11, 23, 23, 58)),
        (weekly_wed, at(2026, 11, 23, 6, 0)),
        (Frequency::Weekly(WeeklyOn::EverySevenDays), at(2026, 11, 23, 6, 0)),
        (Frequency::Monthly, at(2026, 12, 31, 6, 0)),
        (Frequency::Yearly, at(2026, 3, 1, 0, 0)),
    ];
    for (freq, last) in cases {
        let r = rule(|o| o.criterion = Some(Criterion::Time(freq)));
        let now = last + Duration::minutes(1);
        let log = plan_log(&r, &facts(10, &[]), &state(Some(last)), now, RunFlags::default());
        let set = SetPlan::new(0, &r, vec![log]);
        let rep = report(std::slice::from_ref(&r), &[set], now, None);
        let due = rep.next_due_after(now).expect("a time rule is due some day");
        assert!(!rotates(&r, 10, last, due - Duration::seconds(1)), "{freq:?}: rotates before {due}");
        assert!(rotates(&r, 10, last, due), "{freq:?}: not rotating at {due}");
    }
}

#[test]
fn a_pass_reports_what_rotated_failed_and_when_each_is_next_due() {
    let now = at(2026, 11, 25, 10, 30);
    let r = rule(|o| o.criterion = Some(Criterion::Time(Frequency::Daily)));
    let log = |last| plan_log(&r, &facts(10, &[]), &state(Some(last)), now, RunFlags::default());
    let set = SetPlan::new(0, &r, vec![log(at(2026, 11, 24, 9, 0))]);
    let done =
        report(std::slice::from_ref(&r), std::slice::from_ref(&set), now, Some(&["/l/app.log".into()]));
    assert!(matches!(done.logs[0].outcome, Outcome::Rotated(Due::Period(Frequency::Daily))));
    assert_eq!(done.rotated().collect::<Vec<_>>(), [std::path::Path::new("/l/app.log")]);
    assert_eq!(done.logs[0].next_due, Some(at(2026, 11, 26, 0, 0)), "due again from the next midnight");
    let failed = report(std::slice::from_ref(&r), std::slice::from_ref(&set), now, Some(&[]));
    assert!(matches!(failed.logs[0].outcome, Outcome::Failed(_)));
    assert_eq!(failed.logs[0].next_due, Some(at(2026, 11, 26, 0, 0)), "a failed rotation is recorded too");
    let set = SetPlan::new(0, &r, vec![log(at(2026, 11, 25, 9, 0))]);
    let skipped = report(std::slice::from_ref(&r), &[set], now, Some(&[]));
    assert!(
        matches!(&skipped.logs[0].outcome, Outcome::Skipped(w) if matches!(w[..], [Skip::NotDue { .. }]))
    );
    assert_eq!(skipped.logs[0].last, Some(at(2026, 11, 25, 9, 0)));
    assert_eq!(skipped.next_due_after(now), Some(at(2026, 11, 26, 0, 0)));
}
