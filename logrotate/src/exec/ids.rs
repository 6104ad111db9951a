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

/// While alive, file operations run with the effective uid/gid of an `su` user; dropping it
/// goes back to root. Scripts run as the invoking user, so callers drop it before scripts.
///
/// Going back is fatal when it fails: the run must not go on as the wrong user, so a failure
/// reports 3.21's `error switching euid from U to 0 and egid from G to 0 (pid N): REASON` line
/// and ends the process with status 1.
#[derive(Debug)]
pub struct SuGuard {
    /// The su ids we switched to, while switched.
    active: Option<(u32, u32)>,
}

impl SuGuard {
    /// Switches effective ids (only when running as root; otherwise a no-op).
    ///
    /// # Errors
    ///
    /// The switch failed; the ids are root's again then.
    pub fn switch(uid: u32, gid: u32) -> std::io::Result<SuGuard> {
        if identity::effective_uid() != 0 {
            return Ok(SuGuard { active: None });
        }
        if let Err(e) = identity::set_effective(uid, gid) {
            // setegid may have worked; the euid is still root, so this cannot fail.
            let _ = identity::set_effective_user_first(0, 0);
            return Err(e);
        }
        Ok(SuGuard { active: Some((uid, gid)) })
    }
}

impl Drop for SuGuard {
    fn drop(&mut self) {
        let Some((uid, gid)) = self.active.take() else { return };
        if let Err(e) = identity::set_effective_user_first(0, 0) {
            // Going on as the su user would run the rest (other logs, scripts, the state file)
            // with the wrong identity: stop here, with 3.21's line.
            eprintln!(
                "error: error switching euid from {uid} to 0 and egid from {gid} to 0 (pid {}): {}",
                std::process::id(),
                super::report::strerror(&e)
            );
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
