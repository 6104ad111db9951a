//! The live demo: an app writes its log through `watched-writer` while `logrotated` rotates
//! and compresses it by size. Prints each rotation as it happens, then a tally proving that no
//! line was lost.
//!
//! ```sh
//! cargo run --release --example demo            # about 10 seconds
//! cargo run --release --example demo -- 30      # run for 30 seconds
//! ```

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LINE_BYTES: usize = 100;
const LINES_PER_SEC: u64 = 40_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secs: u64 = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(10);
    let daemon_bin = find_or_build("logrotated")?;
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
    println!("demo directory: {}\nrule (conf.d/app):\n{rule}", dir.path().display());

    let mut daemon = Command::new(&daemon_bin)
        .arg("-s")
        .arg(dir.path().join("status"))
        .arg(&conf_d)
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = daemon.stderr.take().expect("piped");
    let start = Instant::now();
    let printer = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("rotated") || line.contains("error") || line.contains("warning") {
                println!("[{:5.2}s] logrotated: {line}", start.elapsed().as_secs_f64());
            }
        }
    });
    wait_until(|| dir.path().join("status").exists());

    // The app: writes numbered lines through watched-writer at a steady rate.
    let writer = watched_writer::WatchedFile::open(&log)?;
    let written = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    println!(
        "app: writing {LINES_PER_SEC} lines/s of {LINE_BYTES} bytes for {secs} s through watched-writer"
    );
    let app = {
        let (written, stop) = (written.clone(), stop.clone());
        std::thread::spawn(move || -> std::io::Result<()> {
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
                    (&writer).write_all(&line)?;
                    seq += 1;
                    written.store(seq, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(())
        })
    };
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    app.join().expect("app thread")?;
    // Let a rotation that is due finish, then stop the daemon cleanly.
    std::thread::sleep(Duration::from_millis(1500));
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    let status = daemon.wait()?;
    printer.join().expect("printer thread");

    let written = written.load(Ordering::Relaxed);
    let (found, duplicates, archives) = tally(dir.path())?;
    let lost = (0..written).filter(|s| !found.contains(s)).count();
    println!("\n---- tally ----");
    println!("daemon exit status:   {status}");
    println!("archives:             {archives}");
    println!("lines written:        {written}");
    println!("lines found:          {} (live file + decompressed archives)", found.len());
    println!("lines duplicated:     {duplicates}");
    println!("lines lost:           {lost}");
    if lost > 0 || duplicates > 0 || archives == 0 {
        return Err("demo failed: lines lost, duplicated, or nothing rotated".into());
    }
    Ok(())
}

/// Every sequence number found in the live log and its archives (compressed or not).
fn tally(dir: &Path) -> std::io::Result<(HashSet<u64>, usize, usize)> {
    let mut found = HashSet::new();
    let (mut duplicates, mut archives) = (0, 0);
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if !name.starts_with("app.log") {
            continue;
        }
        let mut text = String::new();
        if name.ends_with(".gz") {
            archives += 1;
            flate2::read::MultiGzDecoder::new(fs::File::open(&path)?).read_to_string(&mut text)?;
        } else {
            archives += usize::from(name != "app.log");
            text = fs::read_to_string(&path)?;
        }
        for line in text.lines() {
            if let Some(seq) = line.get(..12).and_then(|s| s.parse::<u64>().ok()) {
                if !found.insert(seq) {
                    duplicates += 1;
                }
            }
        }
    }
    Ok((found, duplicates, archives))
}

fn wait_until(mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The workspace binary beside this example (target/<profile>/), built if missing.
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
