//! The live demo: an app writes numbered lines through `watched-writer` while `logrotated`
//! rotates and compresses its log by size. It narrates each step (the limit crossed, the rename,
//! the writer's reopen that releases its lock, the compression the daemon held back until
//! then), and ends with a tally proving that no line was lost. It exits 1 if one was.
//!
//! ```sh
//! cargo test --release -p logrotate --test demo            # writes for 12 seconds
//! cargo test --release -p logrotate --test demo -- 30      # writes for 30 seconds
//! ```
//!
//! It is a test target of the `logrotate` package (`harness = false`, and `test = false` so that
//! `cargo test` leaves it out) rather than an example: cargo builds `logrotated` with it and
//! names it in `CARGO_BIN_EXE_logrotated`, so the demo starts at once, with no build of its own.

#[path = "demo.rs"]
mod demo;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let secs = match std::env::args().nth(1).map(|s| s.parse::<u64>()).transpose() {
        Ok(secs) => secs.unwrap_or(12),
        Err(e) => {
            eprintln!("demo: seconds to write: {e}");
            return ExitCode::FAILURE;
        }
    };
    let daemon_bin = Path::new(env!("CARGO_BIN_EXE_logrotated"));
    match demo::run(secs, daemon_bin, demo::Out::new(std::io::stdout())) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}
