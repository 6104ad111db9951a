//! The archives and leftovers the scan finds for a log, from one listing per directory, and the
//! same found again by a [`Rescan`] whose listings were read before the disk changed.

use super::*;
use crate::plan::Step;
use crate::rule::Options;
use std::fs;

fn rule(edit: impl FnOnce(&mut Options)) -> Rule {
    let mut rule = crate::plan::tests::rule(|_| {});
    edit(&mut rule.options);
    rule
}

/// One case: the names in the log's directory and in `old/`, the rule, the log; the archives
/// and leftovers found.
struct Case {
    name: &'static str,
    files: &'static [&'static str],
    edit: fn(&mut Options),
    log: &'static str,
    archives: &'static [&'static str],
    leftovers: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "numbered and compressed archives, not the other logs",
        files: &["a.log", "a.log.1.gz", "a.log.2.gz", "b.log", "b.log.1.gz", "a.lo"],
        edit: |_| {},
        log: "a.log",
        archives: &["a.log.1.gz", "a.log.2.gz"],
        leftovers: &[],
    },
    Case {
        name: "a log named like an archive is seen (the planner tells them apart)",
        files: &["a.log", "a.log.1", "a.log.1.log", "a.log.1.log.1"],
        edit: |_| {},
        log: "a.log",
        archives: &["a.log.1", "a.log.1.log", "a.log.1.log.1"],
        leftovers: &[],
    },
    Case {
        name: "the longer log sees only its own names",
        files: &["a.log", "a.log.1", "a.log.1.log", "a.log.1.log.1"],
        edit: |_| {},
        log: "a.log.1.log",
        archives: &["a.log.1.log.1"],
        leftovers: &[],
    },
    Case {
        name: "dateext archives, plain and compressed",
        files: &["a.log", "a.log-20261123", "a.log-20261122.gz", "a.logx-20261122"],
        edit: |o| o.date_ext = true,
        log: "a.log",
        // Every name that starts with the log's: the planner keeps those its format matches.
        archives: &["a.log-20261122.gz", "a.log-20261123", "a.logx-20261122"],
        leftovers: &[],
    },
    Case {
        name: "extension: archives share the base before it",
        files: &["a.log", "a.1.log.gz", "a-20261123.log", "ab.log"],
        edit: |o| o.extension = Some(".log".into()),
        log: "a.log",
        archives: &["a-20261123.log", "a.1.log.gz", "ab.log"],
        leftovers: &[],
    },
    Case {
        name: "compressext and the leftovers of an interrupted compression",
        files: &["a.log", "a.log.1.zst", ".a.log.2.zst.partial", ".a.log.1.zst.tmp", ".b.log.1.zst.partial"],
        edit: |o| o.compress_ext = Some(".zst".into()),
        log: "a.log",
        archives: &["a.log.1.zst"],
        leftovers: &[".a.log.2.zst.partial"],
    },
    Case {
        name: "olddir: the archives are looked for there, not beside the log",
        files: &["a.log", "a.log.3", "old/a.log.1", "old/a.log.2.gz", "old/.a.log.3.gz.partial"],
        edit: |o| o.olddir = Some("old".into()),
        log: "a.log",
        archives: &["a.log.1", "a.log.2.gz"],
        leftovers: &[".a.log.3.gz.partial"],
    },
];

fn names(f: &FileFacts) -> Vec<&str> {
    f.archives.iter().map(|a| a.name.as_str()).collect()
}

fn make(dir: &Path, files: &[&str]) {
    for f in files {
        let p = dir.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, "x").unwrap();
    }
}

#[test]
fn archives_come_from_one_listing_and_a_rescan_finds_the_same_after_changes() {
    for c in CASES {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("old")).unwrap();
        let rule = rule(c.edit);
        let log = d.join(c.log);
        // The rescan lists the directories while they are still empty.
        let mut rescan = Rescan::default();
        let empty = rescan.refresh(
            &rule,
            &SetFacts { rule: 0, files: vec![file_facts(&rule, &log, &mut DirCache::default())] },
        );
        assert!(empty.files[0].archives.is_empty(), "{}", c.name);
        make(d, c.files);
        let f = file_facts(&rule, &log, &mut DirCache::default());
        assert_eq!(f.kind, FileKind::Regular, "{}", c.name);
        assert_eq!(names(&f), c.archives, "{}", c.name);
        assert_eq!(f.leftovers, c.leftovers, "{}", c.name);
        let again = rescan.refresh(&rule, &SetFacts { rule: 0, files: vec![f.clone()] });
        // (Temporary files are the scan's alone: only its repair looks at them.)
        let without_leftovers = FileFacts { leftovers: Vec::new(), ..f };
        assert_eq!(
            again.files,
            vec![without_leftovers],
            "{}: the rescan sees what a fresh scan sees",
            c.name
        );
    }
}

#[test]
fn a_rescan_sees_archives_an_earlier_rotation_moved_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make(d, &["a.log", "a.log.1", "a.log.2"]);
    let rule = rule(|o| o.keep = crate::rule::Keep::Count(2));
    let log = d.join("a.log");
    let mut rescan = Rescan::default();
    let set = SetFacts { rule: 0, files: vec![file_facts(&rule, &log, &mut DirCache::default())] };
    assert_eq!(names(&rescan.refresh(&rule, &set).files[0]), ["a.log.1", "a.log.2"]);
    fs::remove_file(d.join("a.log.2")).unwrap();
    fs::rename(d.join("a.log.1"), d.join("a.log.2")).unwrap();
    fs::rename(d.join("a.log"), d.join("a.log.1")).unwrap();
    let gone = rescan.refresh(&rule, &set);
    assert_eq!(gone.files[0].kind, FileKind::Missing);
    fs::write(&log, "new").unwrap();
    let fresh = rescan.refresh(&rule, &set);
    assert_eq!(names(&fresh.files[0]), ["a.log.1", "a.log.2"]);
    assert_eq!(fresh.files[0].size, 3);
}

#[test]
fn a_log_named_like_an_archive_is_not_shifted_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make(d, &["a.log", "a.log.1", "a.log.1.log"]);
    let rule = rule(|_| {});
    let f = file_facts(&rule, &d.join("a.log"), &mut DirCache::default());
    let rotation = crate::plan::plan_rotation(&rule, &f, crate::plan::tests::now(), true).unwrap();
    let moved: Vec<&Step> = rotation.prepare.iter().filter(|s| matches!(s, Step::Rename { .. })).collect();
    assert_eq!(moved, [&Step::Rename { from: d.join("a.log.1"), to: d.join("a.log.2") }]);
}

/// Sets a directory's modification time `secs` seconds into the past.
fn age(dir: &Path, secs: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    fs::File::open(dir).unwrap().set_times(fs::FileTimes::new().set_modified(when)).unwrap();
}

#[test]
fn a_listing_read_while_loading_is_taken_only_while_its_directory_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make(d, &["a.log", "a.log.1"]);
    let rule = rule(|_| {});
    let log = d.join("a.log");
    let loaded = |d: &Path| {
        let mut cache = DirCache::default();
        cache.listing(d);
        cache.into_listings()
    };
    // Changed in the same clock tick as it was read (the time shows no change): it could have
    // changed unseen, so it is read again.
    let seed = loaded(d);
    let then = fs::metadata(d).unwrap().modified().unwrap();
    fs::write(d.join("a.log.2"), "").unwrap();
    fs::File::open(d).unwrap().set_times(fs::FileTimes::new().set_modified(then)).unwrap();
    let mut cache = DirCache::seeded(seed);
    assert_eq!(names(&file_facts(&rule, &log, &mut cache)), ["a.log.1", "a.log.2"]);
    // Unchanged since, and older than its reading: taken (a name only the seed has shows).
    age(d, 60);
    let mut seed = loaded(d);
    let mut marked = Listing::read(d, None).unwrap();
    marked.restamp_from(&seed.0[d.as_os_str()]);
    marked.add("a.log.9");
    seed.0.insert(d.as_os_str().to_owned(), Arc::new(marked));
    let mut cache = DirCache::seeded(seed.clone());
    assert_eq!(names(&file_facts(&rule, &log, &mut cache)), ["a.log.1", "a.log.2", "a.log.9"]);
    // Changed since: read again.
    fs::remove_file(d.join("a.log.2")).unwrap();
    let mut cache = DirCache::seeded(seed);
    assert_eq!(names(&file_facts(&rule, &log, &mut cache)), ["a.log.1"]);
}

#[test]
fn a_listing_is_current_only_for_the_same_directory_and_a_time_older_than_its_granularity() {
    let at = |secs: i64, nanos: i64| (secs, nanos);
    let read_at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000);
    let listing = |mtime: (i64, i64)| Listing::stamped(&[], (1, 2), mtime, read_at);
    let now = |id: (u64, u64), mtime: (i64, i64)| DirFacts { insecure: false, id, mtime };
    // Nanosecond times: a tenth of a second is enough.
    assert!(listing(at(999, 500_000_000)).is_current(now((1, 2), at(999, 500_000_000))));
    assert!(!listing(at(999, 950_000_000)).is_current(now((1, 2), at(999, 950_000_000))));
    // Whole seconds (ext3, ext4 with small inodes, FAT): two seconds.
    assert!(!listing(at(999, 0)).is_current(now((1, 2), at(999, 0))));
    assert!(!listing(at(998, 0)).is_current(now((1, 2), at(998, 0))));
    assert!(listing(at(997, 0)).is_current(now((1, 2), at(997, 0))));
    // Another directory at the path (a copy keeping the time), or a time that moved.
    assert!(!listing(at(997, 0)).is_current(now((1, 3), at(997, 0))));
    assert!(!listing(at(997, 0)).is_current(now((1, 2), at(997, 1))));
}

#[test]
fn plain_paths_split_as_their_components_do() {
    for p in [
        "/var/log/app.log",
        "app.log",
        "/app.log",
        "a/b",
        "/",
        "",
        ".",
        "..",
        "a/",
        "a//b",
        "./a",
        "a/./b",
        "a/../b",
        "/a/b/..",
        "a/.",
        ".hidden",
        "/x/.y",
        "a/b.",
        "a/..b",
        "//a",
    ] {
        let path = Path::new(p);
        if let Some((dir, name)) = split_plain(path) {
            let parent = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            assert_eq!((dir, Some(name)), (parent, path.file_name()), "{p}");
            assert_eq!(dir.as_os_str(), parent.as_os_str(), "{p}");
        }
        let parent = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        assert_eq!(dir_of(path).as_os_str(), parent.as_os_str(), "{p}");
    }
    assert!(split_plain(Path::new("/var/log/app.log")).is_some());
    assert!(split_plain(Path::new("a/./b")).is_none() && split_plain(Path::new("a//b")).is_none());
}
