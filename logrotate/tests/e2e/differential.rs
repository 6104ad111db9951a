//! Differential tests: Debian's logrotate 3.21 (`/usr/sbin/logrotate`, the oracle) and ours run
//! on identical temp trees; after every run the exit codes, the trees (names, types, modes,
//! contents with gzip decompressed) and the normalised state files must agree.
//!
//! Run with `cargo test -p logrotate --test e2e differential::`. Environment:
//!
//! * `DIFF_OURS=/path/to/binary` runs that binary as "ours" instead of the workspace build
//!   (`DIFF_OURS=/usr/sbin/logrotate` checks the harness against itself; `/bin/true` must fail).
//! * `DIFF_SHOW=1` prints what the oracle did in every run.
//!
//! Each scenario also states whether the oracle must change the tree in each run
//! (`run` = must change, `run_unchanged` = must not), so a scenario cannot pass vacuously.
//! The scenarios live in `differential/scenarios_*.rs`, grouped by theme.

pub(crate) mod clock;
mod harness;
mod report;
pub(crate) mod tree;

/// Declare scenarios: each becomes its own `#[test]` named after it.
macro_rules! scenarios {
    ($( $(#[$meta:meta])* $name:ident: $scenario:expr; )*) => {
        $(
            $(#[$meta])*
            #[test]
            fn $name() {
                let scenario: $crate::differential::harness::Scenario = $scenario;
                scenario.check(stringify!($name));
            }
        )*
    };
}

mod scenarios_config;
mod scenarios_config_load;
mod scenarios_olddir;
mod scenarios_options;
mod scenarios_parser;
mod scenarios_quirks;
mod scenarios_review;
mod scenarios_rotate0;
mod scenarios_rotation;
mod scenarios_schedule;
