//! Helpers shared by the end-to-end tests: the real binaries, which cargo builds for this test
//! binary and names in `CARGO_BIN_EXE_*`.

pub mod fixture;

use std::path::PathBuf;
use std::process::Command;

/// Path to a binary of the `logrotate` package: `logrotate` or `logrotated`.
pub fn bin(name: &str) -> PathBuf {
    PathBuf::from(match name {
        "logrotate" => env!("CARGO_BIN_EXE_logrotate"),
        "logrotated" => env!("CARGO_BIN_EXE_logrotated"),
        _ => panic!("no binary {name} in the logrotate package"),
    })
}

/// A logrotate command with no inherited config noise.
pub fn logrotate() -> Command {
    Command::new(bin("logrotate"))
}

/// A file of the repository (`conf.d`, `docs/...`), given relative to its root.
pub fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(rel)
}
