use super::file::suffixed;
use super::*;
use crate::diag::{Level, Location};
use std::os::unix::fs::symlink;
use std::process::Command;

fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, s).unwrap()
}

fn parse(text: &str) -> (State, Vec<String>) {
    let (state, diagnostics) = State::parse(text, Path::new("/st"));
    assert!(diagnostics.iter().all(|d| d.level == Level::Error));
    (state, diagnostics.into_iter().map(|d| d.message).collect())
}

/// Parses one entry line after a version 2 header, in a file named `F`: `PATH @ TIME`, or
/// the error text.
fn entry(line: &str) -> String {
    let text = format!("{HEADER_V2}\n{line}\n");
    let (state, diagnostics) = State::parse(&text, Path::new("F"));
    let first = state.iter().next();
    let result = match (first, &diagnostics[..]) {
        (Some((path, t)), []) if state.len() == 1 => format!("{path} @ {t}"),
        (None, [d]) if d.level == Level::Error => d.message.clone(),
        _ => panic!("unexpected result for {line:?}: {state:?} {diagnostics:?}"),
    };
    result
}

#[test]
fn a_parse_error_carries_the_state_file_and_its_line() {
    let text = format!("{HEADER_V2}\n\"/a\" 2026-1-2-3:4:5\n\n\"/b\" 2026-13-2-3:4:5\n");
    let (_, diagnostics) = State::parse(&text, Path::new("/st"));
    let lines: Vec<_> = diagnostics.iter().map(|d| d.location.clone()).collect();
    assert_eq!(lines, [Some(Location::line("/st", 4))], "{diagnostics:?}");
    let (_, diagnostics) = State::parse("not a header\n", Path::new("/st"));
    assert_eq!(diagnostics[0].location, Some(Location::line("/st", 1)));
}

const TRICKY: &[&str] = &[
    "/var/log/plain.log",
    "/l/quote\"d",
    "/l/back\\slash",
    "/l/literal\\n not newline",
    "/l/new\nline",
    "/l/sp ace\tand tab",
    "/l/single'quote",
    "/l/$dollar",
    "/l/trailing\\",
    "/l/both\\\"",
    "/l/ünïcode",
];

#[test]
fn tricky_paths_round_trip() {
    let mut state = State::new();
    for (i, path) in TRICKY.iter().enumerate() {
        state.set(path, dt(2026, 1, 5, 6, 25, i as u32));
    }
    let text = state.render();
    let (back, errors) = parse(&text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(back, state);
    assert!(text.contains("\"/l/quote\\\"d\" "));
    assert!(text.contains("\"/l/back\\\\slash\" "));
    assert!(text.contains("\"/l/new\\nline\" "));
    assert!(text.contains("\"/l/literal\\\\n not newline\" "));
}

#[test]
fn render_is_sorted_unpadded_local_format() {
    let mut state = State::new();
    state.set("/var/log/syslog", dt(2026, 1, 5, 6, 25, 1));
    state.set("/var/log/auth.log", dt(2025, 12, 31, 23, 0, 0));
    assert_eq!(
        state.render(),
        "logrotate state -- version 2\n\
         \"/var/log/auth.log\" 2025-12-31-23:0:0\n\
         \"/var/log/syslog\" 2026-1-5-6:25:1\n"
    );
    assert_eq!(State::new().render(), "logrotate state -- version 2\n");
}

#[test]
fn version_1_header_and_date_only_entries() {
    let (state, errors) = parse("logrotate state -- version 1\n\"/a\" 2000-1-1\n\"/b\" 2026-1-1-5\n");
    assert!(errors.is_empty());
    assert_eq!(state.get("/a"), Some(dt(2000, 1, 1, 0, 0, 0)));
    assert_eq!(state.get("/b"), Some(dt(2026, 1, 1, 5, 0, 0)));
}

#[test]
fn bad_line_in_the_middle_keeps_earlier_entries_and_stops() {
    let text = format!("{HEADER_V2}\n\"/a\" 2026-1-1\n\n\"/b\" 2026-1-2\ngarbage\n\"/c\" 2026-1-3\n");
    let (state, errors) = parse(&text);
    assert_eq!(errors, ["bad line 5 in state file /st"]);
    assert_eq!(state.iter().map(|(p, _)| p).collect::<Vec<_>>(), ["/a", "/b"]);
}

#[test]
fn empty_and_header_only_are_empty_states() {
    assert_eq!(parse(""), (State::new(), vec![]));
    assert_eq!(parse("logrotate state -- version 2\n"), (State::new(), vec![]));
}

#[test]
fn top_line_and_line_length_errors() {
    let bad_top = ["logrotate state -- version 3\n", "logrotate state -- version 2", "\n"];
    for text in bad_top {
        assert_eq!(parse(text).1, ["bad top line in state file /st"], "{text:?}");
    }
    let (state, errors) = parse(&format!("{HEADER_V2}\n\"/a\" 2026-1-1\n\"/b\" 2026-1-2"));
    assert_eq!(errors, ["line 3 too long in state file /st"]);
    assert_eq!(state.len(), 1);
    // 8206 bytes with the newline is the most logrotate's fgets buffer holds.
    let line = |len: usize| format!("\"/{}\" 2026-1-1", "a".repeat(len - 12));
    assert_eq!(line(8205).len(), 8205);
    assert!(entry(&line(8205)).ends_with(" @ 2026-01-01 00:00:00"));
    assert_eq!(entry(&line(8206)), "line 2 too long in state file F");
}

/// Each case was checked against Debian's logrotate 3.21.
#[test]
fn entry_lines_are_read_like_logrotate() {
    #[rustfmt::skip]
    let cases = [
        ("single quotes", "'/s' 2026-1-1", "/s @ 2026-01-01 00:00:00"),
        ("unquoted \\ ", "/u\\ q 2026-1-1-1:2:3junk", "/u q @ 2026-01-01 01:02:03"),
        ("pieces join", "\"/x\"y\"z\" 2026-1-1", "/xyz @ 2026-01-01 00:00:00"),
        ("unknown escape", "\"/e\\q\" 2026-1-1x", "/e\\q @ 2026-01-01 00:00:00"),
        ("\\' in \"", "\"/q\\'x\" 2026-1-1", "/q\\'x @ 2026-01-01 00:00:00"),
        ("\\' in '", "'/q\\'x' 2026-1-1", "/q'x @ 2026-01-01 00:00:00"),
        ("tab, padding", " \"/t\"\t2026-01-02-03:04:05 ", "/t @ 2026-01-02 03:04:05"),
        ("CR is space", "\"/r\" 2026-1-1\r", "/r @ 2026-01-01 00:00:00"),
        ("signs, spaces", "\"/p\" \"+2026-+1- 1\"", "/p @ 2026-01-01 00:00:00"),
        ("partial time", "\"/h\" 2026-1-1-1:", "/h @ 2026-01-01 01:00:00"),
        ("bad separator", "\"/f\" 2026-1-1-1-2-3", "/f @ 2026-01-01 01:00:00"),
        ("day 0", "\"/d\" 2026-3-0-23:59:59", "/d @ 2026-02-28 23:59:59"),
        ("31 February", "\"/d\" 2026-2-31", "/d @ 2026-03-03 00:00:00"),
        ("year 1900", "\"/y\" 1900-1-1", "/y @ 1900-01-01 00:00:00"),
        ("blank", "  ", "bad line 2 in state file F"),
        ("one word", "\"/a\"", "bad line 2 in state file F"),
        ("three words", "\"/a\" 2026-1-1 x", "bad line 2 in state file F"),
        ("empty word", "\"/a\" \"\"", "bad line 2 in state file F"),
        ("empty path", "\"\" 2026-1-1", "bad line 2 in state file F"),
        ("open quote", "\"/a 2026-1-1", "bad line 2 in state file F"),
        ("trailing \\", "/a\\", "bad line 2 in state file F"),
        ("two fields", "\"/a\" 2026-1", "bad line 2 in state file F"),
        ("year 1969", "\"/a\\n\" 1969-1-1", "bad year 1969 for file /a\\n in state file F"),
        ("year 2101", "\"/a\" 2101-1-1", "bad year 2101 for file /a in state file F"),
        ("overflow", "/a 99999999999-1-1", "bad year 1215752191 for file /a in state file F"),
        ("month 0", "\"/a\" 2026-0-1", "bad month 0 for file /a in state file F"),
        ("day 32", "\"/a\" 2026-1-32", "bad day 32 for file /a in state file F"),
        ("day -1", "\"/a\" 2026-1--1", "bad day -1 for file /a in state file F"),
        ("hour 24", "/a 2026-1-1-24:0:0", "bad hour 24 for file /a in state file F"),
        ("hour -1", "/a 2026-1-1--1:0:0", "bad hour -1 for file /a in state file F"),
        ("minute 60", "/a 2026-1-1-1:60:0", "bad minute 60 for file /a in state file F"),
        ("second 60", "/a 2026-1-1-1:0:60", "bad second 60 for file /a in state file F"),
    ];
    for (name, line, want) in cases {
        assert_eq!(entry(line), want, "case {name:?}: {line:?}");
    }
}

#[test]
fn later_duplicate_wins() {
    let (state, _) = parse(&format!("{HEADER_V2}\n\"/a\" 2026-1-1\n\"/a\" 2026-1-3\n"));
    assert_eq!(state.get("/a"), Some(dt(2026, 1, 3, 0, 0, 0)));
}

#[test]
fn prune_drops_unused_entries_older_than_365_2422_days() {
    let now = dt(2026, 11, 23, 10, 0, 0);
    let at_limit = now - Duration::seconds(PRUNE_AFTER_SECS);
    let mut state = State::new();
    state.set("/gone/at-limit", at_limit);
    state.set("/gone/past-limit", at_limit - Duration::seconds(1));
    state.set("/gone/calendar-year-ago", dt(2025, 11, 23, 10, 0, 0));
    state.set("/used/ancient", dt(2000, 1, 1, 0, 0, 0));
    let removed = state.prune(now, |p| p.starts_with("/used/"));
    assert_eq!(removed, ["/gone/past-limit"]);
    let kept: Vec<_> = state.iter().map(|(p, _)| p).collect();
    assert_eq!(kept, ["/gone/at-limit", "/gone/calendar-year-ago", "/used/ancient"]);
}

fn state_with(path: &str) -> State {
    let mut state = State::new();
    state.set(path, dt(2026, 1, 5, 6, 25, 1));
    state
}

fn is_locked_by_someone(path: &Path) -> bool {
    let f = File::open(path).unwrap();
    match f.try_lock() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(e)) => panic!("{e}"),
    }
}

#[test]
fn write_then_read_back_creates_0640_and_keeps_both_locks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    assert!(file.diagnostics().is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), b"");
    assert_eq!(file.read(), (State::new(), vec![]));
    file.write(&state_with("/l/a\"b")).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), state_with("/l/a\"b").render());
    assert_eq!(file.read(), (state_with("/l/a\"b"), vec![]));
    assert!(!suffixed(&path, ".tmp").exists());
    // 0640 minus the umask.
    let mode = std::fs::metadata(&path).unwrap().mode() & 0o7777;
    assert_eq!((mode & !0o640, mode & 0o600), (0, 0o600), "{mode:o}");
    // After the rename, the new inode is locked too, as is the sidecar.
    assert!(is_locked_by_someone(&path));
    assert!(is_locked_by_someone(&suffixed(&path, ".lock")));
}

#[test]
fn second_open_is_locked_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    let _held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    let err = StateFile::open(&path, LockMode::NonBlocking).unwrap_err();
    assert!(matches!(&err, StateError::Locked { path: p } if *p == path), "{err:?}");
    assert_eq!(err.to_string(), format!("state file {} is already locked", path.display()));
    let err = StateFile::open(&path, LockMode::Wait(Some(std::time::Duration::from_millis(50))));
    assert!(matches!(err, Err(StateError::Locked { .. })), "{err:?}");
}

#[test]
fn wait_gets_the_lock_once_released() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    let held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        drop(held);
    });
    let waited = StateFile::open(&path, LockMode::Wait(Some(std::time::Duration::from_secs(30))));
    releaser.join().unwrap();
    assert!(waited.is_ok(), "{waited:?}");
    drop(waited);
    assert!(StateFile::open(&path, LockMode::Wait(None)).is_ok());
    let forever = LockMode::Wait(Some(std::time::Duration::MAX));
    assert!(StateFile::open(&path, forever).is_ok());
}

#[test]
fn skip_takes_no_lock_and_creates_no_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    let skipping = StateFile::open(&path, LockMode::Skip).unwrap();
    assert!(!suffixed(&path, ".lock").exists());
    assert!(!is_locked_by_someone(&path));
    skipping.write(&state_with("/a")).unwrap();
    assert_eq!(skipping.read().0, state_with("/a"));
    let _held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    let also = StateFile::open(&path, LockMode::Skip).unwrap();
    assert_eq!(also.read().0, state_with("/a"));
}

#[test]
fn read_only_creates_nothing_and_refuses_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    let missing = StateFile::read_only(&path);
    assert_eq!(missing.read(), (State::new(), vec![]));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let err = missing.write(&State::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    assert!(!path.exists());
    let held = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    held.write(&state_with("/a")).unwrap();
    assert_eq!(StateFile::read_only(&path).read().0, state_with("/a"));
}

#[test]
fn dev_null_means_no_state_and_no_lock() {
    let a = StateFile::open(Path::new("/dev/null"), LockMode::NonBlocking).unwrap();
    let b = StateFile::open(Path::new("/dev/null"), LockMode::NonBlocking).unwrap();
    a.write(&state_with("/a")).unwrap();
    assert_eq!(b.read(), (State::new(), vec![]));
    assert!(!Path::new("/dev/null.lock").exists());
    assert!(!Path::new("/dev/null.tmp").exists());
}

#[test]
fn stale_tmp_from_interrupted_write_is_ignored_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    std::fs::write(&path, state_with("/old").render()).unwrap();
    let tmp = suffixed(&path, ".tmp");
    std::fs::write(&tmp, "logrotate state -- version 2\n\"/half-writ").unwrap();
    let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    assert_eq!(file.read(), (state_with("/old"), vec![]));
    assert!(!tmp.exists());
    std::fs::write(&tmp, "junk").unwrap();
    file.write(&state_with("/new")).unwrap();
    assert_eq!(file.read().0, state_with("/new"));
}

#[test]
fn symlinked_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, "").unwrap();
    let path = dir.path().join("status");
    symlink(&target, &path).unwrap();
    let err = StateFile::open(&path, LockMode::NonBlocking).unwrap_err();
    assert!(matches!(&err, StateError::Symlink { path: p } if *p == path), "{err:?}");
    let err = StateFile::open(&path, LockMode::Skip).unwrap_err();
    assert!(matches!(err, StateError::Symlink { .. }), "{err:?}");
}

#[test]
fn world_readable_state_is_not_locked_and_write_drops_world_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    std::fs::write(&path, "").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
    let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    let warning = format!(
        "state file {} is world-readable and thus can be locked from other unprivileged \
         users. Skipping lock acquisition...",
        path.display()
    );
    assert_eq!(file.diagnostics(), [Diagnostic::warning(warning).at(Location::file(&path))]);
    assert!(!is_locked_by_someone(&path));
    file.write(&State::new()).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, 0o660);
    assert!(is_locked_by_someone(&path));
}

#[test]
fn unreadable_state_is_an_error_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    let file = StateFile::open(&path, LockMode::NonBlocking).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(file.read(), (State::new(), vec![]));
    std::fs::create_dir(&path).unwrap();
    let (state, diagnostics) = file.read();
    assert!(state.is_empty());
    assert_eq!(diagnostics.len(), 1);
    assert!(diagnostics[0].message.starts_with("error opening state file"), "{diagnostics:?}");
}

const REAL: &str = "/usr/sbin/logrotate";

fn real_logrotate() -> bool {
    let found = Path::new(REAL).exists();
    if !found {
        eprintln!("note: {REAL} is not installed; skipping the comparison with it");
    }
    found
}

#[test]
fn reads_and_renders_an_escaped_path_like_real_logrotate() {
    if !real_logrotate() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let name = "we\"ird \\ na\nme.log";
    let log = logs.join(name);
    std::fs::write(&log, "x\n").unwrap();
    let conf = dir.path().join("conf");
    std::fs::write(&conf, format!("{}/*.log {{\n  rotate 1\n  daily\n}}\n", logs.display())).unwrap();
    let status = dir.path().join("status");
    let out = Command::new(REAL).arg("-f").arg("-s").arg(&status).arg(&conf).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "logrotate failed: {stderr}");
    let text = std::fs::read_to_string(&status).unwrap();
    let (state, diagnostics) = State::parse(&text, &status);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let path = log.to_str().unwrap();
    let when = state.get(path).unwrap_or_else(|| panic!("{path:?} not in {text:?}"));
    let ours = state_with_at(path, when).render();
    let our_line = ours.lines().nth(1).unwrap();
    assert!(our_line.contains("we\\\"ird \\\\ na\\nme.log"), "{our_line}");
    assert!(text.lines().any(|l| l == our_line), "{our_line:?} not in {text:?}");
}

#[test]
fn real_logrotate_reads_our_tricky_paths_and_writes_them_back_unchanged() {
    if !real_logrotate() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    let pattern = format!("{}/none/*.log", dir.path().display());
    std::fs::write(&conf, format!("{pattern} {{\n  missingok\n}}\n")).unwrap();
    // Recent enough that logrotate does not prune these entries of unconfigured logs.
    let when = chrono::Local::now().naive_local().with_nanosecond(0).unwrap() - Duration::days(1);
    let mut state = State::new();
    for path in TRICKY {
        state.set(path, when);
    }
    let status = dir.path().join("status");
    std::fs::write(&status, state.render()).unwrap();
    std::fs::set_permissions(&status, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = Command::new(REAL).arg("-s").arg(&status).arg(&conf).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "logrotate failed: {stderr}");
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    // logrotate adds an entry of its own for the pattern that matched nothing.
    let mut theirs = sorted(&std::fs::read_to_string(&status).unwrap());
    theirs.retain(|l| !l.contains(&pattern));
    assert_eq!(theirs, sorted(&state.render()));
}

fn state_with_at(path: &str, when: NaiveDateTime) -> State {
    let mut state = State::new();
    state.set(path, when);
    state
}

#[test]
fn real_logrotate_is_locked_out_while_we_hold_the_state() {
    if !real_logrotate() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    std::fs::write(&conf, format!("{}/none.log {{\n  missingok\n}}\n", dir.path().display())).unwrap();
    let status = dir.path().join("status");
    let held = StateFile::open(&status, LockMode::NonBlocking).unwrap();
    held.write(&state_with("/a")).unwrap();
    let out = Command::new(REAL).arg("-s").arg(&status).arg(&conf).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let locked = StateError::Locked { path: status.clone() };
    let expected = format!("error: {locked}\n{}\n", StateError::PARALLEL_HINT);
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn regression_day_zero_of_1970_renders_so_that_it_reads_back() {
    // Found by tests/fuzz.rs: `1970-1-0` reads as 1969-12-31, which was written back as a year
    // that the reader refuses, losing every entry after it on the next read.
    for (line, written) in [
        ("\"/a\" 1970-1-0-19:0:0", "\"/a\" 1970-1-0-19:0:0\n"),
        ("\"/a\" 1900-1-0", "\"/a\" 1900-1-0-0:0:0\n"),
        ("\"/a\" 1970-1-1", "\"/a\" 1970-1-1-0:0:0\n"),
    ] {
        let (state, errors) = parse(&format!("{HEADER_V2}\n{line}\n\"/b\" 2026-1-1\n"));
        assert!(errors.is_empty(), "{errors:?}");
        let rendered = state.render();
        assert!(rendered.contains(written), "{rendered}");
        let (again, errors) = parse(&rendered);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(again, state);
    }
    let mut state = State::new();
    state.set("/c", dt(1969, 12, 31, 23, 59, 59));
    assert_eq!(parse(&state.render()).0, state);
}

#[test]
fn renders_to_is_render_compared() {
    let mut state = State::new();
    let t = chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap().and_hms_opt(7, 8, 9).unwrap();
    state.set("/var/log/a \"b\"\\c\nd.log", t);
    state.set("/var/log/x.log", t);
    let text = state.render();
    assert!(state.renders_to(text.as_bytes()));
    assert!(!state.renders_to(&text.as_bytes()[..text.len() - 1]));
    assert!(!state.renders_to(format!("{text}extra").as_bytes()));
    assert!(!state.renders_to(text.replace("x.log", "y.log").as_bytes()));
    assert!(!State::new().renders_to(b""));
    assert!(State::new().renders_to(State::new().render().as_bytes()));
}

#[test]
fn a_remembered_text_is_compared_until_the_state_changes() {
    let t = dt(2024, 3, 5, 7, 8, 9);
    let mut state = State::new();
    state.set("/var/log/x.log", t);
    state.set("/var/log/y.log", t);
    let text = state.render();
    let (mut read, _) = parse(&text);
    read.remember_text(text.as_bytes());
    assert!(read.renders_to(text.as_bytes()));
    assert!(!read.renders_to(text.replace("x.log", "z.log").as_bytes()));
    // Setting what it already holds changes nothing; anything else is seen.
    read.set("/var/log/x.log", t);
    assert!(read.renders_to(text.as_bytes()));
    read.set("/var/log/x.log", dt(2024, 3, 6, 7, 8, 9));
    assert!(!read.renders_to(text.as_bytes()));
    assert!(read.renders_to(read.render().as_bytes()));
    let (mut read, _) = parse(&text);
    read.remember_text(text.as_bytes());
    read.remove("/var/log/y.log");
    assert!(!read.renders_to(text.as_bytes()));
    let (mut read, _) = parse(&text);
    read.remember_text(text.as_bytes());
    assert_eq!(read.prune(dt(2030, 1, 1, 0, 0, 0), |_| false).len(), 2);
    assert!(!read.renders_to(text.as_bytes()) && read.renders_to(read.render().as_bytes()));
    // A text that is not the rendering (3.21's order, here) is not kept.
    let other =
        format!("{HEADER_V2}\n\"/var/log/y.log\" 2024-3-5-7:8:9\n\"/var/log/x.log\" 2024-3-5-7:8:9\n");
    let (mut read, _) = parse(&other);
    read.remember_text(other.as_bytes());
    assert!(!read.renders_to(other.as_bytes()) && read.renders_to(text.as_bytes()));
}

#[test]
fn plain_lines_split_as_popt_splits_them() {
    let lines = [
        "\"/var/log/a.log\" 2024-3-5-7:8:9",
        "\"/var/log/a b.log\"\t2024-3-5",
        "\"/var/log/it's.log\" 2024-3-5-7:8:9",
        "\"/var/log/a.log\"  2024-3-5",
        "\"/var/log/a.log\" 2024-3-5 ",
        "\"/var/log/a.log\"x 2024-3-5",
        "\"/var/log/a\\\\b.log\" 2024-3-5",
        "\"\" 2024-3-5",
        "\"/var/log/a.log\" 2024-\"3\"-5",
        "\"/var/log/a.log\" 2024-3-5 extra",
        "/var/log/a.log 2024-3-5",
        "\"/var/log/a.log\" ",
    ];
    for line in lines {
        if let Some((path, date)) = plain_entry(line) {
            assert_eq!(split_args(line), Some(vec![path.to_string(), date.to_string()]), "{line:?}");
        }
    }
    assert!(
        plain_entry(lines[0]).is_some() && plain_entry(lines[1]).is_some() && plain_entry(lines[2]).is_some()
    );
    assert!(lines[3..].iter().all(|l| plain_entry(l).is_none()));
}

#[test]
fn a_path_listed_twice_keeps_its_later_time() {
    let text = format!(
        "{HEADER_V2}\n\"/b\" 2024-3-5\n\"/a\" 2024-3-6\n\"/b\" 2024-3-7\n\"/a\" 2024-3-4\n\"/c\" 2024-3-1\n"
    );
    let (state, _) = parse(&text);
    assert_eq!(state.get("/a"), Some(dt(2024, 3, 4, 0, 0, 0)));
    assert_eq!(state.get("/b"), Some(dt(2024, 3, 7, 0, 0, 0)));
    assert_eq!(state.len(), 3);
}

#[test]
fn a_nul_byte_ends_the_line_as_in_3_21() {
    // fgets + strlen: the line looks unterminated ("too long"), or empty ("not parsable").
    let (state, errors) =
        parse(&format!("{HEADER_V2}\n\"/a\" 2024-3-5\n\"/b\0c\" 2024-3-5\n\"/d\" 2024-3-5\n"));
    assert_eq!(errors, ["line 3 too long in state file /st"]);
    assert_eq!(state.len(), 1);
    let (_, errors) = parse(&format!("{HEADER_V2}\n\0\"/b\" 2024-3-5\n"));
    assert_eq!(errors, ["line 2 not parsable in state file /st"]);
}
