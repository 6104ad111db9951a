//! The file steps of a rotation: creating the olddir, making room at a destination, moving the
//! log, creating the new one, compressing, mailing and removing archives, finishing renamecopy.

use super::compress::Durable;
use super::ids::{resolve_group, resolve_user};
use super::{batch, compress, fsops, handshake, path_str, scripts, tmp_name, trace, Executor};
use crate::pathbytes::PathShow as _;
use crate::plan::{LogPlan, Rotation, Step};
use crate::rule::{CreateSpec, MoveMethod, Options};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

impl Executor<'_> {
    pub(super) fn create_dir(&mut self, path: &Path, spec: &CreateSpec) -> bool {
        let uid = spec.owner.as_ref().and_then(resolve_user);
        let gid = spec.group.as_ref().and_then(resolve_group);
        match fsops::create_dir(path, spec.mode.unwrap_or(0o755), uid, gid) {
            Ok(()) => true,
            Err(e) => self.fail(&format!("error creating olddir {}: {e}", path.shown())),
        }
    }

    /// Makes room at a destination the rotation writes (an archive, a copy, the new log): a file
    /// already there is renamed to `NAME-YYYYMMDDHH.backup`, as logrotate 3.21 does, with its
    /// message and without changing the exit status. Nothing is overwritten or followed.
    pub(super) fn clear_destination(&mut self, dst: &Path) -> bool {
        if std::fs::symlink_metadata(dst).is_err() {
            return true;
        }
        let stamp = chrono::Local::now().format("-%Y%m%d%H.backup").to_string();
        let aside = fsops::aside_name(dst, &stamp);
        self.out.error_without_status(&format!(
            "destination {} already exists, renaming to {}",
            dst.shown(),
            aside.shown()
        ));
        match fsops::rename_noreplace(dst, &aside) {
            Ok(()) => true,
            Err(e) => self.fail(&format!(
                "error renaming already existing output file {} to {}: {e}",
                dst.shown(),
                aside.shown()
            )),
        }
    }

    pub(super) fn lock_timeout(o: &Options) -> Duration {
        o.lock_timeout
    }

    pub(super) fn compress(&mut self, o: &Options, src: &Path, dst: &Path) -> bool {
        // Placed with its batch already (see `batch::place_ahead`): the source goes now if it
        // could not then.
        if let Some(removed) = self.batch.as_mut().and_then(|b| b.placed.remove(src)) {
            if let Err(e) = removed {
                if !self.removal_failed(src, &e, false) {
                    return false;
                }
            }
            if let Some(b) = self.batch.as_mut() {
                b.changed(src);
                b.changed(dst);
            }
            return true;
        }
        let planted = std::fs::symlink_metadata(src).ok().and_then(|m| {
            if !m.is_file() && !m.is_dir() {
                Some("is not a regular file")
            } else {
                (m.is_file() && m.nlink() > 1 && !o.allow_hardlink).then_some("has other hard links")
            }
        });
        if let Some(what) = planted {
            // Something planted where an archive belongs (a symlink, FIFO, a hard link to some
            // other file): never read through it; remove the name so the rotation can go on, as
            // logrotate's rename over it does.
            return match std::fs::remove_file(src) {
                Ok(()) => {
                    self.out.error(&format!("{} {what}; removed it instead of compressing it", src.shown()));
                    true
                }
                Err(e) => self.fail(&format!("error removing {}: {e}", src.shown())),
            };
        }
        let held = match fsops::open_nofollow(src) {
            Ok(held) => held,
            Err(e) => {
                let how = if o.shred { "read-write" } else { "read-only" };
                let why = super::report::strerror(&e);
                return self.fail(&format!("unable to open {} ({how}) for compression: {why}", src.shown()));
            }
        };
        if !handshake::wait_exclusive(&held, Self::lock_timeout(o)) {
            self.out.warning(&format!(
                "{} is still open for writing; leaving it uncompressed for the next run",
                src.shown()
            ));
            return true;
        }
        if !self.clear_destination(dst) {
            return false;
        }
        let mut stderr = Vec::new();
        self.say_permanent_switch();
        let ahead = self.batch.as_mut().and_then(|b| b.written.remove(src));
        let now = || held.metadata().ok().map(|md| compress::Seen::of(&md));
        let compressed = match ahead.and_then(|w| batch::place(w, now(), dst)) {
            Some((placed, said)) => {
                stderr = said;
                placed
            }
            None if self.batch.is_some() => compress::write_partial(o, src, dst, &mut stderr, Durable::Alone)
                .and_then(|(partial, _)| compress::place(&partial, dst)),
            None => compress::compress_file(o, src, dst, &mut stderr),
        };
        if !stderr.is_empty() {
            // As logrotate: the program's own words follow, verbatim.
            self.out.error_without_status(&format!(
                "Compressing program wrote following message to stderr when compressing log {}:",
                src.shown()
            ));
            self.out.passthrough(&String::from_utf8_lossy(&stderr));
        }
        if let Err(e) = compressed {
            // 3.21's line, without a reason when a program failed (it gives its own, if any);
            // our own compression says what the system said (a full disk).
            let why = (stderr.is_empty() && e.raw_os_error().is_some())
                .then(|| format!(": {}", super::report::strerror(&e)));
            return self.fail(&format!("failed to compress log {}{}", src.shown(), why.unwrap_or_default()));
        }
        // As logrotate: the uncompressed file goes the way of any removed log (`preremove`,
        // `shred`), so `shred` never leaves the plain text behind. (No writer holds it: it was
        // waited for above.)
        let removed = self.remove_waited(o, src, false, Some(held));
        if !removed {
            return false;
        }
        if let Some(b) = self.batch.as_mut() {
            // The directories are fsynced once, when the batch ends.
            b.changed(src);
            b.changed(dst);
            return true;
        }
        fsops::sync_parent(src).is_ok()
            || self.fail(&format!("error syncing the directory of {}", src.shown()))
    }

    pub(super) fn mail(&mut self, o: &Options, path: &Path, subject: &str, compressed: bool) -> bool {
        let Some(address) = &o.mail else { return true };
        let (body, uncompressed) = match compress::read_for_mail(o, path, compressed) {
            Ok(b) => b,
            Err(e) => {
                let why = super::report::strerror(&e);
                return self.fail(&format!("failed to open {} for mailing: {why}", path.shown()));
            }
        };
        // 3.21's mail child goes back to root's identity from `su`, and says so.
        let said = self.su_child.as_ref().map(|(back, _)| back.clone());
        let out = &mut *self.out;
        let sent = scripts::send_mail_watched(&self.opts.mail_cmd, subject, address, &body, &mut |pid| {
            if let Some(line) = &said {
                out.info(&format!("{line} (pid {pid})"));
            }
        });
        if !uncompressed {
            // As 3.21, which mails what the uncompress command gave (here nothing useful).
            return self.fail(&format!("uncompress command failed mailing {}", path.shown()));
        }
        match sent {
            Ok(true) => true,
            // 3.21's words: its child says it cannot exec, the parent that the command failed.
            Ok(false) => self.fail(&format!("mail command failed for {}", path.shown())),
            Err(e) => {
                self.out.error(&format!("cannot execute mail command: {}", super::report::strerror(&e)));
                self.fail(&format!("mail command failed for {}", path.shown()))
            }
        }
    }

    /// Removes an archive (`old`) or a file just compressed, after `preremove`.
    pub(super) fn remove(&mut self, o: &Options, path: &Path, old: bool) -> bool {
        self.remove_waited(o, path, old, None)
    }

    /// [`Executor::remove`]; `held`: the file, opened and waited for (no writer holds it), by
    /// a caller that read it.
    fn remove_waited(&mut self, o: &Options, path: &Path, old: bool, held: Option<std::fs::File>) -> bool {
        if let Some(script) = &o.scripts.preremove {
            self.out.info("running preremove script");
            if !self.run_script(script, &[&path_str(path)]) {
                self.out.error(&format!(
                    "error running preremove script for {} of '{}'. Not removing this file.",
                    path.shown(),
                    self.pattern
                ));
                // 3.21 follows with a stale errno for an old log, and nothing more for a
                // compressed one.
                if old {
                    let errno = self.stale_errno;
                    self.out.error(&format!("Failed to remove old log {}: {errno}", path.shown()));
                }
                return false;
            }
        }
        // A preremove script may have let a writer in again: then it is waited for anew.
        let waited = held.filter(|_| o.scripts.preremove.is_none());
        if waited.is_none() {
            if let Ok(held) = fsops::open_nofollow(path) {
                if !handshake::wait_exclusive(&held, Self::lock_timeout(o)) {
                    self.out.warning(&format!("{} is still open for writing; not removing it", path.shown()));
                    return true;
                }
            }
        }
        let mut ok = true;
        let links = || std::fs::symlink_metadata(path).map_or(1, |m| m.nlink());
        if o.shred && links() > 1 && !o.allow_hardlink {
            // As logrotate: the file is left alone.
            return self.fail(&format!(
                "failed to shred \"{}\", because shredding files with multiple hard links is disabled for {}.",
                path.shown(),
                self.pattern
            ));
        }
        if o.shred {
            self.out.info(&format!("Using shred to remove the file {}", path.shown()));
            self.say_permanent_switch();
            if let Err(e) = fsops::shred(path, o.shred_cycles, o.allow_hardlink) {
                // Never the target of a symlink, nor a file with other links: the name goes.
                ok = self.fail(&format!("Failed to shred {}, trying unlink: {e}", path.shown()));
            }
        }
        match std::fs::remove_file(path) {
            Ok(()) => ok,
            Err(e) => self.removal_failed(path, &e, old) && ok,
        }
    }

    /// Says why `path` (an `old` log, or a file compressed) could not be removed: returns
    /// whether that is no failure (it was gone already).
    fn removal_failed(&mut self, path: &Path, e: &std::io::Error, old: bool) -> bool {
        let why = super::report::strerror(e);
        match e.kind() {
            // As 3.21: said, and not an error (something else removed it).
            std::io::ErrorKind::NotFound => {
                self.out.error_without_status(&format!("error unlinking log file {}: {why}", path.shown()));
                true
            }
            _ if old => self.fail(&format!("Failed to remove old log {}: {why}", path.shown())),
            _ => self.fail(&format!("error removing {}: {why}", path.shown())),
        }
    }

    /// Moves the live log to its archive name and creates the new log.
    pub(super) fn move_log(&mut self, o: &Options, log: &LogPlan, r: &Rotation) -> bool {
        // 3.21 looks up the log's ACL (ENODATA when it has none), unless a copy is skipped.
        if !r.skip_copy {
            self.stale_errno = "No data available";
        }
        if r.method == MoveMethod::CopyAndRenameCopy {
            // 3.21 neither renames (copy is set) nor copies (renamecopy is set) here.
            return true;
        }
        // The usual rename first, without looking before: it succeeds only where the log is
        // there and its archive name is free, which is all the looks below would find (any
        // failure is looked at, and said, the careful way).
        let plain = r.method == MoveMethod::Rename && !r.skip_copy && r.create.is_none();
        if plain
            && o.su.is_none()
            && !self.opts.dry_run
            && fsops::rename_noreplace(&log.path, &r.rotated).is_ok()
        {
            let lines = trace::move_lines(o, log, r);
            let rest = self.say_first(&lines);
            return self.moved(log, r, rest);
        }
        // 3.21 looks up the ACL of a log it renames before it says anything about the move.
        let renamed = matches!(r.method, MoveMethod::Rename | MoveMethod::RenameCopy);
        let gone = !self.opts.dry_run && std::fs::symlink_metadata(&log.path).is_err();
        if gone && renamed {
            self.out.error(&format!("getting file ACL {}: No such file or directory", log.path.shown()));
        } else if gone {
            // A copy says what it copies, then fails to open the log.
            if let Some(first) = trace::move_lines(o, log, r).first() {
                self.out.info(first);
            }
            return self.fail(&format!("error opening {}: No such file or directory", log.path.shown()));
        }
        let gone = gone && renamed;
        // The first line before the move; the rest after it, as 3.21 says them (when the
        // rename fails only `disposeName will be`, which it says regardless).
        let lines = trace::move_lines(o, log, r);
        let rest = self.say_first(&lines);
        if self.opts.dry_run {
            for line in rest {
                self.out.info(line);
            }
            return true;
        }
        if gone {
            for line in rest.iter().filter(said_anyway) {
                self.out.info(line);
            }
            return false;
        }
        self.as_su(o, |ex| ex.move_and_create(log, r, rest)).unwrap_or(false)
    }

    /// Says the first of a move's `lines` (the one 3.21 says before it), returns the rest.
    fn say_first<'l>(&mut self, lines: &'l [String]) -> &'l [String] {
        let Some((first, rest)) = lines.split_first() else { return &[] };
        self.out.info(first);
        rest
    }

    /// After the move: says `rest` (its lines), and makes the directories it changed durable
    /// (with the batch, once per directory when it ends).
    fn moved(&mut self, log: &LogPlan, r: &Rotation, rest: &[String]) -> bool {
        for line in rest {
            self.out.info(line);
        }
        // The rename is done; if it cannot be made durable, say so (exit 1) but finish
        // the rotation: the writer's new log must still be created.
        let moved_to = moved_to(log, r);
        // (A copy already synced its own directory; the log's did not change.)
        let mut dirs: Vec<&Path> = Vec::new();
        if matches!(r.method, MoveMethod::Rename | MoveMethod::RenameCopy) {
            dirs.push(log.path.as_path());
        }
        if r.method == MoveMethod::Rename && r.rotated.parent() != log.path.parent() {
            dirs.push(&moved_to);
        }
        if let Some(b) = self.batch.as_mut() {
            // Once per directory when the set's batch ends (before the state is written).
            dirs.drain(..).for_each(|d| b.changed(d));
        }
        for path in dirs {
            if let Err(e) = fsops::sync_parent(path) {
                self.out.error(&format!("error syncing the directory of {}: {e}", path.shown()));
            }
        }
        true
    }

    /// The move and the new log, as the `su` user; `rest`: the lines to say once moved.
    fn move_and_create(&mut self, log: &LogPlan, r: &Rotation, rest: &[String]) -> bool {
        let writes_archive = !(r.skip_copy || r.method == MoveMethod::RenameCopy);
        if writes_archive && !self.clear_destination(&r.rotated) {
            return false;
        }
        // (Looked at only for the new log it is the model of.)
        let original = r.create.as_ref().map(|_| std::fs::symlink_metadata(&log.path));
        // File times come from the kernel's coarse clock, a tick behind this one: a margin keeps
        // a log recreated in the same instant from looking older than the move.
        let moved_at = std::time::SystemTime::now() - Duration::from_millis(50);
        // The log never replaces an existing file: an archive left there (for example one a
        // writer held past `locktimeout`) would be lost.
        let moved = match r.method {
            MoveMethod::Rename => fsops::rename_noreplace(&log.path, &r.rotated),
            MoveMethod::RenameCopy => fsops::rename_noreplace(&log.path, &tmp_name(&log.path)),
            // (`copy` with `renamecopy` does not move the log: `move_log` returned.)
            MoveMethod::CopyAndRenameCopy => Ok(()),
            MoveMethod::Copy if r.skip_copy => Ok(()),
            MoveMethod::CopyTruncate if r.skip_copy => fsops::truncate(&log.path),
            MoveMethod::Copy => fsops::copy_sparse(&log.path, &r.rotated),
            MoveMethod::CopyTruncate => fsops::copy_truncate(&log.path, &r.rotated),
        };
        let ok = match moved {
            Ok(()) => self.moved(log, r, rest),
            Err(e) => {
                // In 3.21's words: a missing log fails its ACL lookup before the rename, or
                // the opening of the log for a copy.
                let to = moved_to(log, r);
                let (from, why) = (log.path.shown(), super::report::strerror(&e));
                let missing = e.kind() == std::io::ErrorKind::NotFound;
                let failed = self.fail(&match r.method {
                    // (A log gone before its move was said above, as 3.21's ACL lookup fails;
                    // here the destination's directory is missing.)
                    MoveMethod::Rename | MoveMethod::RenameCopy => {
                        format!("failed to rename {from} to {}: {why}", to.shown())
                    }
                    // The log is there: what is missing is the copy's directory.
                    _ if missing && std::fs::symlink_metadata(&log.path).is_ok() => {
                        format!("error creating output file {}: {why}", to.shown())
                    }
                    _ if missing => format!("error opening {from}: {why}"),
                    _ => format!("error copying {from} to {}: {why}", to.shown()),
                });
                for line in rest.iter().filter(said_anyway) {
                    self.out.info(line);
                }
                failed
            }
        };
        ok && match (&r.create, original) {
            (Some(spec), Some(Ok(md))) => self.create_log(&log.path, &moved_to(log, r), spec, &md, moved_at),
            _ => true,
        }
    }

    pub(super) fn create_log(
        &mut self,
        path: &Path,
        moved_to: &Path,
        spec: &CreateSpec,
        md: &std::fs::Metadata,
        moved_at: std::time::SystemTime,
    ) -> bool {
        let mode = spec.mode.unwrap_or(md.mode() & 0o7777);
        let uid = spec.owner.as_ref().map_or(Some(md.uid()), resolve_user);
        let gid = spec.group.as_ref().map_or(Some(md.gid()), resolve_group);
        // `create` without a mode keeps the old log's ACL, as logrotate does.
        let acl_from = if spec.mode.is_none() { Some(moved_to) } else { None };
        // In a batch the new log is made durable with the batch (once it exists).
        let later = self.batch.is_some();
        let e = match new_log(path, mode, uid, gid, acl_from, later) {
            Ok(()) => return self.unsynced(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => e,
            Err(e) => return self.fail(&format!("error creating output file {}: {e}", path.shown())),
        };
        // The application already opened a new log (it reopens on rotation): keep its file, with
        // the mode and owner `create` asks for, if it can only be that file.
        if fsops::adopt_new_log(path, md.uid(), moved_at, mode, uid, gid).is_ok() {
            self.out.info(&format!("{} was already recreated by its writer; kept it", path.shown()));
            return self.unsynced(path);
        }
        // Anything else (a symlink, a hard link, a FIFO, an older file) is moved aside, as
        // logrotate does.
        if !self.clear_destination(path) {
            return false;
        }
        match new_log(path, mode, uid, gid, acl_from, later) {
            Ok(()) => self.unsynced(path),
            Err(e2) => self.fail(&format!("error creating output file {}: {e2} (first: {e})", path.shown())),
        }
    }

    /// Notes a new log the batch makes durable; true.
    fn unsynced(&mut self, path: &Path) -> bool {
        if let Some(b) = self.batch.as_mut() {
            b.unsynced.push(path.to_path_buf());
        }
        true
    }

    /// After postrotate: finish renamecopy, then compress, mail and remove.
    pub(super) fn finish(&mut self, o: &Options, log: &LogPlan, r: &Rotation) -> bool {
        // (With `copy` too, 3.21 copies from a `LOG.tmp` it never made, and fails.)
        if matches!(r.method, MoveMethod::RenameCopy | MoveMethod::CopyAndRenameCopy) {
            let tmp = tmp_name(&log.path);
            let (from, to) = (tmp.shown(), r.rotated.shown());
            self.out.info(&format!("copying {from} to {to}"));
            if !self.opts.dry_run {
                let copied = self.as_su(o, |ex| {
                    if std::fs::symlink_metadata(&tmp).is_err() {
                        TmpCopy::Missing
                    } else if !ex.clear_destination(&r.rotated) {
                        TmpCopy::Blocked
                    } else {
                        TmpCopy::Done(fsops::copy_sparse(&tmp, &r.rotated))
                    }
                });
                let copied = match copied {
                    None | Some(TmpCopy::Blocked) => return false,
                    Some(TmpCopy::Missing) => {
                        self.out.error(&format!("error opening {from}: No such file or directory"));
                        self.out.info(&format!("removing tmp log {from}"));
                        return false;
                    }
                    Some(TmpCopy::Done(copied)) => copied,
                };
                if let Err(e) = copied {
                    let why = super::report::strerror(&e);
                    // The tmp file is there (looked at above): a missing directory of the copy.
                    if e.kind() == std::io::ErrorKind::NotFound {
                        self.out.error(&format!("error creating output file {to}: {why}"));
                    } else {
                        self.out.error(&format!("error copying {from} to {to}: {why}"));
                    }
                    self.out.info(&format!("removing tmp log {from}"));
                    return false;
                }
            }
            self.out.info(&format!("Not truncating {from}"));
            self.out.info(&format!("removing tmp log {from}"));
            if !self.opts.dry_run {
                if let Err(e) = std::fs::remove_file(&tmp) {
                    let why = super::report::strerror(&e);
                    return self.fail(&format!("error removing {from}: {why}"));
                }
            }
        }
        if self.opts.dry_run {
            // 3.21 mentions neither mail nor removal of an archive a dry run did not shift there.
            let finish: Vec<Step> = r
                .finish
                .iter()
                .filter(|s| match s {
                    Step::Mail { path, .. } | Step::Remove { path } => {
                        r.unsaid_in_dry_run.as_ref() != Some(path)
                    }
                    _ => true,
                })
                .cloned()
                .collect();
            return self.steps(o, &finish);
        }
        self.steps(o, &r.finish)
    }
}

/// Where the move takes the log: renamecopy's `LOG.tmp`, or the archive.
fn moved_to(log: &LogPlan, r: &Rotation) -> std::path::PathBuf {
    if r.method == MoveMethod::RenameCopy {
        tmp_name(&log.path)
    } else {
        r.rotated.clone()
    }
}

/// A move line said even when the move fails (3.21 says `disposeName will be` regardless).
fn said_anyway(line: &&String) -> bool {
    line.starts_with("disposeName will be ")
}

/// What renamecopy's copy of `LOG.tmp` to the archive came to.
enum TmpCopy {
    /// There is no `LOG.tmp`.
    Missing,
    /// Something in the way of the archive could not be moved aside (reported).
    Blocked,
    /// The copy was made, or failed.
    Done(std::io::Result<()>),
}

/// Creates the new, empty log (never over anything), with the ACL of `acl_from` if given, and
/// makes it durable (`later`: the batch makes its filesystem durable at its end).
fn new_log(
    path: &Path,
    mode: u32,
    uid: Option<u32>,
    gid: Option<u32>,
    acl_from: Option<&Path>,
    later: bool,
) -> std::io::Result<()> {
    let f = fsops::create_exclusive(path, mode, uid, gid)?;
    if let Some(old) = acl_from.and_then(|p| fsops::open_nofollow(p).ok()) {
        fsops::copy_acl(&old, &f)?;
    }
    if later {
        return Ok(());
    }
    f.sync_all()
}
