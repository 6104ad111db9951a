//! What Debian's logrotate 3.21 (`/usr/sbin/logrotate`) prints while it reads its config, debug
//! lines (`-d`) and errors in their order: for each case both tools run `-d` on identical temp
//! dirs, and every line printed before the state file is opened must be the same (after
//! replacing the dir with `@D@`), as must the exit code. Without the oracle the test fails when
//! `CI` is set, and is skipped otherwise.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const ORACLE: &str = "/usr/sbin/logrotate";

/// A case: config files given on the command line, other files (relative to the case's dir,
/// `@D@`; a name ending in `/` is a directory), and the logs that exist.
struct Case {
    configs: &'static [&'static str],
    files: &'static [(&'static str, &'static str)],
    logs: &'static [&'static str],
}

/// The lines `bin -d` prints before it turns to the state file, and its exit code. `$HOME` is
/// the case's dir.
fn config_lines(bin: &Path, case: &Case) -> (Vec<String>, Option<i32>) {
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    let expand = |t: &str| t.replace("@D@", dir.to_str().unwrap());
    for log in case.logs {
        fs::write(dir.join(log), "").unwrap();
    }
    for (rel, text) in case.files {
        let path = dir.join(rel);
        if rel.ends_with('/') {
            fs::create_dir_all(&path).unwrap();
            continue;
        }
        fs::write(&path, expand(text)).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    }
    let mut cmd = Command::new(bin);
    cmd.env("HOME", &dir).env("LC_ALL", "C").args(["-d", "-s"]).arg(dir.join("state"));
    for (i, text) in case.configs.iter().enumerate() {
        let conf = dir.join(format!("{i}.conf"));
        fs::write(&conf, expand(text)).unwrap();
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
        cmd.arg(conf);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr).replace(dir.to_str().unwrap(), "@D@");
    let lines = text
        .lines()
        .filter(|l| !l.is_empty() && !l.contains("logrotate in debug mode does nothing"))
        .take_while(|l| !l.starts_with("Reading state from file") && !l.starts_with("Creating stub state"))
        .map(String::from)
        .collect();
    (lines, out.status.code())
}

fn same_as_the_oracle(name: &str, case: &Case) -> Vec<String> {
    let (ours, our_code) = config_lines(&common::bin("logrotate"), case);
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        eprintln!("skipping the comparison of {name}: {ORACLE} is missing");
        return ours;
    }
    let (theirs, their_code) = config_lines(Path::new(ORACLE), case);
    assert_eq!(ours, theirs, "{name}: lines differ (ours left, 3.21 right)");
    assert_eq!(our_code, their_code, "{name}: exit codes differ");
    ours
}

macro_rules! cases {
    ($($(#[$doc:meta])* $name:ident: $case:expr;)+) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            let ours = same_as_the_oracle(stringify!($name), &$case);
            assert!(ours.len() > 1, "the case must print more than the first line: {ours:?}");
        }
    )+};
}

cases! {
    /// `reading config file`, `including`, `replaced`, the `... is now` lines of the paths and
    /// compression directives, and `note: 'X' overrides previously specified 'Y'`.
    debug_lines_of_directives: Case {
        configs: &["weekly\ndaily\ncompresscmd /usr/bin/xz\ncompressoptions -9 -T0\nolddir ~/old\n\
                    include ~/inc.conf\n@D@/a.log {\n monthly\n size 10k\n extension .log\n \
                    addextension .x\n uncompresscmd /bin/false\n compressext .zz\n compresscmd /bin/cat\n}\n\
                    @D@/b.log {\n weekly\n}\n"],
        files: &[("old/", ""), ("inc.conf", "hourly\n")],
        logs: &["a.log", "b.log"],
    };
    /// The duplicate is found when the header is read: its line comes before the stanza's
    /// other messages, and the rest of that pattern's files are dropped (no second duplicate
    /// for `c.log`, which `*.log` would have matched after `b.log`).
    duplicate_log_entry_in_line_order_and_the_rest_of_the_pattern_dropped: Case {
        configs: &["@D@/b.log {\n}\n@D@/*.log @D@/b.log {\n rotate\n}\n@D@/c.log {\n}\n"],
        files: &[],
        logs: &["a.log", "b.log", "c.log"],
    };
    /// `ignoreduplicates` in the stanza that took the file: a debug line instead of the error.
    ignore_duplicate_log_entry_debug_line: Case {
        configs: &["@D@/a.log {\n ignoreduplicates\n}\n@D@/*.log {\n}\n"],
        files: &[],
        logs: &["a.log", "b.log"],
    };
    /// A stanza dropped for an error (`removing last 1 log configs`), also from a header error.
    removing_last_log_configs: Case {
        configs: &["@D@/a.log {\n rotate x\n}\n@D@/b.log {\n size 1Q\n}\n", "@D@/c.log }\n"],
        files: &[],
        logs: &["a.log"],
    };
    /// The files of an included directory are named bare (3.21 reads them from inside it): the
    /// taboo lines, dot files read, an empty file, a subdirectory, and `found error in file`.
    included_directory_files_are_named_bare: Case {
        configs: &["include @D@/conf.d\n"],
        files: &[
            ("conf.d/", ""),
            ("conf.d/sub/", ""),
            ("conf.d/.hidden", "@D@/a.* {\n}\n"),
            ("conf.d/one", "~/a.log {\n}\n"),
            ("conf.d/x.bak", "@D@/b.log {\n}\n"),
            ("conf.d/empty", ""),
            ("conf.d/two", "@D@/b.log {\n rotate x\n}\n"),
        ],
        logs: &["a.log"],
    };
    /// `tabooext` and `taboopat` share one list: a `taboopat` without `+` replaces the
    /// extensions too (`x.bak` is read).
    taboo_patterns_are_one_list: Case {
        configs: &["taboopat *.skip\ninclude @D@/conf.d\n"],
        files: &[("conf.d/", ""), ("conf.d/x.bak", "@D@/b.log {\n}\n"), ("conf.d/y.skip", "@D@/c.log {\n}\n")],
        logs: &[],
    };
}
