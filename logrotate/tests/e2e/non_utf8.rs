//! File names that are not UTF-8 rotate like any other (issue 8), named literally in the config
//! or matched by a glob, and their state entries keep the bytes: both tools run on identical
//! trees and must leave the same files, the same state file (byte for byte) and the same errors.

use crate::common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const ORACLE: &str = "/usr/sbin/logrotate";

/// Config and files of one scenario; `@D@` is the tree's log directory.
struct Scenario {
    config: &'static [u8],
    files: &'static [(&'static [u8], &'static [u8])],
}

const SCENARIOS: &[(&str, Scenario)] = &[
    (
        "glob_and_literal",
        Scenario {
            config: b"@D@/*.log {\n    rotate 2\n    compress\n}\n@D@/lit\xff.txt {\n    rotate 1\n}\n",
            files: &[
                (b"caf\xe9.log", b"latin-1 name\n"),
                (b"caf\xe9.log.1.gz", b""),
                (b"ok.log", b"plain name\n"),
                (b"lit\xff.txt", b"literal name\n"),
                (b".\xfehidden.log", b"dot file: glob(3) does not match it\n"),
            ],
        },
    ),
    (
        "missing_literal_is_an_error_with_its_bytes",
        Scenario { config: b"@D@/gone\xe9.log {\n    rotate 1\n}\n", files: &[] },
    ),
    (
        "dateext_and_olddir",
        Scenario {
            config:
                b"@D@/\xe9\xe9.log {\n    rotate 3\n    dateext\n    olddir old\xe9\n    createolddir\n}\n",
            files: &[(b"\xe9\xe9.log", b"dated\n")],
        },
    ),
];

fn tree(root: &Path, sc: &Scenario) -> PathBuf {
    let logs = root.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    for (name, content) in sc.files {
        let path = logs.join(OsStr::from_bytes(name));
        if name.ends_with(b".gz") {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut gz, b"old archive\n").unwrap();
            std::fs::write(&path, gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(&path, content).unwrap();
        }
    }
    let d = logs.as_os_str().as_bytes();
    let mut conf = Vec::new();
    let mut rest = sc.config;
    while let Some(i) = rest.windows(3).position(|w| w == b"@D@") {
        conf.extend_from_slice(&rest[..i]);
        conf.extend_from_slice(d);
        rest = &rest[i + 3..];
    }
    conf.extend_from_slice(rest);
    let path = root.join("rotate.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

/// Every file under `dir`, as (relative bytes, content), sorted.
fn snapshot(dir: &Path, base: &Path, out: &mut Vec<(Vec<u8>, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(base).unwrap().as_os_str().as_bytes().to_vec();
        if path.is_dir() {
            out.push((rel, b"<dir>".to_vec()));
            snapshot(&path, base, out);
        } else if rel.ends_with(b".gz") {
            let mut text = Vec::new();
            let file = std::fs::File::open(&path).unwrap();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(file), &mut text).unwrap();
            out.push((rel, text));
        } else {
            out.push((rel, std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
}

fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = haystack;
    while let Some(i) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(with);
        rest = &rest[i + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// What one tool did: exit code, files, state file and its `error:` lines, with the tree's root
/// replaced by `@R@`.
#[derive(Debug, PartialEq)]
struct Outcome {
    codes: Vec<Option<i32>>,
    /// Names and contents, bytes shown escaped (`\xe9`).
    files: Vec<(String, String)>,
    /// The state file's lines, sorted (3.21 writes them in hash order).
    state: Vec<String>,
    errors: Vec<String>,
}

fn shown(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

fn run(bin: &Path, sc: &Scenario) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let conf = tree(dir.path(), sc);
    let root = dir.path().as_os_str().as_bytes();
    let state = dir.path().join("state");
    let mut codes = Vec::new();
    let mut errors = Vec::new();
    // A forced run, then a normal one that must find the new state entries.
    for flags in [&["-f"][..], &[]] {
        let out = Command::new(bin).args(flags).arg("-s").arg(&state).arg(&conf).output().unwrap();
        codes.push(out.status.code());
        for line in out.stderr.split(|&b| b == b'\n').filter(|l| l.starts_with(b"error:")) {
            errors.push(shown(&replace(line, root, b"@R@")));
        }
    }
    let mut files = Vec::new();
    snapshot(&dir.path().join("logs"), dir.path(), &mut files);
    // The paths are compared, not the times (the two runs need not fall in the same second).
    let state = replace(&std::fs::read(&state).unwrap_or_default(), root, b"@R@");
    let without_time = |line: &[u8]| match line.iter().rposition(|&b| b == b' ') {
        Some(space) if line.starts_with(b"\"") => shown(&line[..space]),
        _ => shown(line),
    };
    let mut state: Vec<String> = state.split(|&b| b == b'\n').map(without_time).collect();
    state.sort();
    let files = files.iter().map(|(n, c)| (shown(n), shown(c))).collect();
    Outcome { codes, files, state, errors }
}

#[test]
fn names_that_are_not_utf8_rotate_as_in_logrotate_3_21() {
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        eprintln!("skipping: {ORACLE} is missing");
        return;
    }
    let ours = common::bin("logrotate");
    let mut failed = Vec::new();
    for (name, sc) in SCENARIOS {
        let theirs = run(Path::new(ORACLE), sc);
        let mine = run(&ours, sc);
        // Never vacuous: something was rotated or reported.
        assert!(theirs.files.len() > sc.files.len() || !theirs.errors.is_empty(), "{name}: {theirs:?}");
        if theirs != mine {
            eprintln!("{name}:\n  3.21: {theirs:#?}\n  ours: {mine:#?}");
            failed.push(*name);
        }
    }
    assert!(failed.is_empty(), "differ from logrotate 3.21: {failed:?}");
}

#[test]
fn a_state_entry_that_is_not_utf8_is_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join(OsStr::from_bytes(b"r\xe9.log"));
    std::fs::write(&log, "x\n").unwrap();
    let conf = dir.path().join("c.conf");
    let mut text = log.as_os_str().as_bytes().to_vec();
    text.extend_from_slice(b" {\n    daily\n    rotate 1\n}\n");
    std::fs::write(&conf, text).unwrap();
    let state = dir.path().join("state");
    let mut entry = b"logrotate state -- version 2\n\"".to_vec();
    entry.extend_from_slice(log.as_os_str().as_bytes());
    entry.extend_from_slice(b"\" 2000-1-1-0:0:0\n");
    std::fs::write(&state, &entry).unwrap();
    let out = common::logrotate().arg("-s").arg(&state).arg(&conf).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Due since 2000: rotated, and the entry was matched (not a second, mangled one added).
    assert!(dir.path().join(OsStr::from_bytes(b"r\xe9.log.1")).exists());
    let after = std::fs::read(&state).unwrap();
    let key = [b"\"", log.as_os_str().as_bytes(), b"\""].concat();
    assert_eq!(after.windows(key.len()).filter(|w| *w == key.as_slice()).count(), 1, "{after:?}");
    assert!(!after.windows(3).any(|w| w == "\u{fffd}".as_bytes()), "{}", after.escape_ascii());
}
