//! `-l FILE` as in 3.21: the file is opened while the options are read (so it is created even
//! when the command line lacks a config file), and it receives every message, the `-v` lines
//! too, whether or not `-v` is given. Compared with Debian's logrotate 3.21.

use crate::common;

use std::fs;
use std::path::Path;
use std::process::Command;

const ORACLE: &str = "/usr/sbin/logrotate";

fn has_oracle() -> bool {
    if Path::new(ORACLE).exists() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
    false
}

/// Runs `bin` in a fresh dir with `args` (`@D@` is the dir); returns the `-l` file's contents
/// (`None` if absent) with the dir written `@D@` and the clock line made equal.
fn run(bin: &Path, args: &[&str]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    fs::write(dir.path().join("app.log"), "x\n").unwrap();
    fs::write(dir.path().join("app.log.1"), "1\n").unwrap();
    fs::write(dir.path().join("test.conf"), format!("{d}/app.log {{\n    rotate 2\n}}\n")).unwrap();
    let args: Vec<String> = args.iter().map(|a| a.replace("@D@", d)).collect();
    Command::new(bin).args(&args).output().unwrap();
    let text = fs::read_to_string(dir.path().join("run.log")).ok()?;
    Some(
        text.replace(d, "@D@")
            .lines()
            .map(|l| if l.starts_with("  Now: ") { "  Now: (clock)" } else { l })
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn log_file_is_created_even_when_the_command_line_has_no_config() {
    if !has_oracle() {
        return;
    }
    // `-m` takes the config file as its command: no config is left.
    let args = ["-l", "@D@/run.log", "-s", "@D@/state", "-m", "@D@/test.conf"];
    let theirs = run(Path::new(ORACLE), &args);
    assert_eq!(theirs.as_deref(), Some(""), "3.21 creates it empty");
    assert_eq!(run(&common::bin("logrotate"), &args), theirs);
}

#[test]
fn log_file_gets_every_line_as_3_21_writes_it() {
    if !has_oracle() {
        return;
    }
    for args in [
        &["-l", "@D@/run.log", "-f", "-s", "@D@/state", "@D@/test.conf"][..],
        &["-l", "@D@/run.log", "-s", "@D@/state", "@D@/test.conf"],
    ] {
        let theirs = run(Path::new(ORACLE), args);
        assert!(theirs.as_ref().is_some_and(|t| t.contains("Handling 1 logs")), "{theirs:?}");
        assert_eq!(run(&common::bin("logrotate"), args), theirs, "{args:?}: ours left, 3.21 right");
    }
}

#[test]
fn debug_warning_reaches_the_log_file_only_when_l_comes_first() {
    if !has_oracle() {
        return;
    }
    for args in [
        &["-d", "-l", "@D@/run.log", "-s", "@D@/state", "@D@/test.conf"][..],
        &["-l", "@D@/run.log", "-d", "-s", "@D@/state", "@D@/test.conf"],
    ] {
        let theirs = run(Path::new(ORACLE), args);
        assert_eq!(run(&common::bin("logrotate"), args), theirs, "{args:?}: ours left, 3.21 right");
    }
}
