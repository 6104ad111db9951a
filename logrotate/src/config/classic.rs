//! The classic logrotate(8) syntax: global options, `PATTERNS { ... }` stanzas, scripts
//! ending in `endscript`, and `include` of files and directories.
//!
//! Parsing follows Debian's logrotate 3.21 where the man page is vague: an unknown keyword is
//! a warning and its line is ignored; a bad value inside a stanza drops that stanza; text after
//! `}` is an error. `*.toml` files met on the way are handed to [`super::toml_rules`].

use super::cursor::{c_char_hex, is_blank, is_pattern_start, is_space, split_args, Cursor};
use super::directives::{apply_directive, DirectiveError, Scope};
use super::{toml_rules, Config, Diagnostic, LoadOptions};
use crate::rule::{Options, Rule, Source};
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
        }
    }

    /// Loads each path in order; a directory means every acceptable file in it, sorted.
    pub fn load_all(mut self, paths: &[PathBuf]) -> Config {
        for p in paths {
            self.load_path(p);
        }
        self.out
    }

    fn error(&mut self, msg: String) {
        self.out.diagnostics.push(Diagnostic::error(msg));
    }

    fn load_path(&mut self, path: &Path) {
        match std::fs::metadata(path) {
            Ok(md) if md.is_dir() => {
                use std::os::unix::fs::MetadataExt;
                let id = (md.dev(), md.ino());
                if self.reading.contains(&id) {
                    return self.include_loop(path);
                }
                self.reading.push(id);
                self.load_dir(path);
                self.reading.pop();
            }
            Ok(_) => self.load_file(path),
            Err(e) => self.error(format!("cannot stat {}: {}", path.display(), io_msg(&e))),
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

    fn load_dir(&mut self, dir: &Path) {
        self.out.sources.push(dir.to_path_buf());
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => return self.error(format!("cannot read directory {}: {}", dir.display(), io_msg(&e))),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            // Symlinks count, as in logrotate; subdirectories and dangling links are skipped.
            // FIFOs, sockets and devices go on to `load_file`, which refuses to read them.
            .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| !m.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            if self.is_taboo(&name) {
                continue;
            }
            self.load_file(&dir.join(name));
        }
    }

    /// Checks logrotate's root-only rules for config files. Returns false if the file must be
    /// ignored.
    fn is_trusted(&mut self, path: &Path, md: &std::fs::Metadata) -> bool {
        use std::os::unix::fs::MetadataExt;
        if !self.opts.check_ownership {
            return true;
        }
        if md.mode() & 0o022 != 0 {
            self.error(format!("Ignoring {} because it is writable by group or others.", path.display()));
            return false;
        }
        if md.uid() != 0 {
            self.error(format!(
                "Ignoring {} because the file owner is wrong (should be root or user with uid 0).",
                path.display()
            ));
            return false;
        }
        true
    }

    /// Whether `path` is a kind of file we read. A FIFO, device or socket is never opened:
    /// reading `/dev/zero` or a FIFO would never end. logrotate 3.21 opens them first (and so
    /// hangs on a FIFO), then says `Ignoring PATH because it's not a regular file.` and goes
    /// on without an error; opening a socket fails there with `No such device or address`.
    fn is_readable_kind(&mut self, path: &Path, md: &std::fs::Metadata) -> bool {
        use std::os::unix::fs::FileTypeExt;
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

    fn load_file(&mut self, path: &Path) {
        if self.depth >= MAX_INCLUDE_DEPTH {
            return self.error(format!("{}: include nesting too deep", path.display()));
        }
        self.out.sources.push(path.to_path_buf());
        let md = match std::fs::metadata(path) {
            Ok(md) => md,
            Err(e) => return self.error(format!("cannot stat {}: {}", path.display(), io_msg(&e))),
        };
        if !self.is_readable_kind(path, &md) || !self.is_trusted(path, &md) {
            return;
        }
        use std::os::unix::fs::MetadataExt;
        let id = (md.dev(), md.ino());
        if self.reading.contains(&id) {
            return self.include_loop(path);
        }
        if self.files_read >= MAX_FILES_READ {
            return self
                .error(format!("{}: more than {MAX_FILES_READ} config files, skipping", path.display()));
        }
        self.files_read += 1;
        let text = match read_regular(path) {
            Ok(Some(b)) => String::from_utf8_lossy(&b).into_owned(),
            // Swapped for something else since the `stat` above.
            Ok(None) => return self.ignore_not_regular(path),
            Err(e) => {
                return self.error(format!("failed to open config file {}: {}", path.display(), io_msg(&e)))
            }
        };
        if path.extension().is_some_and(|e| e == "toml") {
            let (rules, diags) = toml_rules::parse(path, &text, &self.globals);
            self.out.rules.extend(rules);
            self.out.diagnostics.extend(diags);
            return;
        }
        self.depth += 1;
        self.reading.push(id);
        self.parse_text(path, &text);
        self.reading.pop();
        self.depth -= 1;
    }

    fn parse_text(&mut self, file: &Path, text: &str) {
        let mut cur = Cursor::new(text);
        let mut stanza: Option<Stanza> = None;
        let at = |line: usize| Source { file: file.to_path_buf(), line };
        loop {
            cur.skip_blank();
            let Some(c) = cur.peek() else { break };
            let line = cur.line;
            if c == '#' {
                cur.skip_line();
            } else if c == '}' {
                cur.bump();
                let rest = cur.rest_of_line().trim_matches(is_blank).to_string();
                match stanza.take() {
                    None => self.error(format!("{}: unexpected }}", at(line))),
                    Some(st) => {
                        if !rest.is_empty() && !rest.starts_with('#') {
                            self.error(format!("{}: unexpected text after }}", at(line)));
                        } else if st.is_ok {
                            self.out.rules.push(st.rule);
                        }
                    }
                }
            } else if c.is_ascii_alphabetic() {
                let key = cur.read_key();
                // logrotate wants whitespace (or `=`) after the keyword: `rotate\u{a0}5` and
                // `compress}` are errors there too.
                if let Some(next) = cur.peek().filter(|&n| !is_space(n) && n != '=') {
                    self.error(format!(
                        "{}: keyword '{key}' not properly separated, found {}",
                        at(line),
                        c_char_hex(next)
                    ));
                    if let Some(st) = &mut stanza {
                        st.is_ok = false;
                    }
                    // `compress}`: the brace still closes the (now dropped) stanza.
                    if next != '}' {
                        cur.skip_line();
                    }
                    continue;
                }
                let args_text = cur.rest_of_line();
                let mut args = split_args(
                    args_text.trim_start_matches(is_space).trim_start_matches('=').trim_matches(is_space),
                );
                // `compress }`: the brace closes the stanza after this directive.
                let closes = stanza.is_some() && args.last().is_some_and(|a| a == "}");
                if closes {
                    args.pop();
                }
                let scope = if stanza.is_some() { Scope::Stanza } else { Scope::Global };
                let result = match key.as_str() {
                    "include" => self.include(scope, &args),
                    "tabooext" | "taboopat" => {
                        self.taboo(&key, &args);
                        Ok(())
                    }
                    "firstaction" | "prerotate" | "postrotate" | "lastaction" | "preremove" => {
                        let script = cur.read_script();
                        match (&mut stanza, script) {
                            (_, None) => Err(DirectiveError::Bad(format!("missing endscript for {key}"))),
                            (None, _) => Err(DirectiveError::Bad(format!(
                                "{key} scripts may only appear inside a log file definition"
                            ))),
                            (Some(st), Some(s)) => {
                                set_script(&mut st.rule.options, &key, s);
                                Ok(())
                            }
                        }
                    }
                    "endscript" => Err(DirectiveError::Bad("unexpected endscript".into())),
                    _ => {
                        let target = match &mut stanza {
                            Some(st) => &mut st.rule.options,
                            None => &mut self.globals,
                        };
                        apply_directive(target, &key, &args, scope)
                    }
                };
                match result {
                    Ok(()) => {}
                    Err(DirectiveError::Unknown) => self.out.diagnostics.push(Diagnostic::warning(format!(
                        "{}: unknown option '{key}' -- ignoring line",
                        at(line)
                    ))),
                    Err(DirectiveError::Bad(msg)) => {
                        self.error(format!("{}: {msg}", at(line)));
                        if let Some(st) = &mut stanza {
                            st.is_ok = false;
                        }
                    }
                }
                if closes {
                    if let Some(st) = stanza.take().filter(|st| st.is_ok) {
                        self.out.rules.push(st.rule);
                    }
                }
            } else if stanza.is_none() && is_pattern_start(c) {
                match cur.read_patterns() {
                    Ok((patterns, _)) if patterns.is_empty() => {
                        self.error(format!("{}: missing log file name before {{", at(line)))
                    }
                    Ok((patterns, header)) => {
                        stanza = Some(Stanza {
                            rule: Rule {
                                patterns,
                                source: at(line),
                                header: Some(header),
                                options: self.globals.clone(),
                            },
                            is_ok: true,
                        })
                    }
                    Err(msg) => self.error(format!("{}: {msg}", at(line))),
                }
            } else {
                self.error(format!(
                    "{}: lines must begin with a keyword or a filename (possibly in double quotes)",
                    at(line)
                ));
                if let Some(st) = &mut stanza {
                    st.is_ok = false;
                }
                cur.skip_line();
            }
        }
        if let Some(st) = stanza {
            self.error(format!(
                "{}: missing '}}' for stanza started at line {}",
                file.display(),
                st.rule.source.line
            ));
        }
    }

    fn include(&mut self, scope: Scope, args: &[String]) -> Result<(), DirectiveError> {
        if scope == Scope::Stanza {
            return Err(DirectiveError::Bad("include may not appear inside of log file definition".into()));
        }
        let [target] = args else {
            return Err(DirectiveError::Bad("include requires exactly one argument".into()));
        };
        let path = match target.strip_prefix("~/") {
            Some(rest) => PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(rest),
            None => PathBuf::from(target),
        };
        self.depth += 1;
        self.load_path(&path);
        self.depth -= 1;
        Ok(())
    }

    fn taboo(&mut self, key: &str, args: &[String]) {
        let list = if key == "tabooext" { &mut self.taboo_ext } else { &mut self.taboo_pat };
        let mut items: Vec<String> = args
            .iter()
            .flat_map(|a| a.split(',').map(str::to_string).collect::<Vec<_>>())
            .filter(|s| !s.is_empty())
            .collect();
        if items.first().is_some_and(|f| f == "+") {
            items.remove(0);
        } else if let Some(first) = items.first_mut().filter(|f| f.starts_with('+')) {
            *first = first[1..].to_string();
        } else {
            list.clear();
        }
        list.extend(items);
    }
}

struct Stanza {
    rule: Rule,
    is_ok: bool,
}

fn set_script(o: &mut Options, key: &str, script: String) {
    let s = &mut o.scripts;
    let slot = match key {
        "firstaction" => &mut s.firstaction,
        "prerotate" => &mut s.prerotate,
        "postrotate" => &mut s.postrotate,
        "lastaction" => &mut s.lastaction,
        _ => &mut s.preremove,
    };
    *slot = Some(script);
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

fn io_msg(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
#[path = "classic_tests.rs"]
mod tests;
