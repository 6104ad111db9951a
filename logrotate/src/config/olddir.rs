//! `olddir` checked when a stanza closes, as logrotate 3.21 does at load time: for each log of
//! the stanza, the olddir (absolute, or relative to the log's directory) must exist; with
//! `createolddir` a missing one is created like `mkdir -p`; and unless the log is copied
//! (`copy`, `copytruncate`, `renamecopy`) it must be on the log's device. A failure abandons
//! the rest of the config file, as 3.21's `goto error` there does.
//!
//! The loader does the filesystem work through an [`OlddirFs`] given in
//! [`LoadOptions`](super::LoadOptions), so the checks can be tested without touching the disk;
//! [`DiskOlddirs`] is the real one, which creates through the executor's
//! [`create_dir`](crate::exec::fsops::create_dir).

use super::classic::io_msg;
use crate::diag::{Diagnostic, Form, Level, Location};
use crate::pathbytes::PathShow as _;
use crate::rule::{CreateSpec, Rule, SuSpec};
use std::io;
use std::path::{Path, PathBuf};

/// The filesystem as the `olddir` checks at load time see it.
pub trait OlddirFs: Send + Sync {
    /// The device of `path` (`stat`, following symlinks).
    ///
    /// # Errors
    ///
    /// `stat` failed.
    fn device(&self, path: &Path) -> io::Result<u64>;
    /// Whether `dir` is reached through a symbolic link that the planner refuses to follow (it
    /// sits in a directory a user other than root can write, and no `su` is set). The loader
    /// then leaves that log to the planner, which reports it, and creates nothing.
    fn is_refused_link(&self, dir: &Path, rule: &Rule) -> bool;
    /// Creates `dir` and its missing parents with the `createolddir` mode and owner, as the
    /// `su` user if set. Returns whether it was created (false: a dry run, nothing done).
    ///
    /// # Errors
    ///
    /// The message to print, in 3.21's words (`path … already exists, but it is not a
    /// directory`, `error creating …: …`).
    fn create(&self, dir: &Path, spec: &CreateSpec, su: Option<&SuSpec>) -> Result<bool, String>;
}

/// What a failed check says (located at the stanza's end where 3.21 names it).
pub(super) struct Failure(pub Diagnostic);

/// C's `dirname()` for the paths globs give: `.` for a bare name, `/` for a file in `/`.
fn dirname(file: &Path) -> String {
    let s = crate::pathbytes::path_text(file);
    let trimmed = s.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => trimmed[..i].trim_end_matches('/').to_string(),
        None if s.starts_with('/') => "/".to_string(),
        None => ".".to_string(),
    }
}

/// Runs 3.21's checks for a stanza that just closed at `at`, whose log files (as the loader
/// built its list) are `files`. `notes` receives the debug lines. `Err` means the rest of the
/// file is abandoned.
pub(super) fn check(
    fs: &dyn OlddirFs,
    rule: &Rule,
    files: &[PathBuf],
    at: &Location,
    notes: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let failure = |what: String| Failure(Diagnostic::error_at(at.clone(), &what));
    let o = &rule.options;
    let Some(olddir) = &o.olddir else { return Ok(()) };
    for file in files {
        let log_dir = dirname(file);
        let log_dev = match fs.device(&crate::pathbytes::to_path(&log_dir)) {
            Ok(dev) => dev,
            Err(e) if o.missing_ok => {
                let what = format!(
                    "verifying log file path failed {log_dir}: {}, log is probably missing, but missingok is set, so this is not an error.",
                    io_msg(&e)
                );
                notes.push(Diagnostic::located(Level::Note, at.clone(), Form::Config, &what));
                continue;
            }
            Err(e) => {
                return Err(failure(format!("error verifying log file path {log_dir}: {}", io_msg(&e))))
            }
        };
        let dir = if olddir.starts_with('/') { olddir.clone() } else { format!("{log_dir}/{olddir}") };
        let dir = crate::pathbytes::to_path(&dir);
        if fs.is_refused_link(&dir, rule) {
            continue;
        }
        let old_dev = match fs.device(&dir) {
            Ok(dev) => dev,
            Err(e) if e.kind() == io::ErrorKind::NotFound && o.create_olddir.is_some() => {
                let spec = o.create_olddir.as_ref().expect("checked above");
                if !fs.create(&dir, spec, o.su.as_ref()).map_err(|e| Failure(Diagnostic::error(e)))? {
                    continue;
                }
                fs.device(&dir).map_err(|e| {
                    failure(format!("error verifying created olddir path {}: {}", dir.shown(), io_msg(&e)))
                })?
            }
            Err(e) => {
                return Err(failure(format!("error verifying olddir path {}: {}", dir.shown(), io_msg(&e))))
            }
        };
        if log_dev != old_dev && o.move_method == crate::rule::MoveMethod::Rename {
            return Err(failure(format!(
                "olddir {olddir} and log file {} are on different devices",
                file.shown()
            )));
        }
    }
    Ok(())
}

/// The real filesystem. `create_dirs: false` (a dry run, `--plan-json`, `--status`) checks
/// without creating: the planner then shows the `createolddir` step instead.
#[derive(Debug, Clone, Copy)]
pub struct DiskOlddirs {
    /// Whether a missing olddir is created (3.21 creates it even with `-d`; we change nothing
    /// in a dry run).
    pub create_dirs: bool,
}

impl OlddirFs for DiskOlddirs {
    fn device(&self, path: &Path) -> io::Result<u64> {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).map(|m| m.dev())
    }

    fn is_refused_link(&self, dir: &Path, rule: &Rule) -> bool {
        rule.options.su.is_none() && crate::exec::ids::is_root() && crate::scan::untrusted_link(dir).is_some()
    }

    fn create(&self, dir: &Path, spec: &CreateSpec, su: Option<&SuSpec>) -> Result<bool, String> {
        if !self.create_dirs {
            return Ok(false);
        }
        let guard = match su {
            Some(su) => Some(switch_to(su)?),
            None => None,
        };
        let made = mkpath(dir, spec);
        // Failing to go back is fatal: no pass starts after it (`app::PassError::Stranded`).
        guard.map_or(Ok(()), crate::exec::ids::SuGuard::leave).map_err(|e| e.to_string())?;
        made?;
        Ok(true)
    }
}

/// Takes on the `su` user's ids for the creation (3.21's `switch_user`).
fn switch_to(su: &SuSpec) -> Result<crate::exec::ids::SuGuard, String> {
    use crate::exec::ids;
    let Some((uid, gid)) = ids::su_ids(su) else { return Err("su: unknown user or group".to_string()) };
    ids::SuGuard::switch(uid, gid).map_err(|e| format!("su: {e}"))
}

/// `mkdir -p` as 3.21's `mkpath`: each missing directory on the way is created with the
/// `createolddir` mode and owner. Existing directories on the way are followed as `stat` does
/// (the planner's check for planted symbolic links came first); what is created goes through
/// [`create_dir`](crate::exec::fsops::create_dir), which never follows a symlink at the name it
/// creates and refuses anything there that is not a directory.
fn mkpath(dir: &Path, spec: &CreateSpec) -> Result<(), String> {
    use crate::exec::{fsops, ids};
    let mode = spec.mode.unwrap_or(0o755);
    let uid = spec.owner.as_ref().and_then(ids::resolve_user);
    let gid = spec.group.as_ref().and_then(ids::resolve_group);
    let mut prefix = PathBuf::new();
    for comp in dir.components() {
        prefix.push(comp);
        match std::fs::metadata(&prefix) {
            Ok(md) if md.is_dir() => continue,
            Ok(_) => return Err(not_a_directory(&prefix)),
            Err(_) => {}
        }
        fsops::create_dir(&prefix, mode, uid, gid).map_err(|e| match e.raw_os_error() {
            Some(_) => format!("error creating {}: {}", prefix.shown(), io_msg(&e)),
            // create_dir's own refusal of a non-directory.
            None => not_a_directory(&prefix),
        })?;
    }
    Ok(())
}

fn not_a_directory(path: &Path) -> String {
    format!("path {} already exists, but it is not a directory", path.shown())
}

#[cfg(test)]
#[path = "olddir_tests.rs"]
mod tests;
