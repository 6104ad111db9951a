//! The data a generated scenario is made of: config files (global lines and stanzas), the files
//! on disk, the starting state and the runs. Every part is a list, so the shrinker can drop
//! elements one at a time; [`Case::render`] prints a case as a self-contained repro.

use std::fmt::Write as _;

/// One item of a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A line outside any stanza (a global option, `include`, a comment, garbage).
    Line(String),
    /// `HEAD {` + body lines + `}`; a body element may hold several lines (a script block).
    Stanza {
        /// The log patterns, e.g. `@D@/app.log "@D@/b.log"`.
        head: String,
        /// Put `{` on its own line.
        brace_on_next_line: bool,
        /// Directive lines.
        body: Vec<String>,
    },
}

/// A config file, relative to the tree root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfFile {
    /// Path relative to the root (`logrotate.conf` is the main one).
    pub rel: String,
    /// What it holds.
    pub items: Vec<Item>,
}

impl ConfFile {
    /// The text of the file (placeholders not yet expanded).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for item in &self.items {
            match item {
                Item::Line(line) => {
                    out.push_str(line);
                    out.push('\n');
                }
                Item::Stanza { head, brace_on_next_line, body } => {
                    if *brace_on_next_line {
                        let _ = writeln!(out, "{head}\n{{");
                    } else {
                        let _ = writeln!(out, "{head} {{");
                    }
                    for line in body {
                        let _ = writeln!(out, "    {line}");
                    }
                    out.push_str("}\n");
                }
            }
        }
        out
    }
}

/// Something on disk before the first run (paths relative to the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// A plain file, `days` old when given.
    File { rel: String, contents: String, mode: u32, days: Option<i64> },
    /// A gzip file, `days` old when given.
    Gz { rel: String, contents: String, days: Option<i64> },
    /// A directory.
    Dir { rel: String },
}

impl Setup {
    /// True for the helper scripts (fake compressor, second mailer): their text must stay.
    pub fn is_script(&self) -> bool {
        matches!(self, Setup::File { mode, .. } if mode & 0o111 != 0)
    }
}

/// The starting state file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The first line.
    pub header: String,
    /// Entries: path (placeholders allowed), age in hours, and whether to write the old
    /// date-only format.
    pub entries: Vec<(String, i64, bool)>,
}

/// One run of both tools, after moving the clock and appending to logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Days the clock moves forward before the run (state times and mtimes go back).
    pub travel_days: i64,
    /// Text appended to root-relative files before the run.
    pub appends: Vec<(String, String)>,
    /// The whole command line after the program name (placeholders allowed).
    pub args: Vec<String>,
}

impl Run {
    /// True when the command line keeps the run inside its tree: a state file and a mail
    /// command under `@R@` (never the system's `/var/lib/logrotate/status` or `/usr/bin/mail`)
    /// and the main config. The shrinker keeps only such command lines.
    pub fn is_contained(&self) -> bool {
        let has = |short: &str, long: &str| {
            let eq = format!("{long}=@R@/");
            self.args.iter().enumerate().any(|(i, a)| {
                a.starts_with(&eq)
                    || ((a == short || a == long)
                        && self.args.get(i + 1).is_some_and(|v| v.starts_with("@R@/")))
            })
        };
        has("-s", "--state") && has("-m", "--mail") && self.args.iter().any(|a| a == "@R@/logrotate.conf")
    }
}

/// A generated scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The seed it was generated from (kept through shrinking, for the report).
    pub seed: u64,
    /// Config files; the first is the main one.
    pub confs: Vec<ConfFile>,
    /// Files and directories.
    pub setup: Vec<Setup>,
    /// The starting state file, if any.
    pub state: Option<State>,
    /// The runs, in order.
    pub runs: Vec<Run>,
}

impl Case {
    /// True when the case's dated names depend on the minute or second of the run.
    pub fn is_second_sensitive(&self) -> bool {
        self.confs.iter().any(|c| {
            let text = c.text();
            text.contains("%s") || text.contains("%S") || text.contains("%M")
        })
    }

    /// All config text, for feature tests.
    pub fn all_conf_text(&self) -> String {
        self.confs.iter().map(ConfFile::text).collect::<Vec<_>>().join("\n")
    }

    /// A self-contained description: config files, setup, state, runs.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "  (@R@ = tree root, @D@ = @R@/logs; case seed {:#x})", self.seed);
        for conf in &self.confs {
            let _ = writeln!(out, "  == @R@/{}", conf.rel);
            for line in conf.text().lines() {
                let _ = writeln!(out, "  | {line}");
            }
        }
        if !self.setup.is_empty() {
            let _ = writeln!(out, "  == files");
        }
        for item in &self.setup {
            match item {
                Setup::File { rel, contents, mode, days } => {
                    let _ = writeln!(
                        out,
                        "  @R@/{rel}  mode {mode:04o}{}  {:?}",
                        days.map(|d| format!(", {d} days old")).unwrap_or_default(),
                        contents
                    );
                }
                Setup::Gz { rel, contents, days } => {
                    let _ = writeln!(
                        out,
                        "  @R@/{rel}  gzip{}  {:?}",
                        days.map(|d| format!(", {d} days old")).unwrap_or_default(),
                        contents
                    );
                }
                Setup::Dir { rel } => {
                    let _ = writeln!(out, "  @R@/{rel}/");
                }
            }
        }
        match &self.state {
            None => {
                let _ = writeln!(out, "  == no state file");
            }
            Some(state) => {
                let _ = writeln!(out, "  == @R@/state: {:?}", state.header);
                for (path, hours, old) in &state.entries {
                    let style = if *old { " (date-only format)" } else { "" };
                    let _ = writeln!(out, "  \"{path}\" {hours} hours ago{style}");
                }
            }
        }
        for (i, run) in self.runs.iter().enumerate() {
            let _ = write!(out, "  == run {}:", i + 1);
            if run.travel_days != 0 {
                let _ = write!(out, " (clock +{} days)", run.travel_days);
            }
            for (rel, text) in &run.appends {
                let _ = write!(out, " (append {text:?} to {rel})");
            }
            let _ = writeln!(out, " logrotate {}", run.args.join(" "));
        }
        out
    }
}
