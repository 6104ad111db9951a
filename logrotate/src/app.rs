//! One run of `logrotate`: load config → open state → scan → plan → execute → write state.
//! The binaries turn their command lines into a [`RunConfig`]; nothing here knows about clap.

use crate::config::{self, Config, LoadOptions};
use crate::exec::{ids, report::Reporter, ExecOptions, Executor};
use crate::plan::{self, RunFlags};
use crate::scan;
use crate::state::{LockMode, StateError, StateFile};
use chrono::Local;
use std::path::PathBuf;

/// logrotate's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything went well.
    Ok = 0,
    /// Some error was reported (the rest of the run went on).
    Error = 1,
    /// Bad command line.
    Usage = 2,
    /// The state file is locked by another run.
    Locked = 3,
}

/// What the run prints instead of rotating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// Rotate (or, with `dry_run`, describe).
    #[default]
    Rotate,
    /// Print the plan as JSON and change nothing.
    PlanJson,
    /// Print the effective rules as TOML and change nothing.
    DumpToml,
}

/// Everything a one-shot run needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Config files or directories.
    pub configs: Vec<PathBuf>,
    /// State file (`/dev/null` for none).
    pub state: PathBuf,
    /// `-f`.
    pub force: bool,
    /// `-d`: change nothing on disk.
    pub dry_run: bool,
    /// `-v`.
    pub verbose: bool,
    /// `-m`.
    pub mail_cmd: String,
    /// `-l`.
    pub log: Option<String>,
    /// How to take the state lock.
    pub lock: LockMode,
    /// What to print.
    pub output: Output,
}

/// The default state file path.
pub const DEFAULT_STATE: &str = "/var/lib/logrotate/status";

/// Loads the configuration as logrotate does (ownership checks when root) and prints its
/// diagnostics.
pub fn load_config(paths: &[PathBuf], out: &mut Reporter) -> Config {
    let cfg = config::load(paths, &LoadOptions { check_ownership: ids::is_root() });
    for d in &cfg.diagnostics {
        match d.level {
            config::Level::Error => out.error(&d.message),
            config::Level::Warning => out.warning(&d.message),
        }
    }
    cfg
}

/// Runs once and returns the exit code.
pub fn run_once(rc: &RunConfig) -> Exit {
    let mut out = Reporter::new(rc.verbose || rc.dry_run);
    if let Some(target) = &rc.log {
        if let Err(e) = out.log_to(target) {
            out.error(&format!("cannot open log file {target}: {e}"));
            return Exit::Error;
        }
    }
    let cfg = load_config(&rc.configs, &mut out);
    match rc.output {
        Output::DumpToml => {
            print!("{}", config::dump::to_toml(&cfg.rules));
            return exit_for(&out);
        }
        Output::PlanJson | Output::Rotate => {}
    }
    let opened = if rc.dry_run || rc.output == Output::PlanJson {
        Ok(StateFile::read_only(&rc.state))
    } else {
        StateFile::open(&rc.state, rc.lock)
    };
    let state_file = match opened {
        Ok(s) => s,
        Err(e @ StateError::Locked { .. }) => {
            out.error(&e.to_string());
            eprintln!("{}", StateError::PARALLEL_HINT);
            return Exit::Locked;
        }
        Err(e) => {
            out.error(&e.to_string());
            return Exit::Error;
        }
    };
    for d in state_file.diagnostics() {
        out.warning(&d.message);
    }
    let (mut state, diags) = state_file.read();
    for d in diags {
        out.error(&d.message);
    }
    let mut diags = Vec::new();
    let facts = scan::scan(&cfg.rules, &mut diags);
    for d in diags {
        out.error(&d.message);
    }
    let now = Local::now().naive_local();
    let flags = RunFlags { force: rc.force, is_root: ids::is_root() };
    let plan = plan::plan(&cfg.rules, &facts, &state, now, flags);
    if rc.output == Output::PlanJson {
        match serde_json::to_string_pretty(&plan) {
            Ok(json) => println!("{json}"),
            Err(e) => out.error(&format!("cannot encode plan: {e}")),
        }
        return exit_for(&out);
    }
    let exec_opts = ExecOptions { dry_run: rc.dry_run, mail_cmd: rc.mail_cmd.clone() };
    Executor::new(&cfg.rules, exec_opts, &mut out).execute(&plan, &mut state);
    if !rc.dry_run {
        let used: std::collections::HashSet<String> = facts
            .iter()
            .flat_map(|s| &s.files)
            .filter(|f| f.kind != scan::FileKind::Missing)
            .map(|f| f.path.to_string_lossy().into_owned())
            .collect();
        state.prune(now, |p| used.contains(p));
        if let Err(e) = state_file.write(&state) {
            out.error(&format!("error writing state file {}: {e}", rc.state.display()));
        }
    }
    exit_for(&out)
}

fn exit_for(out: &Reporter) -> Exit {
    if out.error_count() > 0 {
        Exit::Error
    } else {
        Exit::Ok
    }
}
