//! Fault injection: a syscall of the rotation fails (ENOSPC, EIO, EROFS) and nothing is lost.
//!
//! For each scenario (compression, delaycompress, copy, copytruncate, renamecopy, the state
//! write of a plain rotation) and each of the syscalls that create (`openat` with `O_CREAT`),
//! write, sync, rename, unlink or truncate, the test fails the Nth call
//! (`strace -e inject=SYSCALL:error=ERRNO:when=N`) for every N the run makes, one run each, and
//! checks:
//!
//! - the run exits 1 and says `error: …` at least once (runs with several `error:` lines are
//!   printed, see `--nocapture`);
//! - every line written to the log is still in the live log or an archive, and no file holds a
//!   torn line;
//! - the next run without the fault (`-f`, after one more batch) exits 0 without an error,
//!   leaves no leftovers (`.partial`, `.tmp`...), a readable state, and every line exactly once
//!   (with `copy`: the live log holds each line once, each archive a distinct prefix of it).
//!
//! `disk_full_on_a_real_tmpfs`: the log directory is a 1 MiB tmpfs filled up so that the
//! compression hits a real ENOSPC; after space is freed, the next run completes.
//!
//! Needs `strace` (skipped with a message without it, a failure when `$CI` is set) and root for
//! the tmpfs. `LOGROTATE_BIN=PATH` tests a given binary. The oracle is in crash/mod.rs.

use crate::crash;

use crash::{count_main_thread_syscalls, have_strace, prepared, traced, Bed, Mode, LINE};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The syscalls whose failure is injected: every creating open, write, sync, rename, unlink and
/// truncation.
const FAULTY: &[&str] = &[
    "openat",
    "write",
    "writev",
    "pwrite64",
    "fsync",
    "fdatasync",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "ftruncate",
    "copy_file_range",
    "sendfile",
];

const ERRORS: &[&str] = &["ENOSPC", "EIO", "EROFS"];

fn error_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("error:")).collect()
}

/// Fails every call of every syscall of [`FAULTY`] in one forced rotation, with each errno.
fn sweep(mode: Mode) {
    if !have_strace() {
        return;
    }
    let traces = tempfile::tempdir().unwrap();
    let trace = traces.path().join("trace");
    let probe = prepared(mode);
    let calls = count_main_thread_syscalls(&probe.args(true), FAULTY, &trace);
    drop(probe);
    let (mut failures, mut notes, mut messages, mut runs) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for errno in ERRORS {
        for (syscall, probe_calls) in &calls {
            for n in 1..=probe_calls.len() as u64 + 20 {
                // A call that fails anyway (the removal of a stale temp file that is not
                // there: ENOENT) is not a fault the disk can cause; its error is ignored. Of
                // the opens, only those that create a file can hit a full or read-only disk.
                let probe_call = probe_calls.get(n as usize - 1).map_or("", |c| c.as_str());
                if probe_call.contains(") = -1 ") || (syscall == "openat" && !probe_call.contains("O_CREAT"))
                {
                    continue;
                }
                let mut bed = prepared(mode);
                let t = traced(&bed.args(true), syscall, &format!("error={errno}"), n, &trace);
                if !t.injected {
                    break;
                }
                runs += 1;
                let stderr = String::from_utf8_lossy(&t.out.stderr).into_owned();
                let errors = error_lines(&stderr);
                let dir = bed.dir.path().display().to_string();
                for e in &errors {
                    let e = e.replace(&dir, "DIR");
                    if !messages.contains(&e) {
                        messages.push(e);
                    }
                }
                let call = fault_call(&trace);
                // 3.21 ends with 3 when the state file itself cannot be opened or locked.
                let state_unopenable = stderr.contains("error opening state file");
                let expected = if state_unopenable { Some(3) } else { Some(1) };
                let result = if t.out.status.code() != expected {
                    Err(format!("exit {:?} instead of {expected:?}; stderr: {stderr:?}", t.out.status.code()))
                } else if errors.is_empty() {
                    Err(format!("no `error:` line; stderr: {stderr:?}"))
                } else {
                    Ok(())
                }
                .and_then(|()| bed.check_lines(false).map_err(|e| format!("after the failed run: {e}")))
                .and_then(|()| {
                    if errors.len() > 1 {
                        notes.push(format!(
                            "{errno} at {syscall} #{n} ({call}): {} error lines: {errors:?}",
                            errors.len()
                        ));
                    }
                    bed.append(LINE * 3);
                    bed.repair_and_check(true).map_err(|e| format!("the next run: {e}"))
                });
                if let Err(e) = result {
                    let listing = bed.listing();
                    let kept = if failures.len() < 3 {
                        format!(" kept in {}", bed.keep().display())
                    } else {
                        String::new()
                    };
                    failures
                        .push(format!("{errno} at {syscall} #{n} ({call}): {e}\n    files: {listing}{kept}"));
                }
            }
        }
    }
    let counts: Vec<(&String, usize)> = calls.iter().map(|(s, c)| (s, c.len())).collect();
    eprintln!("{mode:?}: {runs} injected runs, calls: {counts:?}, errnos: {ERRORS:?}");
    for n in &notes {
        eprintln!("note: {mode:?}: {n}");
    }
    for m in &messages {
        eprintln!("message: {mode:?}: {m}");
    }
    assert!(
        failures.is_empty(),
        "{mode:?}: {} of {runs} injected faults break the guarantees (repro: strace -f -e inject=SYSCALL:error=ERRNO:when=N \
         logrotate -f -s STATE CONF, then logrotate -f -s STATE CONF):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The call that was failed, as strace printed it.
fn fault_call(trace: &Path) -> String {
    let text = std::fs::read_to_string(trace).unwrap_or_default();
    let line = text.lines().find(|l| l.contains("(INJECTED)")).unwrap_or("?");
    let call = line.split_once(' ').map_or(line, |(_, c)| c.trim_start());
    call.chars().take(160).collect()
}

#[test]
fn compress() {
    sweep(Mode::Compress)
}

#[test]
fn zstd() {
    sweep(Mode::Zstd)
}

#[test]
fn delaycompress() {
    sweep(Mode::DelayCompress)
}

#[test]
fn copy() {
    sweep(Mode::Copy)
}

#[test]
fn copytruncate() {
    sweep(Mode::CopyTruncate)
}

#[test]
fn renamecopy() {
    sweep(Mode::RenameCopy)
}

/// A plain rotation: the state write is most of what it writes.
#[test]
fn state_write() {
    sweep(Mode::Create)
}

/// Unmounts on drop (also when the test panics).
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn disk_full_on_a_real_tmpfs() {
    let mut bed = Bed::new(Mode::Compress);
    let logs = bed.p("logs");
    let mounted =
        Command::new("mount").args(["-t", "tmpfs", "-o", "size=1M,mode=0755", "tmpfs"]).arg(&logs).status();
    if !mounted.is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root and must be able to mount a tmpfs");
        eprintln!("SKIPPED: cannot mount a tmpfs (not root?)");
        return;
    }
    let _mount = Mount(logs.clone());
    std::fs::create_dir(logs.join("old")).unwrap();
    // 600 KiB of lines (a few tens of KiB compressed), then a filler that leaves 4 KiB free.
    bed.append(600 * 1024);
    let filler = logs.join("filler");
    let free = free_bytes(&logs);
    std::fs::write(&filler, vec![0u8; (free - 4096) as usize]).unwrap();
    let out = bed.run(true);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("full disk: exit {:?}, stderr: {stderr}", out.status.code());
    assert_eq!(out.status.code(), Some(1), "a compression on a full disk must fail the run: {stderr}");
    assert!(!error_lines(&stderr).is_empty(), "no error: line: {stderr}");
    assert!(stderr.contains("No space left on device"), "the error should say the disk is full: {stderr}");
    bed.check_lines(false).unwrap();
    // Space back: the next run completes and leaves every line once, nothing else.
    std::fs::remove_file(&filler).unwrap();
    bed.append(LINE * 10);
    if let Err(e) = bed.repair_and_check(true) {
        panic!("after space was freed: {e}; files: {}", bed.listing());
    }
}

fn free_bytes(path: &Path) -> u64 {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut s) }, 0);
    s.f_bavail as u64 * s.f_frsize as u64
}

/// A set of more than a few logs is made durable with one `syncfs` per filesystem
/// (exec/batch.rs), which the one-log sweeps above never reach. When it fails, nothing written
/// ahead counts as durable: each archive is written again in its turn and fsynced, so every
/// archive is complete, no `.partial` is left, and the run succeeds.
#[test]
fn a_failing_syncfs_falls_back_to_fsyncs_and_loses_nothing() {
    if !have_strace() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let content = |i: usize| (1..=1000).map(|n| format!("log{i} line {n}\n")).collect::<String>();
    for i in 0..8 {
        std::fs::write(logs.join(format!("a{i}.log")), content(i)).unwrap();
    }
    let (out, traced) = forced_compress_injecting(dir.path(), "syncfs", "inject=syncfs:error=EIO");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(traced.contains("(INJECTED)"), "the run made no syncfs to fail: {traced}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let mut names: Vec<String> =
        std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let expected: Vec<String> = (0..8).map(|i| format!("a{i}.log.1.gz")).collect();
    assert_eq!(names, expected, "only the finished archives are left");
    for i in 0..8 {
        let gz = std::fs::File::open(logs.join(format!("a{i}.log.1.gz"))).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
        assert_eq!(text, content(i), "a{i}.log.1.gz");
    }
}

/// A few archives written ahead are fsynced each (exec/batch.rs); when that fails the archive
/// failed its compression, said in its turn as one written alone (`failed to compress log`,
/// exit 1), and the rotated log is kept whole. (The sweeps above all `create` a new log, whose
/// fsync comes first.)
#[test]
fn a_failing_fsync_of_an_archive_written_ahead_fails_its_compression() {
    if !have_strace() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::write(logs.join("a0.log"), "one line\n").unwrap();
    let (out, traced) = forced_compress_injecting(dir.path(), "fsync", "inject=fsync:error=EIO:when=1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(traced.contains("(INJECTED)"), "no fsync failed");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let path = logs.join("a0.log.1");
    assert!(
        stderr.contains(&format!("error: failed to compress log {}: Input/output error", path.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "one line\n");
    let names: Vec<String> =
        std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, ["a0.log.1"], "no archive, no partial file");
}

/// `logrotate -f` of `ROOT/logs/*.log` (`rotate 2`, `compress`) under strace tracing `syscall`
/// with `inject`: the run's output and strace's trace.
fn forced_compress_injecting(root: &Path, syscall: &str, inject: &str) -> (std::process::Output, String) {
    let conf = root.join("c.conf");
    let logs = root.join("logs");
    std::fs::write(&conf, format!("{}/*.log {{\n    rotate 2\n    compress\n}}\n", logs.display())).unwrap();
    let trace = root.join("trace");
    let out = Command::new("strace")
        .args(["-f", "-o"])
        .arg(&trace)
        .args(["-e", &format!("trace={syscall}"), "-e", inject])
        .arg(crash::logrotate_bin())
        .arg("-f")
        .arg("-s")
        .arg(root.join("state"))
        .arg(&conf)
        .output()
        .unwrap();
    (out, std::fs::read_to_string(&trace).unwrap())
}
