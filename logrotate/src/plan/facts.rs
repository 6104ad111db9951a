//! The planner's input about the disk: what each log path is, its size and times, and the
//! archives beside it. The crate's `scan` gathers these facts; the planner only reads them, so it
//! stays a pure function that tests feed with tables of made-up facts.

use chrono::NaiveDateTime;
use serde::Serialize;
use std::path::PathBuf;

/// What a log path is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Does not exist.
    Missing,
    /// A regular file.
    Regular,
    /// A symbolic link (never rotated).
    Symlink,
    /// A FIFO, socket or device (never rotated).
    Other,
    /// A directory matched by a glob (left out of the set, as logrotate does).
    Directory,
}

/// A file that already sits where archives go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Archive {
    /// File name (no directory).
    pub name: String,
    /// Modification time, local (looked at only when `maxage`, `maxtotalsize` or `minfree`
    /// needs it; else the default).
    pub mtime: NaiveDateTime,
    /// Size in bytes (looked at only when `maxtotalsize` or `minfree` needs it; else 0).
    pub size: u64,
}

/// Facts about one log file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileFacts {
    /// The log path.
    pub path: PathBuf,
    /// What it is.
    pub kind: FileKind,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, local.
    pub mtime: NaiveDateTime,
    /// Hard link count.
    pub nlink: u64,
    /// The parent directory is writable by others, or by a non-root group.
    pub insecure_dir: bool,
    /// The parent directory does not exist.
    pub parent_missing: bool,
    /// The directory archives go to (`olddir` resolved, or the log's directory).
    pub archive_dir: PathBuf,
    /// Whether `archive_dir` exists.
    pub archive_dir_exists: bool,
    /// Entries of `archive_dir` whose names start with the log's file name (minus `extension`).
    pub archives: Vec<Archive>,
    /// With `olddir`: a symbolic link on the way to `archive_dir` that sits in a directory
    /// writable by someone other than root (whoever can write there can redirect the archives).
    pub archive_dir_link: Option<PathBuf>,
    /// Temporary files of an interrupted rotation in `archive_dir`: `.ARCHIVE.partial` names.
    pub leftovers: Vec<String>,
}

/// The facts for one rule: every file its patterns match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetFacts {
    /// Index into the rules.
    pub rule: usize,
    /// One entry per matched (or literal, missing) file.
    pub files: Vec<FileFacts>,
}
