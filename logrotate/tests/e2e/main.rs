//! The end-to-end tests: one test binary that runs the real `logrotate` and `logrotated`
//! (`CARGO_BIN_EXE_*`, built by cargo with this binary) in temp dirs, one module per area.
//!
//! ```text
//! cargo test --release -p logrotate --test e2e                  # all of them
//! cargo test --release -p logrotate --test e2e daemon::         # one module
//! cargo test --release -p logrotate --test e2e -- --exact cli::locked_state_exits_3_and_skip_lock_works
//! ```

mod common;
mod crash;

mod acl;
mod attacker;
mod cli;
mod compat;
mod compress_level;
mod config_debug_lines;
mod config_messages;
#[cfg(feature = "daemon")]
mod daemon;
mod differential;
mod disk_guard;
mod dry_run;
mod faults;
mod gen_differential;
mod hostile_config;
mod kernel_refusals;
mod kill;
mod log_option;
mod messages;
mod non_utf8;
mod numbers;
mod plan_json;
mod prerotate_failure;
mod safety;
mod shared_scripts;
mod status;
mod syscalls;
mod writer_stress;
mod zstd;
