//! One test per promise of the crate: the lock handshake, reopen failures, the create grace,
//! truncation, options, and whole records under concurrency.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use watched_writer::{Error, ReopenPolicy, WatchedFile, WatchedFileBuilder};

fn dir() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let log = root.path().join("app.log");
    (root, log)
}

/// Waits up to 20 s for `cond`; panics with `what` if it never holds.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Whether another open file description can take an exclusive lock on `path` now, as the
/// rotator does before compressing.
fn rotator_can_lock(path: &Path) -> bool {
    let f = File::open(path).unwrap();
    match f.try_lock() {
        Ok(()) => true,
        Err(TryLockError::WouldBlock) => false,
        Err(TryLockError::Error(e)) => panic!("flock: {e}"),
    }
}

/// The default policy with an hour-long safety net: only inotify can find changes.
fn inotify_only() -> WatchedFileBuilder {
    WatchedFile::builder().safety_net(Duration::from_secs(3600))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

#[test]
fn is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WatchedFile>();
}

#[test]
fn holds_a_shared_lock_while_open_and_releases_it_on_drop() {
    let (_root, path) = dir();
    let log = WatchedFile::open(&path).unwrap();
    assert!(!rotator_can_lock(&path));
    // Other writers of the handshake can share it.
    let other = File::open(&path).unwrap();
    other.try_lock_shared().unwrap();
    drop(other);
    drop(log);
    assert!(rotator_can_lock(&path));
}

#[test]
fn releases_the_rotated_file_and_locks_the_new_one_on_reopen() {
    let (root, path) = dir();
    let rotated = root.path().join("app.log.1");
    let mut log = WatchedFile::builder().policy(ReopenPolicy::EveryWrite).open(&path).unwrap();
    writeln!(log, "one").unwrap();
    fs::rename(&path, &rotated).unwrap();
    assert!(!rotator_can_lock(&rotated), "still open: the rotator must wait");
    File::create(&path).unwrap();
    writeln!(log, "two").unwrap();
    assert!(rotator_can_lock(&rotated), "reopened: the rotator may compress");
    assert!(!rotator_can_lock(&path));
    assert_eq!((read(&rotated).as_str(), read(&path).as_str()), ("one\n", "two\n"));
}

#[test]
fn notify_releases_the_rotated_file_even_when_the_app_is_idle() {
    let (root, path) = dir();
    let rotated = root.path().join("app.log.1");
    let log = inotify_only().open(&path).unwrap();
    (&log).write_all(b"one\n").unwrap();
    fs::rename(&path, &rotated).unwrap();
    File::create(&path).unwrap();
    eventually("the rotated file is released", || rotator_can_lock(&rotated));
    // The counter goes up just after the old file is released: wait for it too, or this
    // thread can read it in between.
    eventually("the reopen is counted", || log.stats().reopens == 1);
    assert!(!rotator_can_lock(&path));
}

#[test]
fn notify_waits_out_the_create_grace_for_the_rotator_to_create_the_file() {
    let (root, path) = dir();
    let rotated = root.path().join("app.log.1");
    let mut log = inotify_only().create_grace(Duration::from_secs(3600)).open(&path).unwrap();
    fs::rename(&path, &rotated).unwrap();
    // Give the background thread the chance to (wrongly) create the file.
    std::thread::sleep(Duration::from_millis(50));
    writeln!(log, "during the grace").unwrap();
    assert!(!path.exists(), "the writer must leave creating the file to the rotator");
    assert_eq!(read(&rotated), "during the grace\n");
    // The rotator creates it (logrotate's `create`, with O_EXCL, which would fail had the
    // writer created it first).
    OpenOptions::new().write(true).create_new(true).open(&path).unwrap();
    eventually("the reopen", || log.stats().reopens == 1);
    writeln!(log, "after").unwrap();
    assert_eq!(read(&path), "after\n");
}

#[test]
fn notify_creates_the_file_after_the_grace() {
    let (root, path) = dir();
    let log = inotify_only().create_grace(Duration::from_millis(20)).open(&path).unwrap();
    fs::rename(&path, root.path().join("app.log.1")).unwrap();
    eventually("the writer creates the file", || log.stats().reopens == 1);
    assert!(path.exists());
}

#[test]
fn a_deleted_file_is_replaced_without_grace() {
    let (_root, path) = dir();
    let log = inotify_only().create_grace(Duration::from_secs(3600)).open(&path).unwrap();
    fs::remove_file(&path).unwrap();
    eventually("the reopen", || log.stats().reopens == 1);
    (&log).write_all(b"x\n").unwrap();
    assert_eq!(read(&path), "x\n");
}

#[test]
fn notify_follows_a_recreated_directory() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    let path = dir.join("app.log");
    let log = inotify_only().open(&path).unwrap();
    // Moved away before removal: removing it in place races with the writer, which recreates
    // its deleted file at once, and the removal then fails with ENOTEMPTY.
    let trash = root.path().join("logs.trash");
    fs::rename(&dir, &trash).unwrap();
    fs::remove_dir_all(&trash).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    fs::create_dir(&dir).unwrap();
    eventually("the reopen", || log.stats().reopens == 1);
    (&log).write_all(b"back\n").unwrap();
    assert_eq!(read(&path), "back\n");
    // And the new directory is watched in turn.
    fs::rename(&path, dir.join("app.log.1")).unwrap();
    File::create(&path).unwrap();
    eventually("the second reopen", || log.stats().reopens == 2);
}

#[test]
fn safety_net_finds_changes_without_inotify() {
    let (root, path) = dir();
    let log =
        WatchedFile::builder().policy(ReopenPolicy::Interval(Duration::from_millis(10))).open(&path).unwrap();
    fs::rename(&path, root.path().join("app.log.1")).unwrap();
    File::create(&path).unwrap();
    eventually("the reopen", || log.stats().reopens == 1);
}

#[test]
fn a_failed_reopen_keeps_writing_to_the_old_file_and_retries() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    let path = dir.join("app.log");
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&errors);
    let mut log = WatchedFile::builder()
        .policy(ReopenPolicy::EveryWrite)
        .create_grace(Duration::ZERO)
        .max_retry_interval(Duration::from_millis(1))
        .on_error(move |e: &Error| seen.lock().unwrap().push(e.to_string()))
        .open(&path)
        .unwrap();
    // The directory is moved away and a plain file stands in its place: even root cannot
    // open the path now.
    let moved = root.path().join("logs.old");
    fs::rename(&dir, &moved).unwrap();
    fs::write(&dir, "").unwrap();
    let err = log.check_now().unwrap_err();
    assert!(matches!(err, Error::Open { .. }), "{err:?}");
    writeln!(log, "kept").unwrap();
    assert_eq!(read(&moved.join("app.log")), "kept\n");
    assert!(log.stats().reopen_failures >= 1);
    assert!(!errors.lock().unwrap().is_empty());
    assert_eq!(log.stats().reopens, 0);
    // Fixed: the next check (here, the next write) opens the path.
    fs::remove_file(&dir).unwrap();
    fs::create_dir(&dir).unwrap();
    std::thread::sleep(Duration::from_millis(5));
    writeln!(log, "new").unwrap();
    assert_eq!(log.stats().reopens, 1);
    assert_eq!(read(&path), "new\n");
}

#[test]
fn the_background_thread_retries_a_failed_reopen() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    let path = dir.join("app.log");
    let log = inotify_only()
        .create_grace(Duration::ZERO)
        .max_retry_interval(Duration::from_millis(20))
        .open(&path)
        .unwrap();
    fs::rename(&dir, root.path().join("logs.old")).unwrap();
    fs::write(&dir, "").unwrap();
    eventually("a failed reopen", || log.stats().reopen_failures >= 2);
    fs::remove_file(&dir).unwrap();
    fs::create_dir(&dir).unwrap();
    eventually("the reopen", || log.stats().reopens == 1);
    (&log).write_all(b"x\n").unwrap();
    assert_eq!(read(&path), "x\n");
}

#[test]
fn appends_at_the_new_end_after_copytruncate() {
    let (_root, path) = dir();
    let mut log = WatchedFile::open(&path).unwrap();
    writeln!(log, "a long line written before the truncation").unwrap();
    OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
    writeln!(log, "after").unwrap();
    assert_eq!(read(&path), "after\n", "no hole of NUL bytes");
    // A check sees the file shorter than at the check before. The background thread checks
    // too (at once when it starts, then every second), so the truncation above may or may not
    // have been counted: count from a check made after it, when the file can only grow.
    log.check_now().unwrap();
    let before = log.stats().truncations;
    OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
    log.check_now().unwrap();
    assert_eq!(log.stats().truncations, before + 1);
    assert_eq!(log.stats().reopens, 0);
}

#[test]
fn a_replaced_file_is_followed() {
    let (root, path) = dir();
    let mut log = WatchedFile::builder().policy(ReopenPolicy::EveryWrite).open(&path).unwrap();
    writeln!(log, "old").unwrap();
    let tmp = root.path().join("tmp");
    fs::write(&tmp, "other\n").unwrap();
    fs::rename(&tmp, &path).unwrap();
    writeln!(log, "new").unwrap();
    assert_eq!(read(&path), "other\nnew\n");
}

#[test]
fn missing_directory_is_an_error_unless_create_dirs() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("a/b/app.log");
    let err = WatchedFile::open(&path).unwrap_err();
    assert!(
        matches!(&err, Error::Open { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
        "{err}"
    );
    assert_eq!(err.path(), path);
    let mut log = WatchedFile::builder().create_dirs(true).open(&path).unwrap();
    writeln!(log, "x").unwrap();
    assert_eq!(read(&path), "x\n");
}

#[test]
fn create_dirs_also_applies_on_reopen() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("logs/app.log");
    let mut log = WatchedFile::builder()
        .create_dirs(true)
        .policy(ReopenPolicy::EveryWrite)
        .create_grace(Duration::ZERO)
        .open(&path)
        .unwrap();
    fs::remove_dir_all(root.path().join("logs")).unwrap();
    writeln!(log, "x").unwrap();
    assert_eq!(read(&path), "x\n");
}

#[test]
fn creates_the_file_with_the_given_mode() {
    let (_root, path) = dir();
    let _log = WatchedFile::builder().mode(0o600).open(&path).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_relative_path_is_made_absolute() {
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    // The same file, named relative to the current directory.
    let cwd = std::env::current_dir().unwrap();
    let mut relative = PathBuf::new();
    for _ in cwd.components().skip(1) {
        relative.push("..");
    }
    relative.push(tmp.path().join("app.log").strip_prefix("/").unwrap());
    let log = WatchedFile::builder().policy(ReopenPolicy::EveryWrite).open(&relative).unwrap();
    assert!(log.path().is_absolute());
    assert_eq!(log.policy(), ReopenPolicy::EveryWrite);
    assert!(tmp.path().join("app.log").exists());
}

#[test]
fn open_errors_convert_to_io_errors() {
    fn open(path: &Path) -> std::io::Result<WatchedFile> {
        Ok(WatchedFile::open(path)?)
    }
    let err = open(Path::new("/nonexistent-dir-for-test/app.log")).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}

/// Threads write `writeln!` records while another thread rotates as fast as it can and forces
/// reopens: every record is whole and appears exactly once.
#[test]
fn records_stay_whole_and_unique_under_concurrent_rotation() {
    let (root, path) = dir();
    let log =
        WatchedFile::builder().policy(ReopenPolicy::Interval(Duration::from_secs(3600))).open(&path).unwrap();
    let (threads, per_thread) = (4, 3000);
    let rotations = AtomicUsize::new(0);
    let writing = AtomicUsize::new(threads);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (log, writing, rotations) = (&log, &writing, &rotations);
            s.spawn(move || {
                let mut log = log;
                for i in 0..per_thread {
                    // Under load the writers could finish before any rotation: make sure at
                    // least one happens while they write.
                    while i == per_thread / 2 && rotations.load(Ordering::Relaxed) < 1 {
                        std::thread::yield_now();
                    }
                    // Three pieces, formatted into one record.
                    writeln!(log, "t{t} n{i:06} {}", "x".repeat(i % 200)).unwrap();
                }
                writing.fetch_sub(1, Ordering::Relaxed);
            });
        }
        s.spawn(|| {
            while writing.load(Ordering::Relaxed) > 0 || rotations.load(Ordering::Relaxed) < 2 {
                let n = rotations.fetch_add(1, Ordering::Relaxed);
                let _ = fs::rename(&path, root.path().join(format!("app.log.{n}")));
                log.check_now().unwrap();
            }
        });
    });
    assert!(rotations.load(Ordering::Relaxed) > 1);
    let mut seen = BTreeSet::new();
    for entry in fs::read_dir(root.path()).unwrap() {
        let text = read(&entry.unwrap().path());
        assert!(text.is_empty() || text.ends_with('\n'));
        for line in text.lines() {
            let mut parts = line.split(' ');
            let (t, n, pad) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            let i: usize = n[1..].parse().unwrap();
            assert_eq!(pad, "x".repeat(i % 200), "torn record: {line:?}");
            assert!(seen.insert((t.to_string(), i)), "duplicate record: {line:?}");
        }
    }
    assert_eq!(seen.len(), threads * per_thread);
}
