//! The guard's tables: what `maxtotalsize` and `minfree` remove, in which order, and when
//! `minfree` rotates instead.

use super::*;
use crate::plan::tests::{rule, t};
use crate::rule::MinFree;

const K: u64 = 1024;

/// A log `/l/NAME` with archives `(name, day of November, size)`.
fn log(name: &str, size: u64, archives: &[(&str, u32, u64)]) -> FileFacts {
    let mut f = crate::plan::tests::facts(size, &[]);
    f.path = PathBuf::from("/l").join(name);
    f.archives = archives
        .iter()
        .map(|&(n, day, size)| Archive { name: n.to_string(), mtime: t(2026, 11, day, 0), size })
        .collect();
    f
}

/// One filesystem `/l` with `avail` free of 1 MiB.
fn disk(avail: u64) -> Disks {
    Disks {
        disks: vec![Disk { path: "/l".into(), avail, total: 1024 * K }],
        of_dir: HashMap::from([(PathBuf::from("/l"), 0)]),
    }
}

fn run(edit: impl FnOnce(&mut Options), files: Vec<FileFacts>, avail: u64) -> GuardPlan {
    let rules = vec![rule(edit)];
    plan_guard(&rules, &[SetFacts { rule: 0, files }], &disk(avail))
}

fn removed(p: &GuardPlan) -> Vec<String> {
    p.removals.iter().map(|r| r.path.shown().to_string()).collect()
}

#[test]
fn maxtotalsize_removes_the_oldest_until_the_rest_fit() {
    let f = log(
        "app.log",
        50 * K,
        &[("app.log.1", 20, 10 * K), ("app.log.2", 15, 10 * K), ("app.log.3", 10, 10 * K)],
    );
    let p = run(|o| o.max_total_size = Some(25 * K), vec![f], 1024 * K);
    assert_eq!(removed(&p), ["/l/app.log.3"]);
    assert!(p.removals.iter().all(|r| !r.newest));
    assert!(p.rotations.is_empty());
    let Reason::MaxTotalSize { total, max, .. } = &p.removals[0].reason else { panic!() };
    assert_eq!((*total, *max), (30 * K, 25 * K));
    assert_eq!(
        p.removals[0].message(),
        "removing old log /l/app.log.3 (maxtotalsize: the archives of /l/app.log total 30 KiB, more than 25 KiB)"
    );
}

#[test]
fn maxtotalsize_within_the_limit_removes_nothing_and_never_the_live_log() {
    let f = log("app.log", 900 * K, &[("app.log.1", 20, 10 * K)]);
    assert!(run(|o| o.max_total_size = Some(10 * K), vec![f], 1024 * K).is_empty());
}

#[test]
fn maxtotalsize_removes_the_newest_archive_too_when_it_alone_is_too_big_and_says_so() {
    let f = log("app.log", 0, &[("app.log.1.gz", 20, 30 * K), ("app.log.2.gz", 19, 1)]);
    let p = run(|o| o.max_total_size = Some(20 * K), vec![f], 1024 * K);
    assert_eq!(removed(&p), ["/l/app.log.2.gz", "/l/app.log.1.gz"]);
    assert_eq!(p.removals.iter().map(|r| r.newest).collect::<Vec<_>>(), [false, true]);
    assert!(p.removals[1]
        .message()
        .starts_with("removing the newest archive /l/app.log.1.gz of /l/app.log ("));
}

#[test]
fn equal_times_order_by_number_then_date() {
    // Same mtime: the higher number is older; for dated ones the earlier date.
    let f =
        log("app.log", 0, &[("app.log.1", 5, 10 * K), ("app.log.3", 5, 10 * K), ("app.log.2", 5, 10 * K)]);
    let p = run(|o| o.max_total_size = Some(10 * K), vec![f], 1024 * K);
    assert_eq!(removed(&p), ["/l/app.log.3", "/l/app.log.2"]);
    let f = log("app.log", 0, &[("app.log-20261102.gz", 5, 10 * K), ("app.log-20261101.gz", 5, 10 * K)]);
    let p = run(|o| o.max_total_size = Some(10 * K), vec![f], 1024 * K);
    assert_eq!(removed(&p), ["/l/app.log-20261101.gz"]);
}

#[test]
fn files_that_only_start_with_the_log_name_are_not_its_archives() {
    // `app.log.err` is another log; `app.log.1.bak~` is nobody's archive.
    let f = log(
        "app.log",
        0,
        &[("app.log.err", 1, 500 * K), ("app.log.1.bak~", 1, 500 * K), ("app.log.1", 9, 5 * K)],
    );
    let p = run(|o| o.max_total_size = Some(1), vec![f], 1024 * K);
    assert_eq!(removed(&p), ["/l/app.log.1"]);
}

#[test]
fn the_live_log_of_another_rule_is_never_an_archive() {
    let mut other = log("app.log.1", 100 * K, &[]);
    other.path = "/l/app.log.1".into();
    let f = log("app.log", 0, &[("app.log.1", 1, 100 * K), ("app.log.2", 2, K)]);
    let rules = vec![rule(|o| o.max_total_size = Some(1)), rule(|_| {})];
    let sets = [SetFacts { rule: 0, files: vec![f] }, SetFacts { rule: 1, files: vec![other] }];
    let p = plan_guard(&rules, &sets, &disk(1024 * K));
    assert_eq!(removed(&p), ["/l/app.log.2"]);
    // Nor a file another (unguarded, unscanned) rule's pattern names.
    let f = log("app.log", 0, &[("app.log.1", 1, 100 * K), ("app.log.2", 2, K)]);
    let rules =
        vec![rule(|o| o.max_total_size = Some(1)), Rule { patterns: vec!["/l/*.1".into()], ..rule(|_| {}) }];
    let p = plan_guard(&rules, &[SetFacts { rule: 0, files: vec![f] }], &disk(1024 * K));
    assert_eq!(removed(&p), ["/l/app.log.2"]);
}

#[test]
fn minfree_removes_oldest_first_across_logs_and_keeps_each_newest() {
    let a = log("a.log", 0, &[("a.log.1", 20, 100 * K), ("a.log.2", 10, 100 * K), ("a.log.3", 3, 100 * K)]);
    let b = log("b.log", 0, &[("b.log.1", 15, 100 * K), ("b.log.2", 5, 100 * K)]);
    // 100 KiB free, needs 350 KiB: three archives must go, the oldest, never a newest one.
    let p = run(|o| o.min_free = Some(MinFree::Bytes(350 * K)), vec![a, b], 100 * K);
    assert_eq!(removed(&p), ["/l/a.log.3", "/l/b.log.2", "/l/a.log.2"]);
    assert!(p.removals.iter().all(|r| !r.newest));
    assert_eq!(
        p.disks,
        [DiskCheck { path: "/l".into(), free: 100 * K, needs: 350 * K, free_after: 400 * K }]
    );
    assert_eq!(
        p.removals[1].message(),
        "removing old log /l/b.log.2 (minfree: /l has 200 KiB free, needs 350 KiB)"
    );
}

#[test]
fn minfree_takes_the_newest_archives_last_with_a_warning() {
    let a = log("a.log", 0, &[("a.log.1", 20, 100 * K), ("a.log.2", 1, 100 * K)]);
    let b = log("b.log", 0, &[("b.log.1", 2, 100 * K)]);
    let p = run(|o| o.min_free = Some(MinFree::Bytes(350 * K)), vec![a, b], 100 * K);
    // a.log.2 first (not a newest one), then the newest ones, oldest first.
    assert_eq!(removed(&p), ["/l/a.log.2", "/l/b.log.1", "/l/a.log.1"]);
    assert_eq!(p.removals.iter().map(|r| r.newest).collect::<Vec<_>>(), [false, true, true]);
}

#[test]
fn minfree_with_enough_space_removes_nothing_and_a_percentage_is_of_the_size() {
    let a = log("a.log", 0, &[("a.log.1", 20, 100 * K), ("a.log.2", 1, 100 * K)]);
    let p = run(|o| o.min_free = Some(MinFree::Percent(10)), vec![a.clone()], 103 * K);
    assert!(p.is_empty());
    assert_eq!(p.disks[0].needs, 1024 * K / 10);
    let p = run(|o| o.min_free = Some(MinFree::Percent(10)), vec![a], 102 * K);
    assert_eq!(removed(&p), ["/l/a.log.2"]);
}

#[test]
fn minfree_rotates_the_largest_logs_with_a_size_rule_when_archives_are_not_enough() {
    let a = log("a.log", 300 * K, &[("a.log.1", 20, 10 * K)]);
    let b = log("b.log", 500 * K, &[]);
    let c = log("c.log", 100 * K, &[]);
    let p = run(|o| o.min_free = Some(MinFree::Bytes(400 * K)), vec![a, b, c], 100 * K);
    assert_eq!(removed(&p), ["/l/a.log.1"]);
    assert!(p.removals[0].newest);
    // 110 KiB free after the removal: b (500 KiB) is enough.
    let rotated: Vec<_> = p.rotations.iter().map(|r| r.log.shown().to_string()).collect();
    assert_eq!(rotated, ["/l/b.log"]);
    // A time rule without maxsize is not rotated for space.
    let a = log("a.log", 300 * K, &[]);
    let p = run(
        |o| {
            o.min_free = Some(MinFree::Bytes(400 * K));
            o.criterion = Some(Criterion::Time(crate::rule::Frequency::Daily));
        },
        vec![a],
        100 * K,
    );
    assert!(p.rotations.is_empty());
}

#[test]
fn maxtotalsize_and_minfree_together_count_what_maxtotalsize_freed() {
    let a = log("a.log", 0, &[("a.log.1", 20, 100 * K), ("a.log.2", 10, 100 * K), ("a.log.3", 3, 100 * K)]);
    let p = run(
        |o| {
            o.max_total_size = Some(200 * K);
            o.min_free = Some(MinFree::Bytes(250 * K));
        },
        vec![a],
        100 * K,
    );
    // maxtotalsize frees a.log.3 (200 KiB free), minfree then a.log.2.
    assert_eq!(removed(&p), ["/l/a.log.3", "/l/a.log.2"]);
    assert!(matches!(p.removals[0].reason, Reason::MaxTotalSize { .. }));
    assert!(matches!(p.removals[1].reason, Reason::MinFree { free, .. } if free == 200 * K));
}

#[test]
fn rules_without_the_directives_are_not_touched() {
    let a = log("a.log", 0, &[("a.log.1", 20, 100 * K)]);
    assert!(run(|_| {}, vec![a], 0).disks.is_empty());
}
