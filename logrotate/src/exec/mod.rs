//! The executor: the only code that renames, creates, compresses, runs scripts and mails.
//!
//! It carries out a [`Plan`] set by set in logrotate's order (firstaction → per log: shift old
//! archives → prerotate → move → create → postrotate → compress, mail, remove → lastaction) and
//! records each rotation in the [`State`]. An error in one log or set is reported and the run
//! goes on.

pub mod compress;
pub mod fsops;
pub mod handshake;
pub mod ids;
pub mod pgzip;
pub mod repair;
pub mod report;
pub mod scripts;
pub mod trace;

use crate::plan::{Decision, LogPlan, Method, Plan, Rotation, SetPlan, Step};
use crate::rule::{CreateSpec, Options, Rule};
use crate::state::State;
use ids::{resolve_group, resolve_user, SuGuard};
use report::Reporter;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Settings of the executor.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// `-d`: print what would happen, change nothing.
    pub dry_run: bool,
    /// Mail command (`-m`).
    pub mail_cmd: String,
    /// `-f` (only said in the verbose lines: the plan already holds its effect).
    pub force: bool,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions { dry_run: false, mail_cmd: "/usr/bin/mail".to_string(), force: false }
    }
}

/// Carries out plans.
pub struct Executor<'a> {
    rules: &'a [Rule],
    opts: ExecOptions,
    out: &'a mut Reporter,
    rotated: Vec<PathBuf>,
    /// The pattern of the set being executed, for messages.
    pattern: String,
}

struct LogRun<'p> {
    plan: &'p LogPlan,
    failed: bool,
}

impl<'a> Executor<'a> {
    /// An executor for `rules`, reporting through `out`.
    pub fn new(rules: &'a [Rule], opts: ExecOptions, out: &'a mut Reporter) -> Self {
        Executor { rules, opts, out, rotated: Vec::new(), pattern: String::new() }
    }

    /// Executes every set of `plan`, updating `state`. Returns whether anything failed.
    pub fn execute(&mut self, plan: &Plan, state: &mut State) -> bool {
        let mut failed = false;
        for set in &plan.sets {
            failed |= self.execute_set(set, plan.now, state);
        }
        failed
    }

    /// The logs whose rotation went through every step without an error, in execution order.
    pub fn into_rotated(self) -> Vec<PathBuf> {
        self.rotated
    }

    /// Executes one set planned at `now`. Returns whether anything failed.
    ///
    /// A rotating log is recorded as rotated at `now` once its rotation starts (after
    /// firstaction), even if a later step fails, as logrotate does; so a failing log is retried
    /// next period rather than on every run.
    pub fn execute_set(&mut self, set: &SetPlan, now: chrono::NaiveDateTime, state: &mut State) -> bool {
        let rule = &self.rules[set.rule];
        let o = &rule.options;
        self.pattern.clone_from(&set.pattern);
        let mut failed = false;
        for line in trace::set_header(rule, set, self.opts.force) {
            self.out.info(&line);
        }
        for log in &set.logs {
            for line in trace::log_lines(log, now) {
                self.out.info(&line);
            }
            match &log.decision {
                Decision::Error(msg) => {
                    self.out.error(msg);
                    failed = true;
                }
                Decision::Warn(msg) => self.out.warning(msg),
                // logrotate says so as an error, without failing the run.
                Decision::Rotate(why) if why.ends_with("-- rotation forced") => {
                    self.out.error_without_status(why)
                }
                Decision::Rotate(_) | Decision::Skip(_) => {}
            }
        }
        for log in &set.logs {
            if let Some(t) = log.record {
                state.set(&log.path.to_string_lossy(), t);
            }
        }
        if !set.is_rotating() {
            return failed;
        }
        if let Some(script) = &o.scripts.firstaction {
            if !self.script("first action", script, &[&set.pattern]) {
                self.out.error(&format!("error running first action script for {}", set.pattern));
                return true;
            }
        }
        let mut runs: Vec<LogRun> =
            set.logs.iter().filter(|l| l.is_rotating()).map(|plan| LogRun { plan, failed: false }).collect();
        // With sharedscripts, an error anywhere in the set stops the remaining actions.
        let mut set_failed = o.shared_scripts && failed;
        let groups: Vec<std::ops::Range<usize>> = if o.shared_scripts {
            std::iter::once(0..runs.len()).collect()
        } else {
            (0..runs.len()).map(|i| i..i + 1).collect()
        };
        for group in groups {
            for run in &mut runs[group.clone()] {
                state.set(&run.plan.path.to_string_lossy(), now);
                if !set_failed {
                    let rotation = rotation_of(run.plan);
                    self.out.info(&trace::rotating_log(o, run.plan));
                    run.failed = !self.steps(o, &rotation.prepare);
                    if let Some(msg) = rotation.refused.as_ref().filter(|_| !run.failed) {
                        self.out.error(msg);
                        run.failed = true;
                    }
                    set_failed |= o.shared_scripts && run.failed;
                }
            }
            let blocked = |runs: &[LogRun], set_failed: bool| {
                if o.shared_scripts {
                    set_failed
                } else {
                    runs[group.start].failed
                }
            };
            if let Some(script) = &o.scripts.prerotate {
                if !blocked(&runs, set_failed) {
                    let arg = if o.shared_scripts {
                        set.pattern.clone()
                    } else {
                        path_str(&runs[group.start].plan.path)
                    };
                    if !self.script("prerotate", script, &[&arg]) {
                        self.out.error(&script_error("prerotate", o.shared_scripts, &arg, &set.pattern));
                        runs[group.start].failed = true;
                        set_failed |= o.shared_scripts;
                    }
                }
            }
            for run in &mut runs[group.clone()] {
                if !(run.failed || set_failed) {
                    run.failed = !self.move_log(o, run.plan);
                    set_failed |= o.shared_scripts && run.failed;
                }
            }
            if let Some(script) = &o.scripts.postrotate {
                if !blocked(&runs, set_failed) {
                    let first = runs[group.start].plan;
                    let (a1, a2) = if o.shared_scripts {
                        (set.pattern.clone(), None)
                    } else {
                        (path_str(&first.path), Some(path_str(&rotation_of(first).rotated)))
                    };
                    let args: Vec<&str> = std::iter::once(a1.as_str()).chain(a2.as_deref()).collect();
                    if !self.script("postrotate", script, &args) {
                        self.out.error(&script_error("postrotate", o.shared_scripts, &a1, &set.pattern));
                        runs[group.start].failed = true;
                        set_failed |= o.shared_scripts;
                    }
                }
            }
            for run in &mut runs[group] {
                if !(run.failed || set_failed) {
                    run.failed = !self.finish(o, run.plan);
                }
            }
        }
        failed |= set_failed || runs.iter().any(|r| r.failed);
        if !set_failed {
            self.rotated.extend(runs.iter().filter(|r| !r.failed).map(|r| r.plan.path.clone()));
        }
        if let Some(script) = &o.scripts.lastaction {
            if !self.script("last action", script, &[&set.pattern]) {
                self.out.error(&format!("error running last action script for {}", set.pattern));
                failed = true;
            }
        }
        failed
    }

    /// Runs a script (`kind` as logrotate names it in `running … script`).
    fn script(&mut self, kind: &str, script: &str, args: &[&str]) -> bool {
        self.out.info(&format!("running {kind} script"));
        if self.opts.dry_run {
            // As logrotate in debug mode: the arguments and the script's text.
            let (a1, a2) = (args.first().unwrap_or(&""), args.get(1).unwrap_or(&""));
            self.out.info(&format!("running script with args {a1} {a2}: \"\n{script}\""));
            return true;
        }
        scripts::run_script(script, args)
    }

    fn su(&mut self, o: &Options) -> Result<Option<SuGuard>, ()> {
        let Some(su) = &o.su else { return Ok(None) };
        let uid = resolve_user(&su.user);
        let gid = match &su.group {
            Some(g) => resolve_group(g),
            None => match &su.user {
                crate::rule::Owner::Name(n) => ids::user_entry(n).map(|(_, g)| g),
                crate::rule::Owner::Id(_) => Some(0),
            },
        };
        let (Some(uid), Some(gid)) = (uid, gid) else {
            self.out.error("su: unknown user or group");
            return Err(());
        };
        SuGuard::switch(uid, gid).map(Some).map_err(|e| self.out.error(&format!("su: {e}")))
    }

    /// Runs a list of steps as the `su` user. Returns false on the first failure.
    fn steps(&mut self, o: &Options, steps: &[Step]) -> bool {
        let Ok(guard) = self.su(o) else { return false };
        let mut ok = true;
        for step in steps {
            if !self.step(o, step) {
                ok = false;
                break;
            }
        }
        drop(guard);
        ok
    }

    fn step(&mut self, o: &Options, step: &Step) -> bool {
        match step {
            Step::Compress { .. } => self.out.info(&format!("compressing log with: {}", o.compress_cmd)),
            _ => self.out.info(&step.to_string()),
        }
        if self.opts.dry_run {
            return true;
        }
        match step {
            Step::CreateDir { path, spec } => self.create_dir(path, spec),
            Step::Rename { from, to } => match std::fs::rename(from, to) {
                Ok(()) => true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
                Err(e) => self.fail(&format!("error renaming {} to {}: {e}", from.display(), to.display())),
            },
            Step::Compress { src, dst } => self.compress(o, src, dst),
            Step::Mail { path, subject, compressed } => self.mail(o, path, subject, *compressed),
            Step::Remove { path } => self.remove(o, path),
        }
    }

    fn fail(&mut self, msg: &str) -> bool {
        self.out.error(msg);
        false
    }

    fn create_dir(&mut self, path: &Path, spec: &CreateSpec) -> bool {
        let uid = spec.owner.as_ref().and_then(resolve_user);
        let gid = spec.group.as_ref().and_then(resolve_group);
        match fsops::create_dir(path, spec.mode.unwrap_or(0o755), uid, gid) {
            Ok(()) => true,
            Err(e) => self.fail(&format!("error creating olddir {}: {e}", path.display())),
        }
    }

    /// Makes room at a destination the rotation writes (an archive, a copy, the new log): a file
    /// already there is renamed to `NAME-YYYYMMDDHH.backup`, as logrotate 3.21 does, with its
    /// message and without changing the exit status. Nothing is overwritten or followed.
    fn clear_destination(&mut self, dst: &Path) -> bool {
        if std::fs::symlink_metadata(dst).is_err() {
            return true;
        }
        let stamp = chrono::Local::now().format("-%Y%m%d%H.backup").to_string();
        let aside = fsops::aside_name(dst, &stamp);
        self.out.error_without_status(&format!(
            "destination {} already exists, renaming to {}",
            dst.display(),
            aside.display()
        ));
        match fsops::rename_noreplace(dst, &aside) {
            Ok(()) => true,
            Err(e) => self.fail(&format!(
                "error renaming already existing output file {} to {}: {e}",
                dst.display(),
                aside.display()
            )),
        }
    }

    fn lock_timeout(o: &Options) -> Duration {
        Duration::from_secs_f64(o.lock_timeout_secs)
    }

    fn compress(&mut self, o: &Options, src: &Path, dst: &Path) -> bool {
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
                    self.out
                        .error(&format!("{} {what}; removed it instead of compressing it", src.display()));
                    true
                }
                Err(e) => self.fail(&format!("error removing {}: {e}", src.display())),
            };
        }
        let Ok(held) = fsops::open_nofollow(src) else {
            return self.fail(&format!("error opening {} for compression", src.display()));
        };
        if !handshake::wait_exclusive(&held, Self::lock_timeout(o)) {
            self.out.warning(&format!(
                "{} is still open for writing; leaving it uncompressed for the next run",
                src.display()
            ));
            return true;
        }
        if !self.clear_destination(dst) {
            return false;
        }
        let mut stderr = Vec::new();
        let compressed = compress::compress_file(o, src, dst, &mut stderr);
        if !stderr.is_empty() {
            // As logrotate: the program's own words follow, verbatim.
            self.out.error_without_status(&format!(
                "Compressing program wrote following message to stderr when compressing log {}:",
                src.display()
            ));
            eprint!("{}", String::from_utf8_lossy(&stderr));
        }
        if let Err(e) = compressed {
            // 3.21's line; the reason follows unless the program already gave its own.
            return self.fail(&if stderr.is_empty() {
                format!("failed to compress log {}: {e}", src.display())
            } else {
                format!("failed to compress log {}", src.display())
            });
        }
        drop(held);
        // As logrotate: the uncompressed file goes the way of any removed log (`preremove`,
        // `shred`), so `shred` never leaves the plain text behind.
        self.remove(o, src)
            && (fsops::sync_parent(src).is_ok()
                || self.fail(&format!("error syncing the directory of {}", src.display())))
    }

    fn mail(&mut self, o: &Options, path: &Path, subject: &str, compressed: bool) -> bool {
        let Some(address) = &o.mail else { return true };
        let body = match compress::read_for_mail(o, path, compressed) {
            Ok(b) => b,
            Err(e) => return self.fail(&format!("error reading {} for mail: {e}", path.display())),
        };
        match scripts::send_mail(&self.opts.mail_cmd, subject, address, &body) {
            Ok(()) => true,
            Err(e) => self.fail(&format!("failed to mail {} to {address}: {e}", path.display())),
        }
    }

    fn remove(&mut self, o: &Options, path: &Path) -> bool {
        if let Some(script) = &o.scripts.preremove {
            self.out.info("running preremove script");
            if !scripts::run_script(script, &[&path_str(path)]) {
                self.out.error(&format!(
                    "error running preremove script for {} of '{}'. Not removing this file.",
                    path.display(),
                    self.pattern
                ));
                return self.fail(&format!(
                    "Failed to remove old log {}: the preremove script failed",
                    path.display()
                ));
            }
        }
        if let Ok(held) = fsops::open_nofollow(path) {
            if !handshake::wait_exclusive(&held, Self::lock_timeout(o)) {
                self.out.warning(&format!("{} is still open for writing; not removing it", path.display()));
                return true;
            }
        }
        let mut ok = true;
        let links = std::fs::symlink_metadata(path).map_or(1, |m| m.nlink());
        if o.shred && links > 1 && !o.allow_hardlink {
            // As logrotate: the file is left alone.
            return self.fail(&format!(
                "failed to shred \"{}\", because shredding files with multiple hard links is disabled for {}.",
                path.display(),
                self.pattern
            ));
        }
        if o.shred {
            self.out.info(&format!("Using shred to remove the file {}", path.display()));
            if let Err(e) = fsops::shred(path, o.shred_cycles, o.allow_hardlink) {
                // Never the target of a symlink, nor a file with other links: the name goes.
                ok = self.fail(&format!("Failed to shred {}, trying unlink: {e}", path.display()));
            }
        }
        match std::fs::remove_file(path) {
            Ok(()) => ok,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ok,
            Err(e) => self.fail(&format!("error removing {}: {e}", path.display())),
        }
    }

    /// Moves the live log to its archive name and creates the new log.
    fn move_log(&mut self, o: &Options, log: &LogPlan) -> bool {
        let r = rotation_of(log);
        for line in trace::move_lines(log, r) {
            self.out.info(&line);
        }
        if self.opts.dry_run {
            return true;
        }
        let Ok(guard) = self.su(o) else { return false };
        let writes_archive = !(r.skip_copy || r.method == Method::RenameCopy);
        if writes_archive && !self.clear_destination(&r.rotated) {
            drop(guard);
            return false;
        }
        let original = std::fs::symlink_metadata(&log.path);
        // File times come from the kernel's coarse clock, a tick behind this one: a margin keeps
        // a log recreated in the same instant from looking older than the move.
        let moved_at = std::time::SystemTime::now() - Duration::from_millis(50);
        // The log never replaces an existing file: an archive left there (for example one a
        // writer held past `locktimeout`) would be lost.
        let moved = match r.method {
            Method::Rename => fsops::rename_noreplace(&log.path, &r.rotated),
            Method::RenameCopy => fsops::rename_noreplace(&log.path, &tmp_name(&log.path)),
            Method::Copy if r.skip_copy => Ok(()),
            Method::CopyTruncate if r.skip_copy => fsops::truncate(&log.path),
            Method::Copy => fsops::copy_sparse(&log.path, &r.rotated),
            Method::CopyTruncate => fsops::copy_truncate(&log.path, &r.rotated),
        };
        let ok = match moved {
            Ok(()) => {
                // The rename is done; if it cannot be made durable, say so (exit 1) but finish
                // the rotation: the writer's new log must still be created.
                let moved_to =
                    if r.method == Method::RenameCopy { tmp_name(&log.path) } else { r.rotated.clone() };
                // (A copy already synced its own directory; the log's did not change.)
                let mut dirs = Vec::new();
                if matches!(r.method, Method::Rename | Method::RenameCopy) {
                    dirs.push(log.path.as_path());
                }
                if r.method == Method::Rename && r.rotated.parent() != log.path.parent() {
                    dirs.push(&moved_to);
                }
                for path in dirs {
                    if let Err(e) = fsops::sync_parent(path) {
                        self.out.error(&format!("error syncing the directory of {}: {e}", path.display()));
                    }
                }
                true
            }
            Err(e) => {
                let to = if r.method == Method::RenameCopy { tmp_name(&log.path) } else { r.rotated.clone() };
                self.fail(&format!("error rotating {} to {}: {e}", log.path.display(), to.display()))
            }
        };
        let ok = ok
            && match (&r.create, original) {
                (Some(spec), Ok(md)) => {
                    let moved_to =
                        if r.method == Method::RenameCopy { tmp_name(&log.path) } else { r.rotated.clone() };
                    self.create_log(&log.path, &moved_to, spec, &md, moved_at)
                }
                _ => true,
            };
        drop(guard);
        ok
    }

    fn create_log(
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
        let e = match new_log(path, mode, uid, gid, acl_from) {
            Ok(()) => return true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => e,
            Err(e) => return self.fail(&format!("error creating output file {}: {e}", path.display())),
        };
        // The application already opened a new log (it reopens on rotation): keep its file, with
        // the mode and owner `create` asks for, if it can only be that file.
        if fsops::adopt_new_log(path, md.uid(), moved_at, mode, uid, gid).is_ok() {
            self.out.info(&format!("{} was already recreated by its writer; kept it", path.display()));
            return true;
        }
        // Anything else (a symlink, a hard link, a FIFO, an older file) is moved aside, as
        // logrotate does.
        if !self.clear_destination(path) {
            return false;
        }
        match new_log(path, mode, uid, gid, acl_from) {
            Ok(()) => true,
            Err(e2) => {
                self.fail(&format!("error creating output file {}: {e2} (first: {e})", path.display()))
            }
        }
    }

    /// After postrotate: finish renamecopy, then compress, mail and remove.
    fn finish(&mut self, o: &Options, log: &LogPlan) -> bool {
        let r = rotation_of(log);
        if r.method == Method::RenameCopy && !self.opts.dry_run {
            let tmp = tmp_name(&log.path);
            let Ok(guard) = self.su(o) else { return false };
            if !self.clear_destination(&r.rotated) {
                return false;
            }
            let copied = fsops::copy_sparse(&tmp, &r.rotated).and_then(|()| std::fs::remove_file(&tmp));
            drop(guard);
            if let Err(e) = copied {
                return self.fail(&format!(
                    "error copying {} to {}: {e}",
                    tmp.display(),
                    r.rotated.display()
                ));
            }
        }
        self.steps(o, &r.finish)
    }
}

fn rotation_of(log: &LogPlan) -> &Rotation {
    log.rotation.as_ref().expect("only rotating logs are executed")
}

/// renamecopy's temporary name for a log: `LOG.tmp`.
pub(crate) fn tmp_name(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".tmp");
    PathBuf::from(s)
}

/// Creates the new, empty log (never over anything), with the ACL of `acl_from` if given, and
/// makes it durable.
fn new_log(
    path: &Path,
    mode: u32,
    uid: Option<u32>,
    gid: Option<u32>,
    acl_from: Option<&Path>,
) -> std::io::Result<()> {
    let f = fsops::create_exclusive(path, mode, uid, gid)?;
    if let Some(old) = acl_from.and_then(|p| fsops::open_nofollow(p).ok()) {
        fsops::copy_acl(&old, &f)?;
    }
    f.sync_all()
}

/// logrotate's words for a failed prerotate/postrotate script.
fn script_error(kind: &str, shared: bool, log: &str, pattern: &str) -> String {
    if shared {
        format!("error running shared {kind} script for '{pattern}'")
    } else {
        format!("error running non-shared {kind} script for {log} of '{pattern}'")
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
