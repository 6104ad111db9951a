//! File names are bytes; most of the engine carries them as `String`s (patterns, archive names,
//! state keys). A name that is not UTF-8 is kept in a `String` losslessly: each byte of an
//! invalid sequence becomes one character of a private-use block (`U+F780 + byte - 0x80`), and
//! so does each byte of a character that is itself in that block, so that the mapping is a
//! bijection and [`to_bytes`] gives back exactly the bytes [`from_bytes`] was given.
//!
//! Text that is valid UTF-8 and has no character of that block (every name in practice) is
//! passed through unchanged, without copying.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// First character of the block that stands for the bytes `0x80..=0xFF`.
const BASE: u32 = 0xF780;

fn is_escape(c: char) -> bool {
    (BASE..BASE + 0x80).contains(&(c as u32))
}

fn escape_byte(out: &mut String, b: u8) {
    out.push(char::from_u32(BASE + u32::from(b) - 0x80).expect("private-use character"));
}

/// Bytes (a file name, a config file) as a `String`, losslessly.
pub fn from_bytes(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !text.chars().any(is_escape) {
            return Cow::Borrowed(text);
        }
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_escape(c) {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf).bytes().for_each(|b| escape_byte(&mut out, b));
            } else {
                out.push(c);
            }
        }
        // An invalid sequence: only bytes >= 0x80 can be part of one.
        for &b in chunk.invalid() {
            escape_byte(&mut out, b);
        }
    }
    Cow::Owned(out)
}

/// The bytes a `String` made by [`from_bytes`] stands for.
pub fn to_bytes(text: &str) -> Cow<'_, [u8]> {
    if !text.chars().any(is_escape) {
        return Cow::Borrowed(text.as_bytes());
    }
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if is_escape(c) {
            out.push((c as u32 - BASE + 0x80) as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Cow::Owned(out)
}

/// A file name or path from the OS as a `String`, losslessly (see the module docs).
pub fn from_os(name: &OsStr) -> Cow<'_, str> {
    from_bytes(name.as_bytes())
}

/// The OS name a `String` made by [`from_os`] stands for.
pub fn to_os(text: &str) -> Cow<'_, OsStr> {
    match to_bytes(text) {
        Cow::Borrowed(b) => Cow::Borrowed(OsStr::from_bytes(b)),
        Cow::Owned(v) => Cow::Owned(OsString::from_vec(v)),
    }
}

/// The path a `String` made by [`from_os`] stands for.
pub fn to_path(text: &str) -> PathBuf {
    PathBuf::from(to_os(text).into_owned())
}

/// A path as a `String`, losslessly (see the module docs).
pub fn path_text(path: &Path) -> Cow<'_, str> {
    from_os(path.as_os_str())
}

/// A message made of such `String`s, as the bytes to print: the names come out as they are on
/// disk, as logrotate prints them.
pub fn message_bytes(text: &str) -> Cow<'_, [u8]> {
    to_bytes(text)
}

/// A path shown in a message: the bytes it has on disk, carried as a [`from_os`] string (the
/// printer turns it back into those bytes), where `Path::display` would put U+FFFD.
pub struct Shown<'a>(&'a Path);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&path_text(self.0))
    }
}

/// `path.shown()`: [`Shown`], for messages.
pub trait PathShow {
    /// The path for a message, bytes kept (see [`Shown`]).
    fn shown(&self) -> Shown<'_>;
}

impl<P: AsRef<Path> + ?Sized> PathShow for P {
    fn shown(&self) -> Shown<'_> {
        Shown(self.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) {
        let text = from_bytes(bytes);
        assert_eq!(&*to_bytes(&text), bytes, "{bytes:?} -> {text:?}");
    }

    #[test]
    fn utf8_without_the_block_is_borrowed() {
        assert!(matches!(from_bytes(b"/var/log/app.log"), Cow::Borrowed(_)));
        assert!(matches!(from_bytes("caf\u{e9}.log".as_bytes()), Cow::Borrowed(_)));
        assert!(matches!(to_bytes("/var/log/app.log"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_kind_of_name_round_trips() {
        round_trip(b"plain.log");
        round_trip(b"latin1-\xe9t\xe9.log");
        round_trip(b"\xff\xfe\x80");
        round_trip(b"truncated-\xe2\x82");
        round_trip("private-\u{f780}\u{f7ff}-use".as_bytes());
        round_trip(b"mixed-\xe9-\xef\x9e\x80-\xc3\xa9");
        for b in 0..=255u8 {
            round_trip(&[b'a', b, b'z']);
        }
    }

    #[test]
    fn distinct_names_stay_distinct() {
        let a = from_bytes(b"\xe9");
        let b = from_bytes("\u{f7e9}".as_bytes());
        assert_ne!(a, b);
    }

    #[test]
    fn paths_round_trip() {
        let p = Path::new(OsStr::from_bytes(b"/tmp/\xe9.log"));
        assert_eq!(to_path(&path_text(p)), p);
    }
}
