//! Every system call the engine makes that std does not wrap, behind safe functions: the one
//! place for the operating system.
//!
//! Most go through [`rustix`], which makes them safe. The C library is called (with `unsafe`,
//! only in this module) where rustix has no equivalent or where the C library's behaviour is
//! what we need:
//!
//! * [`users`]: the passwd and group databases (`getpwnam_r`, `getgrnam_r`, …), which NSS
//!   answers, not the kernel.
//! * [`identity`]: `seteuid`/`setegid`, because glibc changes the identity of every thread of
//!   the process, where the raw system call changes only the calling thread's.
//! * [`locale`]: `setlocale`, `mbrtowc`, `iswprint`, `strcoll`, which are the C library's.
//! * [`syslog`]: the `syslog(3)` call.
//!
//! [`disk`] has `statvfs`, for the disk guard (`minfree`).
//!
//! Callers get `std::io::Error`s, so error text and `raw_os_error` stay as std gives them.

pub(crate) mod dirs;
pub(crate) mod disk;
pub(crate) mod fs;
pub(crate) mod identity;
pub(crate) mod inotify;
pub(crate) mod locale;
pub(crate) mod syslog;
pub(crate) mod users;

/// The monotonic clock (`CLOCK_MONOTONIC`) in microseconds, as systemd's `MONOTONIC_USEC=` asks.
#[cfg(feature = "daemon")]
pub(crate) fn monotonic_usec() -> u64 {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0) / 1_000
}
