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
pub mod table;
pub mod table_docs;
#[macro_use]
mod table_kit;
mod table_rows;
pub mod toml_rules;
pub mod toml_values;

use crate::rule::Rule;
use std::fmt;
use std::path::PathBuf;

pub use crate::diag::{Diagnostic, Level};

/// What loading produced: the rules that are valid, and everything worth telling the user.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Valid rules, in config order.
    pub rules: Vec<Rule>,
    /// Warnings and errors, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Every config file and directory that was read (the daemon watches them).
    pub sources: Vec<PathBuf>,
    /// What loading found on disk: each rule's log files (3.21's file lists) and the
    /// directories listed for them.
    pub loaded: crate::scan::Loaded,
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
