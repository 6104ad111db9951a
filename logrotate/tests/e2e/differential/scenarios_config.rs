//! The config language and the state file: includes, taboo extensions, global options,
//! quoting, errors in one stanza, duplicates and corrupt state.

use super::harness::{Age, Scenario};

/// A stanza for `@D@/NAME.log` that rotates with `-f`.
fn stanza(name: &str) -> String {
    format!("@D@/{name}.log {{\n    rotate 1\n}}\n")
}

/// An include directory with one file per interesting name, each owning one log.
fn with_include_dir(scenario: Scenario) -> Scenario {
    scenario
        .root_file("conf.d/a.conf", &stanza("a"))
        .root_file("conf.d/b.dpkg-old", &stanza("b"))
        .root_file("conf.d/c~", &stanza("c"))
        .root_file("conf.d/d.bak", &stanza("d"))
        .root_file("conf.d/e", &stanza("e"))
        .root_file("conf.d/sub/f.conf", &stanza("f"))
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .file("c.log", "c\n")
        .file("d.log", "d\n")
        .file("e.log", "e\n")
        .file("f.log", "f\n")
}

scenarios! {
    /// `include DIR`: taboo extensions (`.dpkg-old`, `~`), the taboo pattern `*.bak` and
    /// subdirectories are skipped.
    diff_include_directory_default_taboo: with_include_dir(Scenario::new("include @R@/conf.d\n"))
        .run(&["-f"]);

    /// `tabooext .conf` replaces the extension list: `.dpkg-old`, `~` and `.bak` are read
    /// again, `.conf` is skipped.
    diff_tabooext_replaces_list: with_include_dir(Scenario::new("tabooext .conf\ninclude @R@/conf.d\n"))
        .run(&["-f"]);

    /// `tabooext + .conf` extends the list: `.conf` joins the skipped files.
    diff_tabooext_plus_extends_list: with_include_dir(Scenario::new("tabooext + .conf\ninclude @R@/conf.d\n"))
        .run(&["-f"]);

    /// `taboopat + e*` extends the pattern list: `e` is skipped too.
    diff_taboopat_plus_extends_patterns: with_include_dir(Scenario::new("taboopat + e*\ninclude @R@/conf.d\n"))
        .run(&["-f"]);

    /// `include FILE` of a single file.
    diff_include_single_file: Scenario::new("include @R@/extra.conf\n@D@/main.log {\n    rotate 1\n}\n")
        .root_file("extra.conf", "@D@/extra.log {\n    rotate 2\n    compress\n}\n")
        .file("main.log", "main\n")
        .file("extra.log", "extra\n")
        .run(&["-f"]);

    /// Global options before the stanzas apply to every stanza; a stanza may override them.
    diff_global_options_inherited: Scenario::new("compress\nrotate 2\ncreate 0600\ndaily\n\n@D@/a.log {\n}\n@D@/b.log {\n    nocompress\n    rotate 1\n}\n")
        .file("a.log", "a\n")
        .gz("a.log.1.gz", "old a\n")
        .gz("a.log.2.gz", "older a\n")
        .file("b.log", "b\n")
        .file("b.log.1", "old b\n")
        .state("a.log", Age::DaysAgo(1))
        .state("b.log", Age::DaysAgo(1))
        .run(&[]);

    /// A quoted path containing a space, and two paths in one stanza.
    diff_quoted_path_with_space: Scenario::new("\"@D@/my app.log\" @D@/plain.log {\n    rotate 2\n}\n")
        .file("my app.log", "spaced\n")
        .file("plain.log", "plain\n")
        .run(&["-f"]);

    /// `rotate abc` in one stanza: exit 1, the good stanza still rotates.
    diff_bad_value_next_to_good_stanza: Scenario::new("@D@/bad.log {\n    rotate abc\n}\n@D@/good.log {\n    rotate 1\n}\n")
        .file("bad.log", "bad\n")
        .file("good.log", "good\n")
        .run(&["-f"]);

    /// An unknown keyword is a warning; the stanza still works.
    diff_unknown_keyword_still_rotates: Scenario::new("@D@/app.log {\n    rotate 1\n    frobnicate yes\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);

    /// The same log in two stanzas: an error.
    diff_duplicate_log_in_two_stanzas: Scenario::new("@D@/app.log {\n    rotate 1\n}\n@D@/app.log {\n    rotate 2\n}\n@D@/other.log {\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .file("other.log", "other\n")
        .run(&["-f"]);

    /// `ignoreduplicates` as a global option: the later glob match is ignored, the first stanza
    /// rotates the log, the glob's other log rotates too, exit 0.
    diff_duplicate_with_global_ignoreduplicates: Scenario::new("ignoreduplicates\n@D@/app.log {\n    rotate 1\n    compress\n}\n@D@/*.log {\n    rotate 2\n}\n")
        .file("app.log", "data\n")
        .file("other.log", "other\n")
        .run(&["-f"]);

    /// A corrupt line in the starting state file: an error and no rotation, but the state is
    /// rewritten, so a day later the log rotates.
    diff_state_with_bad_line: Scenario::new("@D@/app.log {\n    daily\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .state_raw("this is not a state line")
        .state("app.log", Age::DaysAgo(1))
        .run_unchanged(&[])
        .travel(1)
        .run(&[]);

    /// A state entry with an impossible date.
    diff_state_with_bad_date: Scenario::new("@D@/app.log {\n    daily\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .state_raw("\"@D@/app.log\" 2020-13-45-99:0:0")
        .run(&["-f"]);

    /// State entries for other files are kept (or dropped) the same way.
    diff_state_keeps_foreign_entries: Scenario::new("@D@/app.log {\n    daily\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .file("unrelated.log", "x\n")
        .state("app.log", Age::DaysAgo(1))
        .state("unrelated.log", Age::DaysAgo(5))
        .state("vanished.log", Age::DaysAgo(5))
        .run(&[]);

    /// Entries for logs outside the config: kept when recent, dropped after a year.
    diff_state_drops_year_old_foreign_entries: Scenario::new("@D@/app.log {\n    daily\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .file("old-existing.log", "x\n")
        .state("app.log", Age::DaysAgo(1))
        .state("old-existing.log", Age::DaysAgo(400))
        .state("old-vanished.log", Age::DaysAgo(400))
        .state("recent-vanished.log", Age::DaysAgo(300))
        .run(&[]);

    /// An unknown state file header.
    diff_state_with_wrong_header: Scenario::new("@D@/app.log {\n    daily\n    rotate 1\n}\n")
        .file("app.log", "data\n")
        .state_header("logrotate state -- version 1")
        .state("app.log", Age::DaysAgo(1))
        .run(&[]);

    /// Stanza options do not leak: after `@D@/a.log { compress }`, b.log is not compressed.
    diff_stanza_options_do_not_leak: Scenario::new("@D@/a.log {\n    rotate 1\n    compress\n}\n@D@/b.log {\n    rotate 1\n}\n")
        .file("a.log", "a\n")
        .file("b.log", "b\n")
        .run(&["-f"]);

    /// Comments and blank lines are ignored, also inside a stanza.
    diff_comments_and_blank_lines: Scenario::new("# global comment\n\n@D@/app.log {\n    # inside\n\n    rotate 1\n    compress\n}\n")
        .file("app.log", "data\n")
        .run(&["-f"]);
}
