//! Regression tests for the classic parser's 3.21 behaviours (issue 8): error recovery, the
//! rest of a directive line, message wording, and values read as 3.21 reads them. The expected
//! texts were checked against Debian's `/usr/sbin/logrotate` 3.21.

use crate::config::{Config, Level, LoadOptions};
use crate::rule::{days, Criterion, Frequency, Keep, MoveMethod};

fn load_files(files: &[(&str, &str)]) -> (Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    (without_reading_notes(super::super::Loader::new(LoadOptions::default()).load_all(&paths)), dir)
}

/// Leaves out the debug lines every load prints (`reading config file`, `including`), which
/// these tests are not about.
fn without_reading_notes(mut c: Config) -> Config {
    c.diagnostics.retain(|d| {
        !(d.level == Level::Note
            && (d.message.starts_with("reading config file ") || d.message.starts_with("including ")))
    });
    c
}

fn load_text(text: &str) -> (Config, tempfile::TempDir) {
    load_files(&[("test.conf", text)])
}

/// The error messages with the temp dir taken out.
fn errors(c: &Config, dir: &tempfile::TempDir) -> Vec<String> {
    let prefix = format!("{}/", dir.path().display());
    c.diagnostics.iter().filter(|d| d.level == Level::Error).map(|d| d.message.replace(&prefix, "")).collect()
}

fn patterns(c: &Config) -> Vec<String> {
    c.rules.iter().map(|r| r.patterns.join(" ")).collect()
}

#[test]
fn error_outside_a_stanza_abandons_the_rest_of_the_file_and_keeps_closed_stanzas() {
    let (c, d) = load_text("/a.log {\n}\nrotate x\n/b.log {\n}\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:3 bad rotation count 'x'"]);
    assert_eq!(patterns(&c), vec!["/a.log"]);
}

#[test]
fn file_with_an_error_reverts_its_global_options_for_the_next_file() {
    let (c, d) = load_files(&[
        ("1.conf", "rotate 3\ncompress\n/a.log {\n}\nbogus! line\n"),
        ("2.conf", "/b.log {\n}\n"),
        ("3.conf", "rotate 4\n/c.log {\n rotate x\n}\n"),
        ("4.conf", "/d.log {\n}\n"),
    ]);
    assert_eq!(
        errors(&c, &d),
        vec![
            "1.conf:5 keyword 'bogus' not properly separated, found 0x21",
            "3.conf:3 bad rotation count 'x'",
            "found error in /c.log , skipping",
        ]
    );
    let got: Vec<_> =
        c.rules.iter().map(|r| (r.patterns[0].as_str(), r.options.keep, r.options.compress)).collect();
    // /a.log closed before the error keeps the globals it was given; the next files start
    // from the globals as they were before the failed file.
    assert_eq!(
        got,
        vec![
            ("/a.log", Keep::Count(3), true),
            ("/b.log", Keep::Count(0), false),
            ("/d.log", Keep::Count(0), false)
        ]
    );
}

#[test]
fn line_starting_with_anything_but_keyword_path_quote_tilde_hash_or_brace_is_an_error() {
    for start in ["*.log {\n}\n", "{\n}\n", "./a.log {\n}\n", "= x\n"] {
        let (c, d) = load_text(&format!("/a.log {{\n}}\n{start}/b.log {{\n}}\n"));
        assert_eq!(
            errors(&c, &d),
            vec!["test.conf:3 lines must begin with a keyword or a filename (possibly in double quotes)"],
            "{start:?}"
        );
        assert_eq!(patterns(&c), vec!["/a.log"], "{start:?}");
    }
}

#[test]
fn keyword_glued_to_other_characters_is_an_error_not_an_unknown_keyword() {
    let (c, d) = load_text("a::x\n/a.log {\n}\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:1 keyword 'a' not properly separated, found 0x3a"]);
    assert!(c.rules.is_empty());
    let (c, d) = load_text("/a.log {\n rot@te 5\n}\n/b.log {\n}\n");
    assert_eq!(
        errors(&c, &d),
        vec![
            "test.conf:2 keyword 'rot' not properly separated, found 0x40",
            "found error in /a.log , skipping"
        ]
    );
    assert_eq!(patterns(&c), vec!["/b.log"]);
}

#[test]
fn keywords_are_case_sensitive_letters_only() {
    let (c, d) = load_text("/a.log {\n Compress\n rotate_count 3\n}\n");
    assert_eq!(
        c.diagnostics[0].message.replace(&format!("{}/", d.path().display()), ""),
        "test.conf:2 unknown option 'Compress' -- ignoring line"
    );
    assert_eq!(errors(&c, &d)[0], "test.conf:3 keyword 'rotate' not properly separated, found 0x5f");
    assert!(c.rules.is_empty());
}

#[test]
fn value_is_the_rest_of_the_line_comments_and_extra_words_included() {
    let (c, d) = load_text(
        "/a.log {\n rotate 1 # note\n}\n/b.log {\n size 10 x\n}\n/c.log {\n rotate 5 6\n}\n/d.log {\n size 10 M\n}\n/e.log {\n rotate 2\n}\n",
    );
    assert_eq!(
        errors(&c, &d),
        vec![
            "test.conf:2 bad rotation count '1 # note'",
            "found error in /a.log , skipping",
            "test.conf:5 unknown unit 'x'",
            "found error in /b.log , skipping",
            "test.conf:8 bad rotation count '5 6'",
            "found error in /c.log , skipping",
            "test.conf:11 bad size '10 '",
            "found error in /d.log , skipping",
        ]
    );
    assert_eq!(patterns(&c), vec!["/e.log"]);
}

#[test]
fn flag_directive_line_may_hold_more_directives() {
    let (c, _d) = load_text("/a.log {\n nocreate compress daily\n}\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let o = &c.rules[0].options;
    assert!(o.compress && o.create.is_none());
    assert_eq!(o.criterion, Some(Criterion::Time(Frequency::Daily)));
}

#[test]
fn flag_directive_followed_by_a_value_is_an_error() {
    let (c, d) = load_text("/a.log {\n monthly 31\n}\n");
    assert_eq!(
        errors(&c, &d),
        vec![
            "test.conf:2 lines must begin with a keyword or a filename (possibly in double quotes)",
            "found error in /a.log , skipping"
        ]
    );
    assert!(c.rules.is_empty());
}

#[test]
fn numbers_are_read_as_c_reads_them() {
    let (c, _d) = load_text("/a.log {\n rotate 010\n start 0x10\n}\n");
    assert_eq!((c.rules[0].options.keep, c.rules[0].options.start), (Keep::Count(8), 16));
}

#[test]
fn messages_have_no_colon_after_the_line_number() {
    let (c, d) = load_text("/a.log {\n rotate abc\n}\n");
    assert_eq!(errors(&c, &d)[0], "test.conf:2 bad rotation count 'abc'");
}

#[test]
fn unexpected_brace_in_a_header_is_reported_once() {
    let (c, d) = load_text("/a.log /b.log }\n/c.log {\n}\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:1 unexpected } (missing previous '{')"]);
    assert!(c.rules.is_empty());
}

#[test]
fn header_without_brace_is_missing_brace_after_log_files_definition() {
    let (c, d) = load_text("/a.log {\n}\n/b.log\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:3 missing '{' after log files definition"]);
    assert_eq!(patterns(&c), vec!["/a.log"]);
}

#[test]
fn closing_brace_outside_a_stanza_is_unexpected_and_abandons_the_file() {
    let (c, d) = load_text("/a.log {\n}\n}\n/b.log {\n}\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:3 unexpected }"]);
    assert_eq!(patterns(&c), vec!["/a.log"]);
}

#[test]
fn dropped_stanza_adds_found_error_in_its_header_text() {
    // The header as written up to `{` (comments left out), as 3.21 prints it.
    let (c, d) = load_text("/a.log\n# c\n/b.log {\n rotate x\n}\n");
    assert_eq!(
        errors(&c, &d),
        vec!["test.conf:2 bad rotation count 'x'", "found error in /a.log\n\n/b.log , skipping"]
    );
}

#[test]
fn line_numbers_do_not_count_the_lines_of_a_header_as_3_21() {
    let (c, d) = load_text("/a.log\n/b.log\n{\n rotate x\n}\n");
    assert_eq!(errors(&c, &d)[0], "test.conf:2 bad rotation count 'x'");
}

#[test]
fn indented_brace_of_a_dropped_stanza_is_skipped_as_3_21() {
    let (c, _d) = load_text("/a.log {\n rotate x\n  }\n/b.log {\n}\n/c.log {\n}\n");
    assert_eq!(patterns(&c), vec!["/c.log"]);
}

#[test]
fn stanza_left_open_at_the_end_of_the_file_is_kept_as_3_21() {
    let (c, _d) = load_text("/a.log {\n rotate 2\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.rules[0].options.keep, Keep::Count(2));
}

#[test]
fn script_without_endscript_abandons_the_file() {
    let (c, d) = load_text("/a.log {\n postrotate\n echo\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:prerotate, postrotate or preremove without endscript"]);
    assert!(c.rules.is_empty());
}

#[test]
fn bad_weekly_value_abandons_the_whole_file_as_3_21() {
    let (c, d) = load_text("/a.log {\n weekly x\n}\n/b.log {\n}\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:2 bad weekly directive ' x'"]);
    assert!(c.rules.is_empty());
}

#[test]
fn su_needs_user_and_group_as_3_21() {
    let (c, d) = load_text("/a.log {\n su root\n}\n");
    assert_eq!(errors(&c, &d), vec!["test.conf:2 no group for su", "found error in /a.log , skipping"]);
}

#[test]
fn su_user_alone_keeps_the_group_of_an_earlier_su_as_3_21() {
    let (c, d) = load_text("su root adm\n/a.log {\n su nobody\n}\n/b.log {\n su root root\n su nobody\n}\n");
    assert!(errors(&c, &d).is_empty(), "{:?}", errors(&c, &d));
    let groups: Vec<_> =
        c.rules.iter().map(|r| r.options.su.as_ref().and_then(|s| s.group.clone())).collect();
    assert_eq!(groups.len(), 2);
    assert_ne!(groups[0], groups[1], "adm from the globals, root from the stanza");
}

#[test]
fn compresscmd_sets_the_extension_from_3_21_table_over_an_earlier_compressext() {
    let (c, _d) = load_text(
        "compressext .foo\ncompresscmd /usr/bin/xz\n/a.log {\n}\n/b.log {\n compresscmd bzip2\n}\n/c.log {\n compressext .q\n compresscmd /opt/zip\n}\n/d.log {\n compressext .q\n compresscmd /opt/pigz\n}\n/e.log {\n compresscmd lz4\n compressext .lz\n}\n",
    );
    let ext: Vec<_> = c.rules.iter().map(|r| r.options.effective_compress_ext()).collect();
    assert_eq!(ext, vec![".xz", ".bz2", "zip", ".q", ".lz"]);
    let (c, _d) = load_text("/a.log {\n compresscmd /usr/bin/lz4\n}\n");
    // Not in 3.21's table: the extension in effect stays (`.gz` by default).
    assert_eq!(c.rules[0].options.effective_compress_ext(), ".gz");
}

#[test]
fn copytruncate_and_renamecopy_last_one_wins_across_globals_and_stanza() {
    let (c, _d) = load_text(
        "copytruncate\n/a.log {\n renamecopy\n}\nrenamecopy\n/b.log {\n copytruncate\n}\n/c.log {\n copy\n}\n",
    );
    let got: Vec<_> = c.rules.iter().map(|r| r.options.move_method).collect();
    assert_eq!(got, [MoveMethod::RenameCopy, MoveMethod::CopyTruncate, MoveMethod::CopyAndRenameCopy]);
}

/// 3.21's three flags read as one method: sequences of directives, globals then stanza.
#[test]
fn move_method_follows_3_21_flags() {
    use MoveMethod::*;
    let cases: &[(&str, &str, MoveMethod)] = &[
        ("copytruncate", "renamecopy", RenameCopy),
        ("renamecopy", "copytruncate", CopyTruncate),
        ("copytruncate", "copy", CopyTruncate),
        ("copy", "copytruncate", CopyTruncate),
        ("copy copytruncate", "nocopytruncate", Copy),
        ("copytruncate copy", "nocopytruncate", Copy),
        ("copytruncate", "nocopytruncate", Rename),
        ("copy", "renamecopy", CopyAndRenameCopy),
        ("copy renamecopy", "nocopy", RenameCopy),
        ("copy renamecopy", "norenamecopy", Copy),
        ("copy renamecopy", "copytruncate", CopyTruncate),
        ("copy copytruncate", "renamecopy", CopyAndRenameCopy),
        ("renamecopy", "nocopytruncate", RenameCopy),
        ("", "copy", Copy),
        ("copy", "nocopy", Rename),
    ];
    for (globals, stanza, want) in cases {
        let text = format!("{}\n/a.log {{\n {}\n}}\n", globals.replace(' ', "\n"), stanza);
        let (c, _d) = load_text(&text);
        assert_eq!(c.rules[0].options.move_method, *want, "{globals} / {stanza}");
    }
}

#[test]
fn out_of_range_ages_are_bad_values_quoted_as_3_21() {
    let (c, d) = load_text(
        "/a.log {\n maxage 200000000000\n}\n/b.log {\n minage 2x\n}\n/c.log {\n maxage 5000000000\n}\n",
    );
    assert_eq!(
        errors(&c, &d),
        vec![
            // 3.21 quotes from the value's last character to the end of the file.
            "test.conf:2 bad maximum age '0\n}\n/b.log {\n minage 2x\n}\n/c.log {\n maxage 5000000000\n}\n'",
            "found error in /a.log , skipping",
            "test.conf:5 bad minimum age 'x\n}\n/c.log {\n maxage 5000000000\n}\n'",
            "found error in /b.log , skipping",
        ]
    );
    // 5000000000 fits 3.21's `(int)` cast as 705032704 days.
    assert_eq!(c.rules[0].options.max_age, crate::rule::days(705_032_704));
}

#[test]
fn locktimeout_that_does_not_fit_a_duration_is_a_bad_value() {
    let (c, d) = load_text("/a.log {\n locktimeout 1e30\n}\n/b.log {\n locktimeout 2.5\n}\n");
    let e = errors(&c, &d);
    assert!(e[0].starts_with("test.conf:2 bad lock timeout '1e30'"), "{e:?}");
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].options.lock_timeout, std::time::Duration::from_millis(2500));
}

#[test]
fn tilde_slash_is_home_in_olddir_and_kept_in_log_patterns() {
    let home = std::env::var("HOME").unwrap_or_default();
    let (c, _d) = load_text("~/logs/a.log \"~/b.log\" {\n olddir ~/old\n}\n");
    let r = &c.rules[0];
    // Log patterns are globbed with GLOB_TILDE when their files are listed (scan.rs).
    assert_eq!(r.patterns, vec!["~/logs/a.log", "~/b.log"]);
    assert_eq!(r.options.olddir, Some(format!("{home}/old")));
    let notes: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        notes,
        vec![format!("replaced '~/old' with '{home}/old'"), format!("olddir is now {home}/old")]
    );
}

#[test]
fn files_of_a_directory_are_named_bare_in_messages_and_found_error_in_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("conf.d");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("1"), "rotate 3\n/a.log {\n rotate x\n}\n").unwrap();
    std::fs::write(d.join("2"), "/b.log {\n}\n").unwrap();
    let c = super::super::Loader::new(LoadOptions::default()).load_all(&[d]);
    assert_eq!(
        errors(&c, &dir),
        vec![
            "1:3 bad rotation count 'x'",
            "found error in /a.log , skipping",
            "found error in file 1, skipping"
        ]
    );
    // The failed file's `rotate 3` does not reach the next file.
    assert_eq!((patterns(&c), c.rules[0].options.keep), (vec!["/b.log".to_string()], Keep::Count(0)));
}

#[test]
fn create_mode_is_the_leading_octal_digits_as_3_21() {
    use crate::rule::Owner;
    let (c, _d) =
        load_text("/a.log {\n create 9\n}\n/b.log {\n create 0640root\n}\n/c.log {\n create 08\n}\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let specs: Vec<_> = c.rules.iter().map(|r| r.options.create.clone().unwrap()).collect();
    assert_eq!((specs[0].mode, specs[0].owner.clone()), (None, Some(Owner::Id(9))));
    assert_eq!((specs[1].mode, specs[1].owner.clone()), (Some(0o640), Some(Owner::Name("root".into()))));
    assert_eq!((specs[2].mode, specs[2].owner.clone()), (Some(0), Some(Owner::Id(8))));
}

#[test]
fn minage_and_maxage_0_are_no_limit_as_3_21() {
    // 3.21 tests `if (log->rotateMinAge)` and `rotateAge > 0`: its -v trace then says nothing
    // of ages ("only log files older than 0 days" was ours).
    let (c, _d) = load_text("/a.log {\n minage 0\n maxage 0\n}\n/b.log {\n minage 3\n maxage 4\n}\n");
    assert_eq!((c.rules[0].options.min_age, c.rules[0].options.max_age), (None, None));
    assert_eq!((c.rules[1].options.min_age, c.rules[1].options.max_age), (days(3), days(4)));
}

#[test]
fn create_without_arguments_keeps_an_earlier_mode_and_owner_as_3_21() {
    let (c, d) = load_text("create 0640 root\n/a.log {\n create\n}\n/b.log {\n create 0600\n create\n}\n");
    assert!(errors(&c, &d).is_empty(), "{:?}", errors(&c, &d));
    let modes: Vec<_> = c.rules.iter().map(|r| r.options.create.as_ref().and_then(|s| s.mode)).collect();
    assert_eq!(modes, vec![Some(0o640), Some(0o600)]);
    assert!(c.rules.iter().all(|r| r.options.create.as_ref().is_some_and(|s| s.owner.is_some())));
}

#[test]
fn nocreate_between_two_creates_keeps_the_first_ones_mode_as_3_21() {
    let (c, d) = load_text("/a.log {\n create 0600 root\n nocreate\n create\n}\n");
    assert!(errors(&c, &d).is_empty(), "{:?}", errors(&c, &d));
    let spec = c.rules[0].options.create.clone().expect("create on");
    assert_eq!(spec.mode, Some(0o600));
    assert!(spec.owner.is_some());
}

/// `compresslevel N`: the built-in gzip's level, `-N` before `compressoptions` for any command.
#[test]
fn compresslevel_sets_the_level_and_the_first_argument() {
    let options = |stanza: &str| {
        let (c, _d) = load_text(&format!("/a.log {{\n{stanza}\n}}\n"));
        assert!(!c.has_errors(), "{stanza}: {:?}", c.diagnostics);
        c.rules[0].options.clone()
    };
    let cases: &[(&str, &str, Option<u32>)] = &[
        ("compress", "-6", Some(6)),
        ("compresslevel 1", "-1", Some(1)),
        ("compresslevel 1\ncompressoptions -9", "-1 -9", Some(9)),
        ("compresslevel 2\ncompressoptions -n", "-2 -n", None),
        ("compresslevel 3\ncompresscmd /usr/bin/xz", "-3", None),
        ("compresslevel 3\ncompresscmd /usr/bin/xz\ncompressoptions -T0", "-3 -T0", None),
        ("compresscmd /usr/bin/xz", "", None),
    ];
    for (stanza, args, builtin) in cases {
        let o = options(stanza);
        assert_eq!((&*o.effective_compress_options(), o.builtin_gzip_level()), (*args, *builtin), "{stanza}");
    }
    for bad in ["0", "10", "x", "9x", "-1"] {
        let (c, _d) = load_text(&format!("/a.log {{\n compresslevel {bad}\n}}\n"));
        assert!(c.rules.is_empty(), "{bad}");
        let said = format!(":2 bad compress level '{bad}' (1 to 9)");
        assert!(c.diagnostics.iter().any(|d| d.message.ends_with(&said)), "{:?}", c.diagnostics);
    }
}

#[test]
fn maxtotalsize_and_minfree_read_sizes_as_maxsize_and_minfree_also_a_percentage_globally() {
    use crate::rule::MinFree;
    let (c, d) = load_text(
        "minfree 10%\n/a.log {\n maxtotalsize 1G\n}\n/b.log {\n minfree 50M\n maxtotalsize 0\n}\n\
         /c.log {\n minfree 101%\n}\n/d.log {\n minfree 5X\n}\n/e.log {\n minfree 0\n}\n",
    );
    assert_eq!(
        errors(&c, &d),
        vec![
            "test.conf:10 bad minimum free space '101%'",
            "found error in /c.log , skipping",
            "test.conf:13 unknown unit 'X'",
            "found error in /d.log , skipping",
        ]
    );
    let got: Vec<_> = c.rules.iter().map(|r| (r.options.max_total_size, r.options.min_free)).collect();
    assert_eq!(
        got,
        [(Some(1 << 30), Some(MinFree::Percent(10))), (None, Some(MinFree::Bytes(50 << 20))), (None, None)]
    );
}
