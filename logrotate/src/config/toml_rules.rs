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
//! Every problem is a [`Diagnostic`] whose text starts with `FILE:LINE:COL`. A syntax error
//! drops the whole file; a bad key or value drops only the table it is in.
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

use crate::config::Diagnostic;
use crate::pathbytes::PathShow as _;
use crate::rule::{
    CreateSpec, Criterion, Frequency, Keep, MailWhen, Options, Owner, Rule, Scripts, Source, SuSpec, WeeklyOn,
};
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
            diagnostics.push(Diagnostic::error(at.error(&e, "")));
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
            Some(Ok(span)) => diagnostics.push(Diagnostic::error(format!(
                "{}: `{name}` must be a table such as [{name}] with paths = [...]",
                at.pos(span.start)
            ))),
            // Only a table without a header of its own (`[a.b]` with no `[a]`) has no span.
            _ => {
                let start = reparse(&mut reparses, || pick::<Spanned<IgnoredAny>>(text, name).err())
                    .flatten()
                    .and_then(|e| e.span())
                    .map_or(0, |s| s.start);
                diagnostics.push(Diagnostic::error(format!(
                    "{}: `{name}` must have its own [{name}] header",
                    at.pos(start)
                )))
            }
        }
    }
    tables.sort_by_key(|(_, span)| span.start);
    let mut load = |table: &Table<'_>| -> Result<RawTable, String> {
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
        if let Err(message) = loaded {
            diagnostics.push(Diagnostic::error(message));
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
            Err(message) => diagnostics.push(Diagnostic::error(message)),
        }
    }
    (rules, diagnostics)
}

/// Turns byte offsets into `FILE:LINE:COL`.
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

    fn pos(&self, offset: usize) -> String {
        let (line, col) = self.line_col(offset);
        format!("{}:{line}:{col}", self.file.shown())
    }

    /// A toml error as `FILE:LINE:COL: message` followed by `suffix`.
    fn error(&self, e: &toml::de::Error, suffix: &str) -> String {
        let message = e.message().trim_end().replace('\n', ": ");
        match e.span() {
            Some(span) => format!("{}: {message}{suffix}", self.pos(span.start)),
            None => format!("{}: {message}{suffix}", self.file.shown()),
        }
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
    fn error(&self, span: Option<Range<usize>>, message: &str) -> String {
        let start = span.unwrap_or_else(|| self.span.clone()).start;
        format!("{}: {message}{}", self.at.pos(start), self.skipping())
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

/// One table as written; every key is optional so that `[defaults]` and partial tables work.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    paths: Option<Spanned<Vec<String>>>,
    frequency: Option<Spanned<FrequencyName>>,
    weekday: Option<Spanned<u8>>,
    size: Option<Spanned<Size>>,
    min_size: Option<Size>,
    max_size: Option<Size>,
    min_age: Option<Spanned<u64>>,
    max_age: Option<Spanned<u64>>,
    rotate: Option<i64>,
    start: Option<u64>,
    compress: Option<bool>,
    compress_cmd: Option<String>,
    uncompress_cmd: Option<String>,
    compress_ext: Option<String>,
    compress_options: Option<String>,
    delay_compress: Option<bool>,
    copy: Option<bool>,
    copytruncate: Option<bool>,
    renamecopy: Option<bool>,
    create: Option<Toggle<RawCreate>>,
    olddir: Option<Toggle<String>>,
    create_olddir: Option<Toggle<RawCreate>>,
    dateext: Option<bool>,
    dateformat: Option<Spanned<String>>,
    dateyesterday: Option<bool>,
    datehourago: Option<bool>,
    extension: Option<String>,
    add_extension: Option<String>,
    ifempty: Option<bool>,
    mail: Option<Toggle<String>>,
    mail_first: Option<Spanned<bool>>,
    mail_when: Option<Spanned<MailWhenName>>,
    missingok: Option<bool>,
    firstaction: Option<String>,
    prerotate: Option<String>,
    postrotate: Option<String>,
    lastaction: Option<String>,
    preremove: Option<String>,
    sharedscripts: Option<bool>,
    shred: Option<bool>,
    shred_cycles: Option<u32>,
    su: Option<Toggle<RawSu>>,
    allow_hardlink: Option<bool>,
    ignore_duplicates: Option<bool>,
    lock_timeout: Option<Spanned<f64>>,
}

/// Sets `$dst` to `$conv(value)` for every given `$src` key.
macro_rules! set {
    ($($src:expr => $dst:expr, $conv:expr;)*) => {$(
        if let Some(v) = $src {
            $dst = $conv(v);
        }
    )*};
}

impl RawTable {
    /// Applies the keys to `o` and returns the paths. `defaults` forbids `paths` instead of
    /// requiring it.
    fn apply(self, t: &Table<'_>, o: &mut Options, defaults: bool) -> Result<Vec<String>, String> {
        let err = |span: Option<Range<usize>>, message: &str| t.error(span, message);
        let paths = match (self.paths, defaults) {
            (Some(p), true) => return Err(err(Some(p.span()), "[defaults] cannot have `paths`")),
            (None, true) => Vec::new(),
            (None, false) => return Err(err(None, &format!("[{}] has no `paths`", t.name))),
            (Some(p), false) => {
                let span = p.span();
                let paths = p.into_inner();
                if paths.is_empty() || paths.iter().any(|p| p.trim().is_empty()) {
                    return Err(err(Some(span), "`paths` must list at least one non-empty path"));
                }
                paths
            }
        };

        match (self.frequency, self.size) {
            (Some(_), Some(size)) => {
                let message = "`size` and `frequency` cannot both be set; use `max_size` or \
                               `min_size` with a frequency";
                return Err(err(Some(size.span()), message));
            }
            (Some(f), None) => o.criterion = f.into_inner().criterion(),
            (None, Some(size)) => o.criterion = Some(Criterion::Size(size.into_inner().0)),
            (None, None) => {}
        }
        if let Some(day) = self.weekday {
            let span = day.span();
            let Some(day) = WeeklyOn::from_number(day.into_inner()) else {
                return Err(err(Some(span), "`weekday` must be 0 (Sunday) .. 6, or 7"));
            };
            match &mut o.criterion {
                Some(Criterion::Time(Frequency::Weekly(d))) => *d = day,
                _ => return Err(err(Some(span), "`weekday` needs frequency = \"weekly\"")),
            }
        }
        if let Some(secs) = self.lock_timeout {
            let (span, secs) = (secs.span(), secs.into_inner());
            o.lock_timeout = std::time::Duration::try_from_secs_f64(secs).map_err(|_| {
                err(Some(span), &format!("`lock_timeout` must be seconds from 0 to {}, not {secs}", u64::MAX))
            })?;
        }
        for (age, what, field) in
            [(self.min_age, "minimum", &mut o.min_age), (self.max_age, "maximum", &mut o.max_age)]
        {
            if let Some(days) = age {
                let (span, days) = (days.span(), days.into_inner());
                let limit = crate::rule::days(days)
                    .ok_or_else(|| err(Some(span), &format!("bad {what} age {days}: too many days")))?;
                // 0 is no limit at all, as in the classic syntax.
                *field = Some(limit).filter(|d| !d.is_zero());
            }
        }
        // As the classic directives, applied to the method in effect (so a table's
        // `renamecopy` wins over a `copytruncate` of [defaults]).
        if let (Some(true), Some(true)) = (self.copytruncate, self.renamecopy) {
            return Err(err(None, "`copytruncate` and `renamecopy` cannot both be true"));
        }
        for (on, key) in
            [(self.copy, "copy"), (self.copytruncate, "copytruncate"), (self.renamecopy, "renamecopy")]
        {
            if let Some(on) = on {
                let key = if on { key.to_string() } else { format!("no{key}") };
                o.move_method = o.move_method.after(&key, &mut o.parser_memory.copy_under_copytruncate);
            }
        }
        let mail_first = self.mail_first.map(|m| {
            let when = if *m.get_ref() { MailWhen::First } else { MailWhen::Last };
            (m.span(), when)
        });
        let mail_when = self.mail_when.map(|m| (m.span(), m.into_inner().into()));
        match (mail_first, mail_when) {
            (Some((_, a)), Some((span, b))) if a != b => {
                return Err(err(Some(span), "`mail_first` and `mail_when` disagree"));
            }
            (Some((_, when)), _) | (None, Some((_, when))) => o.mail_when = when,
            (None, None) => {}
        }
        if let Some(format) = self.dateformat {
            let span = format.span();
            let format = format.into_inner();
            crate::dateext::validate_format(&format).map_err(|e| err(Some(span), &e))?;
            o.date_format = Some(format);
        }
        if let Some(create) = self.create {
            o.create = create.into_option().map(|c| c.into_spec(t)).transpose()?;
        }
        if let Some(create) = self.create_olddir {
            o.create_olddir = create.into_option().map(|c| c.into_spec(t)).transpose()?;
        }

        fn same<T>(v: T) -> T {
            v
        }
        let bytes = |s: Size| Some(s.0);
        // Any negative count keeps all, as `rotate -1`.
        let keep = |n: i64| u64::try_from(n).map_or(Keep::All, Keep::Count);
        let su = |s: Toggle<RawSu>| s.into_option().map(RawSu::into_spec);
        let scripts: &mut Scripts = &mut o.scripts;
        set! {
            self.firstaction => scripts.firstaction, Some;
            self.prerotate => scripts.prerotate, Some;
            self.postrotate => scripts.postrotate, Some;
            self.lastaction => scripts.lastaction, Some;
            self.preremove => scripts.preremove, Some;
        }
        set! {
            self.min_size => o.min_size, bytes;
            self.max_size => o.max_size, bytes;
            self.rotate => o.keep, keep;
            self.start => o.start, same;
            self.compress => o.compress, same;
            self.compress_cmd => o.compress_cmd, same;
            self.uncompress_cmd => o.uncompress_cmd, same;
            self.compress_ext => o.compress_ext, Some;
            self.compress_options => o.compress_options, Some;
            self.delay_compress => o.delay_compress, same;
            self.olddir => o.olddir, Toggle::into_option;
            self.dateext => o.date_ext, same;
            self.dateyesterday => o.date_yesterday, same;
            self.datehourago => o.date_hour_ago, same;
            self.extension => o.extension, Some;
            self.add_extension => o.add_extension, Some;
            self.ifempty => o.if_empty, same;
            self.mail => o.mail, Toggle::into_option;
            self.missingok => o.missing_ok, same;
            self.sharedscripts => o.shared_scripts, same;
            self.shred => o.shred, same;
            self.shred_cycles => o.shred_cycles, Some;
            self.su => o.su, su;
            self.allow_hardlink => o.allow_hardlink, same;
            self.ignore_duplicates => o.ignore_duplicates, same;
        }
        Ok(paths)
    }
}

/// `frequency = "..."`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FrequencyName {
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
    /// No time or size criterion: only `-f` and `max_size` rotate.
    None,
}

impl FrequencyName {
    fn criterion(self) -> Option<Criterion> {
        let f = match self {
            FrequencyName::Hourly => Frequency::Hourly,
            FrequencyName::Daily => Frequency::Daily,
            FrequencyName::Weekly => Frequency::Weekly(WeeklyOn::default()),
            FrequencyName::Monthly => Frequency::Monthly,
            FrequencyName::Yearly => Frequency::Yearly,
            FrequencyName::None => return None,
        };
        Some(Criterion::Time(f))
    }
}

/// `mail_when = "first" | "last"`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum MailWhenName {
    First,
    Last,
}

impl From<MailWhenName> for MailWhen {
    fn from(m: MailWhenName) -> Self {
        match m {
            MailWhenName::First => MailWhen::First,
            MailWhenName::Last => MailWhen::Last,
        }
    }
}

/// A size in bytes: an integer, or a string such as `"100k"`, `"5M"`, `"1G"`.
#[derive(Debug)]
struct Size(u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size: bytes as an integer, or a string such as \"100k\" or \"5M\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v).map(Size).map_err(|_| E::custom(format!("invalid size {v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
                crate::size::parse_size(v).map(Size).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A user or group: a name, or a numeric id (also as a string of digits, as in the classic
/// syntax).
fn owner<'de, D: de::Deserializer<'de>>(d: D) -> Result<Owner, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Owner;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a user or group name, or a numeric id")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Owner, E> {
            u32::try_from(v).map(Owner::Id).map_err(|_| E::custom(format!("invalid id {v}")))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Owner, E> {
            u32::try_from(v).map(Owner::Id).map_err(|_| E::custom(format!("invalid id {v}")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Owner, E> {
            if v.is_empty() || v.chars().any(char::is_whitespace) {
                return Err(E::custom(format!("invalid user or group name {v:?}")));
            }
            match v.parse() {
                Ok(id) => Ok(Owner::Id(id)),
                Err(_) => Ok(Owner::Name(v.to_string())),
            }
        }
    }
    d.deserialize_any(V)
}

fn opt_owner<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<Owner>, D::Error> {
    owner(d).map(Some)
}

/// A mode as written: an octal string (`"0640"`) or an integer that must be written in octal
/// (`0o640`), which is checked against the source text.
#[derive(Debug)]
enum RawMode {
    Octal(u32),
    Integer(i64),
}

impl<'de> Deserialize<'de> for RawMode {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawMode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an octal mode such as \"0640\" or 0o640")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawMode, E> {
                Ok(RawMode::Integer(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawMode, E> {
                let ok = !v.is_empty() && v.len() <= 5 && v.bytes().all(|b| (b'0'..=b'7').contains(&b));
                match u32::from_str_radix(v, 8) {
                    Ok(mode) if ok && mode <= 0o7777 => Ok(RawMode::Octal(mode)),
                    _ => Err(E::custom(format!("invalid mode {v:?}: expected octal such as \"0640\""))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `create = { mode, owner, group }` (also `create_olddir`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCreate {
    mode: Option<Spanned<RawMode>>,
    #[serde(default, deserialize_with = "opt_owner")]
    owner: Option<Owner>,
    #[serde(default, deserialize_with = "opt_owner")]
    group: Option<Owner>,
}

impl RawCreate {
    fn into_spec(self, t: &Table<'_>) -> Result<CreateSpec, String> {
        let mode = match self.mode {
            None => None,
            Some(m) => {
                let span = m.span();
                match m.into_inner() {
                    RawMode::Octal(mode) => Some(mode),
                    RawMode::Integer(v) => {
                        let raw = t.at.text.get(span.clone()).unwrap_or("");
                        let mode = u32::try_from(v).ok().filter(|m| *m <= 0o7777);
                        match mode {
                            Some(mode) if raw.starts_with("0o") => Some(mode),
                            _ => {
                                let message =
                                    format!("invalid mode {raw}: write it in octal, as \"0640\" or 0o640");
                                return Err(t.error(Some(span), &message));
                            }
                        }
                    }
                }
            }
        };
        Ok(CreateSpec { mode, owner: self.owner, group: self.group })
    }
}

/// `su = { user, group }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSu {
    #[serde(deserialize_with = "owner")]
    user: Owner,
    #[serde(default, deserialize_with = "opt_owner")]
    group: Option<Owner>,
}

impl RawSu {
    fn into_spec(self) -> SuSpec {
        SuSpec { user: self.user, group: self.group }
    }
}

/// A value that can also be `false` (turns the option off) and, for some kinds, `true`
/// (turns it on with nothing specified).
#[derive(Debug)]
enum Toggle<T> {
    Off,
    On(T),
}

impl<T> Toggle<T> {
    fn into_option(self) -> Option<T> {
        match self {
            Toggle::Off => None,
            Toggle::On(v) => Some(v),
        }
    }
}

/// What `true` means for a [`Toggle`], if anything.
trait Switchable: Sized {
    /// The value for `true`, or `None` if `true` is not allowed.
    fn when_true() -> Option<Self>;
    /// What the value is, for messages.
    const WHAT: &'static str;
}

impl Switchable for RawCreate {
    fn when_true() -> Option<Self> {
        Some(RawCreate { mode: None, owner: None, group: None })
    }
    const WHAT: &'static str = "true, false or a table { mode, owner, group }";
}

impl Switchable for RawSu {
    fn when_true() -> Option<Self> {
        None
    }
    const WHAT: &'static str = "false or a table { user, group }";
}

impl Switchable for String {
    fn when_true() -> Option<Self> {
        None
    }
    const WHAT: &'static str = "false or a string";
}

impl<'de, T: Switchable + Deserialize<'de>> Deserialize<'de> for Toggle<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Switchable + Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Toggle<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::WHAT)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Toggle<T>, E> {
                match (v, T::when_true()) {
                    (false, _) => Ok(Toggle::Off),
                    (true, Some(on)) => Ok(Toggle::On(on)),
                    (true, None) => Err(E::invalid_value(de::Unexpected::Bool(true), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Toggle<T>, E> {
                T::deserialize(de::value::StrDeserializer::new(v)).map(Toggle::On)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Toggle<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Toggle::On)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[cfg(test)]
#[path = "toml_rules_tests.rs"]
mod tests;
