//! Archive names: numbered (`app.log.3.gz`), dated (`app.log-20261123.gz`), with `extension`
//! and `addextension` handling, and the set of archives that already exist.

use crate::rule::Options;
use std::collections::BTreeSet;

/// Splits a log file name into the base used for archives and the extension kept after the
/// number or date (`extension` / `addextension`).
///
/// # Examples
///
/// ```
/// use logrotate::rule::Options;
/// let o = Options { extension: Some(".log".into()), ..Options::default() };
/// assert_eq!(logrotate::plan::names::split_ext(&o, "app.log"), ("app".into(), ".log".into()));
/// assert_eq!(logrotate::plan::names::split_ext(&o, "app.txt"), ("app.txt".into(), "".into()));
/// ```
pub fn split_ext(o: &Options, name: &str) -> (String, String) {
    let (mut base, mut kept) = (name.to_string(), String::new());
    if let Some(ext) = &o.add_extension {
        if let Some(b) = name.strip_suffix(ext.as_str()).filter(|b| !b.is_empty()) {
            base = b.to_string();
        }
        kept.clone_from(ext);
    }
    // As 3.21: `extension`, when the name (after `addextension`) ends with it, wins.
    if let Some(ext) = &o.extension {
        if let Some(b) = base.strip_suffix(ext.as_str()).filter(|b| !b.is_empty()) {
            return (b.to_string(), ext.clone());
        }
    }
    (base, kept)
}

/// A numbered archive name: `BASE.N EXT COMPEXT`.
pub fn numbered(base: &str, n: u64, ext: &str, compext: &str) -> String {
    format!("{base}.{n}{ext}{compext}")
}

/// The names present in the archive directory, updated as planned steps move them.
#[derive(Debug, Clone, Default)]
pub struct NameSet(BTreeSet<String>);

impl NameSet {
    /// From the names found on disk.
    pub fn new<I: IntoIterator<Item = String>>(names: I) -> Self {
        NameSet(names.into_iter().collect())
    }
    /// Whether `name` exists (or will, after the steps planned so far).
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }
    /// Records a rename.
    pub fn rename(&mut self, from: &str, to: &str) {
        self.0.remove(from);
        self.0.insert(to.to_string());
    }
    /// Records a removal.
    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }
    /// Iterates the names.
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.iter()
    }
}

/// For `rotate -1`: the highest `N` with `BASE.N EXT COMPEXT` present, at least `start`.
pub fn highest_number(names: &NameSet, base: &str, ext: &str, compext: &str, start: u64) -> Option<u64> {
    let prefix = format!("{base}.");
    let suffix = format!("{ext}{compext}");
    names
        .iter()
        .filter_map(|n| n.strip_prefix(&prefix)?.strip_suffix(suffix.as_str())?.parse::<u64>().ok())
        .filter(|&n| n >= start)
        .max()
}

/// The numbers `N` in `lo..=hi` for which `BASE.N EXT COMPEXT` is present, in name order.
pub fn existing_numbers(names: &NameSet, base: &str, ext: &str, compext: &str, lo: u64, hi: u64) -> Vec<u64> {
    let prefix = format!("{base}.");
    let suffix = format!("{ext}{compext}");
    names
        .iter()
        .filter_map(|n| n.strip_prefix(&prefix)?.strip_suffix(suffix.as_str())?.parse::<u64>().ok())
        .filter(|&n| (lo..=hi).contains(&n) && names.contains(&numbered(base, n, ext, compext)))
        .collect()
}

/// Dated archives of `base`: names `BASE DATE EXT COMPEXT`, and also `BASE DATE EXT` when
/// `accept_plain` (as logrotate, which looks only for compressed ones when it compresses at
/// once), sorted oldest first. Returns `(date text, name)`.
pub fn dated_archives<'a>(
    names: impl Iterator<Item = &'a String>,
    base: &str,
    format: &str,
    ext: &str,
    compext: &str,
    accept_plain: bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = names
        .filter_map(|name| {
            let rest = name.strip_prefix(base)?;
            let len = crate::dateext::match_prefix(format, rest)?;
            let tail = &rest[len..];
            let ok = (tail == ext && (accept_plain || compext.is_empty()))
                || (!compext.is_empty() && tail == format!("{ext}{compext}"));
            ok.then(|| (rest[..len].to_string(), name.clone()))
        })
        .collect();
    // Oldest first by the date each name encodes, as logrotate sorts them (`-%d-%m-%Y` too).
    out.sort_by(|a, b| {
        let key = |t: &str| crate::dateext::sort_key(format, t);
        key(&a.0).cmp(&key(&b.0)).then_with(|| a.cmp(b))
    });
    out
}
