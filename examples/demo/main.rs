//! The live demo: an app writes numbered lines through `watched-writer` while `logrotated`
//! rotates and compresses its log by size. It narrates each step (the limit crossed, the rename,
//! the writer's reopen that releases its lock, the compression the daemon held back until
//! then), and ends with a tally proving that no line was lost. It exits 1 if one was.
//!
//! ```sh
//! cargo run --release --example demo            # writes for 12 seconds
//! cargo run --release --example demo -- 30      # writes for 30 seconds
//! ```

mod monitor;
mod tally;

use monitor::{Monitor, Rotation};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use watched_writer::WatchedFile;

/// Bytes per line, newline included.
const LINE_BYTES: usize = 100;
/// 500 kB/s: with `size 1M`, a rotation about every two seconds.
const LINES_PER_SEC: u64 = 5_000;
/// The rule's `size 1M`.
const LIMIT: u64 = 1 << 20;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints `[  1.23s] text`: one timestamp, seconds since the demo started.
fn say(start: Instant, text: &str) {
    println!("[{:6.2}s] {text}", start.elapsed().as_secs_f64());
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let secs: u64 = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(12);
    println!(
        "logrotate demo: an app writes {LINES_PER_SEC} numbered lines/s of {LINE_BYTES} bytes for {secs} s"
    );
    println!("through watched-writer while logrotated rotates and compresses its log by size; at the");
    println!("end every line is looked for in the log and the decompressed archives.\n");
    let start = Instant::now();

    say(
        start,
        "step 1/4: building logrotated (cargo build -p logrotate --bins; up to a minute on a fresh clone)",
    );
    let daemon_bin = find_or_build("logrotated")?;
    say(start, &format!("built {}", daemon_bin.display()));

    let dir = tempfile::Builder::new().prefix("logrotate-demo-").tempdir()?;
    let log = dir.path().join("app.log");
    let conf_d = dir.path().join("conf.d");
    fs::create_dir(&conf_d)?;
    // A conf.d-style rule, exactly as it would sit in /etc/logrotate.d/.
    let rule = format!(
        "{} {{\n    size 1M\n    rotate 1000\n    compress\n    create 0640\n    missingok\n}}\n",
        log.display()
    );
    fs::write(conf_d.join("app"), &rule)?;
    say(
        start,
        &format!("step 2/4: starting logrotated in {} with this rule (conf.d/app):", dir.path().display()),
    );
    for line in rule.lines() {
        println!("           | {line}");
    }
    let mut daemon = Running(
        Command::new(&daemon_bin)
            .arg("-s")
            .arg(dir.path().join("status"))
            .arg(&conf_d)
            .stderr(Stdio::piped())
            .spawn()?,
    );
    let stderr = daemon.0.stderr.take().expect("piped");
    let prefix = format!("{}/", dir.path().display());
    let printer = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            // The daemon stamps its lines itself; ours is the one timestamp kept.
            let text = line.split_once(' ').filter(|(t, _)| is_timestamp(t)).map_or(&*line, |(_, rest)| rest);
            say(start, &format!("logrotated: {}", text.replace(&prefix, "")));
        }
    });
    let status_file = dir.path().join("status");
    if !wait_until(Duration::from_secs(30), || status_file.exists()) {
        return Err("logrotated did not start (no state file after 30 s)".into());
    }

    say(start, &format!("step 3/4: the app writes app.log through watched-writer for {secs} s"));
    let writer = Arc::new(WatchedFile::open(&log)?);
    let written = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let monitor = Monitor::start(start, dir.path(), LIMIT, writer.clone());
    let app = {
        let (writer, written, stop) = (writer.clone(), written.clone(), stop.clone());
        std::thread::spawn(move || write_lines(&writer, &written, &stop))
    };
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    app.join().expect("app thread")?;
    let written = written.load(Ordering::Relaxed);
    say(start, &format!("step 4/4: the app stopped after {written} lines; letting a due rotation finish"));
    // A log left above the limit is rotated within the debounce; wait for that, with a deadline.
    let settled = wait_until(Duration::from_secs(10), || {
        !monitor.is_busy() && fs::metadata(&log).map_or(true, |m| m.len() < LIMIT)
    });
    if !settled {
        say(start, "a rotation did not finish within 10 s; counting anyway");
    }
    say(start, "stopping logrotated (SIGTERM)");
    // SAFETY: kill(2) on the pid of our own child.
    unsafe { libc::kill(daemon.0.id() as i32, libc::SIGTERM) };
    let status = daemon.0.wait()?;
    printer.join().expect("printer thread");
    let (rotations, problems) = monitor.finish();
    let stats = writer.stats();
    drop(writer);

    let t = tally::count(dir.path())?;
    let lost = (0..written).filter(|s| !t.found.contains(s)).count();
    println!("\n---- tally ----");
    println!(
        "logrotated exit code:   {}",
        status.code().map_or("killed by a signal".into(), |c| c.to_string())
    );
    print_rotations(&rotations);
    println!("archives:               {} files, {} in all", t.archives.len(), human(t.archive_bytes()));
    for a in &t.archives {
        println!("  {:<20} {:>10} from {:>10} ({:.1} %)", a.name, human(a.size), human(a.raw), a.percent());
    }
    println!("writer reopens:         {} (failed: {})", stats.reopens, stats.reopen_failures);
    println!("lines written:          {written}");
    println!(
        "lines found:            {} ({} in app.log, {} in the archives)",
        t.found.len(),
        t.in_log,
        t.found.len() - t.in_log
    );
    println!("lines duplicated:       {}", t.duplicates);
    println!("lines lost:             {lost}");
    for p in &problems {
        println!("problem:                {p}");
    }
    let ok = lost == 0
        && t.duplicates == 0
        && !rotations.is_empty()
        && problems.is_empty()
        && status.success()
        && t.found.len() as u64 == written;
    if ok {
        println!("\nOK: every line written is in app.log or an archive, exactly once.");
    } else {
        println!("\nFAILED: lines lost or duplicated, nothing rotated, or logrotated failed (see above).");
    }
    Ok(ok)
}

/// The daemon, killed if the demo ends early (an error) with it still running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The app: numbered lines at a steady rate, each written whole with one `write`.
fn write_lines(writer: &WatchedFile, written: &AtomicU64, stop: &AtomicBool) -> std::io::Result<()> {
    let t0 = Instant::now();
    let mut seq = 0u64;
    let mut line = Vec::with_capacity(LINE_BYTES);
    while !stop.load(Ordering::Relaxed) {
        let due = (t0.elapsed().as_secs_f64() * LINES_PER_SEC as f64) as u64;
        while seq < due {
            line.clear();
            write!(line, "{seq:012} demo line from the app")?;
            line.resize(LINE_BYTES - 1, b'.');
            line.push(b'\n');
            (&*writer).write_all(&line)?;
            seq += 1;
            written.store(seq, Ordering::Relaxed);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(())
}

fn print_rotations(rotations: &[Rotation]) {
    let lags: Vec<Duration> = rotations.iter().filter_map(|r| r.lag).collect();
    let waits: Vec<Duration> = rotations.iter().filter_map(|r| r.lock_wait).collect();
    let range = |v: &[Duration]| match (v.iter().min(), v.iter().max()) {
        (Some(&min), Some(&max)) if millis(min) == millis(max) => millis(min),
        (Some(&min), Some(&max)) => format!("{} to {}", millis(min), millis(max)),
        _ => "-".to_string(),
    };
    println!("rotations:              {}", rotations.len());
    println!("limit to rename:        {} (inotify, then up to the 200 ms debounce)", range(&lags));
    println!("rename to reopen:       {} (logrotated waits this long to compress)", range(&waits));
}

/// `86 ms`; `under 2 ms` below what polling every 2 ms can tell apart.
fn millis(d: Duration) -> String {
    if d < Duration::from_millis(2) {
        "under 2 ms".to_string()
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// `2026-01-05T06:00:00.123`: the timestamp the daemon puts before its lines.
fn is_timestamp(s: &str) -> bool {
    s.len() >= 19 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T'
}

/// `1.03 MiB`, `61.2 KiB`, `512 B`.
fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.2} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !cond() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// The workspace binary beside this example (target/<profile>/), built first (a no-op when
/// it is up to date).
fn find_or_build(name: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe.parent().and_then(Path::parent).ok_or("cannot locate target dir")?;
    let bin = profile_dir.join(name);
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet", "-p", "logrotate", "--bins"]).current_dir(env!("CARGO_MANIFEST_DIR"));
    if release {
        cmd.arg("--release");
    }
    if !cmd.status()?.success() {
        return Err("cargo build -p logrotate failed".into());
    }
    if !bin.exists() {
        return Err(format!("{} not found", bin.display()).into());
    }
    Ok(bin)
}
