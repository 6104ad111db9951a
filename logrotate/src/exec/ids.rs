//! User and group lookups, and running file operations as the `su` user.

use crate::rule::{Owner, SuSpec};
use crate::sys::{identity, users};

/// Looks up a user name, returning its uid and primary gid.
pub fn user_entry(name: &str) -> Option<(u32, u32)> {
    users::user_by_name(name).map(|p| (p.uid, p.gid))
}

/// A user's home directory (`~user` in a log pattern, as glob(3)'s `GLOB_TILDE` reads it).
pub fn user_home(name: &str) -> Option<std::ffi::OsString> {
    users::user_by_name(name).map(|p| p.home).filter(|h| !h.is_empty())
}

/// Looks up a user name.
pub fn user_id(name: &str) -> Option<u32> {
    user_entry(name).map(|(u, _)| u)
}

/// Looks up a group name.
pub fn group_id(name: &str) -> Option<u32> {
    users::group_by_name(name)
}

/// Whether a user with this uid exists.
pub fn uid_exists(uid: u32) -> bool {
    users::user_by_id(uid).is_some()
}

/// Whether a group with this gid exists.
pub fn gid_exists(gid: u32) -> bool {
    users::group_exists(gid)
}

/// Resolves an owner to a uid.
pub fn resolve_user(o: &Owner) -> Option<u32> {
    match o {
        Owner::Id(i) => Some(*i),
        Owner::Name(n) => user_id(n),
    }
}

/// Resolves a group to a gid.
pub fn resolve_group(o: &Owner) -> Option<u32> {
    match o {
        Owner::Id(i) => Some(*i),
        Owner::Name(n) => group_id(n),
    }
}

/// The uid and gid an `su` directive names: without a group, a named user's primary group,
/// or group 0 for a numeric user (as 3.21). `None` when a name is unknown.
pub fn su_ids(su: &SuSpec) -> Option<(u32, u32)> {
    let uid = resolve_user(&su.user)?;
    let gid = match &su.group {
        Some(g) => resolve_group(g)?,
        None => match &su.user {
            Owner::Name(n) => user_entry(n)?.1,
            Owner::Id(_) => 0,
        },
    };
    Some((uid, gid))
}

/// Whether the process runs as root.
pub fn is_root() -> bool {
    identity::real_uid() == 0
}

/// The real user id of the process.
pub fn real_uid() -> u32 {
    identity::real_uid()
}

/// The effective uid and gid of the process.
pub fn effective_ids() -> (u32, u32) {
    (identity::effective_uid(), identity::effective_gid())
}

/// While alive, file operations run with the effective uid/gid of an `su` user.
/// [`SuGuard::leave`] goes back to root; callers leave before scripts (which run as the
/// invoking user) and at the end of every operation, on every path.
///
/// Dropping a guard that was not left is only a safety net (an early return or unwinding): it
/// goes back to root too, and when that fails it aborts the process without a word, since
/// nothing more may run as the wrong user and the library does not print.
#[derive(Debug)]
pub struct SuGuard {
    /// The su ids we switched to, while switched.
    active: Option<(u32, u32)>,
    /// How to take back root's ids ([`identity::back_to_root`]; a fake in tests).
    back: fn() -> std::io::Result<()>,
}

/// Going back to root after `su` failed: the process still has the `su` user's identity and
/// must stop. Its `Display` is 3.21's line (without `error: `).
#[derive(Debug)]
pub struct LeaveSuError {
    /// The `su` user's uid, still the effective one.
    pub uid: u32,
    /// The `su` group's gid.
    pub gid: u32,
    /// What `seteuid`/`setegid` said.
    pub source: std::io::Error,
}

impl std::fmt::Display for LeaveSuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error switching euid from {} to 0 and egid from {} to 0 (pid {}): {}",
            self.uid,
            self.gid,
            std::process::id(),
            super::report::strerror(&self.source)
        )
    }
}

impl std::error::Error for LeaveSuError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl SuGuard {
    /// Switches effective ids (only when running as root; otherwise a no-op).
    ///
    /// # Errors
    ///
    /// The switch failed; the ids are root's again then.
    pub fn switch(uid: u32, gid: u32) -> std::io::Result<SuGuard> {
        let back = identity::back_to_root;
        if identity::effective_uid() != 0 {
            return Ok(SuGuard { active: None, back });
        }
        if let Err(e) = identity::set_effective(uid, gid) {
            // setegid may have worked; the euid is still root, so this cannot fail.
            let _ = back();
            return Err(e);
        }
        Ok(SuGuard { active: Some((uid, gid)), back })
    }

    /// Goes back to root's effective ids (nothing to do when the switch was a no-op).
    ///
    /// # Errors
    ///
    /// Going back failed: the process keeps the `su` identity, and the caller must stop the
    /// run (the error says so in 3.21's words).
    pub fn leave(mut self) -> Result<(), LeaveSuError> {
        let Some((uid, gid)) = self.active.take() else { return Ok(()) };
        (self.back)().map_err(|source| LeaveSuError { uid, gid, source })
    }
}

impl Drop for SuGuard {
    fn drop(&mut self) {
        if self.active.take().is_some() && (self.back)().is_err() {
            // Never go on as the wrong user; the explicit `leave` is where this is reported.
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_name_of_megabytes_is_unknown() {
        let huge = "x".repeat(10 << 20);
        assert_eq!(user_entry(&huge), None);
        assert_eq!(group_id(&huge), None);
        assert_eq!(user_entry("root"), Some((0, 0)));
    }

    #[test]
    fn su_ids_take_the_users_group_or_zero() {
        let su = |user: Owner, group: Option<Owner>| SuSpec { user, group };
        assert_eq!(su_ids(&su(Owner::Name("root".into()), None)), Some((0, 0)));
        assert_eq!(su_ids(&su(Owner::Id(7), None)), Some((7, 0)));
        assert_eq!(su_ids(&su(Owner::Id(7), Some(Owner::Id(9)))), Some((7, 9)));
        assert_eq!(su_ids(&su(Owner::Name("no-such-user-here".into()), None)), None);
    }

    /// A guard switched to nobody (the switch itself is not made: the process's identity is
    /// every test thread's), going back with `back`.
    fn switched(back: fn() -> std::io::Result<()>) -> SuGuard {
        SuGuard { active: Some((65534, 65534)), back }
    }

    fn refused() -> std::io::Result<()> {
        Err(std::io::Error::from_raw_os_error(libc::EPERM))
    }

    #[test]
    fn leaving_goes_back_once_and_a_guard_left_does_nothing_more_when_dropped() {
        static BACK: AtomicUsize = AtomicUsize::new(0);
        fn back() -> std::io::Result<()> {
            BACK.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        switched(back).leave().unwrap();
        assert_eq!(BACK.load(Ordering::SeqCst), 1);
        // Not switched (we were not root): nothing to go back from.
        SuGuard { active: None, back }.leave().unwrap();
        drop(SuGuard { active: None, back });
        assert_eq!(BACK.load(Ordering::SeqCst), 1);
        // The safety net goes back for a guard that was not left.
        drop(switched(back));
        assert_eq!(BACK.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn leaving_that_fails_is_an_error_in_3_21_words() {
        let e = switched(refused).leave().unwrap_err();
        assert_eq!((e.uid, e.gid, e.source.raw_os_error()), (65534, 65534, Some(libc::EPERM)));
        let pid = std::process::id();
        assert_eq!(
            e.to_string(),
            format!("error switching euid from 65534 to 0 and egid from 65534 to 0 (pid {pid}): Operation not permitted")
        );
    }

    #[test]
    fn dropping_a_guard_that_cannot_go_back_aborts_without_a_word() {
        const CHILD: &str = "LOGROTATE_TEST_ABORTING_GUARD";
        if std::env::var_os(CHILD).is_some() {
            drop(switched(refused));
            // Not reached: the process was aborted.
            std::process::exit(0);
        }
        let me = "exec::ids::tests::dropping_a_guard_that_cannot_go_back_aborts_without_a_word";
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([me, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{out:?}");
    }
}
