//! What the daemon watches with inotify (through `notify`): the directories holding the
//! configured logs and globs, and the config files and include directories. Events are
//! classified into config changes and log activity for particular rules.

use crate::config::Config;
use crate::rule::Rule;
use crate::scan::has_glob_chars;
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The directories whose entries can match `pattern`: its parent, glob-expanded when the
/// parent itself has wildcards.
pub fn pattern_dirs(pattern: &str) -> Vec<PathBuf> {
    let parent = match Path::new(pattern).parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => return vec![PathBuf::from(".")],
    };
    let text = parent.to_string_lossy();
    if !has_glob_chars(&text) {
        return vec![parent.to_path_buf()];
    }
    glob::glob(&text).map(|paths| paths.flatten().filter(|p| p.is_dir()).collect()).unwrap_or_default()
}

/// Every directory to watch for `rules` and `cfg`'s sources.
pub fn wanted_dirs(cfg: &Config) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    for rule in &cfg.rules {
        for pat in &rule.patterns {
            let found = pattern_dirs(pat);
            if found.is_empty() || found.iter().any(|d| !d.is_dir()) {
                // The directory does not exist yet: watch the nearest existing ancestor, so its
                // creation is seen and watched at once (not only at the next rescan).
                if let Some(anc) = nearest_existing_ancestor(Path::new(pat)) {
                    dirs.insert(anc);
                }
            }
            dirs.extend(found.into_iter().filter(|d| d.is_dir()));
        }
    }
    for src in &cfg.sources {
        if src.is_dir() {
            dirs.insert(src.clone());
        } else if let Some(parent) = src.parent().filter(|p| p.is_dir()) {
            dirs.insert(parent.to_path_buf());
        }
    }
    dirs
}

fn nearest_existing_ancestor(pattern: &Path) -> Option<PathBuf> {
    pattern
        .ancestors()
        .skip(1)
        .find(|a| !a.as_os_str().is_empty() && !has_glob_chars(&a.to_string_lossy()) && a.is_dir())
        .map(Path::to_path_buf)
}

/// Keeps the watched set equal to what the config needs.
pub struct Watches<W: Watcher> {
    watcher: W,
    current: BTreeSet<PathBuf>,
}

impl<W: Watcher> Watches<W> {
    /// Wraps a watcher that watches nothing yet.
    pub fn new(watcher: W) -> Self {
        Watches { watcher, current: BTreeSet::new() }
    }

    /// Adds and removes watches so exactly `wanted` is watched. Returns how many are watched.
    pub fn sync(&mut self, wanted: BTreeSet<PathBuf>) -> usize {
        for gone in self.current.difference(&wanted) {
            let _ = self.watcher.unwatch(gone);
        }
        let mut now = BTreeSet::new();
        for dir in wanted {
            let ok =
                self.current.contains(&dir) || self.watcher.watch(&dir, RecursiveMode::NonRecursive).is_ok();
            if ok {
                now.insert(dir);
            }
        }
        self.current = now;
        self.current.len()
    }
}

/// Whether an event on `path` concerns the configuration: a config file itself, or an entry
/// of a config directory (a new file in conf.d), or a config argument that did not exist.
pub fn is_config_event(path: &Path, sources: &[PathBuf], args: &[PathBuf]) -> bool {
    sources.iter().chain(args).any(|s| s == path || path.parent() == Some(s.as_path()))
}

/// The rules with a pattern that matches `path`.
pub fn rules_matching(rules: &[Rule], path: &Path) -> Vec<usize> {
    let opts = glob::MatchOptions { require_literal_separator: true, ..Default::default() };
    rules
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.patterns.iter().any(|p| {
                if has_glob_chars(p) {
                    glob::Pattern::new(p).is_ok_and(|g| g.matches_path_with(path, opts))
                } else {
                    Path::new(p) == path
                }
            })
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Options, Source};

    fn rule(p: &str) -> Rule {
        Rule {
            patterns: vec![p.into()],
            source: Source { file: "t".into(), line: 1 },
            header: None,
            options: Options::default(),
        }
    }

    #[test]
    fn matches_literal_and_glob_but_not_archives_or_subdirs() {
        let rules = vec![rule("/l/app.log"), rule("/l/*.log"), rule("/m/x.log")];
        assert_eq!(rules_matching(&rules, Path::new("/l/app.log")), vec![0, 1]);
        assert_eq!(rules_matching(&rules, Path::new("/l/new.log")), vec![1]);
        assert!(rules_matching(&rules, Path::new("/l/app.log.1")).is_empty());
        assert!(rules_matching(&rules, Path::new("/l/sub/a.log")).is_empty());
    }

    #[test]
    fn config_events_include_new_files_in_config_dirs() {
        let sources = vec![PathBuf::from("/etc/logrotate.conf"), PathBuf::from("/etc/logrotate.d")];
        assert!(is_config_event(Path::new("/etc/logrotate.d/new"), &sources, &[]));
        assert!(is_config_event(Path::new("/etc/logrotate.conf"), &sources, &[]));
        assert!(!is_config_event(Path::new("/etc/passwd"), &sources, &[]));
    }

    #[test]
    fn pattern_dirs_expand_wildcard_parents() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("a")).unwrap();
        std::fs::create_dir(d.path().join("b")).unwrap();
        let pat = format!("{}/*/x.log", d.path().display());
        assert_eq!(pattern_dirs(&pat).len(), 2);
        assert_eq!(pattern_dirs("/var/log/x.log"), vec![PathBuf::from("/var/log")]);
    }
}
