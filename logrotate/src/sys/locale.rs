//! The C library's locale: `setlocale`, multibyte decoding, character classes and collation.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};

// glibc's `wint_t` is an unsigned 32-bit integer.
extern "C" {
    fn mbrtowc(pwc: *mut libc::wchar_t, s: *const c_char, n: usize, ps: *mut libc::c_void) -> usize;
    fn iswprint(wc: u32) -> c_int;
    fn iswblank(wc: u32) -> c_int;
}

/// `setlocale(LC_ALL, "")`: takes the locale from the environment.
///
/// Call it before the process starts threads that read the locale.
pub(crate) fn set_from_env() {
    // SAFETY: "" is a valid C string; the caller runs it before other threads use the locale.
    unsafe { libc::setlocale(libc::LC_ALL, c"".as_ptr()) };
}

/// The name of the current `LC_COLLATE` locale (`setlocale(LC_COLLATE, NULL)`).
pub(crate) fn collate_name() -> Option<Vec<u8>> {
    // SAFETY: a query; the returned string is copied at once.
    let name = unsafe { libc::setlocale(libc::LC_COLLATE, std::ptr::null()) };
    // SAFETY: setlocale returned a valid C string (checked for null first).
    (!name.is_null()).then(|| unsafe { CStr::from_ptr(name) }.to_bytes().to_vec())
}

/// `strcoll(a, b)` as an ordering.
pub(crate) fn strcoll(a: &CString, b: &CString) -> std::cmp::Ordering {
    // SAFETY: two valid C strings.
    unsafe { libc::strcoll(a.as_ptr(), b.as_ptr()) }.cmp(&0)
}

/// One character decoded from the front of `bytes` in the locale's encoding (`mbrtowc` with
/// its internal state, as 3.21 calls it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// A character and how many bytes it took; `printable` is `iswprint`, `blank` `iswblank`.
    Char {
        /// The byte length of the character.
        len: usize,
        /// `iswprint`.
        printable: bool,
        /// `iswblank`.
        blank: bool,
    },
    /// A NUL character.
    Nul,
    /// Not a (complete) character of the encoding.
    Invalid,
}

/// Decodes the character at the front of `bytes` (not empty).
pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    let mut wc: libc::wchar_t = 0;
    // SAFETY: `bytes` is valid for `bytes.len()` bytes; a null state makes mbrtowc use its own.
    let len = unsafe { mbrtowc(&mut wc, bytes.as_ptr().cast(), bytes.len(), std::ptr::null_mut()) };
    if len == 0 {
        return Decoded::Nul;
    }
    if len == usize::MAX || len == usize::MAX - 1 {
        return Decoded::Invalid;
    }
    // The same 32 bits as glibc's unsigned wint_t, as C converts them (wchar_t is i32 on
    // x86-64 and u32 on arm64, so no cast that names one of them).
    let wc = u32::from_ne_bytes(wc.to_ne_bytes());
    // SAFETY: plain functions of a wide character.
    let (printable, blank) = unsafe { (iswprint(wc) != 0, iswblank(wc) != 0) };
    Decoded::Char { len: len.min(bytes.len()), printable, blank }
}
