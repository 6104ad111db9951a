//! End-to-end tests: config bytes and include targets that once hung `logrotate` (issue 7,
//! item 4). Each run is killed after a time limit and has its address space capped, so a
//! regression fails here instead of hanging CI or eating the machine's memory. Where Debian's
//! logrotate 3.21 is installed (and does not hang itself), its exit code is compared.

use crate::common;

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(10);
const REAL: &str = "/usr/sbin/logrotate";

/// What one run gave.
#[derive(Debug)]
struct Run {
    code: i32,
    stderr: String,
}

/// Runs `cmd` with stdin closed and at most 2 GiB of address space; kills it after [`LIMIT`].
/// `None` if it had to be killed.
fn run_limited(mut cmd: Command) -> Option<Run> {
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let cap = libc::rlimit { rlim_cur: 2 << 30, rlim_max: 2 << 30 };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = pipe.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = reader.join().unwrap();
    status.map(|s| Run { code: s.code().unwrap_or(-1), stderr })
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    /// A temp dir with `app.log` and `test.conf` holding `conf` (`@D@` is the dir).
    fn new(conf: &[u8]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.log"), "x\n").unwrap();
        let d = dir.path().as_os_str().as_encoded_bytes();
        let mut text = Vec::new();
        let mut rest = conf;
        while let Some(i) = rest.windows(3).position(|w| w == b"@D@") {
            text.extend_from_slice(&rest[..i]);
            text.extend_from_slice(d);
            rest = &rest[i + 3..];
        }
        text.extend_from_slice(rest);
        let conf_path = dir.path().join("test.conf");
        std::fs::write(&conf_path, text).unwrap();
        std::fs::set_permissions(&conf_path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Case { dir }
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `logrotate -d` (ours, or the real one) on the config; panics if it does not finish.
    fn run(&self, bin: &Path) -> Run {
        let mut cmd = Command::new(bin);
        cmd.arg("-d").arg("-s").arg(self.p("state")).arg(self.p("test.conf"));
        run_limited(cmd).unwrap_or_else(|| panic!("{} did not finish within {LIMIT:?}", bin.display()))
    }

    fn ours(&self) -> Run {
        self.run(&common::bin("logrotate"))
    }

    /// The real logrotate's result, if it is installed.
    fn theirs(&self) -> Option<Run> {
        Path::new(REAL).exists().then(|| self.run(Path::new(REAL)))
    }
}

#[test]
fn regression_vertical_tab_and_form_feed_in_arguments_hung_logrotate() {
    let case = Case::new(b"@D@/app.log {\n rotate\x0b5\x0c\n create 0640\x0broot\x0croot\n}\n");
    let ours = case.ours();
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    assert!(!ours.stderr.contains("error"), "{}", ours.stderr);
    if let Some(theirs) = case.theirs() {
        assert_eq!(theirs.code, ours.code, "{}", theirs.stderr);
    }
}

#[test]
fn regression_no_break_space_in_arguments_hung_logrotate() {
    for conf in [&b"@D@/app.log {\n rotate 5\xc2\xa0\n}\n"[..], b"@D@/app.log {\n rotate\xc2\xa05\n}\n"] {
        let case = Case::new(conf);
        let ours = case.ours();
        assert_eq!(ours.code, 1, "{}", ours.stderr);
        assert!(ours.stderr.contains("test.conf:2 "), "{}", ours.stderr);
        if let Some(theirs) = case.theirs() {
            assert_eq!(theirs.code, ours.code, "{}", theirs.stderr);
        }
    }
}

#[test]
fn regression_include_of_dev_zero_is_skipped() {
    let case = Case::new(b"include /dev/zero\n@D@/app.log {\n}\n");
    let ours = case.ours();
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    assert!(ours.stderr.contains("Ignoring /dev/zero because it's not a regular file."), "{}", ours.stderr);
    if let Some(theirs) = case.theirs() {
        assert_eq!(theirs.code, ours.code, "{}", theirs.stderr);
        assert!(theirs.stderr.contains("Ignoring /dev/zero because it's not a regular file."));
    }
}

#[test]
fn regression_include_of_a_fifo_and_of_a_directory_holding_one_is_skipped() {
    // logrotate 3.21 blocks forever opening these; we never open them.
    let case = Case::new(b"include @D@/fifo\ninclude @D@/inc\n@D@/app.log {\n}\n");
    common::mkfifo(&case.p("fifo"));
    std::fs::create_dir(case.p("inc")).unwrap();
    common::mkfifo(&case.p("inc/a-fifo"));
    let rule = format!("{}/other.log {{\n missingok\n}}\n", case.dir.path().display());
    std::fs::write(case.p("inc/b.conf"), rule).unwrap();
    let ours = case.ours();
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    // A file of an included directory is named bare, as 3.21 names it (read from inside it).
    for shown in [case.p("fifo").display().to_string(), "a-fifo".to_string()] {
        let msg = format!("Ignoring {shown} because it's not a regular file.");
        assert!(ours.stderr.contains(&msg), "{}", ours.stderr);
    }
}

#[test]
fn include_of_a_socket_is_an_error_like_logrotate() {
    let case = Case::new(b"include @D@/sock\n@D@/app.log {\n}\n");
    let _listener = std::os::unix::net::UnixListener::bind(case.p("sock")).unwrap();
    let ours = case.ours();
    assert_eq!(ours.code, 1, "{}", ours.stderr);
    let msg =
        format!("error: failed to open config file {}: No such device or address", case.p("sock").display());
    assert!(ours.stderr.contains(&msg), "{}", ours.stderr);
    if let Some(theirs) = case.theirs() {
        assert_eq!(theirs.code, ours.code, "{}", theirs.stderr);
        assert!(theirs.stderr.contains(&msg), "{}", theirs.stderr);
    }
}
