use super::*;
use crate::config::cursor::split_args;
use crate::config::Level;
use crate::rule::{Criterion, Frequency, Keep, MailWhen, Owner, WeeklyOn};

fn load_text(text: &str) -> (Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.conf");
    std::fs::write(&path, text).unwrap();
    (without_reading_notes(Loader::new(LoadOptions::default()).load_all(&[path])), dir)
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

fn errors(c: &Config) -> Vec<String> {
    c.diagnostics.iter().filter(|d| d.level == Level::Error).map(|d| d.message.clone()).collect()
}

/// `error:` lines that, as in 3.21, leave the exit status alone.
fn kept_errors(c: &Config) -> Vec<String> {
    c.diagnostics.iter().filter(|d| d.level == Level::ErrorKept).map(|d| d.message.clone()).collect()
}

#[test]
fn globals_are_defaults_for_later_stanzas_only() {
    let (c, _d) = load_text("compress\n/a.log {\n rotate 3\n}\nnocompress\n/b.log {\n}\n");
    assert_eq!(c.rules.len(), 2);
    assert!(c.rules[0].options.compress);
    assert_eq!(c.rules[0].options.keep, Keep::Count(3));
    assert!(!c.rules[1].options.compress);
    assert_eq!(c.rules[1].options.keep, Keep::Count(0));
}

#[test]
fn several_patterns_quoted_with_spaces_and_brace_on_next_line() {
    let (c, _d) = load_text("\"/var/log/my app.log\" /b.log\n/c*.log\n{\n daily\n}\n");
    assert_eq!(c.rules[0].patterns, vec!["/var/log/my app.log", "/b.log", "/c*.log"]);
    assert_eq!(c.rules[0].options.criterion, Some(Criterion::Time(Frequency::Daily)));
}

#[test]
fn scripts_keep_their_text_until_endscript() {
    let (c, _d) =
        load_text("/a.log {\n postrotate\n  kill -HUP $(cat /run/x.pid)\n  echo }\n endscript\n}\n");
    assert_eq!(
        c.rules[0].options.scripts.postrotate.as_deref(),
        Some("  kill -HUP $(cat /run/x.pid)\n  echo }\n")
    );
}

#[test]
fn missing_endscript_is_an_error() {
    let (c, _d) = load_text("/a.log {\n postrotate\n  echo hi\n}\n");
    assert!(c.has_errors());
    assert!(c.rules.is_empty());
}

#[test]
fn bad_value_drops_only_that_stanza() {
    let (c, _d) = load_text("/a.log {\n rotate abc\n}\n/b.log {\n rotate 2\n}\n");
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].patterns, vec!["/b.log"]);
    let e = errors(&c);
    assert_eq!(e.len(), 2);
    assert!(e[0].ends_with("test.conf:2 bad rotation count 'abc'"), "{e:?}");
    assert_eq!(e[1], "found error in /a.log , skipping");
}

#[test]
fn unknown_keyword_is_a_warning_and_ignored() {
    let (c, _d) = load_text("/a.log {\n frobnicate 3\n rotate 2\n}\n");
    assert_eq!(c.rules.len(), 1);
    assert!(!c.has_errors());
    assert!(c.diagnostics[0].message.ends_with("test.conf:2 unknown option 'frobnicate' -- ignoring line"));
}

#[test]
fn text_after_closing_brace_is_an_error_and_the_stanza_is_kept_as_3_21() {
    let (c, _d) = load_text("/a.log {\n rotate 2\n} junk\n");
    assert_eq!(c.rules.len(), 1);
    assert!(errors(&c).is_empty(), "the exit status is left alone, as 3.21");
    assert!(kept_errors(&c)[0].ends_with("test.conf:3, unexpected text after }"));
}

#[test]
fn comments_are_whole_lines() {
    let (c, _d) = load_text("# top\n/a.log {\n  # inside\n rotate 4\n}\n");
    assert_eq!(c.rules[0].options.keep, Keep::Count(4));
    assert!(c.diagnostics.is_empty());
}

#[test]
fn create_mode_owner_group_and_numeric_ids() {
    let (c, _d) = load_text(
        "/a.log {\n create 0640 root 0\n}\n/b.log {\n create\n}\n/c.log {\n create 0640 65534 65534\n}\n",
    );
    let spec = c.rules[0].options.create.clone().unwrap();
    assert_eq!(spec.mode, Some(0o640));
    assert_eq!(spec.owner, Some(Owner::Name("root".into())));
    assert_eq!(spec.group, Some(Owner::Id(0)));
    assert_eq!(c.rules[1].options.create, Some(Default::default()));
    assert_eq!(c.rules[2].options.create.clone().unwrap().owner, Some(Owner::Id(65534)));
}

#[test]
fn unknown_user_drops_stanza() {
    let (c, _d) = load_text("/a.log {\n create 0640 no_such_user_xyz adm\n}\n");
    assert!(c.rules.is_empty());
    assert!(errors(&c)[0].contains("unknown user 'no_such_user_xyz'"));
}

#[test]
fn size_units_and_last_criterion_wins() {
    let (c, _d) = load_text(
        "/a.log {\n daily\n size 10k\n}\n/b.log {\n size 1M\n weekly 3\n minsize 5M\n maxsize 1G\n}\n",
    );
    assert_eq!(c.rules[0].options.criterion, Some(Criterion::Size(10 * 1024)));
    assert_eq!(
        c.rules[1].options.criterion,
        Some(Criterion::Time(Frequency::Weekly(WeeklyOn::Day(chrono::Weekday::Wed))))
    );
    assert_eq!(c.rules[1].options.min_size, Some(5 << 20));
    assert_eq!(c.rules[1].options.max_size, Some(1 << 30));
}

#[test]
fn mail_and_rotate_forms() {
    let (c, _d) = load_text("/a.log {\n mail root@example.com\n mailfirst\n rotate -1\n start 0\n}\n");
    let o = &c.rules[0].options;
    assert_eq!(o.mail.as_deref(), Some("root@example.com"));
    assert_eq!(o.mail_when, MailWhen::First);
    assert_eq!(o.keep, Keep::All);
    assert_eq!(o.start, 0);
}

#[test]
fn dateformat_with_a_specifier_3_21_writes_literally_keeps_the_stanza() {
    let (c, _d) = load_text("/a.log {\n dateext\n dateformat -%Y%b%j %H\n}\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.rules[0].options.date_format.as_deref(), Some("-%Y%b%j %H"));
}

#[test]
fn include_directory_sorted_and_skips_taboo_and_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let inc = dir.path().join("d");
    std::fs::create_dir(&inc).unwrap();
    std::fs::write(inc.join("b"), "/b.log {\n}\n").unwrap();
    std::fs::write(inc.join("a"), "/a.log {\n}\n").unwrap();
    std::fs::write(inc.join("c.dpkg-old"), "/c.log {\n}\n").unwrap();
    std::fs::write(inc.join("d~"), "/d.log {\n}\n").unwrap();
    std::fs::create_dir(inc.join("sub")).unwrap();
    let main = dir.path().join("main.conf");
    std::fs::write(&main, format!("rotate 5\ninclude {}\n/z.log {{\n}}\n", inc.display())).unwrap();
    let c = Loader::new(LoadOptions::default()).load_all(&[main]);
    let pats: Vec<_> = c.rules.iter().map(|r| r.patterns[0].clone()).collect();
    assert_eq!(pats, vec!["/a.log", "/b.log", "/z.log"]);
    assert!(c.rules.iter().all(|r| r.options.keep == Keep::Count(5)));
}

#[test]
fn tabooext_replace_and_extend() {
    let mut l = Loader::new(LoadOptions::default());
    l.taboo("tabooext", "+ .foo");
    assert!(!l.is_wanted("x.foo") && !l.is_wanted("x.dpkg-old"));
    l.taboo("tabooext", ".bar,.baz");
    assert!(!l.is_wanted("x.baz") && l.is_wanted("x.dpkg-old"));
    // One list, as 3.21's: `taboopat` without `+` replaces the extensions too.
    l.taboo("taboopat", "*.tmp");
    assert!(!l.is_wanted("a.tmp") && l.is_wanted("x.baz"));
    // fnmatch with FNM_PERIOD: `*` does not match a leading dot.
    assert!(l.is_wanted(".a.tmp"));
    let notes: Vec<_> = l.out.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(notes[0], "Ignoring x.foo, because of *.foo pattern match");
}

#[test]
fn include_inside_stanza_is_an_error() {
    let (c, _d) = load_text("/a.log {\n include /etc/x\n}\n");
    assert!(c.rules.is_empty());
    assert!(c.has_errors());
}

#[test]
fn scripts_outside_stanza_are_defaults_for_later_stanzas_as_3_21() {
    let (c, _d) = load_text("postrotate\n echo hi\nendscript\n/a.log {\n}\n");
    assert_eq!(c.rules.len(), 1);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.rules[0].options.scripts.postrotate.as_deref(), Some(" echo hi\n"));
}

#[test]
fn ownership_check_refuses_group_writable_config() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.conf");
    std::fs::write(&path, "/a.log {\n}\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
    let c = Loader::new(LoadOptions { check_ownership: true, ..Default::default() })
        .load_all(std::slice::from_ref(&path));
    assert!(c.rules.is_empty());
    assert!(kept_errors(&c)[0].contains("writable by group or others"));
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.message.contains("Potentially dangerous mode") && d.message.ends_with(": 0664")));
}

#[test]
fn regression_brace_after_unknown_keyword_does_not_hang() {
    let (c, _d) = load_text("bad {\n/a.log {\n rotate 1 }\n}\n");
    assert!(c.diagnostics.iter().any(|d| d.message.contains("unknown option 'bad'")));
}

#[test]
fn regression_comment_after_endscript_does_not_swallow_the_file() {
    let (c, _d) =
        load_text("/a.log {\n postrotate\n  true\n endscript # reload done\n}\n/b.log {\n rotate 1\n}\n");
    assert_eq!(c.rules.len(), 2, "{:?}", c.diagnostics);
    assert_eq!(c.rules[0].options.scripts.postrotate.as_deref(), Some("  true\n"));
}

#[test]
fn regression_brace_at_end_of_directive_closes_the_stanza() {
    let (c, _d) = load_text("/a.log {\n rotate 1\n compress }\n/b.log {\n rotate 2\n}\n");
    assert_eq!(c.rules.len(), 2, "{:?}", c.diagnostics);
    assert!(c.rules[0].options.compress);
    assert!(!c.has_errors());
}

#[test]
fn regression_symlinked_file_in_include_dir_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.conf");
    std::fs::write(&real, "/a.log {\n rotate 3\n}\n").unwrap();
    let inc = dir.path().join("d");
    std::fs::create_dir(&inc).unwrap();
    std::os::unix::fs::symlink(&real, inc.join("app")).unwrap();
    let c = Loader::new(LoadOptions::default()).load_all(&[inc]);
    assert_eq!(c.rules.len(), 1);
}

/// Loads `text` on another thread and fails (instead of hanging the test run) if that takes
/// more than a few seconds: the whitespace bugs below made the parser loop forever.
fn load_text_in_time(text: &str) -> Config {
    let text = text.to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (c, _d) = load_text(&text);
        let _ = tx.send(c);
    });
    rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the parser hangs")
}

#[test]
fn split_args_splits_on_c_isspace_only() {
    assert_eq!(split_args("a\u{a0}b\x0bc\x0cd\re \t f"), vec!["a\u{a0}b", "c", "d", "e", "f"]);
    assert_eq!(split_args("\x0b\x0c"), Vec::<String>::new());
    assert_eq!(split_args("\"a\x0bb\"\x0b}"), vec!["a\x0bb", "}"]);
    assert_eq!(split_args("\u{2003}x\u{2028}"), vec!["\u{2003}x\u{2028}"]);
}

#[test]
fn regression_vertical_tab_and_form_feed_in_arguments_hung_the_parser() {
    let c = load_text_in_time("/a.log {\n rotate\x0b5\x0c\n create 0640\x0broot\x0c0\n}\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let o = &c.rules[0].options;
    assert_eq!(o.keep, Keep::Count(5));
    let spec = o.create.clone().unwrap();
    assert_eq!(
        (spec.mode, spec.owner, spec.group),
        (Some(0o640), Some(Owner::Name("root".into())), Some(Owner::Id(0)))
    );
}

#[test]
fn regression_no_break_space_in_arguments_hung_the_parser() {
    // As in logrotate 3.21, U+00A0 is part of a word, not a separator.
    let c = load_text_in_time(
        "/a.log {\n olddir /o\u{a0}d \x0b\n rotate 5\u{a0}\n}\n/b.log {\n olddir /o\u{a0}d\n}\n",
    );
    assert_eq!(errors(&c).len(), 2, "{:?}", c.diagnostics);
    assert!(errors(&c)[0].ends_with("test.conf:3 bad rotation count '5\u{a0}'"), "{:?}", c.diagnostics);
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].options.olddir.as_deref(), Some("/o\u{a0}d"));
}

#[test]
fn keyword_must_be_followed_by_whitespace_or_equals() {
    let c =
        load_text_in_time("/a.log {\n rotate\u{a0}5\n}\n/b.log {\n rotate;5\n}\n/c.log {\n rotate=5\n}\n");
    let e = errors(&c);
    assert!(e[0].ends_with("test.conf:2 keyword 'rotate' not properly separated, found 0xffffffc2"), "{e:?}");
    assert!(e[2].ends_with("test.conf:5 keyword 'rotate' not properly separated, found 0x3b"), "{e:?}");
    assert_eq!(e.len(), 4);
    assert_eq!(c.rules.len(), 1);
    assert_eq!((c.rules[0].patterns[0].as_str(), c.rules[0].options.keep), ("/c.log", Keep::Count(5)));
}

#[test]
fn keyword_glued_to_closing_brace_drops_the_stanza_up_to_the_next_brace_as_3_21() {
    // The glued `}` is taken by the error; skipping goes on to the next `}` (the next stanza's).
    let c = load_text_in_time("/a.log {\n compress}\n/b.log {\n rotate 2\n}\n/c.log {\n}\n");
    let e = errors(&c);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].ends_with("test.conf:2 keyword 'compress' not properly separated, found 0x7d"), "{e:?}");
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].patterns, vec!["/c.log"]);
}

#[test]
fn line_starting_with_other_whitespace_is_rejected_like_logrotate() {
    for start in ["\u{a0}", "\x0b", "\x0c"] {
        let c = load_text_in_time(&format!("/a.log {{\n{start}compress\n}}\n/b.log {{\n}}\n"));
        let e = errors(&c);
        assert_eq!(e.len(), 2, "{start:?}: {e:?}");
        assert!(e[0].ends_with(
            "test.conf:2 lines must begin with a keyword or a filename (possibly in double quotes)"
        ));
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.rules[0].patterns, vec!["/b.log"]);

        // Outside a stanza the rest of the file is abandoned.
        let c = load_text_in_time(&format!("{start}/a.log {{\n}}\n/b.log {{\n}}\n"));
        assert!(errors(&c)[0].ends_with(
            "test.conf:1 lines must begin with a keyword or a filename (possibly in double quotes)"
        ));
        assert!(c.rules.is_empty());
    }
}

#[test]
fn patterns_split_on_c_isspace_and_keep_no_break_space() {
    let c = load_text_in_time("/a.log\x0b/b.log\x0c\n\x0b{\n}\n/c\u{a0}d.log {\n}\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.rules[0].patterns, vec!["/a.log", "/b.log"]);
    assert_eq!(c.rules[1].patterns, vec!["/c\u{a0}d.log"]);
}

#[test]
fn crlf_line_ends_are_refused_as_3_21() {
    // `\r` is not a blank to 3.21: a line that starts with it is an error.
    let c = load_text_in_time("/a.log {\r\n rotate 3\r\n\r\n compress\r\n}\r\n");
    let e = errors(&c);
    assert!(e[0]
        .ends_with("test.conf:1 lines must begin with a keyword or a filename (possibly in double quotes)"));
    assert_eq!(e[1], "found error in /a.log , skipping");
    assert!(c.rules.is_empty());
}

#[test]
fn text_after_closing_brace_other_whitespace_is_an_error() {
    let c = load_text_in_time("/a.log {\n}\x0b\n");
    assert!(kept_errors(&c)[0].ends_with("test.conf:2, unexpected text after }"));
}

fn include_of(target: &Path) -> (Config, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    let main = d.path().join("main.conf");
    std::fs::write(&main, format!("include {}\n/z.log {{\n}}\n", target.display())).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(without_reading_notes(Loader::new(LoadOptions::default()).load_all(&[main])));
    });
    (rx.recv_timeout(std::time::Duration::from_secs(10)).expect("include hangs"), d)
}

fn mkfifo(path: &Path) {
    crate::sys::fs::mkfifo(path, 0o644).unwrap_or_else(|e| panic!("mkfifo {}: {e}", path.display()));
}

#[test]
fn regression_include_of_a_character_device_is_skipped_not_read() {
    let (c, _d) = include_of(Path::new("/dev/zero"));
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    assert_eq!(c.diagnostics[0].message, "Ignoring /dev/zero because it's not a regular file.");
    assert_eq!(c.rules.len(), 1);
}

#[test]
fn regression_include_of_a_fifo_is_skipped_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let (c, _d) = include_of(&fifo);
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    assert_eq!(
        c.diagnostics[0].message,
        format!("Ignoring {} because it's not a regular file.", fifo.display())
    );
    assert_eq!(c.rules.len(), 1);
}

#[test]
fn regression_include_directory_with_a_fifo_skips_it_and_reads_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("a-fifo"));
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("b-zero")).unwrap();
    std::fs::write(dir.path().join("c"), "/c.log {\n}\n").unwrap();
    let (c, _d) = include_of(dir.path());
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    assert_eq!(c.diagnostics.len(), 2, "{:?}", c.diagnostics);
    assert!(c.diagnostics.iter().all(|d| d.message.ends_with("because it's not a regular file.")));
    let pats: Vec<_> = c.rules.iter().map(|r| r.patterns[0].clone()).collect();
    assert_eq!(pats, vec!["/c.log", "/z.log"]);
}

#[test]
fn include_of_a_socket_is_an_error_like_logrotate() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let (c, _d) = include_of(&sock);
    assert_eq!(
        errors(&c),
        vec![format!("failed to open config file {}: No such device or address", sock.display())]
    );
    assert_eq!(c.rules.len(), 1);
}

#[test]
fn regression_file_including_itself_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("self.conf");
    std::fs::write(&main, format!("include {}\n/a.log {{\n}}\n", main.display())).unwrap();
    let c = Loader::new(LoadOptions::default()).load_all(std::slice::from_ref(&main));
    assert_eq!(c.rules.len(), 1);
    assert_eq!(errors(&c), vec![format!("{}: include loop, it is already being read", main.display())]);
}

#[test]
fn regression_directory_of_files_including_the_directory_ends() {
    // Without loop detection this read 3^8 files (and 10 files: 10^8).
    let dir = tempfile::tempdir().unwrap();
    for i in 0..10 {
        std::fs::write(dir.path().join(format!("f{i}")), format!("include {}\n", dir.path().display()))
            .unwrap();
    }
    let (c, _d) = include_of(dir.path());
    assert!(c.has_errors());
    // Each file: the loop, then `found error in file NAME, skipping`.
    assert_eq!(errors(&c).len(), 20, "{:?}", errors(&c));
    assert_eq!(c.rules.len(), 1);
}
