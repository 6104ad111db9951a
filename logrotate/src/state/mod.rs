//! The state file: when each log was last rotated, in logrotate 3.21's format.
//!
//! ```text
//! logrotate state -- version 2
//! "/var/log/syslog" 2026-1-5-6:25:1
//! "/var/log/odd \"name\"" 2026-1-5-0:0:0
//! ```
//!
//! Times are local, with unpadded numbers. [`State`] is the pure model (parse, render, prune);
//! [`StateFile`] is an open, locked state file on disk that reads and durably writes it.
//!
//! Reading follows logrotate exactly: each line is split like `poptParseArgvString` (quotes,
//! backslashes), the path is then unescaped (`\\` and `\n`), and the date is read like
//! `sscanf("%d-%d-%d-%d:%d:%d")` with at least the date required. The first bad line stops the
//! reading; entries before it are kept and an error is reported.
//!
//! # Examples
//!
//! ```
//! use logrotate::state::State;
//! use std::path::Path;
//! let text = "logrotate state -- version 2\n\"/var/log/a b\" 2026-1-5-6:25:1\n";
//! let (mut state, diagnostics) = State::parse(text, Path::new("status"));
//! assert!(diagnostics.is_empty());
//! let when = state.get("/var/log/a b").unwrap();
//! assert_eq!(when.to_string(), "2026-01-05 06:25:01");
//! state.set("/var/log/x\"y", when);
//! assert!(state.render().contains("\"/var/log/x\\\"y\" 2026-1-5-6:25:1\n"));
//! ```

use crate::diag::{Diagnostic, Form, Level, Location};
use crate::pathbytes::PathShow as _;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// The header logrotate 3.21 writes.
const HEADER_V2: &str = "logrotate state -- version 2";
/// The older header, still accepted when reading.
const HEADER_V1: &str = "logrotate state -- version 1";
/// logrotate reads lines with `fgets(buf, 2 * PATH_MAX + 16 - 1)`: a line of more bytes than
/// this, counting its newline, is "too long".
const MAX_LINE: usize = 8206;

/// Entries of logs not seen in a run are dropped once their last rotation is more than this many
/// seconds old: logrotate's `SECONDS_IN_YEAR` (365.2422 days). Verified against 3.21: an age of
/// exactly 31556926 s is kept, one second more is dropped.
pub const PRUNE_AFTER_SECS: i64 = 31_556_926;

/// When each log was last rotated: path -> local time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    entries: BTreeMap<String, NaiveDateTime>,
    /// The text this state was read from, while it is still exactly [`State::render`]'s (see
    /// [`State::remember_text`]): then [`State::renders_to`] is a comparison of bytes.
    as_read: AsRead,
}

/// See [`State::as_read`]; no part of what a state holds (two states with the same entries are
/// equal).
#[derive(Clone, Default)]
struct AsRead(Option<std::sync::Arc<[u8]>>);

impl PartialEq for AsRead {
    fn eq(&self, _: &AsRead) -> bool {
        true
    }
}

impl Eq for AsRead {}

impl std::fmt::Debug for AsRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "AsRead(..)" } else { "AsRead(None)" })
    }
}

impl State {
    /// An empty state.
    pub fn new() -> Self {
        State::default()
    }

    /// When `path` was last rotated, if known.
    pub fn get(&self, path: &str) -> Option<NaiveDateTime> {
        self.entries.get(path).copied()
    }

    /// Records that `path` was last rotated at `t` (local time).
    pub fn set(&mut self, path: &str, t: NaiveDateTime) {
        if self.entries.get(path) != Some(&t) {
            self.as_read.0 = None;
            self.entries.insert(path.to_owned(), t);
        }
    }

    /// Forgets `path`, returning its time if it had one.
    pub fn remove(&mut self, path: &str) -> Option<NaiveDateTime> {
        let removed = self.entries.remove(path);
        if removed.is_some() {
            self.as_read.0 = None;
        }
        removed
    }

    /// All entries, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, NaiveDateTime)> + '_ {
        self.entries.iter().map(|(p, t)| (p.as_str(), *t))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses the text of a state file; `file` is only used in messages.
    ///
    /// Empty text is an empty state. The first line must be the version 1 or 2 header, else
    /// `bad top line in state file FILE`. Blank lines are skipped. The first bad line ends the
    /// parse with one of logrotate's messages (`bad line N in state file FILE`,
    /// `line N too long in state file FILE` — also used for a last line without a newline —
    /// or `bad year|month|day|hour|minute|second V for file P in state file FILE`); the entries
    /// before it are kept. A date-only entry means midnight. Out-of-range days are normalised
    /// the way `mktime` does (`2026-3-0` is 28 February). A path listed twice keeps the later
    /// time.
    pub fn parse(text: &str, state_path: &Path) -> (State, Vec<Diagnostic>) {
        let mut entries = Vec::new();
        let diagnostics = parse_entries(text, state_path, &mut entries);
        // Sorted (stably: of a path listed twice the later line comes last, and wins), the
        // tree is built in one pass instead of a search per line.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut last_wins: Vec<(String, NaiveDateTime)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match last_wins.last_mut() {
                Some(prev) if prev.0 == entry.0 => *prev = entry,
                _ => last_wins.push(entry),
            }
        }
        (State { entries: last_wins.into_iter().collect(), as_read: AsRead::default() }, diagnostics)
    }

    /// Renders the state in logrotate's version 2 format, sorted by path.
    ///
    /// In paths, `"` and `\` get a backslash and a newline becomes `\n`; every other byte is
    /// written as is, exactly like logrotate 3.21. A time on 31 December 1969 (or 1899) is
    /// written as day 0 of the next January, which [`State::parse`] reads back as the same time
    /// (the year itself would be refused).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(64 + self.entries.len() * 64);
        self.each_line(|line| {
            out.push_str(line);
            true
        });
        out
    }

    /// Whether [`State::render`] would give exactly `bytes` (compared line by line, without
    /// rendering the whole text).
    pub fn renders_to(&self, bytes: &[u8]) -> bool {
        if let Some(read) = &self.as_read.0 {
            return **read == *bytes;
        }
        let mut rest = bytes;
        let same = self.each_line(|line| {
            let line = crate::pathbytes::to_bytes(line);
            match rest.strip_prefix(&*line) {
                Some(after) => {
                    rest = after;
                    true
                }
                None => false,
            }
        });
        same && rest.is_empty()
    }

    /// Keeps `bytes` (what this state was just parsed from) when they are exactly its
    /// rendering, so that [`State::renders_to`] is then a comparison of bytes, until the state
    /// changes. The rendering is compared here: on the thread that reads the state ahead, off
    /// the end of a run.
    pub fn remember_text(&mut self, bytes: &[u8]) {
        self.as_read.0 = None;
        if self.renders_to(bytes) {
            self.as_read.0 = Some(bytes.into());
        }
    }

    /// Gives each line of [`State::render`]'s text (with its line end) to `line`, until it
    /// returns false; returns whether it never did.
    fn each_line(&self, mut line: impl FnMut(&str) -> bool) -> bool {
        if !line(&format!("{HEADER_V2}\n")) {
            return false;
        }
        let mut out = String::with_capacity(256);
        for (path, t) in &self.entries {
            out.clear();
            out.push('"');
            let mut rest = path.as_str();
            while let Some(at) = rest.find(['"', '\\', '\n']) {
                out.push_str(&rest[..at]);
                out.push_str(match rest.as_bytes()[at] {
                    b'"' => "\\\"",
                    b'\\' => "\\\\",
                    _ => "\\n",
                });
                rest = &rest[at + 1..];
            }
            out.push_str(rest);
            // `1970-1-0` reads as 31 December 1969, a year that does not read back (logrotate
            // 3.21 writes `1969-12-31` and then rejects its own file there): write it as read.
            let (year, month, day) = match (t.year(), t.month(), t.day()) {
                (y @ (1969 | 1899), 12, 31) => (y + 1, 1, 0),
                (y, m, d) => (y, m, d),
            };
            out.push_str("\" ");
            let fields = [(i64::from(year), '-'), (i64::from(month), '-'), (i64::from(day), '-')];
            let time =
                [(t.hour(), ':'), (t.minute(), ':'), (t.second(), '\n')].map(|(n, c)| (i64::from(n), c));
            for (n, after) in fields.into_iter().chain(time) {
                push_number(&mut out, n);
                out.push(after);
            }
            if !line(&out) {
                return false;
            }
        }
        true
    }

    /// Drops the entries logrotate 3.21 drops when it writes the state file, and returns their
    /// paths (logrotate says `Removing PATH from state file, because it does not exist and has
    /// not been rotated for one year` for each, in verbose mode).
    ///
    /// The rule, verified against the real tool: an entry is dropped when `is_used(path)` is
    /// false and `now - last_rotated` is more than [`PRUNE_AFTER_SECS`] (365.2422 days, not a
    /// calendar year). In logrotate an entry is "used" when this run's configuration named the
    /// log and the log was found on disk (it sets the flag after a successful `stat`); an
    /// existing file that no config names is dropped too, despite the message. For a drop-in
    /// result pass "this run looked at this log and it exists"; passing plain existence keeps
    /// entries of files that are no longer configured. Times are naive local times, so across a
    /// DST change the age can differ from logrotate's `difftime` by the DST offset.
    pub fn prune(&mut self, now: NaiveDateTime, is_used: impl Fn(&str) -> bool) -> Vec<String> {
        let limit = Duration::seconds(PRUNE_AFTER_SECS);
        let stale: Vec<String> = self
            .entries
            .iter()
            .filter(|(path, t)| now.signed_duration_since(**t) > limit && !is_used(path))
            .map(|(path, _)| path.clone())
            .collect();
        for path in &stale {
            self.remove(path);
        }
        stale
    }
}

/// `n` in decimal, as `{n}` writes it (without the formatting machinery: thousands of
/// lines are rendered in a run).
fn push_number(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let n = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// The entries of a state file's text, in file order, into `entries`; the diagnostic of the
/// first bad line, which ends the parse (see [`State::parse`]).
fn parse_entries(
    text: &str,
    state_path: &Path,
    entries: &mut Vec<(String, NaiveDateTime)>,
) -> Vec<Diagnostic> {
    // `what` about line `number`: `what in state file FILE`.
    let error = |number: usize, what: &str| {
        Diagnostic::located(Level::Error, Location::line(state_path, number), Form::StateFile, what)
    };
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        None => return Vec::new(),
        Some(top) if is_header(top) => {}
        Some(_) => return vec![error(1, "bad top line")],
    }
    for (index, raw) in lines.enumerate() {
        let number = index + 2;
        // 3.21 reads lines with `fgets` and measures them with `strlen`: a NUL byte ends the
        // line there, without its newline.
        if let Some(at) = raw.find('\0') {
            let what = if at == 0 { "not parsable" } else { "too long" };
            return vec![error(number, &format!("line {number} {what}"))];
        }
        let Some(line) = raw.strip_suffix('\n').filter(|_| raw.len() <= MAX_LINE) else {
            return vec![error(number, &format!("line {number} too long"))];
        };
        if line.is_empty() {
            continue;
        }
        match parse_entry(line) {
            Ok(entry) => entries.push(entry),
            Err(EntryError::BadLine) => return vec![error(number, &format!("bad line {number}"))],
            Err(EntryError::BadField { field, value, path }) => {
                return vec![error(number, &format!("bad {field} {value} for file {path}"))];
            }
        }
    }
    Vec::new()
}

fn is_header(line: &str) -> bool {
    line.strip_suffix('\n').is_some_and(|l| l == HEADER_V1 || l == HEADER_V2)
}

enum EntryError {
    BadLine,
    BadField { field: &'static str, value: i32, path: String },
}

/// One `"PATH" DATE` line, read the way logrotate's `readState` does.
fn parse_entry(line: &str) -> Result<(String, NaiveDateTime), EntryError> {
    let (path, date) = match plain_entry(line) {
        Some((path, date)) => (path.to_owned(), std::borrow::Cow::Borrowed(date)),
        None => {
            let args = split_args(line).ok_or(EntryError::BadLine)?;
            let [path, date] = <[String; 2]>::try_from(args).map_err(|_| EntryError::BadLine)?;
            (path, std::borrow::Cow::Owned(date))
        }
    };
    let (count, [year, month, day, hour, minute, second]) = scan_date(&date);
    if count < 3 {
        return Err(EntryError::BadLine);
    }
    let checks: [(&'static str, i32, bool); 6] = [
        ("year", year, year == 1900 || (1970..=2100).contains(&year)),
        ("month", month, (1..=12).contains(&month)),
        ("day", day, (0..=31).contains(&day)),
        ("hour", hour, (0..=23).contains(&hour)),
        ("minute", minute, (0..=59).contains(&minute)),
        ("second", second, (0..=59).contains(&second)),
    ];
    if let Some(&(field, value, _)) = checks.iter().find(|c| !c.2) {
        // logrotate names the path as split, before unescaping.
        return Err(EntryError::BadField { field, value, path });
    }
    // In range (checked above), so never negative.
    let unsigned = |v: i32| u32::try_from(v).map_err(|_| EntryError::BadLine);
    let (month, hour, minute, second) =
        (unsigned(month)?, unsigned(hour)?, unsigned(minute)?, unsigned(second)?);
    // Like mktime: day 0 is the last day of the previous month, 31 February is 3 March.
    let when = NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.checked_add_signed(Duration::days(i64::from(day) - 1)))
        .and_then(|d| d.and_hms_opt(hour, minute, second))
        .ok_or(EntryError::BadLine)?;
    Ok((unescape(&path), when))
}

/// The two words of a line as the state is written (`"PATH" DATE`, a path without `"`, `\` or
/// a newline, one space or tab, a date without quotes, backslashes or blanks), which
/// [`split_args`] would split just so; `None` for any other line, which it splits.
fn plain_entry(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    let (path, after) = (&rest[..end], &rest[end..]);
    let date = after.strip_prefix("\" ").or_else(|| after.strip_prefix("\"\t"))?;
    let blank_or_quote =
        |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '"' | '\'' | '\\');
    (!path.is_empty() && !date.is_empty() && !date.contains(blank_or_quote)).then_some((path, date))
}

/// Splits a line into words like popt's `poptParseArgvString`: whitespace separates words,
/// `"` and `'` quote; inside quotes a backslash only disappears before the quote character
/// itself, outside quotes it takes the next character literally. Empty words vanish.
/// `None` for an unterminated quote or a trailing backslash.
fn split_args(line: &str) -> Option<Vec<String>> {
    let mut args = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(q) => {
                if c == '\\' {
                    let next = chars.next()?;
                    if next != q {
                        word.push('\\');
                    }
                    word.push(next);
                } else {
                    word.push(c);
                }
            }
            None if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') => {
                if !word.is_empty() {
                    args.push(std::mem::take(&mut word));
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '\\' => word.push(chars.next()?),
                _ => word.push(c),
            },
        }
    }
    if quote.is_some() {
        return None;
    }
    if !word.is_empty() {
        args.push(word);
    }
    Some(args)
}

/// logrotate's `unescape`: `\n` becomes a newline, `\\` a backslash; other backslashes stay.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `sscanf(s, "%d-%d-%d-%d:%d:%d", ...)`: how many numbers were read, and the numbers (fields
/// not read stay 0). Like glibc, a number too big for an `int` keeps its low 32 bits.
fn scan_date(s: &str) -> (usize, [i32; 6]) {
    let mut fields = [0i32; 6];
    let mut rest = s;
    for (i, field) in fields.iter_mut().enumerate() {
        if i > 0 {
            let sep = if i == 4 || i == 5 { ':' } else { '-' };
            match rest.strip_prefix(sep) {
                Some(r) => rest = r,
                None => return (i, fields),
            }
        }
        let r = rest.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
        let (negative, r) = match r.as_bytes().first() {
            Some(b'-') => (true, &r[1..]),
            Some(b'+') => (false, &r[1..]),
            _ => (false, r),
        };
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return (i, fields);
        }
        let value = r[..digits]
            .bytes()
            .fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add(i64::from(b - b'0')));
        *field = (if negative { value.saturating_neg() } else { value }) as i32;
        rest = &r[digits..];
    }
    (6, fields)
}

mod file;
pub use file::{LockMode, Prefetch, StateError, StateFile};

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
