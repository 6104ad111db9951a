//! Runs a generated [`Case`] with Debian's logrotate and ours on two identical trees and compares
//! every run: exit code, stdout and stderr (normalised), the trees (names, types, modes,
//! contents with gzip decompressed; script, mail and compressor records are files in the tree)
//! and the state files.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::differential::clock;
use crate::differential::tree::{Node, Snapshot, Tree};

use super::model::{Case, Setup};
use super::normalize;

/// State files a generated command line may name (root-relative); each is compared on its own.
pub const STATE_FILES: &[&str] = &["state", "state2"];
/// A run taking longer than this is killed (a hang is a finding too).
const RUN_TIMEOUT: Duration = Duration::from_secs(20);

/// What one tool did in one run.
#[derive(Debug, Clone)]
pub struct SideRun {
    /// Exit code (`None`: killed by a signal or the timeout).
    pub code: Option<i32>,
    /// Normalised stdout lines.
    pub stdout: Vec<String>,
    /// Normalised stderr lines.
    pub stderr: Vec<String>,
    /// The tree after the run, state files excluded.
    pub after: Snapshot,
    /// Normalised state files after the run, by root-relative name.
    pub states: BTreeMap<String, Vec<String>>,
}

/// The first run in which the two tools differ, and how.
#[derive(Debug, Clone)]
pub struct Diff {
    /// Index of the run (0-based).
    pub run: usize,
    /// Tree before that run (the oracle's; identical on both sides up to then).
    pub before: Snapshot,
    /// The oracle's side.
    pub oracle: SideRun,
    /// Our side.
    pub ours: SideRun,
}

impl Diff {
    /// True when the exit codes differ.
    pub fn exit_differs(&self) -> bool {
        self.oracle.code != self.ours.code
    }

    /// Tree paths that differ: `(path, oracle node, our node)`.
    pub fn tree_diffs(&self) -> Vec<(String, Option<Node>, Option<Node>)> {
        let keys: std::collections::BTreeSet<&String> =
            self.oracle.after.keys().chain(self.ours.after.keys()).collect();
        keys.into_iter()
            .filter_map(|k| {
                let (o, u) = (self.oracle.after.get(k), self.ours.after.get(k));
                (o != u).then(|| (k.clone(), o.cloned(), u.cloned()))
            })
            .collect()
    }

    /// True when some state file differs.
    pub fn state_differs(&self) -> bool {
        self.oracle.states != self.ours.states
    }

    /// Lines printed only by the oracle and only by us (stdout and stderr, as multisets).
    pub fn output_diff(&self) -> (Vec<String>, Vec<String>) {
        let mut only_oracle = Vec::new();
        let mut only_ours = Vec::new();
        for (o, u) in [(&self.oracle.stdout, &self.ours.stdout), (&self.oracle.stderr, &self.ours.stderr)] {
            let (a, b) = multiset_diff(o, u);
            only_oracle.extend(a);
            only_ours.extend(b);
        }
        (only_oracle, only_ours)
    }

    /// True when stdout or stderr differ (also in order only).
    pub fn output_differs(&self) -> bool {
        self.oracle.stdout != self.ours.stdout || self.oracle.stderr != self.ours.stderr
    }
}

fn multiset_diff(a: &[String], b: &[String]) -> (Vec<String>, Vec<String>) {
    let mut rest: Vec<Option<&String>> = b.iter().map(Some).collect();
    let mut only_a = Vec::new();
    for line in a {
        match rest.iter().position(|r| *r == Some(line)) {
            Some(i) => rest[i] = None,
            None => only_a.push(line.clone()),
        }
    }
    (only_a, rest.into_iter().flatten().cloned().collect())
}

/// How a case ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every run agreed.
    Same,
    /// A run differed.
    Differs(Box<Diff>),
    /// The clock crossed an hour (or, for dated names with seconds, a second) between the two
    /// sides of a run, so the comparison would be meaningless.
    Skipped,
}

fn now_f64() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs_f64()
}

fn build(case: &Case, now: i64) -> Tree {
    let tree = Tree::new();
    for conf in &case.confs {
        tree.write_root(&conf.rel, tree.expand(&conf.text()).as_bytes(), 0o644);
    }
    for item in &case.setup {
        if let Setup::Dir { rel } = item {
            if !tree.root.join(rel).exists() {
                tree.mkdir_root(rel, 0o755);
            }
        }
    }
    for item in &case.setup {
        match item {
            Setup::File { rel, contents, mode, days } => {
                tree.write_root(rel, tree.expand(contents).as_bytes(), *mode);
                if let Some(days) = days {
                    tree.set_mtime_root(rel, now - days * 86_400);
                }
            }
            Setup::Gz { rel, contents, days } => {
                tree.write_root_gz(rel, contents.as_bytes());
                if let Some(days) = days {
                    tree.set_mtime_root(rel, now - days * 86_400);
                }
            }
            Setup::Dir { .. } => {}
        }
    }
    if let Some(state) = &case.state {
        let mut text = format!("{}\n", state.header);
        for (path, hours, date_only) in &state.entries {
            let mut when = clock::format_state_time(now - hours * 3_600);
            if *date_only {
                when = when.rsplit_once('-').map_or(when.clone(), |(date, _)| date.to_string());
            }
            text.push_str(&format!("\"{}\" {when}\n", tree.expand(path)));
        }
        tree.write_state(&text);
    }
    tree
}

fn run_tool(tree: &Tree, bin: &Path, args: &[String]) -> (SideRun, i64, i64) {
    let out_dir = tree.root.parent().expect("tree root has a parent").join("out");
    let (out_path, err_path) = (out_dir.join("stdout"), out_dir.join("stderr"));
    let out = fs::File::create(&out_path).expect("create stdout file");
    let err = fs::File::create(&err_path).expect("create stderr file");
    let args: Vec<String> = args.iter().map(|a| tree.expand(a)).collect();
    let started = clock::now();
    let mut child = Command::new(bin)
        .args(&args)
        .current_dir(&tree.root)
        .env("LC_ALL", "C")
        .env("HOME", tree.logs())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
    let status = crate::differential::tree::wait_or_kill(&mut child, RUN_TIMEOUT, Duration::from_millis(2));
    let finished = clock::now();
    let root = tree.root.to_str().expect("utf-8 temp path").to_string();
    let read = |p: &Path| {
        let text = String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).replace(&root, "@R@");
        normalize::output_lines(&text)
    };
    let mut stderr = read(&err_path);
    if status.is_none() {
        stderr.push("<<killed after timeout>>".into());
    }
    let mut after = tree.snapshot();
    for name in STATE_FILES {
        after.remove(*name);
    }
    // Our sidecar `STATE.lock` is deliberate (README "Compatibility"); a shrunk command line
    // may name any root file as the state file.
    after.retain(|path, _| !path.ends_with(".lock") || path.contains('/'));
    if let Some(node) = after.get_mut("run.log") {
        let text = String::from_utf8_lossy(&node.content).into_owned();
        node.content = normalize::output_lines(&text).join("\n").into_bytes();
    }
    let side = SideRun {
        code: status.and_then(|s| s.code()),
        stdout: read(&out_path),
        stderr,
        after,
        states: BTreeMap::new(),
    };
    (side, started, finished)
}

fn read_states(
    tree: &Tree,
    before: &BTreeMap<String, Option<String>>,
    started: i64,
    finished: i64,
) -> BTreeMap<String, Vec<String>> {
    let root = tree.root.to_str().expect("utf-8").to_string();
    STATE_FILES
        .iter()
        .map(|name| {
            let after = fs::read(tree.root.join(name)).ok().map(|b| String::from_utf8_lossy(&b).into_owned());
            let prev = before.get(*name).cloned().flatten();
            let lines = crate::differential::tree::normalize_state(
                after.as_deref(),
                prev.as_deref(),
                &root,
                started,
                finished,
            );
            (name.to_string(), lines)
        })
        .collect()
}

fn state_texts(tree: &Tree) -> BTreeMap<String, Option<String>> {
    STATE_FILES
        .iter()
        .map(|name| {
            let text = fs::read(tree.root.join(name)).ok().map(|b| String::from_utf8_lossy(&b).into_owned());
            (name.to_string(), text)
        })
        .collect()
}

fn align_to_second() {
    let now = now_f64();
    let frac = now - now.floor();
    if frac > 0.02 {
        std::thread::sleep(Duration::from_secs_f64(1.0 - frac + 0.005));
    }
}

/// Run `case` with `oracle` and `ours`; stop at the first run that differs.
pub fn run_case(case: &Case, oracle: &Path, ours: &Path) -> Outcome {
    assert!(
        case.runs.iter().all(|r| r.is_contained()),
        "refusing to run a case whose command line leaves its temp tree:\n{}",
        case.render()
    );
    let now = clock::now();
    let trees = [build(case, now), build(case, now)];
    let second_sensitive = case.is_second_sensitive();
    for (index, run) in case.runs.iter().enumerate() {
        for tree in &trees {
            if run.travel_days != 0 {
                tree.travel(run.travel_days);
            }
            for (rel, text) in &run.appends {
                tree.append_root(rel, text.as_bytes());
            }
        }
        let before = trees[0].snapshot();
        if second_sensitive {
            align_to_second();
        }
        let t0 = now_f64();
        let mut sides = Vec::new();
        for (tree, bin) in trees.iter().zip([oracle, ours]) {
            let states_before = state_texts(tree);
            let (mut side, started, finished) = run_tool(tree, bin, &run.args);
            side.states = read_states(tree, &states_before, started, finished);
            sides.push(side);
        }
        let t1 = now_f64();
        let same_hour = clock::hour_start(t0 as i64) == clock::hour_start(t1 as i64);
        if !same_hour || (second_sensitive && t0.floor() != t1.floor()) {
            return Outcome::Skipped;
        }
        let ours_side = sides.pop().expect("two sides");
        let oracle_side = sides.pop().expect("two sides");
        let diff = Diff { run: index, before, oracle: oracle_side, ours: ours_side };
        if diff.exit_differs()
            || diff.output_differs()
            || diff.state_differs()
            || !diff.tree_diffs().is_empty()
        {
            return Outcome::Differs(Box::new(diff));
        }
    }
    Outcome::Same
}
