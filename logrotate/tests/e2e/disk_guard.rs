//! The disk guard: `maxtotalsize` with real files, and `minfree` on a small filesystem made for
//! the test (an 8 MiB tmpfs, mounted as root and unmounted at the end even when the test
//! panics). Without root (or without the right to mount) the tmpfs tests say so and pass,
//! except when `CI` is set: then they fail.

use crate::common;
use common::fixture::{code, stderr, Fx};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const M: u64 = 1 << 20;

/// A tmpfs of a given size mounted on a temp dir; unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts one, or says why it cannot (and fails when `CI` is set).
    fn mount(bytes: u64) -> Option<Tmpfs> {
        let ci = std::env::var_os("CI").is_some();
        if !common::fixture::is_root() {
            assert!(!ci, "CI is set but the disk guard tests do not run as root");
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes},mode=0755"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok || !ci, "CI is set but a tmpfs cannot be mounted");
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here");
            return None;
        }
        Some(Tmpfs { dir })
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn d(&self) -> String {
        self.dir.path().display().to_string()
    }

    /// Free bytes as `df` shows them to users.
    fn free(&self) -> u64 {
        let c = std::ffi::CString::new(self.d()).unwrap();
        // SAFETY: a NUL-terminated path and a zeroed statvfs that outlive the call.
        let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut s) }, 0);
        s.f_bavail * s.f_frsize
    }

    /// A file of `len` bytes (incompressible) modified `days` ago.
    fn file(&self, name: &str, len: u64, days: u64) -> PathBuf {
        write_aged(&self.p(name), len, days)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// Writes `len` pseudo-random bytes to `path` and sets its mtime `days` ago.
fn write_aged(path: &Path, len: u64, days: u64) -> PathBuf {
    let mut rng = common::rng::Rng::new(len ^ days.wrapping_mul(0x9e37));
    let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
    fs::write(path, bytes).unwrap();
    let when = SystemTime::now() - Duration::from_secs(days * 86_400 + 60);
    fs::File::options().write(true).open(path).unwrap().set_modified(when).unwrap();
    path.to_path_buf()
}

fn run(conf: &Path, state: &Path, args: &[&str]) -> std::process::Output {
    let o = common::logrotate().arg("-s").arg(state).args(args).arg(conf).output().unwrap();
    eprintln!("stderr: {}", stderr(&o));
    o
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

#[test]
fn maxtotalsize_removes_the_oldest_archives_after_a_rotation_and_on_a_pass_that_rotates_nothing() {
    let fx = Fx::new();
    write_aged(&fx.p("app.log"), 20_000, 0);
    for (i, days) in [(1, 1), (2, 2), (3, 3), (4, 4)] {
        write_aged(&fx.p(&format!("app.log.{i}")), 20_000, days);
    }
    fx.conf(
        "@D@/app.log {\n size 10k\n rotate 10\n create\n maxtotalsize 50000\n \
         preremove\n  echo \"$1\" >> @D@/preremoved\n endscript\n}\n",
    );
    let o = fx.run(&["-v"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The new archive (the log) and the four shifted ones: 100,000 bytes; the three oldest go.
    let d = fx.d();
    for gone in ["app.log.5", "app.log.4", "app.log.3"] {
        assert!(!fx.exists(gone), "{gone} kept");
        assert!(
            stderr(&o).contains(&format!(
                "removing old log {d}/{gone} (maxtotalsize: the archives of {d}/app.log total "
            )),
            "{gone} not said"
        );
    }
    assert!(fx.exists("app.log.1") && fx.exists("app.log.2") && fx.exists("app.log"));
    assert_eq!(fx.read("preremoved"), format!("{d}/app.log.5\n{d}/app.log.4\n{d}/app.log.3\n"));
    // A pass that rotates nothing still holds the limit: a big old archive appears.
    write_aged(&fx.p("app.log.7"), 30_000, 10);
    let o = fx.run(&[]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).is_empty(), "said without -v: {}", stderr(&o));
    assert!(!fx.exists("app.log.7") && fx.exists("app.log.1") && fx.exists("app.log.2"));
    assert_eq!(fx.names().iter().filter(|n| n.starts_with("app.log")).count(), 3, "{:?}", fx.names());
}

#[test]
fn minfree_on_a_small_filesystem_removes_the_oldest_archives_across_logs_then_the_newest_with_a_warning() {
    let Some(fs_) = Tmpfs::mount(8 * M) else { return };
    let state = tempfile::tempdir().unwrap();
    let (conf, st) = (state.path().join("c.conf"), state.path().join("state"));
    fs::write(fs_.p("a.log"), "live a\n").unwrap();
    fs::write(fs_.p("b.log"), "live b\n").unwrap();
    // Ages: a.log.3 (5 days), b.log.2 (4), a.log.2 (3), b.log.1 (2), a.log.1 (1).
    for (name, days) in [("a.log.1", 1), ("a.log.2", 3), ("a.log.3", 5), ("b.log.1", 2), ("b.log.2", 4)] {
        fs_.file(name, M, days);
    }
    let rule =
        |min: &str| format!("{0}/a.log {0}/b.log {{\n daily\n rotate 10\n minfree {min}\n}}\n", fs_.d());
    fs::write(&conf, rule("5M")).unwrap();
    assert!(fs_.free() < 5 * M);
    let o = run(&conf, &st, &["-v"]);
    assert_eq!(code(&o), 0);
    // Oldest first across both logs, until 5 MiB are free; each log keeps its newest.
    let err = stderr(&o);
    let order: Vec<usize> = ["a.log.3", "b.log.2", "a.log.2"]
        .iter()
        .map(|n| err.find(&format!("removing old log {}/{n} (minfree: {} has ", fs_.d(), fs_.d())).expect(n))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{err}");
    assert!(!exists(&fs_.p("a.log.3")) && !exists(&fs_.p("b.log.2")) && !exists(&fs_.p("a.log.2")));
    assert!(exists(&fs_.p("a.log.1")) && exists(&fs_.p("b.log.1")));
    assert!(fs_.free() >= 5 * M, "{} free", fs_.free());
    // Asking for more than the archives can give: the newest go too, each with a warning, and
    // the shortfall is said; the live logs stay as they were.
    fs::write(&conf, rule("100%")).unwrap();
    let o = run(&conf, &st, &[]);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "warning: removing the newest archive {0}/b.log.1 of {0}/b.log (minfree: ",
            fs_.d()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("warning: removing the newest archive {0}/a.log.1 of {0}/a.log", fs_.d())),
        "{err}"
    );
    assert!(err.contains(&format!("warning: minfree: {} still has ", fs_.d())), "{err}");
    assert_eq!(fs::read_to_string(fs_.p("a.log")).unwrap(), "live a\n");
    assert_eq!(fs::read_to_string(fs_.p("b.log")).unwrap(), "live b\n");
    assert!(!exists(&fs_.p("a.log.1")) && !exists(&fs_.p("b.log.1")));
}

#[test]
fn minfree_rotates_and_compresses_the_largest_log_with_a_size_rule_when_no_archive_is_left() {
    let Some(fs_) = Tmpfs::mount(8 * M) else { return };
    let state = tempfile::tempdir().unwrap();
    let (conf, st) = (state.path().join("c.conf"), state.path().join("state"));
    let line = "GET /index.html HTTP/1.1 200 512 \"curl/8.4.0\"\n";
    fs::write(fs_.p("big.log"), line.repeat((5 * M as usize) / line.len())).unwrap();
    fs::write(fs_.p("small.log"), line.repeat((M as usize) / line.len())).unwrap();
    let text = format!(
        "{0}/big.log {0}/small.log {{\n size 100M\n rotate 2\n compress\n create\n minfree 4M\n}}\n",
        fs_.d()
    );
    fs::write(&conf, text).unwrap();
    assert!(fs_.free() < 4 * M);
    let o = run(&conf, &st, &["-v"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("rotating {}/big.log to free space (minfree: ", fs_.d())),
        "{}",
        stderr(&o)
    );
    assert!(exists(&fs_.p("big.log.1.gz")) && !exists(&fs_.p("small.log.1.gz")));
    assert_eq!(fs::metadata(fs_.p("big.log")).unwrap().len(), 0);
    assert!(fs_.free() >= 4 * M, "{} free", fs_.free());
}

/// The daemon's real-time guard.
#[cfg(feature = "daemon")]
mod live {
    use super::*;
    use std::io::Write as _;
    use std::process::{Child, Stdio};
    use std::time::Instant;

    /// `logrotated` on a config, killed when dropped.
    struct Daemon(Child);

    impl Drop for Daemon {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Polls `cond` for up to 30 s.
    fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        cond()
    }

    #[test]
    fn daemon_keeps_a_filling_filesystem_above_minfree_removing_only_archives_oldest_first() {
        let Some(fs_) = Tmpfs::mount(8 * M) else { return };
        let state = tempfile::tempdir().unwrap();
        let (conf, st) = (state.path().join("c.conf"), state.path().join("state"));
        // Four 1 MiB archives, app.log.4 the oldest; a daily rule the writes never trigger.
        for i in 1..=4u64 {
            fs_.file(&format!("app.log.{i}"), M, i);
        }
        fs::write(fs_.p("app.log"), "").unwrap();
        fs::write(&conf, format!("{}/app.log {{\n daily\n rotate 10\n minfree 3M\n}}\n", fs_.d())).unwrap();
        let errs = state.path().join("stderr");
        let child = Command::new(common::bin("logrotated"))
            .arg("-s")
            .arg(&st)
            .args(["--debounce-ms", "100"])
            .arg(&conf)
            .env_remove("NOTIFY_SOCKET")
            .env_remove("JOURNAL_STREAM")
            .stderr(fs::File::create(&errs).unwrap())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let _daemon = Daemon(child);
        assert!(wait_for(|| exists(&st)), "the daemon did not start");
        let archives = || (1..=4).filter(|i| exists(&fs_.p(&format!("app.log.{i}")))).collect::<Vec<u64>>();
        // Never a younger archive gone while an older one is left: what is left is always
        // app.log.1 ..= app.log.N.
        let mut seen = Vec::new();
        let mut check = || {
            let left = archives();
            assert!(
                left.iter().enumerate().all(|(k, &n)| n == k as u64 + 1),
                "removed out of order: {left:?}"
            );
            if seen.last() != Some(&left) {
                seen.push(left);
            }
        };
        // The writer appends 256 KiB at a time; when the free space drops below 3 MiB, it waits
        // for the daemon to bring it back up before writing more.
        let mut log = fs::File::options().append(true).open(fs_.p("app.log")).unwrap();
        let mut written = Vec::new();
        let mut rng = common::rng::Rng::new(7);
        for _ in 0..10 {
            let chunk: Vec<u8> = (0..256 * 1024).map(|_| rng.next_u64() as u8).collect();
            log.write_all(&chunk).unwrap();
            written.extend_from_slice(&chunk);
            check();
            assert!(
                wait_for(|| {
                    check();
                    fs_.free() >= 3 * M
                }),
                "the filesystem stayed below minfree: {} free, archives {:?}\n{}",
                fs_.free(),
                archives(),
                fs::read_to_string(&errs).unwrap_or_default()
            );
        }
        drop(log);
        // 2.5 MiB written over 4 MiB of archives in 8 MiB: the two oldest archives went, one at a
        // time, and the live log is whole.
        assert_eq!(archives(), [1, 2], "{}", fs::read_to_string(&errs).unwrap_or_default());
        assert_eq!(seen.first().map(Vec::as_slice), Some(&[1, 2, 3, 4][..]));
        assert_eq!(fs::read(fs_.p("app.log")).unwrap(), written, "the live log changed");
        let err = fs::read_to_string(&errs).unwrap();
        assert!(err.contains(&format!("minfree: {} has ", fs_.d())), "{err}");
        assert!(!err.contains("rotated "), "the log was rotated: {err}");
    }
}

#[test]
fn status_shows_archive_totals_against_maxtotalsize_and_free_space_against_minfree() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    write_aged(&fx.p("app.log.1"), 2048, 1);
    write_aged(&fx.p("app.log.2.gz"), 2048, 2);
    fx.write("app.log.err", &"e".repeat(5000));
    fx.conf("@D@/app.log {\n daily\n maxtotalsize 3k\n minfree 1%\n}\n");
    let o = fx.run(&["--status"]);
    assert_eq!(code(&o), 0);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let totals = out.split("ARCHIVES OF").nth(1).unwrap_or_else(|| panic!("{out}"));
    let row = totals
        .lines()
        .find(|l| l.starts_with(&format!("{}/app.log  ", fx.d())))
        .unwrap_or_else(|| panic!("{out}"));
    // Two archives (not app.log.err), 4 KiB against 3 KiB.
    let cells: Vec<&str> = row.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells[1..], ["2", "4 KiB", "3 KiB (over: removed after the next pass)"], "{out}");
    assert!(out.contains("FILESYSTEM OF") && out.contains("MINFREE") && out.contains("(1%)"), "{out}");
    // Nothing changed.
    assert!(fx.exists("app.log.2.gz"));
}
