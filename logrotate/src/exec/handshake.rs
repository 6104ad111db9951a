//! The writer handshake: before compressing, shredding or removing a rotated file, take an
//! exclusive advisory lock (flock) on it. Writers using `watched-writer` hold a shared lock
//! while the file is open for writing, so getting the exclusive lock means no such writer
//! can still append to it. Writers that do not lock are not waited for.

use std::fs::{File, TryLockError};
use std::time::{Duration, Instant};

/// Waits up to `timeout` for an exclusive lock on `file`. Returns whether it was acquired;
/// the lock is released when `file` is closed.
pub fn wait_exclusive(file: &File, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match file.try_lock() {
            Ok(()) => return true,
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(TryLockError::WouldBlock) => return false,
            // Locking unsupported here (some network filesystems): do not wait.
            Err(TryLockError::Error(_)) => return true,
        }
    }
}
