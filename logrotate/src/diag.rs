//! Diagnostics: what loading the configuration, reading the state file or scanning the disk has
//! to tell the user, with where it happened kept as data.
//!
//! A [`Diagnostic`] carries its [`Level`], the message as logrotate 3.21 words it, and, when the
//! problem has a place, its [`Location`] (file, line, column). The message is the text the user
//! sees (3.21 puts the place in different spots: `FILE:LINE unknown option` for a config,
//! `bad line N in state file FILE` for the state); the location lets a test assert the line and
//! the daemon point at the rule that failed to load without parsing that text.
//!
//! # Examples
//!
//! ```
//! use logrotate::diag::{Diagnostic, Level, Location};
//! let at = Location::line("/etc/logrotate.d/app", 12);
//! let d = Diagnostic::error_at(at.clone(), "unknown option 'dialy' -- ignoring line");
//! assert_eq!(d.message, "/etc/logrotate.d/app:12 unknown option 'dialy' -- ignoring line");
//! assert_eq!(d.location, Some(at));
//! assert_eq!(d.level, Level::Error);
//! assert_eq!(d.to_string(), "error: /etc/logrotate.d/app:12 unknown option 'dialy' -- ignoring line");
//! ```

use crate::pathbytes::PathShow as _;
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

/// Where a diagnostic's problem is: a file, and in it a line and a column when known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file (a config file, the state file, a log).
    pub file: PathBuf,
    /// The line, counted from 1.
    pub line: Option<usize>,
    /// The column, counted from 1.
    pub col: Option<usize>,
}

impl Location {
    /// A whole file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location { file: file.into(), line: None, col: None }
    }

    /// A line of a file.
    pub fn line(file: impl Into<PathBuf>, line: usize) -> Self {
        Location { file: file.into(), line: Some(line), col: None }
    }

    /// The same place, at column `col`.
    #[must_use]
    pub fn with_col(self, col: usize) -> Self {
        Location { col: Some(col), ..self }
    }
}

/// `FILE:LINE` as 3.21 writes it before a config message (`FILE` alone without a line; the column
/// is data only, 3.21 never prints it). The file is shown with [`PathShow`](crate::pathbytes::PathShow).
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.shown()),
            None => write!(f, "{}", self.file.shown()),
        }
    }
}

/// A message for the user: its level, its text, and where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Note, warning or error.
    pub level: Level,
    /// The text after `error: ` / `warning: `, as logrotate 3.21 words it (the place included
    /// where 3.21 names it).
    pub message: String,
    /// Where the problem is, when it has a place.
    pub location: Option<Location>,
}

impl Diagnostic {
    fn new(level: Level, message: impl Into<String>) -> Self {
        Diagnostic { level, message: message.into(), location: None }
    }

    /// An error diagnostic.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Error, message)
    }
    /// A warning diagnostic.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Warning, message)
    }
    /// An `error:` line that, as in 3.21, does not change the exit status.
    pub fn error_kept(message: impl Into<String>) -> Self {
        Diagnostic::new(Level::ErrorKept, message)
    }
    /// A note, shown with `-v`/`-d` only.
    pub fn note(message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Note, message)
    }

    /// An error about `at`, worded as 3.21 words config errors: `FILE:LINE what`.
    pub fn error_at(at: Location, what: &str) -> Self {
        Diagnostic::error(format!("{at} {what}")).at(at)
    }

    /// The same diagnostic, located at `at` (the message is left as it is).
    #[must_use]
    pub fn at(self, at: Location) -> Self {
        Diagnostic { location: Some(at), ..self }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.level {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::ErrorKept | Level::Error => "error",
        };
        write!(f, "{tag}: {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_written_as_3_21_writes_it() {
        assert_eq!(Location::line("/etc/a.conf", 3).to_string(), "/etc/a.conf:3");
        assert_eq!(Location::line("/etc/a.conf", 3).with_col(7).to_string(), "/etc/a.conf:3");
        assert_eq!(Location::file("/var/lib/logrotate/status").to_string(), "/var/lib/logrotate/status");
    }

    #[test]
    fn a_located_diagnostic_keeps_its_message() {
        let d = Diagnostic::warning("state file is world-readable").at(Location::file("/s"));
        assert_eq!(d.to_string(), "warning: state file is world-readable");
        assert_eq!(d.location.unwrap().file, PathBuf::from("/s"));
    }

    #[test]
    fn a_config_error_carries_its_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let conf = d.path().join("app.conf");
        std::fs::write(&conf, "/var/log/app.log {\n  daily\n  rotate many\n}\n").unwrap();
        let loaded = crate::config::load(std::slice::from_ref(&conf), &Default::default());
        let err = loaded.diagnostics.iter().find(|d| d.level == Level::Error).expect("an error");
        assert_eq!(err.location, Some(Location::line(&conf, 3)), "{err:?}");
        assert!(err.message.starts_with(&format!("{}:3 ", conf.display())), "{err:?}");
    }
}
