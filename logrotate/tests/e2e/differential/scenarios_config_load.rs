//! What 3.21 decides while it loads the config, seen through what rotates: each stanza's file
//! list is built when its header is read (globbed with `GLOB_NOCHECK | GLOB_TILDE`), a
//! duplicate drops the rest of its pattern's files, and directories are never logs.

use super::harness::Scenario;

scenarios! {
    /// A duplicate drops the rest of that pattern's files (`goto duperror`): `c.log`, which
    /// `*.log` matches after `b.log`, is not rotated; `a.log`, before it, is.
    diff_config_duplicate_drops_the_rest_of_the_pattern:
        Scenario::new("@D@/b.log {\n    rotate 1\n}\n@D@/*.log {\n    rotate 1\n}\n")
            .file("a.log", "a\n")
            .file("b.log", "b\n")
            .file("c.log", "c\n")
            .run(&["-f"]);

    /// A stanza whose only file is a duplicate has no files: its missing olddir is never
    /// checked, so the rest of the file (`c.log`) is not abandoned.
    diff_config_duplicate_leaves_no_file_for_the_olddir_check:
        Scenario::new(
            "@D@/a.log {\n    rotate 1\n}\n@D@/a.log {\n    olddir @D@/missing\n}\n@D@/c.log {\n    rotate 1\n}\n",
        )
        .file("a.log", "a\n")
        .file("c.log", "c\n")
        .run(&["-f"]);

    /// `~/` in a pattern that matches nothing is kept as written: `stat of ~ failed`, and the
    /// state names `~/...`.
    diff_config_tilde_pattern_without_match_is_kept_as_written:
        Scenario::new("~/.logrotate-rs-no-such-file.log {\n}\n@D@/a.log {\n    rotate 1\n}\n")
            .file("a.log", "a\n")
            .run(&["-f"]);

    /// Wildcards do not match a leading dot (no `GLOB_PERIOD`).
    diff_config_glob_skips_dot_files:
        Scenario::new("@D@/*.log {\n    rotate 1\n}\n")
            .file("a.log", "a\n")
            .file(".hidden.log", "h\n")
            .run(&["-f"]);

    /// A directory named literally is no log: nothing is said about it.
    diff_config_directory_named_literally_is_no_log:
        Scenario::new("@D@/sub {\n    rotate 1\n}\n@D@/a.log {\n    rotate 1\n}\n")
            .dir("sub")
            .file("a.log", "a\n")
            .run(&["-f"]);
}
