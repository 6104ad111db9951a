//! Watching the parent directory for renames, creations and deletions of the log file.
//!
//! On Linux this is inotify, with a mask that leaves out writes: the writer's own writes must
//! not wake anybody. Elsewhere there is no watch, and the safety-net checks do the work.

#[cfg(any(target_os = "linux", target_os = "android"))]
mod inotify;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod none;

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use self::inotify::DirWatch;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) use self::none::DirWatch;
