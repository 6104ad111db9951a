//! Planner tables: each case names a situation and the decision or steps it must produce.

use super::*;
use crate::rule::{Criterion, Frequency, Options, Rule, Source};
use chrono::NaiveDate;

pub(crate) fn t(y: i32, mo: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, 30, 0).unwrap()
}

/// "Now" in every case: Wednesday 2026-11-25 10:30.
pub(crate) fn now() -> NaiveDateTime {
    t(2026, 11, 25, 10)
}

/// A rule for `/l/app.log` with default options changed by `edit` (also used by `status`'s tests).
pub(crate) fn rule(edit: impl FnOnce(&mut Options)) -> Rule {
    let mut options = Options::default();
    edit(&mut options);
    Rule {
        patterns: vec!["/l/app.log".into()],
        source: Source { file: "t".into(), line: 1 },
        header: None,
        options,
    }
}

pub(crate) fn facts(size: u64, archives: &[&str]) -> FileFacts {
    FileFacts {
        path: "/l/app.log".into(),
        kind: FileKind::Regular,
        size,
        mtime: t(2026, 11, 20, 0),
        nlink: 1,
        insecure_dir: false,
        parent_missing: false,
        archive_dir: "/l".into(),
        archive_dir_exists: true,
        archives: archives
            .iter()
            .map(|n| Archive { name: n.to_string(), mtime: t(2026, 11, 1, 0), size: 0 })
            .collect(),
        archive_dir_link: None,
        leftovers: Vec::new(),
    }
}

pub(crate) fn state(last: Option<NaiveDateTime>) -> State {
    let mut s = State::default();
    if let Some(l) = last {
        s.set("/l/app.log", l);
    }
    s
}

fn decide_case(r: &Rule, f: &FileFacts, last: Option<NaiveDateTime>, force: bool) -> bool {
    let p = plan_log(r, f, &state(last), now(), flags(force, true));
    p.is_rotating()
}

macro_rules! decision_cases {
    ($($name:ident: $edit:expr, size $size:expr, last $last:expr, force $force:expr => $rotates:expr;)*) => {$(
        #[test]
        fn $name() {
            let r = rule($edit);
            assert_eq!(decide_case(&r, &facts($size, &[]), $last, $force), $rotates);
        }
    )*};
}

pub(crate) fn freq(f: Frequency) -> impl FnOnce(&mut Options) {
    move |o: &mut Options| o.criterion = Some(Criterion::Time(f))
}

decision_cases! {
    daily_rotated_yesterday_rotates: freq(Frequency::Daily), size 10, last Some(t(2026, 11, 24, 23)), force false => true;
    daily_rotated_today_skips: freq(Frequency::Daily), size 10, last Some(t(2026, 11, 25, 0)), force false => false;
    daily_first_seen_skips: freq(Frequency::Daily), size 10, last None, force false => false;
    daily_first_seen_forced_rotates: freq(Frequency::Daily), size 10, last None, force true => true;
    hourly_same_hour_skips: freq(Frequency::Hourly), size 10, last Some(t(2026, 11, 25, 10)), force false => false;
    hourly_previous_hour_rotates: freq(Frequency::Hourly), size 10, last Some(t(2026, 11, 25, 9)), force false => true;
    weekly_sunday_passed_does_not_catch_up: freq(Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Sun))), size 10, last Some(t(2026, 11, 21, 10)), force false => false;
    weekly_sunday_not_yet_skips: freq(Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Sun))), size 10, last Some(t(2026, 11, 23, 10)), force false => false;
    weekly_today_is_the_day_rotates: freq(Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Wed))), size 10, last Some(t(2026, 11, 24, 10)), force false => true;
    weekly_seven_days_rotates: freq(Frequency::Weekly(crate::rule::WeeklyOn::EverySevenDays)), size 10, last Some(t(2026, 11, 18, 23)), force false => true;
    weekly_seven_six_days_skips: freq(Frequency::Weekly(crate::rule::WeeklyOn::EverySevenDays)), size 10, last Some(t(2026, 11, 19, 0)), force false => false;
    monthly_last_month_rotates: freq(Frequency::Monthly), size 10, last Some(t(2026, 10, 31, 23)), force false => true;
    monthly_this_month_skips: freq(Frequency::Monthly), size 10, last Some(t(2026, 11, 1, 0)), force false => false;
    yearly_last_year_rotates: freq(Frequency::Yearly), size 10, last Some(t(2025, 12, 31, 23)), force false => true;
    yearly_this_year_skips: freq(Frequency::Yearly), size 10, last Some(t(2026, 1, 1, 0)), force false => false;
    future_state_forces_rotation: freq(Frequency::Monthly), size 10, last Some(t(2026, 12, 25, 0)), force false => true;
    default_size_1m_below_skips: |_| {}, size 1000, last Some(t(2020, 1, 1, 0)), force false => false;
    default_size_1m_reached_rotates: |_| {}, size 1 << 20, last Some(t(2026, 11, 25, 10)), force false => true;
    size_ignores_time: |o| o.criterion = Some(Criterion::Size(100)), size 100, last Some(t(2026, 11, 25, 10)), force false => true;
    minsize_blocks_due_time: |o| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.min_size = Some(100) }, size 99, last Some(t(2026, 11, 1, 0)), force false => false;
    minsize_reached_and_due_rotates: |o| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.min_size = Some(100) }, size 100, last Some(t(2026, 11, 1, 0)), force false => true;
    maxsize_exceeded_before_due_rotates: |o| { o.criterion = Some(Criterion::Time(Frequency::Daily)); o.max_size = Some(100) }, size 101, last Some(t(2026, 11, 25, 10)), force false => true;
    notifempty_empty_skips_even_forced: |o| o.if_empty = false, size 0, last None, force true => false;
    ifempty_empty_forced_rotates: |_| {}, size 0, last None, force true => true;
    minage_young_forced_still_rotates: |o| o.min_age = crate::rule::days(30), size 10, last None, force true => true;
    minage_young_daily_due_skips: |o| { o.min_age = crate::rule::days(30); o.criterion = Some(Criterion::Time(Frequency::Daily)) }, size 10, last Some(t(2026, 11, 1, 0)), force false => false;
    minage_does_not_hold_back_size: |o| { o.min_age = crate::rule::days(30); o.criterion = Some(Criterion::Size(5)) }, size 10, last None, force false => true;
    minage_old_enough_forced_rotates: |o| o.min_age = crate::rule::days(2), size 10, last None, force true => true;
}

/// The run's flags with every `-v` line built (what the tests read).
pub(crate) fn flags(force: bool, is_root: bool) -> RunFlags {
    RunFlags { force, is_root, words: true }
}

#[test]
fn first_seen_is_recorded_to_the_hour() {
    let p = plan_log(&rule(freq(Frequency::Daily)), &facts(1, &[]), &state(None), now(), RunFlags::default());
    assert_eq!(p.record, Some(t(2026, 11, 25, 10).with_minute(0).unwrap()));
}

#[test]
fn missing_log_is_an_error_unless_missingok() {
    let mut f = facts(0, &[]);
    f.kind = FileKind::Missing;
    let p = plan_log(&rule(|_| {}), &f, &state(None), now(), flags(true, false));
    assert!(matches!(p.decision, Decision::Error(_)));
    let p = plan_log(&rule(|o| o.missing_ok = true), &f, &state(None), now(), RunFlags::default());
    assert!(matches!(p.decision, Decision::Skip(_)));
    assert!(p.record.is_some(), "logrotate records missing logs too");
}

#[test]
fn symlink_and_hardlink_are_skipped() {
    let mut f = facts(10, &[]);
    f.kind = FileKind::Symlink;
    assert!(!decide_case(&rule(|_| {}), &f, None, true));
    let mut f = facts(10, &[]);
    f.nlink = 2;
    assert!(!decide_case(&rule(|_| {}), &f, None, true));
    assert!(decide_case(&rule(|o| o.allow_hardlink = true), &f, None, true));
}

#[test]
fn insecure_parent_is_refused_for_root_unless_su() {
    let mut f = facts(10, &[]);
    f.insecure_dir = true;
    let p = plan_log(&rule(|_| {}), &f, &state(None), now(), flags(true, true));
    assert!(matches!(p.decision, Decision::Error(_)));
    let p = plan_log(&rule(|_| {}), &f, &state(None), now(), flags(true, false));
    assert!(p.is_rotating());
}

fn steps_for(edit: impl FnOnce(&mut Options), archives: &[&str]) -> Rotation {
    let p = plan_log(&rule(edit), &facts(10, archives), &state(None), now(), flags(true, true));
    p.rotation().cloned().expect("rotates")
}

fn names(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .map(|s| match s {
            Step::Rename { from, to } => format!("mv {} {}", from.display(), to.display()),
            Step::Compress { src, dst } => format!("gz {} {}", src.display(), dst.display()),
            Step::Remove { path } => format!("rm {}", path.display()),
            Step::Mail { path, .. } => format!("mail {}", path.display()),
            Step::CreateDir { path, .. } => format!("mkdir {}", path.display()),
        })
        .collect()
}

#[test]
fn rotate_two_shifts_and_disposes_the_oldest() {
    let r = steps_for(|o| o.keep = crate::rule::Keep::Count(2), &["app.log.1", "app.log.2", "app.log.3"]);
    assert_eq!(names(&r.prepare), vec!["mv /l/app.log.2 /l/app.log.3", "mv /l/app.log.1 /l/app.log.2"]);
    assert_eq!(r.rotated, std::path::PathBuf::from("/l/app.log.1"));
    assert_eq!(names(&r.finish), vec!["rm /l/app.log.3"]);
}

#[test]
fn compress_uses_compressed_names_and_compresses_after() {
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(3);
            o.compress = true
        },
        &["app.log.1.gz"],
    );
    assert_eq!(names(&r.prepare), vec!["mv /l/app.log.1.gz /l/app.log.2.gz"]);
    assert_eq!(names(&r.finish), vec!["gz /l/app.log.1 /l/app.log.1.gz"]);
}

#[test]
fn delaycompress_compresses_previous_first() {
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(3);
            o.compress = true;
            o.delay_compress = true
        },
        &["app.log.1", "app.log.2.gz"],
    );
    assert_eq!(
        names(&r.prepare),
        vec![
            "gz /l/app.log.1 /l/app.log.1.gz",
            "mv /l/app.log.2.gz /l/app.log.3.gz",
            "mv /l/app.log.1.gz /l/app.log.2.gz"
        ]
    );
    assert!(r.finish.is_empty());
}

#[test]
fn rotate_zero_removes_the_rotated_file() {
    let r = steps_for(|o| o.keep = crate::rule::Keep::Count(0), &[]);
    assert_eq!(names(&r.finish), vec!["rm /l/app.log.1"]);
}

#[test]
fn rotate_zero_moves_an_existing_first_archive_aside_like_logrotate() {
    let r = steps_for(|o| o.keep = crate::rule::Keep::Count(0), &["app.log.1"]);
    assert_eq!(names(&r.prepare), vec!["mv /l/app.log.1 /l/app.log.2"]);
    assert_eq!(names(&r.finish), vec!["rm /l/app.log.1"]);
}

#[test]
fn rotate_minus_one_keeps_everything() {
    let r = steps_for(|o| o.keep = crate::rule::Keep::All, &["app.log.1", "app.log.7"]);
    assert_eq!(names(&r.prepare), vec!["mv /l/app.log.7 /l/app.log.8", "mv /l/app.log.1 /l/app.log.2"]);
    assert!(r.finish.is_empty());
}

#[test]
fn start_number_is_used() {
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(2);
            o.start = 5
        },
        &["app.log.5"],
    );
    assert_eq!(names(&r.prepare), vec!["mv /l/app.log.5 /l/app.log.6"]);
    assert_eq!(r.rotated, std::path::PathBuf::from("/l/app.log.5"));
}

#[test]
fn extension_goes_after_the_number() {
    let p = {
        let mut f = facts(10, &["app.1.log"]);
        f.path = "/l/app.log".into();
        plan_log(
            &rule(|o| {
                o.keep = crate::rule::Keep::Count(2);
                o.extension = Some(".log".into())
            }),
            &f,
            &state(None),
            now(),
            flags(true, true),
        )
    };
    let r = p.rotation().cloned().unwrap();
    assert_eq!(names(&r.prepare), vec!["mv /l/app.1.log /l/app.2.log"]);
    assert_eq!(r.rotated, std::path::PathBuf::from("/l/app.1.log"));
}

#[test]
fn dateext_names_with_today_and_keeps_rotate_count() {
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(2);
            o.date_ext = true
        },
        &["app.log-20261101", "app.log-20261102", "app.log-20261103", "app.log.1", "app.log-20261030.gz"],
    );
    assert_eq!(r.rotated, std::path::PathBuf::from("/l/app.log-20261125"));
    // As logrotate: all but the last are removed before the move, the last after it.
    assert_eq!(names(&r.prepare), vec!["rm /l/app.log-20261101"]);
    assert_eq!(names(&r.finish), vec!["rm /l/app.log-20261102"]);
}

#[test]
fn dateext_yesterday_and_existing_destination() {
    let r = steps_for(
        |o| {
            o.date_ext = true;
            o.date_yesterday = true;
            o.keep = crate::rule::Keep::Count(5)
        },
        &[],
    );
    assert_eq!(r.rotated, std::path::PathBuf::from("/l/app.log-20261124"));
    let p = plan_log(
        &rule(|o| {
            o.date_ext = true;
            o.keep = crate::rule::Keep::Count(5)
        }),
        &facts(10, &["app.log-20261125"]),
        &state(None),
        now(),
        flags(true, true),
    );
    // Still rotating (first/last action run, old archives expire), but not moved.
    assert!(matches!(p.decision, Decision::Rotate(..)));
    let refused = p.rotation().cloned().expect("rotates").refused;
    assert!(matches!(refused, Some(Refusal::DestinationExists { .. })), "{refused:?}");
}

#[test]
fn maxage_removes_old_archives() {
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(10);
            o.max_age = crate::rule::days(7)
        },
        &["app.log.1", "app.log.2"],
    );
    // As logrotate: checked from the highest down before each shift, removed before the move.
    assert_eq!(names(&r.prepare), vec!["rm /l/app.log.2", "rm /l/app.log.1"]);
    assert!(r.finish.is_empty());
}

#[test]
fn copytruncate_never_creates() {
    let r = steps_for(
        |o| {
            o.move_method = crate::rule::MoveMethod::CopyTruncate;
            o.create = Some(Default::default());
            o.keep = crate::rule::Keep::Count(1)
        },
        &[],
    );
    assert_eq!(r.method, crate::rule::MoveMethod::CopyTruncate);
    assert_eq!(r.create, None);
}

#[test]
fn mail_last_mails_the_disposed_file_first() {
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(1);
            o.mail = Some("a@b".into())
        },
        &["app.log.1"],
    );
    assert_eq!(names(&r.finish), vec!["mail /l/app.log.2", "rm /l/app.log.2"]);
}

#[test]
fn mail_first_mails_the_new_archive_after_compressing() {
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(1);
            o.compress = true;
            o.mail = Some("a@b".into());
            o.mail_when = crate::rule::MailWhen::First
        },
        &[],
    );
    assert_eq!(names(&r.finish), vec!["gz /l/app.log.1 /l/app.log.1.gz", "mail /l/app.log.1.gz"]);
}

#[test]
fn missing_olddir_is_an_error_unless_createolddir() {
    let mut f = facts(10, &[]);
    f.archive_dir_exists = false;
    let o = |c: bool| {
        rule(move |o| {
            o.olddir = Some("old".into());
            if c {
                o.create_olddir = Some(Default::default())
            }
        })
    };
    let p = plan_log(&o(false), &f, &state(None), now(), flags(true, true));
    assert!(matches!(p.decision, Decision::Error(_)));
    let p = plan_log(&o(true), &f, &state(None), now(), flags(true, true));
    assert_eq!(names(&p.rotation().cloned().unwrap().prepare), vec!["mkdir /l"]);
}

#[test]
fn regression_uncompressed_leftover_is_compressed_before_it_could_be_overwritten() {
    // A previous run left app.log.1 uncompressed (a writer held it past locktimeout).
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(3);
            o.compress = true
        },
        &["app.log.1", "app.log.2.gz"],
    );
    assert_eq!(
        names(&r.prepare),
        vec![
            "gz /l/app.log.1 /l/app.log.1.gz",
            "mv /l/app.log.2.gz /l/app.log.3.gz",
            "mv /l/app.log.1.gz /l/app.log.2.gz"
        ]
    );
    assert_eq!(names(&r.finish), vec!["gz /l/app.log.1 /l/app.log.1.gz"]);
}

#[test]
fn regression_huge_rotate_count_looks_only_at_existing_archives() {
    // `rotate 100000000` once formatted and allocated a name per number (minutes, gigabytes).
    let r = steps_for(
        |o| o.keep = crate::rule::Keep::Count(100_000_000),
        &["app.log.1", "app.log.10", "app.log.99999999"],
    );
    assert_eq!(
        names(&r.prepare),
        vec![
            "mv /l/app.log.99999999 /l/app.log.100000000",
            "mv /l/app.log.10 /l/app.log.11",
            "mv /l/app.log.1 /l/app.log.2"
        ]
    );
    let r = steps_for(
        |o| {
            o.keep = crate::rule::Keep::Count(u64::MAX);
            o.start = u64::MAX - 1;
            o.max_age = Some(std::time::Duration::MAX);
        },
        &["app.log.18446744073709551614"],
    );
    assert_eq!(names(&r.prepare), vec!["mv /l/app.log.18446744073709551614 /l/app.log.18446744073709551615"]);
}

#[test]
fn regression_maxage_counts_whole_seconds_like_3_21() {
    // An archive exactly `maxage` days old by the second is not past it, even when "now" has
    // a fraction of a second more (3.21 compares time_t seconds).
    let mut f = facts(10, &["app.log.1"]);
    let clock = now() + chrono::Duration::milliseconds(400);
    f.archives[0].mtime = now() - chrono::Duration::days(30);
    let r = rule(|o| {
        o.keep = crate::rule::Keep::Count(2);
        o.max_age = crate::rule::days(30)
    });
    let rot = plan_rotation(&r, &f, clock, true).unwrap();
    assert_eq!(names(&rot.prepare), vec!["mv /l/app.log.1 /l/app.log.2"]);
    f.archives[0].mtime -= chrono::Duration::seconds(1);
    let rot = plan_rotation(&r, &f, clock, true).unwrap();
    assert_eq!(names(&rot.prepare), vec!["rm /l/app.log.1"]);
}
