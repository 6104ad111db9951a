//! One run of `logrotate`: load config → open state → scan → plan → execute → write state.
//! The binaries turn their command lines into a [`RunConfig`]; nothing here knows about clap.

use crate::config::{self, Config, LoadOptions};
use crate::exec::report::{Console, Reporter};
use crate::exec::{repair, trace::Forced, ExecOptions, Executor};
use crate::pathbytes::PathShow as _;
use crate::plan::report::PassReport;
use crate::plan::{self, Identity, RunFlags};
use crate::rule::Rule;
use crate::scan;
use crate::state::{LockMode, Prefetch, StateError, StateFile};
use crate::status;
use chrono::NaiveDateTime;
use std::collections::HashSet;
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
    /// The state file is locked by another run, or cannot be opened (as logrotate 3.21).
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
    /// Print a table of each log: rule, last rotation, next due or size trigger, size.
    Status,
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
    /// `-d` came before `-l` on the command line (3.21 then warns before the log file is open).
    pub debug_before_log: bool,
    /// How to take the state lock.
    pub lock: LockMode,
    /// What to print.
    pub output: Output,
    /// The clock reading the run plans for (local time).
    pub now: NaiveDateTime,
    /// Who runs it.
    pub identity: Identity,
}

/// Who this process is (its real uid), for [`RunConfig::identity`].
pub fn process_identity() -> Identity {
    Identity { uid: crate::exec::ids::real_uid() }
}

/// The default state file path.
pub const DEFAULT_STATE: &str = "/var/lib/logrotate/status";

/// Loads the configuration as logrotate does (ownership checks when root) and reports its
/// diagnostics.
pub fn load_config(paths: &[PathBuf], identity: Identity, out: &mut Reporter) -> Config {
    load_config_creating(paths, identity, out, true)
}

/// [`load_config`], with the `olddir` checks of 3.21 at load time; `create_dirs: false` checks
/// without creating a missing `createolddir` directory (a dry run changes nothing).
pub fn load_config_creating(
    paths: &[PathBuf],
    identity: Identity,
    out: &mut Reporter,
    create_dirs: bool,
) -> Config {
    let olddirs = std::sync::Arc::new(config::olddir::DiskOlddirs { create_dirs });
    let check_ownership = identity.is_root();
    let cfg = config::load(paths, &LoadOptions { check_ownership, olddirs: Some(olddirs) });
    for d in &cfg.diagnostics {
        match d.level {
            config::Level::Error => out.error(&d.message),
            config::Level::Warning => out.warning(&d.message),
            config::Level::Note => out.info(&d.message),
            config::Level::ErrorKept => out.error_without_status(&d.message),
        }
    }
    cfg
}

/// Runs once, saying everything through `console`, and returns the exit code.
pub fn run_once(rc: &RunConfig, console: Box<dyn Console>) -> Exit {
    let mut out = Reporter::new(rc.verbose || rc.dry_run, console);
    let debug_warning = "logrotate in debug mode does nothing except printing debug messages!  Consider using verbose mode (-v) instead if this is not what you want.\n";
    // 3.21 says it when it reads -d: before an -l that follows it is open.
    let warned_early = rc.dry_run && rc.output == Output::Rotate && rc.debug_before_log;
    if warned_early {
        out.warning(debug_warning);
    }
    if let Some(target) = &rc.log {
        if let Err(e) = out.log_to(target) {
            // As Debian's 3.21: said only with -v or -d, and the run goes on without the copy.
            let why = crate::exec::report::strerror(&e);
            out.info(&format!("error: error opening log file {target}: {why}"));
        }
    }
    if rc.dry_run && rc.output == Output::Rotate && !warned_early {
        out.warning(debug_warning);
    }
    // Only a real rotation creates a missing olddir (3.21 also does in a dry run).
    let creating = !rc.dry_run && rc.output == Output::Rotate;
    // The state is read (not yet locked) on another thread while the config loads.
    let ahead =
        matches!(rc.output, Output::Rotate | Output::PlanJson).then(|| Prefetch::start(&rc.state)).flatten();
    let mut cfg = load_config_creating(&rc.configs, rc.identity, &mut out, creating);
    match rc.output {
        Output::DumpToml => {
            out.print(&config::dump::to_toml(&cfg.rules));
            return exit_for(&out);
        }
        Output::Status => {
            let rows = status::rows(&cfg.rules, &rc.state, rc.now, rc.identity, &mut out);
            out.print(&status::table(&rows));
            out.print(&status::guard_tables(&cfg.rules));
            return exit_for(&out);
        }
        Output::PlanJson | Output::Rotate => {}
    }
    let pass = PassOptions {
        state: rc.state.clone(),
        lock: rc.lock,
        forced: if rc.force { Forced::FromCommandLine } else { Forced::No },
        dry_run: rc.dry_run || rc.output == Output::PlanJson,
        mail_cmd: rc.mail_cmd.clone(),
        only: None,
        now: rc.now,
        identity: rc.identity,
        loaded: Some(std::mem::take(&mut cfg.loaded)),
        one_shot: true,
    };
    let result = run_pass_ahead(&cfg.rules, &pass, &mut out, ahead, |plan, out| {
        if rc.output != Output::PlanJson {
            return true;
        }
        let guard = crate::guard::preview(&cfg.rules, plan);
        let doc = crate::plan_json::document_with_guard(plan, &cfg.rules, guard.as_ref());
        match serde_json::to_string_pretty(&doc) {
            Ok(json) => out.print(&format!("{json}\n")),
            Err(e) => out.error(&format!("cannot encode plan: {e}")),
        }
        false
    });
    match result {
        Err(PassError::Locked) => Exit::Locked,
        // As logrotate: a state file that cannot be opened or locked ends the run with 3.
        Err(PassError::Fatal) => Exit::Locked,
        Err(PassError::Stranded) => Exit::Error,
        Ok(_) => exit_for(&out),
    }
}

/// One pass of the engine over all rules (or some), under the state lock.
#[derive(Debug, Clone)]
pub struct PassOptions {
    /// State file.
    pub state: PathBuf,
    /// How to take the state lock.
    pub lock: LockMode,
    /// `-f` (or the daemon's SIGUSR1): every log rotates.
    pub forced: Forced,
    /// Plan only: no lock, nothing changes on disk.
    pub dry_run: bool,
    /// Mail command.
    pub mail_cmd: String,
    /// Only these rules (indexes); `None` means all, and only then is the state pruned.
    pub only: Option<Vec<usize>>,
    /// The clock reading the pass plans for (local time).
    pub now: NaiveDateTime,
    /// Who runs it.
    pub identity: Identity,
    /// What the config loader found on disk (each rule's log files, as 3.21 lists them when
    /// it reads the config, and the directories it listed, taken where they did not change
    /// since); `None`: the scan looks for itself (a config loaded long before).
    pub loaded: Option<scan::Loaded>,
    /// The process ends after this pass (the `logrotate` command): no report is built, as
    /// nobody reads it, and what the pass built for 10,000 logs is left to the process's exit
    /// instead of being freed piece by piece.
    pub one_shot: bool,
}

/// Why a pass did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassError {
    /// The state file is locked by another run (already reported).
    Locked,
    /// The state file could not be opened (already reported).
    Fatal,
    /// Going back to root after `su` failed, in this pass or before it (already reported):
    /// the process keeps the `su` user's identity, so nothing more ran (not even the state
    /// write) and nothing more may; the caller ends the process with status 1.
    Stranded,
}

/// Opens and locks the state, scans, plans, lets `inspect` see the plan (it returns whether
/// to execute), executes, and writes the state. Returns the planner's report of the pass: what
/// rotated, why the rest did not, when each log is next due and what size triggers it. The
/// state lock is held only for the duration of the pass.
///
/// # Errors
///
/// [`PassError`] when the state file cannot be opened or locked, or the process could not take
/// back root's identity after `su` (then no pass starts any more).
pub fn run_pass(
    rules: &[Rule],
    p: &PassOptions,
    out: &mut Reporter,
    inspect: impl FnOnce(&plan::Plan, &mut Reporter) -> bool,
) -> Result<PassReport, PassError> {
    run_pass_ahead(rules, p, out, None, inspect)
}

/// [`run_pass`], with the state file perhaps read ahead.
fn run_pass_ahead(
    rules: &[Rule],
    p: &PassOptions,
    out: &mut Reporter,
    ahead: Option<Prefetch>,
    inspect: impl FnOnce(&plan::Plan, &mut Reporter) -> bool,
) -> Result<PassReport, PassError> {
    // (Creating an olddir as the `su` user while loading the config can strand it too.)
    if crate::sys::identity::failed_to_take_back_root() {
        return Err(PassError::Stranded);
    }
    let is_new = !p.dry_run && std::fs::symlink_metadata(&p.state).is_err();
    let opened =
        if p.dry_run { Ok(StateFile::read_only(&p.state)) } else { StateFile::open(&p.state, p.lock) };
    let dev_null = p.state == std::path::Path::new("/dev/null");
    if opened.is_ok() && !dev_null && !p.dry_run {
        // What 3.21's lockState says with -v (its lock lines have no line end).
        if is_new {
            out.info(&format!("Creating stub state file: {}", p.state.shown()));
        }
    }
    let state_file = match opened {
        Ok(s) => s,
        Err(e @ StateError::Locked { .. }) => {
            if matches!(p.lock, LockMode::Wait(_)) {
                out.info_unterminated(&format!("waiting for lock on state file {}", p.state.shown()));
            }
            out.error(&e.to_string());
            out.passthrough(&format!("{}\n", StateError::PARALLEL_HINT));
            return Err(PassError::Locked);
        }
        Err(e) => {
            out.error(&e.to_string());
            return Err(PassError::Fatal);
        }
    };
    for d in state_file.diagnostics() {
        out.warning(&d.message);
    }
    if !dev_null && !p.dry_run && state_file.diagnostics().is_empty() {
        let path = p.state.shown();
        match p.lock {
            LockMode::Skip => out.info(&format!("Skip locking state file {path}")),
            LockMode::Wait(_) => {
                out.info_unterminated(&format!("waiting for lock on state file {path}"));
                out.info_unterminated(&format!("acquired lock on state file {path}"));
            }
            LockMode::NonBlocking => out.info_unterminated(&format!("acquired lock on state file {path}")),
        }
    }
    out.info(&format!("Reading state from file: {}", p.state.shown()));
    let size = match std::fs::metadata(&p.state) {
        Ok(md) => md.len(),
        Err(e) => {
            if p.dry_run && e.kind() == std::io::ErrorKind::NotFound {
                out.info(&format!("state file {} does not exist", p.state.shown()));
            }
            0
        }
    };
    let (mut state, diags) = state_file.read_ahead(ahead);
    // 3.21 sizes its hash table from the file (80 bytes an entry, 200 entries a bucket) and
    // says "Creating new state" for each entry it reads.
    let buckets = (size / 80 / 200).clamp(64, 8192);
    out.info(&format!("Allocating hash table for state file, size {buckets} entries"));
    if out.wants_info() {
        for _ in 0..state.len() {
            out.info("Creating new state");
        }
    }
    for d in diags {
        out.error(&d.message);
    }
    out.info(&format!("\nHandling {} logs", rules.len()));
    let mut diags = Vec::new();
    let now = p.now;
    // Logs the state alone shows are not due are not even looked at (the nightly no-op); what
    // is said about them (-v, -d, --plan-json) needs their size, so then they are.
    let look_anyway = out.wants_info() || p.dry_run;
    let settled = |i: usize, path: &std::path::Path| {
        !look_anyway
            && plan::cannot_be_due(
                &rules[i],
                state.get(&crate::pathbytes::path_text(path)),
                now,
                p.forced.is_forced(),
            )
    };
    let (mut facts, seen) = scan::scan_seen(rules, p.only.as_deref(), &mut diags, p.loaded.as_ref(), settled);
    // Leftovers of an interrupted run are dealt with first; the plan sees the repaired disk.
    if repair::repair(rules, &facts, p.dry_run, out) {
        facts = scan::scan_only(rules, p.only.as_deref(), &mut Vec::new());
    }
    for d in diags {
        out.error(&d.message);
    }
    let flags = RunFlags { force: p.forced.is_forced(), is_root: p.identity.is_root(), words: look_anyway };
    let plan = plan::plan(rules, &facts, &state, now, flags);
    if !inspect(&plan, out) {
        return Ok(if p.one_shot {
            PassReport::default()
        } else {
            plan::report::report(rules, &plan.sets, now, None)
        });
    }
    let exec_opts = ExecOptions {
        dry_run: p.dry_run,
        mail_cmd: p.mail_cmd.clone(),
        forced: p.forced,
        one_shot: p.one_shot,
    };
    let mut executor = Executor::new(rules, exec_opts, out);
    let mut disk_changed = false;
    let mut executed = Vec::with_capacity(plan.sets.len());
    let mut rescan = scan::Rescan::since(seen);
    for (set, planned) in facts.iter().zip(plan.sets) {
        // Each set is planned from the disk as it is when its turn comes, as logrotate does: an
        // earlier set may have rotated into the same olddir, or created it.
        let replanned = (disk_changed && !p.dry_run).then(|| {
            let fresh = rescan.refresh(&rules[set.rule], set);
            plan::plan(rules, std::slice::from_ref(&fresh), &state, now, flags).sets.remove(0)
        });
        let set_plan = replanned.unwrap_or(planned);
        let rule = &rules[set.rule];
        let apart = scan::logs_apart(rule, &set_plan);
        // A log's rotation is planned again when an earlier log of the set changed the disk,
        // unless none can have changed what it was planned from.
        let mut replan = |log: &plan::LogPlan| {
            if apart {
                return None;
            }
            // Nothing named like its archives changed since the scan: the plan stands.
            if rescan.unchanged(rule, &log.path) {
                return None;
            }
            let fresh = rescan.refresh_log(rule, &log.path);
            plan::plan_rotation(rule, &fresh, now, flags.words).ok()
        };
        executor
            .execute_set_replanning(&set_plan, now, &mut state, &mut replan)
            .map_err(|crate::exec::Stranded| PassError::Stranded)?;
        disk_changed |= set_plan.is_rotating();
        executed.push(set_plan);
    }
    // The disk guard (maxtotalsize, minfree) looks at the disk as the pass left it.
    crate::guard::after_pass(rules, p.only.as_deref(), &mut executor, &mut state, now, flags)
        .map_err(|crate::exec::Stranded| PassError::Stranded)?;
    let rotated = executor.into_rotated();
    let report = if p.one_shot {
        PassReport::default()
    } else {
        plan::report::report(rules, &executed, now, Some(&rotated))
    };
    if !p.dry_run {
        if p.only.is_none() {
            // Only entries a year old are asked about: the set is made for the first.
            let used = std::cell::OnceCell::new();
            let is_used = |path: &str| {
                let used: &HashSet<String> = used.get_or_init(|| {
                    let found =
                        facts.iter().flat_map(|s| &s.files).filter(|f| f.kind != plan::FileKind::Missing);
                    found.map(|f| crate::pathbytes::path_text(&f.path).into_owned()).collect()
                });
                used.contains(path)
            };
            let mut stale = state.prune(now, is_used);
            // Said as 3.21 writes its state: in the order of its hash table.
            stale.sort_by_key(|path| state_bucket(path, buckets));
            for path in stale {
                out.info(&format!(
                    "Removing {path} from state file, because it does not exist and has not been rotated for one year"
                ));
            }
        }
        // A state that reads back byte for byte as it would be written (the nightly no-op) is
        // left alone: no rewrite, no fsync.
        let unchanged = std::fs::read(&p.state).is_ok_and(|old| state.renders_to(&old));
        if !unchanged {
            if let Err(e) = state_file.write(&state) {
                out.error(&format!("error writing state file {}: {e}", p.state.shown()));
            }
        }
    }
    if p.one_shot {
        std::mem::forget((facts, executed, state, rescan));
    }
    Ok(report)
}

/// The bucket of 3.21's state hash table that holds `path`.
fn state_bucket(path: &str, buckets: u64) -> u64 {
    let hash = path.bytes().fold(0u32, |h, b| h.wrapping_mul(13).wrapping_add(u32::from(b)));
    u64::from(hash) % buckets
}

/// Exit code for a run: 1 if any error was reported.
pub(crate) fn exit_for(out: &Reporter) -> Exit {
    if out.error_count() > 0 {
        Exit::Error
    } else {
        Exit::Ok
    }
}
