//! Scripts, mail, and the kinds of files logrotate refuses (or agrees) to rotate.

use super::harness::Scenario;

const ALL_SCRIPTS: &str = "    firstaction\n        @S:first@\n    endscript\n\
    prerotate\n        @S:pre@\n    endscript\n\
    postrotate\n        @S:post@\n    endscript\n\
    preremove\n        @S:preremove@\n    endscript\n\
    lastaction\n        @S:last@\n    endscript\n";

fn glob_with_scripts(extra: &str) -> String {
    format!("@D@/*.log {{\n    rotate 1\n{extra}{ALL_SCRIPTS}}}\n")
}

scenarios! {
    /// Every script kind, per log (no `sharedscripts`), over two logs with old versions to remove.
    diff_scripts_per_log: Scenario::new(&glob_with_scripts(""))
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .file("a.log.1", "old a\n")
        .file("b.log.1", "old b\n")
        .run(&["-f"]);

    /// Every script kind with `sharedscripts`: pre/post run once for the pattern.
    diff_scripts_sharedscripts: Scenario::new(&glob_with_scripts("    sharedscripts\n"))
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .file("a.log.1", "old a\n")
        .run(&["-f"]);

    /// A failing `prerotate` (`exit 1`): that log is not rotated, exit 1, the next stanza rotates.
    diff_prerotate_failure_skips_log: Scenario::new("@D@/bad.log {\n    rotate 1\n    prerotate\n        @S:pre@\n        exit 1\n    endscript\n    postrotate\n        @S:post@\n    endscript\n}\n@D@/good.log {\n    rotate 1\n}\n")
        .file("bad.log", "bad\n")
        .file("good.log", "good\n")
        .run(&["-f"]);

    /// A failing `firstaction`: nothing in the stanza rotates, exit 1.
    diff_firstaction_failure_skips_stanza: Scenario::new("@D@/*.log {\n    rotate 1\n    firstaction\n        @S:first@\n        exit 3\n    endscript\n    lastaction\n        @S:last@\n    endscript\n}\n@D@/other.txt {\n    rotate 1\n}\n")
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .file("other.txt", "other\n")
        .run(&["-f"]);

    /// A failing `postrotate` after the rename.
    diff_postrotate_failure: Scenario::new("@D@/app.log {\n    rotate 1\n    create\n    postrotate\n        @S:post@\n        false\n    endscript\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);

    /// `mail` (maillast, the default): the log about to be removed is mailed.
    diff_mail_maillast: Scenario::new("@D@/app.log {\n    rotate 1\n    mail ops@example.com\n}\n")
        .file("app.log", "current\n")
        .file("app.log.1", "oldest, to be mailed\n")
        .run(&["-f"]);

    /// `mail` + `mailfirst`: the just-rotated log is mailed.
    diff_mail_mailfirst: Scenario::new("@D@/app.log {\n    rotate 1\n    mail ops@example.com\n    mailfirst\n}\n")
        .file("app.log", "current, to be mailed\n")
        .file("app.log.1", "oldest\n")
        .run(&["-f"]);

    /// `mail` + `compress` + `maillast`: the removed compressed log is mailed uncompressed.
    diff_mail_compressed_maillast: Scenario::new("@D@/app.log {\n    rotate 1\n    compress\n    mail ops@example.com\n    maillast\n}\n")
        .file("app.log", "current\n")
        .gz("app.log.1.gz", "old compressed\n")
        .run(&["-f"]);

    /// A symlinked log is not rotated; the real log in another stanza is.
    diff_symlinked_log_skipped: Scenario::new("@D@/link.log {\n    rotate 1\n}\n@D@/real.log {\n    rotate 1\n}\n")
        .file("real.log", "real\n")
        .symlink("link.log", "real.log")
        .run(&["-f"]);

    /// A glob matching a symlink and a plain log.
    diff_glob_with_symlink: Scenario::new("@D@/*.log {\n    rotate 1\n}\n")
        .file("plain.log", "plain\n")
        .file("target.txt", "target\n")
        .symlink("link.log", "target.txt")
        .run(&["-f"]);

    /// A log with two hard links is not rotated.
    diff_hardlinked_log_skipped: Scenario::new("@D@/app.log {\n    rotate 1\n}\n@D@/other.log {\n    rotate 1\n}\n")
        .file("app.log", "linked\n")
        .hardlink("twin", "app.log")
        .file("other.log", "other\n")
        .run(&["-f"]);

    /// `allowhardlink`: the hard-linked log is rotated.
    diff_hardlinked_log_allowhardlink: Scenario::new("@D@/app.log {\n    rotate 1\n    allowhardlink\n    create\n}\n")
        .file("app.log", "linked\n")
        .hardlink("twin", "app.log")
        .run(&["-f"]);

    /// A glob matching a directory: the directory is left alone, the logs rotate.
    diff_glob_matching_directory_skipped: Scenario::new("@D@/* {\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .dir("sub")
        .file("sub/inner.log", "inner\n")
        .run(&["-f"]);

    /// A glob over several logs, with a file that does not match.
    diff_glob_several_files: Scenario::new("@D@/*.log {\n    rotate 2\n    compress\n}\n")
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .file("c.log", "c\n")
        .gz("c.log.1.gz", "old c\n")
        .file("notes.txt", "not a log\n")
        .run(&["-f"]);

    /// A glob matching a FIFO with `notifempty`: neither tool touches it, nothing blocks.
    diff_glob_with_fifo_notifempty: Scenario::new("@D@/* {\n    rotate 1\n    notifempty\n}\n")
        .file("app.log", "data\n")
        .fifo("pipe")
        .run(&["-f"]);
}
