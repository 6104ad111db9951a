//! The classic logrotate(8) syntax: global options, `PATTERNS { ... }` stanzas, scripts
//! ending in `endscript`, and `include` of files and directories.
//!
//! Parsing follows Debian's logrotate 3.21 (see `classic_parse.rs`): an unknown keyword is a
//! warning and its line is ignored; a bad value inside a stanza drops that stanza; an error
//! outside a stanza abandons the rest of the file, and a file with an error leaves the global
//! options as they were before it. `*.toml` files met on the way are handed to
//! [`super::toml_rules`].

use super::cursor::is_space;
use super::{toml_rules, Config, Diagnostic, LoadOptions};
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
    taboo_ext: Vec<String>,
    taboo_pat: Vec<String>,
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
            taboo_ext: DEFAULT_TABOO_EXT.iter().map(|s| s.to_string()).collect(),
            taboo_pat: Vec::new(),
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
        self.out
    }

    fn error(&mut self, msg: String) {
        self.out.diagnostics.push(Diagnostic::error(msg));
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
                self.error(format!("cannot stat {}: {}", path.display(), io_msg(&e)));
                true
            }
        }
    }

    fn is_taboo(&self, name: &str) -> bool {
        let ext_hit = self.taboo_ext.iter().any(|ext| {
            if ext.contains(['*', '?', '[']) {
                glob::Pattern::new(&format!("*{ext}")).is_ok_and(|p| p.matches(name))
            } else {
                name.ends_with(ext.as_str())
            }
        });
        ext_hit || self.taboo_pat.iter().any(|pat| glob::Pattern::new(pat).is_ok_and(|p| p.matches(name)))
    }

    fn load_dir(&mut self, dir: &Path) -> bool {
        self.out.sources.push(dir.to_path_buf());
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.error(format!("cannot read directory {}: {}", dir.display(), io_msg(&e)));
                return true;
            }
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            // Symlinks count, as in logrotate; subdirectories and dangling links are skipped.
            // FIFOs, sockets and devices go on to `load_file`, which refuses to read them.
            .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| !m.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut failed = false;
        for name in names {
            if self.is_taboo(&name) {
                continue;
            }
            // 3.21 reads a directory's files from inside it: its messages name them bare.
            self.shown_name = Some(name.clone());
            let file_failed = self.load_file(&dir.join(&name));
            self.shown_name = None;
            if file_failed {
                self.error(format!("found error in file {name}, skipping"));
                failed = true;
            }
        }
        failed
    }

    /// Checks logrotate's root-only rules for config files. Returns false if the file must be
    /// ignored.
    fn is_trusted(&mut self, path: &Path, md: &std::fs::Metadata) -> bool {
        if !self.opts.check_ownership {
            return true;
        }
        // As 3.21: a warning for any mode but read-only for its owner, then the file is ignored
        // with an `error:` line that leaves the exit status alone.
        if md.mode() & 0o7533 != 0o400 {
            let mode = md.mode() & 0o7777;
            self.out.diagnostics.push(Diagnostic::warning(format!(
                "Potentially dangerous mode on {}: 0{mode:o}",
                path.display()
            )));
        }
        if md.mode() & 0o022 != 0 {
            let msg = format!("Ignoring {} because it is writable by group or others.", path.display());
            self.out.diagnostics.push(Diagnostic::error_kept(msg));
            return false;
        }
        if md.uid() != 0 {
            let msg = format!(
                "Ignoring {} because the file owner is wrong (should be root or user with uid 0).",
                path.display()
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
    fn is_readable_kind(&mut self, path: &Path, md: &std::fs::Metadata) -> bool {
        if md.is_file() {
            return true;
        }
        if md.file_type().is_socket() {
            self.error(format!(
                "failed to open config file {}: {}",
                path.display(),
                io_msg(&std::io::Error::from_raw_os_error(libc::ENXIO))
            ));
        } else {
            self.ignore_not_regular(path);
        }
        false
    }

    fn include_loop(&mut self, path: &Path) {
        self.error(format!("{}: include loop, it is already being read", path.display()));
    }

    fn ignore_not_regular(&mut self, path: &Path) {
        // logrotate says this only in its debug output.
        let msg = format!("Ignoring {} because it's not a regular file.", path.display());
        self.out.diagnostics.push(Diagnostic::note(msg));
    }

    /// Loads one file; returns whether it had an error. As in 3.21, a file with an error
    /// leaves the global options as they were before it (the stanzas it closed are kept).
    fn load_file(&mut self, path: &Path) -> bool {
        if self.depth >= MAX_INCLUDE_DEPTH {
            self.error(format!("{}: include nesting too deep", path.display()));
            return true;
        }
        self.out.sources.push(path.to_path_buf());
        let md = match std::fs::metadata(path) {
            Ok(md) => md,
            Err(e) => {
                self.error(format!("cannot stat {}: {}", path.display(), io_msg(&e)));
                return true;
            }
        };
        if !self.is_readable_kind(path, &md) {
            return md.file_type().is_socket();
        }
        if !self.is_trusted(path, &md) {
            return false;
        }
        let id = (md.dev(), md.ino());
        if self.reading.contains(&id) {
            self.include_loop(path);
            return true;
        }
        if self.files_read >= MAX_FILES_READ {
            self.error(format!("{}: more than {MAX_FILES_READ} config files, skipping", path.display()));
            return true;
        }
        self.files_read += 1;
        let text = match read_regular(path) {
            Ok(Some(b)) => String::from_utf8_lossy(&b).into_owned(),
            // Swapped for something else since the `stat` above.
            Ok(None) => {
                self.ignore_not_regular(path);
                return false;
            }
            Err(e) => {
                self.error(format!("failed to open config file {}: {}", path.display(), io_msg(&e)));
                return true;
            }
        };
        if path.extension().is_some_and(|e| e == "toml") {
            let (rules, diags) = toml_rules::parse(path, &text, &self.globals.stanza_defaults());
            let failed = diags.iter().any(|d| d.level == super::Level::Error);
            self.out.rules.extend(rules);
            self.out.diagnostics.extend(diags);
            return failed;
        }
        let before = self.globals.clone();
        self.depth += 1;
        self.reading.push(id);
        let failed = parse::parse_text(self, path, &text);
        self.reading.pop();
        self.depth -= 1;
        if failed {
            self.globals = before;
        }
        failed
    }

    /// `include PATH` (`~/` expanded): returns whether the included path had an error.
    fn include(&mut self, target: &str) -> bool {
        let path = PathBuf::from(super::directives::expand_home(target));
        self.depth += 1;
        let failed = self.load_path(&path);
        self.depth -= 1;
        failed
    }

    /// `tabooext`/`taboopat` as 3.21 reads the value: items separated by whitespace or
    /// commas; a leading `+` adds to the list instead of replacing it.
    fn taboo(&mut self, key: &str, value: &str) {
        let list = if key == "tabooext" { &mut self.taboo_ext } else { &mut self.taboo_pat };
        let items = match value.strip_prefix('+') {
            Some(rest) => rest,
            None => {
                list.clear();
                value
            }
        };
        list.extend(
            items.split(|c: char| c == ',' || is_space(c)).filter(|s| !s.is_empty()).map(String::from),
        );
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
