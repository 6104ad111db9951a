//! Fuzzing of the three readers of untrusted text: the classic config parser
//! (`config::load` on a file, includes and all), the TOML rule loader (`toml_rules::parse`) and
//! the state file reader (`State::parse`). cargo-fuzz needs a nightly toolchain, so this is a
//! seeded generator run by the ordinary test harness.
//!
//! Each target's inputs are arbitrary bytes, soups of the syntax's tokens, and mutations of the
//! corpus in `tests/fuzz-corpus/{classic,toml,state}/` (conf.d, Debian's `/etc/logrotate.d`,
//! state files written by logrotate 3.21): bit flips, deleted and duplicated ranges, splices,
//! and insertions of NUL, `\v`, `\f`, U+00A0, braces, quotes, huge numbers (`rotate
//! 100000000`), 1 MB lines, and includes of FIFOs, `/dev/zero`, include loops and 40-deep
//! include chains.
//!
//! The inputs run in a child process (this test binary again, running the ignored test
//! `fuzz_child`) so that a hang or a blow-up fails the test instead of CI: the child counts
//! the bytes it has allocated and aborts past [`MEMORY_CAP`] (with `RLIMIT_AS` as a backstop),
//! and the parent kills it when one input takes longer than [`CASE_TIME_LIMIT`]. A panic, a
//! hang or the memory cap fails the test with the target, seed and case, and the input is
//! saved under `target/tmp/` for reproduction. Two promises are checked on the way: what the
//! state reader reads renders and reads back the same, and the rules loaded from either syntax
//! survive `--dump-toml` (written as TOML and read back, they are the same rules).
//!
//! The default run (what CI runs) is a fixed seed and a fixed number of cases, about a minute
//! in all on 2 cores. `FUZZ_SEED` (a number, or `daily` for a seed made from today's date,
//! printed by the run) and `FUZZ_CASES` (per target) change that. The long run:
//!
//! ```sh
//! FUZZ_SEED=daily FUZZ_CASES=300000 cargo test --release -p logrotate --test fuzz -- --nocapture
//! ```
//!
//! To replay a saved input: `FUZZ_REPRO=PATH cargo test -p logrotate --test fuzz fuzz_TARGET --
//! --nocapture` (`TARGET` is `classic_parser`, `toml_loader` or `state_reader`).

mod inputs;

use inputs::{corpus, generate, Target};
use logrotate::config::{self, dump, toml_rules, LoadOptions};
use logrotate::rule::{Options, Rule};
use logrotate::state::State;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The seed of the default (CI) run.
const DEFAULT_SEED: u64 = 0x5eed_1095_0007;
/// Cases per target in the default run: about a minute in all of a 2-core machine's time
/// (debug build).
/// Most bytes one child may have allocated at once.
const MEMORY_CAP: usize = 512 << 20;
/// Address-space limit of a child: a backstop for memory not counted by the allocator.
const ADDRESS_SPACE_CAP: u64 = 4 << 30;
/// Longest one input may take (debug build, loaded machine). A hang never ends; an input of
/// 1 MB takes well under a second.
const CASE_TIME_LIMIT: Duration = Duration::from_secs(20);
/// Longest the child may take to start its first case.
const STARTUP_TIME_LIMIT: Duration = Duration::from_secs(120);
/// The stack of a binary's main thread (the usual `ulimit -s`).
const MAIN_THREAD_STACK: usize = 8 << 20;
/// Marks the child's progress lines on its stdout.
const PROGRESS: &str = "FUZZ-CASE ";
const DONE: &str = "FUZZ-DONE ";

// ---------------------------------------------------------------------------------------------
// Memory cap: a counting allocator, armed only in the child.

struct CappedAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);

impl CappedAlloc {
    fn reserve(size: usize) -> bool {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        if live > CAP.load(Ordering::Relaxed) {
            LIVE.fetch_sub(size, Ordering::Relaxed);
            let msg = b"fuzz: memory cap exceeded\n";
            // No allocation here: write(2) straight to stderr.
            unsafe { libc::write(2, msg.as_ptr().cast(), msg.len()) };
            return false;
        }
        true
    }
}

unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Self::reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Self::reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !Self::reserve(new_size - old) {
            return std::ptr::null_mut();
        }
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                LIVE.fetch_sub(new_size - old, Ordering::Relaxed);
            }
        } else if new_size < old {
            LIVE.fetch_sub(old - new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: CappedAlloc = CappedAlloc;

/// The child's scratch directory for the classic target (see [`CLASSIC_TOKENS`]).
fn classic_scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("inc")).unwrap();
    std::fs::write(p.join("inc/app"), "/var/log/inc.log {\n rotate 2\n}\n").unwrap();
    let fifo = std::ffi::CString::new(p.join("fifo").as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    std::fs::create_dir(p.join("nest")).unwrap();
    for i in 0..40 {
        let text = format!("include {}/nest/{}\n/var/log/n{i}.log {{\n}}\n", p.display(), i + 1);
        std::fs::write(p.join(format!("nest/{i}")), text).unwrap();
    }
    std::fs::create_dir(p.join("loop")).unwrap();
    for i in 0..6 {
        let text = format!("include {}/loop\n/var/log/l{i}.log {{\n}}\n", p.display());
        std::fs::write(p.join(format!("loop/f{i}")), text).unwrap();
    }
    dir
}

/// Runs one input through the target; panics on a broken property. Returns whether the input
/// gave anything (rules or state entries), to tell how deep the inputs get.
fn check(target: Target, input: &[u8], scratch: Option<&Path>) -> bool {
    match target {
        Target::Classic => {
            let dir = scratch.expect("scratch dir");
            let text = replace(input, b"@TMP@", dir.as_os_str().as_encoded_bytes());
            let path = dir.join("case.conf");
            std::fs::write(&path, text).unwrap();
            let loaded = config::load(&[path], &LoadOptions::default());
            check_dump_reads_back(&loaded.rules);
            !loaded.rules.is_empty()
        }
        Target::Toml => {
            let text = String::from_utf8_lossy(input);
            let (rules, _) = toml_rules::parse(Path::new("case.toml"), &text, &Options::default());
            check_dump_reads_back(&rules);
            !rules.is_empty()
        }
        Target::State => {
            // As `StateFile::read` does.
            let text = String::from_utf8_lossy(input);
            let (state, _) = State::parse(&text, Path::new("status"));
            let rendered = state.render();
            let (again, diagnostics) = State::parse(&rendered, Path::new("status"));
            assert!(diagnostics.is_empty(), "rendered state does not read back: {diagnostics:?}\n{rendered}");
            assert_eq!(again, state, "rendered state reads back different:\n{rendered}");
            !state.is_empty()
        }
    }
}

/// `--dump-toml`'s promise: its output reads back as the same rules. Rules with a pattern that
/// is only whitespace are left out: the classic syntax takes `" "` as a (relative) pattern, as
/// logrotate 3.21 does, while the TOML loader refuses blank paths.
fn check_dump_reads_back(rules: &[Rule]) {
    let rules: Vec<Rule> =
        rules.iter().filter(|r| r.patterns.iter().all(|p| !p.trim().is_empty())).cloned().collect();
    let toml = dump::to_toml(&rules);
    let (again, diagnostics) = toml_rules::parse(Path::new("dump.toml"), &toml, &Options::default());
    assert!(diagnostics.is_empty(), "--dump-toml output does not read back: {diagnostics:?}\n{toml}");
    assert_eq!(again.len(), rules.len(), "--dump-toml lost rules:\n{toml}");
    for (a, b) in again.iter().zip(&rules) {
        assert_eq!(a.patterns, b.patterns, "--dump-toml changed patterns:\n{toml}");
        assert_eq!(a.options, b.options, "--dump-toml changed options:\n{toml}");
    }
}

fn replace(input: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The child: runs the cases, announcing each on stdout before it starts.

#[test]
#[ignore = "run by the fuzz_* tests in a child process"]
fn fuzz_child() {
    let Ok(name) = std::env::var("FUZZ_CHILD_TARGET") else { return };
    let seed: u64 = std::env::var("FUZZ_CHILD_SEED").unwrap().parse().unwrap();
    let cases: u64 = std::env::var("FUZZ_CHILD_CASES").unwrap().parse().unwrap();
    let repro = std::env::var_os("FUZZ_CHILD_REPRO").map(PathBuf::from);
    let limit = libc::rlimit { rlim_cur: ADDRESS_SPACE_CAP, rlim_max: ADDRESS_SPACE_CAP };
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) }, 0);
    let announce = |case: u64| {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{PROGRESS}{case}").unwrap();
        out.flush().unwrap();
    };
    match name.as_str() {
        // Inputs that must be caught, for the harness's own tests.
        "selftest-hang" => {
            announce(0);
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        "selftest-memory" => {
            CAP.store(LIVE.load(Ordering::Relaxed) + MEMORY_CAP, Ordering::Relaxed);
            announce(0);
            let mut hog: Vec<Vec<u8>> = Vec::new();
            loop {
                hog.push(vec![1; 1 << 20]);
            }
        }
        _ => {}
    }
    let target = Target::from_name(&name);
    let corpus = corpus(target);
    let scratch = (target == Target::Classic).then(classic_scratch);
    let scratch_path = scratch.as_ref().map(|d| d.path().to_path_buf());
    CAP.store(LIVE.load(Ordering::Relaxed) + MEMORY_CAP, Ordering::Relaxed);
    // The binaries parse on their main thread, whose stack is 8 MiB (libtest's threads have
    // 2 MiB).
    let cases_thread = std::thread::Builder::new().stack_size(MAIN_THREAD_STACK).spawn(move || {
        let scratch_path = scratch_path.as_deref();
        if let Some(path) = repro {
            announce(0);
            let gave = check(target, &std::fs::read(path).unwrap(), scratch_path);
            (0, Duration::ZERO, u64::from(gave))
        } else {
            let mut slowest = (0, Duration::ZERO, 0);
            for case in 0..cases {
                announce(case);
                let input = generate(target, seed, case, &corpus);
                let started = Instant::now();
                slowest.2 += u64::from(check(target, &input, scratch_path));
                if started.elapsed() > slowest.1 {
                    (slowest.0, slowest.1) = (case, started.elapsed());
                }
            }
            slowest
        }
    });
    let (slowest, took, gave) = match cases_thread.unwrap().join() {
        Ok(slowest) => slowest,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    drop(scratch);
    let took = took.as_secs_f64();
    writeln!(
        std::io::stdout(),
        "{DONE}{gave} inputs gave rules or entries; slowest case {slowest}: {took:.3} s"
    )
    .unwrap();
}

// ---------------------------------------------------------------------------------------------
// The parent: one test per target.

fn seed() -> u64 {
    match std::env::var("FUZZ_SEED").ok().as_deref() {
        None | Some("") => DEFAULT_SEED,
        Some("daily") => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
            let days = i32::try_from(now.as_secs() / 86_400).unwrap();
            // Day 719163 of the common era is 1970-01-01.
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(719_163 + days).unwrap();
            date.format("%Y%m%d").to_string().parse().unwrap()
        }
        Some(s) => s.parse().unwrap_or_else(|_| panic!("FUZZ_SEED must be a number or `daily`, not {s:?}")),
    }
}

fn cases(target: Target) -> u64 {
    let default = match target {
        Target::Classic => 6000,
        Target::Toml => 6000,
        Target::State => 20000,
    };
    std::env::var("FUZZ_CASES").ok().map_or(default, |s| s.parse().expect("FUZZ_CASES must be a number"))
}

/// How a child run ended.
#[derive(Debug)]
enum Outcome {
    /// Every case ran (and which was the slowest).
    Done { summary: String },
    /// A case took longer than the limit; the child was killed.
    Hung { case: Option<u64> },
    /// The child died (panic, abort at the memory cap, signal).
    Failed { case: Option<u64>, status: std::process::ExitStatus },
}

/// Runs `target`'s cases in a child; returns how it ended and the tail of its stderr.
fn run_child(
    target: &str,
    seed: u64,
    cases: u64,
    repro: Option<&Path>,
    limit: Duration,
) -> (Outcome, String) {
    let stderr_file = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["fuzz_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("FUZZ_CHILD_TARGET", target)
        .env("FUZZ_CHILD_SEED", seed.to_string())
        .env("FUZZ_CHILD_CASES", cases.to_string())
        .envs(repro.iter().map(|r| ("FUZZ_CHILD_REPRO", r)))
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr_file.reopen().unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Option<u64>>();
    let (done_tx, done_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest may have written `test fuzz_child ... ` before it on the same line.
            if let Some(i) = line.find(PROGRESS) {
                let _ = tx.send(Some(line[i + PROGRESS.len()..].parse::<u64>().unwrap()));
            } else if let Some(i) = line.find(DONE) {
                let _ = done_tx.send(line[i + DONE.len()..].to_string());
                let _ = tx.send(None);
            }
        }
    });
    let mut current = None;
    let mut done = false;
    let mut hung = false;
    loop {
        // Starting the child (and its setup) may be slow on a loaded machine: only a case is
        // held to `limit`.
        let wait = if current.is_none() { STARTUP_TIME_LIMIT.max(limit) } else { limit };
        match rx.recv_timeout(wait) {
            Ok(Some(case)) => current = Some(case),
            Ok(None) => done = true,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                hung = true;
                let _ = child.kill();
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    let stderr = std::fs::read_to_string(stderr_file.path()).unwrap_or_default();
    let tail =
        stderr.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    let outcome = if hung {
        Outcome::Hung { case: current }
    } else if done && status.success() {
        Outcome::Done { summary: done_rx.try_recv().unwrap_or_default() }
    } else {
        Outcome::Failed { case: current, status }
    };
    (outcome, tail)
}

fn run_target(target: Target, test_name: &str) {
    let seed = seed();
    let repro = std::env::var_os("FUZZ_REPRO").map(PathBuf::from);
    let cases = if repro.is_some() { 1 } else { cases(target) };
    let started = Instant::now();
    let (outcome, stderr) = run_child(target.name(), seed, cases, repro.as_deref(), CASE_TIME_LIMIT);
    let summary = match &outcome {
        Outcome::Done { summary } => summary.clone(),
        failed => format!("{failed:?}"),
    };
    println!(
        "fuzz {}: seed {seed}, {cases} cases, {:.1} s, {summary} \
         (rerun: FUZZ_SEED={seed} FUZZ_CASES={cases}; FUZZ_SEED=daily takes today's date)",
        target.name(),
        started.elapsed().as_secs_f64()
    );
    let (what, case) = match outcome {
        Outcome::Done { .. } => return,
        Outcome::Hung { case } => (format!("took more than {CASE_TIME_LIMIT:?} (a hang?)"), case),
        Outcome::Failed { case, status } => {
            (format!("failed ({status}: a panic, or the memory cap of {} MiB)", MEMORY_CAP >> 20), case)
        }
    };
    let Some(case) = case else {
        panic!("fuzz {}: the child {what} before its first case:\n{stderr}", target.name());
    };
    let input = match &repro {
        Some(path) => std::fs::read(path).unwrap(),
        None => generate(target, seed, case, &corpus(target)),
    };
    let saved =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{}-{seed}-{case}.bin", target.name()));
    std::fs::write(&saved, &input).unwrap();
    let shown = String::from_utf8_lossy(&input[..input.len().min(2000)]).into_owned();
    panic!(
        "fuzz {}: case {case} of seed {seed} {what}\ninput ({} bytes) saved to {}\n\
         replay: FUZZ_REPRO={} cargo test -p logrotate --test fuzz {test_name} -- --nocapture\n\
         input: {shown:?}\nchild stderr:\n{stderr}",
        target.name(),
        input.len(),
        saved.display(),
        saved.display(),
    );
}

#[test]
fn fuzz_classic_parser() {
    run_target(Target::Classic, "fuzz_classic_parser");
}

#[test]
fn fuzz_toml_loader() {
    run_target(Target::Toml, "fuzz_toml_loader");
}

#[test]
fn fuzz_state_reader() {
    run_target(Target::State, "fuzz_state_reader");
}

// ---------------------------------------------------------------------------------------------
// The harness itself: a fuzzer that cannot see a hang or a blow-up proves nothing.

#[test]
fn generator_is_deterministic_and_varied() {
    let corpus = corpus(Target::Classic);
    let a: Vec<_> = (0..200).map(|c| generate(Target::Classic, 7, c, &corpus)).collect();
    let b: Vec<_> = (0..200).map(|c| generate(Target::Classic, 7, c, &corpus)).collect();
    assert_eq!(a, b);
    let distinct: std::collections::HashSet<_> = a.iter().collect();
    assert!(distinct.len() > 150, "{}", distinct.len());
    assert_eq!(a[0], corpus[0]);
}

#[test]
fn harness_catches_a_hang() {
    let (outcome, _) = run_child("selftest-hang", 1, 1, None, Duration::from_secs(2));
    assert!(matches!(outcome, Outcome::Hung { case: Some(0) }), "{outcome:?}");
}

#[test]
fn harness_catches_a_memory_blow_up() {
    let (outcome, stderr) = run_child("selftest-memory", 1, 1, None, Duration::from_secs(60));
    assert!(matches!(outcome, Outcome::Failed { case: Some(0), .. }), "{outcome:?}");
    assert!(stderr.contains("fuzz: memory cap exceeded"), "{stderr}");
}
