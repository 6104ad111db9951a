//! No directory watch on this platform: the background thread relies on its periodic checks.

use crate::shared::Shared;
use std::os::fd::BorrowedFd;
use std::time::Instant;

/// A watch that never reports anything.
#[derive(Debug)]
pub(crate) struct DirWatch;

impl DirWatch {
    pub(crate) fn new(_shared: &Shared) -> DirWatch {
        DirWatch
    }

    pub(crate) fn disabled() -> DirWatch {
        DirWatch
    }

    pub(crate) fn fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }

    pub(crate) fn take_events(&mut self) -> bool {
        false
    }

    pub(crate) fn ensure(&mut self, _shared: &Shared) -> bool {
        false
    }

    pub(crate) fn retry_at(&self) -> Option<Instant> {
        None
    }
}
