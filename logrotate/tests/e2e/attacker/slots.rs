//! The paths the executor touches, each with the rule that makes it touch it and where the
//! attacker plants: the cases of the attacker tests, grouped by what they attack.

/// When the attacker plants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    /// Before the run.
    Before,
    /// In the instant between the move of the log and the creation of the new one (under
    /// strace, see [`attack::run_planting_after_move`]).
    AfterMove,
}

/// A path the executor touches, and the rule that makes it touch it.
pub(super) struct Slot {
    pub(super) name: &'static str,
    /// The stanza's path pattern, relative to the log directory.
    pub(super) pattern: &'static str,
    /// Directives of the `@L@/PATTERN { … }` stanza.
    pub(super) rule: &'static str,
    /// Regular files (owned by nobody) in the log directory before the run.
    pub(super) files: &'static [&'static str],
    /// Directories (owned by nobody) in the log directory before the run.
    pub(super) dirs: &'static [&'static str],
    /// Where the attacker plants, relative to the log directory; `{Y}` is the current year.
    pub(super) at: &'static str,
    pub(super) when: When,
    /// The state file is `logs/status` (in the attacker's directory) instead of `ROOT/state`.
    pub(super) state_in_logs: bool,
}

const fn slot(
    name: &'static str,
    rule: &'static str,
    files: &'static [&'static str],
    at: &'static str,
) -> Slot {
    Slot { name, pattern: "app.log", rule, files, dirs: &[], at, when: When::Before, state_in_logs: false }
}

pub(super) const CREATE: &str = "rotate 2\ncreate 0666 nobody nogroup";
const LOG: &[&str] = &["app.log"];
const LOG_1: &[&str] = &["app.log", "app.log.1"];

/// Attacks on the live log (and a log a glob matches).
pub(super) const LOG_PATH: &[Slot] = &[
    slot("log itself", CREATE, &[], "app.log"),
    slot("log itself (copy)", "rotate 2\ncopy", &[], "app.log"),
    slot("log itself (copytruncate)", "rotate 2\ncopytruncate", &[], "app.log"),
    Slot {
        pattern: "*.log",
        ..slot("log matched by *.log (copytruncate)", "rotate 2\ncopytruncate", LOG, "evil.log")
    },
    Slot { pattern: "*.log", ..slot("log matched by *.log (create)", CREATE, LOG, "evil.log") },
];

/// Attacks on numbered archive names (rename and shift targets).
pub(super) const NUMBERED: &[Slot] = &[
    slot("LOG.1 (rename target)", CREATE, LOG, "app.log.1"),
    slot("LOG.2 (shift target, rotate 3)", "rotate 3", LOG_1, "app.log.2"),
];

/// Attacks on shred and remove targets.
pub(super) const REMOVED: &[Slot] = &[
    slot("LOG.2 (removed, rotate 1)", "rotate 1", LOG_1, "app.log.2"),
    slot("LOG.2 (shredded, rotate 1)", "rotate 1\nshred", LOG, "app.log.2"),
    slot("LOG.2 (shredded, rotate 1, LOG.1 present)", "rotate 1\nshred", LOG_1, "app.log.2"),
    slot("LOG.1 (removed, rotate 0, shred)", "rotate 0\nshred", LOG, "app.log.1"),
    slot(
        "old dated archive (removed, dateext, rotate 1)",
        "rotate 1\ndateext\ndateformat -%Y",
        LOG,
        "app.log-2000",
    ),
    slot(
        "old dated archive (shredded, dateext, rotate 1)",
        "rotate 1\ndateext\ndateformat -%Y\nshred",
        LOG,
        "app.log-2000",
    ),
];

/// Attacks on compression source, target and its .partial.
pub(super) const COMPRESSION: &[Slot] = &[
    slot("LOG.1 (compress source, no delaycompress)", "rotate 2\ncompress", LOG, "app.log.1"),
    slot("LOG.1.gz (compression target)", "rotate 2\ncompress", LOG, "app.log.1.gz"),
    slot("LOG.1.gz partial (compression tmp)", "rotate 2\ncompress", LOG, ".app.log.1.gz.partial"),
    slot(
        "LOG.1 (delaycompress: shifted, then compressed)",
        "rotate 3\ncompress\ndelaycompress",
        LOG,
        "app.log.1",
    ),
    slot("LOG.2.gz (delaycompress target)", "rotate 3\ncompress\ndelaycompress", LOG_1, "app.log.2.gz"),
];

/// Attacks on copy/copytruncate target and its .partial.
pub(super) const COPY: &[Slot] = &[
    slot("LOG.1 (copy target)", "rotate 2\ncopy", LOG, "app.log.1"),
    slot("LOG.1 partial (copy tmp)", "rotate 2\ncopy", LOG, ".app.log.1.partial"),
    slot("LOG.1 (copytruncate target)", "rotate 2\ncopytruncate", LOG, "app.log.1"),
    slot("LOG.1 partial (copytruncate tmp)", "rotate 2\ncopytruncate", LOG, ".app.log.1.partial"),
];

/// Attacks on renamecopy's LOG.tmp, target and .partial.
pub(super) const RENAMECOPY: &[Slot] = &[
    slot("LOG.tmp (renamecopy)", "rotate 2\nrenamecopy\ncreate 0666 nobody nogroup", LOG, "app.log.tmp"),
    slot("LOG.1 (renamecopy target)", "rotate 2\nrenamecopy\ncreate 0666 nobody nogroup", LOG, "app.log.1"),
    slot("LOG.1 partial (renamecopy tmp)", "rotate 2\nrenamecopy", LOG, ".app.log.1.partial"),
];

/// Attacks on dated archive names (dateext).
pub(super) const DATED: &[Slot] = &[
    slot("dated archive (dateext)", "rotate 2\ndateext\ndateformat -%Y", LOG, "app.log-{Y}"),
    slot(
        "dated .gz (dateext compress)",
        "rotate 2\ndateext\ndateformat -%Y\ncompress",
        LOG,
        "app.log-{Y}.gz",
    ),
];

/// Attacks on olddir, its parent, and archives in it.
pub(super) const OLDDIR: &[Slot] = &[
    slot(
        "olddir (createolddir 0755 nobody nogroup)",
        "rotate 2\nolddir old\ncreateolddir 0755 nobody nogroup",
        LOG,
        "old",
    ),
    slot("olddir (plain createolddir)", "rotate 2\nolddir old\ncreateolddir", LOG, "old"),
    slot("olddir (no createolddir)", "rotate 2\nolddir old", LOG, "old"),
    slot(
        "olddir parent (createolddir)",
        "rotate 2\nolddir old/arch\ncreateolddir 0755 nobody nogroup",
        LOG,
        "old",
    ),
    Slot { dirs: &["old"], ..slot("archive in olddir", "rotate 2\nolddir old", LOG, "old/app.log.1") },
];

/// Attacks on the create path, planted in the instant after the move.
pub(super) const CREATE_AFTER_MOVE: &[Slot] =
    &[Slot { when: When::AfterMove, ..slot("create path, after the move", CREATE, LOG, "app.log") }];

/// Attacks on the state file, its tmp and its lock sidecar.
pub(super) const STATE: &[Slot] = &[
    Slot { state_in_logs: true, ..slot("state file", "rotate 2", LOG, "status") },
    Slot { state_in_logs: true, ..slot("state tmp", "rotate 2", LOG, "status.tmp") },
    Slot { state_in_logs: true, ..slot("state lock sidecar", "rotate 2", LOG, "status.lock") },
];

pub(super) fn year() -> String {
    use chrono::Datelike;
    chrono::Local::now().year().to_string()
}
