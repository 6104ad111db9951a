//! Gathering facts from disk for the planner: glob expansion, `lstat` of each log, and the
//! archives already present beside it (or in `olddir`).

use crate::diag::Diagnostic;
use crate::plan::facts::{Archive, FileFacts, FileKind, SetFacts};
use crate::rule::Rule;
use chrono::{DateTime, Local, NaiveDateTime};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn local_time(secs: i64) -> NaiveDateTime {
    DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&Local).naive_local()).unwrap_or_default()
}

/// The directory holding `path`: `.` for a bare name.
pub(crate) fn dir_of(path: &Path) -> &Path {
    if let Some((dir, _)) = split_plain(path) {
        return dir;
    }
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// `path`'s directory and name, split at its last `/` without parsing its components, when
/// that gives what [`Path::parent`] and [`Path::file_name`] give: a path with no empty, `.` or
/// `..` component (the paths a pass builds; thousands are split in a run). `None` otherwise.
pub(crate) fn split_plain(path: &Path) -> Option<(&Path, &std::ffi::OsStr)> {
    use std::os::unix::ffi::OsStrExt as _;
    let bytes = path.as_os_str().as_bytes();
    // One pass: where each component starts, and that none is empty, `.` or `..` (a leading
    // `/` is the root, not an empty component).
    let first = usize::from(bytes.first() == Some(&b'/'));
    let mut start = first;
    let mut last_slash = None;
    for i in first..=bytes.len() {
        if i < bytes.len() && bytes[i] != b'/' {
            continue;
        }
        if matches!(&bytes[start..i], b"" | b"." | b"..") {
            return None;
        }
        if i < bytes.len() {
            last_slash = Some(i);
        }
        start = i + 1;
    }
    let name = std::ffi::OsStr::from_bytes;
    Some(match last_slash {
        None if bytes.first() == Some(&b'/') => (Path::new("/"), name(&bytes[1..])),
        None => (Path::new("."), name(bytes)),
        Some(i) => (Path::new(name(&bytes[..i])), name(&bytes[i + 1..])),
    })
}

/// Whether a pattern has glob wildcards.
pub(crate) fn has_glob_chars(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Whether `p` is a directory itself (`lstat`): never a log, as in 3.21's file lists.
fn is_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

/// What one pattern adds to a file list before duplicates are looked at: its expansion
/// ([`expand_pattern`]) without directories (3.21 `lstat`s each result; a match's type comes
/// with its directory listing, a path kept as written is looked at).
pub fn files_of_pattern(pat: &str, cache: &mut DirCache) -> Vec<PathBuf> {
    expand_pattern_in(pat, &mut |dirs| cache.listings(dirs))
        .into_iter()
        .filter(|(p, found)| !found.unwrap_or_else(|| is_dir(p)))
        .map(|(p, _)| p)
        .collect()
}

#[path = "scan_glob.rs"]
mod glob_pattern;
#[cfg(feature = "daemon")]
pub use glob_pattern::expand_glob_tilde;
use glob_pattern::expand_pattern_in;
pub(crate) use glob_pattern::fnmatch_name;
use glob_pattern::Found;

/// What became of one path of a pattern when its stanza's file list was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimEvent {
    /// Already taken by an earlier stanza (or earlier in this one) with `ignoreduplicates`:
    /// left out, the rest of the pattern goes on (3.21's debug line `ignore duplicate log
    /// entry`).
    Ignored(PathBuf),
    /// Already taken and duplicates are not ignored: an error, and the rest of the pattern's
    /// paths are dropped (3.21's `goto duperror`).
    Duplicate(PathBuf),
}

/// The paths taken by the stanzas read so far, each with whether its stanza has
/// `ignoreduplicates`. As 3.21 builds each stanza's file list at load time, a path belongs to
/// the first stanza that names it.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    taken: RefCell<HashMap<OsString, bool>>,
    /// Taken since `taken` was last looked at: put in it only when a later pattern is claimed
    /// (a config of one stanza over 10,000 logs never needs them hashed).
    pending: RefCell<Vec<(OsString, bool)>>,
}

impl Claims {
    /// Claims the paths one pattern expanded to (directories already left out) for a stanza
    /// whose `ignoreduplicates` is `ignore`, without taking them yet: returns the paths it
    /// gets and what happened to the others. A duplicate is ignored when the stanza that took
    /// the path or this one has `ignoreduplicates` (3.21 looks only at the one that took it;
    /// honouring either is deliberate).
    /// `own` is what the stanza already has from its earlier patterns.
    pub fn claim_pattern(
        &self,
        paths: &[PathBuf],
        own: &[PathBuf],
        ignore: bool,
    ) -> (Vec<PathBuf>, Vec<ClaimEvent>) {
        let taken = self.taken();
        // Sorted without repeats (a glob's matches in byte order), none taken yet and nothing
        // earlier in the stanza: every path is this pattern's.
        let distinct = paths.windows(2).all(|w| w[0].as_os_str().as_bytes() < w[1].as_os_str().as_bytes());
        if taken.is_empty() && own.is_empty() && distinct {
            return (paths.to_vec(), Vec::new());
        }
        let mut got: Vec<PathBuf> = Vec::new();
        let mut events = Vec::new();
        // The stanza's own paths so far (a set: a glob may match thousands), keyed by bytes
        // (hashing a `Path` parses its components).
        let mut mine: std::collections::HashSet<&std::ffi::OsStr> =
            own.iter().map(|p| p.as_os_str()).collect();
        for p in paths {
            let owner_ignores = match taken.get(p.as_os_str()) {
                Some(&flag) => Some(flag),
                // Earlier in this same stanza: its own flag.
                None => mine.contains(p.as_os_str()).then_some(ignore),
            };
            match owner_ignores {
                None => {
                    mine.insert(p.as_os_str());
                    got.push(p.clone());
                }
                Some(flag) if flag || ignore => events.push(ClaimEvent::Ignored(p.clone())),
                Some(_) => {
                    events.push(ClaimEvent::Duplicate(p.clone()));
                    break;
                }
            }
        }
        (got, events)
    }

    /// Records `paths` as taken by a stanza whose `ignoreduplicates` is `ignore`.
    pub fn take(&mut self, paths: &[PathBuf], ignore: bool) {
        self.pending.get_mut().extend(paths.iter().map(|p| (p.as_os_str().to_owned(), ignore)));
    }

    /// Every path taken, the first stanza's flag for each.
    fn taken(&self) -> std::cell::Ref<'_, HashMap<OsString, bool>> {
        let mut pending = self.pending.borrow_mut();
        if !pending.is_empty() {
            let mut taken = self.taken.borrow_mut();
            taken.reserve(pending.len());
            for (path, flag) in pending.drain(..) {
                taken.entry(path).or_insert(flag);
            }
        }
        self.taken.borrow()
    }
}

/// The directory where archives of `log` go.
pub fn archive_dir(rule: &Rule, log: &Path) -> PathBuf {
    let dir = log.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    match &rule.options.olddir {
        Some(od) if od.starts_with('/') => crate::pathbytes::to_path(od),
        Some(od) => dir.join(crate::pathbytes::to_os(od)),
        None => dir,
    }
}

/// The first symbolic link on the way to `dir` whose own directory a user other than root can
/// write (what the planner refuses to follow to an olddir as root without `su`).
pub fn untrusted_link(dir: &Path) -> Option<PathBuf> {
    DirCache::default().untrusted_link(dir)
}

/// Directory listings read once per scan: many logs in one directory share one `read_dir`.
///
/// Keyed by the paths' bytes: hashing a `Path` parses its components, which cost more than
/// everything else a nightly pass does per log.
#[derive(Debug, Default)]
pub struct DirCache {
    dirs: HashMap<OsString, Option<Arc<Listing>>>,
    /// Listings read before (while the config was loaded), taken when their directory is
    /// proven unchanged since.
    seed: Listings,
    /// For each directory looked at: `None` if it is missing.
    parents: HashMap<OsString, Option<DirFacts>>,
    links: HashMap<OsString, Option<PathBuf>>,
    /// For a [`Rescan`]: listings kept true as the pass changes the disk (instead of `dirs`).
    live: Option<live::LiveDirs>,
    /// The directory asked for last (the logs of one directory come one after another: no
    /// hashing of its path for each).
    last: Option<Last>,
}

/// [`DirCache::last`].
#[derive(Debug)]
struct Last {
    dir: OsString,
    listing: Option<Arc<Listing>>,
    /// Its `stat`, once asked for.
    facts: Option<Option<DirFacts>>,
    /// Where in the listing the last question ended (see [`Listing::lower_bound`]).
    at: usize,
}

/// A directory looked at and read: its `stat` and its listing.
type Looked<'p> = (&'p Path, Option<DirFacts>, Option<Arc<Listing>>);

/// Directories a thread reads at least, when many are read at once.
const PER_THREAD: usize = 16;

/// What the scan needs of a directory's `stat`.
#[derive(Debug, Clone, Copy)]
struct DirFacts {
    /// Writable by others, or by a group other than root's.
    insecure: bool,
    /// Device and inode.
    id: (u64, u64),
    /// Modification time: seconds and nanoseconds.
    mtime: (i64, i64),
}

impl DirFacts {
    fn of(dir: &Path) -> Option<DirFacts> {
        std::fs::metadata(dir).ok().map(|m| DirFacts {
            insecure: m.mode() & 0o002 != 0 || (m.mode() & 0o020 != 0 && m.gid() != 0),
            id: (m.dev(), m.ino()),
            mtime: (m.mtime(), m.mtime_nsec()),
        })
    }
}

#[path = "scan_listing.rs"]
mod listing;
pub(crate) use listing::Listing;

/// Directory listings a [`DirCache`] read, for a later one to reuse where they are still
/// current (the config loader's, for the pass's scan).
#[derive(Debug, Clone, Default)]
pub struct Listings(HashMap<OsString, Arc<Listing>>);

/// What the config loader found: each rule's log files, in rule order (3.21's file lists,
/// built when it reads the config), and the directories it listed for them.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The log files of each rule (duplicates already attributed).
    pub files: Vec<Vec<PathBuf>>,
    /// The directories listed.
    pub listings: Listings,
}

impl DirCache {
    /// A cache that takes `seed`'s listings of the directories that did not change since.
    pub fn seeded(seed: Listings) -> Self {
        DirCache { seed, ..DirCache::default() }
    }

    /// The listings read so far.
    pub fn into_listings(self) -> Listings {
        Listings(self.dirs.into_iter().filter_map(|(d, l)| Some((d, l?))).collect())
    }

    /// What the listing of `path`'s directory says of it: `Some(is_dir)` if it is there,
    /// `None` if it is not or the directory cannot be listed.
    fn found(&mut self, path: &Path) -> Found {
        let name = crate::pathbytes::from_os(path.file_name()?);
        let parent = dir_of(path);
        let listing = self.listing(parent)?;
        let at = listing.find(&name, self.at()).map_err(|at| self.moved_to(at)).ok()?;
        self.moved_to(at);
        Some(listing.is_dir(at))
    }

    /// Where the last question about the last directory ended.
    fn at(&self) -> usize {
        self.last.as_ref().map_or(0, |l| l.at)
    }

    fn moved_to(&mut self, at: usize) {
        if let Some(last) = self.last.as_mut() {
            last.at = at;
        }
    }

    fn listing(&mut self, dir: &Path) -> Option<Arc<Listing>> {
        if let Some(last) = self.last.as_ref().filter(|l| l.dir == dir.as_os_str()) {
            return last.listing.clone();
        }
        let listing = if let Some(known) = self.dirs.get(dir.as_os_str()) {
            known.clone()
        } else {
            let facts = self.dir_facts(dir);
            let listing = self.seeded_or_read(dir, facts);
            self.dirs.insert(dir.as_os_str().to_owned(), listing.clone());
            listing
        };
        self.last =
            Some(Last { dir: dir.as_os_str().to_owned(), listing: listing.clone(), facts: None, at: 0 });
        listing
    }

    /// `dir`'s listing from the seed if still current, else read now.
    fn seeded_or_read(&self, dir: &Path, facts: Option<DirFacts>) -> Option<Arc<Listing>> {
        let seeded = self.seed.0.get(dir.as_os_str()).filter(|l| facts.is_some_and(|f| l.is_current(f)));
        seeded.cloned().or_else(|| Listing::read(dir, facts).map(Arc::new))
    }

    /// The listings of `dirs`. Many directories not read yet (a glob's `*/`) are looked at and
    /// read on several threads.
    fn listings(&mut self, dirs: &[&Path]) -> Vec<Option<Arc<Listing>>> {
        let mut missing: Vec<&Path> =
            dirs.iter().copied().filter(|d| !self.dirs.contains_key(d.as_os_str())).collect();
        missing.sort_unstable();
        missing.dedup();
        let parts = crate::par::parts(&missing, PER_THREAD);
        if parts.len() > 1 {
            let this = &*self;
            let read: Vec<Vec<Looked>> = crate::par::map(&parts, |dirs| {
                dirs.iter()
                    .map(|&d| {
                        let facts = DirFacts::of(d);
                        (d, facts, this.seeded_or_read(d, facts))
                    })
                    .collect()
            });
            for (dir, facts, listing) in read.into_iter().flatten() {
                self.parents.entry(dir.as_os_str().to_owned()).or_insert(facts);
                self.dirs.insert(dir.as_os_str().to_owned(), listing);
            }
        }
        dirs.iter().map(|d| self.listing(d)).collect()
    }

    /// The names in `dir` that start with `stem`, and those that start with `.stem` (temporary
    /// files), each sorted; `None` if `dir` cannot be read (it does not exist).
    fn archive_names(&mut self, dir: &Path, stem: &str) -> Option<(Vec<String>, Vec<String>)> {
        let hidden = format!(".{stem}");
        if self.live.is_some() {
            let id = self.dir_facts(dir)?.id;
            let names = self.live.as_mut()?.names(dir, id)?;
            let run = |prefix: &str| -> Vec<String> {
                names
                    .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
                    .take_while(|n| n.starts_with(prefix))
                    .cloned()
                    .collect()
            };
            return Some((run(stem), run(&hidden)));
        }
        let listing = self.listing(dir)?;
        let named = listing.run(stem, self.at());
        self.moved_to(named.start);
        let own = |range| listing.names(range).map(str::to_owned).collect();
        Some((own(named), own(listing.hidden_run(stem))))
    }

    /// `Some(whether dir exists)` when the names in `dir` starting with `stem` hold nothing
    /// [`crate::exec::repair`] would act on (no `.STEM….partial` leftover, no archive beside its
    /// compressed copy); `None` when they may, or the cache cannot tell without gathering them.
    fn nothing_to_repair(&mut self, dir: &Path, stem: &str, o: &crate::rule::Options) -> Option<bool> {
        if self.live.is_some() {
            return None;
        }
        let Some(listing) = self.listing(dir) else { return Some(false) };
        let hidden = listing.names(listing.hidden_run(stem)).any(|n| n.ends_with(".partial"));
        let named = listing.run(stem, self.at());
        self.moved_to(named.start);
        // An archive and its compressed copy: `X` and `X.gz` among the names, `X.gz` after
        // `X` with at most a few names (`X.1`…) between them.
        let ext = if o.compress { o.effective_compress_ext() } else { String::new() };
        let paired = !ext.is_empty()
            && named.clone().any(|i| {
                let n = listing.name(i);
                let packed = |j: usize| listing.name(j).strip_prefix(n).is_some_and(|rest| rest == ext);
                let after = (i + 1..named.end).take_while(|&j| listing.name(j).starts_with(n));
                let many = after.clone().nth(8).is_some();
                after.take(8).any(packed) || (many && listing.find(&format!("{n}{ext}"), i).is_ok())
            });
        (!hidden && !paired).then_some(true)
    }

    /// Whether a log's directory is writable by others or a non-root group; `None` if it is
    /// missing.
    fn is_insecure(&mut self, dir: &Path) -> Option<bool> {
        self.dir_facts(dir).map(|d| d.insecure)
    }

    /// What `stat` says of a directory (once per scan, or per look again), `None` if missing.
    fn dir_facts(&mut self, dir: &Path) -> Option<DirFacts> {
        if let Some(facts) = self.last.as_ref().filter(|l| l.dir == dir.as_os_str()).and_then(|l| l.facts) {
            return facts;
        }
        let facts = match self.parents.get(dir.as_os_str()) {
            Some(&facts) => facts,
            None => {
                let facts = DirFacts::of(dir);
                self.parents.insert(dir.as_os_str().to_owned(), facts);
                facts
            }
        };
        if let Some(last) = self.last.as_mut().filter(|l| l.dir == dir.as_os_str()) {
            last.facts = Some(facts);
        }
        facts
    }

    /// The first symlink on the way to `dir` whose own directory is not root's alone.
    fn untrusted_link(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(found) = self.links.get(dir.as_os_str()) {
            return found.clone();
        }
        let mut cur = PathBuf::new();
        let mut found = None;
        for comp in dir.components() {
            cur.push(comp);
            let Ok(md) = std::fs::symlink_metadata(&cur) else { break };
            if !md.file_type().is_symlink() {
                continue;
            }
            if !std::fs::metadata(&cur).is_ok_and(|m| m.is_dir()) {
                break; // not a way to a directory: creating or using olddir fails on its own
            }
            let parent = dir_of(&cur);
            let owned_by_root = std::fs::metadata(parent).is_ok_and(|m| {
                m.uid() == 0 && m.mode() & 0o002 == 0 && (m.mode() & 0o020 == 0 || m.gid() == 0)
            });
            if !owned_by_root {
                found = Some(cur.clone());
                break;
            }
            match std::fs::canonicalize(&cur) {
                Ok(real) => cur = real,
                Err(_) => break,
            }
        }
        self.links.insert(dir.as_os_str().to_owned(), found.clone());
        found
    }
}

/// Collects facts for one path under `rule`, sharing directory listings through `cache`.
pub fn file_facts(rule: &Rule, path: &Path, cache: &mut DirCache) -> FileFacts {
    facts_of(rule, path, cache, true)
}

/// [`file_facts`]; without `stat` the log itself is not looked at (taken as a regular file of
/// unknown size), for a log the state alone proves is not due.
fn facts_of(rule: &Rule, path: &Path, cache: &mut DirCache, stat: bool) -> FileFacts {
    let (kind, size, mtime, nlink) = if stat {
        match std::fs::symlink_metadata(path) {
            Err(_) => (FileKind::Missing, 0, NaiveDateTime::default(), 0),
            Ok(m) => {
                let kind = match m.file_type() {
                    t if t.is_symlink() => FileKind::Symlink,
                    t if t.is_file() => FileKind::Regular,
                    t if t.is_dir() => FileKind::Directory,
                    _ => FileKind::Other,
                };
                (kind, m.len(), local_time(m.mtime()), m.nlink())
            }
        }
    } else {
        (FileKind::Regular, 0, NaiveDateTime::default(), 1)
    };
    let parent = dir_of(path);
    let parent_state = cache.is_insecure(parent);
    let (insecure_dir, parent_missing) = (parent_state == Some(true), parent_state.is_none());
    let archive_dir = archive_dir(rule, path);
    let stem = archive_stem(rule, path);
    let mut archives = Vec::new();
    let mut leftovers = Vec::new();
    // A log the state settles (`!stat`) is not planned: its archives matter only to the repair
    // of an interrupted rotation, so they are not gathered when the listing shows none to do.
    let settled = (!stat && kind == FileKind::Regular)
        .then(|| cache.nothing_to_repair(&archive_dir, &stem, &rule.options))
        .flatten();
    // A directory that can be listed exists (one listing per directory, no stat per log).
    let listed = if settled.is_some() { None } else { cache.archive_names(&archive_dir, &stem) };
    let archive_dir_exists = settled.unwrap_or(listed.is_some());
    let archive_dir_link = rule.options.olddir.as_ref().and_then(|_| cache.untrusted_link(&archive_dir));
    if kind == FileKind::Regular {
        let own = stem_full(path);
        // Archive times and sizes matter only to `maxage` and the disk guard (`maxtotalsize`,
        // `minfree`): no stat per archive otherwise.
        let o = &rule.options;
        let wants_stat = o.max_age.is_some() || o.max_total_size.is_some() || o.min_free.is_some();
        if let Some((named, hidden)) = listed {
            leftovers = hidden.into_iter().filter(|n| n.ends_with(".partial")).collect();
            for name in named.into_iter().filter(|n| *n != own) {
                let (mtime, size) = if wants_stat {
                    std::fs::symlink_metadata(archive_dir.join(crate::pathbytes::to_os(&name)))
                        .map(|m| (local_time(m.mtime()), m.len()))
                        .unwrap_or_default()
                } else {
                    (NaiveDateTime::default(), 0)
                };
                archives.push(Archive { name, mtime, size });
            }
        }
    }
    FileFacts {
        path: path.to_path_buf(),
        kind,
        size,
        mtime,
        nlink,
        insecure_dir,
        parent_missing,
        archive_dir,
        archive_dir_exists,
        archive_dir_link,
        archives,
        leftovers,
    }
}

fn stem_full(path: &Path) -> String {
    path.file_name().map(|n| crate::pathbytes::from_os(n).into_owned()).unwrap_or_default()
}

/// The name prefix shared by all archives of `path` (file name minus `extension`).
pub fn archive_stem(rule: &Rule, path: &Path) -> String {
    crate::plan::names::split_ext(&rule.options, &stem_full(path)).0
}

#[path = "scan_live.rs"]
mod live;

#[path = "scan_apart.rs"]
mod apart;
pub use apart::logs_apart;

/// Looks at logs again during a pass, when earlier logs or sets changed the disk (logrotate
/// looks at each log only when its turn comes). Each directory is listed once and kept true by
/// inotify ([`live`]), so looking at the N logs of one directory again costs N small updates,
/// not N listings. The logs themselves and their directories' modes are looked at each time.
#[derive(Debug)]
pub struct Rescan {
    cache: DirCache,
    /// The directories as the scan the plan came from saw them.
    baseline: Listings,
}

impl Default for Rescan {
    fn default() -> Self {
        Rescan::since(Listings::default())
    }
}

impl Rescan {
    /// Looks again at what the scan that read `baseline` saw.
    pub fn since(baseline: Listings) -> Self {
        Rescan { cache: DirCache { live: Some(live::LiveDirs::new()), ..DirCache::default() }, baseline }
    }

    /// Whether a rotation of `path` planned from the scan is still the one to carry out: the
    /// names starting with its name (less `extension`) in its directory and its archive
    /// directory are those the scan saw, so planning it again would find the same archives.
    /// Known only for directories already looked at again (their listings kept true by
    /// inotify), and never for `maxage` (archive times, not names, decide it).
    pub fn unchanged(&mut self, rule: &Rule, path: &Path) -> bool {
        if rule.options.max_age.is_some() {
            return false;
        }
        let stem = archive_stem(rule, path);
        let dir = dir_of(path);
        let archives = archive_dir(rule, path);
        let Some(live) = self.cache.live.as_mut() else { return false };
        for d in [dir, archives.as_path()] {
            let Some(then) = self.baseline.0.get(d.as_os_str()) else { return false };
            let Some(now) = live.watched_names(d) else { return false };
            let now = now
                .range::<str, _>((std::ops::Bound::Included(stem.as_str()), std::ops::Bound::Unbounded))
                .take_while(|n| n.starts_with(&stem));
            if !now.map(String::as_str).eq(then.names(then.run(&stem, 0))) {
                return false;
            }
        }
        true
    }

    /// The facts of `set` read again from disk (without leftovers: temporary files are the
    /// scan's, for its repair).
    pub fn refresh(&mut self, rule: &Rule, set: &SetFacts) -> SetFacts {
        self.look_again();
        let files = set.files.iter().map(|f| file_facts(rule, &f.path, &mut self.cache)).collect();
        SetFacts { rule: set.rule, files }
    }

    /// The facts of one log of `rule` read again from disk.
    pub fn refresh_log(&mut self, rule: &Rule, path: &Path) -> FileFacts {
        self.look_again();
        file_facts(rule, path, &mut self.cache)
    }

    /// As fresh as a new look: only the listings are kept (and kept true).
    fn look_again(&mut self) {
        self.cache.parents.clear();
        self.cache.links.clear();
        self.cache.last = None;
    }
}

/// Expands every rule and collects facts. A path belongs to the first rule that names it, as
/// 3.21 builds the file lists at load time ([`Claims`]); the loader has already reported the
/// duplicates, so nothing is said here.
pub fn scan(rules: &[Rule], diags: &mut Vec<Diagnostic>) -> Vec<SetFacts> {
    scan_only(rules, None, diags)
}

/// Like [`scan`], but collects facts (the `stat`s and directory listings) only for the rules in
/// `only`; every rule is still expanded so that duplicates are attributed as in a full run.
pub fn scan_only(rules: &[Rule], only: Option<&[usize]>, diags: &mut Vec<Diagnostic>) -> Vec<SetFacts> {
    scan_settled(rules, only, diags, None, |_, _| false)
}

/// Like [`scan_only`]; `settled(rule, path)` says the state alone proves that log cannot be due
/// (see [`crate::plan::cannot_be_due`]). Such a log, when a glob found it (so it exists), is not
/// looked at itself: no `stat` at all. Its directory's listing is still read, for repairs.
pub fn scan_settled(
    rules: &[Rule],
    only: Option<&[usize]>,
    diags: &mut Vec<Diagnostic>,
    loaded: Option<&Loaded>,
    settled: impl Fn(usize, &Path) -> bool + Sync,
) -> Vec<SetFacts> {
    scan_seen(rules, only, diags, loaded, settled).0
}

/// The facts of the files the loader listed for `rule` (`settled`: whether the state alone
/// settles a log found in its directory's listing); thousands are looked at on several
/// threads, each with a cache of its own, whose listings then join `cache`'s.
fn listed_facts(
    rule: &Rule,
    paths: &[PathBuf],
    cache: &mut DirCache,
    settled: &(dyn Fn(&Path) -> bool + Sync),
) -> Vec<FileFacts> {
    const PER_THREAD: usize = 2048;
    let facts = |paths: &[PathBuf], cache: &mut DirCache| {
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let found = cache.found(path);
            let looked_at = !(found.is_some() && settled(path));
            let facts = facts_of(rule, path, cache, looked_at);
            if facts.kind != FileKind::Directory {
                files.push(facts);
            }
        }
        files
    };
    let parts = crate::par::parts(paths, PER_THREAD);
    if parts.len() < 2 {
        return facts(paths, cache);
    }
    let seed = &cache.seed;
    let done = crate::par::map(&parts, |part| {
        let mut own = DirCache::seeded(seed.clone());
        (facts(part, &mut own), own)
    });
    let mut files = Vec::with_capacity(paths.len());
    for (part, own) in done {
        files.extend(part);
        for (dir, listing) in own.dirs {
            cache.dirs.entry(dir).or_insert(listing);
        }
    }
    files
}

/// [`scan_settled`], with the directory listings it read (for [`Rescan::since`]).
pub fn scan_seen(
    rules: &[Rule],
    only: Option<&[usize]>,
    _diags: &mut Vec<Diagnostic>,
    loaded: Option<&Loaded>,
    settled: impl Fn(usize, &Path) -> bool + Sync,
) -> (Vec<SetFacts>, Listings) {
    let (lists, seed) = match loaded {
        Some(l) if l.files.len() == rules.len() => (Some(&l.files), l.listings.clone()),
        Some(l) => (None, l.listings.clone()),
        None => (None, Listings::default()),
    };
    let mut cache = DirCache::seeded(seed);
    if let Some(lists) = lists {
        // The files the loader listed: no pattern expanded, no duplicate looked for again.
        let mut sets = Vec::new();
        for (i, (rule, paths)) in rules.iter().zip(lists).enumerate() {
            if !only.is_none_or(|o| o.contains(&i)) {
                continue;
            }
            let files = listed_facts(rule, paths, &mut cache, &|path| settled(i, path));
            sets.push(SetFacts { rule: i, files });
        }
        return (sets, cache.into_listings());
    }
    let mut claims = Claims::default();
    let mut sets = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let wanted = only.is_none_or(|o| o.contains(&i));
        let ignore = rule.options.ignore_duplicates;
        let mut own: Vec<PathBuf> = Vec::new();
        let mut files = Vec::new();
        for pat in &rule.patterns {
            let mut matches = Vec::new();
            // The directories a glob lists are the ones the logs' archives are looked for in.
            for (path, found) in expand_pattern_in(pat, &mut |dirs| cache.listings(dirs)) {
                // A match's type came with its directory's listing: a log found so is not
                // looked at when the state settles it. Others get one lstat, the facts' own.
                if found == Some(true) {
                    continue;
                }
                let looked_at = !(found.is_some() && settled(i, &path));
                let facts = wanted.then(|| facts_of(rule, &path, &mut cache, looked_at));
                let dir = match &facts {
                    Some(f) => f.kind == FileKind::Directory,
                    None => found.unwrap_or_else(|| is_dir(&path)),
                };
                if !dir {
                    matches.push((path, facts));
                }
            }
            let paths: Vec<PathBuf> = matches.iter().map(|(p, _)| p.clone()).collect();
            let (got, _) = claims.claim_pattern(&paths, &own, ignore);
            let mut next = got.iter().peekable();
            for (path, facts) in matches {
                if next.peek() == Some(&&path) {
                    next.next();
                    files.extend(facts);
                }
            }
            own.extend(got);
        }
        claims.take(&own, ignore);
        if wanted {
            sets.push(SetFacts { rule: i, files });
        }
    }
    (sets, cache.into_listings())
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod index_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(names: &[&str]) -> Vec<PathBuf> {
        names.iter().map(|n| crate::pathbytes::to_path(n)).collect()
    }

    /// One case: the paths taken before (with their stanza's `ignoreduplicates`), the
    /// stanza's own paths so far, its flag, what its pattern matched; what it gets and what is
    /// said.
    struct Case {
        name: &'static str,
        taken: &'static [(&'static str, bool)],
        own: &'static [&'static str],
        ignore: bool,
        matches: &'static [&'static str],
        got: &'static [&'static str],
        events: &'static [(&'static str, bool)],
    }

    #[test]
    fn claims_as_3_21_builds_file_lists() {
        let cases = [
            Case {
                name: "new paths are taken",
                taken: &[],
                own: &[],
                ignore: false,
                matches: &["/a", "/b"],
                got: &["/a", "/b"],
                events: &[],
            },
            Case {
                name: "a duplicate drops the rest of the pattern",
                taken: &[("/b", false)],
                own: &[],
                ignore: false,
                matches: &["/a", "/b", "/c"],
                got: &["/a"],
                events: &[("/b", true)],
            },
            Case {
                name: "the earlier stanza's ignoreduplicates skips only that path",
                taken: &[("/b", true)],
                own: &[],
                ignore: false,
                matches: &["/a", "/b", "/c"],
                got: &["/a", "/c"],
                events: &[("/b", false)],
            },
            Case {
                name: "this stanza's ignoreduplicates is honoured too (deliberate)",
                taken: &[("/b", false)],
                own: &[],
                ignore: true,
                matches: &["/a", "/b", "/c"],
                got: &["/a", "/c"],
                events: &[("/b", false)],
            },
            Case {
                name: "a path named twice in one stanza is a duplicate",
                taken: &[],
                own: &["/a"],
                ignore: false,
                matches: &["/a", "/b"],
                got: &[],
                events: &[("/a", true)],
            },
        ];
        for c in cases {
            let mut claims = Claims::default();
            for (p, flag) in c.taken {
                claims.take(&paths(&[p]), *flag);
            }
            let (got, events) = claims.claim_pattern(&paths(c.matches), &paths(c.own), c.ignore);
            assert_eq!(got, paths(c.got), "{}", c.name);
            let want: Vec<ClaimEvent> = c
                .events
                .iter()
                .map(
                    |(p, dup)| {
                        if *dup {
                            ClaimEvent::Duplicate(p.into())
                        } else {
                            ClaimEvent::Ignored(p.into())
                        }
                    },
                )
                .collect();
            assert_eq!(events, want, "{}", c.name);
        }
    }
}
