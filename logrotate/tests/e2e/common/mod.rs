//! Helpers shared by the end-to-end tests: the real binaries, which cargo builds for this test
//! binary and names in `CARGO_BIN_EXE_*`.

pub mod fixture;
pub mod rng;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Path to a binary of the `logrotate` package: `logrotate`, or `logrotated` (built with the
/// `daemon` feature, a default one).
pub fn bin(name: &str) -> PathBuf {
    PathBuf::from(match name {
        "logrotate" => env!("CARGO_BIN_EXE_logrotate"),
        #[cfg(feature = "daemon")]
        "logrotated" => env!("CARGO_BIN_EXE_logrotated"),
        _ => panic!("no binary {name} in the logrotate package"),
    })
}

/// The logrotate under test: the binary `$var` names when it is set (`LOGROTATE_BIN`: a
/// prebuilt one; `DIFF_OURS=/usr/sbin/logrotate`: the oracle, to check a harness against
/// itself), else ours.
pub fn logrotate_from_env(var: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| bin("logrotate"), PathBuf::from)
}

/// An integer knob from the environment (`KILL_ROUNDS`, `GENDIFF_SEED`, ...), decimal or `0x…`:
/// None when unset; a value that is not a number fails the test.
pub fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|e| panic!("{name}={text}: {e}")))
}

/// Makes a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: `c` is a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo {}", path.display());
}

/// A logrotate command with no inherited config noise.
pub fn logrotate() -> Command {
    Command::new(bin("logrotate"))
}

/// A file of the repository (`conf.d`, `docs/...`), given relative to its root.
pub fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(rel)
}
