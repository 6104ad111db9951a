//! Kill harness: `logrotate` is killed with SIGKILL in the middle of a rotation, the next run
//! (without `-f`, so it only repairs) must exit 0 and leave every line exactly once across the
//! live log and the archives, no leftovers (`.partial`, `.tmp`, `.conflict`...; only the
//! documented `STATE.lock`), and a state file that parses. Modes: create, copytruncate, copy,
//! renamecopy, compress, compress + delaycompress, dateext + compress, olddir + compress.
//!
//! Three kinds of test per mode:
//!
//! - `random::MODE`: a loop of rotations of one log. Before each forced run a batch of numbered
//!   lines is appended (sometimes a large one, so the kill can land in a long copy or
//!   compression); the run is killed after a random delay (seeded RNG), then the repair run and
//!   the checks follow. A forced run that finishes before the kill must exit 0. After a third
//!   of the kills the repair run is killed too, and the run after it must repair both.
//! - `sweep::MODE`: one rotation (with archives from two earlier rotations in place), killed on
//!   entry to each call that can change the disk (an open that creates, write, fsync, rename,
//!   unlink, truncate, chmod, chown...), one run per call, through
//!   `strace -e inject=SYSCALL:signal=KILL:when=N` (the tracee dies before the call is made).
//!   Between two such calls the disk does not change, so every state a crashed process can leave
//!   on disk is reached (a power cut can also lose what was not fsynced; that is not simulated).
//!   strace counts calls per syscall, so the points are found in an uninjected traced run.
//! - `sweep_twice::MODE`: the same, and for each point the repair run is killed in turn at each
//!   of its own calls that change the disk; the run after it must repair everything.
//!
//! The oracle (crash/mod.rs): every line is `NNNNNNNNNNNN FILLER`, each file must hold one
//! run of whole batches, and without `copy` every line must be in exactly one file; with `copy`
//! the live log keeps every line once and each archive is a distinct whole-batch prefix of it.
//!
//! CI runs a short loop (`KILL_ROUNDS`, default 16 rounds per mode, big batches of 1 MiB). The
//! full run, at least 200 rotations per mode with 4 MiB batches (the multi-threaded compressor),
//! and the sweeps (deterministic, the same as in CI):
//!
//! ```sh
//! KILL_ROUNDS=200 KILL_BIG_KIB=4096 cargo test --release -p logrotate --test e2e kill:: -- --test-threads=2
//! ```
//!
//! `KILL_SEED=N` changes the seed (the default is fixed). A failure keeps its directory and
//! prints its path, the seed, the round and the delay. `LOGROTATE_BIN=PATH` tests a given binary.

use crate::crash;

use crate::common::{env_u64, rng::Rng};
use crash::{have_strace, logrotate_bin, prepared, traced, Bed, Mode, LINE};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_SEED: u64 = 20261123;

/// How long runs of one kind take, learnt as the loop goes; a kill comes after a uniform delay
/// in [0, 1.2 x that), so most kills land inside the run whatever the machine's speed (the runs
/// that end first are checked too). The first run of a kind is not killed: it measures.
#[derive(Default)]
struct Timing(Option<Duration>);

impl Timing {
    fn delay(&self, rng: &mut Rng) -> Duration {
        match self.0 {
            Some(t) => t.mul_f64(rng.below(1200) as f64 / 1000.0),
            None => Duration::from_secs(3600),
        }
    }
    fn finished(&mut self, took: Duration) {
        let t = self.0.get_or_insert(took);
        *t = t.mul_f64(0.6) + took.mul_f64(0.4);
    }
    /// The run took longer than `delay`: learn that too, or a low first guess would only ever
    /// kill runs early.
    fn killed(&mut self, delay: Duration) {
        if let Some(t) = &mut self.0 {
            *t = (*t).max(delay.mul_f64(1.05));
        }
    }
}

/// Runs `logrotate ARGS` and kills it with SIGKILL after `delay` unless it ended first.
/// Returns its output and whether it was killed; `timing` learns from it.
fn run_and_kill(args: &[String], delay: Duration, timing: &mut Timing) -> (std::process::Output, bool) {
    let started = Instant::now();
    let mut child = Command::new(logrotate_bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Sleep until the kill, watching for the end of the run (to learn how long runs take).
    let mut took = None;
    while took.is_none() && started.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            took = Some(started.elapsed());
        } else {
            std::thread::sleep((delay - started.elapsed().min(delay)).min(Duration::from_micros(200)));
        }
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let killed = out.status.signal() == Some(9);
    if killed {
        timing.killed(delay);
    } else {
        timing.finished(took.unwrap_or_else(|| started.elapsed()));
    }
    (out, killed)
}

/// The loop of random kills for one mode.
fn random_kills(mode: Mode) {
    let rounds = env_u64("KILL_ROUNDS").unwrap_or(16);
    let seed = env_u64("KILL_SEED").unwrap_or(DEFAULT_SEED);
    let big = env_u64("KILL_BIG_KIB").unwrap_or(1024) as usize * 1024;
    let mut rng = Rng::new(seed ^ (mode as u64).wrapping_mul(0x0100_0000_01b3));
    let mut bed = Bed::new(mode);
    // Forced runs with small and with big batches, and repair runs.
    let (mut forced, mut repair) = ([Timing::default(), Timing::default()], Timing::default());
    let (mut kills, mut finished, mut repair_kills) = (0, 0, 0);
    for round in 0..rounds {
        if mode.keeps_live() && round > 0 && round % 25 == 0 {
            // `copy` keeps every line in the live log and copies all of it each time: start
            // afresh now and then, or the long run copies gigabytes.
            if let Err(e) = bed.check_after_repair() {
                panic!("{mode:?}: round {round}: {e}; kept in {}", bed.keep().display());
            }
            bed = Bed::new(mode);
        }
        let is_big = rng.below(4) == 0;
        bed.append(if is_big { big } else { LINE * (1 + rng.below(300)) });
        bed.before_forced_run();
        let timing = &mut forced[is_big as usize];
        let delay = timing.delay(&mut rng);
        let (out, killed) = run_and_kill(&bed.args(true), delay, timing);
        let mut what = format!("forced run killed after {delay:?}");
        let context = |bed: Bed, what: &str, e: String| -> String {
            let listing = bed.listing();
            format!(
                "{mode:?}, KILL_SEED={seed}, round {round} of {rounds}, {what}: {e}\n\
                 files: {listing}\nkept in {}",
                bed.keep().display()
            )
        };
        if killed {
            kills += 1;
        } else {
            finished += 1;
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr).into_owned();
                let e = format!("an unkilled forced run exited {:?}: {err}", out.status.code());
                panic!("{}", context(bed, "forced run not killed", e));
            }
        }
        // A third of the time the repair run is killed too: a crash during the repair must be
        // repaired just the same by the run after it.
        if killed && rng.below(3) == 0 {
            let delay = repair.delay(&mut rng);
            let (_, killed) = run_and_kill(&bed.args(false), delay, &mut repair);
            repair_kills += killed as u32;
            what = format!("{what}, repair run killed after {delay:?} ({killed})");
        }
        if let Err(e) = bed.repair_and_check(false) {
            panic!("{}", context(bed, &what, e));
        }
    }
    // The log still rotates: a last forced run completes.
    bed.append(LINE * 10);
    let out = bed.run(true);
    assert!(
        out.status.success(),
        "{mode:?}: the last forced run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Err(e) = bed.check_after_repair() {
        panic!("{mode:?}: after the last forced run: {e}; kept in {}", bed.keep().display());
    }
    eprintln!(
        "{mode:?}: {rounds} rounds, {kills} killed ({repair_kills} repair runs killed too), {finished} finished \
         first, {} lines",
        bed.lines()
    );
}

/// The syscalls that can change what is on disk. Killing on entry to each call of these
/// reaches every on-disk state a crash can leave (between two of them nothing changes).
const MUTATING: &[&str] = &[
    "open",
    "openat",
    "creat",
    "write",
    "writev",
    "pwrite64",
    "fsync",
    "fdatasync",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "unlink",
    "unlinkat",
    "truncate",
    "ftruncate",
    "fallocate",
    "copy_file_range",
    "sendfile",
    "mkdir",
    "mkdirat",
    "chmod",
    "fchmod",
    "fchmodat",
    "chown",
    "fchown",
    "fchownat",
    "utimensat",
];

/// A kill point: the `n`th call of a syscall.
type Point = (String, u64);

/// The calls of a run that can change the disk. Killing on entry to any other call leaves the
/// disk as killing on entry to the next of these does, so these reach every state. Skipped:
/// opens that neither create nor truncate, and calls that fail anyway (the removal of a stale
/// temp file that is not there).
fn kill_points(calls: &[(String, Vec<String>)]) -> Vec<Point> {
    let mut points = Vec::new();
    for (syscall, calls) in calls {
        for (i, call) in calls.iter().enumerate() {
            let opens = syscall == "open" || syscall == "openat";
            let changes =
                !call.contains(") = -1 ") && (!opens || call.contains("O_CREAT") || call.contains("O_TRUNC"));
            if changes {
                points.push((syscall.clone(), i as u64 + 1));
            }
        }
    }
    points
}

/// The kill points of one forced rotation of a [`prepared`] bed.
fn rotation_points(mode: Mode, trace: &Path) -> Vec<Point> {
    let probe = prepared(mode);
    kill_points(&crash::count_syscalls(&probe.args(true), MUTATING, trace))
}

/// A [`prepared`] bed whose forced run was killed at `p`.
fn killed_at(mode: Mode, p: &Point, trace: &Path) -> (Bed, crash::Traced) {
    let bed = prepared(mode);
    let t = traced(&bed.args(true), &p.0, "signal=KILL", p.1, trace);
    (bed, t)
}

/// The checks after a forced run at a kill point: repaired if it was killed, else it must have
/// succeeded.
fn check_after(bed: &mut Bed, t: &crash::Traced) -> Result<(), String> {
    if t.killed {
        bed.repair_and_check(false)
    } else if t.out.status.success() {
        bed.check_after_repair()
    } else {
        let err = String::from_utf8_lossy(&t.out.stderr);
        Err(format!("the run was not killed and exited {:?}: {err}", t.out.status.code()))
    }
}

/// Collects failures (the first three keep their directory).
#[derive(Default)]
struct Failures {
    list: Vec<String>,
    runs: usize,
}

impl Failures {
    fn record(&mut self, what: String, bed: Bed, result: Result<(), String>) {
        self.runs += 1;
        if let Err(e) = result {
            let listing = bed.listing();
            let kept = if self.list.len() < 3 {
                format!(" kept in {}", bed.keep().display())
            } else {
                String::new()
            };
            self.list.push(format!("{what}: {e}\n    files: {listing}{kept}"));
        }
    }
    fn assert_none(self, mode: Mode, repro: &str) {
        assert!(
            self.list.is_empty(),
            "{mode:?}: {} of {} kill points break the invariants (repro: {repro}):\n{}",
            self.list.len(),
            self.runs,
            self.list.join("\n")
        );
    }
}

/// Kills one rotation at every call that can change the disk, one run each.
fn sweep(mode: Mode) {
    if !have_strace() {
        return;
    }
    let traces = tempfile::tempdir().unwrap();
    let trace = traces.path().join("trace");
    let points = rotation_points(mode, &trace);
    let mut failures = Failures::default();
    for p in &points {
        let (mut bed, t) = killed_at(mode, p, &trace);
        let result = check_after(&mut bed, &t);
        failures.record(format!("killed at {} #{}", p.0, p.1), bed, result);
    }
    eprintln!("{mode:?}: {} kill points: {points:?}", points.len());
    failures.assert_none(
        mode,
        "strace -f -e inject=SYSCALL:signal=KILL:when=N logrotate -f -s STATE CONF, then logrotate -s STATE CONF",
    );
}

/// Kills one rotation at every call that can change the disk, and then the repair run at every
/// such call of its own: a crash during the repair is repaired by the run after it. (Some
/// hundreds of runs per mode.)
fn sweep_twice(mode: Mode) {
    if !have_strace() {
        return;
    }
    let traces = tempfile::tempdir().unwrap();
    let trace = traces.path().join("trace");
    let mut failures = Failures::default();
    let mut pairs = 0;
    for p in &rotation_points(mode, &trace) {
        let (mut bed, t) = killed_at(mode, p, &trace);
        if !t.killed {
            continue;
        }
        // The repair run, traced: its own kill points.
        let (out, calls) = crash::trace_calls(&bed.args(false), MUTATING, &trace);
        let result = if out.status.success() {
            bed.check_after_repair()
        } else {
            Err(format!(
                "the repair run exited {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ))
        };
        failures.record(format!("killed at {} #{}", p.0, p.1), bed, result);
        for q in kill_points(&calls) {
            let (mut bed, _) = killed_at(mode, p, &trace);
            traced(&bed.args(false), &q.0, "signal=KILL", q.1, &trace);
            let result = bed.repair_and_check(false);
            failures.record(
                format!("killed at {} #{}, repair killed at {} #{}", p.0, p.1, q.0, q.1),
                bed,
                result,
            );
            pairs += 1;
        }
    }
    eprintln!("{mode:?}: {pairs} pairs of kill points");
    failures.assert_none(
        mode,
        "strace -f -e inject=SYSCALL:signal=KILL:when=N logrotate -f -s STATE CONF, then the same with \
         inject=SYSCALL2:signal=KILL:when=M on logrotate -s STATE CONF, then logrotate -s STATE CONF",
    );
}

macro_rules! per_mode {
    ($($name:ident => $mode:expr,)*) => {
        mod random {
            use super::Mode;
            $( #[test] fn $name() { super::random_kills($mode) } )*
        }
        mod sweep {
            use super::Mode;
            $( #[test] fn $name() { super::sweep($mode) } )*
        }
        mod sweep_twice {
            use super::Mode;
            $( #[test] fn $name() { super::sweep_twice($mode) } )*
        }
    };
}

per_mode! {
    create => Mode::Create,
    copytruncate => Mode::CopyTruncate,
    copy => Mode::Copy,
    renamecopy => Mode::RenameCopy,
    compress => Mode::Compress,
    zstd => Mode::Zstd,
    delaycompress => Mode::DelayCompress,
    dateext => Mode::DateExt,
    olddir => Mode::OldDir,
}
