//! Config errors as Debian's logrotate 3.21 (`/usr/sbin/logrotate`) reports them: for each
//! config, both tools run `-d` on identical temp dirs and must print the same `error:` lines
//! (after replacing the dir with `@D@`) and end with the same exit code. Without the oracle the
//! test fails when `CI` is set, and is skipped otherwise.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const ORACLE: &str = "/usr/sbin/logrotate";

/// The `error:` lines and exit code of `bin -d` on a fresh copy of the case: the config files
/// (`@D@` is the case's dir), and empty logs `a.log`, `b.log`, `c.log`.
fn errors(bin: &Path, configs: &[&str]) -> (Vec<String>, Option<i32>) {
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    for log in ["a.log", "b.log", "c.log"] {
        fs::write(dir.join(log), "").unwrap();
    }
    let mut cmd = Command::new(bin);
    cmd.env("HOME", &dir).args(["-d", "-s"]).arg(dir.join("state"));
    for (i, text) in configs.iter().enumerate() {
        let conf = dir.join(format!("{i}.conf"));
        fs::write(&conf, text.replace("@D@", dir.to_str().unwrap())).unwrap();
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
        cmd.arg(conf);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr).replace(dir.to_str().unwrap(), "@D@");
    (text.lines().filter(|l| l.starts_with("error:")).map(String::from).collect(), out.status.code())
}

fn same_as_the_oracle(name: &str, configs: &[&str]) -> Vec<String> {
    let (ours, our_code) = errors(&common::bin("logrotate"), configs);
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        eprintln!("skipping the comparison of {name}: {ORACLE} is missing");
        return ours;
    }
    let (theirs, their_code) = errors(Path::new(ORACLE), configs);
    assert_eq!(ours, theirs, "{name}: error lines differ (ours left, 3.21 right)");
    assert_eq!(our_code, their_code, "{name}: exit codes differ");
    ours
}

macro_rules! cases {
    ($($name:ident: [$($conf:expr),+ $(,)?];)+) => {$(
        #[test]
        fn $name() {
            let ours = same_as_the_oracle(stringify!($name), &[$($conf),+]);
            assert!(!ours.is_empty(), "the case must report an error");
        }
    )+};
}

cases! {
    numeric_owner_that_is_no_user_is_unknown:
        ["@D@/a.log {\n create 0640 999 root\n}\n@D@/b.log {\n su root 99999\n}\n"];
    text_after_closing_brace_is_an_error_line_with_exit_0:
        ["@D@/a.log {\n rotate 1\n} junk\n"];
    missing_size_and_taboo_arguments_are_error_lines_with_exit_0:
        ["@D@/a.log {\n size\n minsize\n rotate 1\n}\ntabooext\n"];
    error_outside_a_stanza_abandons_the_file_keeps_closed_stanzas:
        ["@D@/a.log {\n}\nrotate x\n@D@/b.log {\n}\n"];
    failed_file_reverts_global_options_for_the_next_file:
        ["compress\nrotate 5\n@D@/a.log {\n}\nbogus! x\n", "@D@/b.log {\n rotate x\n}\n"];
    line_that_is_not_keyword_or_filename:
        ["*.log {\n}\n@D@/a.log {\n}\n"];
    brace_alone_at_line_start:
        ["{\n}\n@D@/a.log {\n}\n"];
    keyword_not_properly_separated:
        ["a::x\n@D@/a.log {\n}\n"];
    keyword_glued_inside_a_stanza:
        ["@D@/a.log {\n rot@te 5\n}\n@D@/b.log {\n}\n"];
    keyword_with_underscore:
        ["@D@/a.log {\n rotate_count 5\n}\n"];
    comment_after_a_value_is_part_of_it:
        ["@D@/a.log {\n rotate 1 # note\n}\n@D@/b.log {\n}\n"];
    extra_word_after_a_size:
        ["@D@/a.log {\n size 10 x\n}\n"];
    two_rotation_counts:
        ["@D@/a.log {\n rotate 5 6\n}\n"];
    flag_followed_by_a_number:
        ["@D@/a.log {\n monthly 31\n}\n@D@/b.log {\n}\n"];
    unexpected_brace_in_a_header_is_printed_once:
        ["@D@/a.log @D@/b.log }\n@D@/c.log {\n}\n"];
    header_without_brace:
        ["@D@/a.log {\n}\n@D@/b.log\n"];
    closing_brace_outside_a_stanza:
        ["@D@/a.log {\n}\n}\n@D@/b.log {\n}\n"];
    found_error_names_a_multi_line_header:
        ["@D@/a.log\n# comment\n@D@/b.log\n{\n rotate x\n}\n"];
    missing_endscript:
        ["@D@/a.log {\n postrotate\n  echo hi\n"];
    bad_weekly_abandons_the_file:
        ["@D@/a.log {\n weekly 9\n}\n@D@/b.log {\n}\n"];
    su_without_group:
        ["@D@/a.log {\n su root\n}\n"];
    minage_out_of_range:
        ["@D@/a.log {\n minage 200000000000\n}\n"];
    maxage_out_of_range:
        ["@D@/a.log {\n maxage 200000000000\n}\n@D@/b.log {\n maxage 5000000000\n}\n"];
    bad_mail_address:
        ["@D@/a.log {\n mail a b\n}\n"];
    bad_olddir_path:
        ["@D@/a.log {\n olddir /x y\n}\n"];
    log_filename_inside_a_stanza:
        ["@D@/a.log {\n @D@/b.log\n}\n"];
    su_with_unknown_user_and_no_group:
        ["@D@/a.log {\n su nosuchuser\n}\n"];
    create_digits_that_are_not_a_mode_are_an_owner:
        ["@D@/a.log {\n create 9 nosuchgroup\n}\n"];
    dateformat_without_argument_counts_its_line:
        ["@D@/a.log {\n dateformat\n rotate x\n}\n"];
    size_without_argument_does_not_count_its_line:
        ["@D@/a.log {\n size\n rotate x\n}\n"];
    duplicate_log_entry:
        ["@D@/a.log {\n}\n@D@/a.log {\n}\n"];
    missing_olddir_is_reported_at_load_and_abandons_the_file:
        ["@D@/a.log {\n olddir old\n}\n@D@/b.log {\n rotate x\n}\n", "@D@/c.log {\n olddir old2\n}\n"];
    missing_olddir_for_a_glob_without_match:
        ["@D@/*.nomatch {\n olddir old\n}\n"];
    missing_olddir_under_home:
        ["@D@/a.log {\n olddir ~/old\n}\n"];
    missing_olddir_from_the_global_options:
        ["olddir old\n@D@/a.log {\n}\n"];
    olddir_log_directory_missing:
        ["@D@/nodir/a.log {\n olddir old\n}\n@D@/b.log {\n rotate x\n}\n"];
    olddir_log_directory_missing_with_missingok_says_nothing:
        ["@D@/nodir/a.log {\n missingok\n olddir old\n}\n@D@/b.log {\n rotate x\n}\n"];
    olddir_through_a_file_is_not_a_directory_even_with_createolddir:
        ["@D@/a.log {\n olddir c.log/old\n createolddir\n}\n"];
    olddir_on_another_device:
        ["@D@/a.log {\n olddir /proc\n}\n@D@/b.log {\n copytruncate\n olddir /proc\n}\n"];
    olddir_is_not_checked_for_a_directory_named_as_a_log:
        ["@D@ {\n olddir old\n}\n@D@/a.log {\n rotate x\n}\n"];
    olddir_on_another_device_is_fine_when_copied:
        ["@D@/a.log {\n copy\n olddir /proc\n}\n@D@/b.log {\n renamecopy\n olddir /proc\n}\n@D@/c.log {\n rotate x\n}\n"];
}

#[test]
fn missing_olddir_message_names_the_closing_brace_line() {
    let ours = same_as_the_oracle("olddir", &["@D@/a.log {\n rotate 1\n olddir old\n}\n"]);
    assert_eq!(
        ours,
        vec!["error: @D@/0.conf:4 error verifying olddir path @D@/old: No such file or directory"]
    );
}

/// 3.21 creates a missing `createolddir` directory when it loads the config, even with `-d`;
/// our dry run changes nothing (README "Compatibility"), and a real run creates it at load
/// time, before anything is due.
#[test]
fn createolddir_at_load_time_but_never_in_a_dry_run() {
    let run = |bin: &Path, flags: &[&str]| {
        let root = tempfile::tempdir().unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let dir = root.path().join("logs");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("a.log"), "").unwrap();
        let conf = dir.join("0.conf");
        let text = "@D@/a.log {\n notifempty\n olddir x/old\n createolddir 0700\n}\n";
        fs::write(&conf, text.replace("@D@", dir.to_str().unwrap())).unwrap();
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
        let out = Command::new(bin).args(flags).arg("-s").arg(dir.join("state")).arg(&conf).output().unwrap();
        let mode = fs::metadata(dir.join("x/old")).ok().map(|m| m.permissions().mode() & 0o7777);
        (out.status.code(), mode)
    };
    let ours = common::bin("logrotate");
    assert_eq!(run(&ours, &["-d"]), (Some(0), None), "a dry run creates nothing");
    assert_eq!(run(&ours, &[]), (Some(0), Some(0o700)), "created at load, nothing being due");
    if Path::new(ORACLE).exists() {
        assert_eq!(run(Path::new(ORACLE), &["-d"]), (Some(0), Some(0o700)));
        assert_eq!(run(Path::new(ORACLE), &[]), (Some(0), Some(0o700)));
    }
}

#[test]
fn unknown_keyword_is_our_warning_and_exit_0_as_3_21() {
    let conf = "@D@/a.log {\n frobnicate\n Compress\n}\n";
    let (ours, code) = errors(&common::bin("logrotate"), &[conf]);
    assert!(ours.is_empty(), "{ours:?}");
    assert_eq!(code, Some(0));
    if Path::new(ORACLE).exists() {
        let (theirs, their_code) = errors(Path::new(ORACLE), &[conf]);
        assert_eq!(
            theirs,
            vec![
                "error: @D@/0.conf:2 unknown option 'frobnicate' -- ignoring line",
                "error: @D@/0.conf:3 unknown option 'Compress' -- ignoring line"
            ]
        );
        assert_eq!(their_code, Some(0));
    }
}

#[test]
fn ignoreduplicates_in_either_stanza_is_honoured() {
    for conf in [
        "@D@/a.log {\n ignoreduplicates\n}\n@D@/a.log @D@/b.log {\n}\n",
        "@D@/a.log {\n}\n@D@/a.log @D@/b.log {\n ignoreduplicates\n}\n",
        "ignoreduplicates\n@D@/a.log {\n}\n@D@/a.log {\n}\n",
    ] {
        let (ours, code) = errors(&common::bin("logrotate"), &[conf]);
        assert!(ours.is_empty(), "{conf:?}: {ours:?}");
        assert_eq!(code, Some(0), "{conf:?}");
    }
    let (ours, code) = errors(&common::bin("logrotate"), &["@D@/a.log {\n}\n@D@/a.log {\n}\n"]);
    assert_eq!(ours, vec!["error: @D@/0.conf:3 duplicate log entry for @D@/a.log"]);
    assert_eq!(code, Some(1));
}

/// README "Compatibility": `createolddir` without a mode makes the directory 0755. 3.21 sets
/// its "no mode" value (07777) on the directory it made: world-writable, with setuid, setgid
/// and sticky bits, whatever the umask. Never copied.
#[test]
fn createolddir_without_a_mode_is_0755_not_3_21s_07777() {
    let run = |bin: &Path| {
        let root = tempfile::tempdir().unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let dir = root.path().join("logs");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("a.log"), "x\n").unwrap();
        let conf = dir.join("0.conf");
        let text = "@D@/a.log {\n rotate 1\n olddir old\n createolddir\n}\n";
        fs::write(&conf, text.replace("@D@", dir.to_str().unwrap())).unwrap();
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
        // SAFETY: umask only sets this process's mask (inherited by the child, as cron's 022).
        let old = unsafe { libc::umask(0o022) };
        let out = Command::new(bin).arg("-f").arg("-s").arg(dir.join("state")).arg(&conf).output().unwrap();
        unsafe { libc::umask(old) };
        let mode = fs::metadata(dir.join("old")).ok().map(|m| m.permissions().mode() & 0o7777);
        (out.status.code(), mode, dir.join("old/a.log.1").exists())
    };
    assert_eq!(run(&common::bin("logrotate")), (Some(0), Some(0o755), true));
    if Path::new(ORACLE).exists() {
        assert_eq!(run(Path::new(ORACLE)), (Some(0), Some(0o7777), true), "3.21 changed: revisit README");
    } else {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
    }
}
