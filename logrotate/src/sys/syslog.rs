//! `syslog(3)`, for `--log syslog`.

/// Sends `line` to syslog at `LOG_INFO` (the facility `openlog` chose, `LOG_USER` by default).
/// A line with a NUL byte is dropped.
pub(crate) fn info(line: &str) {
    if let Ok(c) = std::ffi::CString::new(line) {
        // SAFETY: the format is a NUL-terminated literal taking one string, and `c` is a valid
        // C string that outlives the call; `%` in the line is never read as a format.
        unsafe { libc::syslog(libc::LOG_INFO, c"%s".as_ptr(), c.as_ptr()) };
    }
}
