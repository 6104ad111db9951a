//! README "Compatibility": a dry run (`-d`) never runs the mail command. 3.21 does, in debug
//! mode, when the archive it would mail already exists: `-d` sends real mail.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const ORACLE: &str = "/usr/sbin/logrotate";

/// Runs `bin -d -f` on a log with `mail` and an archive past `rotate 1`; returns what the mail
/// command received.
fn mailed_in_a_dry_run(bin: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, text) in [("a.log", "live\n"), ("a.log.1", "one\n"), ("a.log.2", "two, past rotate 1\n")] {
        std::fs::write(d.join(name), text).unwrap();
    }
    let out = d.join("mail.out");
    let mail = d.join("mail.sh");
    std::fs::write(&mail, format!("#!/bin/sh\necho \"mail $*\" >> {0}\ncat >> {0}\n", out.display()))
        .unwrap();
    std::fs::set_permissions(&mail, std::fs::Permissions::from_mode(0o755)).unwrap();
    let conf = d.join("c.conf");
    std::fs::write(&conf, format!("{}/a.log {{\n rotate 1\n mail root@example.org\n}}\n", d.display()))
        .unwrap();
    let status = Command::new(bin)
        .args(["-d", "-f", "-m"])
        .arg(&mail)
        .arg("-s")
        .arg(d.join("state"))
        .arg(&conf)
        .output()
        .unwrap()
        .status;
    assert!(status.code().is_some(), "{status:?}");
    // Nothing else changed either.
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.retain(|n| n != "mail.out");
    names.sort();
    assert_eq!(names, ["a.log", "a.log.1", "a.log.2", "c.conf", "mail.sh"], "{}", bin.display());
    std::fs::read_to_string(out).unwrap_or_default()
}

#[test]
fn a_dry_run_never_mails_though_3_21_does() {
    assert_eq!(mailed_in_a_dry_run(&common::bin("logrotate")), "");
    if Path::new(ORACLE).exists() {
        let theirs = mailed_in_a_dry_run(Path::new(ORACLE));
        assert!(theirs.contains("two, past rotate 1"), "3.21 changed: revisit README ({theirs:?})");
    } else {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
    }
}
