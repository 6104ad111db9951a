//! Helpers shared by the end-to-end tests: locate (and build once) the real binaries.
#![allow(dead_code)]

pub mod fixture;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Once;

static BUILD: Once = Once::new();

/// Path to a binary of the `logrotate` package (`logrotate` or `logrotated`), built once per
/// test process with the same profile as the tests.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test> -> target/<profile>/
    let dir = exe.parent().and_then(|p| p.parent()).expect("target dir").to_path_buf();
    BUILD.call_once(|| {
        let release = dir.file_name().is_some_and(|n| n == "release");
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "-p", "logrotate", "--bins"]);
        if release {
            cmd.arg("--release");
        }
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "cargo build -p logrotate failed");
    });
    let path = dir.join(name);
    assert!(path.exists(), "{} not found", path.display());
    path
}

/// A logrotate command with no inherited config noise.
pub fn logrotate() -> Command {
    Command::new(bin("logrotate"))
}
