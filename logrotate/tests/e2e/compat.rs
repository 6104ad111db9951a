//! End-to-end tests of deliberate differences from logrotate 3.21 (see the README's
//! "Compatibility" section), safety rules, and regressions found in review.

use crate::common;

use common::fixture::{code, is_root, stderr, Fx};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

#[test]
fn missing_olddir_abandons_the_rest_of_the_file_as_3_21() {
    // As logrotate 3.21 at load time: the stanza and the rest of its file are dropped
    // (differential/scenarios_olddir.rs compares it with 3.21).
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.write("other.log", "o\n");
    fx.conf("@D@/app.log {\n rotate 1\n olddir nowhere\n}\n@D@/other.log {\n rotate 1\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error verifying olddir path"), "{}", stderr(&o));
    assert_eq!(fx.read("app.log"), "x\n");
    assert_eq!(fx.read("other.log"), "o\n");
    assert!(!fx.p("other.log.1").exists());
}

#[test]
fn ignoreduplicates_in_the_later_stanza_is_honoured() {
    // logrotate only honours it when set before the stanza's file list; we honour it in the
    // stanza that has the duplicate, as its name promises.
    let fx = Fx::new();
    fx.write("app.log", "a\n");
    fx.write("other.log", "o\n");
    fx.conf("@D@/app.log {\n rotate 1\n}\n@D@/*.log {\n ignoreduplicates\n rotate 2\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.read("app.log.1"), "a\n");
    assert_eq!(fx.read("other.log.1"), "o\n");
}

#[test]
fn duplicate_without_ignoreduplicates_is_an_error_and_drops_the_rest_of_the_pattern() {
    let fx = Fx::new();
    fx.write("app.log", "a\n");
    fx.write("other.log", "o\n");
    fx.conf("@D@/app.log {\n rotate 1\n}\n@D@/*.log {\n rotate 2\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("duplicate log entry"), "{}", stderr(&o));
    assert_eq!(fx.read("app.log.1"), "a\n");
    // As 3.21: the rest of the pattern's files after the duplicate are dropped too.
    assert!(!fx.exists("other.log.1"));
}

#[test]
fn shipped_system_configs_parse_cleanly_in_dry_run() {
    // Rules copied unchanged from /etc/logrotate.d (present where Debian's logrotate is
    // installed, as in CI) must load without a single error or warning.
    let mut configs = vec![PathBuf::from("/etc/logrotate.conf")];
    if let Ok(rd) = fs::read_dir("/etc/logrotate.d") {
        configs.extend(rd.map(|e| e.unwrap().path()));
    }
    let configs: Vec<_> = configs.into_iter().filter(|p| p.is_file()).collect();
    if configs.is_empty() {
        eprintln!("skipping: no system logrotate configs here");
        return;
    }
    for conf in configs {
        let o = common::logrotate().args(["--plan-json", "-s", "/dev/null"]).arg(&conf).output().unwrap();
        let err = stderr(&o);
        assert!(!err.contains("error:") && !err.contains("warning:"), "{}: {err}", conf.display());
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap();
    }
}

#[test]
fn version_usage_and_help() {
    let v = common::logrotate().arg("--version").output().unwrap();
    assert_eq!(code(&v), 0);
    assert!(String::from_utf8_lossy(&v.stdout).contains("3.21"));
    let u = common::logrotate().arg("--usage").output().unwrap();
    assert!(String::from_utf8_lossy(&u.stdout).starts_with("Usage: logrotate"));
    let h = common::logrotate().arg("-?").output().unwrap();
    assert_eq!(code(&h), 0);
    assert!(String::from_utf8_lossy(&h.stdout).contains("--force"));
    let none = common::logrotate().output().unwrap();
    assert_eq!(code(&none), 1, "no arguments prints usage and exits 1, like logrotate");
}

#[test]
fn leftover_partial_archive_from_a_crash_is_replaced() {
    let fx = Fx::new();
    fx.write("app.log", "complete\n");
    fx.write(".app.log.1.gz.partial", "half-written garbage");
    fx.conf("@D@/app.log {\n rotate 1\n compress\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert_eq!(fx.gunzip("app.log.1.gz"), "complete\n");
    assert!(!fx.exists(".app.log.1.gz.partial"));
}

#[test]
fn existing_archive_is_never_overwritten_by_compression() {
    let fx = Fx::new();
    fx.write("app.log", "new\n");
    fx.write("app.log.1.gz", "precious");
    // delaycompress: the next run compresses app.log.1 -> app.log.1.gz, which already exists.
    fx.write("app.log.1", "previous\n");
    fx.conf("@D@/app.log {\n rotate 5\n compress\n delaycompress\n}\n");
    let o = fx.run(&["-f"]);
    // Both are kept: app.log.1 does not match the archive, so it is moved aside (reported once)
    // and the rotation goes on.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("does not match"), "{}", stderr(&o));
    assert_eq!(fx.read("app.log.2.gz"), "precious");
    assert_eq!(fx.read("app.log.1.conflict"), "previous\n");
    assert_eq!(fx.read("app.log.1"), "new\n");
}

#[test]
fn regression_archive_left_by_lock_timeout_is_kept_on_the_next_run() {
    let fx = Fx::new();
    fx.write("app.log", "first\n");
    fx.conf("@D@/app.log {\n rotate 3\n compress\n locktimeout 0.2\n}\n");
    // The first run: a writer still holds the rotated file, so it stays uncompressed.
    let writer = fs::File::open(fx.p("app.log")).unwrap();
    writer.lock_shared().unwrap();
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("still open for writing"), "{}", stderr(&o));
    assert_eq!(fx.read("app.log.1"), "first\n");
    drop(writer);
    // The next run keeps it: compressed and shifted, not overwritten.
    fx.write("app.log", "second\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert_eq!(fx.gunzip("app.log.1.gz"), "second\n");
    assert_eq!(fx.gunzip("app.log.2.gz"), "first\n");
}

#[test]
fn regression_log_never_replaces_an_archive_a_writer_still_holds() {
    let fx = Fx::new();
    fx.write("app.log", "new\n");
    fx.write("app.log.1", "old\n");
    fx.conf("@D@/app.log {\n rotate 3\n compress\n delaycompress\n locktimeout 0.2\n}\n");
    let f = fs::File::open(fx.p("app.log.1")).unwrap();
    f.lock_shared().unwrap();
    let o = fx.run(&["-f"]);
    // Moved out of the way as logrotate 3.21 moves any file in a destination's way (it would
    // rename the log over it): reported, exit status unchanged, the log rotates.
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists, renaming to"), "{}", stderr(&o));
    let backup = fx.names().into_iter().find(|n| n.starts_with("app.log.1-") && n.ends_with(".backup"));
    assert_eq!(fx.read(&backup.expect("a backup")), "old\n");
    assert_eq!(fx.read("app.log.1"), "new\n");
}

#[test]
fn copytruncate_copies_what_was_appended_during_the_copy() {
    // A writer appends numbered lines while the log is copied and truncated. Whatever the timing
    // (CI machines are loaded), the archive must hold every line written before the truncation
    // point and the live log every line after it: lines can only go missing in one run, the
    // instant between the last read and the truncate.
    use std::io::Write;
    let fx = Fx::new();
    let numbered = |i: u64| format!("{i:012} {}\n", "x".repeat(87));
    let initial = 500_000u64;
    fx.write("app.log", &(0..initial).map(numbered).collect::<String>());
    fx.conf("@D@/app.log {\n rotate 1\n copytruncate\n}\n");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = std::thread::spawn({
        let (p, stop) = (fx.p("app.log"), stop.clone());
        move || {
            let mut f = fs::OpenOptions::new().append(true).open(p).unwrap();
            let mut n = initial;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                f.write_all(numbered(n).as_bytes()).unwrap();
                n += 1;
            }
            n
        }
    });
    let o = fx.run(&["-f"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Whole lines only: a read may see the first part of a line being appended (the kernel
    // makes a write visible page by page), so the archive may end in the head of the line the
    // truncation cut; it must be exactly that, a prefix of the next line.
    let numbers = |rel: &str| -> Vec<u64> {
        let text = fx.read(rel);
        let (whole, cut) = match text.rfind('\n') {
            Some(end) => text.split_at(end + 1),
            None => ("", text.as_str()),
        };
        let lines: Vec<u64> = whole.lines().map(|l| l[..12].parse().unwrap()).collect();
        assert!(numbered(lines.len() as u64).starts_with(cut), "{rel} ends in a broken line: {cut:?}");
        lines
    };
    let (archived, live) = (numbers("app.log.1"), numbers("app.log"));
    assert!(archived.len() as u64 >= initial, "the archive lost old lines");
    assert!(archived.iter().copied().eq(0..archived.len() as u64), "the archive is not whole lines 0..n");
    let first_live = live.first().copied().unwrap_or(written);
    assert!(live.iter().copied().eq(first_live..written), "the live log is not whole lines n..end");
    eprintln!(
        "{} lines appended during the run, {} of them copied, {} lost in the truncation instant",
        written - initial,
        archived.len() as u64 - initial,
        first_live - archived.len() as u64
    );
}

#[test]
fn config_owned_by_another_user_is_refused_as_root() {
    if !is_root() {
        return;
    }
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    let conf = fx.conf("@D@/app.log {\n rotate 1\n}\n");
    std::os::unix::fs::chown(&conf, Some(65534), None).unwrap();
    let o = fx.run(&["-f"]);
    // As 3.21: an error line, the file ignored, the exit status left at 0.
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("file owner is wrong"), "{}", stderr(&o));
    assert!(!fx.exists("app.log.1"));
}

#[test]
fn log_option_copies_messages_to_a_file() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n rotate 1\n olddir missing\n}\n");
    let log = fx.p("run.log");
    let o = fx.run(&["-f", "-l", log.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(fx.read("run.log").contains("error verifying olddir path"), "{}", fx.read("run.log"));
}

#[test]
fn large_log_is_compressed_on_several_cores_into_one_gzip_member() {
    let fx = Fx::new();
    let text: String =
        (0..120_000).map(|i| format!("{i:08} GET /api/v1/items/{} 200\n", i * 7919 % 100_003)).collect();
    assert!(text.len() > 4 << 20);
    fx.write("big.log", &text);
    fx.conf("@D@/big.log {\n rotate 1\n compress\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    // A single-member decoder reads all of it: the archive is one ordinary gzip member.
    let mut back = String::new();
    flate2::read::GzDecoder::new(fs::File::open(fx.p("big.log.1.gz")).unwrap())
        .read_to_string(&mut back)
        .unwrap();
    assert_eq!(back, text);
    if Path::new("/bin/gzip").exists() {
        let t = std::process::Command::new("/bin/gzip").arg("-t").arg(fx.p("big.log.1.gz")).status().unwrap();
        assert!(t.success(), "gzip -t rejects the archive");
    }
}

#[test]
fn crash_during_compression_is_repaired_by_the_next_run() {
    // kill -9 while the archive is being written; the next run must lose nothing and leave no
    // partial file.
    let fx = Fx::new();
    let line = "GET /api/v1/users?id=1234 HTTP/1.1 200 512 \"curl/8.4.0\"\n";
    let text = line.repeat(600_000);
    fx.write("app.log", &text);
    fx.conf("@D@/app.log {\n rotate 5\n compress\n}\n");
    let mut child =
        common::logrotate().args(["-f", "-s"]).arg(fx.p("state")).arg(fx.p("test.conf")).spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !fx.exists(".app.log.1.gz.partial") && std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    if fx.exists("app.log.1.gz") {
        eprintln!("the run finished before it could be killed; nothing to repair");
        return;
    }
    assert_eq!(fs::metadata(fx.p("app.log.1")).unwrap().len(), text.len() as u64);
    fx.write("app.log", "after the crash\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!fx.exists(".app.log.1.gz.partial"));
    assert!(!fx.exists("app.log.1"));
    assert_eq!(fx.gunzip("app.log.1.gz"), "after the crash\n");
    assert!(fx.gunzip("app.log.2.gz") == text, "the archive interrupted by the crash is intact");
}

/// Found by the generative test: as 3.21's popt, an option's value may start with `-`
/// (`-m -x` is the mail command `-x`, `-l -s` logs to a file named `-s`).
#[test]
fn option_values_may_start_with_a_dash_as_3_21() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n rotate 1\n}\n");
    let o = fx.run(&["-f", "-m", "-not-a-mail-command"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fx.exists("app.log.1"));
}
