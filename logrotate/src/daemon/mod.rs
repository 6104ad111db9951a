//! `logrotated`: rotation without cron. It sleeps until the next time rule is due, wakes within
//! a second when a watched log crosses a size limit (inotify through `notify`), reloads when the
//! config changes or on SIGHUP, forces a rotation of everything on SIGUSR1, and on SIGTERM or
//! SIGINT finishes the rotation in progress, writes the state and exits 0.
//!
//! Every rotation goes through [`crate::app::run_pass`], the same engine as `logrotate`; the
//! state lock is held only during a pass, so a cron-run `logrotate` can share the state file.

pub mod watch;

use crate::app::{self, Exit, PassError, PassOptions};
use crate::config::Config;
use crate::exec::report::Reporter;
use crate::plan::schedule::{frequency, is_size_triggered, next_due};
use crate::rule::{Criterion, Rule};
use crate::scan;
use crate::state::{LockMode, StateFile};
use chrono::{Local, NaiveDateTime};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};
use watch::Watches;

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
}

enum Event {
    Fs(Vec<PathBuf>),
    Overflow,
    Signal(i32),
}

struct Daemon {
    dc: DaemonConfig,
    cfg: Config,
    out: Reporter,
    next_rescan: Instant,
    retry_at: Option<Instant>,
}

/// Runs until SIGTERM/SIGINT. Returns the exit code.
pub fn run(dc: DaemonConfig) -> Exit {
    let mut out = Reporter::new(dc.verbose).with_timestamps();
    let (tx, rx) = mpsc::channel::<Event>();
    let sig_tx = tx.clone();
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGUSR1]) {
        Ok(s) => s,
        Err(e) => {
            out.error(&format!("cannot install signal handlers: {e}"));
            return Exit::Error;
        }
    };
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if sig_tx.send(Event::Signal(sig)).is_err() {
                break;
            }
        }
    });
    let fs_tx = tx;
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let ev = match res {
            Ok(ev) if ev.need_rescan() => Event::Overflow,
            // Reads (ours included: loading the config, scanning logs) change nothing.
            Ok(ev) if matches!(ev.kind, notify::EventKind::Access(_)) => return,
            Ok(ev) => Event::Fs(ev.paths),
            Err(_) => Event::Overflow,
        };
        let _ = fs_tx.send(ev);
    });
    let mut watches = match watcher {
        Ok(w) => Watches::new(w),
        Err(e) => {
            out.error(&format!("cannot start inotify watcher: {e}"));
            return Exit::Error;
        }
    };
    let cfg = app::load_config(&dc.configs, &mut out);
    let mut d = Daemon { next_rescan: Instant::now() + dc.rescan, dc, cfg, out, retry_at: None };
    let n = watches.sync(watch::wanted_dirs(&d.cfg));
    d.out.notice(&format!("started: {} rules, watching {n} directories", d.cfg.rules.len()));
    d.pass(None, false);
    // An absolute deadline for the next time rule, recomputed only after passes, so a steady
    // stream of file events cannot push it back.
    let mut time_wake = d.time_wake();
    loop {
        let now = Instant::now();
        let wake =
            [Some(time_wake), Some(d.next_rescan), d.retry_at].into_iter().flatten().min().unwrap_or(now);
        if now >= wake {
            d.retry_at = None;
            if now >= d.next_rescan {
                d.next_rescan = now + d.dc.rescan;
                watches.sync(watch::wanted_dirs(&d.cfg));
            }
            d.pass(None, false);
            time_wake = d.time_wake();
            continue;
        }
        let first = match rx.recv_timeout(wake - now) {
            Ok(ev) => ev,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Gather a burst of events, then act once.
        let mut events = vec![first];
        let until = Instant::now() + d.dc.debounce;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(ev) => events.push(ev),
                Err(_) => break,
            }
        }
        let mut changed: BTreeSet<PathBuf> = BTreeSet::new();
        let (mut reload, mut force, mut full, mut stop) = (false, false, false, false);
        for ev in events {
            match ev {
                Event::Fs(paths) => changed.extend(paths),
                Event::Overflow => full = true,
                Event::Signal(SIGHUP) => reload = true,
                Event::Signal(SIGUSR1) => force = true,
                Event::Signal(_) => stop = true,
            }
        }
        if stop {
            break;
        }
        reload |= changed.iter().any(|p| watch::is_config_event(p, &d.cfg.sources, &d.dc.configs));
        if !reload && changed.iter().any(|p| p.is_dir()) {
            // A directory appeared (or moved): it may hold logs of a glob.
            watches.sync(watch::wanted_dirs(&d.cfg));
        }
        if reload && d.reload() {
            watches.sync(watch::wanted_dirs(&d.cfg));
            full = true;
        }
        if force || full {
            d.pass(None, force);
        } else if let Some(rules) = d.triggered_rules(&changed) {
            d.pass(Some(rules), false);
        }
        time_wake = d.time_wake();
    }
    d.out.notice("stopping");
    Exit::Ok
}

impl Daemon {
    /// Re-reads the config. On errors the old config stays in force. Returns whether it changed.
    fn reload(&mut self) -> bool {
        let new = app::load_config(&self.dc.configs, &mut self.out);
        if new.has_errors() {
            self.out.error("configuration has errors; keeping the previous rules");
            return false;
        }
        self.out.notice(&format!("configuration reloaded: {} rules", new.rules.len()));
        self.cfg = new;
        true
    }

    /// The rules that a burst of changes to log files may have triggered by size.
    fn triggered_rules(&self, changed: &BTreeSet<PathBuf>) -> Option<Vec<usize>> {
        let mut rules = BTreeSet::new();
        for path in changed {
            for i in watch::rules_matching(&self.cfg.rules, path) {
                if could_trigger(&self.cfg.rules[i], path) {
                    rules.insert(i);
                }
            }
        }
        (!rules.is_empty()).then(|| rules.into_iter().collect())
    }

    /// Runs the engine over some rules (or all), reporting rotations.
    fn pass(&mut self, only: Option<Vec<usize>>, force: bool) {
        let p = PassOptions {
            state: self.dc.state.clone(),
            lock: LockMode::Wait(Some(self.dc.lock_wait)),
            force,
            dry_run: false,
            mail_cmd: self.dc.mail_cmd.clone(),
            only,
        };
        match app::run_pass(&self.cfg.rules, &p, &mut self.out, |_, _| true) {
            Ok(rotated) => {
                for path in rotated {
                    self.out.notice(&format!("rotated {}", path.display()));
                }
            }
            Err(PassError::Locked) => {
                self.out.warning("state file busy; retrying in 1 s");
                self.retry_at = Some(Instant::now() + Duration::from_secs(1));
            }
            Err(PassError::Fatal) => self.retry_at = Some(Instant::now() + Duration::from_secs(10)),
        }
    }

    /// When to wake for the next time rule: a little after it is due, so the planner's clock is
    /// past the boundary. Without one, the rescan deadline applies.
    fn time_wake(&self) -> Instant {
        let far = Instant::now() + Duration::from_secs(365 * 86_400);
        self.next_time_due().map_or(far, |due| {
            let wait = (due - Local::now().naive_local()).to_std().unwrap_or(Duration::ZERO);
            Instant::now() + wait + Duration::from_millis(50)
        })
    }

    /// The earliest moment, still to come, at which a time rule becomes due, from the state on
    /// disk. Moments already past belong to logs the last pass chose not to rotate (`notifempty`,
    /// `minsize`, `minage`...); they are looked at again by the next rescan or file event, never
    /// in a busy loop.
    fn next_time_due(&self) -> Option<NaiveDateTime> {
        let (state, _) = StateFile::read_only(&self.dc.state).read();
        let now = Local::now().naive_local();
        let mut earliest: Option<NaiveDateTime> = None;
        for rule in &self.cfg.rules {
            let Some(freq) = frequency(&rule.options) else { continue };
            for path in scan::expand(rule) {
                if let Some(last) = state.get(&path.to_string_lossy()) {
                    let due = next_due(freq, last);
                    if due > now {
                        earliest = Some(earliest.map_or(due, |e| e.min(due)));
                    }
                }
            }
        }
        earliest
    }
}

/// Whether a change to `path` under `rule` may make it rotate by size: cheap `stat` check
/// against `size`/`maxsize`; `minsize` rules are always evaluated by the planner.
fn could_trigger(rule: &Rule, path: &std::path::Path) -> bool {
    let o = &rule.options;
    if !is_size_triggered(o) && o.min_size.is_none() {
        return false;
    }
    let Ok(md) = std::fs::symlink_metadata(path) else { return false };
    let size = md.len();
    let by_size = match o.criterion {
        Some(Criterion::Size(n)) => size >= n,
        _ => false,
    };
    by_size || o.max_size.is_some_and(|m| size > m) || o.min_size.is_some_and(|m| size >= m)
}
