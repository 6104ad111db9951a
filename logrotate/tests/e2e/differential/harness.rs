//! Scenario builder and runner for the differential tests.
//!
//! A [`Scenario`] is a config, a starting tree, a starting state and a list of steps (runs,
//! time travel, appends). [`Scenario::check`] builds two identical trees, runs Debian's
//! logrotate on one and ours on the other, and after every run compares exit codes, the trees
//! (names, types, modes, contents with gzip decompressed) and the normalised state files.

use std::path::Path;

use super::clock;
use super::report;
use super::tree::{normalize_state, RunOutput, Tree};

/// Debian's logrotate 3.21, the oracle.
pub const ORACLE: &str = "/usr/sbin/logrotate";

/// A time relative to the start of the scenario.
#[derive(Debug, Clone, Copy)]
pub enum Age {
    /// `n` × 24 hours ago.
    DaysAgo(i64),
    /// `n` hours ago.
    HoursAgo(i64),
    /// The start (`:00:00`) of the current hour.
    ThisHour,
}

impl Age {
    fn epoch(self, now: i64) -> i64 {
        match self {
            Age::DaysAgo(n) => now - n * 86_400,
            Age::HoursAgo(n) => now - n * 3_600,
            Age::ThisHour => clock::hour_start(now),
        }
    }
}

/// What the oracle is expected to do to the tree (state file excluded) in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Something changes: a rotation, a script output, a mail...
    Change,
    /// Nothing changes.
    NoChange,
}

enum Setup {
    File { rel: String, contents: Vec<u8>, mode: u32 },
    Gz { rel: String, contents: Vec<u8> },
    Dir { rel: String, mode: u32 },
    Symlink { rel: String, target: String },
    Hardlink { rel: String, target: String },
    Fifo { rel: String },
    Mtime { rel: String, age: Age },
}

enum StateLine {
    Entry { rel: String, age: Age },
    Raw(String),
}

enum Step {
    Run { flags: Vec<String>, expect: Expect },
    Travel(i64),
    Append { rel: String, text: String },
}

/// A differential scenario. Paths given to the builder are relative to the log dir (`@D@`)
/// unless the method name says `root` (relative to the tree root `@R@`).
#[must_use]
pub struct Scenario {
    config: String,
    setup: Vec<Setup>,
    state: Vec<StateLine>,
    state_header: String,
    steps: Vec<Step>,
}

fn log_rel(rel: &str) -> String {
    format!("logs/{rel}")
}

impl Scenario {
    /// A scenario with the given config text. Placeholders: `@D@` the log dir, `@R@` the tree
    /// root, `@S:label@` a script line appending `label $1 $2` to `@R@/scripts.out`.
    pub fn new(config: &str) -> Scenario {
        Scenario {
            config: config.to_string(),
            setup: Vec::new(),
            state: Vec::new(),
            state_header: "logrotate state -- version 2".to_string(),
            steps: Vec::new(),
        }
    }

    /// A log-dir file with mode 0644.
    pub fn file(self, rel: &str, contents: &str) -> Scenario {
        self.file_mode(rel, contents, 0o644)
    }

    /// A log-dir file with the given mode.
    pub fn file_mode(mut self, rel: &str, contents: &str, mode: u32) -> Scenario {
        let rel = log_rel(rel);
        self.setup.push(Setup::File { rel, contents: contents.as_bytes().to_vec(), mode });
        self
    }

    /// A log-dir file whose mtime is `days` days ago.
    pub fn file_aged(self, rel: &str, contents: &str, days: i64) -> Scenario {
        self.file(rel, contents).mtime(rel, Age::DaysAgo(days))
    }

    /// A log-dir file of `len` bytes of text.
    pub fn file_sized(self, rel: &str, len: usize) -> Scenario {
        let line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijk\n";
        let text: String = line.chars().cycle().take(len).collect();
        self.file(rel, &text)
    }

    /// A gzip-compressed log-dir file (written with flate2).
    pub fn gz(mut self, rel: &str, contents: &str) -> Scenario {
        self.setup.push(Setup::Gz { rel: log_rel(rel), contents: contents.as_bytes().to_vec() });
        self
    }

    /// A gzip-compressed log-dir file whose mtime is `days` days ago.
    pub fn gz_aged(self, rel: &str, contents: &str, days: i64) -> Scenario {
        self.gz(rel, contents).mtime(rel, Age::DaysAgo(days))
    }

    /// Set the mtime of an already created log-dir entry.
    pub fn mtime(mut self, rel: &str, age: Age) -> Scenario {
        self.setup.push(Setup::Mtime { rel: log_rel(rel), age });
        self
    }

    /// A log-dir subdirectory (mode 0755).
    pub fn dir(mut self, rel: &str) -> Scenario {
        self.setup.push(Setup::Dir { rel: log_rel(rel), mode: 0o755 });
        self
    }

    /// A symlink in the log dir; the target may use placeholders.
    pub fn symlink(mut self, rel: &str, target: &str) -> Scenario {
        self.setup.push(Setup::Symlink { rel: log_rel(rel), target: target.to_string() });
        self
    }

    /// A hard link in the log dir to another log-dir file.
    pub fn hardlink(mut self, rel: &str, target: &str) -> Scenario {
        self.setup.push(Setup::Hardlink { rel: log_rel(rel), target: log_rel(target) });
        self
    }

    /// A FIFO in the log dir.
    pub fn fifo(mut self, rel: &str) -> Scenario {
        self.setup.push(Setup::Fifo { rel: log_rel(rel) });
        self
    }

    /// A file relative to the tree root (placeholders expanded), e.g. an included config.
    pub fn root_file(mut self, rel: &str, contents: &str) -> Scenario {
        let rel = rel.to_string();
        self.setup.push(Setup::File { rel, contents: contents.as_bytes().to_vec(), mode: 0o644 });
        self
    }

    /// A starting state entry for a log-dir path.
    pub fn state(mut self, rel: &str, age: Age) -> Scenario {
        self.state.push(StateLine::Entry { rel: rel.to_string(), age });
        self
    }

    /// Replace the first line of the starting state file.
    pub fn state_header(mut self, header: &str) -> Scenario {
        self.state_header = header.to_string();
        self
    }

    /// A raw starting state line (placeholders expanded), e.g. a corrupt one.
    pub fn state_raw(mut self, line: &str) -> Scenario {
        self.state.push(StateLine::Raw(line.to_string()));
        self
    }

    /// A run that must change the oracle's tree.
    pub fn run(self, flags: &[&str]) -> Scenario {
        self.run_expect(flags, Expect::Change)
    }

    /// A run that must leave the oracle's tree (state file aside) as it was.
    pub fn run_unchanged(self, flags: &[&str]) -> Scenario {
        self.run_expect(flags, Expect::NoChange)
    }

    fn run_expect(mut self, flags: &[&str], expect: Expect) -> Scenario {
        let flags = flags.iter().map(|f| f.to_string()).collect();
        self.steps.push(Step::Run { flags, expect });
        self
    }

    /// Move time forward by `days` days (state times and mtimes go back), in both trees.
    pub fn travel(mut self, days: i64) -> Scenario {
        self.steps.push(Step::Travel(days));
        self
    }

    /// Append text to a log-dir file, in both trees.
    pub fn append(mut self, rel: &str, text: &str) -> Scenario {
        self.steps.push(Step::Append { rel: log_rel(rel), text: text.to_string() });
        self
    }

    fn build(&self, now: i64) -> Tree {
        let tree = Tree::new();
        tree.write_config(&self.config);
        for item in &self.setup {
            match item {
                Setup::File { rel, contents, mode } => {
                    let text = tree.expand(&String::from_utf8_lossy(contents));
                    tree.write_root(rel, text.as_bytes(), *mode);
                }
                Setup::Gz { rel, contents } => {
                    tree.write_root_gz(rel, contents);
                }
                Setup::Dir { rel, mode } => tree.mkdir_root(rel, *mode),
                Setup::Symlink { rel, target } => tree.symlink_root(rel, target),
                Setup::Hardlink { rel, target } => tree.hardlink_root(rel, target),
                Setup::Fifo { rel } => tree.fifo_root(rel),
                Setup::Mtime { rel, age } => tree.set_mtime_root(rel, age.epoch(now)),
            }
        }
        if !self.state.is_empty() {
            let mut text = format!("{}\n", self.state_header);
            for line in &self.state {
                match line {
                    StateLine::Entry { rel, age } => {
                        let path = tree.logs().join(rel);
                        let when = clock::format_state_time(age.epoch(now));
                        text.push_str(&format!("\"{}\" {when}\n", path.display()));
                    }
                    StateLine::Raw(raw) => {
                        text.push_str(&tree.expand(raw));
                        text.push('\n');
                    }
                }
            }
            tree.write_state(&text);
        }
        tree
    }

    /// Run the scenario against the oracle and ours; panic with a readable diff on mismatch.
    pub fn check(self, name: &str) {
        if !Path::new(ORACLE).exists() {
            eprintln!("skipping: {ORACLE} not installed");
            return;
        }
        let ours = crate::common::logrotate_from_env("DIFF_OURS");
        let now = clock::now();
        let oracle_tree = self.build(now);
        let ours_tree = self.build(now);
        let verbose = std::env::var_os("DIFF_SHOW").is_some();
        let mut run_no = 0;
        for step in &self.steps {
            match step {
                Step::Travel(days) => {
                    oracle_tree.travel(*days);
                    ours_tree.travel(*days);
                }
                Step::Append { rel, text } => {
                    oracle_tree.append_root(rel, text.as_bytes());
                    ours_tree.append_root(rel, text.as_bytes());
                }
                Step::Run { flags, expect } => {
                    run_no += 1;
                    let title = format!("scenario {name}, run {run_no} (flags {flags:?})");
                    let oracle = Side::run(&oracle_tree, Path::new(ORACLE), flags);
                    let ours = Side::run(&ours_tree, &ours, flags);
                    if verbose {
                        eprintln!("=== {title}\n{}", report::render_side("oracle", &oracle));
                    }
                    let changed = oracle.before != oracle.after;
                    match expect {
                        Expect::Change if !changed => panic!(
                            "{title}: the oracle changed nothing, so the scenario tests nothing\n{}",
                            report::render_side("oracle", &oracle)
                        ),
                        Expect::NoChange if changed => panic!(
                            "{title}: the oracle changed the tree but the scenario says it must not\n{}",
                            report::render_side("oracle", &oracle)
                        ),
                        _ => {}
                    }
                    if let Some(diff) = report::compare(&oracle, &ours) {
                        panic!("{title}: ours differs from the oracle\n{diff}");
                    }
                }
            }
        }
        assert!(run_no > 0, "scenario {name} has no run");
    }
}

/// One tool's view of one run: what the tree looked like before and after, and the state.
pub struct Side {
    /// Exit code, output and timing.
    pub run: RunOutput,
    /// Tree before the run.
    pub before: super::tree::Snapshot,
    /// Tree after the run.
    pub after: super::tree::Snapshot,
    /// Normalised state file after the run.
    pub state: Vec<String>,
}

impl Side {
    fn run(tree: &Tree, bin: &Path, flags: &[String]) -> Side {
        let before = tree.snapshot();
        let state_before = tree.state_text();
        let run = tree.run(bin, flags);
        let after = tree.snapshot();
        let state = normalize_state(
            tree.state_text().as_deref(),
            state_before.as_deref(),
            &tree.root.to_string_lossy(),
            run.started,
            run.finished,
        );
        Side { run, before, after, state }
    }
}
