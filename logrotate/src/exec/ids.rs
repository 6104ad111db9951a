//! User and group lookups, and running file operations as the `su` user.

use crate::rule::Owner;
use std::ffi::CString;

/// Longer names are unknown without asking: glibc's lookup of a name of megabytes aborts.
const MAX_NAME: usize = 256;

/// Looks up a user name: uid, primary gid and home directory.
fn passwd_entry(name: &str) -> Option<(u32, u32, std::ffi::OsString)> {
    if name.len() > MAX_NAME {
        return None;
    }
    let c = CString::new(name).ok()?;
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call; buf is large enough or the
    // call returns ERANGE, which we treat as "not found".
    let rc = unsafe { libc::getpwnam_r(c.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() {
        return None;
    }
    let home = if pwd.pw_dir.is_null() {
        std::ffi::OsString::new()
    } else {
        // SAFETY: getpwnam_r filled pw_dir with a NUL-terminated string inside `buf`.
        let bytes = unsafe { std::ffi::CStr::from_ptr(pwd.pw_dir) }.to_bytes();
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes).to_os_string()
    };
    Some((pwd.pw_uid, pwd.pw_gid, home))
}

/// Looks up a user name, returning its uid and primary gid.
pub fn user_entry(name: &str) -> Option<(u32, u32)> {
    passwd_entry(name).map(|(uid, gid, _)| (uid, gid))
}

/// A user's home directory (`~user` in a log pattern, as glob(3)'s `GLOB_TILDE` reads it).
pub fn user_home(name: &str) -> Option<std::ffi::OsString> {
    passwd_entry(name).map(|(_, _, home)| home).filter(|h| !h.is_empty())
}

/// Looks up a user name.
pub fn user_id(name: &str) -> Option<u32> {
    user_entry(name).map(|(u, _)| u)
}

/// Looks up a group name.
pub fn group_id(name: &str) -> Option<u32> {
    if name.len() > MAX_NAME {
        return None;
    }
    let c = CString::new(name).ok()?;
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: as in `user_entry`.
    let rc = unsafe { libc::getgrnam_r(c.as_ptr(), &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
}

/// Whether a user with this uid exists.
pub fn uid_exists(uid: u32) -> bool {
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    rc == 0 && !result.is_null()
}

/// Whether a group with this gid exists.
pub fn gid_exists(gid: u32) -> bool {
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call.
    let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    rc == 0 && !result.is_null()
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

/// Whether the process runs as root.
pub fn is_root() -> bool {
    real_uid() == 0
}

/// The real user id of the process.
pub fn real_uid() -> u32 {
    // SAFETY: getuid never fails.
    unsafe { libc::getuid() }
}

/// While alive, file operations run with the effective uid/gid of an `su` user; dropping it
/// restores root. Scripts run as the invoking user, so callers drop this before scripts.
pub struct SuGuard {
    active: bool,
}

impl SuGuard {
    /// Switches effective ids (only when running as root; otherwise a no-op).
    ///
    /// # Errors
    ///
    /// The switch failed.
    pub fn switch(uid: u32, gid: u32) -> std::io::Result<SuGuard> {
        // SAFETY: plain syscalls.
        unsafe {
            if libc::geteuid() != 0 {
                return Ok(SuGuard { active: false });
            }
            if libc::setegid(gid) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::seteuid(uid) != 0 {
                let e = std::io::Error::last_os_error();
                libc::setegid(0);
                return Err(e);
            }
        }
        Ok(SuGuard { active: true })
    }
}

impl Drop for SuGuard {
    fn drop(&mut self) {
        if self.active {
            // SAFETY: plain syscalls restoring root.
            unsafe {
                libc::seteuid(0);
                libc::setegid(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn regression_a_name_of_megabytes_is_unknown_not_a_crash() {
        let huge = "x".repeat(10 << 20);
        assert_eq!(super::user_entry(&huge), None);
        assert_eq!(super::group_id(&huge), None);
        assert_eq!(super::user_entry("root"), Some((0, 0)));
    }
}
