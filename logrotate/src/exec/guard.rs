//! Carrying out the disk guard's removals ([`GuardPlan`]): each archive goes the way of any
//! removed log (`preremove`, `shred`, the writer handshake, as the rule's `su` user), and each
//! is said with its reason: with `-v`, or as a warning when it is a log's newest archive.

use super::{Executor, Stranded};
use crate::pathbytes::PathShow as _;
use crate::plan::guard::{GuardPlan, GuardRotation};
use crate::size::human_size;
use std::path::Path;

impl Executor<'_> {
    /// Removes the archives of `plan` in order. Returns whether anything failed.
    ///
    /// # Errors
    ///
    /// [`Stranded`]: going back to root after `su` failed (reported); nothing more ran.
    pub fn execute_guard_removals(&mut self, plan: &GuardPlan) -> Result<bool, Stranded> {
        let mut failed = false;
        for r in &plan.removals {
            let rules = self.rules;
            let o = &rules[r.rule].options;
            self.pattern = rules[r.rule].pattern_string();
            if r.newest {
                self.out.warning(&r.message());
            } else {
                self.out.info(&r.message());
            }
            if self.opts.dry_run {
                continue;
            }
            let done = self.as_su(o, |ex| ex.remove(o, &r.path, true));
            if self.stranded {
                return Err(Stranded);
            }
            failed |= done != Some(true);
        }
        Ok(failed)
    }

    /// Says why the guard rotates a log (with `-v`).
    pub fn say_guard_rotation(&mut self, r: &GuardRotation) {
        self.out.info(&format!("rotating {} to free space ({})", r.log.shown(), r.reason));
    }

    /// Warns that a filesystem is still below its `minfree` once the guard did all it may.
    pub fn say_still_short(&mut self, dir: &Path, free: u64, needs: u64) {
        self.out.warning(&format!(
            "minfree: {} still has {} free, needs {}: no more archives of its rules to remove",
            dir.shown(),
            human_size(free),
            human_size(needs)
        ));
    }

    /// Whether this executor only says what it would do (`-d`).
    pub fn is_dry_run(&self) -> bool {
        self.opts.dry_run
    }
}
