//! The `guard` member of `--plan-json`: what the disk guard (`maxtotalsize`, `minfree`) would
//! remove and rotate after the pass, and why (see [`crate::plan::guard`]).

use super::{text, time};
use crate::plan::guard::{DiskCheck, GuardPlan, GuardRotation, Reason, Removal};
use serde::Serialize;

/// What the guard would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuardJson {
    /// Archives it would remove, in order.
    pub removals: Vec<RemovalJson>,
    /// Logs it would rotate to free space, in order.
    pub rotations: Vec<RotationJson>,
    /// Each filesystem with a `minfree` threshold.
    pub filesystems: Vec<FilesystemJson>,
}

/// Why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "directive", rename_all = "lowercase")]
pub enum ReasonJson {
    /// `maxtotalsize`.
    MaxTotalSize {
        /// The log whose archives are over the limit.
        log: String,
        /// Their total before this removal.
        total: u64,
        /// The limit.
        max: u64,
    },
    /// `minfree`.
    MinFree {
        /// A directory on the filesystem.
        filesystem: String,
        /// Its free bytes before this removal.
        free: u64,
        /// The threshold in bytes.
        needs: u64,
    },
}

/// One archive to remove.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemovalJson {
    /// The archive.
    pub path: String,
    /// The log it is an archive of.
    pub log: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time.
    pub mtime: String,
    /// It is the log's newest archive (said as a warning).
    pub newest: bool,
    /// Why.
    pub reason: ReasonJson,
    /// The line said for it.
    pub message: String,
}

/// One log to rotate to free space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationJson {
    /// The log.
    pub log: String,
    /// Its size in bytes.
    pub size: u64,
    /// Why.
    pub reason: ReasonJson,
}

/// A filesystem with a `minfree` threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilesystemJson {
    /// A directory on it.
    pub path: String,
    /// Free bytes now.
    pub free: u64,
    /// The threshold in bytes.
    pub needs: u64,
    /// Free bytes once the planned removals are done.
    pub free_after: u64,
}

fn reason(r: &Reason) -> ReasonJson {
    match r {
        Reason::MaxTotalSize { log, total, max } => {
            ReasonJson::MaxTotalSize { log: text(log), total: *total, max: *max }
        }
        Reason::MinFree { disk, free, needs } => {
            ReasonJson::MinFree { filesystem: text(disk), free: *free, needs: *needs }
        }
    }
}

fn removal(r: &Removal) -> RemovalJson {
    RemovalJson {
        path: text(&r.path),
        log: text(&r.log),
        size: r.size,
        mtime: time(r.mtime),
        newest: r.newest,
        reason: reason(&r.reason),
        message: r.message(),
    }
}

fn rotation(r: &GuardRotation) -> RotationJson {
    RotationJson { log: text(&r.log), size: r.size, reason: reason(&r.reason) }
}

fn filesystem(d: &DiskCheck) -> FilesystemJson {
    FilesystemJson { path: text(&d.path), free: d.free, needs: d.needs, free_after: d.free_after }
}

/// The `guard` member for `plan`.
pub fn guard(plan: &GuardPlan) -> GuardJson {
    GuardJson {
        removals: plan.removals.iter().map(removal).collect(),
        rotations: plan.rotations.iter().map(rotation).collect(),
        filesystems: plan.disks.iter().map(filesystem).collect(),
    }
}
