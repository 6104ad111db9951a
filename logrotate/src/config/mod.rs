//! Loading configuration: the classic logrotate syntax ([`classic`]) and TOML rule files
//! ([`toml_rules`]) both produce [`Rule`]s; [`dump`] writes rules back as TOML.
//!
//! Loading never stops at the first problem. Every problem becomes a [`Diagnostic`] that names
//! `FILE:LINE`, the stanza it affects is dropped, and the other stanzas still load.

pub mod classic;
pub mod cursor;
pub mod directives;
pub mod dump;
pub mod olddir;
pub mod toml_rules;

use crate::rule::Rule;
use std::fmt;
use std::path::PathBuf;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Shown only with `-v`/`-d`, as logrotate's debug lines.
    Note,
    /// The run goes on, exit status unaffected.
    Warning,
    /// Printed as `error:`, but as in logrotate 3.21 the exit status is unaffected.
    ErrorKept,
    /// Something was dropped; the exit status becomes 1.
    Error,
}

/// A message about the configuration, already carrying `FILE:LINE` in its text where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Warning or error.
    pub level: Level,
    /// The text after `error: ` / `warning: `.
    pub message: String,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic { level: Level::Error, message: message.into() }
    }
    /// A warning diagnostic.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic { level: Level::Warning, message: message.into() }
    }
    /// An `error:` line that, as in 3.21, does not change the exit status.
    pub fn error_kept(message: impl Into<String>) -> Self {
        Diagnostic { level: Level::ErrorKept, message: message.into() }
    }
    /// A note, shown with `-v`/`-d` only.
    pub fn note(message: impl Into<String>) -> Self {
        Diagnostic { level: Level::Note, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.level {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::ErrorKept => "error",
            Level::Error => "error",
        };
        write!(f, "{tag}: {}", self.message)
    }
}

/// What loading produced: the rules that are valid, and everything worth telling the user.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Valid rules, in config order.
    pub rules: Vec<Rule>,
    /// Warnings and errors, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Every config file and directory that was read (the daemon watches them).
    pub sources: Vec<PathBuf>,
}

impl Config {
    /// Whether any diagnostic is an error (exit status 1).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error)
    }
}

/// Settings for loading.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Refuse config files not owned by root or writable by group/others (logrotate does this
    /// when it runs as root).
    pub check_ownership: bool,
    /// Check (and with `createolddir`, create) each stanza's `olddir` when the stanza closes,
    /// as 3.21 does, through this filesystem ([`olddir::DiskOlddirs`] for the real one).
    /// `None` (the default) leaves the disk alone; the planner still reports a missing olddir.
    pub olddirs: Option<std::sync::Arc<dyn olddir::OlddirFs>>,
}

impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("check_ownership", &self.check_ownership)
            .field("olddirs", &self.olddirs.as_ref().map(|_| "OlddirFs"))
            .finish()
    }
}

/// Loads every config path in order (a directory means every file in it), as `logrotate`
/// does with several config arguments: global options carry over from one file to the next.
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Config {
    classic::Loader::new(opts.clone()).load_all(paths)
}
