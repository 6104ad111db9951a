//! What can call for work in the daemon, as one enum: the loop turns clock deadlines and batches
//! of events into [`Trigger`]s, [`super::Daemon::handle`] turns each into [`Work`] (one arm per
//! trigger), and the work of a batch is done at once: at most one pass.

use super::watcher::Pending;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Something that may call for a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A time rule is due, or a pass is to be retried (the state was busy, events were lost).
    Timer,
    /// The periodic rescan: the watched set is synced again, then a full pass runs.
    Rescan,
    /// Logs that changed within a debounce of their last check are looked at now.
    Deferred,
    /// A sync of the watched set, held back for its cost, is due.
    DirSync,
    /// The configuration changed, or SIGHUP.
    Reload,
    /// Directories appeared (`new`), or a watched one moved or went away (`moved`).
    Dirs {
        /// Directories that appeared.
        new: HashSet<PathBuf>,
        /// A watched directory moved or went away.
        moved: bool,
    },
    /// The kernel's event queue overflowed: events were lost.
    Overflow,
    /// SIGUSR1: rotate every log now.
    Force,
    /// Entries of watched directories changed: logs may have crossed a size.
    Changed(HashSet<PathBuf>),
    /// A filesystem holding archives of `minfree` rules is below its threshold (what to say).
    DiskLow(String),
    /// SIGTERM or SIGINT: finish and exit.
    Stop,
}

/// What a batch of triggers asks for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Work {
    /// A pass over every rule.
    pub full: bool,
    /// Forced (SIGUSR1).
    pub force: bool,
    /// Paths whose size may have crossed a trigger (looked at unless the pass is full).
    pub paths: Vec<PathBuf>,
    /// A filesystem is below a `minfree`: a pass over the rules that set it.
    pub disk_low: bool,
    /// Exit.
    pub stop: bool,
}

/// The triggers of a batch of events, in the order they are handled: a stop first (nothing
/// else matters then), a reload before what depends on the rules.
pub fn of_events(p: Pending, is_config: impl Fn(&Path) -> bool) -> Vec<Trigger> {
    if p.signals.iter().any(|&s| s == SIGTERM || s == SIGINT) {
        return vec![Trigger::Stop];
    }
    let mut triggers = Vec::new();
    if p.signals.contains(&SIGHUP) || p.paths.iter().any(|path| is_config(path)) {
        triggers.push(Trigger::Reload);
    }
    if p.dirs || !p.new_dirs.is_empty() {
        triggers.push(Trigger::Dirs { new: p.new_dirs, moved: p.dirs });
    }
    if p.overflow {
        triggers.push(Trigger::Overflow);
    }
    if p.signals.contains(&SIGUSR1) {
        triggers.push(Trigger::Force);
    }
    if !p.paths.is_empty() {
        triggers.push(Trigger::Changed(p.paths));
    }
    triggers
}

/// Whether a batch of events is a stop (then it is acted on at once, without gathering more).
pub fn is_stop(p: &Pending) -> bool {
    p.signals.iter().any(|&s| s == SIGTERM || s == SIGINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_outranks_everything() {
        let p = Pending { signals: vec![SIGUSR1, SIGTERM], overflow: true, ..Pending::default() };
        assert!(is_stop(&p));
        assert_eq!(of_events(p, |_| true), [Trigger::Stop]);
    }

    #[test]
    fn a_batch_becomes_its_triggers_reload_first() {
        let conf = PathBuf::from("/etc/logrotate.d/app");
        let log = PathBuf::from("/var/log/app.log");
        let p = Pending {
            paths: [conf.clone(), log.clone()].into(),
            new_dirs: [PathBuf::from("/var/log/new")].into(),
            overflow: true,
            signals: vec![SIGUSR1],
            ..Pending::default()
        };
        let t = of_events(p, |path| path == conf);
        assert_eq!(t[0], Trigger::Reload);
        assert!(matches!(&t[1], Trigger::Dirs { new, moved: false } if new.len() == 1));
        assert_eq!(t[2..4], [Trigger::Overflow, Trigger::Force]);
        assert!(matches!(&t[4], Trigger::Changed(paths) if paths.contains(&log)));
        assert_eq!(
            of_events(Pending { signals: vec![SIGHUP], ..Pending::default() }, |_| false),
            [Trigger::Reload]
        );
        assert!(of_events(Pending::default(), |_| false).is_empty());
    }
}
