//! One directory's entries, read once (`getdents64` into one buffer) and kept in one piece of
//! text: looking a name up touches two small arrays, not a string on the heap per entry.

use super::DirFacts;
use std::ops::Range;
use std::path::Path;

/// One directory's entries.
#[derive(Debug)]
pub(crate) struct Listing {
    /// The names ([`crate::pathbytes`] strings), one after another.
    text: String,
    /// Sorted by name: where each name is in `text`, and whether it is a directory (the
    /// entry's type: no `stat`).
    entries: Vec<Entry>,
    /// The entries whose names start with `.` (together, as the entries are sorted).
    dots: Range<usize>,
    /// When it was read, and what the directory was just before.
    stamp: Option<Stamp>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    start: usize,
    end: usize,
    dir: bool,
}

#[derive(Debug, Clone, Copy)]
struct Stamp {
    /// The directory's device and inode, and its modification time (seconds, nanoseconds).
    id: (u64, u64),
    mtime: (i64, i64),
    read_at: std::time::SystemTime,
}

impl Listing {
    /// Lists `dir`, stamped with `facts` (the directory's, looked at just before); `None` if
    /// it cannot be read.
    pub(super) fn read(dir: &Path, facts: Option<DirFacts>) -> Option<Listing> {
        let read_at = std::time::SystemTime::now();
        let (mut text, mut entries) = (String::new(), Vec::new());
        crate::sys::fs::list_dir(dir, |name, dir| {
            let start = text.len();
            text.push_str(&crate::pathbytes::from_bytes(name));
            entries.push(Entry { start, end: text.len(), dir });
        })
        .ok()?;
        entries.sort_unstable_by(|a, b| text[a.start..a.end].cmp(&text[b.start..b.end]));
        let stamp = facts.map(|f| Stamp { id: f.id, mtime: f.mtime, read_at });
        let mut listing = Listing { text, entries, dots: 0..0, stamp };
        // '/' follows '.' and is in no name: the names starting with '.' end where it would be.
        listing.dots = listing.lower_bound(".", 0)..listing.lower_bound("/", 0);
        Some(listing)
    }

    /// The name of entry `i`.
    pub(super) fn name(&self, i: usize) -> &str {
        let e = self.entries[i];
        &self.text[e.start..e.end]
    }

    /// How many entries there are.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether entry `i` is a directory.
    pub(super) fn is_dir(&self, i: usize) -> bool {
        self.entries[i].dir
    }

    /// Every entry: its name, and whether it is a directory.
    pub(super) fn entries(&self) -> impl Iterator<Item = (&str, bool)> + '_ {
        self.entries.iter().map(|e| (&self.text[e.start..e.end], e.dir))
    }

    /// Where `name` is, if it is there; `hint` as for [`Listing::lower_bound`].
    pub(super) fn find(&self, name: &str, hint: usize) -> Result<usize, usize> {
        let at = self.lower_bound(name, hint);
        if at < self.len() && self.name(at) == name {
            Ok(at)
        } else {
            Err(at)
        }
    }

    /// The first entry not below `key` in name order. `hint` is where to look first: the
    /// logs of a directory are asked for in the listing's order, so the answer is usually a
    /// step or two after the last one.
    pub(super) fn lower_bound(&self, key: &str, hint: usize) -> usize {
        let n = self.len();
        let mut i = hint.min(n);
        if i == 0 || self.name(i - 1) < key {
            for _ in 0..4 {
                if i == n || self.name(i) >= key {
                    return i;
                }
                i += 1;
            }
        }
        self.entries.partition_point(|e| &self.text[e.start..e.end] < key)
    }

    /// The entries whose names start with `prefix` (`hint` as for [`Listing::lower_bound`]).
    pub(super) fn run(&self, prefix: &str, hint: usize) -> Range<usize> {
        let start = self.lower_bound(prefix, hint);
        let len = (start..self.len()).take_while(|&i| self.name(i).starts_with(prefix)).count();
        start..start + len
    }

    /// The entries whose names are `.` then `stem` (temporary files).
    pub(super) fn hidden_run(&self, stem: &str) -> Range<usize> {
        if self.dots.is_empty() {
            return 0..0;
        }
        self.run(&format!(".{stem}"), self.dots.start)
    }

    /// The names of `range`.
    pub(super) fn names(&self, range: Range<usize>) -> impl Iterator<Item = &str> + '_ {
        range.map(|i| self.name(i))
    }

    /// Whether this listing is still the directory's (`now`: what `stat` says of it now): the
    /// same directory, with the modification time seen before it was read, and that time older
    /// than the reading by more than the timestamps' granularity (a change made in the same
    /// tick as the reading leaves the time as it was; git's "racily clean" check). Times
    /// without nanoseconds may come from a filesystem that keeps whole seconds (or two, FAT):
    /// then the reading must be two seconds later.
    pub(super) fn is_current(&self, now: DirFacts) -> bool {
        let Some(stamp) = self.stamp else { return false };
        let Ok(secs) = u64::try_from(stamp.mtime.0) else { return false };
        let Ok(nanos) = u32::try_from(stamp.mtime.1) else { return false };
        let changed = std::time::UNIX_EPOCH + std::time::Duration::new(secs, nanos);
        let granularity = if nanos == 0 {
            std::time::Duration::from_secs(2)
        } else {
            std::time::Duration::from_millis(100)
        };
        let settled = changed + granularity < stamp.read_at;
        stamp.id == now.id && stamp.mtime == now.mtime && settled
    }
}

#[cfg(test)]
impl Listing {
    /// A listing of `names` (not directories) with a stamp.
    pub(super) fn stamped(
        names: &[&str],
        id: (u64, u64),
        mtime: (i64, i64),
        read_at: std::time::SystemTime,
    ) -> Listing {
        let mut l = Listing { text: String::new(), entries: Vec::new(), dots: 0..0, stamp: None };
        names.iter().for_each(|n| l.add(n));
        l.stamp = Some(Stamp { id, mtime, read_at });
        l
    }

    /// `other`'s stamp on this listing.
    pub(super) fn restamp_from(&mut self, other: &Listing) {
        self.stamp = other.stamp;
    }

    /// One more name (not a directory).
    pub(super) fn add(&mut self, name: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        self.entries.push(Entry { start, end: self.text.len(), dir: false });
        let text = &self.text;
        self.entries.sort_unstable_by(|a, b| text[a.start..a.end].cmp(&text[b.start..b.end]));
        self.dots = self.lower_bound(".", 0)..self.lower_bound("/", 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(names: &[&str]) -> Listing {
        Listing::stamped(names, (0, 0), (0, 0), std::time::UNIX_EPOCH)
    }

    #[test]
    fn lookups_agree_with_a_search_from_any_hint() {
        let names = [".a.1.gz.partial", ".b", "-x", "a", "a.1", "a.1.gz", "a.10", "a.2.gz", "b", "b.1", "c"];
        let l = listing(&names);
        let keys = ["", ".", ".a", ".b", "-", "a", "a.1", "a.1.", "a.2", "b", "bb", "c", "d", "\u{ff}"];
        for key in keys {
            let want = l.entries.partition_point(|e| &l.text[e.start..e.end] < key);
            for hint in 0..=l.len() + 2 {
                assert_eq!(l.lower_bound(key, hint), want, "key {key:?} hint {hint}");
                let run: Vec<&str> = l.names(l.run(key, hint)).collect();
                let want_run: Vec<&str> = names.iter().copied().filter(|n| n.starts_with(key)).collect();
                let mut want_run = want_run;
                want_run.sort_unstable();
                assert_eq!(run, want_run, "key {key:?} hint {hint}");
            }
        }
        assert_eq!(l.names(l.hidden_run("a")).collect::<Vec<_>>(), [".a.1.gz.partial"]);
        assert_eq!(l.names(l.hidden_run("c")).count(), 0);
        assert_eq!(l.find("a.1", 7), Ok(4));
        assert_eq!(l.find("a.3", 0), Err(8));
        assert_eq!(listing(&["a", "b"]).dots, 0..0);
    }
}
