//! `--status` rows: each case names a situation and what the NEXT DUE column must say.

use super::*;
use crate::plan::tests::rule;
use crate::plan::FileFacts;
use crate::rule::{Criterion, Frequency, Options};
use crate::state::State;
use chrono::NaiveDate;

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
}

/// "Now" in every case: Monday 2026-11-23 15:10.
fn now() -> NaiveDateTime {
    t(2026, 11, 23, 15, 10)
}

fn facts(kind: FileKind, size: u64) -> FileFacts {
    FileFacts {
        path: "/l/app.log".into(),
        kind,
        size,
        mtime: t(2026, 11, 1, 0, 0),
        nlink: 1,
        insecure_dir: false,
        parent_missing: false,
        archive_dir: "/l".into(),
        archive_dir_exists: true,
        archives: Vec::new(),
        archive_dir_link: None,
        leftovers: Vec::new(),
    }
}

fn next(r: &Rule, f: &FileFacts, last: Option<NaiveDateTime>) -> String {
    let mut state = State::default();
    if let Some(l) = last {
        state.set("/l/app.log", l);
    }
    let log = plan::plan_log(r, f, &state, now(), crate::plan::tests::flags(false, false));
    let set = plan::SetPlan::new(0, r, vec![log]);
    let report = report(std::slice::from_ref(r), &[set], now(), None);
    next_text(&report.logs[0], f.kind == FileKind::Missing, now())
}

fn time(freq: Frequency) -> impl FnOnce(&mut Options) {
    move |o| o.criterion = Some(Criterion::Time(freq))
}

macro_rules! next_cases {
    ($($name:ident: $rule:expr, $facts:expr, $last:expr => $expected:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(next(&rule($rule), &$facts, $last), $expected);
        }
    )*};
}

next_cases! {
    daily_rotated_today_is_due_next_midnight:
        time(Frequency::Daily), facts(FileKind::Regular, 5), Some(t(2026, 11, 23, 3, 0)) => "2026-11-24 00:00";
    daily_rotated_yesterday_is_due_now:
        time(Frequency::Daily), facts(FileKind::Regular, 5), Some(t(2026, 11, 22, 3, 0)) => "due now";
    hourly_is_due_next_hour:
        time(Frequency::Hourly), facts(FileKind::Regular, 5), Some(t(2026, 11, 23, 15, 2)) => "2026-11-23 16:00";
    weekly_sunday_from_monday:
        time(Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Sun))), facts(FileKind::Regular, 5), Some(t(2026, 11, 23, 6, 0)) => "2026-11-29 00:00";
    monthly_is_due_on_the_first:
        time(Frequency::Monthly), facts(FileKind::Regular, 5), Some(t(2026, 11, 2, 6, 0)) => "2026-12-01 00:00";
    never_seen_time_rule_is_recorded_first:
        time(Frequency::Daily), facts(FileKind::Regular, 5), None => "first run records it";
    due_but_empty_with_notifempty_is_held_back:
        |o: &mut Options| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.if_empty = false },
        facts(FileKind::Regular, 0), Some(t(2026, 11, 20, 3, 0)) => "due, held back: log is empty";
    due_but_below_minsize_is_held_back:
        |o: &mut Options| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.min_size = Some(1 << 20) },
        facts(FileKind::Regular, 5), Some(t(2026, 11, 20, 3, 0))
        => "due, held back: 'minsize' directive is used and the log size is smaller than the minsize value (if size ≥ 1 MiB)";
    due_but_missing:
        |o: &mut Options| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.missing_ok = true },
        facts(FileKind::Missing, 0), Some(t(2026, 11, 20, 3, 0)) => "due, but missing";
    size_rule_below_threshold:
        |o: &mut Options| o.criterion = Some(Criterion::Size(10 << 20)), facts(FileKind::Regular, 5), None
        => "size ≥ 10 MiB";
    size_rule_above_threshold_is_due_now:
        |o: &mut Options| o.criterion = Some(Criterion::Size(1024)), facts(FileKind::Regular, 4096), None
        => "due now";
    maxsize_is_an_extra_trigger:
        |o: &mut Options| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.max_size = Some(100 << 20) },
        facts(FileKind::Regular, 5), Some(t(2026, 11, 23, 3, 0)) => "2026-11-24 00:00 or size > 100 MiB";
    symlink_is_not_due:
        time(Frequency::Daily), facts(FileKind::Symlink, 5), Some(t(2026, 11, 23, 3, 0)) => "2026-11-24 00:00";
    fifo_is_never_rotated:
        time(Frequency::Daily), facts(FileKind::Other, 0), Some(t(2026, 11, 20, 3, 0)) => "never (not a regular file)";
}

#[test]
fn table_is_aligned_by_characters() {
    let row = |log: &str, next: &str| StatusRow {
        log: log.into(),
        rule: "c.conf:1".into(),
        last: "never".into(),
        next: next.into(),
        size: "1 KiB".into(),
    };
    let text = table(&[row("/a.log", "size ≥ 10 MiB"), row("/long/b.log", "due now")]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // The SIZE column starts at the same character in every line.
    let size_col = |l: &str| l.chars().count() - l.rsplit("  ").next().unwrap().chars().count();
    let starts: Vec<usize> = lines.iter().map(|l| size_col(l)).collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{text}");
}
