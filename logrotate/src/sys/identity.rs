//! The process's user and group ids, and the effective ones that `su` changes.
//!
//! Reading ids goes through rustix. Changing the effective ids calls the C library's
//! `setegid`/`seteuid`: glibc applies them to every thread of the process (the daemon and the
//! parallel compressor have threads), where the system call alone changes the calling thread.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

/// The real user id (`getuid`).
pub(crate) fn real_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The effective user id (`geteuid`).
pub(crate) fn effective_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The effective group id (`getegid`).
pub(crate) fn effective_gid() -> u32 {
    rustix::process::getegid().as_raw()
}

/// Sets the effective group id, then the effective user id, for the whole process (3.21's
/// `switch_user`: `setegid(group) || seteuid(user)`).
///
/// # Errors
///
/// Either call failed (`EPERM`); the error is the failing call's. The group may have changed
/// when only `seteuid` failed: the caller decides how to undo it.
pub(crate) fn set_effective(uid: u32, gid: u32) -> io::Result<()> {
    setegid(gid).and_then(|()| seteuid(uid))
}

/// Sets the effective user id first, then the effective group id: the order for going back to
/// root, since only a root euid may set any egid.
///
/// # Errors
///
/// Either call failed; the error is the failing call's.
pub(crate) fn set_effective_user_first(uid: u32, gid: u32) -> io::Result<()> {
    seteuid(uid).and_then(|()| setegid(gid))
}

/// Takes back root's effective ids (user first, then group) after an `su` switch. A failure
/// is remembered for the rest of the process: see [`failed_to_take_back_root`].
///
/// # Errors
///
/// `seteuid(0)` or `setegid(0)` failed; the process keeps (part of) the `su` identity.
pub(crate) fn back_to_root() -> io::Result<()> {
    set_effective_user_first(0, 0).inspect_err(|_| STRANDED.store(true, Ordering::SeqCst))
}

/// Whether [`back_to_root`] ever failed in this process: its effective ids are not root's
/// and cannot be made so, so it must not rotate anything more (a pass refuses to start).
pub(crate) fn failed_to_take_back_root() -> bool {
    STRANDED.load(Ordering::SeqCst)
}

/// Set once going back to root failed. The identity is the process's (glibc applies it to
/// every thread), and so is this record of it.
static STRANDED: AtomicBool = AtomicBool::new(false);

fn seteuid(uid: u32) -> io::Result<()> {
    // SAFETY: a plain call on an integer.
    let rc = unsafe { libc::seteuid(uid) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn setegid(gid: u32) -> io::Result<()> {
    // SAFETY: a plain call on an integer.
    let rc = unsafe { libc::setegid(gid) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
