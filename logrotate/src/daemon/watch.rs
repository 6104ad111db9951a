//! What the daemon watches: the directories where entries matching the configured logs and
//! globs can appear (every level of a wildcard directory, so new matching directories are seen),
//! and the config files and include directories. Events are classified into config changes and
//! log activity for particular rules.

use crate::config::Config;
use crate::rule::Rule;
use crate::scan::has_glob_chars;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// The directories where entries leading to a match of `pattern` can appear, shallowest first,
/// each with its depth (0 for the literal part).
///
/// For `/x/app.log`: `/x`. For `/x/*/app.log`: `/x` (a new directory there may match `*`) and
/// every `/x/*`. For `/x/*/y/*/a.log`: `/x`, every `/x/*` (where `y` may appear), every `/x/*/y`,
/// every `/x/*/y/*`. A literal part that does not exist yet is replaced by its nearest existing
/// ancestor, so its creation is seen.
pub fn pattern_dirs(pattern: &str) -> Vec<(usize, PathBuf)> {
    // `~/` is `$HOME` for the watch (a rotation pass keeps it as written only when nothing
    // matches, as 3.21 does).
    let pattern = &crate::scan::expand_glob_tilde(pattern);
    let parent = match Path::new(pattern).parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => return vec![(0, PathBuf::from("."))],
    };
    let parts: Vec<Component> = parent.components().collect();
    let first_wild = parts.iter().position(|c| has_glob_chars(&c.as_os_str().to_string_lossy()));
    // Kept as written (relative stays relative), so expansions look like the events' paths.
    let mut prefix: PathBuf = parts[..first_wild.unwrap_or(parts.len())].iter().collect();
    let literal = if prefix.as_os_str().is_empty() { PathBuf::from(".") } else { prefix.clone() };
    if !literal.is_dir() {
        return nearest_existing_ancestor(&literal).map(|a| (0, a)).into_iter().collect();
    }
    let mut dirs = vec![(0, literal)];
    let Some(first_wild) = first_wild else { return dirs };
    for (depth, part) in parts[first_wild..].iter().enumerate() {
        prefix.push(part);
        let Ok(found) = glob::glob(&prefix.to_string_lossy()) else { break };
        let level: Vec<_> = found.flatten().filter(|p| p.is_dir()).map(|p| (depth + 1, p)).collect();
        if level.is_empty() {
            break;
        }
        dirs.extend(level);
    }
    dirs
}

/// Every directory to watch for `cfg` loaded from `args`, most important first: config
/// directories (for a missing config file or directory, its nearest existing ancestor, so its
/// creation is seen), then the literal directories of the patterns, then each wildcard level
/// in turn. When there are more than the watch cap, the tail of this list is left to the
/// periodic rescan.
pub fn wanted_dirs(cfg: &Config, args: &[PathBuf]) -> Vec<PathBuf> {
    let mut ranked: Vec<(usize, PathBuf)> = Vec::new();
    for arg in args {
        let dir =
            if arg.is_dir() { Some(arg.clone()) } else { arg.parent().and_then(nearest_existing_ancestor) };
        ranked.extend(dir.map(|d| (0, d)));
    }
    for src in &cfg.sources {
        if src.is_dir() {
            ranked.push((0, src.clone()));
        } else if let Some(parent) = src.parent().filter(|p| p.is_dir()) {
            ranked.push((0, parent.to_path_buf()));
        }
    }
    for rule in &cfg.rules {
        for pat in &rule.patterns {
            ranked.extend(pattern_dirs(pat).into_iter().map(|(depth, p)| (depth + 1, p)));
        }
    }
    ranked.sort_by_key(|(depth, _)| *depth); // stable: config order within a depth
    let mut seen = HashSet::new();
    ranked.into_iter().map(|(_, p)| p).filter(|p| seen.insert(p.clone())).collect()
}

fn nearest_existing_ancestor(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|a| !a.as_os_str().is_empty() && !has_glob_chars(&a.to_string_lossy()) && a.is_dir())
        .map(Path::to_path_buf)
}

/// Whether an event on `path` concerns the configuration: a config file itself, or an entry
/// of a config directory (a new file in conf.d), or a config argument that did not exist, or a
/// directory on the way to one.
pub fn is_config_event(path: &Path, sources: &[PathBuf], args: &[PathBuf]) -> bool {
    sources.iter().chain(args).any(|s| s == path || path.parent() == Some(s.as_path()))
        || args.iter().any(|a| a != path && a.starts_with(path))
}

/// The rules' patterns, compiled once per config: which rules a changed path belongs to.
#[derive(Debug, Default)]
pub struct Matcher {
    patterns: Vec<(usize, Pattern)>,
    /// Every leading part of the patterns' directories (`/x`, `/x/*`, `/x/*/y` for
    /// `/x/*/y/a.log`): a directory matching one of them may lead to logs.
    dir_prefixes: Vec<Pattern>,
}

#[derive(Debug)]
enum Pattern {
    Literal(PathBuf),
    Glob(glob::Pattern),
}

impl Matcher {
    /// Compiles the patterns of `rules`.
    pub fn new(rules: &[Rule]) -> Self {
        let mut patterns = Vec::new();
        let mut dir_prefixes = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            for p in &r.patterns {
                let p = &crate::scan::expand_glob_tilde(p);
                patterns.extend(Pattern::new(p).map(|pat| (i, pat)));
                let mut prefix = PathBuf::new();
                for part in Path::new(p).parent().into_iter().flat_map(Path::components) {
                    prefix.push(part);
                    dir_prefixes.extend(Pattern::new(&prefix.to_string_lossy()));
                }
            }
        }
        Matcher { patterns, dir_prefixes }
    }

    /// Whether logs of the rules may appear in directory `dir` or below it.
    pub fn may_lead_to_logs(&self, dir: &Path) -> bool {
        self.dir_prefixes.iter().any(|p| p.matches(dir))
    }

    /// The rules (indexes, ascending, no repeats) with a pattern that matches `path`.
    pub fn rules_matching(&self, path: &Path) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for (i, pat) in &self.patterns {
            if pat.matches(path) && out.last() != Some(i) {
                out.push(*i);
            }
        }
        out
    }
}

impl Pattern {
    fn new(text: &str) -> Option<Pattern> {
        if has_glob_chars(text) {
            glob::Pattern::new(text).ok().map(Pattern::Glob)
        } else {
            Some(Pattern::Literal(PathBuf::from(text)))
        }
    }

    fn matches(&self, path: &Path) -> bool {
        // Case-sensitive, as glob(3) (`MatchOptions`'s `Default` is not), and no wildcard
        // matches a leading `.`.
        let opts = glob::MatchOptions {
            require_literal_separator: true,
            require_literal_leading_dot: true,
            ..glob::MatchOptions::new()
        };
        match self {
            Pattern::Literal(p) => p == path,
            Pattern::Glob(g) => g.matches_path_with(path, opts),
        }
    }
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
        let m = Matcher::new(&[rule("/l/app.log"), rule("/l/*.log"), rule("/m/x.log")]);
        assert_eq!(m.rules_matching(Path::new("/l/app.log")), vec![0, 1]);
        assert_eq!(m.rules_matching(Path::new("/l/new.log")), vec![1]);
        assert!(m.rules_matching(Path::new("/l/app.log.1")).is_empty());
        assert!(m.rules_matching(Path::new("/l/sub/a.log")).is_empty());
        assert_eq!(Matcher::new(&[rule("/l/*/a.log")]).rules_matching(Path::new("/l/b/a.log")), vec![0]);
    }

    #[test]
    fn only_directories_on_the_way_to_a_pattern_may_lead_to_logs() {
        let m = Matcher::new(&[rule("/x/*/y/*.log"), rule("/v/later/a.log")]);
        for dir in ["/x", "/x/a", "/x/a/y", "/v", "/v/later"] {
            assert!(m.may_lead_to_logs(Path::new(dir)), "{dir}");
        }
        for dir in ["/x/a/z", "/x/a/y/deeper", "/v/other", "/w"] {
            assert!(!m.may_lead_to_logs(Path::new(dir)), "{dir}");
        }
    }

    #[test]
    fn config_events_include_new_files_in_config_dirs() {
        let sources = vec![PathBuf::from("/etc/logrotate.conf"), PathBuf::from("/etc/logrotate.d")];
        assert!(is_config_event(Path::new("/etc/logrotate.d/new"), &sources, &[]));
        assert!(is_config_event(Path::new("/etc/logrotate.conf"), &sources, &[]));
        assert!(!is_config_event(Path::new("/etc/passwd"), &sources, &[]));
    }

    #[test]
    fn config_events_include_directories_on_the_way_to_a_config_argument() {
        let args = vec![PathBuf::from("/srv/later/conf/app.conf")];
        assert!(is_config_event(Path::new("/srv/later"), &[], &args));
        assert!(is_config_event(Path::new("/srv/later/conf"), &[], &args));
        assert!(is_config_event(Path::new("/srv/later/conf/app.conf"), &[], &args));
        assert!(!is_config_event(Path::new("/srv/other"), &[], &args));
    }

    #[test]
    fn missing_config_argument_is_watched_through_its_nearest_existing_ancestor() {
        let d = tempfile::tempdir().unwrap();
        let empty = Config::default();
        let file = d.path().join("later/deeper/app.conf");
        assert_eq!(wanted_dirs(&empty, std::slice::from_ref(&file)), vec![d.path().to_path_buf()]);
        std::fs::create_dir(d.path().join("later")).unwrap();
        assert_eq!(wanted_dirs(&empty, &[file]), vec![d.path().join("later")]);
        let dir = d.path().join("conf.d");
        assert_eq!(wanted_dirs(&empty, std::slice::from_ref(&dir)), vec![d.path().to_path_buf()]);
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(wanted_dirs(&empty, std::slice::from_ref(&dir)), vec![dir]);
    }

    fn names(d: &Path, dirs: Vec<(usize, PathBuf)>) -> Vec<(usize, String)> {
        dirs.into_iter().map(|(n, p)| (n, p.strip_prefix(d).unwrap().display().to_string())).collect()
    }

    #[test]
    fn pattern_dirs_include_the_parent_of_a_wildcard_directory() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("a")).unwrap();
        std::fs::create_dir(d.path().join("b")).unwrap();
        std::fs::write(d.path().join("f"), "").unwrap();
        let pat = format!("{}/*/x.log", d.path().display());
        assert_eq!(
            names(d.path(), pattern_dirs(&pat)),
            [(0, ""), (1, "a"), (1, "b")].map(|(n, s)| (n, s.into()))
        );
        assert_eq!(pattern_dirs("/var/log/x.log"), vec![(0, PathBuf::from("/var/log"))]);
    }

    #[test]
    fn pattern_dirs_cover_every_level_of_a_multi_level_wildcard() {
        let d = tempfile::tempdir().unwrap();
        for sub in ["a/y/p", "a/y/q", "b", "c/y"] {
            std::fs::create_dir_all(d.path().join(sub)).unwrap();
        }
        let pat = format!("{}/*/y/*/a.log", d.path().display());
        let want =
            [(0, ""), (1, "a"), (1, "b"), (1, "c"), (2, "a/y"), (2, "c/y"), (3, "a/y/p"), (3, "a/y/q")];
        assert_eq!(names(d.path(), pattern_dirs(&pat)), want.map(|(n, s)| (n, s.into())));
    }

    #[test]
    fn tilde_in_a_pattern_is_watched_in_home() {
        let Some(home) = std::env::var_os("HOME").filter(|h| Path::new(h).is_dir()) else {
            panic!("HOME is not set to a directory");
        };
        assert_eq!(pattern_dirs("~/app.log"), vec![(0, PathBuf::from(&home))]);
        let m = Matcher::new(&[rule("~/app.log")]);
        assert_eq!(m.rules_matching(&Path::new(&home).join("app.log")), vec![0]);
    }

    #[test]
    fn missing_literal_directory_is_replaced_by_its_nearest_existing_ancestor() {
        let d = tempfile::tempdir().unwrap();
        let pat = format!("{}/later/deeper/*/x.log", d.path().display());
        assert_eq!(pattern_dirs(&pat), vec![(0, d.path().to_path_buf())]);
    }

    #[test]
    fn wanted_dirs_rank_config_and_literal_dirs_before_wildcard_levels() {
        let d = tempfile::tempdir().unwrap();
        for sub in ["w/a", "w/b", "lit", "conf.d"] {
            std::fs::create_dir_all(d.path().join(sub)).unwrap();
        }
        let cfg = Config {
            rules: vec![
                rule(&format!("{}/w/*/x.log", d.path().display())),
                rule(&format!("{}/lit/y.log", d.path().display())),
            ],
            sources: vec![d.path().join("conf.d")],
            ..Config::default()
        };
        let got: Vec<String> = wanted_dirs(&cfg, &[d.path().join("conf.d")])
            .into_iter()
            .map(|p| p.strip_prefix(d.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(got, ["conf.d", "w", "lit", "w/a", "w/b"]);
    }
}
