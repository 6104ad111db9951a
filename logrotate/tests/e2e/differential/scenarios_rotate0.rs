//! `rotate 0` combined with compression, mail, scripts and the copy methods (issue 8).

use super::harness::Scenario;

const SCRIPTS: &str = "    prerotate\n        @S:pre@\n    endscript\n\
    postrotate\n        @S:post@\n    endscript\n\
    preremove\n        @S:preremove@\n    endscript\n";

fn conf(extra: &str) -> String {
    format!("@D@/app.log {{\n    rotate 0\n{extra}{SCRIPTS}}}\n")
}

scenarios! {
    /// `rotate 0` + `compress`: compressed first, then removed (preremove sees both names).
    diff_rotate0_compress: Scenario::new(&conf("    compress\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` + `compress` + `delaycompress`.
    diff_rotate0_compress_delaycompress: Scenario::new(&conf("    compress\n    delaycompress\n"))
        .file("app.log", "current\n")
        .file("app.log.1", "old\n")
        .run(&["-f"]);

    /// `rotate 0` + `compress` + `mail` (maillast): mailed decompressed, subject the archive.
    diff_rotate0_compress_maillast: Scenario::new(&conf("    compress\n    mail a@b\n    maillast\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` + `compress` + `mailfirst`: subject the log's own path.
    diff_rotate0_compress_mailfirst: Scenario::new(&conf("    compress\n    mail a@b\n    mailfirst\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` + `mail` without compression.
    diff_rotate0_mail_plain: Scenario::new(&conf("    mail a@b\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` + `copy`: nothing is copied.
    diff_rotate0_copy: Scenario::new(&conf("    copy\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` + `copytruncate`: the log is only truncated.
    diff_rotate0_copytruncate: Scenario::new(&conf("    copytruncate\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` + `copytruncate` with an old `.1` present.
    diff_rotate0_copytruncate_existing_first: Scenario::new(&conf("    copytruncate\n"))
        .file("app.log", "current\n")
        .file("app.log.1", "old\n")
        .run(&["-f"]);

    /// `rotate 0` + `copy` + `compress` with an old `.1` present.
    diff_rotate0_copy_compress_existing_first: Scenario::new(&conf("    copy\n    compress\n"))
        .file("app.log", "current\n")
        .file("app.log.1", "old\n")
        .run(&["-f"]);

    /// `rotate 0` + `renamecopy` + `compress`.
    diff_rotate0_renamecopy_compress: Scenario::new(&conf("    renamecopy\n    compress\n    create\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);

    /// `rotate 0` + `dateext` + `compress` + `maillast`.
    diff_rotate0_dateext_compress_maillast: Scenario::new(&conf("    dateext\n    compress\n    mail a@b\n"))
        .file("app.log", "current\n")
        .run(&["-f"]);
}
