//! What a nightly no-op pass costs in system calls (traced with `strace`, so the test is about
//! work done, never about time): logs that the state alone shows are not due are not looked at
//! at all, their directories are listed once each, and an unchanged state is not rewritten.
//! Speed itself is measured by `bench/nightly.py`.

use crate::common;

use crate::crash::have_strace;
use common::fixture::{code, stderr, Fx};
use std::process::Command;

/// The system calls of one run of ours that name a file, one per line (`strace -f`).
fn traced_calls(fx: &Fx) -> Vec<String> {
    let out = Command::new("strace")
        .args(["-f", "-e", "trace=%file,%desc,fsync"])
        .arg(common::bin("logrotate"))
        .arg("-s")
        .arg(fx.p("state"))
        .arg(fx.p("test.conf"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).lines().map(str::to_string).collect()
}

#[test]
fn nightly_no_op_does_not_look_at_logs_that_cannot_be_due() {
    if !have_strace() {
        return;
    }
    let fx = Fx::new();
    for d in 0..4 {
        for f in 0..50 {
            fx.write(&format!("logs/d{d}/f{f}.log"), "x\n");
        }
    }
    fx.conf("@D@/logs/*/*.log {\n daily\n rotate 7\n compress\n missingok\n notifempty\n}\n");
    // The first run records every log; the second is the nightly no-op.
    let first = fx.run(&[]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let calls = traced_calls(&fx);
    let logs = fx.p("logs").display().to_string();
    let per_log: Vec<&String> = calls.iter().filter(|c| c.contains(&logs) && c.contains(".log\"")).collect();
    assert!(per_log.is_empty(), "logs that cannot be due were looked at: {per_log:#?}");
    let listings = calls.iter().filter(|c| c.contains(&logs) && c.contains("O_DIRECTORY")).count();
    assert!(listings <= 12, "{listings} directory opens for 4 directories");
    assert!(!calls.iter().any(|c| c.starts_with("fsync")), "an unchanged state is not rewritten");
}
