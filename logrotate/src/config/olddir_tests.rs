//! The `olddir` checks at load time (issue 8), against a fake filesystem; the messages and
//! what is dropped were checked against Debian's `/usr/sbin/logrotate` 3.21.

use super::{dirname, DiskOlddirs, OlddirFs};
use crate::config::{Config, Level, LoadOptions};
use crate::rule::{CreateSpec, Owner, Rule, SuSpec};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Directories that exist (path → device); log files are the patterns as written.
#[derive(Default)]
struct FakeFs {
    dirs: Mutex<HashMap<PathBuf, u64>>,
    refused: Vec<PathBuf>,
    /// What `create` does: `Ok(true)` creates, `Ok(false)` is a dry run, `Err` fails.
    create_result: Option<Result<bool, String>>,
    created: Mutex<Vec<(PathBuf, CreateSpec, Option<SuSpec>)>>,
}

impl FakeFs {
    fn with_dirs(dirs: &[(&str, u64)]) -> FakeFs {
        let map = dirs.iter().map(|(p, d)| (PathBuf::from(p), *d)).collect();
        FakeFs { dirs: Mutex::new(map), create_result: Some(Ok(true)), ..FakeFs::default() }
    }
}

impl OlddirFs for FakeFs {
    fn device(&self, path: &Path) -> io::Result<u64> {
        self.dirs.lock().unwrap().get(path).copied().ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))
    }
    fn is_refused_link(&self, dir: &Path, _rule: &Rule) -> bool {
        self.refused.iter().any(|r| r == dir)
    }
    fn create(&self, dir: &Path, spec: &CreateSpec, su: Option<&SuSpec>) -> Result<bool, String> {
        self.created.lock().unwrap().push((dir.to_path_buf(), spec.clone(), su.cloned()));
        let result = self.create_result.clone().unwrap_or(Ok(true));
        if result == Ok(true) {
            self.dirs.lock().unwrap().insert(dir.to_path_buf(), 1);
        }
        result
    }
}

/// Loads `files` (name, text) from a temp dir with `fs` as the olddir hook.
fn load(fs: &Arc<FakeFs>, files: &[(&str, &str)]) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let hook: Arc<dyn OlddirFs> = fs.clone();
    let mut c = crate::config::load(&paths, &LoadOptions { check_ownership: false, olddirs: Some(hook) });
    let prefix = format!("{}/", dir.path().display());
    for d in &mut c.diagnostics {
        d.message = d.message.replace(&prefix, "");
    }
    // The debug lines of any load (`reading config file`, `olddir is now`) are not what
    // these tests are about.
    c.diagnostics.retain(|d| {
        !(d.message.starts_with("reading config file ") || d.message.starts_with("olddir is now "))
    });
    c
}

fn patterns(c: &Config) -> Vec<String> {
    c.rules.iter().map(|r| r.patterns.join(" ")).collect()
}

fn messages(c: &Config, level: Level) -> Vec<String> {
    c.diagnostics.iter().filter(|d| d.level == level).map(|d| d.message.clone()).collect()
}

const ONE_DEVICE: &[(&str, u64)] = &[("/logs", 1), ("/logs/old", 1), ("/other", 2)];

#[test]
fn missing_olddir_drops_its_stanza_and_the_rest_of_the_file_as_3_21() {
    let fs = Arc::new(FakeFs::with_dirs(&[("/logs", 1)]));
    let c = load(
        &fs,
        &[
            ("a.conf", "/logs/z.log {\n}\n/logs/a.log {\n rotate 1\n olddir old\n}\n/logs/b.log {\n}\n"),
            ("b.conf", "/logs/c.log {\n}\n"),
        ],
    );
    // The error names the line of the `}`; the stanza after it is never read.
    assert_eq!(
        messages(&c, Level::Error),
        ["a.conf:6 error verifying olddir path /logs/old: No such file or directory"]
    );
    assert_eq!(patterns(&c), ["/logs/z.log", "/logs/c.log"]);
    assert!(c.has_errors());
    assert!(fs.created.lock().unwrap().is_empty());
}

#[test]
fn failed_file_reverts_its_global_options_for_the_next_file() {
    let fs = Arc::new(FakeFs::with_dirs(&[("/logs", 1)]));
    let c = load(
        &fs,
        &[("a.conf", "compress\n/logs/a.log {\n olddir old\n}\n"), ("b.conf", "/logs/c.log {\n}\n")],
    );
    assert_eq!(patterns(&c), ["/logs/c.log"]);
    assert!(!c.rules[0].options.compress);
}

#[test]
fn existing_olddir_on_the_same_device_keeps_the_stanza() {
    let fs = Arc::new(FakeFs::with_dirs(ONE_DEVICE));
    let c = load(&fs, &[("a.conf", "olddir old\n/logs/a.log {\n}\n/logs/b.log {\n olddir /logs/old\n}\n")]);
    assert_eq!(patterns(&c), ["/logs/a.log", "/logs/b.log"]);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn createolddir_creates_the_missing_olddir_with_its_spec_as_the_su_user() {
    let fs = Arc::new(FakeFs::with_dirs(&[("/logs", 1)]));
    let c = load(
        &fs,
        &[("a.conf", "/logs/a.log {\n su nobody nogroup\n olddir x/y\n createolddir 0700 nobody\n}\n")],
    );
    assert_eq!(patterns(&c), ["/logs/a.log"]);
    let created = fs.created.lock().unwrap();
    assert_eq!(created.len(), 1);
    let (path, spec, su) = &created[0];
    assert_eq!(path, Path::new("/logs/x/y"));
    assert_eq!(spec.mode, Some(0o700));
    assert_eq!(spec.owner, Some(Owner::Name("nobody".into())));
    assert_eq!(su.as_ref().map(|s| s.user.clone()), Some(Owner::Name("nobody".into())));
    assert!(!c.has_errors());
}

#[test]
fn createolddir_in_a_dry_run_keeps_the_stanza_and_checks_nothing_more() {
    let fs = Arc::new(FakeFs { create_result: Some(Ok(false)), ..FakeFs::with_dirs(&[("/logs", 1)]) });
    let c = load(&fs, &[("a.conf", "/logs/a.log {\n olddir old\n createolddir\n}\n")]);
    assert_eq!(patterns(&c), ["/logs/a.log"]);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn failed_creation_abandons_the_file_with_the_creation_message() {
    let msg = "path /logs/old already exists, but it is not a directory".to_string();
    let fs = Arc::new(FakeFs { create_result: Some(Err(msg.clone())), ..FakeFs::with_dirs(&[("/logs", 1)]) });
    let c = load(&fs, &[("a.conf", "/logs/a.log {\n olddir old\n createolddir\n}\n/logs/b.log {\n}\n")]);
    assert_eq!(messages(&c, Level::Error), [msg]);
    assert!(c.rules.is_empty());
}

#[test]
fn olddir_on_another_device_is_an_error_unless_the_log_is_copied() {
    let fs = Arc::new(FakeFs::with_dirs(ONE_DEVICE));
    let c = load(&fs, &[("a.conf", "/logs/a.log {\n olddir /other\n}\n/logs/b.log {\n}\n")]);
    assert_eq!(
        messages(&c, Level::Error),
        ["a.conf:3 olddir /other and log file /logs/a.log are on different devices"]
    );
    assert!(c.rules.is_empty());
    for method in ["copy", "copytruncate", "renamecopy"] {
        let c = load(&fs, &[("a.conf", &format!("/logs/a.log {{\n {method}\n olddir /other\n}}\n"))]);
        assert_eq!(patterns(&c), ["/logs/a.log"], "{method}");
        assert!(!c.has_errors(), "{method}");
    }
}

#[test]
fn missing_log_directory_is_an_error_without_missingok_and_a_note_with_it() {
    let fs = Arc::new(FakeFs::with_dirs(ONE_DEVICE));
    let c = load(&fs, &[("a.conf", "/nodir/a.log {\n olddir old\n}\n")]);
    assert_eq!(
        messages(&c, Level::Error),
        ["a.conf:3 error verifying log file path /nodir: No such file or directory"]
    );
    assert!(c.rules.is_empty());
    let c = load(&fs, &[("a.conf", "/nodir/a.log {\n missingok\n olddir old\n}\n")]);
    assert_eq!(patterns(&c), ["/nodir/a.log"]);
    assert_eq!(
        messages(&c, Level::Note),
        ["a.conf:4 verifying log file path failed /nodir: No such file or directory, log is probably missing, but missingok is set, so this is not an error."]
    );
}

#[test]
fn olddir_through_a_refused_link_is_left_to_the_planner() {
    let fs =
        Arc::new(FakeFs { refused: vec![PathBuf::from("/logs/old")], ..FakeFs::with_dirs(&[("/logs", 1)]) });
    let c = load(&fs, &[("a.conf", "/logs/a.log {\n olddir old\n createolddir\n}\n")]);
    assert_eq!(patterns(&c), ["/logs/a.log"]);
    assert!(c.diagnostics.is_empty());
    assert!(fs.created.lock().unwrap().is_empty(), "nothing is created through the link");
}

#[test]
fn stanza_without_olddir_and_loads_without_a_hook_touch_nothing() {
    let fs = Arc::new(FakeFs::with_dirs(&[]));
    let c = load(&fs, &[("a.conf", "/nodir/a.log {\n}\n")]);
    assert_eq!(patterns(&c), ["/nodir/a.log"]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.conf");
    std::fs::write(&p, "/nodir/a.log {\n olddir old\n}\n").unwrap();
    let c = crate::config::load(&[p], &LoadOptions::default());
    assert_eq!(patterns(&c), ["/nodir/a.log"]);
    assert!(!c.has_errors());
}

#[test]
fn dirname_as_c_says_it() {
    assert_eq!(dirname(Path::new("/a/b.log")), "/a");
    assert_eq!(dirname(Path::new("/b.log")), "/");
    assert_eq!(dirname(Path::new("b.log")), ".");
    assert_eq!(dirname(Path::new("x/b.log")), "x");
    assert_eq!(dirname(Path::new("/a//b.log")), "/a");
}

#[test]
fn disk_mkpath_creates_every_missing_directory_with_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("x/y/old");
    let spec = CreateSpec { mode: Some(0o700), owner: None, group: None };
    assert_eq!(DiskOlddirs { create_dirs: true }.create(&target, &spec, None), Ok(true));
    for p in [dir.path().join("x"), dir.path().join("x/y"), target] {
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777, 0o700, "{}", p.display());
    }
}

#[test]
fn disk_dry_run_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("old");
    assert_eq!(DiskOlddirs { create_dirs: false }.create(&target, &CreateSpec::default(), None), Ok(false));
    assert!(!target.exists());
}

#[test]
fn disk_mkpath_never_follows_a_dangling_symlink_nor_passes_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("link")).unwrap();
    let fs = DiskOlddirs { create_dirs: true };
    let err = fs.create(&dir.path().join("link/old"), &CreateSpec::default(), None).unwrap_err();
    assert_eq!(
        err,
        format!("path {} already exists, but it is not a directory", dir.path().join("link").display())
    );
    assert!(!elsewhere.exists());
    std::fs::write(dir.path().join("file"), "").unwrap();
    let err = fs.create(&dir.path().join("file/old"), &CreateSpec::default(), None).unwrap_err();
    assert_eq!(
        err,
        format!("path {} already exists, but it is not a directory", dir.path().join("file").display())
    );
}
