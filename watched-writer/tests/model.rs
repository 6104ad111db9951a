//! Model-based tests: random sequences of writes and rotations (rename away, delete, truncate,
//! replace, remove and recreate the directory) are applied to real files and to an in-memory
//! model, and the files must end up holding exactly what the model says: every record that a
//! surviving file should hold is there once, in order, and nothing else.
//!
//! Records written to a file that was later deleted, or before a truncation, are legitimately
//! gone (a rotator that deletes loses them with any writer; `copytruncate` copied them before
//! truncating); the model tracks them as such.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use watched_writer::{ReopenPolicy, WatchedFile};

const LOG: &str = "app.log";

#[derive(Debug, Clone)]
enum Action {
    /// Write this many records.
    Write(u8),
    /// Rename the log to the next archive name; with `create`, create an empty log in its
    /// place, as logrotate's `create` does.
    RenameAway {
        create: bool,
    },
    Delete,
    /// Truncate in place, as `copytruncate` does.
    Truncate,
    /// Remove the directory with everything in it, and make it again (empty).
    RecreateDir,
    /// Rename another file (holding a foreign line) over the log.
    Replace,
    /// `WatchedFile::check_now`.
    CheckNow,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (1u8..4).prop_map(Action::Write),
        2 => any::<bool>().prop_map(|create| Action::RenameAway { create }),
        1 => Just(Action::Delete),
        1 => Just(Action::Truncate),
        1 => Just(Action::RecreateDir),
        1 => Just(Action::Replace),
        2 => Just(Action::CheckNow),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Record(u64),
    Foreign(u64),
}

impl Line {
    fn text(&self) -> String {
        match self {
            Line::Record(n) => format!("{n:012} record"),
            Line::Foreign(n) => format!("foreign {n}"),
        }
    }
}

/// What the files should hold. Files are numbered; `names` maps the names in the directory
/// to them. A file no name maps to was deleted: its lines are gone.
#[derive(Debug, Default)]
struct Model {
    contents: Vec<Vec<Line>>,
    names: BTreeMap<String, usize>,
    /// The file the writer has open.
    writer: usize,
    next_record: u64,
    next_archive: u32,
    next_foreign: u64,
    reopens: u64,
}

impl Model {
    fn new() -> Model {
        let mut m = Model::default();
        m.writer = m.new_file(LOG);
        m
    }

    fn new_file(&mut self, name: &str) -> usize {
        self.contents.push(Vec::new());
        let id = self.contents.len() - 1;
        self.names.insert(name.to_string(), id);
        id
    }

    /// What a check by the writer does: follow the path, creating the file if it is missing.
    fn check(&mut self) {
        let at_path = match self.names.get(LOG) {
            Some(&id) => id,
            None => self.new_file(LOG),
        };
        if at_path != self.writer {
            self.writer = at_path;
            self.reopens += 1;
        }
    }
}

/// Applies `action` to the model and to the directory `dir` (through `log`). With `check_on_write`
/// (the `EveryWrite` policy) the model checks before each record.
fn apply(action: &Action, model: &mut Model, dir: &Path, log: &WatchedFile, check_on_write: bool) {
    let path = dir.join(LOG);
    match action {
        Action::Write(n) => {
            for _ in 0..*n {
                if check_on_write {
                    model.check();
                }
                let line = Line::Record(model.next_record);
                model.next_record += 1;
                (&*log).write_all(format!("{}\n", line.text()).as_bytes()).unwrap();
                model.contents[model.writer].push(line);
            }
        }
        Action::RenameAway { create } => {
            if let Some(id) = model.names.remove(LOG) {
                let archive = format!("{LOG}.{}", model.next_archive);
                model.next_archive += 1;
                fs::rename(&path, dir.join(&archive)).unwrap();
                model.names.insert(archive, id);
                if *create {
                    // Not O_EXCL: a background reopen may have created it already.
                    OpenOptions::new().write(true).create(true).truncate(false).open(&path).unwrap();
                    model.new_file(LOG);
                }
            }
        }
        Action::Delete => {
            if model.names.remove(LOG).is_some() {
                fs::remove_file(&path).unwrap();
            }
        }
        Action::Truncate => {
            if let Some(&id) = model.names.get(LOG) {
                OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
                model.contents[id].clear();
            }
        }
        Action::RecreateDir => {
            // Move it away first, so that nothing a background reopen creates can make the
            // removal fail.
            let trash = dir.with_extension("trash");
            fs::rename(dir, &trash).unwrap();
            fs::remove_dir_all(&trash).unwrap();
            fs::create_dir(dir).unwrap();
            model.names.clear();
        }
        Action::Replace => {
            let line = Line::Foreign(model.next_foreign);
            model.next_foreign += 1;
            let tmp = dir.join("replacement.tmp");
            fs::write(&tmp, format!("{}\n", line.text())).unwrap();
            fs::rename(&tmp, &path).unwrap();
            model.names.remove(LOG);
            let id = model.new_file(LOG);
            model.contents[id].push(line);
        }
        Action::CheckNow => {
            log.check_now().unwrap();
            model.check();
        }
    }
}

/// Asserts that the directory holds exactly the files of the model, with exactly their lines,
/// and that no record appears twice.
fn assert_matches(model: &Model, dir: &Path) {
    let mut on_disk: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    on_disk.sort();
    let expected: Vec<&String> = model.names.keys().collect();
    assert_eq!(on_disk.iter().collect::<Vec<_>>(), expected, "files in {}", dir.display());
    let mut seen = BTreeMap::new();
    for (name, &id) in &model.names {
        let text = fs::read_to_string(dir.join(name)).unwrap();
        let want: String = model.contents[id].iter().map(|l| format!("{}\n", l.text())).collect();
        assert_eq!(text, want, "contents of {name}");
        for line in text.lines() {
            *seen.entry(line.to_string()).or_insert(0) += 1;
        }
    }
    assert!(seen.values().all(|&n| n == 1), "a line appears twice: {seen:?}");
}

fn fresh_dir() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    (root, dir)
}

/// Waits (boundedly) until the writer has made `expected` reopens.
fn wait_for_reopens(log: &WatchedFile, expected: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let reopens = log.stats().reopens;
        assert!(reopens <= expected, "more reopens than expected: {reopens} > {expected}");
        if reopens == expected {
            return;
        }
        assert!(Instant::now() < deadline, "no reopen within 20 s ({reopens} of {expected})");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// When the writer checks the path, in a run of the model.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checks {
    /// Only at `check_now`.
    Explicit,
    /// Before every record (`ReopenPolicy::EveryWrite`).
    EveryWrite,
    /// In the background, after each action (`ReopenPolicy::Notify`); the test waits for it.
    Background,
}

/// Runs `actions` on a fresh directory and on the model, and compares them.
fn run(actions: &[Action], checks: Checks) {
    let (_root, dir) = fresh_dir();
    let policy = match checks {
        Checks::Explicit => ReopenPolicy::Interval(Duration::from_secs(3600)),
        Checks::EveryWrite => ReopenPolicy::EveryWrite,
        Checks::Background => ReopenPolicy::Notify,
    };
    // An hour-long safety net: with `Notify`, inotify alone must find every change.
    let log = WatchedFile::builder()
        .policy(policy)
        .safety_net(Duration::from_secs(3600))
        .create_grace(Duration::ZERO)
        .open(dir.join(LOG))
        .unwrap();
    let mut model = Model::new();
    for a in actions {
        apply(a, &mut model, &dir, &log, checks == Checks::EveryWrite);
        if checks == Checks::Background {
            model.check();
            wait_for_reopens(&log, model.reopens);
        }
    }
    assert_matches(&model, &dir);
    assert_eq!(log.stats().reopens, model.reopens);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// No background checks: the writer reopens only at `check_now`, so the model is exact
    /// whatever happens in between (records go to renamed and deleted files until then).
    #[test]
    fn reopens_at_check_now_lose_nothing(actions in prop::collection::vec(action(), 1..40)) {
        run(&actions, Checks::Explicit);
    }

    /// Python's semantics: a check before every record.
    #[test]
    fn every_write_follows_the_path(actions in prop::collection::vec(action(), 1..40)) {
        run(&actions, Checks::EveryWrite);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The default policy: the background thread notices each change through inotify. After
    /// each action the test waits, boundedly, for the reopen the model expects, then goes on.
    #[test]
    fn notify_notices_every_change(actions in prop::collection::vec(action(), 1..25)) {
        run(&actions, Checks::Background);
    }
}
