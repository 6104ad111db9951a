//! The disk guard around a pass: `maxtotalsize` and `minfree` (see [`crate::plan::guard`]).
//!
//! After the rotations of a pass, the rules that set either are scanned again (archives with
//! their sizes and times), each filesystem they use is measured (`statvfs`), the pure planner
//! says what to remove and rotate, and the executor carries it out: removals as any removal
//! (`preremove`, `shred`), rotations as a forced rotation of that one log. The daemon runs the
//! same after its passes and when a filesystem drops below a `minfree` threshold.

use crate::exec::{Executor, Stranded};
use crate::plan::guard::{is_guarded, plan_guard, Disk, Disks, GuardPlan};
use crate::plan::{self, RunFlags, SetFacts, SetPlan};
use crate::rule::Rule;
use crate::state::State;
use chrono::NaiveDateTime;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

/// The rules (indexes) that set `maxtotalsize` or `minfree`, among `only` (all if `None`).
pub fn guarded_rules(rules: &[Rule], only: Option<&[usize]>) -> Vec<usize> {
    (0..rules.len())
        .filter(|i| only.is_none_or(|o| o.contains(i)) && is_guarded(&rules[*i].options))
        .collect()
}

/// Measures the filesystems that hold the archive directories and the log directories of
/// `sets`: one `statvfs` per filesystem (told apart by device number).
pub fn measure(sets: &[SetFacts]) -> Disks {
    let mut disks = Disks::default();
    let mut by_dev: HashMap<u64, usize> = HashMap::new();
    let dirs = sets.iter().flat_map(|s| &s.files).flat_map(|f| {
        let parent = crate::scan::dir_of(&f.path);
        [f.archive_dir.clone(), parent.to_path_buf()]
    });
    for dir in dirs {
        if disks.of_dir.contains_key(&dir) {
            continue;
        }
        let Ok(md) = std::fs::metadata(&dir) else { continue };
        let index = match by_dev.get(&md.dev()) {
            Some(&i) => i,
            None => {
                let Ok(space) = crate::sys::disk::space(&dir) else { continue };
                disks.disks.push(Disk { path: dir.clone(), avail: space.avail, total: space.total });
                by_dev.insert(md.dev(), disks.disks.len() - 1);
                disks.disks.len() - 1
            }
        };
        disks.of_dir.insert(dir, index);
    }
    disks
}

/// What the guard would do after `plan` ran, for the rules it covers (`None` when no rule sets
/// `maxtotalsize` or `minfree`): scans and measures, changes nothing. The archives the plan
/// removes are left out; the plan's renames and compressions are not foreseen (the guard
/// measures again after a real pass).
pub fn preview(rules: &[Rule], plan: &plan::Plan) -> Option<GuardPlan> {
    let only: Vec<usize> = plan.sets.iter().map(|s| s.rule).collect();
    let guarded = guarded_rules(rules, Some(&only));
    if guarded.is_empty() {
        return None;
    }
    let removed: std::collections::HashSet<&Path> = plan
        .sets
        .iter()
        .flat_map(|s| &s.logs)
        .filter_map(|l| l.rotation())
        .flat_map(|r| r.prepare.iter().chain(&r.finish))
        .filter_map(|step| match step {
            plan::Step::Remove { path } => Some(path.as_path()),
            _ => None,
        })
        .collect();
    let mut facts = crate::scan::scan_only(rules, Some(&guarded), &mut Vec::new());
    for f in facts.iter_mut().flat_map(|s| &mut s.files) {
        let dir = f.archive_dir.clone();
        f.archives.retain(|a| !removed.contains(dir.join(crate::pathbytes::to_os(&a.name)).as_path()));
    }
    Some(plan_guard(rules, &facts, &measure(&facts)))
}

/// The directories whose filesystems have a `minfree` threshold, with the rules on them, for
/// the daemon to check as writes arrive.
pub fn min_free_dirs(rules: &[Rule]) -> Vec<(PathBuf, usize)> {
    let only: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].options.min_free.is_some()).collect();
    if only.is_empty() {
        return Vec::new();
    }
    let facts = crate::scan::scan_only(rules, Some(&only), &mut Vec::new());
    let mut dirs: Vec<(PathBuf, usize)> =
        facts.iter().flat_map(|s| s.files.iter().map(move |f| (f.archive_dir.clone(), s.rule))).collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// The first filesystem of `dirs` with less free space than its `minfree` asks (the largest
/// threshold of the rules on it), as `(directory, free, needs)`: one `statvfs` per directory.
pub fn first_short(rules: &[Rule], dirs: &[(PathBuf, usize)]) -> Option<(PathBuf, u64, u64)> {
    let mut needs: HashMap<&Path, u64> = HashMap::new();
    for (dir, rule) in dirs {
        if let Some(min) = rules.get(*rule).and_then(|r| r.options.min_free) {
            let Ok(space) = crate::sys::disk::space(dir) else { continue };
            let n = needs.entry(dir).or_default();
            *n = (*n).max(min.bytes_of(space.total));
            if space.avail < *n {
                return Some((dir.clone(), space.avail, *n));
            }
        }
    }
    None
}

/// Runs the guard after a pass with `executor`: scans the guarded rules among `only`, plans,
/// removes, and rotates (forced, one log at a time) what `minfree` still needs. In a dry run
/// it only says what it would do. Returns the plan it carried out.
///
/// # Errors
///
/// [`Stranded`]: going back to root after `su` failed (reported); nothing more may run.
pub fn after_pass(
    rules: &[Rule],
    only: Option<&[usize]>,
    executor: &mut Executor,
    state: &mut State,
    now: NaiveDateTime,
    flags: RunFlags,
) -> Result<GuardPlan, Stranded> {
    let guarded = guarded_rules(rules, only);
    if guarded.is_empty() {
        return Ok(GuardPlan::default());
    }
    let facts = crate::scan::scan_only(rules, Some(&guarded), &mut Vec::new());
    let plan = plan_guard(rules, &facts, &measure(&facts));
    executor.execute_guard_removals(&plan)?;
    for r in &plan.rotations {
        let Some(f) =
            facts.iter().filter(|s| s.rule == r.rule).flat_map(|s| &s.files).find(|f| f.path == r.log)
        else {
            continue;
        };
        let rule = &rules[r.rule];
        executor.say_guard_rotation(r);
        let log = plan::plan_log(rule, f, state, now, RunFlags { force: true, ..flags });
        executor.execute_set(&SetPlan::new(r.rule, rule, vec![log]), now, state)?;
    }
    // What is still short once everything planned is done (measured again after rotations).
    let after = if plan.rotations.is_empty() || executor.is_dry_run() {
        None
    } else {
        Some(measure(&crate::scan::scan_only(rules, Some(&guarded), &mut Vec::new())))
    };
    for check in &plan.disks {
        let now_free = after.as_ref().and_then(|a| {
            let dir = a.of_dir.get(&check.path)?;
            Some(a.disks[*dir].avail)
        });
        let free = now_free.unwrap_or(check.free_after);
        if free < check.needs {
            executor.say_still_short(&check.path, free, check.needs);
        }
    }
    Ok(plan)
}
