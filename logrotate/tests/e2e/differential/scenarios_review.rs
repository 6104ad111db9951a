//! Regressions found in review, each pinned against the oracle.

use super::harness::{Age, Scenario};
use chrono::Datelike;

/// `weekly W` where W was yesterday's weekday, last rotated 3 days ago: the weekday passed, but
/// logrotate does not catch up (only on the weekday itself, or after 7 days).
fn weekly_missed_weekday() -> Scenario {
    let yesterday = (chrono::Local::now().weekday().num_days_from_sunday() + 6) % 7;
    Scenario::new(&format!("@D@/app.log {{\n    weekly {yesterday}\n    rotate 2\n}}\n"))
        .file("app.log", "data\n")
        .state("app.log", Age::DaysAgo(3))
}

scenarios! {
    /// `weekly` does not catch up on a missed weekday.
    diff_regression_weekly_no_catch_up: weekly_missed_weekday().run_unchanged(&[]);

    /// `minage` does not hold back `-f`.
    diff_regression_minage_does_not_block_force: Scenario::new("@D@/app.log {\n    daily\n    minage 3\n    rotate 1\n}\n")
        .file("app.log", "young\n")
        .state("app.log", Age::ThisHour)
        .run(&["-f"]);

    /// `minage` does not hold back a `size` rule.
    diff_regression_minage_does_not_block_size: Scenario::new("@D@/app.log {\n    size 1k\n    minage 3\n    rotate 1\n}\n")
        .file_sized("app.log", 2000)
        .state("app.log", Age::ThisHour)
        .run(&[]);

    /// `minage` holds back a due time rule for a young log.
    diff_regression_minage_holds_back_time_rule: Scenario::new("@D@/app.log {\n    daily\n    minage 3\n    rotate 1\n}\n")
        .file("app.log", "young\n")
        .state("app.log", Age::DaysAgo(2))
        .run_unchanged(&[]);

    /// A comment after `endscript` does not swallow the rest of the file.
    diff_regression_comment_after_endscript: Scenario::new("@D@/a.log {\n    rotate 1\n    postrotate\n        true\n    endscript # reload done\n}\n@D@/b.log {\n    rotate 1\n}\n")
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .run(&["-f"]);

    /// `}` at the end of a directive line closes the stanza.
    diff_regression_brace_after_directive: Scenario::new("@D@/a.log {\n    rotate 1\n    compress }\n@D@/b.log {\n    rotate 1\n}\n")
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .run(&["-f"]);

    /// With `dateext` + `compress` (no delaycompress), uncompressed dated files are not counted.
    diff_regression_dateext_compress_ignores_plain_dated: Scenario::new("@D@/app.log {\n    rotate 1\n    dateext\n    compress\n}\n")
        .file("app.log", "now\n")
        .file("app.log-20201101", "plain\n")
        .gz("app.log-20201102.gz", "gz\n")
        .run(&["-f"]);

    /// `mailfirst` + `compress`: the subject is the log's path.
    diff_regression_mailfirst_compress_subject: Scenario::new("@D@/app.log {\n    rotate 2\n    compress\n    mail ops@example.com\n    mailfirst\n}\n")
        .file("app.log", "mail me\n")
        .run(&["-f"]);

    /// `addextension .log` on a log without the extension: archives get it after the number.
    diff_addextension_adds_after_number: Scenario::new("@D@/app {\n    rotate 2\n    addextension .log\n}\n")
        .file("app", "data\n")
        .file("app.1.log", "older\n")
        .run(&["-f"]);

    /// `addextension .log` on a log that already has it: moved after the number, not doubled.
    diff_addextension_existing_extension: Scenario::new("@D@/app.log {\n    rotate 2\n    compress\n    addextension .log\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);

    /// `rotate -1`: old logs are never removed, the chain grows.
    diff_rotate_minus_one_keeps_all: Scenario::new("@D@/app.log {\n    rotate -1\n}\n")
        .file("app.log", "new\n")
        .file("app.log.1", "one\n")
        .file("app.log.2", "two\n")
        .file("app.log.9", "nine\n")
        .run(&["-f"]);

    /// `hourly` with `dateext`: the default hourly date format.
    diff_hourly_dateext_format: Scenario::new("@D@/app.log {\n    hourly\n    dateext\n    rotate 3\n}\n")
        .file("app.log", "data\n")
        .state("app.log", Age::HoursAgo(2))
        .run(&[]);

    /// Logs apart (nothing looked at again in their turn) and logs named like another's
    /// archives (`a.log.x` beside `a.log`; `x.log` beside `xy.log` with `extension .log`).
    diff_review_logs_apart_and_named_like_archives: Scenario::new("@D@/a* {\n    rotate 2\n    compress\n}\n@D@/b*.log {\n    rotate 2\n    compress\n}\n@D@/x*.log {\n    rotate 2\n    compress\n    extension .log\n}\n")
        .file("a.log", "a\n")
        .file("a.log.x", "ax\n")
        .file("ab.log", "ab\n")
        .file("b.log", "b\n")
        .file("bc.log", "bc\n")
        .file("x.log", "x\n")
        .file("xy.log", "xy\n")
        .gz("x.1.log.gz", "old\n")
        .run(&["-f"]);
}
