//! `logrotate`: a drop-in replacement for logrotate 3.21.

#[path = "shared/console.rs"]
mod console;

use clap::{ArgAction, Parser};
use logrotate::app::{self, Exit, Output, RunConfig};
use logrotate::state::LockMode;
use std::path::PathBuf;
use std::process::ExitCode;

/// Rotates, compresses, removes and mails system logs.
#[derive(Parser, Debug)]
// `args_override_self`: a repeated option is accepted and the last one wins, as with popt.
#[command(
    name = "logrotate",
    disable_help_flag = true,
    disable_version_flag = true,
    args_override_self = true
)]
struct Opts {
    /// Don't do anything, just test and print debug messages
    #[arg(short = 'd', long = "debug")]
    debug: bool,
    /// Force file rotation
    #[arg(short = 'f', long = "force")]
    force: bool,
    /// Command to send mail (instead of `/usr/bin/mail')
    #[arg(
        short = 'm',
        long = "mail",
        value_name = "command",
        default_value = "/usr/bin/mail",
        allow_hyphen_values = true
    )]
    mail: String,
    /// Path of state file
    #[arg(short = 's', long = "state", value_name = "statefile", default_value = app::DEFAULT_STATE, allow_hyphen_values = true)]
    state: PathBuf,
    /// Do not lock the state file
    #[arg(long = "skip-state-lock")]
    skip_state_lock: bool,
    /// Wait for lock on the state file, optionally at most SECS seconds
    #[arg(long = "wait-for-state-lock", value_name = "SECS", num_args = 0..=1, require_equals = true, default_missing_value = "inf")]
    wait_for_state_lock: Option<String>,
    /// Display messages during rotation
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Log file or 'syslog' to log to syslog
    #[arg(short = 'l', long = "log", value_name = "logfile", allow_hyphen_values = true)]
    log: Option<String>,
    /// Print what would happen as JSON (the planner's output) and change nothing
    #[arg(long = "plan-json")]
    plan_json: bool,
    /// Print the effective rules as TOML rule files (for migration)
    #[arg(long = "dump-toml")]
    dump_toml: bool,
    /// Print each log, its rule, last rotation, next due time or size trigger, and size
    #[arg(long = "status")]
    status: bool,
    /// Display version information
    #[arg(long = "version", action = ArgAction::SetTrue)]
    version: bool,
    /// Show this help message
    #[arg(short = '?', long = "help", action = ArgAction::Help)]
    help: Option<bool>,
    /// Display brief usage message
    #[arg(long = "usage")]
    usage: bool,
    /// Config files or directories
    #[arg(value_name = "configfile")]
    configs: Vec<PathBuf>,
}

const USAGE: &str = "Usage: logrotate [-dfv?] [-d|--debug] [-f|--force] [-m|--mail=command]
        [-s|--state=statefile] [--skip-state-lock] [--wait-for-state-lock[=SECS]]
        [-v|--verbose] [-l|--log=logfile] [--plan-json] [--dump-toml] [--status] [--version]
        [-?|--help] [--usage] <configfile>";

fn version() -> String {
    format!("logrotate {} (logrotate-rs, compatible with logrotate 3.21.0)", env!("CARGO_PKG_VERSION"))
}

fn lock_mode(o: &Opts) -> Result<LockMode, String> {
    if o.skip_state_lock {
        return Ok(LockMode::Skip);
    }
    match o.wait_for_state_lock.as_deref() {
        None => Ok(LockMode::NonBlocking),
        Some("inf") => Ok(LockMode::Wait(None)),
        Some(s) => logrotate::rule::parse_seconds(s)
            .map(|d| LockMode::Wait(Some(d)))
            .ok_or_else(|| format!("bad value for --wait-for-state-lock: '{s}'")),
    }
}

/// Where on the command line an option first appears (`-x`, a cluster such as `-fx`, `--long`
/// or `--long=…`); `usize::MAX` if it does not.
fn first_option(short: &[char], long: &str) -> usize {
    let takes_value = ['m', 's', 'l'];
    std::env::args()
        .skip(1)
        .position(|a| {
            if a == long || a.starts_with(&format!("{long}=")) {
                return true;
            }
            let Some(cluster) = a.strip_prefix('-').filter(|c| !c.starts_with('-')) else { return false };
            // In `-fmX` everything after a value-taking letter is its value.
            for c in cluster.chars() {
                if short.contains(&c) {
                    return true;
                }
                if takes_value.contains(&c) {
                    return false;
                }
            }
            false
        })
        .unwrap_or(usize::MAX)
}

fn main() -> ExitCode {
    // The environment's locale, as 3.21 takes it first thing (before any thread starts).
    logrotate::locale::init();
    let opts = match Opts::try_parse() {
        Ok(o) => o,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(Exit::Usage as u8);
        }
    };
    if opts.version {
        println!("{}", version());
        return ExitCode::SUCCESS;
    }
    if opts.usage {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    // 3.21 opens the -l file while reading its options, so it is created (empty) even when the
    // command line turns out to lack a config file.
    if let Some(log) = opts.log.as_deref().filter(|l| *l != "syslog") {
        let _ = std::fs::File::create(log);
    }
    if opts.configs.is_empty() {
        eprintln!("{}\n\n{USAGE}", version());
        return ExitCode::from(Exit::Error as u8);
    }
    let lock = match lock_mode(&opts) {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("logrotate: {msg}");
            return ExitCode::from(Exit::Usage as u8);
        }
    };
    let output = if opts.status {
        Output::Status
    } else if opts.dump_toml {
        Output::DumpToml
    } else if opts.plan_json {
        Output::PlanJson
    } else {
        Output::Rotate
    };
    let debug_before_log = first_option(&['d'], "--debug") < first_option(&['l'], "--log");
    let rc = RunConfig {
        configs: opts.configs,
        state: opts.state,
        force: opts.force,
        dry_run: opts.debug,
        verbose: opts.verbose,
        mail_cmd: opts.mail,
        log: opts.log,
        debug_before_log,
        lock,
        output,
        now: chrono::Local::now().naive_local(),
        identity: app::process_identity(),
    };
    ExitCode::from(app::run_once(&rc, Box::new(console::StdConsole)) as u8)
}
