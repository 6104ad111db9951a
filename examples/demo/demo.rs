//! The demo itself, shared by the demo binary (`main.rs`) and the end-to-end test that runs it
//! (`logrotate/tests/e2e/daemon.rs`): an app writes numbered lines through `watched-writer`
//! while `logrotated` rotates and compresses its log by size, narrated step by step, then a
//! tally of every line.

#[path = "monitor.rs"]
mod monitor;
#[path = "tally.rs"]
mod tally;

use monitor::{Monitor, Rotation};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use watched_writer::WatchedFile;

/// Bytes per line, newline included.
const LINE_BYTES: usize = 100;
/// 500 kB/s: with `size 1M`, a rotation about every two seconds.
const LINES_PER_SEC: u64 = 5_000;
/// The rule's `size 1M`.
const LIMIT: u64 = 1 << 20;

/// Where the demo narrates (stdout, or the e2e test's buffer), one whole line at a time from
/// any of its threads.
#[derive(Clone)]
pub struct Out {
    start: Instant,
    sink: Arc<Mutex<dyn Write + Send>>,
}

impl Out {
    /// Narration to `sink`, timed from now.
    pub fn new(sink: impl Write + Send + 'static) -> Out {
        Out { start: Instant::now(), sink: Arc::new(Mutex::new(sink)) }
    }

    /// `[  1.23s] text`: one timestamp, seconds since the demo started.
    fn say(&self, text: &str) {
        self.line(&format!("[{:6.2}s] {text}", self.start.elapsed().as_secs_f64()));
    }

    fn line(&self, text: &str) {
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        // A closed stdout is no reason to stop the demo (or leave logrotated running).
        let _ = writeln!(sink, "{text}").and_then(|()| sink.flush());
    }
}

/// `out.line(format!(...))`.
macro_rules! outln {
    ($out:expr) => { $out.line("") };
    ($out:expr, $($fmt:tt)*) => { $out.line(&format!($($fmt)*)) };
}

/// Runs the demo for `secs` seconds of writing with the `logrotated` at `daemon_bin`, narrating
/// to `out`. Ok(true) when no line was lost or duplicated, something rotated and logrotated
/// exited cleanly.
pub fn run(secs: u64, daemon_bin: &Path, out: Out) -> Result<bool, Box<dyn std::error::Error>> {
    outln!(
        out,
        "logrotate demo: an app writes {LINES_PER_SEC} numbered lines/s of {LINE_BYTES} bytes for {secs} s"
    );
    outln!(out, "through watched-writer while logrotated rotates and compresses its log by size; at the");
    outln!(out, "end every line is looked for in the log and the decompressed archives.\n");
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
    out.say(&format!(
        "step 1/3: starting {} in {} with this rule (conf.d/app):",
        daemon_bin.display(),
        dir.path().display()
    ));
    for line in rule.lines() {
        outln!(out, "           | {line}");
    }
    let mut daemon = Running(
        Command::new(daemon_bin)
            .arg("-s")
            .arg(dir.path().join("status"))
            .arg(&conf_d)
            .stderr(Stdio::piped())
            .spawn()?,
    );
    let stderr = daemon.0.stderr.take().expect("piped");
    let prefix = format!("{}/", dir.path().display());
    let printer = std::thread::spawn({
        let out = out.clone();
        move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // The daemon stamps its lines itself; ours is the one timestamp kept.
                let text =
                    line.split_once(' ').filter(|(t, _)| is_timestamp(t)).map_or(&*line, |(_, rest)| rest);
                out.say(&format!("logrotated: {}", text.replace(&prefix, "")));
            }
        }
    });
    let status_file = dir.path().join("status");
    if !wait_until(Duration::from_secs(30), || status_file.exists()) {
        return Err("logrotated did not start (no state file after 30 s)".into());
    }

    out.say(&format!("step 2/3: the app writes app.log through watched-writer for {secs} s"));
    let writer = Arc::new(WatchedFile::open(&log)?);
    let written = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let monitor = Monitor::start(out.clone(), dir.path(), LIMIT, writer.clone());
    let app = {
        let (writer, written, stop) = (writer.clone(), written.clone(), stop.clone());
        std::thread::spawn(move || write_lines(&writer, &written, &stop))
    };
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    app.join().expect("app thread")?;
    let written = written.load(Ordering::Relaxed);
    out.say(&format!("step 3/3: the app stopped after {written} lines; letting a due rotation finish"));
    // A log left above the limit is rotated within the debounce; wait for that, with a deadline.
    let settled = wait_until(Duration::from_secs(10), || {
        !monitor.is_busy() && fs::metadata(&log).map_or(true, |m| m.len() < LIMIT)
    });
    if !settled {
        out.say("a rotation did not finish within 10 s; counting anyway");
    }
    out.say("stopping logrotated (SIGTERM)");
    let pid = libc::pid_t::try_from(daemon.0.id()).expect("a pid fits pid_t");
    // SAFETY: kill(2) on the pid of our own child.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let status = daemon.0.wait()?;
    printer.join().expect("printer thread");
    let (rotations, problems) = monitor.finish();
    let stats = writer.stats();
    drop(writer);

    let t = tally::count(dir.path())?;
    let lost = (0..written).filter(|s| !t.found.contains(s)).count();
    outln!(out, "\n---- tally ----");
    outln!(
        out,
        "logrotated exit code:   {}",
        status.code().map_or("killed by a signal".into(), |c| c.to_string())
    );
    print_rotations(&out, &rotations);
    outln!(out, "archives:               {} files, {} in all", t.archives.len(), human(t.archive_bytes()));
    for a in &t.archives {
        outln!(
            out,
            "  {:<20} {:>10} from {:>10} ({:.1} %)",
            a.name,
            human(a.size),
            human(a.raw),
            a.percent()
        );
    }
    outln!(out, "writer reopens:         {} (failed: {})", stats.reopens, stats.reopen_failures);
    outln!(out, "lines written:          {written}");
    outln!(
        out,
        "lines found:            {} ({} in app.log, {} in the archives)",
        t.found.len(),
        t.in_log,
        t.found.len() - t.in_log
    );
    outln!(out, "lines duplicated:       {}", t.duplicates);
    outln!(out, "lines lost:             {lost}");
    for p in &problems {
        outln!(out, "problem:                {p}");
    }
    let ok = lost == 0
        && t.duplicates == 0
        && !rotations.is_empty()
        && problems.is_empty()
        && status.success()
        && t.found.len() as u64 == written;
    if ok {
        outln!(out, "\nOK: every line written is in app.log or an archive, exactly once.");
    } else {
        outln!(out, "\nFAILED: lines lost or duplicated, nothing rotated, or logrotated failed (see above).");
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
        let due = t0.elapsed().as_micros() * u128::from(LINES_PER_SEC) / 1_000_000;
        let due = u64::try_from(due).unwrap_or(u64::MAX);
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

fn print_rotations(out: &Out, rotations: &[Rotation]) {
    let lags: Vec<Duration> = rotations.iter().filter_map(|r| r.lag).collect();
    let waits: Vec<Duration> = rotations.iter().filter_map(|r| r.lock_wait).collect();
    let range = |v: &[Duration]| match (v.iter().min(), v.iter().max()) {
        (Some(&min), Some(&max)) if millis(min) == millis(max) => millis(min),
        (Some(&min), Some(&max)) => format!("{} to {}", millis(min), millis(max)),
        _ => "-".to_string(),
    };
    outln!(out, "rotations:              {}", rotations.len());
    outln!(out, "limit to rename:        {} (inotify, then up to the 200 ms debounce)", range(&lags));
    outln!(out, "rename to reopen:       {} (logrotated waits this long to compress)", range(&waits));
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
