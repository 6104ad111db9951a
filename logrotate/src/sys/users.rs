//! The passwd and group databases (through NSS, so the C library's `get*_r` calls).

use std::ffi::{CStr, CString, OsString};
use std::os::unix::ffi::OsStrExt;

/// Longer names are unknown without asking: glibc's lookup of a name of megabytes aborts.
const MAX_NAME: usize = 256;

/// What the passwd database says about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Passwd {
    /// `pw_uid`.
    pub uid: u32,
    /// `pw_gid`, the primary group.
    pub gid: u32,
    /// `pw_dir`, empty when unset.
    pub home: OsString,
}

fn c_name(name: &str) -> Option<CString> {
    (name.len() <= MAX_NAME).then(|| CString::new(name).ok()).flatten()
}

fn passwd_from(pwd: &libc::passwd) -> Passwd {
    let home = if pwd.pw_dir.is_null() {
        OsString::new()
    } else {
        // SAFETY: the lookup filled pw_dir with a NUL-terminated string inside its buffer,
        // which the caller still holds.
        std::ffi::OsStr::from_bytes(unsafe { CStr::from_ptr(pwd.pw_dir) }.to_bytes()).to_os_string()
    };
    Passwd { uid: pwd.pw_uid, gid: pwd.pw_gid, home }
}

/// Looks up a user by name (`getpwnam_r`); `None` when unknown or the lookup failed.
pub(crate) fn user_by_name(name: &str) -> Option<Passwd> {
    let c = c_name(name)?;
    // SAFETY: an all-zero passwd is a valid value for the call to fill in.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; a too small buffer gives ERANGE, which is
    // "not found" here.
    let rc = unsafe { libc::getpwnam_r(c.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then(|| passwd_from(&pwd))
}

/// Looks up a user by uid (`getpwuid_r`).
pub(crate) fn user_by_id(uid: u32) -> Option<Passwd> {
    // SAFETY: as in `user_by_name`.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: as in `user_by_name`.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then(|| passwd_from(&pwd))
}

/// Looks up a group's gid by name (`getgrnam_r`).
pub(crate) fn group_by_name(name: &str) -> Option<u32> {
    let c = c_name(name)?;
    // SAFETY: an all-zero group is a valid value for the call to fill in.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: as in `user_by_name`.
    let rc = unsafe { libc::getgrnam_r(c.as_ptr(), &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
}

/// Whether a group with this gid exists (`getgrgid_r`).
pub(crate) fn group_exists(gid: u32) -> bool {
    // SAFETY: as in `group_by_name`.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: as in `user_by_name`.
    let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    rc == 0 && !result.is_null()
}

#[cfg(test)]
mod tests {
    #[test]
    fn regression_a_name_of_megabytes_is_unknown_not_a_crash() {
        let huge = "x".repeat(10 << 20);
        assert_eq!(super::user_by_name(&huge), None);
        assert_eq!(super::group_by_name(&huge), None);
        let root = super::user_by_name("root").unwrap();
        assert_eq!((root.uid, root.gid), (0, 0));
        assert_eq!(super::user_by_id(0), Some(root));
        assert!(super::group_exists(0));
    }
}
