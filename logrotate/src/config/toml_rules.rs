//! TOML rule files: each top-level table is one log set, loaded into the same [`Rule`] model
//! as the classic syntax.
//!
//! ```toml
//! [defaults]            # optional: changes the base for the other tables of this file
//! missingok = true
//!
//! [nginx]
//! paths = ["/var/log/nginx/*.log"]
//! frequency = "daily"
//! rotate = 14
//! compress = true
//! create = { mode = "0640", owner = "www-data", group = "adm" }
//! postrotate = "systemctl reload nginx"
//! ```
//!
//! Every problem is a [`Diagnostic`] located at its line and column (from toml's span), whose
//! text starts with `FILE:LINE:COL: `. A syntax error drops the whole file; a bad key or value
//! drops only the table it is in.
//!
//! # Examples
//!
//! ```
//! use logrotate::config::toml_rules;
//! use logrotate::rule::Options;
//! let text = "[app]\npaths = [\"/var/log/app.log\"]\nrotate = 3\n";
//! let (rules, diagnostics) = toml_rules::parse("app.toml".as_ref(), text, &Options::default());
//! assert!(diagnostics.is_empty());
//! assert_eq!(rules[0].options.keep, logrotate::rule::Keep::Count(3));
//! ```

use super::table::{self, TomlCx};
use super::toml_values::Entry;
use crate::config::Diagnostic;
use crate::diag::{Form, Level, Location};
use crate::rule::{Options, Rule, Source};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// The name of the table that sets defaults for the other tables of a file.
pub const DEFAULTS_TABLE: &str = "defaults";

/// Parses a TOML rule file into rules, starting each table from `base` (the global defaults in
/// effect), changed by the file's `[defaults]` table if it has one.
///
/// Never fails as a whole: problems come back as diagnostics, and every table that could not
/// be loaded is left out of the rules.
pub fn parse(file: &Path, text: &str, base: &Options) -> (Vec<Rule>, Vec<Diagnostic>) {
    let at = Locator::new(file, text);
    let mut diagnostics = Vec::new();
    let doc: toml::Table = match toml::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            diagnostics.push(at.error(&e, ""));
            return (Vec::new(), diagnostics);
        }
    };

    // Every table is read in one parse of the document (and its span in another): a parse
    // per table made a file of 1,000 tables take 14 s, and 4,000 over 2 minutes. Only to place
    // an error exactly is one table parsed again, for at most `MAX_REPARSES` of them.
    let mut reparses = 0;
    let mut spans = pick_each::<Spanned<IgnoredAny>>(text);
    let mut contents = pick_each::<RawTable>(text);
    let mut tables = Vec::new();
    for (name, value) in &doc {
        match spans.remove(name.as_str()).map(|s| s.map(|s| s.span())) {
            Some(Ok(span)) if value.is_table() => tables.push((name.as_str(), span)),
            Some(Ok(span)) => diagnostics.push(at.error_at(
                Some(span.start),
                &format!("`{name}` must be a table such as [{name}] with paths = [...]"),
            )),
            // Only a table without a header of its own (`[a.b]` with no `[a]`) has no span.
            _ => {
                let start = reparse(&mut reparses, || pick::<Spanned<IgnoredAny>>(text, name).err())
                    .flatten()
                    .and_then(|e| e.span())
                    .map_or(0, |s| s.start);
                diagnostics
                    .push(at.error_at(Some(start), &format!("`{name}` must have its own [{name}] header")))
            }
        }
    }
    tables.sort_by_key(|(_, span)| span.start);
    let mut load = |table: &Table<'_>| -> Result<RawTable, Diagnostic> {
        match contents.remove(table.name) {
            Some(Ok(raw)) => Ok(raw),
            other => match reparse(&mut reparses, || pick::<RawTable>(text, table.name)) {
                Some(Ok(raw)) => Ok(raw),
                Some(Err(e)) => Err(at.error(&e, &table.skipping())),
                None => Err(table.error(None, &other.and_then(Result::err).unwrap_or_default())),
            },
        }
    };

    let mut base = base.clone();
    if let Some((_, span)) = tables.iter().find(|(name, _)| *name == DEFAULTS_TABLE) {
        let table = Table { name: DEFAULTS_TABLE, span: span.clone(), at: &at };
        let loaded = load(&table).and_then(|raw| raw.apply(&table, &mut base, true).map(|_| ()));
        // Tables built on half the intended defaults could rotate wrongly (say `rotate 0`
        // instead of the intended count), so a bad [defaults] drops the whole file.
        if let Err(diagnostic) = loaded {
            diagnostics.push(diagnostic);
            return (Vec::new(), diagnostics);
        }
    }

    let mut rules = Vec::new();
    for (name, span) in tables.into_iter().filter(|(n, _)| *n != DEFAULTS_TABLE) {
        let table = Table { name, span, at: &at };
        let mut options = base.clone();
        let loaded = load(&table).and_then(|raw| raw.apply(&table, &mut options, false));
        match loaded {
            Ok(patterns) => rules.push(Rule {
                patterns,
                source: Source { file: file.to_path_buf(), line: at.line_col(table.span.start).0 },
                header: None,
                options,
            }),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    (rules, diagnostics)
}

/// Turns byte offsets into locations (`FILE:LINE:COL` in messages).
struct Locator<'a> {
    file: &'a Path,
    line_starts: Vec<usize>,
    text: &'a str,
}

impl<'a> Locator<'a> {
    fn new(file: &'a Path, text: &'a str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Locator { file, line_starts, text }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }

    /// An error at a byte offset (`FILE:LINE:COL: what`), or about the whole file (`FILE: what`).
    fn error_at(&self, offset: Option<usize>, what: &str) -> Diagnostic {
        let at = match offset {
            Some(offset) => {
                let (line, col) = self.line_col(offset);
                Location::line(self.file, line).with_col(col)
            }
            None => Location::file(self.file),
        };
        Diagnostic::located(Level::Error, at, Form::Colon, what)
    }

    /// A toml error, at its span, followed by `suffix`.
    fn error(&self, e: &toml::de::Error, suffix: &str) -> Diagnostic {
        let message = e.message().trim_end().replace('\n', ": ");
        self.error_at(e.span().map(|s| s.start), &format!("{message}{suffix}"))
    }
}

/// The table being loaded, for messages.
struct Table<'a> {
    name: &'a str,
    span: Range<usize>,
    at: &'a Locator<'a>,
}

impl Table<'_> {
    fn skipping(&self) -> String {
        if self.name == DEFAULTS_TABLE {
            "; skipping every table of this file".to_string()
        } else {
            format!("; skipping [{}]", self.name)
        }
    }

    /// `FILE:LINE:COL: message; skipping [name]`, at `span` or else at the table header.
    fn error(&self, span: Option<Range<usize>>, message: &str) -> Diagnostic {
        let start = span.unwrap_or_else(|| self.span.clone()).start;
        self.at.error_at(Some(start), &format!("{message}{}", self.skipping()))
    }
}

/// How many tables of one file may be parsed again to place their error exactly; the errors
/// of the others point at their table's header.
const MAX_REPARSES: usize = 16;

/// Runs `f` (a parse of its own) while the budget of [`MAX_REPARSES`] lasts.
fn reparse<T>(count: &mut usize, f: impl FnOnce() -> T) -> Option<T> {
    (*count < MAX_REPARSES).then(|| {
        *count += 1;
        f()
    })
}

/// Deserializes every top-level value of the document as `T`, in one parse. A value that is
/// not a `T` gives toml's message, without its position (ask [`pick`] for that). Empty if the
/// document does not parse.
fn pick_each<T: de::DeserializeOwned>(text: &str) -> HashMap<String, Result<T, String>> {
    struct Each<T>(PhantomData<T>);
    struct Catch<T>(PhantomData<T>);

    impl<'de, T: de::DeserializeOwned> DeserializeSeed<'de> for Catch<T> {
        type Value = Result<T, String>;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            Ok(T::deserialize(d).map_err(|e| e.to_string().trim_end().replace('\n', ": ")))
        }
    }

    impl<'de, T: de::DeserializeOwned> Visitor<'de> for Each<T> {
        type Value = HashMap<String, Result<T, String>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a TOML document")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = HashMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value_seed(Catch(PhantomData))?;
                out.entry(key).or_insert(value);
            }
            Ok(out)
        }
    }

    de::Deserializer::deserialize_map(toml::Deserializer::new(text), Each(PhantomData)).unwrap_or_default()
}

/// Deserializes the top-level value under `key` of the document as `T`, ignoring the others.
/// Errors keep the span toml gives them within the whole document.
fn pick<T: de::DeserializeOwned>(text: &str, key: &str) -> Result<T, toml::de::Error> {
    struct Pick<'k, T>(&'k str, PhantomData<T>);

    impl<'de, T: de::DeserializeOwned> Visitor<'de> for Pick<'_, T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a TOML document")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == self.0 && found.is_none() {
                    found = Some(map.next_value::<T>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            found.ok_or_else(|| de::Error::missing_field("table"))
        }
    }

    impl<'de, T: de::DeserializeOwned> DeserializeSeed<'de> for Pick<'_, T> {
        type Value = T;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            d.deserialize_map(self)
        }
    }

    Pick(key, PhantomData).deserialize(toml::Deserializer::new(text))
}

/// One table as written: its keys and values, with where they are, in order.
#[derive(Debug)]
struct RawTable(Vec<(Spanned<String>, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for RawTable {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTable;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTable, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(RawTable(entries))
            }
        }
        d.deserialize_map(V)
    }
}

impl RawTable {
    /// Applies the keys to `o` through the directive table and returns the paths. `defaults`
    /// forbids `paths` instead of requiring it.
    fn apply(self, t: &Table<'_>, o: &mut Options, defaults: bool) -> Result<Vec<String>, Diagnostic> {
        let err = |at: usize, message: &str| t.error(Some(at..at), message);
        let mut paths = None;
        let mut rows = Vec::new();
        for (key, value) in self.0 {
            let (key_span, key) = (key.span(), key.into_inner());
            if key == "paths" {
                paths = Some(value);
                continue;
            }
            let Some((row, canonical)) = table::toml_key(&key) else {
                let hint = table::suggest(&key).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
                return Err(err(key_span.start, &format!("unknown field `{key}`{hint}")));
            };
            rows.push((row, canonical, key, value));
        }
        let paths = match (paths, defaults) {
            (Some(p), true) => return Err(err(p.span().start, "[defaults] cannot have `paths`")),
            (None, true) => Vec::new(),
            (None, false) => return Err(t.error(None, &format!("[{}] has no `paths`", t.name))),
            (Some(p), false) => {
                let start = p.span().start;
                let entry = Entry { raw: "", span: p.span(), value: p.into_inner() };
                let paths: Vec<String> = entry.get().map_err(|(_, m)| err(start, &m))?;
                if paths.is_empty() || paths.iter().any(|p| p.trim().is_empty()) {
                    return Err(err(start, "`paths` must list at least one non-empty path"));
                }
                paths
            }
        };

        // In the table's order, not the file's: `frequency` before `weekday`, and so on.
        rows.sort_by_key(|(row, ..)| *row);
        let others: Vec<(&'static str, &toml::Value)> =
            rows.iter().map(|(_, c, _, v)| (*c, v.get_ref())).collect();
        let cx = TomlCx { others: &others };
        let mut done: Vec<(usize, &str, Options)> = Vec::new();
        for (row, _, key, value) in &rows {
            let span = value.span();
            let raw = t.at.text.get(span.clone()).unwrap_or("");
            let entry = Entry { value: value.get_ref().clone(), span: span.clone(), raw };
            let read = table::DIRECTIVES[*row].read.expect("a TOML key has a reader");
            read(o, &entry, &cx).map_err(|(at, message)| err(at.unwrap_or(span.start), &message))?;
            // A key given twice (as itself and an older spelling) must say the same.
            if let Some((_, first, after_first)) = done.iter().find(|(r, ..)| r == row) {
                if after_first != o {
                    return Err(err(span.start, &format!("`{first}` and `{key}` disagree")));
                }
            }
            done.push((*row, key, o.clone()));
        }
        Ok(paths)
    }
}

#[cfg(test)]
#[path = "toml_rules_tests.rs"]
mod tests;
