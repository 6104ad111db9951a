//! End-to-end tests of the real `logrotated` daemon. Waits are bounded polls (generous, so a
//! loaded CI machine does not fail them); latency itself is measured by the benchmark.

mod fixture;

use crate::common;
use fixture::{wait_for, Daemon, Launch};

use std::fs;
use std::io::Read;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn size_rule(d: &Path) {
    let text = format!("{}/logs/*.log {{\n size 1k\n rotate 10\n missingok\n}}\n", d.display());
    fs::write(d.join("conf.d/size.conf"), text).unwrap();
}

#[test]
fn size_trigger_rotates_a_growing_log() {
    let mut d = Daemon::start(|p| {
        size_rule(p);
        fs::write(p.join("logs/app.log"), "small\n").unwrap();
    });
    assert!(!d.p("logs/app.log.1").exists());
    fs::write(d.p("logs/app.log"), "x".repeat(4096)).unwrap();
    assert!(wait_for(|| d.p("logs/app.log.1").exists()), "size trigger did not fire");
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    assert!(err.contains("rotated"));
}

#[test]
fn new_file_matching_a_glob_is_picked_up() {
    let mut d = Daemon::start(size_rule);
    fs::write(d.p("logs/fresh.log"), "y".repeat(2048)).unwrap();
    assert!(wait_for(|| d.p("logs/fresh.log.1").exists()));
    assert_eq!(d.stop().0, Some(0));
}

#[test]
fn conf_d_change_is_picked_up_and_broken_config_keeps_old_rules() {
    // Stderr to a file, to see when the broken edit has been read.
    let launch = Launch { journal: true, ..Launch::default() };
    let mut d = Daemon::launch(launch, |p| fs::write(p.join("logs/a.txt"), "z".repeat(4096)).unwrap());
    // A new rule file: the already-large log rotates after the reload.
    d.rule("txt.conf", "@D@/logs/*.txt {\n size 1k\n rotate 5\n}\n");
    assert!(wait_for(|| d.p("logs/a.txt.1").exists()), "new rule not picked up");
    // A broken edit: the daemon keeps the previous rules and keeps rotating with them.
    d.rule("txt.conf", "@D@/logs/*.txt {\n size 1k\n rotate lots\n}\n");
    assert!(wait_for(|| d.stderr_so_far().contains("keeping the previous rules")), "broken edit not read");
    fs::write(d.p("logs/b.txt"), "w".repeat(4096)).unwrap();
    assert!(wait_for(|| d.p("logs/b.txt.1").exists()), "old rules not kept after a broken edit");
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    assert!(err.contains("txt.conf:3 bad rotation count 'lots'"), "{err}");
    assert!(err.contains("keeping the previous rules"));
}

#[test]
fn sighup_reloads_and_sigusr1_forces() {
    let mut d = Daemon::start(|p| fs::write(p.join("logs/app.log"), "a\n").unwrap());
    d.rule("daily.conf", "@D@/logs/app.log {\n daily\n rotate 3\n}\n");
    d.signal(libc::SIGHUP);
    // The pass after the reload records the log in the state; it did not rotate it.
    let recorded = || fs::read_to_string(d.p("state")).is_ok_and(|s| s.contains("logs/app.log\""));
    assert!(wait_for(recorded), "no pass after the reload");
    assert!(!d.p("logs/app.log.1").exists(), "daily rule, first seen: not due yet");
    d.signal(libc::SIGUSR1);
    assert!(wait_for(|| d.p("logs/app.log.1").exists()), "SIGUSR1 did not force rotation");
    assert_eq!(d.stop().0, Some(0));
}

#[test]
fn sigterm_during_a_large_rotation_leaves_consistent_state() {
    let mut d = Daemon::start(|p| {
        let line = "GET /api/v1/users?id=1234 HTTP/1.1 200 512 \"curl/8.4.0\"\n";
        fs::write(p.join("logs/big.log"), line.repeat(2_000_000)).unwrap();
    });
    d.rule("big.conf", "@D@/logs/big.log {\n size 1M\n rotate 2\n compress\n}\n");
    // Wait until the rename happened: compression of ~100 MB is now under way.
    assert!(wait_for(|| d.p("logs/big.log.1").exists() || d.p("logs/big.log.1.gz").exists()));
    let (code, _) = d.stop();
    assert_eq!(code, Some(0));
    let names: Vec<String> =
        fs::read_dir(d.p("logs")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    // Either the rotation finished (complete archive, source gone) or the archive is absent.
    if d.p("logs/big.log.1.gz").exists() {
        assert!(!d.p("logs/big.log.1").exists(), "{names:?}");
        let mut n = 0usize;
        let mut dec = flate2::read::MultiGzDecoder::new(fs::File::open(d.p("logs/big.log.1.gz")).unwrap());
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let k = dec.read(&mut buf).unwrap();
            if k == 0 {
                break;
            }
            n += k;
        }
        assert_eq!(n, 56 * 2_000_000, "archive is complete");
    } else {
        assert!(d.p("logs/big.log.1").exists(), "{names:?}");
    }
    let state = fs::read_to_string(d.p("state")).unwrap();
    assert!(state.starts_with("logrotate state -- version 2\n"));
    assert!(state.contains("big.log\" "), "{state}");
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn concurrent_one_shot_run_causes_no_double_rotation() {
    // Ten daily logs last rotated yesterday: both the daemon's first pass and a cron-style
    // `logrotate` run find them due. Exactly one of them may rotate each log.
    let yesterday = chrono::Local::now().naive_local() - chrono::Duration::days(1);
    let stamp = yesterday.format("%Y-%-m-%-d-%-H:%-M:%-S").to_string();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("conf.d")).unwrap();
    fs::create_dir_all(d.join("logs")).unwrap();
    let mut state = String::from("logrotate state -- version 2\n");
    for i in 0..10 {
        fs::write(d.join(format!("logs/l{i}.log")), format!("log {i}\n")).unwrap();
        state.push_str(&format!("\"{}/logs/l{i}.log\" {stamp}\n", d.display()));
    }
    fs::write(d.join("state"), state).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(d.join("state"), fs::Permissions::from_mode(0o640)).unwrap();
    fs::write(
        d.join("conf.d/daily.conf"),
        format!("{}/logs/*.log {{\n daily\n rotate 5\n create\n}}\n", d.display()),
    )
    .unwrap();
    // READY=1 says the daemon handles SIGTERM (sent before its first pass, which it finishes).
    let notify = UnixDatagram::bind(d.join("notify")).unwrap();
    notify.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let daemon = Command::new(common::bin("logrotated"))
        .arg("-s")
        .arg(d.join("state"))
        .arg(d.join("conf.d"))
        .env("NOTIFY_SOCKET", d.join("notify"))
        .env_remove("JOURNAL_STREAM")
        .env_remove("WATCHDOG_USEC")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let one_shot = Command::new(common::bin("logrotate"))
        .args(["--wait-for-state-lock=30", "-s"])
        .arg(d.join("state"))
        .arg(d.join("conf.d"))
        .output()
        .unwrap();
    assert_eq!(one_shot.status.code(), Some(0), "{}", String::from_utf8_lossy(&one_shot.stderr));
    assert!(wait_for(|| (0..10).all(|i| d.join(format!("logs/l{i}.log.1")).exists())));
    let mut daemon = Daemon { child: daemon, dir, notify: Some(notify), notes: Vec::new() };
    assert!(daemon.wait_note("READY=1"), "no READY=1: {:?}", daemon.notes);
    daemon.signal(libc::SIGTERM);
    assert_eq!(daemon.child.wait().unwrap().code(), Some(0));
    let d = daemon.dir.path();
    for i in 0..10 {
        assert!(!d.join(format!("logs/l{i}.log.2")).exists(), "l{i}.log rotated twice");
    }
    let state = fs::read_to_string(d.join("state")).unwrap();
    assert!(state.starts_with("logrotate state -- version 2\n"));
    assert_eq!(state.lines().count(), 11, "{state}");
}

#[test]
fn status_shows_next_due_and_size_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.log"), "abc").unwrap();
    fs::write(
        d.join("state"),
        format!("logrotate state -- version 2\n\"{}/a.log\" 2026-1-5-6:0:0\n", d.display()),
    )
    .unwrap();
    let conf = d.join("c.conf");
    fs::write(
        &conf,
        format!("{0}/a.log {{\n daily\n}}\n{0}/b.log {{\n size 10M\n missingok\n}}\n", d.display()),
    )
    .unwrap();
    let o = Command::new(common::bin("logrotate"))
        .arg("--status")
        .arg("-s")
        .arg(d.join("state"))
        .arg(&conf)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("2026-01-05 06:00") && text.contains("due now"), "{text}");
    assert!(text.contains("size ≥ 10 MiB") && text.contains("missing"), "{text}");
}

#[test]
fn regression_due_log_that_is_not_rotated_causes_no_busy_loop() {
    // A daily rule is due, but the log is empty and `notifempty`: the pass skips it. The
    // daemon must then sleep, not run a pass (rewriting the state) again and again.
    use std::os::unix::fs::MetadataExt;
    let mut d = Daemon::start(|p| {
        fs::write(p.join("logs/app.log"), "").unwrap();
        fs::write(p.join("logs/other.log"), "").unwrap();
        let stamp =
            (chrono::Local::now().naive_local() - chrono::Duration::days(3)).format("%Y-%-m-%-d-%-H:%-M:%-S");
        let state = format!("logrotate state -- version 2\n\"{}/logs/app.log\" {stamp}\n", p.display());
        fs::write(p.join("state"), state).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(p.join("state"), fs::Permissions::from_mode(0o640)).unwrap();
        let rule = format!("{}/logs/*.log {{\n daily\n notifempty\n rotate 2\n}}\n", p.display());
        fs::write(p.join("conf.d/daily.conf"), rule).unwrap();
    });
    // The first pass records the never-seen `other.log`; after it, no pass should follow.
    assert!(wait_for(|| fs::read_to_string(d.p("state")).is_ok_and(|s| s.contains("other.log"))));
    let ino = || fs::metadata(d.p("state")).unwrap().ino();
    std::thread::sleep(Duration::from_millis(300));
    let before = ino();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(before, ino(), "the state file was rewritten: the daemon is looping");
    assert!(!d.p("logs/app.log.1").exists());
    assert_eq!(d.stop().0, Some(0));
}

#[test]
fn directory_created_after_start_is_watched() {
    let mut d = Daemon::start(|p| {
        let rule = format!("{}/logs/later/*.log {{\n size 1k\n rotate 3\n missingok\n}}\n", p.display());
        fs::write(p.join("conf.d/later.conf"), rule).unwrap();
    });
    fs::create_dir(d.p("logs/later")).unwrap();
    // Keep appending until it rotates: far sooner than the 300 s rescan, because the new
    // directory was watched as soon as it appeared.
    let log = d.p("logs/later/app.log");
    assert!(wait_for(|| {
        use std::io::Write;
        let mut f = fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        f.write_all(&[b'q'; 512]).unwrap();
        d.p("logs/later/app.log.1").exists()
    }));
    assert_eq!(d.stop().0, Some(0));
}

#[test]
fn regression_failed_rotation_is_not_logged_as_rotated() {
    // Issue 7 item 9: a failing prerotate used to be followed by `rotated PATH`.
    let mut d = Daemon::start(|p| {
        let rule = format!(
            "{0}/logs/*.log {{\n size 1k\n rotate 3\n prerotate\n  touch {0}/prerotate-ran; exit 1\n endscript\n}}\n",
            p.display()
        );
        fs::write(p.join("conf.d/failing.conf"), rule).unwrap();
    });
    fs::write(d.p("logs/app.log"), "x".repeat(4096)).unwrap();
    assert!(wait_for(|| d.p("prerotate-ran").exists()), "the size trigger did not fire");
    // SIGTERM is handled once the pass under way has finished and reported.
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    let log = d.p("logs/app.log");
    assert!(
        err.contains(&format!("error: error running non-shared prerotate script for {}", log.display())),
        "{err}"
    );
    assert!(!err.contains(&format!("rotated {}", log.display())), "{err}");
    assert!(!d.p("logs/app.log.1").exists());
}

#[test]
fn regression_new_directories_matching_a_wildcard_directory_are_watched() {
    // Issue 7 item 10: after the first match of `logs/*/app.log`, `logs/` itself was no longer
    // watched, so logs in directories made later waited for the 300 s rescan.
    let mut d = Daemon::start(|p| {
        let rule = format!("{}/logs/*/app.log {{\n size 1k\n rotate 2\n}}\n", p.display());
        fs::write(p.join("conf.d/dirs.conf"), rule).unwrap();
        fs::create_dir(p.join("logs/first")).unwrap();
        fs::write(p.join("logs/first/app.log"), "small\n").unwrap();
    });
    let names: Vec<String> = (0..40).map(|i| format!("logs/d{i:02}")).collect();
    for name in &names {
        fs::create_dir(d.p(name)).unwrap();
        fs::write(d.p(&format!("{name}/app.log")), "q".repeat(2048)).unwrap();
    }
    assert!(
        wait_for(|| names.iter().all(|n| d.p(&format!("{n}/app.log.1")).exists())),
        "not rotated: {:?}",
        names.iter().filter(|n| !d.p(&format!("{n}/app.log.1")).exists()).collect::<Vec<_>>()
    );
    assert!(!d.p("logs/first/app.log.1").exists());
    assert_eq!(d.stop().0, Some(0));
}

#[test]
fn watch_cap_leaves_the_other_directories_to_the_rescan_with_one_warning() {
    // Issue 7 item 11: watches are capped. conf.d, logs and logs/d0 fit under a cap of 3; the
    // five other directories are left to the periodic rescan (here every second).
    let mut d = Daemon::start_with(&["--max-watches", "3", "--rescan-interval", "1"], |p| {
        let rule = format!("{}/logs/*/app.log {{\n size 1k\n rotate 2\n}}\n", p.display());
        fs::write(p.join("conf.d/dirs.conf"), rule).unwrap();
        for i in 0..6 {
            fs::create_dir(p.join(format!("logs/d{i}"))).unwrap();
        }
    });
    fs::write(d.p("logs/d5/app.log"), "q".repeat(2048)).unwrap();
    assert!(wait_for(|| d.p("logs/d5/app.log.1").exists()), "the rescan did not rotate it");
    // A few rescans later, still one warning.
    std::thread::sleep(Duration::from_millis(2500));
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("watch limit")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("warning: ") && warnings[0].contains("watching 3 directories"), "{err}");
    assert!(warnings[0].contains("5 more are left to the periodic rescan"), "{err}");
    assert!(err.contains("watching 3 directories"), "{err}");
}

#[test]
fn size_trigger_fires_while_another_log_is_written_without_pause() {
    // Every write to a watched directory is an inotify event; a busy log must neither hide
    // another log's size trigger nor make the daemon fall behind.
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let mut d = Daemon::start(|p| {
        size_rule(p);
        let busy = format!("{}/logs/busy.txt {{\n size 1G\n rotate 1\n}}\n", p.display());
        fs::write(p.join("conf.d/busy.conf"), busy).unwrap();
    });
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, path) = (stop.clone(), d.p("logs/busy.txt"));
        std::thread::spawn(move || {
            let mut f = fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                f.write_all(b"busy line\n").unwrap();
                n += 1;
                if n.is_multiple_of(1_000_000) {
                    f.set_len(0).unwrap(); // bounded disk use, whatever the speed
                }
            }
        })
    };
    assert!(wait_for(|| fs::metadata(d.p("logs/busy.txt")).is_ok_and(|m| m.len() > 0)));
    fs::write(d.p("logs/app.log"), "x".repeat(4096)).unwrap();
    let rotated = wait_for(|| d.p("logs/app.log.1").exists());
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(rotated, "size trigger did not fire under write load");
    assert!(!d.p("logs/busy.txt.1").exists());
    assert_eq!(d.stop().0, Some(0));
}

#[test]
fn systemd_hears_ready_reloading_and_stopping() {
    let mut d = Daemon::launch(Launch { notify: true, ..Launch::default() }, size_rule);
    assert!(d.notes[0].lines().any(|l| l.starts_with("STATUS=1 rules")), "{:?}", d.notes);
    let seen = d.notes.len();
    d.signal(libc::SIGHUP);
    assert!(d.wait_note("READY=1"), "no READY=1 after SIGHUP: {:?}", d.notes);
    let reloading = d.notes[seen..].iter().position(|n| n.lines().any(|l| l == "RELOADING=1"));
    let ready = d.notes[seen..].iter().position(|n| n.lines().any(|l| l == "READY=1"));
    assert!(reloading.is_some() && reloading < ready, "{:?}", d.notes);
    assert!(d.notes[seen + reloading.unwrap()].contains("MONOTONIC_USEC="), "{:?}", d.notes);
    d.signal(libc::SIGTERM);
    assert!(d.wait_note("STOPPING=1"), "no STOPPING=1: {:?}", d.notes);
    let (code, err) = d.exit();
    assert_eq!(code, Some(0));
    assert!(err.contains("info: configuration reloaded: 1 rules"), "{err}");
}

#[test]
fn watchdog_is_fed_when_systemd_asks_for_it() {
    let pid_free = Launch { notify: true, env: &[("WATCHDOG_USEC", "400000")], ..Launch::default() };
    let mut d = Daemon::launch(pid_free, size_rule);
    assert!(d.wait_note("WATCHDOG=1"), "no WATCHDOG=1: {:?}", d.notes);
    assert!(d.wait_note("WATCHDOG=1"), "WATCHDOG=1 only once: {:?}", d.notes);
    assert_eq!(d.stop().0, Some(0));
}

#[test]
fn journal_stream_gets_priority_prefixes_and_no_timestamps() {
    let launch = Launch { journal: true, notify: true, ..Launch::default() };
    let mut d = Daemon::launch(launch, |p| {
        size_rule(p);
        // An unknown directive (a warning) on a missing log (an error at each pass).
        fs::write(p.join("conf.d/odd.conf"), format!("{}/logs/x.txt {{\n frobnicate\n}}\n", p.display()))
            .unwrap();
    });
    fs::write(d.p("logs/app.log"), "x".repeat(4096)).unwrap();
    assert!(wait_for(|| d.p("logs/app.log.1").exists()), "size trigger did not fire");
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    assert!(!err.is_empty());
    for line in err.lines() {
        let prio = line.get(..3).unwrap_or(line);
        assert!(["<3>", "<4>", "<6>", "<7>"].contains(&prio), "no priority: {line:?}\n{err}");
        assert!(!line.contains("2026-") && !line[3..].starts_with(|c: char| c.is_ascii_digit()), "{line}");
    }
    assert!(err.lines().any(|l| l.starts_with("<6>info: rotated ")), "{err}");
    assert!(err.lines().any(|l| l.starts_with("<4>warning: ") && l.contains("frobnicate")), "{err}");
    // x.txt is missing, without `missingok`.
    assert!(err.lines().any(|l| l.starts_with("<3>error: stat of ") && l.contains("x.txt")), "{err}");
}

#[test]
fn regression_relative_config_paths_reload_on_change() {
    // Issue 11: relative config arguments were compared as written with the watcher's paths;
    // a config file named without a directory (`main.conf`) had no watched directory at all.
    let launch =
        Launch { configs: &["conf.d", "main.conf"], relative: true, notify: true, ..Launch::default() };
    let mut d = Daemon::launch(launch, |p| {
        fs::write(p.join("main.conf"), "# nothing yet\n").unwrap();
        fs::write(p.join("logs/a.txt"), "z".repeat(4096)).unwrap();
        fs::write(p.join("logs/b.dat"), "z".repeat(4096)).unwrap();
    });
    d.rule("txt.conf", "@D@/logs/*.txt {\n size 1k\n rotate 5\n}\n");
    assert!(wait_for(|| d.p("logs/a.txt.1").exists()), "a file added to conf.d was not picked up");
    let text = format!("{}/logs/*.dat {{\n size 1k\n rotate 5\n}}\n", d.d());
    fs::write(d.p("main.conf"), text).unwrap();
    assert!(wait_for(|| d.p("logs/b.dat.1").exists()), "an edit of main.conf was not picked up");
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    let absolute = format!("{} {}", d.p("conf.d").display(), d.p("main.conf").display());
    assert!(err.contains(&format!("no rules loaded from {absolute}")), "{err}");
}

#[test]
fn regression_missing_config_file_is_loaded_when_it_appears() {
    // Issue 11: `logrotated /nonexistent.conf` idled for ever with 0 rules. Here even the
    // file's directory is made later.
    let launch = Launch { configs: &["later/app.conf"], notify: true, ..Launch::default() };
    let mut d = Daemon::launch(launch, |p| fs::write(p.join("logs/a.txt"), "z".repeat(4096)).unwrap());
    fs::create_dir(d.p("later")).unwrap();
    let text = format!("{}/logs/*.txt {{\n size 1k\n rotate 5\n}}\n", d.d());
    fs::write(d.p("later/app.conf"), text).unwrap();
    assert!(wait_for(|| d.p("logs/a.txt.1").exists()), "the config file was not loaded");
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    assert!(err.contains("warning: no rules loaded from "), "{err}");
    assert!(err.contains("info: configuration reloaded: 1 rules"), "{err}");
}

#[test]
fn no_rules_is_a_warning_and_with_strict_an_error_exit() {
    let mut d = Daemon::launch(Launch { notify: true, ..Launch::default() }, |_| {});
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    let warning = format!("warning: no rules loaded from {}", d.p("conf.d").display());
    assert!(err.contains(&warning), "{err}");

    let mut d = Daemon::launch(Launch { args: &["--strict"], no_wait: true, ..Launch::default() }, |_| {});
    let (code, err) = d.exit();
    assert_eq!(code, Some(1));
    assert!(err.contains(&format!("warning: no rules loaded from {}", d.p("conf.d").display())), "{err}");
    assert!(err.contains("error: no rules to follow; exiting (--strict)"), "{err}");
    // With a rule, --strict changes nothing.
    let mut d = Daemon::launch(Launch { args: &["--strict"], notify: true, ..Launch::default() }, size_rule);
    assert_eq!(d.stop().0, Some(0));
}

/// A daemon (started with `args`) with a weekly rule not due, made to rotate by SIGUSR1 and
/// stopped: the stopped daemon and its stderr.
fn rotate_with_sigusr1(args: &[&str]) -> (Daemon, String) {
    let mut d = Daemon::launch(Launch { args, notify: true, ..Launch::default() }, |p| {
        fs::write(p.join("logs/app.log"), "a\n").unwrap();
        let rule = format!("{}/logs/app.log {{\n weekly\n rotate 3\n}}\n", p.display());
        fs::write(p.join("conf.d/weekly.conf"), rule).unwrap();
    });
    d.signal(libc::SIGUSR1);
    assert!(wait_for(|| d.p("logs/app.log.1").exists()), "SIGUSR1 did not force rotation");
    let (code, err) = d.stop();
    assert_eq!(code, Some(0));
    (d, err)
}

#[test]
fn regression_sigusr1_is_reported_as_forced_by_sigusr1() {
    // Issue 11: the daemon said `forced from command line`.
    let (_, err) = rotate_with_sigusr1(&[]);
    assert!(err.contains("info: rotating every log now: forced by SIGUSR1"), "{err}");
    assert!(!err.contains("command line"), "{err}");
}

#[path = "../../../examples/demo/demo.rs"]
mod demo;

/// What the demo narrates, kept to be read back.
#[derive(Clone, Default)]
struct Narration(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Narration {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_demo_rotates_and_loses_no_line() {
    // The demo's own code (`cargo test --release -p logrotate --test demo`), shortened to 3 s of
    // writing (1.5 MB: at least one rotation, which the demo waits for before it counts).
    let narration = Narration::default();
    let bin = common::bin("logrotated");
    let ok = demo::run(3, &bin, demo::Out::new(narration.clone()));
    let text = String::from_utf8_lossy(&narration.0.lock().unwrap()).into_owned();
    eprintln!("{text}");
    assert_eq!(ok.map_err(|e| e.to_string()), Ok(true));
    assert!(text.contains(&format!("step 1/3: starting {} in", bin.display())), "says what it runs first");
    assert!(text.contains("logrotated renamed app.log to app.log.1"));
    assert!(text.contains("writer reopened app.log (reopen #1) and released its lock on app.log.1"));
    assert!(text.contains("compressed app.log.1 to app.log.1.gz"));
    assert!(text.contains("lines lost:             0"));
    // One timestamp a line: the daemon's own are stripped.
    let iso = |w: &str| w.len() >= 19 && w.as_bytes()[4] == b'-' && w.as_bytes()[10] == b'T';
    for line in text.lines().filter(|l| l.starts_with('[')) {
        assert!(!line.split(' ').any(iso), "two timestamps: {line}");
    }
    assert!(!text.contains("exit status: "), "{text}");
}

#[test]
fn regression_sigusr1_verbose_trace_says_forced_by_sigusr1_and_logrotate_f_keeps_321_words() {
    // Issue 11: the -v trace of the pass SIGUSR1 forces said `forced from command line`, 3.21's
    // words for `logrotate -f`. The one-shot `-f` must keep them.
    let (d, err) = rotate_with_sigusr1(&["-v"]);
    let header = format!("rotating pattern: {}/logs/app.log  forced by SIGUSR1 (3 rotations)", d.d());
    assert!(err.contains(&header), "{err}");
    assert!(!err.contains("command line"), "{err}");

    fs::write(d.p("logs/app.log"), "b\n").unwrap();
    let one_shot = Command::new(common::bin("logrotate"))
        .args(["-f", "-v", "-s"])
        .arg(d.p("state"))
        .arg(d.p("conf.d"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&one_shot.stderr);
    assert_eq!(one_shot.status.code(), Some(0), "{err}");
    let header = format!("rotating pattern: {}/logs/app.log  forced from command line (3 rotations)", d.d());
    assert!(err.contains(&header), "{err}");
    assert!(d.p("logs/app.log.2").exists());
}
