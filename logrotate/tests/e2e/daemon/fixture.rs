//! The daemon under test: started in a temp dir on its own `conf.d`, stopped or killed at the
//! end of the test, with its stderr and (as systemd would see them) its notify datagrams.

use crate::common;

use std::fs;
use std::io::Read;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(super) struct Daemon {
    pub(super) child: Child,
    pub(super) dir: tempfile::TempDir,
    /// The fake `$NOTIFY_SOCKET` (`DIR/notify`), when started with [`Launch::notify`].
    pub(super) notify: Option<UnixDatagram>,
    /// Everything received on it so far, one datagram per entry.
    pub(super) notes: Vec<String>,
}

/// How to start the daemon, beyond `-s DIR/state --debounce-ms 100`.
#[derive(Default)]
pub(super) struct Launch<'a> {
    pub(super) args: &'a [&'a str],
    /// The config arguments, relative to DIR (default `conf.d`); given as absolute paths
    /// unless `relative`, in which case they are given as written (the daemon runs in DIR).
    pub(super) configs: &'a [&'a str],
    pub(super) relative: bool,
    /// Bind a datagram socket at DIR/notify and pass it as `$NOTIFY_SOCKET`; the daemon is
    /// ready at its `READY=1` (otherwise when its first pass wrote the state file).
    pub(super) notify: bool,
    /// More environment variables.
    pub(super) env: &'a [(&'a str, &'a str)],
    /// Stderr to the file DIR/stderr, and `$JOURNAL_STREAM` naming it, as systemd does.
    pub(super) journal: bool,
    /// Do not wait until the daemon is ready (it may exit at once).
    pub(super) no_wait: bool,
}

impl Daemon {
    /// Starts the daemon on `DIR/conf.d` with state `DIR/state`, after `setup` wrote files.
    pub(super) fn start(setup: impl FnOnce(&Path)) -> Daemon {
        Daemon::start_with(&[], setup)
    }
    /// Like [`Daemon::start`], with more options.
    pub(super) fn start_with(args: &[&str], setup: impl FnOnce(&Path)) -> Daemon {
        Daemon::launch(Launch { args, ..Launch::default() }, setup)
    }
    pub(super) fn launch(l: Launch<'_>, setup: impl FnOnce(&Path)) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("conf.d")).unwrap();
        fs::create_dir_all(dir.path().join("logs")).unwrap();
        setup(dir.path());
        let configs = if l.configs.is_empty() { &["conf.d"][..] } else { l.configs };
        let mut cmd = Command::new(common::bin("logrotated"));
        cmd.current_dir(dir.path())
            .arg("-s")
            .arg(dir.path().join("state"))
            .args(["--debounce-ms", "100"])
            .args(l.args)
            .args(configs.iter().map(|c| if l.relative { PathBuf::from(c) } else { dir.path().join(c) }))
            .env_remove("NOTIFY_SOCKET")
            .env_remove("JOURNAL_STREAM")
            .env_remove("WATCHDOG_USEC")
            .envs(l.env.iter().copied());
        let notify = l.notify.then(|| {
            let sock = UnixDatagram::bind(dir.path().join("notify")).unwrap();
            sock.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            cmd.env("NOTIFY_SOCKET", dir.path().join("notify"));
            sock
        });
        if l.journal {
            use std::os::unix::fs::MetadataExt;
            let f = fs::File::create(dir.path().join("stderr")).unwrap();
            let md = f.metadata().unwrap();
            cmd.env("JOURNAL_STREAM", format!("{}:{}", md.dev(), md.ino())).stderr(f);
        } else {
            cmd.stderr(Stdio::piped());
        }
        let child = cmd.spawn().unwrap();
        let mut d = Daemon { child, dir, notify, notes: Vec::new() };
        if l.no_wait {
        } else if d.notify.is_some() {
            assert!(d.wait_note("READY=1"), "no READY=1: {:?}", d.notes);
        } else {
            // The first pass writes the state file: the daemon is ready after it.
            assert!(wait_for(|| d.p("state").exists()), "daemon did not start");
        }
        d
    }
    /// Waits until a datagram with the line `line` arrives after those already seen.
    pub(super) fn wait_note(&mut self, line: &str) -> bool {
        let sock = self.notify.as_ref().expect("started without Launch::notify");
        let mut buf = [0u8; 4096];
        let notes = &mut self.notes;
        wait_for(|| match sock.recv(&mut buf) {
            Ok(n) => {
                let note = String::from_utf8_lossy(&buf[..n]).into_owned();
                let found = note.lines().any(|l| l == line);
                notes.push(note);
                found
            }
            Err(_) => false,
        })
    }
    pub(super) fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    pub(super) fn d(&self) -> String {
        self.dir.path().display().to_string()
    }
    pub(super) fn rule(&self, name: &str, text: &str) {
        fs::write(self.p(&format!("conf.d/{name}")), text.replace("@D@", &self.d())).unwrap();
    }
    /// What the daemon wrote so far, when started with [`Launch::journal`].
    pub(super) fn stderr_so_far(&self) -> String {
        fs::read_to_string(self.p("stderr")).unwrap_or_default()
    }
    pub(super) fn signal(&self, sig: i32) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid fits pid_t");
        unsafe { libc::kill(pid, sig) };
    }
    /// Stops with SIGTERM and returns (exit code, stderr).
    pub(super) fn stop(&mut self) -> (Option<i32>, String) {
        self.signal(libc::SIGTERM);
        self.exit()
    }
    /// Waits for the daemon to exit and returns (exit code, stderr).
    pub(super) fn exit(&mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        match self.child.stderr.take() {
            Some(mut pipe) => drop(pipe.read_to_string(&mut err).unwrap()),
            None => err = fs::read_to_string(self.p("stderr")).unwrap(),
        }
        eprintln!("daemon stderr:\n{err}");
        (status.code(), err)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `cond` for up to 20 s.
pub(super) fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}
