//! What the daemon tells systemd, and how it finds out that its stderr is the journal.
//!
//! The notify protocol (`sd_notify(3)`) is one datagram of `KEY=VALUE` lines to the unix socket
//! named by `$NOTIFY_SOCKET` (a path, or an abstract name written with a leading `@`). It is a
//! dozen lines, so it is written here with std rather than taken as a dependency.

use std::io;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;
use std::time::Duration;

/// Sends `READY=1`, `RELOADING=1`, `STOPPING=1` and `WATCHDOG=1` to systemd when it runs the
/// daemon as `Type=notify`; does nothing otherwise.
#[derive(Debug, Default)]
pub struct Notifier {
    socket: Option<(UnixDatagram, SocketAddr)>,
    watchdog: Option<Duration>,
}

impl Notifier {
    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID`, and removes them from the
    /// environment so that the scripts the daemon runs do not inherit them (as
    /// `sd_notify(unset_environment=1)`).
    ///
    /// # Safety (of the environment)
    ///
    /// Call it before the process starts threads: it changes the environment.
    pub fn from_env() -> Notifier {
        let socket = std::env::var_os("NOTIFY_SOCKET").and_then(|name| {
            let addr = socket_addr(name.as_encoded_bytes()).ok()?;
            Some((UnixDatagram::unbound().ok()?, addr))
        });
        let for_us = std::env::var("WATCHDOG_PID")
            .map_or(true, |pid| pid.trim().parse::<u32>().ok() == Some(std::process::id()));
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|usec| usec.trim().parse::<u64>().ok())
            .filter(|&usec| usec > 0 && for_us)
            .map(Duration::from_micros);
        for var in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            std::env::remove_var(var);
        }
        let watchdog = watchdog.filter(|_| socket.is_some());
        Notifier { socket, watchdog }
    }

    /// Sends `state` (`KEY=VALUE` lines). Failures are ignored: systemd may have gone away,
    /// and the daemon's work does not depend on it.
    pub fn notify(&self, state: &str) {
        if let Some((sock, addr)) = &self.socket {
            let _ = sock.send_to_addr(state.as_bytes(), addr);
        }
    }

    /// `RELOADING=1` with the monotonic time systemd asks of it.
    pub fn reloading(&self) {
        self.notify(&format!("RELOADING=1\nMONOTONIC_USEC={}", crate::sys::monotonic_usec()));
    }

    /// How often to send `WATCHDOG=1` (half of `WatchdogSec=`), when systemd asks for it.
    pub fn watchdog_every(&self) -> Option<Duration> {
        self.watchdog.map(|w| w / 2)
    }
}

fn socket_addr(name: &[u8]) -> io::Result<SocketAddr> {
    match name.strip_prefix(b"@") {
        Some(abstract_name) => {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(abstract_name)
        }
        None => {
            use std::os::unix::ffi::OsStrExt;
            SocketAddr::from_pathname(Path::new(std::ffi::OsStr::from_bytes(name)))
        }
    }
}

/// Whether stderr is the journal's stream: `$JOURNAL_STREAM` (`DEV:INODE`) names the file that
/// fd 2 is, as `systemd.exec(5)` says to check (a child whose stderr was redirected keeps the
/// variable, but not the stream).
pub fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(var) = std::env::var_os("JOURNAL_STREAM") else { return false };
    let Some((dev, ino)) = var.to_str().and_then(|v| v.split_once(':')) else { return false };
    let (Ok(dev), Ok(ino)) = (dev.parse::<u64>(), ino.parse::<u64>()) else { return false };
    std::fs::metadata("/proc/self/fd/2").is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_to_a_path_socket_and_an_abstract_one() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let n = Notifier {
            socket: Some((
                UnixDatagram::unbound().unwrap(),
                socket_addr(path.as_os_str().as_encoded_bytes()).unwrap(),
            )),
            watchdog: None,
        };
        n.notify("READY=1");
        let mut buf = [0u8; 64];
        let k = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..k], b"READY=1");

        let name = format!("@logrotated-test-{}", std::process::id());
        let addr = socket_addr(name.as_bytes()).unwrap();
        let listener = UnixDatagram::bind_addr(&addr).unwrap();
        let n = Notifier { socket: Some((UnixDatagram::unbound().unwrap(), addr)), watchdog: None };
        n.reloading();
        let k = listener.recv(&mut buf).unwrap();
        assert!(buf[..k].starts_with(b"RELOADING=1\nMONOTONIC_USEC="));
    }

    #[test]
    fn without_a_socket_nothing_is_sent_and_no_watchdog() {
        let n = Notifier::default();
        n.notify("READY=1");
        assert_eq!(n.watchdog_every(), None);
    }
}
