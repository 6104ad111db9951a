//! Messages that scripts and monitoring grep for: ours must print the same `error:` lines as
//! Debian's logrotate 3.21 (`/usr/sbin/logrotate`) for the same situation. Each case runs both
//! tools on identical temp dirs and compares their `error:` lines after replacing the dir with
//! `@D@`. Without the oracle the test fails when `CI` is set, and is skipped otherwise.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const ORACLE: &str = "/usr/sbin/logrotate";

/// Builds the case in `dir`: the files, then the config (with `@D@` for `dir`).
fn setup(dir: &Path, config: &str, files: &[(&str, &str)]) {
    for (name, text) in files {
        // `NAME@old`: the file NAME, last modified ten days ago.
        let (name, old) = name.strip_suffix("@old").map_or((*name, false), |n| (n, true));
        fs::write(dir.join(name), text.replace("@D@", dir.to_str().unwrap())).unwrap();
        if old {
            let ten_days = std::time::Duration::from_secs(10 * 86400);
            let f = fs::File::options().write(true).open(dir.join(name)).unwrap();
            f.set_modified(std::time::SystemTime::now() - ten_days).unwrap();
        }
    }
    let conf = dir.join("test.conf");
    fs::write(&conf, config.replace("@D@", dir.to_str().unwrap())).unwrap();
    fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
}

/// The stderr of one run of `bin` with `flags` on a fresh copy of the case, with the case's
/// directory written `@D@`, and the exit code.
fn run(bin: &Path, flags: &[&str], config: &str, files: &[(&str, &str)]) -> (String, Option<i32>) {
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    setup(&dir, config, files);
    let out = Command::new(bin)
        .args(flags)
        .arg("-s")
        .arg(dir.join("state"))
        .arg(dir.join("test.conf"))
        .output()
        .unwrap();
    (String::from_utf8_lossy(&out.stderr).replace(dir.to_str().unwrap(), "@D@"), out.status.code())
}

/// The `error:` lines of one run of `bin` on a fresh copy of the case.
fn errors(bin: &Path, config: &str, files: &[(&str, &str)]) -> (Vec<String>, Option<i32>) {
    let (text, code) = run(bin, &["-f"], config, files);
    // 3.21 ends "Failed to remove old log" with whatever errno held; only the start is compared.
    let lines = text
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(|l| match l.find("Failed to remove old log ") {
            Some(_) => l.rsplit_once(": ").map_or(l, |(head, _)| head).to_string(),
            None => l.to_string(),
        })
        .collect();
    (lines, code)
}

fn same_errors_as_the_oracle(name: &str, config: &str, files: &[(&str, &str)]) {
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        eprintln!("skipping {name}: {ORACLE} is missing");
        return;
    }
    let (theirs, their_code) = errors(Path::new(ORACLE), config, files);
    let (ours, our_code) = errors(&common::bin("logrotate"), config, files);
    assert!(!theirs.is_empty(), "{name}: the case must make the oracle report an error");
    assert_eq!(ours, theirs, "{name}: error lines differ (ours left, 3.21 right)");
    assert_eq!(our_code, their_code, "{name}: exit codes differ");
}

const FAIL: &str = "        exit 1\n    endscript\n";

#[test]
fn failing_scripts_are_named_as_3_21_names_them() {
    let files: &[(&str, &str)] = &[("a.log", "a\n"), ("b.log", "b\n")];
    for kind in ["prerotate", "postrotate"] {
        for shared in ["", "    sharedscripts\n"] {
            let config = format!("@D@/*.log {{\n    rotate 1\n{shared}    {kind}\n{FAIL}}}\n");
            same_errors_as_the_oracle(&format!("{kind} {shared:?}"), &config, files);
        }
    }
    for kind in ["firstaction", "lastaction"] {
        let config = format!("@D@/*.log {{\n    rotate 1\n    {kind}\n{FAIL}}}\n");
        same_errors_as_the_oracle(kind, &config, files);
    }
}

#[test]
fn failing_preremove_keeps_the_file_with_3_21_words() {
    let config = format!("@D@/app.log {{\n    rotate 1\n    preremove\n{FAIL}}}\n");
    same_errors_as_the_oracle(
        "preremove",
        &config,
        &[("app.log", "new\n"), ("app.log.1", "1\n"), ("app.log.2", "2\n")],
    );
}

/// The errno 3.21 leaves in "Failed to remove old log PATH: ERRNO" is that of its last failed
/// lookup: after the previous log's ACL lookup (ENODATA) until a missing archive number is
/// looked up (ENOENT), the highest first. Said without -v as with it.
#[test]
fn a_failing_preremove_of_an_old_log_shows_3_21s_stale_errno() {
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        return;
    }
    let config = format!("@D@/a.log @D@/b.log {{\n    rotate 3\n    maxage 1\n    preremove\n{FAIL}}}\n");
    let cases: [&[(&str, &str)]; 3] = [
        // b.log.3 too old, b.log.2 there, b.log.1 missing: ENODATA.
        &[("a.log", "a\n"), ("b.log", "b\n"), ("b.log.3@old", "3\n"), ("b.log.2", "2\n")],
        // b.log.3 missing above the old b.log.2: ENOENT.
        &[("a.log", "a\n"), ("b.log", "b\n"), ("b.log.2@old", "2\n")],
        // Nothing missing above the old one.
        &[("a.log", "a\n"), ("b.log", "b\n"), ("b.log.3@old", "3\n"), ("b.log.2", "2\n"), ("b.log.1", "1\n")],
    ];
    for (i, files) in cases.iter().enumerate() {
        for flags in [&["-f"][..], &["-f", "-v"][..]] {
            let lines = |bin: &Path| -> Vec<String> {
                let (text, _) = run(bin, flags, &config, files);
                text.lines().filter(|l| l.starts_with("error:")).map(str::to_string).collect()
            };
            let theirs = lines(Path::new(ORACLE));
            assert!(theirs.iter().any(|l| l.contains("Failed to remove old log")), "case {i}: {theirs:?}");
            assert_eq!(
                lines(&common::bin("logrotate")),
                theirs,
                "case {i} {flags:?} (ours left, 3.21 right)"
            );
        }
    }
}

#[test]
fn compression_program_messages_as_3_21_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let noisy = dir.path().join("noisy-gzip");
    fs::write(&noisy, "#!/bin/sh\necho \"compressing $LOGROTATE_COMPRESSED_FILENAME\" >&2\nexec gzip\n")
        .unwrap();
    fs::set_permissions(&noisy, fs::Permissions::from_mode(0o755)).unwrap();
    let failing = dir.path().join("failing-gzip");
    fs::write(&failing, "#!/bin/sh\necho 'disk on fire' >&2\nexit 3\n").unwrap();
    fs::set_permissions(&failing, fs::Permissions::from_mode(0o755)).unwrap();
    for cmd in [noisy.to_str().unwrap(), failing.to_str().unwrap(), "/nonexistent/zip"] {
        let config = format!("@D@/app.log {{\n    rotate 1\n    compress\n    compresscmd {cmd}\n}}\n");
        same_errors_as_the_oracle(cmd, &config, &[("app.log", "x\n")]);
    }
}

/// The `-v`/`-d` lines that say what is decided and done, in 3.21's words (3.21's internal
/// lines such as its glob patterns and the renames of archives that do not exist are left out).
fn decision_lines(text: &str) -> Vec<String> {
    const SAID: &[&str] = &[
        "Handling ",
        "rotating pattern: ",
        "empty log files are",
        "considering log ",
        "  log ",
        "rotating log ",
        "renaming @D@/app.log to",
        "creating new ",
        "running ",
        "compressing log with",
        "copying ",
        "truncating ",
        "warning: logrotate in debug mode",
    ];
    text.lines().filter(|l| SAID.iter().any(|p| l.starts_with(p))).map(str::to_string).collect()
}

#[test]
fn verbose_and_debug_lines_say_what_3_21_says() {
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        return;
    }
    let config = "@D@/app.log @D@/other.log {\n    rotate 2\n    daily\n    create 0640 root root\n    compress\n    minsize 1\n    postrotate\n        true\n    endscript\n}\n@D@/copied.log {\n    weekly\n    copytruncate\n    notifempty\n}\n";
    let files: &[(&str, &str)] = &[("app.log", "a\n"), ("other.log", ""), ("copied.log", "")];
    for flags in [&["-v"][..], &["-v", "-f"], &["-d"], &["-d", "-f"]] {
        let (theirs, their_code) = run(Path::new(ORACLE), flags, config, files);
        let (ours, our_code) = run(&common::bin("logrotate"), flags, config, files);
        assert_eq!(decision_lines(&ours), decision_lines(&theirs), "{flags:?}: ours left, 3.21 right");
        assert_eq!(our_code, their_code, "{flags:?}");
    }
}

#[test]
fn state_file_on_a_read_only_filesystem_ends_as_3_21() {
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        return;
    }
    let mnt = tempfile::tempdir().unwrap();
    let mounted =
        Command::new("mount").args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"]).arg(mnt.path()).status();
    if !mounted.is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root and must be able to mount a tmpfs");
        return;
    }
    fs::write(mnt.path().join("status"), "logrotate state -- version 2\n").unwrap();
    let remounted = Command::new("mount").args(["-o", "remount,ro"]).arg(mnt.path()).status().unwrap();
    let run_with = |bin: &Path| {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path(), "@D@/app.log {\n    rotate 1\n}\n", &[("app.log", "x\n")]);
        let out = Command::new(bin)
            .args(["-f", "-s"])
            .arg(mnt.path().join("status"))
            .arg(dir.path().join("test.conf"))
            .output()
            .unwrap();
        (String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code())
    };
    let theirs = run_with(Path::new(ORACLE));
    let ours = run_with(&common::bin("logrotate"));
    let _ = Command::new("umount").arg(mnt.path()).status();
    assert!(remounted.success());
    assert_eq!(ours, theirs, "ours left, 3.21 right");
}

#[test]
fn log_in_a_missing_directory_is_reported_as_3_21_reports_it() {
    // As root 3.21 looks at the directory first: `stat of DIR failed`, not the log.
    same_errors_as_the_oracle("missing dir", "@D@/sub/app.log {\n    rotate 1\n}\n", &[("other", "x\n")]);
}

/// Everything `-v` or `-d` prints, line for line (the clock lines made equal, in case the two
/// runs straddle a minute, and process ids).
fn all_lines(text: &str) -> String {
    text.lines()
        .map(|l| match l.find(" (pid ") {
            _ if l.starts_with("  Now: ") => "  Now: (clock)".to_string(),
            Some(at) => format!("{} (pid N)", &l[..at]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn same_output_as_the_oracle(name: &str, flags: &[&str], config: &str, files: &[(&str, &str)]) {
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        return;
    }
    let (theirs, their_code) = run(Path::new(ORACLE), flags, config, files);
    let (ours, our_code) = run(&common::bin("logrotate"), flags, config, files);
    assert_eq!(all_lines(&ours), all_lines(&theirs), "{name} {flags:?}: ours left, 3.21 right");
    assert_eq!(our_code, their_code, "{name} {flags:?}");
}

/// The state file lines (`acquired lock on state file PATH` runs into the next line, as in
/// 3.21), `Creating new state` where 3.21 makes entries, the `dateext suffix` and `glob
/// pattern` lines, the shift of every archive number with `(rotatecount N, logstart N, i N)`,
/// `disposeName`, `doesn't exist -- won't try to dispose of it`, `not running ... script`.
#[test]
fn verbose_and_debug_runs_print_every_line_3_21_prints() {
    let config = "@D@/a.log {\n    rotate 0\n    compress\n}\n\
        @D@/b.log {\n    rotate 3\n    compress\n    delaycompress\n    maxage 3\n}\n\
        @D@/c.log @D@/nope.log {\n    missingok\n    sharedscripts\n    rotate 1\n    copytruncate\n    prerotate\n        true\n    endscript\n    postrotate\n        true\n    endscript\n}\n\
        @D@/d.log {\n    dateext\n    dateformat -%Y%m%d-%%x\n    rotate 1\n    renamecopy\n    create 0600\n}\n\
        @D@/e.log {\n    dateext\n    rotate 1\n    compress\n}\n\
        @D@/gone/f.log @D@/g.log {\n    rotate 2\n    firstaction\n        true\n    endscript\n    lastaction\n        true\n    endscript\n}\n\
        @D@/h.log {\n    size 1M\n    sharedscripts\n    firstaction\n        true\n    endscript\n    prerotate\n        true\n    endscript\n    postrotate\n        true\n    endscript\n    lastaction\n        true\n    endscript\n}\n";
    let files: &[(&str, &str)] = &[
        ("a.log", "a\n"),
        ("b.log", "b\n"),
        ("b.log.1", "b1\n"),
        ("b.log.3.gz", "b3\n"),
        ("c.log", "c\n"),
        ("d.log", "d\n"),
        ("e.log", "e\n"),
        ("e.log-20200101.gz", "e1\n"),
        ("e.log-20200102.gz", "e2\n"),
        ("e.log-20200103.gz", "e3\n"),
        ("g.log", "g\n"),
        ("g.log.1", "g1\n"),
        ("h.log", "h\n"),
    ];
    for flags in [&["-v"][..], &["-v", "-f"], &["-d"], &["-d", "-f"]] {
        same_output_as_the_oracle("every line", flags, config, files);
    }
}

/// After a failed `preremove` 3.21 adds `Failed to remove old log PATH: ` and a stale errno:
/// ENOENT for an archive removed before the log moves (old dated archives, `maxage`),
/// ENODATA (its ACL lookup) for one disposed of after; nothing for a file just compressed.
#[test]
fn failed_preremove_ends_with_the_stale_errno_of_3_21() {
    let pre = "    preremove\n        exit 1\n    endscript\n";
    let config = format!(
        "@D@/a.log {{\n    rotate 1\n{pre}}}\n@D@/c.log {{\n    dateext\n    rotate 1\n{pre}}}\n@D@/d.log {{\n    rotate 1\n    compress\n{pre}}}\n\
         @D@/e.log {{\n    rotate 0\n    copytruncate\n{pre}}}\n"
    );
    let files: &[(&str, &str)] = &[
        ("a.log", "a\n"),
        ("a.log.1", "1\n"),
        ("a.log.2", "2\n"),
        ("c.log", "c\n"),
        ("c.log-20200101", "1\n"),
        ("c.log-20200102", "2\n"),
        ("c.log-20200103", "3\n"),
        ("d.log", "d\n"),
        ("e.log", "e\n"),
        ("e.log.1", "1\n"),
    ];
    same_output_as_the_oracle("preremove", &["-f"], &config, files);
}

/// Errors in 3.21's words, without Rust's `(os error N)`: a log matched by a pattern and moved
/// away by an earlier log of the set (`getting file ACL`), `shred` on a file a dry run did not
/// move there (`error opening`), compression of the copy `rotate 0` with `copytruncate` never
/// made (`unable to open ... (read-only) for compression`).
#[test]
fn move_shred_and_compression_errors_as_3_21_words_them() {
    let config =
        "@D@/app.* {\n}\n@D@/b.log {\n    shred\n}\n@D@/c.log {\n    compress\n    copytruncate\n}\n\
        @D@/d.log {\n    rotate 0\n    copy\n    compress\n    mail x@y\n}\n";
    let files: &[(&str, &str)] =
        &[("app.log", "a\n"), ("app.log.1", "1\n"), ("b.log", "b\n"), ("c.log", "c\n"), ("d.log", "d\n")];
    for flags in [&["-f"][..], &["-d", "-f"]] {
        same_output_as_the_oracle("move errors", flags, config, files);
    }
}

/// `rotate -1`: no count in the header (3.21 ends no line there), the shift up to the highest
/// archive found and none without one; a dry run with `mail` fails to open the archive it did
/// not make, as 3.21 (which opens it to mail it even then).
#[test]
fn rotate_minus_one_and_mail_in_a_dry_run_as_3_21() {
    let config =
        "@D@/b.log {\n    rotate -1\n}\n@D@/c.log {\n    rotate -1\n}\n@D@/m.log {\n    mail a@b\n}\n";
    let files: &[(&str, &str)] =
        &[("b.log", "b\n"), ("c.log", "c\n"), ("c.log.1", "1\n"), ("c.log.3", "3\n"), ("m.log", "m\n")];
    for flags in [&["-v", "-f"][..], &["-d", "-f"]] {
        same_output_as_the_oracle("rotate -1", flags, config, files);
    }
}

/// With sharedscripts and an error, 3.21 still says (and does) the shift of every log; we say
/// it too (and leave the archives alone). `su` says `switching euid ...` around the set;
/// `extension` wins over `addextension` when the name ends with it; a failing compression
/// program gets 3.21's bare `failed to compress log PATH` and ends the set's work with
/// sharedscripts.
#[test]
fn shared_sets_su_extensions_and_compression_failures_as_3_21() {
    let config = "@D@/app.log @D@/missing.log {\n    sharedscripts\n    rotate 2\n}\n\
        @D@/x.log {\n    su root adm\n    rotate 1\n}\n\
        @D@/e.log {\n    extension .log\n    addextension .txt\n}\n\
        @D@/z*.log {\n    sharedscripts\n    compress\n    compresscmd /bin/false\n}\n";
    let files: &[(&str, &str)] =
        &[("app.log", "a\n"), ("x.log", "x\n"), ("e.log", "e\n"), ("z1.log", "1\n"), ("z2.log", "2\n")];
    for flags in [&["-v", "-f"][..], &["-d", "-f"]] {
        same_output_as_the_oracle("shared", flags, config, files);
    }
}

/// `dateyesterday` is noon of the day before in 3.21 (its DST guard), which shows in hourly
/// names and in `datehourago`.
#[test]
fn dateyesterday_is_noon_of_the_day_before_as_in_3_21() {
    let config = "@D@/b.log {\n    hourly\n    dateext\n    dateyesterday\n    rotate 2\n}\n\
        @D@/c.log {\n    dateext\n    dateyesterday\n    datehourago\n    dateformat -%Y%m%d%H\n}\n";
    let files: &[(&str, &str)] = &[("b.log", "b\n"), ("c.log", "c\n")];
    same_output_as_the_oracle("dateyesterday", &["-v", "-f"], config, files);
}

/// A pattern that also matches the archives its first log makes: each log is looked at when
/// its turn comes, as in 3.21 (here `d-TODAY.log` is rotated away before `d.log` takes its
/// name, and `app.txt.1` is gone, moved by `app.txt`, when its own turn comes).
#[test]
fn each_log_of_a_set_sees_the_disk_as_the_earlier_ones_left_it() {
    let today = chrono::Local::now().format("%Y%m%d").to_string();
    let dated = format!("d-{today}.log");
    let config =
        "@D@/*.log {\n    addextension .log\n    dateext\n    postrotate\n        exit 1\n    endscript\n}\n\
        @D@/app.* {\n}\n";
    let files: &[(&str, &str)] =
        &[("d.log", "d\n"), (&dated, "e\n"), ("app.txt", "a\n"), ("app.txt.1", "b\n")];
    for flags in [&["-v", "-f"][..], &["-f"]] {
        same_output_as_the_oracle("replanned", flags, config, files);
    }
}

/// With `su`, 3.21's children say how they change identity: each script goes back to root,
/// compression and shred take the `su` user for good.
#[test]
fn su_children_say_their_identity_as_in_3_21() {
    let script = |kind: &str| format!("    {kind}\n        true\n    endscript\n");
    let config = format!(
        "@D@/a.log {{\n    su root adm\n    rotate 1\n    compress\n    shred\n{}{}{}{}{}}}\n",
        script("firstaction"),
        script("prerotate"),
        script("postrotate"),
        script("preremove"),
        script("lastaction")
    );
    let files: &[(&str, &str)] = &[("a.log", "a\n"), ("a.log.1.gz", "1\n")];
    for flags in [&["-v", "-f"][..], &["-d", "-f"]] {
        same_output_as_the_oracle("su children", flags, &config, files);
    }
}

/// An archive already gone when it is to be removed: 3.21 says `error unlinking log file PATH:
/// No such file or directory` without failing (here `app.log.1` was itself rotated away).
#[test]
fn archive_gone_before_its_removal_is_said_as_3_21_says_it() {
    let config = "@D@/app.* {\n    sharedscripts\n}\n";
    let files: &[(&str, &str)] = &[("app.log", "a\n"), ("app.log.1", "1\n")];
    for flags in [&["-f"][..], &["-v", "-f"]] {
        same_output_as_the_oracle("unlinking", flags, config, files);
    }
}

/// A time rule held back for several reasons: 3.21 says each (`less than a year ago`, then
/// `minsize`, then `minage`).
#[test]
fn every_reason_to_wait_is_said_as_3_21_says_them() {
    let config =
        "minage 30\n@D@/b.log {\n    yearly\n    minsize 1M\n}\n@D@/c.log {\n    hourly\n    minsize 1M\n}\n";
    let yesterday = (chrono::Local::now() - chrono::Duration::days(1)).format("%Y-%m-%d-%H:%M:%S");
    let state =
        format!("logrotate state -- version 2\n\"@D@/b.log\" {yesterday}\n\"@D@/c.log\" {yesterday}\n");
    let files: &[(&str, &str)] = &[("b.log", "b\n"), ("c.log", "c\n"), ("state", &state)];
    same_output_as_the_oracle("reasons", &["-v"], config, files);
}

/// `copy` with `renamecopy`: 3.21 moves nothing and then fails to open `LOG.tmp`; renamecopy
/// whose `LOG.tmp` a script removed fails the same way.
#[test]
fn renamecopy_without_its_tmp_file_fails_as_3_21() {
    let config = "@D@/a.log {\n    copy\n    renamecopy\n    compress\n}\n\
        @D@/b.log {\n    renamecopy\n    rotate 2\n    postrotate\n        rm -f @D@/b.log.tmp\n    endscript\n}\n";
    let files: &[(&str, &str)] = &[("a.log", "a\n"), ("b.log", "b\n")];
    for flags in [&["-f"][..], &["-v", "-f"], &["-d", "-f"]] {
        same_output_as_the_oracle("renamecopy", flags, config, files);
    }
}

/// With `compress`, 3.21 uncompresses whatever it mails unless `mailfirst` mails a log that
/// `delaycompress` left plain: a plain archive mailed last makes gunzip say `not in gzip
/// format` and the run fail with `uncompress command failed mailing PATH` (the file is kept).
#[test]
fn mailing_with_compress_uncompresses_as_3_21_does() {
    let config = "delaycompress\n@D@/app.log {\n    mail ops@example.com\n    compress\n}\n\
        @D@/b.log {\n    mail ops@example.com\n    compress\n    rotate 1\n}\n\
        @D@/c.log {\n    mail ops@example.com\n    compress\n    mailfirst\n    rotate 1\n}\n";
    let files: &[(&str, &str)] =
        &[("app.log", "a\n"), ("b.log", "b\n"), ("b.log.2.gz", ""), ("c.log", "c\n")];
    same_output_as_the_oracle("mail", &["-f", "-m", "/bin/true"], config, files);
}

/// `rotate 0` with `dateext`: with `copy`/`copytruncate` 3.21 still disposes of the oldest
/// dated archive (the log's own is never written); with a plain rename it keeps it.
#[test]
fn rotate_zero_dateext_with_copy_disposes_as_3_21() {
    let config = "@D@/a.log {\n    dateext\n    copy\n    rotate 0\n}\n\
        @D@/b.log {\n    dateext\n    copytruncate\n    compress\n    rotate 0\n}\n\
        @D@/c.log {\n    dateext\n    rotate 0\n}\n";
    let files: &[(&str, &str)] = &[
        ("a.log", "a\n"),
        ("a.log-20200101", "old\n"),
        ("b.log", "b\n"),
        ("b.log-20200101.gz", "old\n"),
        ("c.log", "c\n"),
        ("c.log-20200101", "old\n"),
    ];
    for flags in [&["-v", "-f"][..], &["-d", "-f"]] {
        same_output_as_the_oracle("rotate 0 dateext", flags, config, files);
    }
}

/// Sets that run no program, where no log is named like another's archives (each log's plan
/// stands, nothing is looked at again: `b*.log`) and where one is (`a.log.x` beside `a.log`;
/// with `extension .log`, `x.log` beside `xy.log`): the same words as 3.21.
#[test]
fn logs_apart_and_logs_named_like_anothers_archives_say_what_3_21_says() {
    same_output_as_the_oracle("apart", &["-v", "-f"], APART_CONFIG, APART_FILES);
}

/// See [`logs_apart_and_logs_named_like_anothers_archives_say_what_3_21_says`].
pub(crate) const APART_CONFIG: &str = "@D@/a* {\n    rotate 2\n    compress\n}\n\
    @D@/b*.log {\n    rotate 2\n    compress\n}\n\
    @D@/x*.log {\n    rotate 2\n    compress\n    extension .log\n}\n";

/// See [`APART_CONFIG`].
pub(crate) const APART_FILES: &[(&str, &str)] = &[
    ("a.log", "a\n"),
    ("a.log.x", "ax\n"),
    ("ab.log", "ab\n"),
    ("b.log", "b\n"),
    ("bc.log", "bc\n"),
    ("x.log", "x\n"),
    ("xy.log", "xy\n"),
    ("x.1.log.gz", "not gzip\n"),
];

/// A log a copy cannot open (an earlier log of the set disposed of it): 3.21 says what it
/// copies, then `error opening PATH`.
#[test]
fn copying_a_log_that_is_gone_fails_as_3_21() {
    let config = "copytruncate\n@D@/app.* {\n    dateext\n}\n";
    let files: &[(&str, &str)] = &[("app.log", "a\n"), ("app.log-20200101", "old\n")];
    for flags in [&["-f"][..], &["-v", "-f"]] {
        same_output_as_the_oracle("copy gone", flags, config, files);
    }
}

/// A rename that fails (the dated name points into a directory that does not exist): 3.21's
/// words, said right after the `renaming` line and before `disposeName`.
#[test]
fn failed_rename_is_said_where_3_21_says_it() {
    let config = "@D@/*.log {\n    dateformat -%Y/%m\n    dateext\n}\n@D@/z.log {\n    dateformat /%Y\n    dateext\n    rotate 0\n}\n";
    let files: &[(&str, &str)] = &[("b.log", "b\n")];
    for flags in [&["-f"][..], &["-v", "-f"]] {
        same_output_as_the_oracle("rename fails", flags, config, files);
    }
}

/// A removal that fails in the shift (`maxage`, `preremove` exits 1) ends 3.21's loop over the
/// archives, but it still says whether the archive to dispose of exists.
#[test]
fn failed_removal_in_the_shift_is_followed_by_the_dispose_check() {
    let config = "@D@/b.log {\n    rotate 3\n    maxage 1\n    preremove\n        exit 1\n    endscript\n}\n";
    let files: &[(&str, &str)] = &[("b.log", "b\n"), ("b.log.1@old", "1\n")];
    for flags in [&["-f"][..], &["-v", "-f"]] {
        same_output_as_the_oracle("maxage preremove", flags, config, files);
    }
}

/// With `compress`, 3.21 refuses a dated rotation only when today's compressed archive exists;
/// a plain file of that name does not stop it (a dry run shows the same lines).
#[test]
fn dated_destination_is_checked_with_the_compression_extension_as_3_21() {
    let today = chrono::Local::now().format("%Y%m%d").to_string();
    let (plain, packed) = (format!("a.log-{today}"), format!("b.log-{today}.gz"));
    let config = "@D@/a.log @D@/b.log {\n    dateext\n    compress\n    rotate 1\n}\n";
    let files: &[(&str, &str)] = &[("a.log", "a\n"), (&plain, "old\n"), ("b.log", "b\n"), (&packed, "old\n")];
    same_output_as_the_oracle("dated destination", &["-d", "-f"], config, files);
}

/// With `su`, 3.21's mail child also says it goes back to root.
#[test]
fn su_mail_child_says_its_identity_as_in_3_21() {
    let config = "su root adm\n@D@/b.log {\n    mail a@b\n}\n";
    let files: &[(&str, &str)] = &[("b.log", "b\n")];
    same_output_as_the_oracle("su mail", &["-v", "-f", "-m", "/bin/true"], config, files);
}

/// `rotate -1` (or a count past `int`): 3.21 counts the highest archive number found, whatever
/// `start`, and shifts `START+COUNT-1` down to `START` (found by the generative test: with
/// `start 0` and `.0` present it shifts nothing).
#[test]
fn rotate_minus_one_counts_the_highest_archive_whatever_start_as_3_21() {
    for start in ["0", "1", "3"] {
        let config = format!("@D@/a.log {{\n    rotate -1\n    start {start}\n}}\n");
        let files: &[(&str, &str)] =
            &[("a.log", "a\n"), ("a.log.0", "0\n"), ("a.log.2", "2\n"), ("a.log.4", "4\n")];
        same_output_as_the_oracle("rotate -1 with start", &["-v", "-f"], &config, files);
    }
}

/// Found by the generative test: with `sharedscripts`, every log whose dated archive already
/// exists is reported (3.21 prepares each log of the set before it gives up), and a dry run of
/// `rotate 0` with `copytruncate` does not say it removes the archive the shift would make.
#[test]
fn shared_set_reports_each_existing_destination_and_dry_run_removes_nothing_unmade_as_3_21() {
    let shared = "sharedscripts\n@D@/*.log {\n    rotate 1\n    dateext\n    copytruncate\n}\n";
    let today = chrono::Local::now().format("%Y%m%d").to_string();
    let (a, b) = (format!("app.log-{today}"), format!("b.log-{today}"));
    let files: &[(&str, &str)] = &[("app.log", "a\n"), ("b.log", "b\n"), (&a, "old a\n"), (&b, "old b\n")];
    same_output_as_the_oracle("sharedscripts, dated archives exist", &["-v", "-f"], shared, files);
    let dry = "@D@/app.log {\n    compress\n    copytruncate\n}\n";
    same_output_as_the_oracle(
        "rotate 0 copytruncate dry run",
        &["-d", "-f"],
        dry,
        &[("app.log", ""), ("app.log.1.gz", "")],
    );
}

/// Found by the generative test: `copy` with `rotate 0` copies nothing, so 3.21 looks up no
/// ACL and the stale errno after a failed preremove is the missing `.1`'s.
#[test]
fn failed_preremove_after_a_skipped_copy_says_3_21s_stale_errno() {
    let config = "@D@/b.log {\n    copy\n    preremove\n        exit 1\n    endscript\n}\n";
    same_output_as_the_oracle(
        "skipped copy, preremove fails",
        &["-f"],
        config,
        &[("b.log", ""), ("b.log.2", "2\n")],
    );
}

/// Found by the generative test: a log the state alone shows is not due is not looked at in a
/// quiet run, but `-v` says why it is kept, so there its size is read (`minsize` holds here).
#[test]
fn verbose_reasons_of_a_log_not_due_by_date_as_3_21() {
    let config = "@D@/*.log {\n    minsize 1\n    yearly\n}\n";
    let when = (chrono::Local::now() - chrono::Duration::days(2)).format("%Y-%-m-%-d-%-H:0:0").to_string();
    let state = format!("logrotate state -- version 2\n\"@D@/b.log\" {when}\n");
    let files: &[(&str, &str)] = &[("b.log", "b.log line one\n"), ("state", &state)];
    same_output_as_the_oracle("yearly and minsize, not due", &["-v"], config, files);
}

/// Found by the generative test: a copy whose directory is missing (`dateformat -%Y/%m`) is
/// 3.21's `error creating output file PATH: REASON`, for `renamecopy` and `copy` alike.
#[test]
fn copy_into_a_missing_directory_is_error_creating_output_file_as_3_21() {
    for method in ["renamecopy", "copy"] {
        let config = format!("dateext\n@D@/app.log {{\n    {method}\n    dateformat -%Y/%m\n}}\n");
        same_output_as_the_oracle(
            "copy into a missing directory",
            &["-v", "-f"],
            &config,
            &[("app.log", "a\n")],
        );
    }
}

/// Regression (batched compression): the logs of a set are compressed together after their
/// moves, yet every line comes out where 3.21 says it, a failed compression of one log in the
/// middle included (its program's words, its error, its source kept), with and without
/// sharedscripts (where the failure stops the later logs' compression) and delaycompress.
#[test]
fn a_failed_compression_in_a_batch_is_said_in_3_21s_order() {
    let dir = tempfile::tempdir().unwrap();
    let picky = dir.path().join("picky-gzip");
    let script = "#!/bin/sh\ncase \"$LOGROTATE_COMPRESSED_FILENAME\" in\n  *c.log*) echo 'c is cursed' >&2; exit 3;;\nesac\nexec gzip\n";
    fs::write(&picky, script).unwrap();
    fs::set_permissions(&picky, fs::Permissions::from_mode(0o755)).unwrap();
    let logs = ["a", "b", "c", "d", "e"];
    let live: Vec<(String, String)> = logs.iter().map(|n| (format!("{n}.log"), format!("{n}\n"))).collect();
    let mut delayed = live.clone();
    delayed.extend(logs.iter().map(|n| (format!("{n}.log.1"), format!("{n} 1\n"))));
    let shared = "    sharedscripts\n    postrotate\n        true\n    endscript\n";
    let cmd = picky.to_str().unwrap();
    for (extra, files) in [("", &live), (shared, &live), ("    delaycompress\n", &delayed)] {
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let config = format!("@D@/*.log {{\n    rotate 2\n    compress\n    compresscmd {cmd}\n{extra}}}\n");
        for flags in [&["-v", "-f"][..], &["-f"]] {
            same_output_as_the_oracle(&format!("batch {extra:?}"), flags, &config, &files);
        }
    }
}
