//! When to rotate: intervals against the state, size thresholds, empty and missing logs.

use super::harness::{Age, Scenario};

const DAILY: &str = "@D@/app.log {\n    daily\n    rotate 3\n}\n";

scenarios! {
    /// Rotated yesterday, daily: due.
    diff_daily_rotated_yesterday: Scenario::new(DAILY)
        .file("app.log", "line 1\n")
        .state("app.log", Age::DaysAgo(1))
        .run(&[])
        .run_unchanged(&[]);

    /// Rotated earlier this hour: not due; a day later it is.
    diff_daily_rotated_this_hour_not_due: Scenario::new(DAILY)
        .file("app.log", "line 1\n")
        .state("app.log", Age::ThisHour)
        .run_unchanged(&[])
        .travel(1)
        .run(&[]);

    /// No state entry: the log is recorded, not rotated; a day later it is rotated.
    diff_daily_first_seen_without_state: Scenario::new(DAILY)
        .file("app.log", "line 1\n")
        .run_unchanged(&[])
        .travel(1)
        .run(&[]);

    /// `-f` rotates a log that is not due.
    diff_daily_forced_when_not_due: Scenario::new(DAILY)
        .file("app.log", "line 1\n")
        .state("app.log", Age::ThisHour)
        .run(&["-f"])
        .append("app.log", "line 2\n")
        .run(&["-f", "-v"]);

    /// Weekly: not due the same hour, due eight days later.
    diff_weekly_not_due_then_due: Scenario::new("@D@/app.log {\n    weekly\n    rotate 3\n}\n")
        .file("app.log", "line 1\n")
        .state("app.log", Age::ThisHour)
        .run_unchanged(&[])
        .travel(8)
        .run(&[]);

    /// Weekly, last rotated eight days ago: due.
    diff_weekly_rotated_eight_days_ago: Scenario::new("@D@/app.log {\n    weekly\n    rotate 1\n}\n")
        .file("app.log", "line 1\n")
        .state("app.log", Age::DaysAgo(8))
        .run(&[]);

    /// Monthly: not due this hour, due forty days later.
    diff_monthly_not_due_then_due: Scenario::new("@D@/app.log {\n    monthly\n    rotate 2\n}\n")
        .file("app.log", "line 1\n")
        .state("app.log", Age::ThisHour)
        .run_unchanged(&[])
        .travel(40)
        .run(&[]);

    /// Monthly, last rotated forty days ago, with an existing `.1`.
    diff_monthly_rotated_forty_days_ago: Scenario::new("@D@/app.log {\n    monthly\n    rotate 2\n}\n")
        .file("app.log", "new\n")
        .file("app.log.1", "old\n")
        .state("app.log", Age::DaysAgo(40))
        .run(&[]);

    /// Yearly, 400 days ago: due once, then not again.
    diff_yearly_rotated_400_days_ago: Scenario::new("@D@/app.log {\n    yearly\n    rotate 1\n}\n")
        .file("app.log", "line 1\n")
        .state("app.log", Age::DaysAgo(400))
        .run(&[])
        .append("app.log", "line 2\n")
        .run_unchanged(&[]);

    /// Hourly, rotated two hours ago: due.
    diff_hourly_rotated_two_hours_ago: Scenario::new("@D@/app.log {\n    hourly\n    rotate 5\n}\n")
        .file("app.log", "line 1\n")
        .state("app.log", Age::HoursAgo(2))
        .run(&[]);

    /// Hourly, rotated this hour: not due; a day later it is.
    diff_hourly_same_hour_not_due: Scenario::new("@D@/app.log {\n    hourly\n    rotate 5\n}\n")
        .file("app.log", "line 1\n")
        .state("app.log", Age::ThisHour)
        .run_unchanged(&[])
        .travel(1)
        .run(&[]);

    /// `size 100`: a 200-byte log rotates without any state; the new empty one does not.
    diff_size_exceeded_without_state: Scenario::new("@D@/app.log {\n    size 100\n    create\n    rotate 2\n}\n")
        .file_sized("app.log", 200)
        .run(&[])
        .run_unchanged(&[]);

    /// `size 1k` ignores time: not rotated at 100 bytes even when long overdue, rotated past 1k.
    diff_size_below_threshold_then_above: Scenario::new("@D@/app.log {\n    size 1k\n    rotate 2\n}\n")
        .file_sized("app.log", 100)
        .state("app.log", Age::DaysAgo(400))
        .run_unchanged(&[])
        .append("app.log", &"x".repeat(1100))
        .run(&[]);

    /// `size 1k` then `daily`: the later interval wins, so a small overdue log rotates.
    diff_daily_after_size_takes_precedence: Scenario::new("@D@/app.log {\n    size 1k\n    daily\n    rotate 2\n}\n")
        .file_sized("app.log", 100)
        .state("app.log", Age::DaysAgo(2))
        .run(&[]);

    /// `daily` then `size 1k`: size wins, so a small overdue log stays.
    diff_size_after_daily_takes_precedence: Scenario::new("@D@/app.log {\n    daily\n    size 1k\n    rotate 2\n}\n")
        .file_sized("app.log", 100)
        .state("app.log", Age::DaysAgo(2))
        .run_unchanged(&[])
        .append("app.log", &"z".repeat(1000))
        .run(&[]);

    /// `minsize` with `daily`: overdue but too small, then big enough.
    diff_minsize_daily_waits_for_size: Scenario::new("@D@/app.log {\n    daily\n    minsize 1k\n    rotate 2\n}\n")
        .file_sized("app.log", 100)
        .state("app.log", Age::DaysAgo(2))
        .run_unchanged(&[])
        .append("app.log", &"y".repeat(2000))
        .run(&[]);

    /// `maxsize` with `daily`: not due by time, but too big.
    diff_maxsize_daily_rotates_early: Scenario::new("@D@/app.log {\n    daily\n    maxsize 100\n    rotate 2\n}\n")
        .file_sized("app.log", 500)
        .state("app.log", Age::ThisHour)
        .run(&[]);

    /// `notifempty` with `-f`: the empty log stays, the full one rotates.
    diff_notifempty_forced_skips_empty: Scenario::new("@D@/*.log {\n    notifempty\n    rotate 2\n}\n")
        .file("empty.log", "")
        .file("full.log", "data\n")
        .run(&["-f"]);

    /// `notifempty`, due: the empty log is not rotated; once written to, it is.
    diff_notifempty_due_empty_then_written: Scenario::new("@D@/app.log {\n    daily\n    notifempty\n    rotate 2\n}\n")
        .file("app.log", "")
        .state("app.log", Age::DaysAgo(1))
        .run_unchanged(&[])
        .append("app.log", "now something\n")
        .run(&[]);

    /// `ifempty` (the default made explicit): an empty due log rotates, `create` makes a new one.
    diff_ifempty_empty_log_rotates: Scenario::new("@D@/app.log {\n    daily\n    ifempty\n    rotate 1\n    create 0600\n}\n")
        .file("app.log", "")
        .state("app.log", Age::DaysAgo(1))
        .run(&[]);

    /// `missingok`: a missing log is fine, the other stanza rotates, exit 0.
    diff_missingok_missing_log: Scenario::new("@D@/gone.log {\n    missingok\n}\n@D@/app.log {\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);

    /// `nomissingok`: a missing log is an error (exit 1), the other stanza still rotates.
    diff_nomissingok_missing_log_errors: Scenario::new("@D@/gone.log {\n    nomissingok\n}\n@D@/app.log {\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);

    /// A glob that matches nothing, without `missingok`, next to a working stanza.
    diff_glob_matching_nothing: Scenario::new("@D@/*.nothing {\n    rotate 1\n}\n@D@/app.log {\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);

    /// `missingok` on a glob that matches nothing: no error.
    diff_missingok_glob_matching_nothing: Scenario::new("@D@/*.nothing {\n    missingok\n    rotate 1\n}\n@D@/app.log {\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);

    /// Three days of daily rotation with `compress` + `delaycompress`, appending in between.
    diff_daily_compress_three_days: Scenario::new("@D@/app.log {\n    daily\n    rotate 2\n    compress\n    delaycompress\n    create 0640\n}\n")
        .file("app.log", "day 1\n")
        .state("app.log", Age::DaysAgo(1))
        .run(&[])
        .travel(1)
        .append("app.log", "day 2\n")
        .run(&[])
        .travel(1)
        .append("app.log", "day 3\n")
        .run(&[])
        .run_unchanged(&[]);

    /// `minage 5`: a due log written yesterday is too young; ten days later it rotates.
    diff_minage_too_young_then_old_enough: Scenario::new("@D@/app.log {\n    daily\n    minage 5\n    rotate 2\n}\n")
        .file_aged("app.log", "data\n", 1)
        .state("app.log", Age::DaysAgo(2))
        .run_unchanged(&[])
        .travel(10)
        .run(&[]);

    /// No interval at all: logrotate falls back to a size threshold of 1 MiB.
    diff_no_interval_defaults_to_size_threshold: Scenario::new("@D@/app.log {\n    rotate 1\n}\n")
        .file_sized("app.log", 1000)
        .state("app.log", Age::DaysAgo(400))
        .run_unchanged(&[])
        .append("app.log", &"m".repeat(1_100_000))
        .run(&[]);

    /// `-d` changes nothing, not even on a due log.
    diff_debug_flag_changes_nothing: Scenario::new(DAILY)
        .file("app.log", "line 1\n")
        .state("app.log", Age::DaysAgo(3))
        .run_unchanged(&["-d"])
        .run(&["-v"]);
}
