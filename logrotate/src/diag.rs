//! Diagnostics: what loading the configuration, reading the state file or scanning the disk has
//! to tell the user, with where it happened kept as data.
//!
//! A [`Diagnostic`] carries its [`Level`], the message as logrotate 3.21 words it, and, when the
//! problem has a place, its [`Location`] (file, line, column). A located diagnostic is made from
//! the location and the words about the problem ([`Diagnostic::error_at`], [`Diagnostic::located`]):
//! its message is rendered from that data here, in the [`Form`] its kind of message takes (3.21
//! puts the place in different spots: `FILE:LINE unknown option` for a config, `bad line N in
//! state file FILE` for the state), and the location stays beside it so a test can assert the
//! line and the daemon can point at the rule that failed to load without parsing the text.
//!
//! # Examples
//!
//! ```
//! use logrotate::diag::{Diagnostic, Form, Level, Location};
//! let at = Location::line("/etc/logrotate.d/app", 12);
//! let d = Diagnostic::error_at(at.clone(), "unknown option 'dialy' -- ignoring line");
//! assert_eq!(d.message, "/etc/logrotate.d/app:12 unknown option 'dialy' -- ignoring line");
//! assert_eq!(d.location, Some(at));
//! assert_eq!(d.level, Level::Error);
//! assert_eq!(d.to_string(), "error: /etc/logrotate.d/app:12 unknown option 'dialy' -- ignoring line");
//!
//! let at = Location::line("/etc/logrotate.d/app.toml", 3).with_col(1);
//! let d = Diagnostic::located(Level::Error, at, Form::Colon, "unknown field `dialy`; skipping [app]");
//! assert_eq!(d.message, "/etc/logrotate.d/app.toml:3:1: unknown field `dialy`; skipping [app]");
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
    /// What messages call the file when not its path: 3.21 names the files of an included
    /// directory bare, as it reads them from inside it.
    pub name: Option<String>,
}

impl Location {
    /// A whole file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location { file: file.into(), line: None, col: None, name: None }
    }

    /// A line of a file.
    pub fn line(file: impl Into<PathBuf>, line: usize) -> Self {
        Location { line: Some(line), ..Location::file(file) }
    }

    /// The same place, at column `col`.
    #[must_use]
    pub fn with_col(self, col: usize) -> Self {
        Location { col: Some(col), ..self }
    }

    /// The same place, which messages call `name` (kept only when it is not the path itself).
    #[must_use]
    pub fn named(self, name: &str) -> Self {
        let name = (self.file.shown().to_string() != name).then(|| name.to_string());
        Location { name, ..self }
    }

    /// The file as messages name it: its [`name`](Location::name), else its path shown with
    /// [`PathShow`](crate::pathbytes::PathShow).
    fn shown_file(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.file.shown().to_string())
    }
}

/// `FILE:LINE` as 3.21 writes it before a config message (`FILE` alone without a line; the column
/// is data only, 3.21 never prints it).
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.shown_file()),
            None => f.write_str(&self.shown_file()),
        }
    }
}

/// Where a kind of message names its place, as 3.21 (and, for TOML, our reader) words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `FILE:LINE what`: the classic config's messages (`unknown option`, `bad rotation count`).
    Config,
    /// `FILE:LINE, what`: 3.21's `unexpected text after }`.
    ConfigComma,
    /// `FILE: LINE: what`: 3.21's warning that `errors` is deprecated.
    ConfigSpaced,
    /// `FILE:what`: 3.21's `prerotate, postrotate or preremove without endscript`.
    ConfigGlued,
    /// `FILE:LINE:COL: what`, with as much of the place as is known (`FILE: what` for a whole
    /// file): TOML rule files, and the loader's messages about a whole file (`include loop`).
    Colon,
    /// `what in state file FILE`: the state file's parse errors (`bad line 3`).
    StateFile,
}

impl Form {
    /// The message saying `what` about `at`.
    fn render(self, at: &Location, what: &str) -> String {
        let file = at.shown_file();
        match self {
            Form::Config => format!("{at} {what}"),
            Form::ConfigComma => format!("{at}, {what}"),
            Form::ConfigSpaced => match at.line {
                Some(line) => format!("{file}: {line}: {what}"),
                None => format!("{file}: {what}"),
            },
            Form::ConfigGlued => format!("{file}:{what}"),
            Form::Colon => match (at.line, at.col) {
                (Some(line), Some(col)) => format!("{file}:{line}:{col}: {what}"),
                (Some(line), None) => format!("{file}:{line}: {what}"),
                (None, _) => format!("{file}: {what}"),
            },
            Form::StateFile => format!("{what} in state file {file}"),
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

    /// A diagnostic about `at`, its message saying `what` with the place where `form` puts it.
    pub fn located(level: Level, at: Location, form: Form, what: &str) -> Self {
        Diagnostic::new(level, form.render(&at, what)).at(at)
    }

    /// An error about `at`, worded as 3.21 words config errors: `FILE:LINE what`.
    pub fn error_at(at: Location, what: &str) -> Self {
        Diagnostic::located(Level::Error, at, Form::Config, what)
    }

    /// A warning about `at`, worded as 3.21 words config warnings: `FILE:LINE what`.
    pub fn warning_at(at: Location, what: &str) -> Self {
        Diagnostic::located(Level::Warning, at, Form::Config, what)
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

    #[test]
    fn each_form_renders_its_place_from_the_location() {
        let at = Location::line("/etc/a.conf", 3).with_col(7);
        let say = |form| Diagnostic::located(Level::Error, at.clone(), form, "what").message;
        assert_eq!(say(Form::Config), "/etc/a.conf:3 what");
        assert_eq!(say(Form::ConfigComma), "/etc/a.conf:3, what");
        assert_eq!(say(Form::ConfigSpaced), "/etc/a.conf: 3: what");
        assert_eq!(say(Form::ConfigGlued), "/etc/a.conf:what");
        assert_eq!(say(Form::Colon), "/etc/a.conf:3:7: what");
        assert_eq!(say(Form::StateFile), "what in state file /etc/a.conf");
        let whole = Diagnostic::located(Level::Error, Location::file("/etc/a.toml"), Form::Colon, "what");
        assert_eq!(whole.message, "/etc/a.toml: what");
        // A name other than the path is what messages say; the path stays as data.
        let named = Location::line("/etc/logrotate.d/app", 2).named("app");
        assert_eq!(Diagnostic::error_at(named.clone(), "what").message, "app:2 what");
        assert_eq!(named.file, PathBuf::from("/etc/logrotate.d/app"));
        assert_eq!(Location::file("/etc/a.conf").named("/etc/a.conf").name, None);
    }

    /// The diagnostic whose message contains `needle`, with its level and location.
    fn find<'d>(diagnostics: &'d [Diagnostic], needle: &str) -> &'d Diagnostic {
        let found = diagnostics.iter().find(|d| d.message.contains(needle));
        found.unwrap_or_else(|| panic!("no {needle:?} in {diagnostics:#?}"))
    }

    #[test]
    fn config_toml_and_state_diagnostics_carry_their_location() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("conf.d");
        std::fs::create_dir(&dir).unwrap();
        let app = dir.join("app");
        let text =
            "errors\nbogus\n/tmp/none/a.log {\n  missingok\n} junk\n/tmp/none/b.log {\n  rotate many\n}\n";
        std::fs::write(&app, text).unwrap();
        let toml = d.path().join("app.toml");
        std::fs::write(&toml, "[app]\npaths = [\"/tmp/none/c.log\"]\n  dialy = true\n").unwrap();
        let opts = crate::config::LoadOptions { check_ownership: false, ..Default::default() };
        let loaded = crate::config::load(&[dir.clone(), toml.clone()], &opts);
        let got = &loaded.diagnostics;
        // A file of an included directory is named bare in messages, by its path in the data.
        let line = |n| Some(Location::line(&app, n).named("app"));
        let spaced = find(got, "the errors directive is deprecated");
        assert_eq!((spaced.level, &spaced.location), (Level::Warning, &line(1)));
        assert_eq!(spaced.message, "app: 1: the errors directive is deprecated and no longer used.");
        let unknown = find(got, "unknown option 'bogus'");
        assert_eq!((unknown.level, &unknown.location), (Level::Warning, &line(2)));
        assert_eq!(unknown.message, "app:2 unknown option 'bogus' -- ignoring line");
        let after = find(got, "unexpected text after }");
        assert_eq!((after.level, &after.location), (Level::ErrorKept, &line(5)));
        assert_eq!(after.message, "app:5, unexpected text after }");
        let count = find(got, "bad rotation count");
        assert_eq!((count.level, &count.location), (Level::Error, &line(7)));
        assert!(count.message.starts_with("app:7 bad rotation count"), "{count:?}");
        // Messages that name their place themselves carry it too.
        assert_eq!(find(got, "found error in /tmp/none/b.log").location, line(7));
        let file = find(got, "found error in file app, skipping");
        assert_eq!(file.location, Some(Location::file(&app).named("app")));
        // TOML: the column from toml's span, counted in characters from 1.
        let field = find(got, "unknown field `dialy`");
        assert_eq!(field.location, Some(Location::line(&toml, 3).with_col(3)));
        assert!(field.message.starts_with(&format!("{}:3:3: unknown field", toml.display())), "{field:?}");

        let text = "logrotate state -- version 2\n\"/x\" 2026-1-1\n\"/y\" 2026-13-1\n";
        let (_, got) = crate::state::State::parse(text, std::path::Path::new("/st"));
        assert_eq!(got[0].location, Some(Location::line("/st", 3)));
        assert_eq!(got[0].message, "bad month 13 for file /y in state file /st");
    }
}
