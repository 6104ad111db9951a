//! Stress test of the writer handshake: threads write numbered lines through one `WatchedFile`
//! while our `logrotate` rotates the file every 100 ms with `compress` and no `delaycompress`
//! (the archive is compressed, and the rotated file removed, right after the rename). Every
//! sequence number must be found exactly once across the live file and the archives.

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use watched_writer::{ReopenPolicy, WatchedFile};

const WRITERS: usize = 4;
const ROTATIONS: usize = 30;

/// The lines of `path`, decompressed if it is an archive.
fn lines_of(path: &Path) -> String {
    let mut text = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::MultiGzDecoder::new(fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    } else {
        fs::File::open(path).unwrap().read_to_string(&mut text).unwrap();
    }
    text
}

/// The default policy: inotify, reopening within a millisecond or so of each rotation.
#[test]
fn no_line_is_lost_while_logrotate_compresses_every_100ms() {
    stress(ReopenPolicy::Notify);
}

/// A writer slow to notice (up to 50 ms): lines keep going to the rotated file while
/// logrotate wants to compress it. Only the lock handshake saves them (this test fails when
/// the writer takes no lock).
#[test]
fn no_line_is_lost_with_a_slow_writer() {
    stress(ReopenPolicy::Interval(Duration::from_millis(50)));
}

fn stress(policy: ReopenPolicy) {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("app.log");
    let conf = dir.path().join("stress.conf");
    fs::write(
        &conf,
        format!("{} {{\n    rotate 1000\n    compress\n    create\n    missingok\n}}\n", log_path.display()),
    )
    .unwrap();
    fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
    let logrotate = common::bin("logrotate");

    let log = WatchedFile::builder().policy(policy).open(&log_path).unwrap();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let mut reports = Vec::new();
    std::thread::scope(|s| {
        for t in 0..WRITERS {
            let (log, next, stop) = (&log, &next, &stop);
            s.spawn(move || {
                let mut log = log;
                let pad = "x".repeat(40 + 10 * t);
                // Bursts of 5 lines, about 5000 lines/s per thread: enough to hit every moment
                // of a rotation, little enough for a debug build to compress in time.
                while !stop.load(Ordering::Relaxed) {
                    for _ in 0..5 {
                        let seq = next.fetch_add(1, Ordering::Relaxed);
                        log.write_all(format!("{seq:012} t{t} {pad}\n").as_bytes()).unwrap();
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
        let started = Instant::now();
        for i in 0..ROTATIONS {
            let round = Instant::now();
            let out = std::process::Command::new(&logrotate)
                .arg("-f")
                .arg("-s")
                .arg(dir.path().join("status"))
                .arg(&conf)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            reports.push((i, out.status, stderr));
            std::thread::sleep(Duration::from_millis(100).saturating_sub(round.elapsed()));
        }
        stop.store(true, Ordering::Relaxed);
        eprintln!("{ROTATIONS} rotations in {:.1} s", started.elapsed().as_secs_f64());
    });
    let stats = log.stats();
    drop(log);

    for (i, status, stderr) in &reports {
        assert!(status.success() && stderr.is_empty(), "logrotate run {i}: {status}\n{stderr}");
    }
    let written = next.load(Ordering::Relaxed);
    let mut found: BTreeMap<u64, usize> = BTreeMap::new();
    let mut archives = 0;
    for entry in fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("app.log") {
            continue;
        }
        archives += usize::from(name != "app.log");
        for line in lines_of(&path).lines() {
            let seq: u64 = line[..12].parse().unwrap_or_else(|_| panic!("bad line in {name}: {line:?}"));
            *found.entry(seq).or_default() += 1;
        }
    }
    eprintln!("{written} lines, {archives} archives, writer stats {stats:?}");
    assert_eq!(archives, ROTATIONS, "one archive per rotation");
    assert!(stats.reopens >= ROTATIONS as u64, "{stats:?}");
    let duplicates: Vec<_> = found.iter().filter(|(_, &n)| n > 1).map(|(s, _)| *s).take(10).collect();
    assert!(duplicates.is_empty(), "lines found twice: {duplicates:?}");
    let missing: Vec<u64> = (0..written).filter(|s| !found.contains_key(s)).take(10).collect();
    assert!(missing.is_empty(), "lines lost (of {written}): {missing:?}");
    assert_eq!(found.len() as u64, written);
}
