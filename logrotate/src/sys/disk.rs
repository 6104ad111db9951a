//! Free space of a filesystem, as `df` shows it to users (`statvfs`).

use std::io;
use std::path::Path;

/// The space of the filesystem that holds a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Space {
    /// Bytes available to unprivileged users (`f_bavail * f_frsize`, `df`'s "Avail").
    pub avail: u64,
    /// The filesystem's size in bytes (`f_blocks * f_frsize`).
    pub total: u64,
}

/// `statvfs(path)`.
///
/// # Errors
///
/// The path cannot be looked at.
pub(crate) fn space(path: &Path) -> io::Result<Space> {
    let s = rustix::fs::statvfs(path).map_err(io::Error::from)?;
    Ok(Space { avail: s.f_bavail.saturating_mul(s.f_frsize), total: s.f_blocks.saturating_mul(s.f_frsize) })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_current_directory_has_a_size_and_no_more_free_than_that() {
        let s = super::space(std::path::Path::new(".")).expect("statvfs");
        assert!(s.total > 0 && s.avail <= s.total, "{s:?}");
        assert!(super::space(std::path::Path::new("/nonexistent/x")).is_err());
    }
}
