//! End-to-end tests: the real `logrotate` binary in temp dirs, one group of directives each.

use crate::common;

use common::fixture::{code, is_root, stderr, Fx};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

#[test]
fn force_rotates_and_writes_state() {
    let fx = Fx::new();
    fx.write("app.log", "hello\n");
    fx.conf("@D@/app.log {\n rotate 2\n create\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0);
    assert_eq!(fx.read("app.log.1"), "hello\n");
    assert_eq!(fx.read("app.log"), "");
    let state = fx.read("state");
    assert!(state.starts_with("logrotate state -- version 2\n"), "{state}");
    assert!(state.contains(&format!("\"{}/app.log\" ", fx.d())));
    assert!(!fx.exists("state.tmp"));
}

#[test]
fn without_force_a_new_daily_log_is_only_recorded() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n daily\n}\n");
    assert_eq!(code(&fx.run(&[])), 0);
    assert!(!fx.exists("app.log.1"));
    assert!(fx.read("state").contains("app.log"));
}

#[test]
fn compress_in_process_keeps_mode_times_and_removes_source() {
    let fx = Fx::new();
    let log = fx.write("app.log", &"line of log text\n".repeat(1000));
    fs::set_permissions(&log, fs::Permissions::from_mode(0o640)).unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    fs::File::options().write(true).open(&log).unwrap().set_modified(old).unwrap();
    fx.conf("@D@/app.log {\n rotate 1\n compress\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert!(!fx.exists("app.log.1"));
    assert_eq!(fx.gunzip("app.log.1.gz"), "line of log text\n".repeat(1000));
    let md = fs::metadata(fx.p("app.log.1.gz")).unwrap();
    assert_eq!(md.mode() & 0o777, 0o640);
    assert_eq!(md.mtime(), 1_600_000_000);
}

#[test]
fn external_compresscmd_with_ext() {
    if !Path::new("/bin/bzip2").exists() {
        eprintln!("skipping: bzip2 not installed");
        return;
    }
    let fx = Fx::new();
    fx.write("app.log", "bz data\n");
    fx.conf("@D@/app.log {\n rotate 1\n compress\n compresscmd /bin/bzip2\n compressext .bz2\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    let out =
        std::process::Command::new("/bin/bzip2").arg("-dc").arg(fx.p("app.log.1.bz2")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bz data\n");
}

#[test]
fn failed_compression_keeps_the_rotated_file_and_no_partial_archive() {
    let fx = Fx::new();
    fx.write("app.log", "keep me\n");
    fx.conf("@D@/app.log {\n rotate 1\n compress\n compresscmd /bin/false\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert_eq!(fx.read("app.log.1"), "keep me\n");
    assert!(!fx.exists("app.log.1.gz"));
}

#[test]
fn copy_keeps_holes_in_sparse_files() {
    let fx = Fx::new();
    let log = fx.write("sparse.log", "");
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = fs::OpenOptions::new().write(true).open(&log).unwrap();
        f.write_all(b"start\n").unwrap();
        f.seek(SeekFrom::Start(256 << 20)).unwrap();
        f.write_all(b"end\n").unwrap();
    }
    fx.conf("@D@/sparse.log {\n rotate 1\n copytruncate\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    let md = fs::metadata(fx.p("sparse.log.1")).unwrap();
    assert_eq!(md.len(), (256 << 20) + 4);
    assert!(md.blocks() * 512 < 16 << 20, "holes were filled: {} blocks", md.blocks());
    assert_eq!(fs::metadata(&log).unwrap().len(), 0, "copytruncate truncates the original");
}

#[test]
fn debug_mode_changes_nothing() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n rotate 1\n compress\n}\n");
    let before = fx.names();
    assert_eq!(code(&fx.run(&["-d", "-f"])), 0);
    assert_eq!(fx.names(), before);
}

#[test]
fn plan_json_describes_without_touching() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n rotate 1\n}\n");
    let o = fx.run(&["-f", "--plan-json"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sets"][0]["logs"][0]["decision"], "rotate");
    assert!(!fx.exists("app.log.1") && !fx.exists("state"));
}

#[test]
fn locked_state_exits_3_and_skip_lock_works() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n rotate 1\n}\n");
    let st = fx.write("state", "logrotate state -- version 2\n");
    // A world-readable state file is not locked (as logrotate), so make it private.
    fs::set_permissions(&st, fs::Permissions::from_mode(0o640)).unwrap();
    let holder = fs::File::open(fx.p("state")).unwrap();
    holder.lock().unwrap();
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("already locked"));
    let o = fx.run(&["-f", "--wait-for-state-lock=0.2"]);
    assert_eq!(code(&o), 3);
    assert!(!fx.exists("app.log.1"));
    let o = fx.run(&["-f", "--skip-state-lock"]);
    assert_eq!(code(&o), 0);
    assert!(fx.exists("app.log.1"));
}

#[test]
fn bad_usage_exits_2() {
    let o = common::logrotate().arg("--no-such-flag").arg("x").output().unwrap();
    assert_eq!(code(&o), 2);
}

#[test]
fn combined_short_flags_and_options_after_config() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    let conf = fx.conf("@D@/app.log {\n rotate 1\n}\n");
    let o = common::logrotate().arg(&conf).arg("-fv").arg("-s").arg(fx.p("state")).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fx.exists("app.log.1"));
}

#[test]
fn group_writable_config_is_refused_as_root() {
    if !is_root() {
        return;
    }
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    let conf = fx.conf("@D@/app.log {\n rotate 1\n}\n");
    fs::set_permissions(&conf, fs::Permissions::from_mode(0o664)).unwrap();
    let o = fx.run(&["-f"]);
    // As 3.21: a warning, an error line, the file ignored, and the exit status left at 0.
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("warning: Potentially dangerous mode on"), "{}", stderr(&o));
    assert!(stderr(&o).contains("error: Ignoring") && stderr(&o).contains("writable by group or others"));
    assert!(!fx.exists("app.log.1"));
}

#[test]
fn symlinks_hardlinks_and_fifos_are_skipped() {
    let fx = Fx::new();
    fx.write("real", "r\n");
    std::os::unix::fs::symlink(fx.p("real"), fx.p("link.log")).unwrap();
    fx.write("a.log", "a\n");
    fs::hard_link(fx.p("a.log"), fx.p("b.log")).unwrap();
    let fifo = std::ffi::CString::new(fx.p("fifo.log").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    fx.conf("@D@/*.log {\n rotate 1\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0);
    assert!(!fx.exists("link.log.1") && !fx.exists("a.log.1") && !fx.exists("fifo.log.1"));
    // The FIFO is said as a warning (3.21 would rotate it); links are only verbose notes.
    assert!(
        stderr(&o).contains("warning: log ") && stderr(&o).contains("fifo.log is not a regular file"),
        "{}",
        stderr(&o)
    );
    fx.conf("@D@/a.log {\n rotate 1\n allowhardlink\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert!(fx.exists("a.log.1"));
}

#[test]
fn insecure_directory_is_refused_unless_su() {
    if !is_root() {
        return;
    }
    let fx = Fx::new();
    fx.write("w/app.log", "x\n");
    fs::set_permissions(fx.p("w"), fs::Permissions::from_mode(0o777)).unwrap();
    fx.conf("@D@/w/app.log {\n rotate 1\n compress\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("insecure permissions"));
    let nobody = unsafe { libc::getpwnam(c"nobody".as_ptr()).as_ref().unwrap().pw_uid };
    std::os::unix::fs::chown(fx.p("w/app.log"), Some(nobody), None).unwrap();
    fx.conf("@D@/w/app.log {\n rotate 1\n compress\n create\n su nobody nogroup\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // File operations ran as `nobody`, so everything new belongs to it.
    assert_eq!(fs::metadata(fx.p("w/app.log.1.gz")).unwrap().uid(), nobody);
    assert_eq!(fs::metadata(fx.p("w/app.log")).unwrap().uid(), nobody);
}

#[test]
fn create_sets_mode_and_numeric_owner() {
    if !is_root() {
        return;
    }
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    // A number is taken as an id only if that user (group) exists, as in 3.21.
    fx.conf("@D@/app.log {\n rotate 1\n create 0604 65534 65534\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    let md = fs::metadata(fx.p("app.log")).unwrap();
    assert_eq!((md.mode() & 0o7777, md.uid(), md.gid()), (0o604, 65534, 65534));
    fx.conf("@D@/app.log {\n rotate 1\n create 0604 1234 4321\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("unknown user '1234'"), "{}", stderr(&o));
}

#[test]
fn scripts_run_in_order_with_arguments() {
    let fx = Fx::new();
    fx.write("a.log", "a\n");
    fx.write("b.log", "b\n");
    let s = "firstaction\n echo first $1 >> @D@/out\nendscript\nprerotate\n echo pre $1 >> @D@/out\nendscript\n\
             postrotate\n echo post $1 $2 >> @D@/out\nendscript\nlastaction\n echo last $1 >> @D@/out\nendscript\n";
    fx.conf(&format!("@D@/a.log @D@/b.log {{\n rotate 1\n{s}}}\n"));
    assert_eq!(code(&fx.run(&["-f"])), 0);
    let d = fx.d();
    let expected = format!(
        "first {d}/a.log {d}/b.log\npre {d}/a.log\npost {d}/a.log {d}/a.log.1\npre {d}/b.log\npost {d}/b.log {d}/b.log.1\nlast {d}/a.log {d}/b.log\n"
    );
    assert_eq!(fx.read("out"), expected);
}

#[test]
fn failing_prerotate_keeps_that_log_only() {
    let fx = Fx::new();
    fx.write("a.log", "a\n");
    fx.write("b.log", "b\n");
    fx.conf(
        "@D@/a.log @D@/b.log {\n rotate 1\n prerotate\n  case $1 in *a.log) exit 1;; esac\n endscript\n}\n",
    );
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert!(!fx.exists("a.log.1") && fx.exists("b.log.1"));
}

#[test]
fn mail_sends_the_expiring_file_decompressed() {
    let fx = Fx::new();
    fx.write("app.log", "new\n");
    fx.conf("@D@/app.log {\n rotate 1\n compress\n mail ops@example.com\n}\n");
    let mail = fx
        .write("mail.sh", &format!("#!/bin/sh\necho \"$@\" > {0}/mail.args\ncat > {0}/mail.body\n", fx.d()));
    fs::set_permissions(&mail, fs::Permissions::from_mode(0o755)).unwrap();
    let m = mail.to_str().unwrap().to_string();
    assert_eq!(code(&fx.run(&["-f", "-m", &m])), 0);
    fx.write("app.log", "newer\n");
    assert_eq!(code(&fx.run(&["-f", "-m", &m])), 0);
    assert_eq!(fx.read("mail.body"), "new\n");
    assert_eq!(fx.read("mail.args"), format!("-s {}/app.log.2.gz ops@example.com\n", fx.d()));
    assert_eq!(fx.gunzip("app.log.1.gz"), "newer\n");
}

#[test]
fn olddir_is_created_with_mode() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n rotate 1\n olddir archive\n createolddir 0700\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert_eq!(fx.read("archive/app.log.1"), "x\n");
    assert_eq!(fs::metadata(fx.p("archive")).unwrap().mode() & 0o777, 0o700);
}

#[test]
fn missing_olddir_is_an_error() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.conf("@D@/app.log {\n rotate 1\n olddir nowhere\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 1);
    assert_eq!(fx.read("app.log"), "x\n");
}

#[test]
fn dateext_with_format_and_rotate_limit() {
    let fx = Fx::new();
    fx.write("app.log", "today\n");
    for d in ["2000-01-01", "2000-01-02", "2000-01-03"] {
        fx.write(&format!("app.log.{d}"), d);
    }
    fx.conf("@D@/app.log {\n rotate 2\n dateext\n dateformat .%Y-%m-%d\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    let today = chrono::Local::now().format(".%Y-%m-%d").to_string();
    assert_eq!(fx.read(&format!("app.log{today}")), "today\n");
    assert!(!fx.exists("app.log.2000-01-01") && !fx.exists("app.log.2000-01-02"));
    assert!(fx.exists("app.log.2000-01-03"));
}

#[test]
fn bad_stanza_is_dropped_and_others_run() {
    let fx = Fx::new();
    fx.write("a.log", "a\n");
    fx.write("b.log", "b\n");
    fx.conf("@D@/a.log {\n rotate lots\n}\n@D@/b.log {\n rotate 1\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("test.conf:2 bad rotation count 'lots'"), "{}", stderr(&o));
    assert!(!fx.exists("a.log.1") && fx.exists("b.log.1"));
}

#[test]
fn state_dev_null_means_no_state() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    let conf = fx.conf("@D@/app.log {\n rotate 1\n}\n");
    let o = common::logrotate().args(["-f", "-s", "/dev/null"]).arg(&conf).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fx.exists("app.log.1"));
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device_like());
}

trait CharDev {
    fn is_char_device_like(&self) -> bool;
}
impl CharDev for fs::FileType {
    fn is_char_device_like(&self) -> bool {
        use std::os::unix::fs::FileTypeExt;
        self.is_char_device()
    }
}

#[test]
fn shred_with_rotate_zero_removes_the_log() {
    let fx = Fx::new();
    fx.write("app.log", "secret\n");
    fx.conf("@D@/app.log {\n rotate 0\n shred\n shredcycles 1\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert!(!fx.exists("app.log") && !fx.exists("app.log.1"));
}

#[test]
fn notifempty_is_respected_even_with_force() {
    let fx = Fx::new();
    fx.write("app.log", "");
    fx.conf("@D@/app.log {\n rotate 1\n notifempty\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert!(!fx.exists("app.log.1"));
}

#[test]
fn size_trigger_without_force() {
    let fx = Fx::new();
    fx.write("big.log", &"x".repeat(2048));
    fx.write("small.log", "x");
    fx.conf("@D@/big.log @D@/small.log {\n rotate 1\n size 1k\n}\n");
    assert_eq!(code(&fx.run(&[])), 0);
    assert!(fx.exists("big.log.1") && !fx.exists("small.log.1"));
}

#[test]
fn directory_argument_loads_every_file() {
    let fx = Fx::new();
    fx.write("a.log", "a\n");
    let confd = fx.p("conf.d");
    fs::create_dir(&confd).unwrap();
    fs::write(confd.join("a"), format!("{}/a.log {{\n rotate 1\n}}\n", fx.d())).unwrap();
    fs::write(confd.join("a.dpkg-old"), format!("{}/a.log {{\n rotate 9\n}}\n", fx.d())).unwrap();
    let o = common::logrotate().args(["-f", "-s"]).arg(fx.p("state")).arg(&confd).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fx.exists("a.log.1"));
}

#[test]
fn conf_d_examples_load_cleanly() {
    let confd = common::repo_file("conf.d");
    for e in fs::read_dir(&confd).unwrap() {
        let path = e.unwrap().path();
        let o = common::logrotate().args(["--plan-json", "-s", "/dev/null"]).arg(&path).output().unwrap();
        let err = stderr(&o);
        assert!(!err.contains("error:") && !err.contains("warning:"), "{}: {err}", path.display());
    }
}

#[test]
fn dump_toml_round_trips_to_the_same_plan() {
    let fx = Fx::new();
    fx.write("a.log", "a\n");
    fx.write("b.log", "");
    let conf = fx.conf(
        "compress\n@D@/a.log {\n daily\n rotate 3\n delaycompress\n create 0640 root root\n dateext\n\
         postrotate\n  echo \"done $1\"\n endscript\n}\n@D@/b.log {\n size 10k\n notifempty\n mail a@b\n mailfirst\n}\n",
    );
    let dump = common::logrotate().arg("--dump-toml").arg(&conf).output().unwrap();
    assert_eq!(code(&dump), 0, "{}", stderr(&dump));
    let toml_path = fx.write("rules.toml", &String::from_utf8(dump.stdout).unwrap());
    let plan = |p: &Path| {
        let o = common::logrotate().args(["-f", "--plan-json", "-s", "/dev/null"]).arg(p).output().unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["now"] = serde_json::Value::Null;
        for set in v["sets"].as_array_mut().unwrap() {
            set["rule"] = serde_json::Value::Null; // another file, and classic keeps the header as written
            for log in set["logs"].as_array_mut().unwrap() {
                log["record"] = serde_json::Value::Null;
            }
        }
        v
    };
    assert_eq!(plan(&conf), plan(&toml_path));
}

#[test]
fn repeated_options_are_accepted_and_the_last_wins() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    let conf = fx.conf("@D@/app.log {\n rotate 1\n}\n");
    let o = common::logrotate()
        .args(["-v", "-v", "-f", "-s"])
        .arg(fx.p("first-state"))
        .arg("-s")
        .arg(fx.p("last-state"))
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fx.exists("last-state") && !fx.exists("first-state"));
}

#[test]
fn regression_a_huge_lock_wait_is_a_usage_error_not_a_panic() {
    let fx = Fx::new();
    let conf = fx.conf("@D@/app.log {\n rotate 1\n missingok\n}\n");
    let o = common::logrotate().arg("--wait-for-state-lock=1e30").arg("-d").arg(&conf).output().unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("bad value for --wait-for-state-lock"), "{}", stderr(&o));
}

#[test]
fn log_file_is_truncated_and_gets_every_message_without_v() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fx.write("run.log", "stale line from an earlier run\n");
    fx.conf("@D@/app.log {\n rotate 1\n}\n");
    let o = fx.run(&["-f", "-l", fx.p("run.log").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let log = fx.read("run.log");
    assert!(!log.contains("stale line"), "{log}");
    assert!(log.contains("considering log") && log.contains("renaming"), "{log}");
    assert!(!stderr(&o).contains("considering log"), "debug lines go to the file only");
}

/// A user's own run under a process limit (`RLIMIT_NPROC` here, a pids cgroup elsewhere) that
/// leaves no room for threads rotates all the same: what a pass splits over threads (listing
/// directories, looking at and planning thousands of logs, compressing, placing) runs on one.
#[test]
fn a_run_that_cannot_start_threads_rotates_all_the_same() {
    if !is_root() {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root: this test must run");
        return;
    }
    let fx = Fx::new();
    fs::set_permissions(fx.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let nobody = unsafe { libc::getpwnam(c"nobody".as_ptr()).as_ref().unwrap().pw_uid };
    const LOGS: usize = 5000;
    for d in 0..2 {
        for f in 0..LOGS / 2 {
            fx.write(&format!("w/d{d}/f{f}.log"), "line\n");
        }
    }
    for entry in walk(&fx.p("w")) {
        std::os::unix::fs::chown(&entry, Some(nobody), None).unwrap();
    }
    let conf = fx.conf("@D@/w/*/*.log {\n rotate 1\n compress\n}\n");
    let out = std::process::Command::new("prlimit")
        .args(["--nproc=1", "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .arg(common::bin("logrotate"))
        .arg("-f")
        .arg("-s")
        .arg(fx.p("w/state"))
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for d in 0..2 {
        for f in 0..LOGS / 2 {
            assert_eq!(fx.gunzip(&format!("w/d{d}/f{f}.log.1.gz")), "line\n");
            assert!(!fx.exists(&format!("w/d{d}/f{f}.log")));
        }
    }
}

/// `dir` and everything under it.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = vec![dir.to_path_buf()];
    for e in fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            all.extend(walk(&e.path()));
        } else {
            all.push(e.path());
        }
    }
    all
}
