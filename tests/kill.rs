//! Kill harness: `logrotate` is killed with SIGKILL in the middle of a rotation, the next run
//! (without `-f`, so it only repairs) must exit 0 and leave every line exactly once across the
//! live log and the archives, no leftovers (`.partial`, `.tmp`, `.conflict`...; only the
//! documented `STATE.lock`), and a state file that parses. Modes: create, copytruncate, copy,
//! renamecopy, compress, compress + delaycompress, dateext + compress, olddir + compress.
//!
//! Two kinds of test per mode:
//!
//! - `random::MODE`: a loop of rotations of one log. Before each forced run a batch of numbered
//!   lines is appended (sometimes a large one, so the kill can land in a long copy or
//!   compression); the run is killed after a random delay (seeded RNG), then the repair run and
//!   the checks follow. A forced run that finishes before the kill must exit 0.
//! - `sweep::MODE`: one rotation (with archives from two earlier rotations in place), killed at
//!   each call of each syscall that can change the disk (open, write, fsync, rename, unlink,
//!   truncate, chmod...), one run per call, through `strace -e inject=SYSCALL:signal=KILL:when=N`
//!   (the tracee dies on entry, before the call). Every state a crashed process can leave on
//!   disk is reached (a power cut can also lose data that was not fsynced; that is not
//!   simulated). strace counts calls per syscall, so the sweep goes syscall by syscall.
//!
//! The oracle (tests/crash/mod.rs): every line is `NNNNNNNNNNNN FILLER`, each file must hold one
//! run of whole batches, and without `copy` every line must be in exactly one file; with `copy`
//! the live log keeps every line once and each archive is a distinct whole-batch prefix of it.
//!
//! CI runs a short loop (`KILL_ROUNDS`, default 16 rounds per mode, big batches of 1 MiB). The
//! full run, at least 200 rotations per mode with 4 MiB batches (the multi-threaded compressor):
//!
//! ```sh
//! KILL_ROUNDS=200 KILL_BIG_KIB=4096 cargo test --release --test kill -- random --test-threads=2
//! ```
//!
//! `KILL_SEED=N` changes the seed (the default is fixed). A failure keeps its directory and
//! prints its path, the seed, the round and the delay. `LOGROTATE_BIN=PATH` tests a given binary.

mod common;
mod crash;

use crash::{env_u64, have_strace, logrotate_bin, prepared, traced, Bed, Mode, Rng, LINE};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_SEED: u64 = 20261123;

/// The loop of random kills for one mode.
fn random_kills(mode: Mode) {
    let rounds = env_u64("KILL_ROUNDS", 16);
    let seed = env_u64("KILL_SEED", DEFAULT_SEED);
    let big = env_u64("KILL_BIG_KIB", 1024) as usize * 1024;
    let mut rng = Rng::new(seed ^ (mode as u64).wrapping_mul(0x0100_0000_01b3));
    let mut bed = Bed::new(mode);
    // How long an unkilled forced run takes, for small and for big batches; the kill comes
    // after a uniform delay in [0, 1.2 x that), so most kills land inside the run whatever the
    // machine's speed (the runs that end first are checked too).
    // The first run of each kind is not killed: it measures.
    let mut typical: [Option<Duration>; 2] = [None, None];
    let (mut kills, mut finished) = (0, 0);
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
        bed.append(if is_big { big } else { LINE * (1 + rng.below(300) as usize) });
        bed.before_forced_run();
        let delay = match typical[is_big as usize] {
            Some(t) => t.mul_f64(rng.below(1200) as f64 / 1000.0),
            None => Duration::from_secs(3600),
        };
        let started = Instant::now();
        let mut child = Command::new(logrotate_bin())
            .args(bed.args(true))
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
        let context = |bed: Bed, what: String| -> String {
            let listing = bed.listing();
            format!(
                "{mode:?}, KILL_SEED={seed}, round {round} of {rounds}, kill after {delay:?}: {what}\n\
                 files: {listing}\nkept in {}",
                bed.keep().display()
            )
        };
        if out.status.signal() == Some(9) {
            kills += 1;
            // The run takes longer than the delay: learn that too, or a low first guess would
            // only ever kill runs early.
            let t = typical[is_big as usize].as_mut().unwrap();
            *t = (*t).max(delay.mul_f64(1.05));
        } else {
            finished += 1;
            let took = took.unwrap_or_else(|| started.elapsed());
            let t = typical[is_big as usize].get_or_insert(took);
            *t = t.mul_f64(0.6) + took.mul_f64(0.4);
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr).into_owned();
                panic!(
                    "{}",
                    context(bed, format!("an unkilled forced run exited {:?}: {err}", out.status.code()))
                );
            }
        }
        if let Err(e) = bed.repair_and_check(false) {
            panic!("{}", context(bed, e));
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
    eprintln!("{mode:?}: {rounds} rounds, {kills} killed, {finished} finished first, {} lines", bed.lines());
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

/// Kills one rotation at every call of every mutating syscall, one run each.
fn sweep(mode: Mode) {
    if !have_strace() {
        return;
    }
    let traces = tempfile::tempdir().unwrap();
    let trace = traces.path().join("trace");
    let probe = prepared(mode);
    let counts: Vec<(String, u64)> = crash::count_syscalls(&probe.args(true), MUTATING, &trace)
        .into_iter()
        .map(|(s, calls)| (s, calls.len() as u64))
        .collect();
    drop(probe);
    let (mut failures, mut runs) = (Vec::new(), 0);
    for (syscall, count) in &counts {
        // Until a run is no longer killed (the counts of the probe run may differ a little).
        for n in 1..=count + 20 {
            let mut bed = prepared(mode);
            let t = traced(&bed.args(true), syscall, "signal=KILL", n, &trace);
            runs += 1;
            let result = if t.killed {
                bed.repair_and_check(false)
            } else if t.out.status.success() {
                bed.check_after_repair()
            } else {
                Err(format!(
                    "the unkilled run exited {:?}: {}",
                    t.out.status.code(),
                    String::from_utf8_lossy(&t.out.stderr)
                ))
            };
            if let Err(e) = result {
                let listing = bed.listing();
                let kept = if failures.len() < 3 {
                    format!("kept in {}", bed.keep().display())
                } else {
                    String::new()
                };
                failures.push(format!("killed at {syscall} #{n}: {e}\n    files: {listing} {kept}"));
            }
            if !t.killed {
                break;
            }
            assert!(n < count + 20, "{mode:?}: {syscall} #{n} still kills; the run does not end");
        }
    }
    let total: u64 = counts.iter().map(|(_, c)| c).sum();
    eprintln!("{mode:?}: {runs} runs over {total} calls: {counts:?}");
    assert!(
        failures.is_empty(),
        "{mode:?}: {} of {runs} kill points break the invariants (repro: strace -f -e inject=SYSCALL:signal=KILL:when=N \
         logrotate -f -s STATE CONF, then logrotate -s STATE CONF):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

macro_rules! per_mode {
    ($($name:ident => $mode:expr,)*) => {
        mod random {
            use crate::Mode;
            $( #[test] fn $name() { super::random_kills($mode) } )*
        }
        mod sweep {
            use crate::Mode;
            $( #[test] fn $name() { super::sweep($mode) } )*
        }
    };
}

per_mode! {
    create => Mode::Create,
    copytruncate => Mode::CopyTruncate,
    copy => Mode::Copy,
    renamecopy => Mode::RenameCopy,
    compress => Mode::Compress,
    delaycompress => Mode::DelayCompress,
    dateext => Mode::DateExt,
    olddir => Mode::OldDir,
}
