//! The executor: the only code that renames, creates, compresses, runs scripts and mails.
//!
//! It carries out a [`Plan`] set by set in logrotate's order (firstaction → per log: shift old
//! archives → prerotate → move → create → postrotate → compress, mail, remove → lastaction) and
//! records each rotation in the [`State`]. An error in one log or set is reported and the run
//! goes on.

use crate::pathbytes::PathShow as _;
mod batch;
pub(crate) use batch::threads as cores;
pub(crate) mod compress;
mod files;
pub(crate) mod fsops;
mod guard;
pub(crate) mod handshake;
pub(crate) mod ids;
pub(crate) mod pgzip;
pub(crate) mod repair;
pub mod report;
pub mod scripts;
pub(crate) mod trace;
mod zstd;

use crate::plan::sequence::{Action, Blocker, ScriptArg, ScriptKind, SetStep};
use crate::plan::{Line, LineKind, LogPlan, Note, Plan, Rotation, SetPlan, Step};
use crate::rule::{Options, Rule};
use crate::state::State;
use batch::Batch;
use ids::SuGuard;
use report::Reporter;
use std::path::{Path, PathBuf};

/// Settings of the executor.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// `-d`: print what would happen, change nothing.
    pub dry_run: bool,
    /// Mail command (`-m`).
    pub mail_cmd: String,
    /// `-f` or SIGUSR1 (only said in the verbose lines: the plan already holds its effect).
    pub forced: trace::Forced,
    /// The process ends after this pass (the `logrotate` command): the logs rotated are not
    /// listed for a report, and what a set's run built is left to the process's exit.
    pub one_shot: bool,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            dry_run: false,
            mail_cmd: "/usr/bin/mail".to_string(),
            forced: trace::Forced::No,
            one_shot: false,
        }
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
    /// What 3.21's `Failed to remove old log PATH: …` says after a failed `preremove`: the
    /// stale `errno` of its last failed call, ENOENT from a file it looked for and did not
    /// find, or ENODATA from the ACL lookup when a log moves.
    stale_errno: &'static str,
    /// With `su`, what 3.21's children say about their identity: a script's (back to root) and
    /// a compressor's (the `su` user for good), without the pid.
    su_child: Option<(String, String)>,
    /// Going back to root after `su` failed (reported): nothing more runs.
    stranded: bool,
    /// In a real run, the set's put-off work and the durability it owes.
    batch: Option<Batch>,
}

/// The run stopped because going back to root after `su` failed (already reported through
/// the [`Reporter`]): the process still has the `su` user's identity, so nothing more may run,
/// not another step, set or script, and the state is not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stranded;

/// Where a set's steps stand.
struct SetRun<'s> {
    /// Each log's rotation as planned, or as planned again from the disk when its turn came.
    rotations: Vec<Option<Turn<'s>>>,
    /// Which logs failed.
    log_failed: Vec<bool>,
    /// With sharedscripts, something in the set failed: its remaining actions do not run.
    set_failed: bool,
    /// An earlier step changed the disk (later logs are planned again).
    disk_changed: bool,
}

/// A log's rotation when its turn comes: the plan's (borrowed: nothing is copied for the
/// thousands of logs whose plan stands), or one planned again (boxed: a set of 10,000 logs of
/// which few rotate keeps a small table).
enum Turn<'s> {
    Planned(&'s Rotation),
    Again(Box<Rotation>),
}

impl std::ops::Deref for Turn<'_> {
    type Target = Rotation;
    fn deref(&self) -> &Rotation {
        match self {
            Turn::Planned(r) => r,
            Turn::Again(r) => r,
        }
    }
}

/// A set being carried out, for the steps that run in turn or later in a batch.
struct SetCx<'s, 'r, 'q> {
    set: &'s SetPlan,
    run: &'r mut SetRun<'s>,
    now: chrono::NaiveDateTime,
    state: &'s mut State,
    replan: Replan<'q>,
}

/// How a step ended.
enum StepEnd {
    Done,
    Failed,
    /// Nothing more of the set runs (firstaction failed, or the run is stranded).
    Stop,
}

/// Which prepare steps to carry out now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shift {
    Nothing,
    All,
    /// All but the renames of archives, which wait for the prerotate script.
    AllButRenames,
    OnlyRenames,
}

/// Plans a log's rotation again from the disk as it is now (`None`: keep the plan).
pub type Replan<'r> = &'r mut dyn FnMut(&LogPlan) -> Option<Rotation>;

impl<'a> Executor<'a> {
    /// An executor for `rules`, reporting through `out`.
    pub fn new(rules: &'a [Rule], opts: ExecOptions, out: &'a mut Reporter) -> Self {
        Executor {
            rules,
            opts,
            out,
            rotated: Vec::new(),
            pattern: String::new(),
            stale_errno: ENOENT,
            su_child: None,
            stranded: false,
            batch: None,
        }
    }

    /// Executes every set of `plan`, updating `state`. Returns whether anything failed.
    ///
    /// # Errors
    ///
    /// [`Stranded`]: the run stopped as the process could not go back to root.
    pub fn execute(&mut self, plan: &Plan, state: &mut State) -> Result<bool, Stranded> {
        let mut failed = false;
        for set in &plan.sets {
            failed |= self.execute_set(set, plan.now, state)?;
        }
        Ok(failed)
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
    ///
    /// # Errors
    ///
    /// [`Stranded`]: the run stopped as the process could not go back to root.
    pub fn execute_set(
        &mut self,
        set: &SetPlan,
        now: chrono::NaiveDateTime,
        state: &mut State,
    ) -> Result<bool, Stranded> {
        self.execute_set_replanning(set, now, state, &mut |_| None)
    }

    /// [`Executor::execute_set`], planning each log's rotation again with `replan` once an
    /// earlier log of the set changed the disk (3.21 looks at the disk when a log's turn comes:
    /// a pattern such as `app.*` also matches the archives the first log moves).
    ///
    /// # Errors
    ///
    /// [`Stranded`]: going back to root after `su` failed (reported); nothing more was done
    /// and nothing more may be.
    pub fn execute_set_replanning(
        &mut self,
        set: &SetPlan,
        now: chrono::NaiveDateTime,
        state: &mut State,
        replan: Replan,
    ) -> Result<bool, Stranded> {
        let rule = &self.rules[set.rule];
        self.pattern.clone_from(&set.pattern);
        if self.out.wants_info() {
            for line in trace::set_header(rule, set, self.opts.forced) {
                self.out.info(&line);
            }
        }
        if set.logs.is_empty() {
            return Ok(false);
        }
        // 3.21 takes the su identity for the whole set, and says so.
        let switch = trace::su_switch(&rule.options);
        if let Some(s) = &switch {
            self.out.info(&s.there);
        }
        self.su_child = switch.as_ref().map(|s| (s.child_back.clone(), s.child_for_good.clone()));
        let failed = self.execute_logs(set, now, state, replan);
        self.su_child = None;
        if self.stranded {
            return Err(Stranded);
        }
        if let Some(s) = &switch {
            self.out.info(&s.back);
        }
        Ok(failed)
    }

    fn execute_logs(
        &mut self,
        set: &SetPlan,
        now: chrono::NaiveDateTime,
        state: &mut State,
        replan: Replan,
    ) -> bool {
        // Only our own steps change the directories of a set that runs no program, and only
        // as root (`su` checks every component of a path as its user): their files are named
        // from each directory opened once.
        let o = &self.rules[set.rule].options;
        if o.su.is_none() && !o.runs_programs() {
            return crate::sys::dirs::scope(|| self.execute_steps(set, now, state, replan));
        }
        self.execute_steps(set, now, state, replan)
    }

    fn execute_steps(
        &mut self,
        set: &SetPlan,
        now: chrono::NaiveDateTime,
        state: &mut State,
        replan: Replan,
    ) -> bool {
        let mut failed = false;
        for log in &set.logs {
            failed |= trace::consider(self.out, log, now);
            if !log.is_found {
                self.stale_errno = ENOENT;
            }
        }
        for log in &set.logs {
            if let Some(t) = log.record {
                state.set(&crate::pathbytes::path_text(&log.path), t);
            }
        }
        let mut run = SetRun {
            rotations: set.logs.iter().map(|l| l.rotation().map(Turn::Planned)).collect(),
            log_failed: vec![false; set.logs.len()],
            set_failed: set.starts_failed,
            disk_changed: false,
        };
        self.batch = (!self.opts.dry_run).then(Batch::default);
        let mut cx = SetCx { set, run: &mut run, now, state, replan };
        for (i, step) in set.steps.iter().enumerate() {
            if self.put_off(&mut cx, i) {
                continue;
            }
            if !self.may_wait(&cx, step) {
                failed |= self.carry_out_batch(&mut cx);
            }
            match self.run_step(&mut cx, i) {
                StepEnd::Done => {}
                StepEnd::Failed => failed = true,
                StepEnd::Stop => {
                    self.batch = None;
                    return true;
                }
            }
        }
        failed |= self.carry_out_batch(&mut cx);
        self.batch = None;
        if !run.set_failed && !self.opts.one_shot {
            let done = set.logs.iter().zip(&run.log_failed).filter(|(l, f)| l.is_rotating() && !**f);
            self.rotated.extend(done.map(|(l, _)| l.path.clone()));
        }
        if self.opts.one_shot {
            std::mem::forget(run);
        }
        failed
    }

    /// Runs step `i` of the set unless it is blocked, and notes what its failure blocks.
    fn run_step(&mut self, cx: &mut SetCx, i: usize) -> StepEnd {
        let step = &cx.set.steps[i];
        let run = &mut *cx.run;
        let blocked = match step.blocked_by {
            Blocker::FirstAction => false,
            Blocker::Set => run.set_failed,
            Blocker::Log(i) => run.set_failed || run.log_failed[i],
        };
        // A blocked prepare still says its steps (and what it finds in the way).
        if blocked && !matches!(step.action, Action::Prepare { .. }) {
            return StepEnd::Done;
        }
        let ok = self.step_of_set(cx.set, step, blocked, cx.run, cx.now, cx.state, &mut *cx.replan);
        if self.stranded {
            return StepEnd::Stop;
        }
        if ok {
            return StepEnd::Done;
        }
        let run = &mut *cx.run;
        if let Some(log) = step.action.log() {
            run.log_failed[log] = true;
        }
        match step.failure_blocks {
            // Nothing else of the set runs, not even lastaction.
            Some(Blocker::FirstAction) => return StepEnd::Stop,
            Some(Blocker::Set) => run.set_failed = true,
            Some(Blocker::Log(i)) => run.log_failed[i] = true,
            None => {}
        }
        StepEnd::Failed
    }

    /// Carries out one step of `set` (`blocked`: a prepare that is only said). Returns whether
    /// it went well.
    #[allow(clippy::too_many_arguments)]
    fn step_of_set(
        &mut self,
        set: &SetPlan,
        step: &SetStep,
        blocked: bool,
        run: &mut SetRun<'_>,
        now: chrono::NaiveDateTime,
        state: &mut State,
        replan: Replan,
    ) -> bool {
        let o = &self.rules[set.rule].options;
        let real = !self.opts.dry_run;
        match &step.action {
            Action::NotRunning(kind) => {
                self.out.info(&not_running(*kind));
                true
            }
            Action::Script { kind, args } => {
                let Some(script) = kind.text(o) else { return true };
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        ScriptArg::Pattern => set.pattern.clone(),
                        ScriptArg::Log(i) => path_str(&set.logs[*i].path),
                        ScriptArg::Rotated(i) => {
                            run.rotations[*i].as_ref().map_or_else(String::new, |r| path_str(&r.rotated))
                        }
                    })
                    .collect();
                let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                if self.script(kind.words(), script, &refs) {
                    return true;
                }
                let first = args.first().map_or("", String::as_str);
                self.out.error(&script_error(*kind, o.shared_scripts, first, &set.pattern));
                false
            }
            Action::Prepare { log, renames_later } => {
                let plan = &set.logs[*log];
                state.set(&crate::pathbytes::path_text(&plan.path), now);
                if run.disk_changed {
                    if let Some(fresh) = replan(plan) {
                        run.rotations[*log] = Some(Turn::Again(Box::new(fresh)));
                    }
                }
                self.out.info(&trace::rotating_log(o, plan));
                let Some(rotation) = run.rotations[*log].as_ref() else { return true };
                if blocked {
                    // 3.21 still shifts the archives of every log (a gap); we only say it, and
                    // what it finds in the way (each log's `destination ... already exists`).
                    self.prepare(o, rotation, true, Shift::Nothing);
                    return rotation.refused.as_ref().is_none_or(|why| self.fail(&why.to_string()));
                }
                // With a prerotate script the older archives only move up once it succeeded
                // (newer upstream; 3.21 moves them first and leaves a gap when it fails); what
                // is removed or compressed goes first, as in 3.21.
                let now = if *renames_later { Shift::AllButRenames } else { Shift::All };
                let ok = self.prepare(o, rotation, true, now);
                run.disk_changed |= real;
                ok && rotation.refused.as_ref().is_none_or(|why| self.fail(&why.to_string()))
            }
            Action::Shift { log } => {
                let Some(rotation) = run.rotations[*log].as_ref() else { return true };
                run.disk_changed |= real;
                self.prepare(o, rotation, false, Shift::OnlyRenames)
            }
            Action::Move { log } => {
                let Some(rotation) = run.rotations[*log].as_ref() else { return true };
                run.disk_changed |= real;
                self.move_log(o, &set.logs[*log], rotation)
            }
            Action::Finish { log } => {
                let Some(rotation) = run.rotations[*log].as_ref() else { return true };
                self.finish(o, &set.logs[*log], rotation)
            }
        }
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
        // A shared script gets the set's pattern without 3.21's trailing blank, as newer
        // upstream does (the lines above and the messages keep 3.21's text).
        let args: Vec<&str> =
            args.iter().map(|a| if *a == self.pattern { a.trim_end() } else { a }).collect();
        self.run_script(script, &args)
    }

    /// Runs a script as 3.21 does, whose child says it takes back root's identity from `su`.
    fn run_script(&mut self, script: &str, args: &[&str]) -> bool {
        let said = self.su_child.as_ref().map(|(back, _)| back.clone());
        let out = &mut *self.out;
        scripts::run_script_watched(script, args, &mut |pid| {
            if let Some(line) = &said {
                out.info(&format!("{line} (pid {pid})"));
            }
        })
    }

    /// 3.21's line from a child that takes the `su` identity for good (compression, shred).
    fn say_permanent_switch(&mut self) {
        if let Some((_, line)) = &self.su_child {
            let line = format!("{line} (pid {})", std::process::id());
            self.out.info(&line);
        }
    }

    /// Runs `work` as the `su` user of `o` (as we are without `su`), then goes back to root.
    /// `None` when switching failed, or going back did: both are reported, and the latter
    /// strands the run (nothing more runs).
    fn as_su<T>(&mut self, o: &Options, work: impl FnOnce(&mut Self) -> T) -> Option<T> {
        let guard = match &o.su {
            None => None,
            Some(su) => {
                let Some((uid, gid)) = ids::su_ids(su) else {
                    self.out.error("su: unknown user or group");
                    return None;
                };
                match SuGuard::switch(uid, gid) {
                    Ok(guard) => Some(guard),
                    Err(e) => {
                        self.out.error(&format!("su: {e}"));
                        return None;
                    }
                }
            }
        };
        let done = work(self);
        if let Err(e) = guard.map_or(Ok(()), SuGuard::leave) {
            self.out.error(&e.to_string());
            self.stranded = true;
            return None;
        }
        Some(done)
    }

    /// Runs a list of steps as the `su` user. Returns false on the first failure.
    fn steps(&mut self, o: &Options, steps: &[Step]) -> bool {
        self.as_su(o, |ex| steps.iter().all(|step| ex.step(o, step))).unwrap_or(false)
    }

    fn step(&mut self, o: &Options, step: &Step) -> bool {
        self.announce(o, step);
        if let Step::Remove { path } = step {
            // With shred 3.21 opens the file first, in a dry run too.
            if o.shred && std::fs::symlink_metadata(path).is_err() {
                return self.fail(&format!("error opening {}: {ENOENT}", path.shown()));
            }
        }
        if let (Step::Mail { path, .. }, true) = (step, self.opts.dry_run) {
            // 3.21 opens the file to mail in a dry run too (and mails it: we do not).
            if o.mail.is_some() && std::fs::symlink_metadata(path).is_err() {
                return self.fail(&format!("failed to open {} for mailing: {ENOENT}", path.shown()));
            }
        }
        self.opts.dry_run || self.perform(o, step)
    }

    /// What `-v` says before a step (a shifted archive is said in the prepare notes instead).
    fn announce(&mut self, o: &Options, step: &Step) {
        match step {
            Step::Compress { .. } => self.out.info(&format!("compressing log with: {}", o.compress_cmd)),
            // 3.21 says nothing of its own before mailing, and creates a missing olddir
            // silently (when it reads the config).
            Step::Mail { .. } | Step::Rename { .. } | Step::CreateDir { .. } => {}
            _ => self.out.info(&step.to_string()),
        }
    }

    fn perform(&mut self, o: &Options, step: &Step) -> bool {
        match step {
            Step::CreateDir { path, spec } => self.create_dir(path, spec),
            Step::Rename { from, to } => match std::fs::rename(from, to) {
                Ok(()) => true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
                Err(e) => self.fail(&format!(
                    "error renaming {} to {}: {}",
                    from.shown(),
                    to.shown(),
                    report::strerror(&e)
                )),
            },
            Step::Compress { src, dst } => self.compress(o, src, dst),
            Step::Mail { path, subject, compressed } => self.mail(o, path, subject, *compressed),
            Step::Remove { path } => self.remove(o, path, true),
        }
    }

    /// The steps before the prerotate script with 3.21's lines between them: `announce` says
    /// them, `perform` carries them out (as the `su` user). Returns false on the first failure.
    fn prepare(&mut self, o: &Options, r: &Rotation, announce: bool, perform: Shift) -> bool {
        let perform = if self.opts.dry_run { Shift::Nothing } else { perform };
        if perform == Shift::Nothing {
            return self.prepare_as_we_are(o, r, announce, perform);
        }
        self.as_su(o, |ex| ex.prepare_as_we_are(o, r, announce, perform)).unwrap_or(false)
    }

    /// [`Executor::prepare`] with the identity the caller chose.
    fn prepare_as_we_are(&mut self, o: &Options, r: &Rotation, announce: bool, perform: Shift) -> bool {
        let mut ok = true;
        for note in &r.trace {
            // After a failure 3.21 leaves its loop over the archives, but still looks for the
            // one it would dispose of.
            let is_dispose_check = |l: &Line| l.kind == LineKind::DisposalNotFound;
            if !ok
                && !matches!(note, Note::Say(l) | Note::SayIfReal(l) | Note::SayIfDry(l) if is_dispose_check(l))
            {
                continue;
            }
            match note {
                Note::Say(line) | Note::SayIfReal(line) if announce && !self.opts.dry_run => {
                    // What 3.21's failed lookup leaves in errno.
                    if line.kind != LineKind::Plain {
                        self.stale_errno = ENOENT;
                    }
                    self.out.info(&line.text);
                }
                Note::Say(line) if announce => self.out.info(&line.text),
                Note::SayIfDry(line) if announce && self.opts.dry_run => self.out.info(&line.text),
                Note::Say(_) | Note::SayIfReal(_) | Note::SayIfDry(_) => {}
                Note::Step(i) => {
                    let step = &r.prepare[*i];
                    if announce {
                        self.announce(o, step);
                    }
                    let is_shift = matches!(step, Step::Rename { .. });
                    let now = match perform {
                        Shift::Nothing => false,
                        Shift::All => true,
                        Shift::AllButRenames => !is_shift,
                        Shift::OnlyRenames => is_shift,
                    };
                    if now && !self.perform(o, step) {
                        ok = false;
                    }
                }
            }
        }
        ok
    }

    fn fail(&mut self, msg: &str) -> bool {
        self.out.error(msg);
        false
    }
}

const ENOENT: &str = "No such file or directory";

/// renamecopy's temporary name for a log: `LOG.tmp`.
pub(crate) fn tmp_name(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".tmp");
    PathBuf::from(s)
}

/// logrotate's words for a failed script (`log`: the first argument of a non-shared one).
fn script_error(kind: ScriptKind, shared: bool, log: &str, pattern: &str) -> String {
    let words = kind.words();
    match kind {
        ScriptKind::FirstAction | ScriptKind::LastAction => {
            format!("error running {words} script for {pattern}")
        }
        _ if shared => format!("error running shared {words} script for '{pattern}'"),
        _ => format!("error running non-shared {words} script for {log} of '{pattern}'"),
    }
}

/// 3.21's line for a script that does not run because no log of its set rotates.
fn not_running(kind: ScriptKind) -> String {
    let when = if kind == ScriptKind::PostRotate { "were" } else { "will be" };
    format!("not running {} script, since no logs {when} rotated", kind.words())
}

fn path_str(p: &Path) -> String {
    crate::pathbytes::path_text(p).into_owned()
}
