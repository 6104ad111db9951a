//! A DELIBERATE difference from 3.21, as newer upstream logrotate does: when `prerotate` fails,
//! the older archives are not shifted. 3.21 renames `.1` → `.2` before running the script and,
//! the script failing, does not move the log, which leaves a gap: no `.1`, and the next
//! rotation pushes `.2` further away. Ours leaves the chain as it was.

use crate::common;

use common::fixture::{code, Fx};
use std::path::Path;
use std::process::Command;

const ORACLE: &str = "/usr/sbin/logrotate";

fn config(shared: bool) -> String {
    let shared = if shared { "    sharedscripts\n" } else { "" };
    format!("@D@/app.log {{\n    rotate 3\n{shared}    prerotate\n        exit 1\n    endscript\n}}\n")
}

fn setup(fx: &Fx, shared: bool) {
    fx.write("app.log", "live\n");
    fx.write("app.log.1", "one\n");
    fx.write("app.log.2", "two\n");
    fx.conf(&config(shared));
}

#[test]
fn failed_prerotate_leaves_no_gap_in_the_archives() {
    for shared in [false, true] {
        let fx = Fx::new();
        setup(&fx, shared);
        let out = fx.run(&["-f"]);
        assert_eq!(code(&out), 1, "the failed script is an error");
        assert_eq!(fx.read("app.log"), "live\n", "shared {shared}: the log is not moved");
        assert_eq!(fx.read("app.log.1"), "one\n", "shared {shared}: .1 stays where it was");
        assert_eq!(fx.read("app.log.2"), "two\n", "shared {shared}: .2 stays where it was");
        assert!(!fx.exists("app.log.3"), "shared {shared}: nothing shifted to .3");
    }
}

#[test]
fn failed_prerotate_in_3_21_leaves_a_gap_which_is_why_we_differ() {
    if !Path::new(ORACLE).exists() {
        assert!(std::env::var_os("CI").is_none(), "{ORACLE} is missing (CI must install logrotate)");
        return;
    }
    let fx = Fx::new();
    setup(&fx, false);
    let out =
        Command::new(ORACLE).arg("-f").arg("-s").arg(fx.p("state")).arg(fx.p("test.conf")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fx.read("app.log"), "live\n");
    assert!(!fx.exists("app.log.1"), "3.21 leaves .1 empty");
    assert_eq!(fx.read("app.log.2"), "one\n");
    assert_eq!(fx.read("app.log.3"), "two\n");
}

#[test]
fn successful_prerotate_still_shifts_before_the_log_moves() {
    let fx = Fx::new();
    fx.write("app.log", "live\n");
    fx.write("app.log.1", "one\n");
    // The script sees the archives as they were, and the rotation then completes the chain.
    fx.conf(&format!(
        "@D@/app.log {{\n    rotate 3\n    prerotate\n        ls {d} > {d}/seen\n    endscript\n}}\n",
        d = fx.d()
    ));
    let out = fx.run(&["-f"]);
    assert_eq!(code(&out), 0);
    assert_eq!(fx.read("app.log.1"), "live\n");
    assert_eq!(fx.read("app.log.2"), "one\n");
    assert!(fx.read("seen").lines().any(|l| l == "app.log.1"));
}
