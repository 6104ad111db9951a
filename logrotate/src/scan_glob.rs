//! A log pattern expanded as logrotate 3.21 expands it when it reads a stanza's header:
//! `glob(pattern, GLOB_NOCHECK | GLOB_TILDE)`.
//!
//! - A leading `~` or `~/` is `$HOME` (`~user` is left as written).
//! - Wildcards (`*`, `?`, `[...]`) do not match a leading `.` of a name.
//! - Matches come sorted by their bytes (the "C" locale's order).
//! - When nothing matches, the pattern itself is the one result, as written: `~/app.log`
//!   stays `~/app.log`.
//!
//! The last component is matched against a listing of its directory, whose entries carry their
//! type, so telling directories (never logs) from files costs no `stat` per match: a nightly
//! pass over thousands of globbed logs looks at none of them. The scan reads those listings
//! through its cache, where it also finds the logs' archives.

use super::has_glob_chars;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What one result of a pattern is: `Some(is_dir)` when found on disk (the directory flag from
/// `lstat`, so a symlink to a directory is not one), `None` when kept as written (not known to
/// exist).
pub type Found = Option<bool>;

/// Expands one pattern; see the module doc.
#[cfg(test)]
pub fn expand_pattern(pat: &str) -> Vec<(PathBuf, Found)> {
    expand_pattern_in(pat, &mut list_dir)
}

/// Directories read without a cache.
#[cfg(test)]
fn list_dir(dirs: &[&Path]) -> Vec<Option<Arc<super::Listing>>> {
    dirs.iter().map(|dir| super::Listing::read(dir, None).map(Arc::new)).collect()
}

/// Reads directories for the glob, all the directories a component matched at once: each one's
/// names ([`crate::pathbytes`] strings) and whether each is a directory; `None` if it cannot be
/// read.
pub(super) type Lister<'a> = dyn FnMut(&[&Path]) -> Vec<Option<Arc<super::Listing>>> + 'a;

/// [`expand_pattern`], reading the directories the last component is matched in through
/// `list` (a cache shares them with the rest of a scan).
pub(super) fn expand_pattern_in(pat: &str, list: &mut Lister<'_>) -> Vec<(PathBuf, Found)> {
    let expanded = expand_glob_tilde(pat);
    let literal = || vec![(crate::pathbytes::to_path(pat), None)];
    if !has_glob_chars(&expanded) {
        // Without `~` the path is the same found or not: no need to look.
        if expanded == pat {
            return literal();
        }
        return match std::fs::symlink_metadata(crate::pathbytes::to_path(&expanded)) {
            Ok(md) => vec![(crate::pathbytes::to_path(&expanded), Some(md.is_dir()))],
            Err(_) => literal(),
        };
    }
    let found = glob_matches(&expanded, list);
    if found.is_empty() {
        return literal();
    }
    // In the locale's order, as glob(3) sorts (byte order in the C locale).
    crate::locale::sorted(found, |f| f.0.as_os_str().as_bytes())
}

/// `~`, `~/...` with `$HOME` and `~user/...` with that user's home put in, as `GLOB_TILDE`
/// does; anything else unchanged.
pub fn expand_glob_tilde(pat: &str) -> String {
    let Some(rest) = pat.strip_prefix('~') else { return pat.to_string() };
    let (user, rest) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let home = if user.is_empty() {
        std::env::var_os("HOME").filter(|h| !h.is_empty())
    } else {
        // `~user`: that user's home; an unknown user leaves the pattern as written.
        crate::exec::ids::user_home(&crate::pathbytes::to_os(user).to_string_lossy())
    };
    match home {
        Some(home) => format!("{}{rest}", crate::pathbytes::from_os(&home)),
        None => pat.to_string(),
    }
}

/// How the names of a directory are matched against a pattern's last component.
#[derive(Debug)]
enum NameMatch {
    /// `*SUFFIX` (`*.log`, the usual one): a comparison, not the glob crate's matcher.
    Suffix(String),
    Glob(glob::Pattern),
    /// Not a pattern the glob crate reads (`[` unclosed): the name as written.
    Literal(String),
}

impl NameMatch {
    fn new(last: &str) -> NameMatch {
        match last.strip_prefix('*').filter(|s| !has_glob_chars(s) && !s.contains('\\')) {
            Some(suffix) => NameMatch::Suffix(suffix.to_owned()),
            None => {
                glob::Pattern::new(last).map_or_else(|_| NameMatch::Literal(last.to_owned()), NameMatch::Glob)
            }
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            // As glob(3) (`FNM_PERIOD`): a leading `.` is matched only by a `.` in the pattern,
            // never by a wildcard, not even by a `*` that matches nothing (`*.log` is not
            // `.log`, where the glob crate's `require_literal_leading_dot` lets it be).
            NameMatch::Suffix(suffix) => !name.starts_with('.') && name.ends_with(suffix.as_str()),
            NameMatch::Glob(p) => fnmatch_name(p, name),
            NameMatch::Literal(l) => name == l,
        }
    }
}

/// Whether one name matches `pattern` as `fnmatch(3)` with `FNM_PERIOD` says (glob(3)'s
/// matching, and 3.21's taboo patterns): case-sensitive, and a leading `.` matched only by a
/// `.` in the pattern, never by a wildcard.
pub(crate) fn fnmatch_name(pattern: &glob::Pattern, name: &str) -> bool {
    (!name.starts_with('.') || pattern.as_str().starts_with('.')) && pattern.matches_with(name, options())
}

/// glob(3)'s matching: case-sensitive (`MatchOptions`'s `Default` is not: `new()` is), and no
/// wildcard matches a leading `.`.
fn options() -> glob::MatchOptions {
    glob::MatchOptions { require_literal_leading_dot: true, ..glob::MatchOptions::new() }
}

/// The paths on disk that `pattern` (with wildcards) matches, unsorted.
fn glob_matches(pattern: &str, list: &mut Lister<'_>) -> Vec<(PathBuf, Found)> {
    let (parent, last) = match pattern.rfind('/') {
        Some(i) => (&pattern[..i], &pattern[i + 1..]),
        None => ("", pattern),
    };
    if last.is_empty() {
        // `dir/*/`: only directories match, and directories are never logs.
        return Vec::new();
    }
    // The directories to list: the parent itself, or what its own wildcards match.
    let dirs: Vec<PathBuf> = if !has_glob_chars(parent) {
        vec![crate::pathbytes::to_path(parent)]
    } else if parent.split('/').any(|c| c.contains("**")) {
        // The glob crate's recursive `**` (3.21's glob(3) reads it as `*`): kept as it was.
        match glob::glob_with(parent, options()) {
            Ok(paths) => paths.flatten().filter(|p| p.is_dir()).collect(),
            Err(_) => Vec::new(),
        }
    } else {
        matching_dirs(parent, list)
    };
    let name_pattern = NameMatch::new(last);
    let mut out = Vec::new();
    let listed: Vec<&Path> = dirs
        .iter()
        .map(|dir| match (parent.is_empty(), pattern.starts_with('/')) {
            (true, true) => Path::new("/"),
            (true, false) => Path::new("."),
            (false, _) => dir.as_path(),
        })
        .collect();
    for (listed, listing) in listed.iter().zip(list(&listed)) {
        let Some(listing) = listing else { continue };
        for (name, is_dir) in listing.entries() {
            if !name_pattern.matches(name) {
                continue;
            }
            let path = if parent.is_empty() && !pattern.starts_with('/') {
                crate::pathbytes::to_path(name)
            } else {
                listed.join(crate::pathbytes::to_os(name))
            };
            out.push((path, Some(is_dir)));
        }
    }
    out
}

/// The directories that `pattern` (a parent with wildcards, no `**`) matches, each wildcard
/// component matched against its directory's listing: an entry's type comes with the listing,
/// so only a match that is not a directory itself (a symlink may lead to one) is looked at.
/// Literal components are taken as written: a directory that is not there cannot be listed.
fn matching_dirs(pattern: &str, list: &mut Lister<'_>) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    // Relative paths stay relative ("a/b", not "./a/b"), as glob gives them.
    let mut dirs: Vec<PathBuf> = vec![PathBuf::from(if absolute { "/" } else { "" })];
    for comp in pattern.split('/').filter(|c| !c.is_empty()) {
        if !has_glob_chars(comp) {
            dirs.iter_mut().for_each(|d| d.push(crate::pathbytes::to_os(comp)));
            continue;
        }
        let Ok(pat) = glob::Pattern::new(comp).map(NameMatch::Glob) else { return Vec::new() };
        let mut next = Vec::new();
        let listed: Vec<&Path> = dirs
            .iter()
            .map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d.as_path() })
            .collect();
        for (dir, listing) in dirs.iter().zip(list(&listed)) {
            let Some(listing) = listing else { continue };
            for (name, is_dir) in listing.entries() {
                if !pat.matches(name) {
                    continue;
                }
                let path = dir.join(crate::pathbytes::to_os(name));
                if is_dir || path.is_dir() {
                    next.push(path);
                }
            }
        }
        dirs = next;
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_suffix_matches_as_the_glob_crate_does() {
        let names = [
            "a.log",
            ".a.log",
            ".log",
            "log",
            "a.log.1",
            "a.LOG",
            "x.log.log",
            "é.log",
            "a",
            "-.log",
            "a]log",
        ];
        for pat in ["*.log", "*", "*log", "*.LOG", "*]log", "*.log.1"] {
            let fast = NameMatch::new(pat);
            assert!(matches!(fast, NameMatch::Suffix(_)), "{pat}");
            let slow = NameMatch::Glob(glob::Pattern::new(pat).unwrap());
            for n in names {
                assert_eq!(fast.matches(n), slow.matches(n), "{pat} {n}");
                assert!(!n.starts_with('.') || !fast.matches(n), "{pat} {n}");
            }
        }
        // glob(3)'s FNM_PERIOD: only a literal `.` matches a leading one.
        let glob = |p: &str| NameMatch::Glob(glob::Pattern::new(p).unwrap());
        assert!(!glob("*.lo?").matches(".log"));
        assert!(!glob("[.]log").matches(".log"));
        assert!(!glob("?log").matches(".log"));
        assert!(glob(".*").matches(".log"));
        assert!(glob(".l?g").matches(".log"));
        assert!(matches!(NameMatch::new("*.[lL]og"), NameMatch::Glob(_)));
        assert!(matches!(NameMatch::new("[ab"), NameMatch::Literal(_)));
    }

    #[test]
    fn pattern_without_match_is_kept_as_written_tilde_included() {
        let dir = tempfile::tempdir().unwrap();
        let none = format!("{}/*.nothing", dir.path().display());
        assert_eq!(expand_pattern(&none), vec![(PathBuf::from(&none), None)]);
        let tilde = "~/.logrotate-rs-no-such-file";
        assert_eq!(expand_pattern(tilde), vec![(PathBuf::from(tilde), None)]);
    }

    #[test]
    fn wildcards_skip_dot_files_and_tell_directories() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.log", "a.log", ".c.log"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        std::fs::create_dir(dir.path().join("d.log")).unwrap();
        let got = expand_pattern(&format!("{}/*.log", dir.path().display()));
        let want: Vec<(PathBuf, Found)> = vec![
            (dir.path().join("a.log"), Some(false)),
            (dir.path().join("b.log"), Some(false)),
            (dir.path().join("d.log"), Some(true)),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn wildcards_in_directories_are_sorted_as_whole_paths() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["a", "a-b"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("x.log"), "").unwrap();
        }
        let got: Vec<PathBuf> = expand_pattern(&format!("{}/a*/x.log", dir.path().display()))
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        // '-' sorts before '/', as C's glob sorts the whole paths.
        assert_eq!(got, vec![dir.path().join("a-b/x.log"), dir.path().join("a/x.log")]);
    }

    #[test]
    fn wildcard_directories_come_from_listings_with_symlinks_followed_and_dot_names_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["app1/logs", "app2/logs", "app3", ".hidden/logs", "real/logs"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        std::fs::write(d.join("appfile"), "").unwrap();
        std::os::unix::fs::symlink(d.join("real"), d.join("applink")).unwrap();
        for sub in ["app1/logs", "app2/logs", ".hidden/logs", "real/logs"] {
            std::fs::write(d.join(sub).join("x.log"), "").unwrap();
        }
        let got: Vec<PathBuf> =
            expand_pattern(&format!("{}/*/logs/*.log", d.display())).into_iter().map(|(p, _)| p).collect();
        let want: Vec<PathBuf> =
            ["app1/logs/x.log", "app2/logs/x.log", "applink/logs/x.log", "real/logs/x.log"]
                .iter()
                .map(|p| d.join(p))
                .collect();
        assert_eq!(got, want);
        // What the glob crate gives (its `**` aside), as before.
        let before: Vec<PathBuf> = glob::glob_with(&format!("{}/*/logs", d.display()), options())
            .unwrap()
            .flatten()
            .filter(|p| p.is_dir())
            .collect();
        let mut now = matching_dirs(&format!("{}/*/logs", d.display()), &mut list_dir);
        // `app3/logs` is there too, unlooked at: listing it fails, which leaves it out.
        assert!(now.contains(&d.join("app3/logs")));
        now.retain(|p| p.is_dir());
        now.sort();
        assert_eq!(now, before);
    }

    #[test]
    fn relative_wildcard_directories_stay_relative() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a1/b")).unwrap();
        let cwd = std::env::current_dir().unwrap();
        let rel = dir.path().strip_prefix(&cwd).ok().map(Path::to_path_buf);
        // Only when the temp dir is below the working directory (no chdir in tests).
        if let Some(rel) = rel {
            let got = matching_dirs(&format!("{}/a*/b", rel.display()), &mut list_dir);
            assert_eq!(got, vec![rel.join("a1/b")]);
        }
        assert_eq!(matching_dirs("no-such-dir-zz/*", &mut list_dir), Vec::<PathBuf>::new());
    }

    #[test]
    fn tilde_user_is_that_users_home_and_an_unknown_user_stays_as_written() {
        let root_home = crate::exec::ids::user_home("root").expect("root has a home");
        let want = format!("{}/x.log", root_home.to_string_lossy());
        assert_eq!(expand_glob_tilde("~root/x.log"), want);
        assert_eq!(expand_glob_tilde("~no-such-user-zz/x.log"), "~no-such-user-zz/x.log");
        assert_eq!(expand_glob_tilde("/var/~root/x.log"), "/var/~root/x.log");
    }
}
