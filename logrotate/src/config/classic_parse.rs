//! Reading one classic config file, character by character as logrotate 3.21's
//! `readConfigFile` does, so that what it accepts, what it refuses, how it recovers and the
//! line numbers in its messages are the same:
//!
//! - A keyword is ASCII letters (case-sensitive) and must be followed by whitespace or `=`
//!   (`keyword 'a' not properly separated, found 0x3a`).
//! - A keyword that takes no value leaves the rest of the line to be read as more directives
//!   (`nocreate compress`); one that takes a value takes the whole rest of the line
//!   (`rotate 1 # note` is a bad rotation count).
//! - An error inside a stanza prints `found error in PATTERN, skipping` and skips to the next
//!   `}` met where a keyword could start; outside a stanza it abandons the rest of the file.
//! - Line numbers do not count the line ends inside a stanza header that spans lines.

use super::{Loader, Options, Rule};
use crate::config::cursor::{c_char_hex, split_args};
use crate::config::directives::{apply_directive, takes, DirectiveError, Scope, Takes, Value};
use crate::config::{olddir, Diagnostic};
use crate::diag::{Form, Level, Location};
use crate::rule::Source;
use std::path::Path;

/// Reading keywords and values.
const DEFAULT: u8 = 2;
/// Skipping to the end of the line (combined with the state to return to).
const SKIP_LINE: u8 = 4;
/// Just after a `}`: only blanks may follow on the line.
const DEFINITION_END: u8 = 8;
/// Skipping a stanza that had an error, up to its `}`.
const SKIP_CONFIG: u8 = 16;
/// Inside a script, looking for `endscript`.
const LOAD_SCRIPT: u8 = 32;
/// An error was raised inside a stanza.
const ERROR: u8 = 64;

/// C's `isblank()`.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// C's `isspace()` in the "C" locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

struct Stanza {
    rule: Rule,
    /// Where in the diagnostics the header's `duplicate log entry` lines go: they are
    /// decided when the stanza ends (whether it has `ignoreduplicates`), but come in the
    /// order 3.21 prints them, at the header.
    diag_at: usize,
    /// The log files and messages if the stanza ends without `ignoreduplicates`.
    strict: Claimed,
    /// The same if it ends with `ignoreduplicates`.
    lenient: Claimed,
}

/// What a stanza's header got: its log files, the messages about duplicates, and whether one
/// of them is an error.
type Claimed = (Vec<std::path::PathBuf>, Vec<Diagnostic>, bool);

/// What a step of the loop asks for next, as the C loop's `break`, `continue`, `RAISE_ERROR()`
/// and `goto error`.
enum Flow {
    /// Count a line end at the cursor, then step past it.
    Next,
    /// Step past the cursor without counting a line end (C's `continue`).
    Continue,
    /// An error: inside a stanza it is dropped; outside, the rest of the file is abandoned.
    Raise,
    /// Abandon the rest of the file.
    Abort,
}

struct Parse<'t> {
    file: &'t Path,
    /// The file as messages name it.
    shown: String,
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    line: usize,
    state: u8,
    stanza: Option<Stanza>,
    failed: bool,
    /// Where the script being read starts, and which one it is.
    script: Option<(usize, String)>,
    /// 3.21's `criterium_set`: a frequency or `size` was given since the file began or the
    /// last stanza ended (a later one is noted as overriding it).
    criterion_set: bool,
}

/// Parses `text` (the contents of `file`) into `ld`: closed stanzas go to its rules, global
/// options to its globals. Returns whether the file had an error (3.21's non-zero
/// `readConfigFile`).
pub(super) fn parse_text(ld: &mut Loader, file: &Path, shown: &str, text: &str) -> bool {
    let shown = shown.to_string();
    let mut p = Parse {
        file,
        shown,
        text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
        state: DEFAULT,
        stanza: None,
        failed: false,
        script: None,
        criterion_set: false,
    };
    while p.pos < p.b.len() {
        let flow = match p.state {
            DEFAULT => p.default(ld),
            ERROR => {
                let pattern = p.stanza.as_ref().and_then(|s| s.rule.header.clone());
                let msg = format!("found error in {}, skipping", pattern.as_deref().unwrap_or("log config"));
                ld.error(p.location(), msg);
                p.failed = true;
                p.state = SKIP_CONFIG;
                Flow::Next
            }
            SKIP_CONFIG => p.skip_config(ld),
            DEFINITION_END => p.definition_end(ld),
            s if s & SKIP_LINE != 0 => {
                if p.at(p.pos) == b'\n' {
                    p.state = match s & !SKIP_LINE {
                        0 => DEFAULT,
                        rest => rest,
                    };
                }
                Flow::Next
            }
            _ => p.load_script(ld),
        };
        match flow {
            Flow::Next => {
                if p.at(p.pos) == b'\n' {
                    p.line += 1;
                }
            }
            Flow::Continue => {}
            Flow::Raise if p.stanza.is_some() => p.state = ERROR,
            Flow::Raise | Flow::Abort => {
                p.drop_stanza(ld);
                return true;
            }
        }
        p.pos += 1;
    }
    if p.script.is_some() {
        let what = "prerotate, postrotate or preremove without endscript";
        let at = Location::file(file).named(&p.shown);
        ld.out.diagnostics.push(Diagnostic::located(Level::Error, at, Form::ConfigGlued, what));
        p.drop_stanza(ld);
        return true;
    }
    // A stanza left open at the end of the file is kept, as 3.21 keeps it.
    if let Some(st) = p.stanza.take() {
        let (rule, files) = p.settle(ld, st);
        ld.claims.take(&files, rule.options.ignore_duplicates);
        ld.out.rules.push(rule);
        ld.out.loaded.files.push(files);
    }
    p.failed
}

impl Parse<'_> {
    /// The byte at `i`, or 0 past the end (3.21 reads the zero padding after its mapping).
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// Text between two byte offsets, never panicking on a cut through a character.
    fn slice(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(self.b.get(from..to.min(self.b.len())).unwrap_or_default()).into_owned()
    }

    /// The line being read, as messages name it.
    fn location(&self) -> Location {
        Location::line(self.file, self.line).named(&self.shown)
    }

    /// A message about the line being read, `FILE:LINE what`.
    fn say(&self, ld: &mut Loader, level: Level, what: &str) {
        ld.out.diagnostics.push(Diagnostic::located(level, self.location(), Form::Config, what));
    }

    fn error(&self, ld: &mut Loader, msg: &str) {
        self.say(ld, Level::Error, msg);
    }

    /// 3.21's `isolateWord`: skips blanks, then reads letters; the cursor stops after them.
    fn word(&mut self) -> String {
        while self.pos < self.b.len() && is_blank(self.b[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        while self.pos < self.b.len() && self.b[self.pos].is_ascii_alphabetic() {
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    /// 3.21's `isolateLine`: from the cursor to the end of the line, trailing whitespace
    /// removed (not at the end of a file without a final newline); the cursor stops on the
    /// character before the line end.
    fn line_value(&mut self) -> String {
        let start = self.pos.min(self.b.len());
        let end = self.b[start..].iter().position(|&c| c == b'\n').map_or(self.b.len(), |i| start + i);
        self.pos = end.saturating_sub(1);
        if end == self.b.len() {
            return self.slice(start, end);
        }
        let mut last = end;
        while last > start && is_space(self.b[last]) {
            last -= 1;
        }
        if is_space(self.b[last]) {
            String::new()
        } else {
            self.slice(start, last + 1)
        }
    }

    /// 3.21's `isolateValue`: blanks, an optional `=` and blanks, then the rest of the line,
    /// which must not be empty (`argument expected after NAME`).
    ///
    /// With `kept` the message leaves the exit status alone, as 3.21 does for the directives it
    /// lets go without their argument (`size`s, `dateformat`, `tabooext`, `taboopat`).
    fn value(&mut self, ld: &mut Loader, name: &str, kept: bool) -> Option<String> {
        let mut i = self.pos;
        while i < self.b.len() && is_blank(self.b[i]) {
            i += 1;
        }
        if self.at(i) == b'=' {
            i += 1;
            while i < self.b.len() && is_blank(self.b[i]) {
                i += 1;
            }
        }
        if i < self.b.len() && self.b[i] == b'\n' {
            let level = if kept { Level::ErrorKept } else { Level::Error };
            self.say(ld, level, &format!("argument expected after {name}"));
            return None;
        }
        self.pos = i;
        Some(self.line_value())
    }

    fn scope(&self) -> Scope {
        if self.stanza.is_some() {
            Scope::Stanza
        } else {
            Scope::Global
        }
    }

    fn options<'l>(&'l mut self, ld: &'l mut Loader) -> &'l mut Options {
        match &mut self.stanza {
            Some(st) => &mut st.rule.options,
            None => &mut ld.globals,
        }
    }

    fn default(&mut self, ld: &mut Loader) -> Flow {
        let c = self.b[self.pos];
        if is_blank(c) {
            return Flow::Continue;
        }
        if c == b'#' {
            self.state = SKIP_LINE;
            return Flow::Continue;
        }
        if c.is_ascii_alphabetic() {
            return self.keyword(ld);
        }
        if matches!(c, b'/' | b'"' | b'\'' | b'~') {
            if self.stanza.is_some() {
                self.error(ld, "unexpected log filename");
                self.state = ERROR;
                return Flow::Continue;
            }
            return self.header(ld);
        }
        if c == b'}' {
            let Some(st) = self.stanza.take() else {
                self.error(ld, "unexpected }");
                return Flow::Abort;
            };
            let (rule, files) = self.settle(ld, st);
            if let Some(fs) = ld.opts.olddirs.clone() {
                let mut notes = Vec::new();
                let checked = olddir::check(fs.as_ref(), &rule, &files, &self.location(), &mut notes);
                ld.out.diagnostics.extend(notes);
                if let Err(olddir::Failure(failure)) = checked {
                    // 3.21's `goto error`: the stanza and the rest of the file are dropped.
                    ld.out.diagnostics.push(failure);
                    removing_last_config(ld);
                    return Flow::Abort;
                }
            }
            ld.claims.take(&files, rule.options.ignore_duplicates);
            ld.out.rules.push(rule);
            ld.out.loaded.files.push(files);
            self.criterion_set = false;
            self.state = DEFINITION_END;
            return Flow::Next;
        }
        if c != b'\n' {
            self.error(ld, "lines must begin with a keyword or a filename (possibly in double quotes)");
            return Flow::Raise;
        }
        Flow::Next
    }

    fn keyword(&mut self, ld: &mut Loader) -> Flow {
        let key = self.word();
        let next = self.at(self.pos);
        if !is_space(next) && next != b'=' {
            let found = match self.text.get(self.pos..).and_then(|t| t.chars().next()) {
                Some(ch) => c_char_hex(ch),
                None => "0".to_string(),
            };
            self.error(ld, &format!("keyword '{key}' not properly separated, found {found}"));
            return Flow::Raise;
        }
        let after_key = self.pos;
        match key.as_str() {
            "prerotate" | "firstaction" | "postrotate" | "lastaction" | "preremove" => {
                self.script = Some((self.pos, key));
                self.state = LOAD_SCRIPT;
                return Flow::Next;
            }
            "errors" => {
                let what = "the errors directive is deprecated and no longer used.";
                ld.out.diagnostics.push(Diagnostic::located(
                    Level::Warning,
                    self.location(),
                    Form::ConfigSpaced,
                    what,
                ));
                return Flow::Next;
            }
            "tabooext" | "taboopat" => {
                if self.stanza.is_some() {
                    self.error(ld, &format!("{key} may not appear inside of log file definition"));
                    self.state = ERROR;
                    return Flow::Continue;
                }
                let Some(v) = self.value(ld, &key, true) else { return Flow::Continue };
                ld.taboo(&key, &v);
                return Flow::Next;
            }
            "include" => {
                let Some(v) = self.value(ld, "include", false) else { return Flow::Raise };
                if self.stanza.is_some() {
                    // 3.21 reads the file with the stanza as its defaults; we refuse.
                    self.error(ld, "include may not appear inside of log file definition");
                    return Flow::Raise;
                }
                if ld.include(&v) {
                    self.failed = true;
                }
                return Flow::Next;
            }
            _ => {}
        }
        let Some(how) = takes(&key) else {
            self.say(ld, Level::Warning, &format!("unknown option '{key}' -- ignoring line"));
            if next != b'\n' {
                self.state = SKIP_LINE;
            }
            return Flow::Next;
        };
        let text = match how {
            Takes::Nothing => String::new(),
            Takes::Line => self.line_value(),
            Takes::Value(name) => match self.value(ld, name, key == "dateformat" || key.ends_with("size")) {
                Some(v) => v,
                // 3.21 lets these go without an argument: `dateformat` is reset, the size
                // directives are left as they were (and the line end is not counted).
                None if key == "dateformat" => {
                    self.options(ld).date_format = None;
                    return Flow::Next;
                }
                None if key.ends_with("size") => return Flow::Continue,
                None => return Flow::Raise,
            },
        };
        let after_key = self.slice(after_key, self.b.len());
        let after_value = self.slice(self.pos, self.b.len());
        let value = Value { text: &text, after_key: &after_key, after_value: &after_value };
        let scope = self.scope();
        if matches!(key.as_str(), "hourly" | "daily" | "weekly" | "monthly" | "yearly") {
            let old = self.options(ld).criterion;
            self.note_criterion(ld, &key, old);
        }
        let old_criterion = self.options(ld).criterion;
        match apply_directive(self.options(ld), &key, value, scope) {
            Ok(()) => {
                // `size` counts only once its value is read.
                if key == "size" {
                    self.note_criterion(ld, "size", old_criterion);
                }
                self.note_directive(ld, &key, &text);
                Flow::Next
            }
            // `takes` knows every keyword `apply_directive` does.
            Err(DirectiveError::Unknown) => Flow::Next,
            Err(DirectiveError::Bad(msg)) => {
                self.error(ld, &msg);
                Flow::Raise
            }
            Err(DirectiveError::Fatal(msg)) => {
                self.error(ld, &msg);
                Flow::Abort
            }
        }
    }

    /// A stanza header: everything up to `{` (comments left out), which may span lines that
    /// 3.21 does not count.
    fn header(&mut self, ld: &mut Loader) -> Flow {
        let mut header = Vec::new();
        let mut in_comment = false;
        let mut line_start = true;
        while self.pos < self.b.len() && self.b[self.pos] != 0 {
            let c = self.b[self.pos];
            if line_start && c == b'#' {
                in_comment = true;
            } else if line_start && !is_space(c) {
                line_start = false;
            }
            if c == b'\n' {
                in_comment = false;
                line_start = true;
            }
            if in_comment {
                self.pos += 1;
                continue;
            }
            match c {
                b'}' => {
                    self.error(ld, "unexpected } (missing previous '{')");
                    removing_last_config(ld);
                    return Flow::Abort;
                }
                b'{' => {
                    let header = String::from_utf8_lossy(&header).into_owned();
                    // `~` stays: the log files are globbed as 3.21 does (`GLOB_TILDE`, and a
                    // pattern that matches nothing is kept as written).
                    let patterns: Vec<String> = split_args(&header);
                    if patterns.is_empty() {
                        self.error(ld, "{ expected after log file name(s)");
                        removing_last_config(ld);
                        return Flow::Abort;
                    }
                    let source = Source { file: self.file.to_path_buf(), line: self.line };
                    let rule = Rule {
                        patterns,
                        source,
                        header: Some(header),
                        options: ld.globals.stanza_defaults(),
                    };
                    let mut both = ld.claim(&rule, &self.location(), &[false, true]).into_iter();
                    let strict = both.next().unwrap_or_default();
                    let lenient = both.next().unwrap_or_default();
                    let diag_at = ld.out.diagnostics.len();
                    self.stanza = Some(Stanza { rule, diag_at, strict, lenient });
                    return Flow::Next;
                }
                _ => header.push(c),
            }
            self.pos += 1;
        }
        self.error(ld, "missing '{' after log files definition");
        removing_last_config(ld);
        Flow::Abort
    }

    fn definition_end(&mut self, ld: &mut Loader) -> Flow {
        let c = self.b[self.pos];
        if is_blank(c) {
            return Flow::Continue;
        }
        if c != b'\n' {
            // 3.21 prints a comma here, and keeps the stanza.
            // An error line, but the exit status stays (3.21).
            let at = self.location();
            let what = "unexpected text after }";
            ld.out.diagnostics.push(Diagnostic::located(Level::ErrorKept, at, Form::ConfigComma, what));
            self.state = SKIP_LINE;
        } else {
            self.state = DEFAULT;
        }
        Flow::Next
    }

    fn skip_config(&mut self, ld: &mut Loader) -> Flow {
        if self.b[self.pos] == b'}' {
            self.state = DEFAULT;
            self.drop_stanza(ld);
            return Flow::Next;
        }
        let key = self.word();
        if matches!(key.as_str(), "postrotate" | "prerotate" | "firstaction" | "lastaction" | "preremove") {
            self.state = LOAD_SCRIPT | SKIP_CONFIG;
        } else if self.at(self.pos) != b'\n' {
            self.state = SKIP_LINE | SKIP_CONFIG;
        }
        Flow::Next
    }

    fn load_script(&mut self, ld: &mut Loader) -> Flow {
        let skipping = self.state & SKIP_CONFIG;
        let key = self.word();
        if key == "endscript" {
            if skipping == 0 {
                if let Some((start, kind)) = self.script.take() {
                    let word_start = self.pos - "endscript".len();
                    let line_start =
                        self.b[..word_start].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                    let mut script =
                        if line_start > start { self.slice(start, line_start) } else { String::new() };
                    // The rest of the keyword's line belongs to the script; drop it when blank.
                    if let Some(nl) = script.find('\n') {
                        if script[..nl].bytes().all(is_space) {
                            script.drain(..=nl);
                        }
                    }
                    set_script(self.options(ld), &kind, script);
                }
            }
            self.state = if skipping != 0 { SKIP_CONFIG } else { DEFAULT };
        } else {
            let skip_line = if self.at(self.pos) == b'\n' { 0 } else { SKIP_LINE };
            self.state = skip_line | LOAD_SCRIPT | skipping;
        }
        Flow::Next
    }
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

#[path = "classic_parse_notes.rs"]
mod notes;
use notes::removing_last_config;

#[cfg(test)]
#[path = "classic_parse_tests.rs"]
mod tests;
