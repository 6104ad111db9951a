//! `logrotated`: rotation without cron. It sleeps until the next time rule is due, wakes within
//! a second when a watched log crosses a size limit (inotify), reloads when the config changes
//! or on SIGHUP, forces a rotation of everything on SIGUSR1, and on SIGTERM or SIGINT finishes
//! the rotation in progress, writes the state and exits 0.
//!
//! Under systemd (`Type=notify`) it says `READY=1` once started, `RELOADING=1` then `READY=1`
//! around each reload, `STOPPING=1` on the way out, and `WATCHDOG=1` when `WatchdogSec=` asks
//! for it ([`systemd`]). When its stderr is the journal, lines carry a `<N>` priority and no
//! timestamp of their own.
//!
//! Every rotation goes through [`crate::app::run_pass`], the same engine as `logrotate`; the
//! state lock is held only during a pass, so a cron-run `logrotate` can share the state file.
//!
//! Its cost does not follow what unprivileged users do: watches are capped (`max_watches`; the
//! rest is left to the periodic rescan, with one warning), inotify events are read in batches
//! and merged per file, and a log's size is checked at most once per debounce.
//!
//! With `minfree` rules it also guards their filesystems in real time (`disk.rs`): when one drops
//! below its threshold, a pass over those rules runs within a second and ends with the guard.

mod disk;
pub(crate) mod inotify;
pub(crate) mod systemd;
mod triggers;
pub(crate) mod watch;
pub(crate) mod watcher;

use crate::app::{self, Exit, PassError, PassOptions};
use crate::config::Config;
use crate::exec::report::{Console, Reporter};
use crate::exec::trace::Forced;
use crate::plan::report::{PassReport, SizeTrigger};
use crate::plan::Identity;
use crate::state::LockMode;
use chrono::{Local, NaiveDateTime};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use systemd::Notifier;
use triggers::{Trigger, Work};
use watch::Matcher;
use watcher::{Mailbox, Pending, Synced, Watcher};

/// Settings of the daemon.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// Config files or directories.
    pub configs: Vec<PathBuf>,
    /// State file.
    pub state: PathBuf,
    /// Mail command.
    pub mail_cmd: String,
    /// Print verbose notes.
    pub verbose: bool,
    /// Full rescan period: the safety net for lost inotify events and NFS.
    pub rescan: Duration,
    /// How long to gather a burst of file events before acting.
    pub debounce: Duration,
    /// How long a pass waits for the state lock (held by a cron `logrotate`) before retrying.
    pub lock_wait: Duration,
    /// At most this many inotify watches; directories beyond are left to the rescan.
    pub max_watches: usize,
    /// Exit with an error, instead of only warning, when the daemon starts with no rule.
    pub strict: bool,
    /// Who runs it.
    pub identity: Identity,
}

/// The default of [`DaemonConfig::max_watches`]: a small share of the kernel's default per-user
/// budget, which root's other services share.
pub const DEFAULT_MAX_WATCHES: usize = 8192;

/// After an overflow of the kernel's event queue, full passes run at most this often.
const OVERFLOW_PASS_GAP: Duration = Duration::from_secs(1);

/// A sync of the watched set lists every wildcard directory. So that users making directories
/// as fast as they can cost at most about 1 % of a core, a sync caused by new directories waits
/// until this many times as long as the last sync took has passed (at most [`MAX_SYNC_GAP`]).
const SYNC_COST_FACTOR: u32 = 100;
const MAX_SYNC_GAP: Duration = Duration::from_secs(10);

struct Daemon {
    dc: DaemonConfig,
    systemd: Notifier,
    cfg: Config,
    matcher: Matcher,
    out: Reporter,
    watcher: Watcher,
    next_rescan: Instant,
    retry_at: Option<Instant>,
    last_full: Instant,
    /// How many directories were left unwatched when that was last reported.
    reported_left: Option<usize>,
    /// When each log's size was last checked (entries younger than the debounce).
    checked: HashMap<PathBuf, Instant>,
    /// Logs changed again within the debounce after a check: looked at when it has passed.
    deferred: HashSet<PathBuf>,
    deferred_at: Option<Instant>,
    /// How long the last sync of the watched set took, and when it ended.
    sync_cost: Duration,
    last_sync: Instant,
    /// A sync held back by [`SYNC_COST_FACTOR`] is due then.
    sync_due: Option<Instant>,
    /// When each log's time rule is next due, as the planner said after the last pass that
    /// handled it.
    due: HashMap<PathBuf, NaiveDateTime>,
    /// The free space of the `minfree` rules' filesystems.
    disk: disk::DiskWatch,
}

/// Runs until SIGTERM/SIGINT, saying everything through `console`. Returns the exit code.
///
/// Call it before the process starts other threads: it takes systemd's variables out of the
/// environment (see [`Notifier::from_env`]).
pub fn run(mut dc: DaemonConfig, console: Box<dyn Console>) -> Exit {
    let systemd = Notifier::from_env();
    let mut out = if systemd::stderr_is_journal() {
        Reporter::new(dc.verbose, console).for_journal()
    } else {
        Reporter::new(dc.verbose, console).with_timestamps()
    };
    // Absolute from the start: the watcher reports absolute paths, and a config event is
    // recognised by comparing them with these.
    for config in &mut dc.configs {
        match std::path::absolute(&*config) {
            Ok(abs) => *config = abs,
            Err(e) => {
                out.error(&format!("cannot make {} absolute: {e}", config.display()));
                return Exit::Error;
            }
        }
    }
    let mailbox = Arc::new(Mailbox::default());
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGUSR1]) {
        Ok(s) => s,
        Err(e) => {
            out.error(&format!("cannot install signal handlers: {e}"));
            return Exit::Error;
        }
    };
    let sig_box = mailbox.clone();
    let forward = move || {
        for sig in signals.forever() {
            sig_box.post(Pending { signals: vec![sig], ..Pending::default() });
        }
    };
    if let Err(e) = std::thread::Builder::new().name("signals".into()).spawn(forward) {
        out.error(&format!("cannot start the signal thread: {e}"));
        return Exit::Error;
    }
    let watcher = match Watcher::start(mailbox.clone(), dc.debounce, dc.max_watches) {
        Ok(w) => w,
        Err(e) => {
            out.error(&format!("cannot start inotify watcher: {e}"));
            return Exit::Error;
        }
    };
    let cfg = app::load_config(&dc.configs, dc.identity, &mut out);
    if cfg.rules.is_empty() {
        out.warning(&no_rules_message(&dc.configs));
        if dc.strict {
            out.error("no rules to follow; exiting (--strict)");
            return Exit::Error;
        }
    }
    let now = Instant::now();
    let disk = disk::DiskWatch::new(&cfg.rules);
    let mut d = Daemon {
        systemd,
        next_rescan: now + dc.rescan,
        matcher: Matcher::new(&cfg.rules),
        dc,
        cfg,
        out,
        watcher,
        retry_at: None,
        last_full: now,
        reported_left: None,
        checked: HashMap::new(),
        deferred: HashSet::new(),
        deferred_at: None,
        sync_cost: Duration::ZERO,
        last_sync: now,
        sync_due: None,
        due: HashMap::new(),
        disk,
    };
    let n = d.sync_watches(false).watched;
    let started = format!("{} rules, watching {n} directories", d.cfg.rules.len());
    d.out.notice(&format!("started: {started}"));
    // Ready before the first pass: a pass compressing large logs must not count against
    // systemd's start timeout.
    d.systemd.notify(&format!("READY=1\nSTATUS={started}"));
    let watchdog_every = d.systemd.watchdog_every();
    let mut next_ping = Instant::now();
    d.pass(None, false);
    // An absolute deadline for the next time rule, recomputed only after passes, so a steady
    // stream of file events cannot push it back (nor make us re-read the state for each).
    let mut time_wake = d.time_wake();
    loop {
        // Going back to root after `su` failed (reported): nothing more may run as that user.
        if crate::sys::identity::failed_to_take_back_root() {
            d.systemd.notify("STOPPING=1");
            return Exit::Error;
        }
        let now = Instant::now();
        // The watchdog is fed from this loop, so a loop that hangs stops feeding it; a pass
        // holds it up as long as the pass takes (see WatchdogSec in the man page).
        if let Some(every) = watchdog_every {
            if now >= next_ping {
                d.systemd.notify("WATCHDOG=1");
                next_ping = now + every;
            }
        }
        let wake = [Some(time_wake), Some(d.next_rescan), d.retry_at, d.deferred_at, d.sync_due]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now);
        let disk_at = d.disk.next_check().unwrap_or(wake);
        let mut triggers = if now >= wake {
            d.deadlines(now)
        } else if now >= disk_at {
            Vec::new()
        } else {
            let wait_until = if watchdog_every.is_some() { wake.min(next_ping) } else { wake };
            let Some(mut p) = mailbox.take(wait_until.min(disk_at)) else { continue };
            if !triggers::is_stop(&p) {
                // Gather the rest of a burst, then act once.
                std::thread::sleep(d.dc.debounce);
                if let Some(more) = mailbox.take(Instant::now()) {
                    p.merge(more);
                }
            }
            let (sources, configs) = (&d.cfg.sources, &d.dc.configs);
            triggers::of_events(p, |path| watch::is_config_event(path, sources, configs))
        };
        let writes = triggers.iter().any(|t| matches!(t, Trigger::Changed(_)));
        if let Some(why) = d.disk.low(&d.cfg.rules, writes, Instant::now()) {
            triggers.push(Trigger::DiskLow(why));
        }
        let mut work = Work::default();
        for trigger in triggers {
            d.handle(trigger, &mut work);
        }
        if work.stop {
            break;
        }
        if d.work(work) {
            time_wake = d.time_wake();
        }
    }
    d.systemd.notify("STOPPING=1");
    d.out.notice("stopping");
    Exit::Ok
}

fn no_rules_message(configs: &[PathBuf]) -> String {
    let names: Vec<String> = configs.iter().map(|c| c.display().to_string()).collect();
    format!(
        "no rules loaded from {}: nothing will be rotated until the configuration changes",
        names.join(" ")
    )
}

/// A config argument, or a directory on the way to one, that was not watched until now: a
/// config file made in it before the watch existed gave no event.
fn leads_to_config(added: &[PathBuf], configs: &[PathBuf]) -> bool {
    added.iter().any(|dir| configs.iter().any(|c| c.starts_with(dir)))
}

impl Daemon {
    /// The deadlines that have come at `now`: held-back work on particular logs and
    /// directories first (not a full pass); otherwise the timer, or the periodic rescan.
    fn deadlines(&self, now: Instant) -> Vec<Trigger> {
        let mut triggers = Vec::new();
        if self.deferred_at.is_some_and(|t| now >= t) {
            triggers.push(Trigger::Deferred);
        }
        if self.sync_due.is_some_and(|t| now >= t) {
            triggers.push(Trigger::DirSync);
        }
        if triggers.is_empty() {
            triggers.push(if now >= self.next_rescan { Trigger::Rescan } else { Trigger::Timer });
        }
        triggers
    }

    /// What a trigger asks for: one arm per trigger.
    fn handle(&mut self, trigger: Trigger, work: &mut Work) {
        match trigger {
            Trigger::Timer => {
                self.retry_at = None;
                work.full = true;
            }
            Trigger::Rescan => {
                self.retry_at = None;
                self.next_rescan = Instant::now() + self.dc.rescan;
                self.sync_watches(true);
                self.disk.refresh(&self.cfg.rules);
                work.full = true;
            }
            Trigger::Deferred => {
                self.deferred_at = None;
                work.paths.extend(std::mem::take(&mut self.deferred));
            }
            Trigger::DirSync => work.paths.extend(self.dirs_changed()),
            // After a reload the pass is full.
            Trigger::Reload => work.full |= self.reload_and_watch(),
            // New directories may hold logs (unless the pass is full anyway).
            Trigger::Dirs { new, moved } => {
                if !work.full && (moved || new.iter().any(|dir| self.matcher.may_lead_to_logs(dir))) {
                    work.paths.extend(self.dirs_changed());
                }
            }
            Trigger::Overflow => {
                // Events were lost. A full pass finds whatever they were about, at most once a
                // second however fast the kernel's queue overflows.
                let at = self.last_full + OVERFLOW_PASS_GAP;
                if Instant::now() >= at {
                    work.full = true;
                } else {
                    self.retry_at = Some(self.retry_at.map_or(at, |r| r.min(at)));
                }
            }
            Trigger::Force => {
                self.out.notice("rotating every log now: forced by SIGUSR1");
                work.force = true;
            }
            Trigger::Changed(paths) => work.paths.extend(paths),
            Trigger::DiskLow(why) => {
                self.out.notice(&why);
                work.disk_low = true;
            }
            Trigger::Stop => work.stop = true,
        }
    }

    /// Does a batch's work: a full pass, or one over the rules whose logs crossed a size.
    /// Returns whether a pass ran.
    fn work(&mut self, work: Work) -> bool {
        if work.force || work.full {
            self.pass(None, work.force);
        } else {
            let mut rules = self.triggered_rules(work.paths).unwrap_or_default();
            if work.disk_low {
                rules.extend_from_slice(self.disk.rules());
                rules.sort_unstable();
                rules.dedup();
            }
            if rules.is_empty() {
                return false;
            }
            self.pass(Some(rules), false);
        }
        if work.disk_low {
            self.disk.acted(&self.cfg.rules);
        }
        true
    }

    /// A config file or directory changed, or SIGHUP: reloads (telling systemd) and makes the
    /// watched set follow, also when the reload failed (a missing config directory may have
    /// appeared on the way to the file). Returns whether the rules changed.
    fn reload_and_watch(&mut self) -> bool {
        self.systemd.reloading();
        let mut changed = false;
        // Each round may watch one more directory on the way to a missing config; the depth
        // of the path bounds the rounds.
        let rounds = self.dc.configs.iter().map(|c| c.components().count()).max().unwrap_or(0) + 1;
        for _ in 0..rounds {
            changed |= self.reload();
            let added = self.sync_watches(false).added;
            if !leads_to_config(&added, &self.dc.configs) {
                break;
            }
        }
        self.systemd.notify(&format!("READY=1\nSTATUS={} rules", self.cfg.rules.len()));
        changed
    }

    /// Re-reads the config. On errors the old config stays in force. Returns whether it changed.
    fn reload(&mut self) -> bool {
        let new = app::load_config(&self.dc.configs, self.dc.identity, &mut self.out);
        if new.has_errors() {
            self.out.error("configuration has errors; keeping the previous rules");
            return false;
        }
        self.out.notice(&format!("configuration reloaded: {} rules", new.rules.len()));
        if new.rules.is_empty() {
            self.out.warning(&no_rules_message(&self.dc.configs));
        }
        self.cfg = new;
        self.matcher = Matcher::new(&self.cfg.rules);
        self.disk.refresh(&self.cfg.rules);
        self.checked.clear();
        true
    }

    /// Directories appeared, moved or went away: they may hold (or lead to) logs. Syncs the
    /// watched set, unless the last sync was too recent for its cost (then later). Returns the
    /// entries of newly watched directories: those made before the watch existed gave no event.
    fn dirs_changed(&mut self) -> Vec<PathBuf> {
        let at = self.last_sync + (self.sync_cost * SYNC_COST_FACTOR).min(MAX_SYNC_GAP);
        if Instant::now() < at {
            self.sync_due = Some(at);
            return Vec::new();
        }
        self.sync_due = None;
        let mut entries = Vec::new();
        for dir in self.sync_watches(false).added {
            entries.extend(std::fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.path()));
        }
        entries
    }

    /// Makes the watched set what the config needs, up to the cap, and warns once when
    /// directories are left to the periodic rescan (again at a rescan if their number changed).
    fn sync_watches(&mut self, rescan: bool) -> Synced {
        let start = Instant::now();
        let s = self.watcher.sync(&watch::wanted_dirs(&self.cfg, &self.dc.configs));
        self.last_sync = Instant::now();
        self.sync_cost = self.last_sync - start;
        if s.left == 0 {
            self.reported_left = None;
        } else if self.reported_left.is_none() || (rescan && self.reported_left != Some(s.left)) {
            self.out.warning(&format!(
                "inotify watch limit reached: watching {} directories (--max-watches {}), {} more are left to the periodic rescan (every {} s)",
                s.watched,
                self.dc.max_watches,
                s.left,
                self.dc.rescan.as_secs_f64()
            ));
            self.reported_left = Some(s.left);
        }
        s
    }

    /// The rules that a burst of changes to log files may have triggered by size. A log checked
    /// less than a debounce ago is not checked again now but when the debounce has passed.
    fn triggered_rules(&mut self, changed: impl IntoIterator<Item = PathBuf>) -> Option<Vec<usize>> {
        let now = Instant::now();
        let debounce = self.dc.debounce;
        self.checked.retain(|_, t| now.duration_since(*t) < debounce);
        let mut rules = BTreeSet::new();
        for path in changed {
            let matching = self.matcher.rules_matching(&path);
            if matching.is_empty() {
                continue;
            }
            if let Some(&t) = self.checked.get(&path) {
                let at = t + debounce;
                self.deferred_at = Some(self.deferred_at.map_or(at, |d| d.min(at)));
                self.deferred.insert(path);
                continue;
            }
            self.checked.insert(path.clone(), now);
            let Ok(md) = std::fs::symlink_metadata(&path) else { continue };
            let crossed = |i: &usize| {
                SizeTrigger::of(&self.cfg.rules[*i].options).is_some_and(|t| t.is_crossed(md.len()))
            };
            rules.extend(matching.into_iter().filter(crossed));
        }
        (!rules.is_empty()).then(|| rules.into_iter().collect())
    }

    /// Runs the engine over some rules (or all), reporting rotations.
    fn pass(&mut self, only: Option<Vec<usize>>, force: bool) {
        let p = PassOptions {
            state: self.dc.state.clone(),
            lock: LockMode::Wait(Some(self.dc.lock_wait)),
            forced: if force { Forced::BySignal } else { Forced::No },
            dry_run: false,
            mail_cmd: self.dc.mail_cmd.clone(),
            only,
            now: Local::now().naive_local(),
            identity: self.dc.identity,
            // (Its config was loaded long ago: every directory is read.)
            loaded: None,
            one_shot: false,
        };
        let full = p.only.is_none();
        if full {
            self.last_full = Instant::now();
        }
        match app::run_pass(&self.cfg.rules, &p, &mut self.out, |_, _| true) {
            Ok(report) => {
                for path in report.rotated() {
                    self.out.notice(&format!("rotated {}", path.display()));
                }
                self.learn(&report, full);
            }
            Err(PassError::Locked) => {
                self.out.warning("state file busy; retrying in 1 s");
                self.retry_at = Some(Instant::now() + Duration::from_secs(1));
            }
            Err(PassError::Fatal) => self.retry_at = Some(Instant::now() + Duration::from_secs(10)),
            // The loop ends the daemon.
            Err(PassError::Stranded) => {}
        }
    }

    /// Takes the planner's next due times from a pass's report (all of them after a full pass;
    /// after a partial one, those of the logs it handled).
    fn learn(&mut self, report: &PassReport, full: bool) {
        if full {
            self.due.clear();
        }
        for log in &report.logs {
            match log.next_due {
                Some(due) => self.due.insert(log.path.clone(), due),
                None => self.due.remove(&log.path),
            };
        }
    }

    /// When to wake for the next time rule: a little after it is due, so the planner's clock is
    /// past the boundary. Without one, the rescan deadline applies. Moments already past belong
    /// to logs the last pass chose not to rotate (`notifempty`, `minsize`, `minage`...); they are
    /// looked at again by the next rescan or file event, never in a busy loop.
    fn time_wake(&self) -> Instant {
        let far = Instant::now() + Duration::from_secs(365 * 86_400);
        let now = Local::now().naive_local();
        let next = self.due.values().copied().filter(|&due| due > now).min();
        next.map_or(far, |due| {
            let wait = (due - now).to_std().unwrap_or(Duration::ZERO);
            Instant::now() + wait + Duration::from_millis(50)
        })
    }
}
