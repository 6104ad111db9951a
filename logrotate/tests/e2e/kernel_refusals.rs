//! When the kernel or the filesystem says no to a call the engine relies on (injected with
//! `strace -e inject=…`): a filesystem that refuses `RENAME_NOREPLACE` (NFS answers `EINVAL`)
//! still rotates, through link + unlink, and overwrites nothing; failing to leave `su` stops
//! the run instead of going on with the wrong identity.

use crate::common::fixture::{code, stderr, Fx};
use crate::crash::have_strace;
use std::process::{Command, Output};

/// `logrotate -f -s STATE CONF` of `fx` under `strace -f`, tracing `trace` and injecting
/// `inject`; returns the run and the trace.
fn run_injected(fx: &Fx, trace: &str, inject: &str) -> (Output, String) {
    let log = fx.p("strace.out");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-o"])
        .arg(&log)
        .args(["-e", &format!("trace={trace}"), "-e", &format!("inject={inject}")])
        .arg(crate::common::bin("logrotate"))
        .arg("-f")
        .arg("-s")
        .arg(fx.p("state"))
        .arg(fx.p("test.conf"))
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    (out, text)
}

fn regression_rename_noreplace_refused_falls_back_to_link(errno: &str) {
    let fx = Fx::new();
    fx.write("app.log", "live\n");
    fx.write("app.log.1", "one\n");
    fx.write("app.log.2", "two\n");
    fx.conf("@D@/app.log {\n rotate 3\n create\n}\n");
    let (out, trace) = run_injected(&fx, "renameat2,link,linkat", &format!("renameat2:error={errno}"));
    assert_eq!(code(&out), 0, "{}\n{trace}", stderr(&out));
    assert!(trace.contains("(INJECTED)"), "renameat2 was not called:\n{trace}");
    assert!(trace.lines().any(|l| l.contains("link")), "no link fallback:\n{trace}");
    // Every generation moved up one; nothing was lost or overwritten.
    assert_eq!(fx.read("app.log.1"), "live\n");
    assert_eq!(fx.read("app.log.2"), "one\n");
    assert_eq!(fx.read("app.log.3"), "two\n");
    assert_eq!(fx.read("app.log"), "");
}

#[test]
fn regression_rename_noreplace_refused_with_einval_falls_back_to_link() {
    if have_strace() {
        regression_rename_noreplace_refused_falls_back_to_link("EINVAL");
    }
}

#[test]
fn regression_rename_noreplace_refused_with_eopnotsupp_falls_back_to_link() {
    if have_strace() {
        regression_rename_noreplace_refused_falls_back_to_link("EOPNOTSUPP");
    }
}

/// Runs `conf` (with `app.log` and `other.log` in a directory anyone may write) while the
/// second `setresuid` fails: glibc's seteuid is setresuid(-1, uid, -1), so the first call
/// switches to nobody and the second would switch back. Checks that the run ends with 3.21's
/// message, exit 1 and nothing said after it, and that `other.log` was not rotated; returns the
/// fixture. `None`: strace is missing, or we are not root.
fn leaving_su_refused(conf: &str) -> Option<Fx> {
    if !have_strace() {
        return None;
    }
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED: switching to an su user needs root");
        return None;
    }
    let fx = Fx::new();
    std::fs::set_permissions(fx.dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    fx.write("app.log", "as nobody\n");
    fx.write("other.log", "as root\n");
    fx.conf(conf);
    let (out, trace) = run_injected(&fx, "setresuid", "setresuid:error=EPERM:when=2");
    assert!(trace.contains("(INJECTED)"), "setresuid was not called twice:\n{trace}");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: error switching euid from 65534 to 0 and egid from")
            && last.ends_with("Operation not permitted"),
        "{err}"
    );
    // Nothing was rotated as the wrong user.
    assert_eq!(fx.read("other.log"), "as root\n");
    assert!(!fx.exists("other.log.1"));
    Some(fx)
}

#[test]
fn regression_failing_to_leave_su_stops_the_run() {
    let conf = "@D@/app.log {\n su nobody nogroup\n rotate 1\n}\n@D@/other.log {\n rotate 1\n}\n";
    let Some(fx) = leaving_su_refused(conf) else { return };
    // The run stopped there: the next stanza was not rotated, and the state (created empty for
    // its lock) was not written.
    let state = std::fs::read_to_string(fx.p("state")).unwrap_or_default();
    assert!(!state.contains("log"), "{state}");
}

#[test]
fn regression_failing_to_leave_su_after_creating_an_olddir_starts_no_pass() {
    // The olddir is created as the su user while the config is read; going back fails there,
    // after the stanza of other.log was read.
    let conf = "@D@/other.log {\n rotate 1\n}\n\
        @D@/app.log {\n su nobody nogroup\n olddir old\n createolddir 0755 nobody nogroup\n rotate 1\n}\n";
    let Some(fx) = leaving_su_refused(conf) else { return };
    // No pass started: the state file was not even opened.
    assert!(!fx.exists("state"));
}
