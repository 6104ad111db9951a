//! `watched-writer`: a log file handle that follows external rotation.
//!
//! This crate is a placeholder; the writer is built in a later step (see issue 3).
#![deny(missing_docs)]
