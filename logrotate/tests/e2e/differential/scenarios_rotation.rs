//! How to rotate: the numbered chain, compression, dated names, olddir, create and copy modes.

use super::harness::Scenario;

scenarios! {
    /// `rotate 3` with `.1 .2 .3` present: `.3` is dropped, the rest shift.
    diff_rotate3_existing_chain: Scenario::new("@D@/app.log {\n    rotate 3\n}\n")
        .file("app.log", "current\n")
        .file("app.log.1", "one\n")
        .file("app.log.2", "two\n")
        .file("app.log.3", "three\n")
        .run(&["-f"]);

    /// `rotate 2` with more old logs present than kept (`.1` to `.4`).
    diff_rotate2_more_existing_than_kept: Scenario::new("@D@/app.log {\n    rotate 2\n}\n")
        .file("app.log", "current\n")
        .file("app.log.1", "one\n")
        .file("app.log.2", "two\n")
        .file("app.log.3", "three\n")
        .file("app.log.4", "four\n")
        .run(&["-f"])
        .append("app.log", "again\n")
        .run(&["-f"]);

    /// `rotate 0`: the log is removed, no old version kept.
    diff_rotate0_removes_log: Scenario::new("@D@/app.log {\n    rotate 0\n}\n")
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` with `create`: the log is replaced by an empty one.
    diff_rotate0_with_create: Scenario::new("@D@/app.log {\n    rotate 0\n    create\n}\n")
        .file("app.log", "current\n")
        .file("app.log.1", "stale\n")
        .run(&["-f"]);

    /// `start 0`: old logs are numbered from `.0`.
    diff_start0_numbering: Scenario::new("@D@/app.log {\n    start 0\n    rotate 2\n}\n")
        .file("app.log", "current\n")
        .file("app.log.0", "zero\n")
        .file("app.log.1", "one\n")
        .run(&["-f"]);

    /// `start 5 rotate 2`: old logs are `.5` and `.6`.
    diff_start5_rotate2: Scenario::new("@D@/app.log {\n    start 5\n    rotate 2\n    create\n}\n")
        .file("app.log", "current\n")
        .file("app.log.5", "five\n")
        .file("app.log.6", "six\n")
        .run(&["-f"])
        .append("app.log", "more\n")
        .run(&["-f"]);

    /// `compress` with an existing `.gz` chain.
    diff_compress_existing_gz_chain: Scenario::new("@D@/app.log {\n    rotate 3\n    compress\n}\n")
        .file("app.log", "current\n")
        .gz("app.log.1.gz", "one\n")
        .gz("app.log.2.gz", "two\n")
        .gz("app.log.3.gz", "three\n")
        .run(&["-f"]);

    /// `compress` + `delaycompress` over three runs: `.1` stays plain, older ones are gzipped.
    diff_compress_delaycompress_three_runs: Scenario::new("@D@/app.log {\n    rotate 3\n    compress\n    delaycompress\n    create\n}\n")
        .file("app.log", "first\n")
        .run(&["-f"])
        .append("app.log", "second\n")
        .run(&["-f"])
        .append("app.log", "third\n")
        .run(&["-f"]);

    /// `compressext .gzip`: the extension changes, the data is still gzip.
    diff_compressext_custom: Scenario::new("@D@/app.log {\n    rotate 2\n    compress\n    compressext .gzip\n}\n")
        .file("app.log", "current\n")
        .gz("app.log.1.gzip", "one\n")
        .run(&["-f"]);

    /// `dateext`: the old log is named after today's date.
    diff_dateext_basic: Scenario::new("@D@/app.log {\n    rotate 3\n    dateext\n}\n")
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `dateext` + `dateformat -%Y-%m-%d`.
    diff_dateext_dateformat_dashes: Scenario::new("@D@/app.log {\n    rotate 3\n    dateext\n    dateformat -%Y-%m-%d\n}\n")
        .file("app.log", "current\n")
        .file("app.log-2020-01-01", "old\n")
        .run(&["-f"]);

    /// `dateext` + `dateyesterday`.
    diff_dateext_dateyesterday: Scenario::new("@D@/app.log {\n    rotate 3\n    dateext\n    dateyesterday\n}\n")
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `dateext rotate 2` with three older dated logs: only the newest ones are kept.
    diff_dateext_removes_dated_beyond_rotate: Scenario::new("@D@/app.log {\n    rotate 2\n    dateext\n}\n")
        .file("app.log", "current\n")
        .file("app.log-20200101", "jan 1\n")
        .file("app.log-20200102", "jan 2\n")
        .file("app.log-20200103", "jan 3\n")
        .run(&["-f"]);

    /// `dateext` + `compress` with older compressed dated logs.
    diff_dateext_compress: Scenario::new("@D@/app.log {\n    rotate 2\n    dateext\n    compress\n}\n")
        .file("app.log", "current\n")
        .gz("app.log-20200101.gz", "jan 1\n")
        .gz("app.log-20200102.gz", "jan 2\n")
        .run(&["-f"]);

    /// `dateext` twice on the same day: the second run finds its target taken.
    diff_dateext_twice_same_day: Scenario::new("@D@/app.log {\n    rotate 3\n    dateext\n}\n")
        .file("app.log", "first\n")
        .run(&["-f"])
        .append("app.log", "second\n")
        .run_unchanged(&["-f"]);

    /// `extension .log`: old logs are `app.1.log`, `app.2.log`.
    diff_extension_log: Scenario::new("@D@/app.log {\n    rotate 2\n    extension .log\n}\n")
        .file("app.log", "current\n")
        .file("app.1.log", "one\n")
        .run(&["-f"]);

    /// `olddir` relative to the log's directory, already present.
    diff_olddir_relative: Scenario::new("@D@/app.log {\n    rotate 2\n    olddir old\n}\n")
        .file("app.log", "current\n")
        .file("old/app.log.1", "one\n")
        .run(&["-f"]);

    /// `olddir` absolute, created with `createolddir 0750`.
    diff_olddir_absolute_createolddir: Scenario::new("@D@/app.log {\n    rotate 2\n    olddir @D@/archive\n    createolddir 0750\n}\n")
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `create 0640`: the new log gets that mode.
    diff_create_with_mode: Scenario::new("@D@/app.log {\n    rotate 2\n    create 0640\n}\n")
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `create` without a mode keeps the old log's mode (0600).
    diff_create_keeps_original_mode: Scenario::new("@D@/app.log {\n    rotate 2\n    create\n}\n")
        .file_mode("app.log", "current\n", 0o600)
        .run(&["-f"]);

    /// `nocreate` after a global `create`: no new log.
    diff_nocreate_overrides_global_create: Scenario::new("create 0600\n@D@/app.log {\n    rotate 2\n    nocreate\n}\n")
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `copy`: the old log is a copy, the original stays untouched.
    diff_copy_leaves_original: Scenario::new("@D@/app.log {\n    rotate 2\n    copy\n}\n")
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `copytruncate` + `compress`: the original is emptied in place.
    diff_copytruncate_truncates: Scenario::new("@D@/app.log {\n    rotate 2\n    copytruncate\n    compress\n}\n")
        .file_mode("app.log", "current\n", 0o640)
        .run(&["-f"]);

    /// `renamecopy` with an `olddir`.
    diff_renamecopy_with_olddir: Scenario::new("@D@/app.log {\n    rotate 2\n    renamecopy\n    olddir old\n}\n")
        .file("app.log", "current\n")
        .dir("old")
        .run(&["-f"]);

    /// `maxage 10` + `compress`: an old compressed log is removed, a recent one shifts.
    diff_maxage_compressed_old_logs: Scenario::new("@D@/app.log {\n    rotate 5\n    compress\n    maxage 10\n}\n")
        .file("app.log", "current\n")
        .gz_aged("app.log.1.gz", "five days\n", 5)
        .gz_aged("app.log.2.gz", "twenty days\n", 20)
        .run(&["-f"]);

    /// `rotate 3` with a gap in the chain (`.1` and `.3` present, no `.2`).
    diff_rotate_chain_with_gap: Scenario::new("@D@/app.log {\n    rotate 3\n}\n")
        .file("app.log", "current\n")
        .file("app.log.1", "one\n")
        .file("app.log.3", "three\n")
        .run(&["-f"]);

    /// `dateext` + `maxage 30`: dated logs with old mtimes are removed.
    diff_dateext_maxage_removes_old_dated: Scenario::new("@D@/app.log {\n    rotate 5\n    dateext\n    maxage 30\n}\n")
        .file("app.log", "current\n")
        .file_aged("app.log-20200101", "old\n", 40)
        .file_aged("app.log-20200102", "recent\n", 3)
        .run(&["-f"]);

    /// `maxage 30`: rotated logs older than 30 days are removed on rotation.
    diff_maxage_removes_old_rotated: Scenario::new("@D@/app.log {\n    rotate 5\n    maxage 30\n}\n")
        .file("app.log", "current\n")
        .file_aged("app.log.1", "recent\n", 3)
        .file_aged("app.log.2", "old\n", 40)
        .file_aged("app.log.3", "older\n", 50)
        .run(&["-f"]);
}

scenarios! {
    /// `preremove` runs for the uncompressed file removed after compression, as in 3.21.
    diff_preremove_runs_for_the_file_removed_after_compression: Scenario::new(
        "@D@/app.log {\n    rotate 2\n    compress\n    preremove\n        @S:preremove@\n    endscript\n}\n",
    )
    .file("app.log", "one\n")
    .run(&["-f"])
    .append("app.log", "two\n")
    .run(&["-f"])
    .append("app.log", "three\n")
    .run(&["-f"]);

    /// `shred` with `compress`: the uncompressed file is shredded too (as 3.21).
    diff_shred_with_compress: Scenario::new("@D@/app.log {\n    rotate 1\n    compress\n    shred\n}\n")
        .file("app.log", "one\n")
        .run(&["-f"])
        .append("app.log", "two\n")
        .run(&["-f"]);
}

scenarios! {
    /// Dated archives are ordered by the date they encode: with `-%d-%m-%Y` the oldest date
    /// goes first although its text sorts last.
    diff_dated_archives_ordered_by_date_not_text: Scenario::new(
        "@D@/app.log {\n    rotate 2\n    dateext\n    dateformat -%d-%m-%Y\n}\n",
    )
    .file("app.log", "current\n")
    .file("app.log-31-12-2020", "oldest\n")
    .file("app.log-01-06-2021", "middle\n")
    .file("app.log-02-01-2022", "newest\n")
    .run(&["-f"]);
}

const SET_SCRIPTS: &str = "    firstaction\n        @S:first@\n    endscript\n\
    prerotate\n        @S:pre@\n    endscript\n\
    postrotate\n        @S:post@\n    endscript\n\
    preremove\n        @S:preremove@\n    endscript\n\
    lastaction\n        @S:last@\n    endscript\n";

scenarios! {
    /// Today's dated archive exists on the second run: first/last action still run, the older
    /// uncompressed dated archives are still compressed (delaycompress), the move is refused.
    diff_dateext_today_exists_still_runs_set_scripts: Scenario::new(&format!(
        "@D@/app.log {{\n    rotate 5\n    dateext\n    compress\n    delaycompress\n{SET_SCRIPTS}}}\n"
    ))
    .file("app.log", "one\n")
    .file("app.log-20200101", "old\n")
    .run(&["-f"])
    .append("app.log", "two\n")
    .run(&["-f"]);

    /// The same with `sharedscripts` and two logs, one of them blocked.
    diff_dateext_today_exists_sharedscripts: Scenario::new(&format!(
        "@D@/*.log {{\n    rotate 5\n    dateext\n    sharedscripts\n{SET_SCRIPTS}}}\n"
    ))
    .file("a.log", "a\n")
    .file("b.log", "b\n")
    .file("b.log-20200101", "old\n")
    .run(&["-f"])
    .append("a.log", "a2\n")
    .run(&["-f"]);

    /// `maxage` with scripts: old archives are removed before the prerotate script, as in 3.21.
    diff_maxage_removes_before_prerotate: Scenario::new(&format!(
        "@D@/app.log {{\n    rotate 5\n    maxage 3\n{SET_SCRIPTS}}}\n"
    ))
    .file("app.log", "now\n")
    .file_aged("app.log.1", "one\n", 1)
    .file_aged("app.log.2", "two\n", 10)
    .file_aged("app.log.3", "three\n", 20)
    .run(&["-f"]);

    /// Dated archives beyond `rotate`: all but the newest doomed one go before prerotate.
    diff_dateext_expiry_order_with_scripts: Scenario::new(&format!(
        "@D@/app.log {{\n    rotate 2\n    dateext\n{SET_SCRIPTS}}}\n"
    ))
    .file("app.log", "now\n")
    .file("app.log-20200101", "1\n")
    .file("app.log-20200102", "2\n")
    .file("app.log-20200103", "3\n")
    .run(&["-f"]);
}

scenarios! {
    /// Two logs with the same name sent to one olddir rotate in sequence: the second shifts
    /// the first's `.1` (logrotate looks at each log when its turn comes).
    diff_two_logs_one_olddir_rotate_in_sequence: Scenario::new(
        "@D@/a/app.log {\n    rotate 3\n    olddir @D@/old\n}\n@D@/b/app.log {\n    rotate 3\n    olddir @D@/old\n}\n",
    )
    .dir("old")
    .file("a/app.log", "from a\n")
    .file("b/app.log", "from b\n")
    .run(&["-f"]);

    /// A stanza uses the olddir an earlier stanza created with `createolddir`.
    diff_olddir_created_by_an_earlier_stanza: Scenario::new(
        "@D@/a/app.log {\n    rotate 3\n    olddir @D@/old\n    createolddir 0755 root root\n}\n@D@/b/other.log {\n    rotate 3\n    olddir @D@/old\n}\n",
    )
    .file("a/app.log", "from a\n")
    .file("b/other.log", "from b\n")
    .run(&["-f"]);
}

scenarios! {
    /// A log whose directory is missing: as root, 3.21 stops at the directory (`stat of DIR
    /// failed`) and records no state entry for it.
    diff_log_in_a_missing_directory: Scenario::new("@D@/sub/app.log {\n    rotate 1\n}\n@D@/app.log {\n    rotate 1\n}\n")
        .file("app.log", "x\n")
        .run(&["-f"]);

    /// The same with `missingok`.
    diff_log_in_a_missing_directory_missingok: Scenario::new(
        "@D@/sub/app.log {\n    rotate 1\n    missingok\n}\n@D@/app.log {\n    rotate 1\n}\n",
    )
    .file("app.log", "x\n")
    .run(&["-f"]);
}
