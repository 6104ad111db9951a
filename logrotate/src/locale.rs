//! The C library's locale, as logrotate 3.21 uses it: it calls `setlocale(LC_ALL, "")` first
//! thing, so the environment's locale decides which characters a path in the config may hold
//! (`bad olddir path …`) and the words of the system's error messages. Both binaries call
//! [`init`] before anything else.

use crate::sys::locale::{self as clib, Decoded};
use std::sync::Once;

static INIT: Once = Once::new();

/// Takes the locale from the environment (`LC_ALL`, `LC_*`, `LANG`), once per process.
pub fn init() {
    INIT.call_once(clib::set_from_env);
}

/// Whether `path` is made of printable, non-blank characters of the locale's encoding, as 3.21's
/// `readPath` requires of `olddir`, `compresscmd`, `uncompresscmd` and `compressext`.
pub fn printable_path(path: &[u8]) -> bool {
    init();
    let mut rest = path;
    while !rest.is_empty() {
        match clib::decode(rest) {
            Decoded::Nul => break,
            Decoded::Invalid => return false,
            Decoded::Char { printable: false, .. } | Decoded::Char { blank: true, .. } => return false,
            Decoded::Char { len, .. } => rest = &rest[len..],
        }
    }
    true
}

/// `items` sorted by the bytes `key` gives, in the locale's collation order (`strcoll`), as
/// glob(3) sorts its matches: plain byte order in the C locale (and for a name with a NUL).
/// glibc's `C.UTF-8` collates by code point, which is byte order too.
pub fn sorted<T>(items: Vec<T>, key: impl Fn(&T) -> &[u8]) -> Vec<T> {
    init();
    let bytewise = |n: &[u8]| matches!(n, b"C" | b"POSIX" | b"C.UTF-8" | b"C.utf8");
    if clib::collate_name().as_deref().is_none_or(bytewise) {
        let mut items = items;
        items.sort_by(|a, b| key(a).cmp(key(b)));
        return items;
    }
    let mut keyed: Vec<(Option<std::ffi::CString>, T)> =
        items.into_iter().map(|item| (std::ffi::CString::new(key(&item)).ok(), item)).collect();
    keyed.sort_by(|(ca, a), (cb, b)| match (ca, cb) {
        (Some(ca), Some(cb)) => clib::strcoll(ca, cb),
        _ => key(a).cmp(key(b)),
    });
    keyed.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_paths_and_blanks() {
        assert!(printable_path(b"/var/log/old"));
        assert!(!printable_path(b"/var/log/o ld"));
        assert!(!printable_path(b"/var/log/o\tld"));
        assert!(!printable_path(b"/var/\x01log"));
        // Not a character in any encoding glibc has.
        assert!(!printable_path(b"/var/log/\xff"));
    }

    #[test]
    fn sorted_in_byte_order_under_the_c_locale() {
        let names = vec!["b.log", "B.log", "a.log", "_x.log"];
        let got = sorted(names, |n| n.as_bytes());
        // Under C (the test's locale unless LC_ALL says otherwise) as bytes; under another
        // locale at least every name is still there.
        assert_eq!(got.len(), 4);
        if std::env::var("LC_ALL").is_err()
            && std::env::var("LC_COLLATE").is_err()
            && std::env::var("LANG").is_err()
        {
            assert_eq!(got, ["B.log", "_x.log", "a.log", "b.log"]);
        }
    }
}
