//! The one place where what the engine says meets the process's stdout and stderr (the library
//! never prints; both binaries hand it this console).

use std::io::Write;

/// Writes straight through to the process's stderr and stdout, unbuffered, so the lines keep
/// their order with what scripts and compressors write to the same streams.
pub struct StdConsole;

impl logrotate::exec::report::Console for StdConsole {
    fn stderr(&mut self, bytes: &[u8]) {
        let _ = std::io::stderr().lock().write_all(bytes);
    }
    fn stdout(&mut self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes);
        let _ = out.flush();
    }
}
