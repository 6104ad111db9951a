//! Measures how soon a writer follows a rotation: from the rename of its log file to the first
//! write that lands in the new file. Used by `bench/run.sh`.
//!
//! ```text
//! latency PATH ROTATIONS -- COMMAND [ARGS...]
//! ```
//!
//! Runs COMMAND (a writer appending lines to PATH at a steady rate, such as
//! `loggen PATH 100000000 --rate 10000 --policy notify`), then ROTATIONS times: renames PATH
//! away and creates an empty PATH, as logrotate's `create` does, and polls PATH until something
//! is written to it. Prints `rotations=… median_ms=… p90_ms=… max_ms=…` and stops COMMAND.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Longest wait for one rotation to be followed.
const GIVE_UP: Duration = Duration::from_secs(10);
/// Pause between two polls of the new file.
const POLL: Duration = Duration::from_micros(20);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dash) = args.iter().position(|a| a == "--") else {
        eprintln!("usage: latency PATH ROTATIONS -- COMMAND [ARGS...]");
        return ExitCode::from(2);
    };
    let (Some(path), Some(Ok(rotations)), Some(program)) =
        (args.first(), args.get(1).map(|n| n.parse::<usize>()), args.get(dash + 1))
    else {
        eprintln!("usage: latency PATH ROTATIONS -- COMMAND [ARGS...]");
        return ExitCode::from(2);
    };
    let path = PathBuf::from(path);
    let mut child = match Command::new(program).args(&args[dash + 2..]).stdout(Stdio::null()).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {program}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = measure(&path, rotations);
    let _ = child.kill();
    let _ = child.wait();
    match result {
        Ok(mut ms) => {
            ms.sort_by(f64::total_cmp);
            // The `percent`th percentile, the nearest rank rounded half up.
            let at = |percent: usize| ms[((ms.len() - 1) * percent + 50) / 100];
            println!(
                "rotations={} median_ms={:.3} p90_ms={:.3} max_ms={:.3}",
                ms.len(),
                at(50),
                at(90),
                ms[ms.len() - 1]
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Rotates `path` `rotations` times; returns the latency of each, in milliseconds.
fn measure(path: &Path, rotations: usize) -> Result<Vec<f64>, String> {
    wait_for_data(path, Instant::now() + GIVE_UP).ok_or("the writer never wrote")?;
    let mut latencies = Vec::with_capacity(rotations);
    for i in 0..rotations.max(1) {
        // Rotate at moments spread over 100 ms, so that they fall anywhere in the period of
        // a writer that checks at intervals.
        std::thread::sleep(Duration::from_millis(20 + (i as u64 * 37) % 101));
        let rotated = path.with_extension(format!("log.{i}"));
        fs::rename(path, &rotated).map_err(|e| format!("rename: {e}"))?;
        let renamed = Instant::now();
        // Not O_EXCL: a writer may have created it already (Python's handler does).
        OpenOptions::new().append(true).create(true).open(path).map_err(|e| format!("create: {e}"))?;
        let landed =
            wait_for_data(path, renamed + GIVE_UP).ok_or("the writer did not follow the rotation")?;
        latencies.push((landed - renamed).as_secs_f64() * 1e3);
        fs::remove_file(&rotated).map_err(|e| format!("remove: {e}"))?;
    }
    Ok(latencies)
}

/// Polls until `path` holds data; returns when it was seen.
fn wait_for_data(path: &Path, deadline: Instant) -> Option<Instant> {
    loop {
        if fs::metadata(path).is_ok_and(|md| md.len() > 0) {
            return Some(Instant::now());
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(POLL);
    }
}
