//! The classic logrotate(8) syntax: global options, `PATTERNS { ... }` stanzas, scripts
//! ending in `endscript`, and `include` of files and directories.
//!
//! Parsing follows Debian's logrotate 3.21 (see `classic_parse.rs`): an unknown keyword is a
//! warning and its line is ignored; a bad value inside a stanza drops that stanza; an error
//! outside a stanza abandons the rest of the file, and a file with an error leaves the global
//! options as they were before it. `*.toml` files met on the way are handed to
//! [`super::toml_rules`].
//!
//! As 3.21 does, each stanza's log files are listed when its header is read (see
//! [`crate::scan::Claims`]): a file an earlier stanza took is a `duplicate log entry` there, in
//! line order with the other messages. With `-v`/`-d` the loader's notes are 3.21's debug lines
//! (`reading config file`, `including`, `olddir is now`, ...). The files of an included
//! directory are named by their bare names in every message, as 3.21 reads them from inside it.

use super::cursor::is_space;
use super::{toml_rules, Config, Diagnostic, LoadOptions};
use crate::diag::{Form, Level, Location};
use crate::pathbytes::PathShow as _;
use crate::rule::{Options, Rule};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// logrotate's default taboo extensions (Debian's 3.21 build, which adds `.bak` and `.dpkg-tmp`).
pub const DEFAULT_TABOO_EXT: &[&str] = &[
    ",v",
    ".bak",
    ".cfsaved",
    ".disabled",
    ".dpkg-bak",
    ".dpkg-del",
    ".dpkg-dist",
    ".dpkg-new",
    ".dpkg-old",
    ".dpkg-tmp",
    ".rhn-cfg-tmp-*",
    ".rpmnew",
    ".rpmorig",
    ".rpmsave",
    ".swp",
    ".ucf-dist",
    ".ucf-new",
    ".ucf-old",
    "~",
];

const MAX_INCLUDE_DEPTH: usize = 16;
/// How many config files one load may read in all. Includes of directories can multiply
/// without a loop (16 levels of directories of 3 files that each include the next level are
/// 3^16 reads); past this many the rest are skipped with an error.
const MAX_FILES_READ: usize = 10_000;

/// Loads classic config files (and what they include) into one [`Config`].
pub struct Loader {
    opts: LoadOptions,
    globals: Options,
    /// 3.21's `tabooPatterns`: `tabooext` items become `*EXT`, `taboopat` items are kept as
    /// they are, in one list.
    taboo: Vec<String>,
    /// The log files taken by the stanzas loaded so far (3.21 builds each stanza's file list
    /// when it reads the stanza's header).
    claims: crate::scan::Claims,
    /// The directories the patterns were expanded in, listed once.
    dirs: std::cell::RefCell<crate::scan::DirCache>,
    out: Config,
    depth: usize,
    /// `(dev, ino)` of the files and directories being read, outermost first: a file that
    /// includes itself, directly or not, is not read again.
    reading: Vec<(u64, u64)>,
    files_read: usize,
    /// The name the next file parsed is called in messages, when not its path.
    shown_name: Option<String>,
}

impl Loader {
    /// A loader starting from logrotate's built-in defaults.
    pub fn new(opts: LoadOptions) -> Self {
        Loader {
            opts,
            globals: Options::default(),
            taboo: DEFAULT_TABOO_EXT.iter().map(|s| format!("*{s}")).collect(),
            claims: crate::scan::Claims::default(),
            dirs: std::cell::RefCell::default(),
            out: Config::default(),
            depth: 0,
            reading: Vec::new(),
            files_read: 0,
            shown_name: None,
        }
    }

    /// Loads each path in order; a directory means every acceptable file in it, sorted.
    pub fn load_all(mut self, paths: &[PathBuf]) -> Config {
        for p in paths {
            // Failures are in the diagnostics; the globals were put back by `load_file`.
            let _ = self.load_path(p);
        }
        self.out.loaded.listings = self.dirs.into_inner().into_listings();
        self.out
    }

    /// An error about `at` whose message names the place itself.
    fn error(&mut self, at: Location, msg: String) {
        self.out.diagnostics.push(Diagnostic::error(msg).at(at));
    }

    /// Loads a file or directory; returns whether it had an error (3.21's failed
    /// `readConfigPath`: the including file then fails too).
    fn load_path(&mut self, path: &Path) -> bool {
        match std::fs::metadata(path) {
            Ok(md) if md.is_dir() => {
                let id = (md.dev(), md.ino());
                if self.reading.contains(&id) {
                    self.include_loop(path);
                    return true;
                }
                self.reading.push(id);
                let failed = self.load_dir(path);
                self.reading.pop();
                failed
            }
            Ok(_) => self.load_file(path),
            Err(e) => {
                self.error(Location::file(path), format!("cannot stat {}: {}", path.shown(), io_msg(&e)));
                true
            }
        }
    }

    /// 3.21's `checkFile`: `.` and `..` are left out, and so is a name a taboo pattern
    /// matches (`fnmatch` with `FNM_PERIOD`), with a debug line naming the pattern.
    fn is_wanted(&mut self, name: &str) -> bool {
        if name == "." || name == ".." {
            return false;
        }
        let hit = self.taboo.iter().find(|pat| match glob::Pattern::new(pat) {
            Ok(p) => crate::scan::fnmatch_name(&p, name),
            Err(_) => pat.as_str() == name,
        });
        match hit {
            Some(pat) => {
                let msg = format!("Ignoring {name}, because of {pat} pattern match");
                self.out.diagnostics.push(Diagnostic::note(msg));
                false
            }
            None => true,
        }
    }

    fn load_dir(&mut self, dir: &Path) -> bool {
        self.out.sources.push(dir.to_path_buf());
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                let msg = format!("cannot read directory {}: {}", dir.shown(), io_msg(&e));
                self.error(Location::file(dir), msg);
                return true;
            }
        };
        // As 3.21: names are checked in the directory's order (the taboo lines come in that
        // order), then read sorted. Subdirectories, FIFOs, sockets and devices go on to
        // `load_file`, which refuses to read them, as 3.21 does.
        let names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| crate::pathbytes::from_os(&e.file_name()).into_owned())
            .collect();
        let mut names: Vec<String> = names.into_iter().filter(|n| self.is_wanted(n)).collect();
        names.sort();
        let mut failed = false;
        for name in names {
            // 3.21 reads a directory's files from inside it: its messages name them bare.
            self.shown_name = Some(name.clone());
            let path = dir.join(&name);
            let file_failed = self.load_file(&path);
            self.shown_name = None;
            if file_failed {
                self.error(
                    Location::file(&path).named(&name),
                    format!("found error in file {name}, skipping"),
                );
                failed = true;
            }
        }
        failed
    }

    /// Checks logrotate's root-only rules for config files. Returns false if the file must be
    /// ignored. `shown` is the file as messages name it.
    fn is_trusted(&mut self, shown: &str, md: &std::fs::Metadata) -> bool {
        if !self.opts.check_ownership {
            return true;
        }
        // As 3.21: a warning for any mode but read-only for its owner, then the file is ignored
        // with an `error:` line that leaves the exit status alone.
        if md.mode() & 0o7533 != 0o400 {
            let mode = md.mode() & 0o7777;
            self.out
                .diagnostics
                .push(Diagnostic::warning(format!("Potentially dangerous mode on {shown}: 0{mode:o}")));
        }
        if md.mode() & 0o022 != 0 {
            let msg = format!("Ignoring {shown} because it is writable by group or others.");
            self.out.diagnostics.push(Diagnostic::error_kept(msg));
            return false;
        }
        if md.uid() != 0 {
            let msg = format!(
                "Ignoring {shown} because the file owner is wrong (should be root or user with uid 0)."
            );
            self.out.diagnostics.push(Diagnostic::error_kept(msg));
            return false;
        }
        true
    }

    /// Whether `path` is a kind of file we read. A FIFO, device or socket is never opened:
    /// reading `/dev/zero` or a FIFO would never end. logrotate 3.21 opens them first (and so
    /// hangs on a FIFO), then says `Ignoring PATH because it's not a regular file.` and goes
    /// on without an error; opening a socket fails there with `No such device or address`.
    fn is_readable_kind(&mut self, path: &Path, shown: &str, md: &std::fs::Metadata) -> bool {
        if md.is_file() {
            return true;
        }
        if md.file_type().is_socket() {
            self.error(
                Location::file(path).named(shown),
                format!(
                    "failed to open config file {shown}: {}",
                    io_msg(&std::io::Error::from_raw_os_error(libc::ENXIO))
                ),
            );
        } else {
            self.ignore_not_regular(shown);
        }
        false
    }

    fn include_loop(&mut self, path: &Path) {
        self.file_error(path, "include loop, it is already being read");
    }

    /// An error about a whole file, `FILE: what`.
    fn file_error(&mut self, path: &Path, what: &str) {
        let d = Diagnostic::located(Level::Error, Location::file(path), Form::Colon, what);
        self.out.diagnostics.push(d);
    }

    fn ignore_not_regular(&mut self, shown: &str) {
        // logrotate says this only in its debug output.
        let msg = format!("Ignoring {shown} because it's not a regular file.");
        self.out.diagnostics.push(Diagnostic::note(msg));
    }

    /// Loads one file; returns whether it had an error. As in 3.21, a file with an error
    /// leaves the global options as they were before it (the stanzas it closed are kept).
    fn load_file(&mut self, path: &Path) -> bool {
        // A file of a directory is named bare (3.21 reads it from inside the directory).
        let from_dir = self.shown_name.is_some();
        let shown = self.shown_name.take().unwrap_or_else(|| path.shown().to_string());
        if self.depth >= MAX_INCLUDE_DEPTH {
            self.file_error(path, "include nesting too deep");
            return true;
        }
        self.out.sources.push(path.to_path_buf());
        let md = match std::fs::metadata(path) {
            Ok(md) => md,
            // 3.21 opens a directory's files without a `stat` first.
            Err(e) if from_dir => {
                let msg = format!("failed to open config file {shown}: {}", io_msg(&e));
                self.error(Location::file(path).named(&shown), msg);
                return true;
            }
            Err(e) => {
                self.error(Location::file(path), format!("cannot stat {}: {}", path.shown(), io_msg(&e)));
                return true;
            }
        };
        if !self.is_readable_kind(path, &shown, &md) {
            return md.file_type().is_socket();
        }
        if !self.is_trusted(&shown, &md) {
            return false;
        }
        let id = (md.dev(), md.ino());
        if self.reading.contains(&id) {
            self.include_loop(path);
            return true;
        }
        if self.files_read >= MAX_FILES_READ {
            self.file_error(path, &format!("more than {MAX_FILES_READ} config files, skipping"));
            return true;
        }
        self.files_read += 1;
        let text = match read_regular(path) {
            Ok(Some(b)) => crate::pathbytes::from_bytes(&b).into_owned(),
            // Swapped for something else since the `stat` above.
            Ok(None) => {
                self.ignore_not_regular(&shown);
                return false;
            }
            Err(e) => {
                let msg = format!("failed to open config file {shown}: {}", io_msg(&e));
                self.error(Location::file(path).named(&shown), msg);
                return true;
            }
        };
        if text.is_empty() {
            self.out.diagnostics.push(Diagnostic::note(format!("Ignoring {shown} because it's empty.")));
            return false;
        }
        self.out.diagnostics.push(Diagnostic::note(format!("reading config file {shown}")));
        if path.extension().is_some_and(|e| e == "toml") {
            return self.load_toml(path, &text);
        }
        let before = self.globals.clone();
        self.depth += 1;
        self.reading.push(id);
        let failed = parse::parse_text(self, path, &shown, &text);
        self.reading.pop();
        self.depth -= 1;
        if failed {
            self.globals = before;
        }
        failed
    }

    /// A TOML rule file: its rules take their log files as classic stanzas do.
    fn load_toml(&mut self, path: &Path, text: &str) -> bool {
        let (rules, diags) = toml_rules::parse(path, text, &self.globals.stanza_defaults());
        let mut failed = diags.iter().any(|d| d.level == super::Level::Error);
        self.out.diagnostics.extend(diags);
        for rule in rules {
            let ignore = rule.options.ignore_duplicates;
            let at = Location::line(&rule.source.file, rule.source.line);
            let (files, msgs, duplicate) = self.claim(&rule, &at, &[ignore]).pop().unwrap_or_default();
            failed |= duplicate;
            self.out.diagnostics.extend(msgs);
            self.claims.take(&files, ignore);
            self.out.rules.push(rule);
            self.out.loaded.files.push(files);
        }
        failed
    }

    /// `include PATH` (`~/` expanded): returns whether the included path had an error.
    fn include(&mut self, target: &str) -> bool {
        let path = PathBuf::from(self.expand_home(target));
        self.out.diagnostics.push(Diagnostic::note(format!("including {}", path.shown())));
        self.depth += 1;
        let failed = self.load_path(&path);
        self.depth -= 1;
        failed
    }

    /// `tabooext`/`taboopat` as 3.21 reads the value: items separated by whitespace or
    /// commas; a leading `+` adds to the list instead of replacing it (the one list both
    /// share). An empty `tabooext` item is left out; `taboopat` keeps it, as 3.21.
    fn taboo(&mut self, key: &str, value: &str) {
        let items = match value.strip_prefix('+') {
            Some(rest) => rest.trim_start_matches(is_space),
            None => {
                self.taboo.clear();
                value
            }
        };
        let mut rest = items;
        while !rest.is_empty() {
            let end = rest.find(|c: char| c == ',' || is_space(c)).unwrap_or(rest.len());
            let item = &rest[..end];
            if key == "tabooext" {
                if !item.is_empty() {
                    self.taboo.push(format!("*{item}"));
                }
            } else {
                self.taboo.push(item.to_string());
            }
            rest = rest[end..].strip_prefix(',').unwrap_or(&rest[end..]);
            rest = rest.trim_start_matches(is_space);
        }
    }

    /// 3.21's `expand_home_relative_path`: `~/` at the start is `$HOME/`, with a debug line.
    fn expand_home(&mut self, path: &str) -> String {
        let expanded = super::directives::expand_home(path);
        if expanded != path {
            self.out.diagnostics.push(Diagnostic::note(format!("replaced '{path}' with '{expanded}'")));
        }
        expanded
    }

    /// The log files of a stanza (or TOML rule) just read, as 3.21 builds its list when it
    /// reads the header: each pattern globbed, directories left out, and a path an earlier
    /// stanza took is a duplicate (see [`crate::scan::Claims`]). For each of `flags` (whether
    /// the stanza has `ignoreduplicates`): the files, the messages (located at `at`), and
    /// whether one is a `duplicate log entry` error. The patterns are globbed once.
    fn claim(
        &self,
        rule: &Rule,
        at: &Location,
        flags: &[bool],
    ) -> Vec<(Vec<PathBuf>, Vec<Diagnostic>, bool)> {
        use crate::scan::{files_of_pattern, ClaimEvent};
        let mut dirs = self.dirs.borrow_mut();
        let expanded: Vec<Vec<PathBuf>> =
            rule.patterns.iter().map(|p| files_of_pattern(p, &mut dirs)).collect();
        let mut out = Vec::new();
        for &ignore in flags {
            let mut files: Vec<PathBuf> = Vec::new();
            let mut msgs = Vec::new();
            let mut duplicate = false;
            for matches in &expanded {
                let (got, events) = self.claims.claim_pattern(matches, &files, ignore);
                for ev in events {
                    let (level, what, p) = match ev {
                        ClaimEvent::Ignored(p) => (Level::Note, "ignore duplicate log entry for", p),
                        ClaimEvent::Duplicate(p) => (Level::Error, "duplicate log entry for", p),
                    };
                    duplicate |= level == Level::Error;
                    let what = format!("{what} {}", p.shown());
                    msgs.push(Diagnostic::located(level, at.clone(), Form::Config, &what));
                }
                files.extend(got);
            }
            out.push((files, msgs, duplicate));
        }
        out
    }
}

/// Reads a config file that `stat` said is regular, without ever blocking: it is opened
/// `O_NONBLOCK` (a FIFO swapped in since the `stat` opens at once instead of waiting for a
/// writer) and checked again through the descriptor. `Ok(None)` if it is not a regular file.
fn read_regular(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)?;
    let md = f.metadata()?;
    if !md.is_file() {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(md.len()).unwrap_or(0).min(1 << 20));
    f.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// An `io::Error` as C's `strerror` words it (no `(os error N)`).
pub(super) fn io_msg(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[path = "classic_parse.rs"]
mod parse;

#[cfg(test)]
#[path = "classic_tests.rs"]
mod tests;
