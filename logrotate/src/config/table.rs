//! The directive table: each directive declared once, with its classic keyword(s), its TOML key
//! (and older spellings), how each format reads its value, how `--dump-toml` writes it, its
//! default and a one-line doc. The classic parser, the TOML reader, [`dump`](super::dump) and
//! `docs/directives.md` are all driven by [`DIRECTIVES`]; adding a directive is one row there
//! plus the code that uses it.
//!
//! TOML keys are the classic keyword with its words joined by `_` (`copytruncate` →
//! `copy_truncate`, `compresscmd` → `compress_cmd`); the spellings of earlier versions stay as
//! aliases.

use super::directives::{DirectiveError, Takes, Value};
use super::toml_values::{Entry, ReadError};
use crate::rule::Options;

pub use super::table_rows::DIRECTIVES;

/// Applies a classic directive (`keyword`, its value) to the options.
pub type ClassicFn = fn(&mut Options, &str, Value<'_>) -> Result<(), DirectiveError>;
/// Applies a TOML value to the options; [`TomlCx`] sees the rest of the table.
pub type TomlFn = fn(&mut Options, &Entry<'_>, &TomlCx<'_>) -> Result<(), ReadError>;
/// The TOML value to write for these options, `None` when it is the default (second argument).
pub type DumpFn = fn(&Options, &Options) -> Option<String>;

/// One directive.
pub struct Directive {
    /// The classic keywords and what each reads after itself (none for a TOML-only key).
    pub classic: &'static [(&'static str, Takes)],
    /// The TOML key (empty for a classic-only directive such as `include`).
    pub toml: &'static str,
    /// Earlier TOML spellings, still read.
    pub aliases: &'static [&'static str],
    /// The TOML value, for the docs.
    pub value: &'static str,
    /// The default, for the docs.
    pub default: &'static str,
    /// One line for the docs.
    pub doc: &'static str,
    /// How the classic parser applies it; `None` when the parser itself handles it (`include`).
    pub apply: Option<ClassicFn>,
    /// How the TOML reader applies it.
    pub read: Option<TomlFn>,
    /// How `--dump-toml` writes it.
    pub dump: Option<DumpFn>,
}

/// What a TOML reader may know of the table besides its own value.
pub struct TomlCx<'a> {
    /// The other keys of the table (canonical spellings) and their values.
    pub others: &'a [(&'static str, &'a toml::Value)],
}

impl TomlCx<'_> {
    /// The value of another key of the same table.
    pub fn get(&self, key: &str) -> Option<&toml::Value> {
        self.others.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// The directive a classic keyword belongs to, and what the keyword reads.
pub fn classic(keyword: &str) -> Option<(&'static Directive, Takes)> {
    DIRECTIVES
        .iter()
        .find_map(|d| d.classic.iter().find(|(k, _)| *k == keyword).map(|(_, takes)| (d, *takes)))
}

/// The index in [`DIRECTIVES`] of a TOML key or alias, and its canonical spelling.
pub fn toml_key(key: &str) -> Option<(usize, &'static str)> {
    DIRECTIVES
        .iter()
        .position(|d| !d.toml.is_empty() && (d.toml == key || d.aliases.contains(&key)))
        .map(|i| (i, DIRECTIVES[i].toml))
}

/// The known TOML key closest to an unknown one, if one is close enough to be a likely typo.
pub fn suggest(key: &str) -> Option<&'static str> {
    let keys = DIRECTIVES.iter().flat_map(|d| std::iter::once(d.toml).chain(d.aliases.iter().copied()));
    let limit = (key.chars().count() / 3).max(2);
    // The distance is at least the difference in length (without `_`): a key far longer or
    // shorter than every known one (a fuzzer's megabyte) is not compared at all.
    let length = |k: &str| k.chars().filter(|&c| c != '_').count();
    let key_length = length(key);
    let (best, distance) = keys
        .chain(["paths"])
        .filter(|k| !k.is_empty() && length(k).abs_diff(key_length) <= limit)
        .map(|k| (k, edit_distance(&key.to_lowercase(), k)))
        .min_by_key(|(_, d)| *d)?;
    let canonical = toml_key(best).map_or(best, |(_, c)| c);
    (distance <= limit).then_some(canonical)
}

/// Levenshtein distance, with `_` free to add or drop (`copytruncate` ~ `copy_truncate`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().filter(|&c| c != '_').collect();
    let b: Vec<char> = b.chars().filter(|&c| c != '_').collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_keywords_are_declared_once() {
        let (mut keywords, mut keys) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        for d in DIRECTIVES {
            for key in d.classic.iter().map(|(k, _)| *k) {
                assert!(keywords.insert(key), "`{key}` declared twice");
            }
            for key in [d.toml].into_iter().chain(d.aliases.iter().copied()) {
                assert!(key.is_empty() || keys.insert(key), "`{key}` declared twice");
            }
            assert!(d.toml.is_empty() == d.read.is_none(), "{}: a TOML key needs a reader", d.toml);
            assert!(d.toml.is_empty() || d.dump.is_some(), "{}: a TOML key needs a writer", d.toml);
            assert!(d.toml.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{}", d.toml);
        }
    }

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(suggest("compres"), Some("compress"));
        assert_eq!(suggest("copytruncat"), Some("copy_truncate"));
        assert_eq!(suggest("delaycompress"), Some("delay_compress"));
        assert_eq!(suggest("path"), Some("paths"));
        assert_eq!(suggest("Rotate"), Some("rotate"));
        assert_eq!(suggest("zzzzzzzz"), None);
        // Regression (fuzz toml seed 104372278460423): a megabyte key took over 20 s.
        let huge = format!("da{}", "create".repeat(200_000));
        let started = std::time::Instant::now();
        assert_eq!(suggest(&huge), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    }
}
