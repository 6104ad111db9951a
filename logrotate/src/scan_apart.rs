//! Whether the logs of a set are apart: carrying out one's rotation cannot change what another's
//! plan was made from, so no log needs looking at again when its turn comes (see
//! [`super::Rescan`]: watching and reading every change made to the directories cost a forced
//! run of 10,000 logs about 7 % of its time).
//!
//! Everything a rotation makes, renames or removes in its log's directory and archive directory
//! is named starting with the log's archive base (`app.log` for `app.log`, `app` with
//! `extension .log`): the log itself, its archives, `app.log.tmp`, or a dot and the base
//! (`.app.log.1.gz.partial`). A later log's plan sees only names starting with its own base in
//! those directories. So when no base is a prefix of another in a shared directory, and no
//! program runs (a script, mail, `shred`, a compressor that is not built in) and no directory
//! is created, the plans made at the scan stand. What someone else changes meanwhile is not
//! looked for then: a rename never goes over a file, so it fails and says so.

use crate::plan::SetPlan;
use crate::plan::Step;
use crate::rule::Rule;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

/// See the module doc.
pub fn logs_apart<'a>(rule: &Rule, set: &'a SetPlan) -> bool {
    if rule.options.runs_programs() {
        return false;
    }
    let mut ids: HashMap<&Path, Option<(u64, u64)>> = HashMap::new();
    let mut id_of = |dir: &'a Path| {
        *ids.entry(dir).or_insert_with(|| std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino())))
    };
    // (directory, base) of each rotating log, for its directory and its archive directory.
    let mut bases: Vec<((u64, u64), String)> = Vec::with_capacity(set.logs.len());
    for log in &set.logs {
        let Some(r) = log.rotation() else { continue };
        if r.prepare.iter().chain(&r.finish).any(|s| matches!(s, Step::CreateDir { .. })) {
            return false;
        }
        let base = super::archive_stem(rule, &log.path);
        let Some(dir) = id_of(super::dir_of(&log.path)) else { return false };
        let Some(archives) = id_of(super::dir_of(&r.rotated)) else { return false };
        if archives != dir {
            bases.push((archives, base.clone()));
        }
        bases.push((dir, base));
    }
    // Temporary names start with a dot and a base: they matter only beside a base with a dot.
    if bases.iter().any(|(_, b)| b.starts_with('.')) {
        let dotted: Vec<_> = bases.iter().map(|(d, b)| (*d, format!(".{b}"))).collect();
        bases.extend(dotted);
    }
    bases.sort_unstable();
    // Sorted, a name that is a prefix of another is a prefix of the one right after it.
    !bases.windows(2).any(|w| w[0].0 == w[1].0 && w[1].1.starts_with(w[0].1.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{plan, RunFlags};
    use crate::rule::Options;

    /// The plan of a forced rotation of `names` in a fresh directory under `o`.
    fn planned(o: Options, names: &[&str]) -> (tempfile::TempDir, Rule, SetPlan) {
        let dir = tempfile::tempdir().unwrap();
        for n in names {
            std::fs::write(dir.path().join(n), "line\n").unwrap();
        }
        let pattern = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
        let mut rule = crate::plan::tests::rule(|x| *x = o);
        rule.patterns = vec![pattern("*"), pattern(".?*")];
        let facts = crate::scan::scan(std::slice::from_ref(&rule), &mut Vec::new());
        let now = chrono::Local::now().naive_local();
        let flags = RunFlags { force: true, is_root: true, words: false };
        let mut p = plan(std::slice::from_ref(&rule), &facts, &crate::state::State::default(), now, flags);
        (dir, rule, p.sets.remove(0))
    }

    fn apart(o: Options, names: &[&str]) -> bool {
        let (_dir, rule, set) = planned(o, names);
        assert!(set.logs.iter().filter(|l| l.rotation().is_some()).count() >= 2, "{names:?}");
        logs_apart(&rule, &set)
    }

    fn compressing() -> Options {
        Options { compress: true, ..Options::default() }
    }

    #[test]
    fn logs_whose_names_do_not_start_one_another_are_apart() {
        assert!(apart(compressing(), &["a.log", "b.log", "ab.log"]));
    }

    #[test]
    fn a_log_named_like_anothers_archives_is_not() {
        assert!(!apart(compressing(), &["a.log", "a.log.1"]));
        assert!(!apart(compressing(), &["a", "ab"]));
        let o = Options { extension: Some(".log".into()), ..compressing() };
        assert!(!apart(o, &["a.log", "ab.log"]));
    }

    #[test]
    fn a_dotted_log_beside_the_temporary_names_of_another_is_not() {
        assert!(!apart(compressing(), &[".a.log", "a.log"]));
        assert!(apart(compressing(), &[".b.log", "a.log"]));
    }

    #[test]
    fn a_program_or_a_new_directory_makes_no_promise() {
        let script = Options {
            scripts: crate::rule::Scripts { postrotate: Some("true".into()), ..Default::default() },
            ..compressing()
        };
        assert!(!apart(script, &["a.log", "b.log"]));
        let program = Options { compress_cmd: "/bin/bzip2".into(), ..compressing() };
        assert!(!apart(program, &["a.log", "b.log"]));
        assert!(!apart(Options { shred: true, ..compressing() }, &["a.log", "b.log"]));
        let new_dir =
            Options { olddir: Some("old".into()), create_olddir: Some(Default::default()), ..compressing() };
        assert!(!apart(new_dir, &["a.log", "b.log"]));
    }
}
