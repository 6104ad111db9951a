//! Differential tests: Debian's logrotate 3.21 (`/usr/sbin/logrotate`, the oracle) and ours run
//! on identical temp trees; after every run the exit codes, the trees (names, types, modes,
//! contents with gzip decompressed) and the normalised state files must agree.
//!
//! Run with `cargo test --test differential`. Environment:
//!
//! * `DIFF_OURS=/path/to/binary` runs that binary as "ours" instead of the workspace build
//!   (`DIFF_OURS=/usr/sbin/logrotate` checks the harness against itself; `/bin/true` must fail).
//! * `DIFF_SHOW=1` prints what the oracle did in every run.
//!
//! Each scenario also states whether the oracle must change the tree in each run
//! (`run` = must change, `run_unchanged` = must not), so a scenario cannot pass vacuously.
//! The scenarios live in `differential/scenarios_*.rs`, grouped by theme.

mod common;

#[path = "differential/clock.rs"]
mod clock;
#[path = "differential/harness.rs"]
mod harness;
#[path = "differential/report.rs"]
mod report;
#[path = "differential/tree.rs"]
mod tree;

/// Declare scenarios: each becomes its own `#[test]` named after it.
macro_rules! scenarios {
    ($( $(#[$meta:meta])* $name:ident: $scenario:expr; )*) => {
        $(
            $(#[$meta])*
            #[test]
            fn $name() {
                let scenario: $crate::harness::Scenario = $scenario;
                scenario.check(stringify!($name));
            }
        )*
    };
}

#[path = "differential/scenarios_config.rs"]
mod scenarios_config;
#[path = "differential/scenarios_config_load.rs"]
mod scenarios_config_load;
#[path = "differential/scenarios_olddir.rs"]
mod scenarios_olddir;
#[path = "differential/scenarios_options.rs"]
mod scenarios_options;
#[path = "differential/scenarios_parser.rs"]
mod scenarios_parser;
#[path = "differential/scenarios_quirks.rs"]
mod scenarios_quirks;
#[path = "differential/scenarios_review.rs"]
mod scenarios_review;
#[path = "differential/scenarios_rotate0.rs"]
mod scenarios_rotate0;
#[path = "differential/scenarios_rotation.rs"]
mod scenarios_rotation;
#[path = "differential/scenarios_schedule.rs"]
mod scenarios_schedule;
