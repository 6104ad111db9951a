//! Where messages go: stderr as `error: …` / `warning: …`, verbose notes with `-v`, and an
//! optional copy to a log file (`-l FILE`) or syslog (`-l syslog`).

use std::fs::File;
use std::io::Write;

/// Collects and prints messages, remembering whether any error was reported.
#[derive(Debug, Default)]
pub struct Reporter {
    verbose: bool,
    timestamps: bool,
    log: Option<LogTarget>,
    errors: usize,
}

#[derive(Debug)]
enum LogTarget {
    File(File),
    Syslog,
}

impl Reporter {
    /// A reporter; `verbose` prints notes as well as warnings and errors.
    pub fn new(verbose: bool) -> Self {
        Reporter { verbose, timestamps: false, log: None, errors: 0 }
    }

    /// Prefix every line with the local time (for the daemon, whose stderr goes to journald
    /// or a file).
    pub fn with_timestamps(mut self) -> Self {
        self.timestamps = true;
        self
    }

    /// A note printed even without `-v` (the daemon reports each rotation this way).
    pub fn notice(&mut self, msg: &str) {
        self.emit(&format!("info: {msg}"), true);
    }

    /// Also write every message to `target` (a path, or `syslog`).
    ///
    /// # Errors
    ///
    /// The log file cannot be created or truncated.
    pub fn log_to(&mut self, target: &str) -> std::io::Result<()> {
        self.log = Some(if target == "syslog" {
            LogTarget::Syslog
        } else {
            // Truncated at start, as logrotate opens it ("w").
            LogTarget::File(std::fs::File::create(target)?)
        });
        Ok(())
    }

    fn emit(&mut self, line: &str, to_stderr: bool) {
        let stamped;
        let line = if self.timestamps {
            stamped = format!("{} {line}", chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f"));
            stamped.as_str()
        } else {
            line
        };
        if to_stderr {
            eprintln!("{line}");
        }
        match &mut self.log {
            Some(LogTarget::File(f)) => {
                let _ = writeln!(f, "{line}");
            }
            Some(LogTarget::Syslog) => syslog(line),
            None => {}
        }
    }

    /// Reports an error (exit status 1).
    pub fn error(&mut self, msg: &str) {
        self.errors += 1;
        self.emit(&format!("error: {msg}"), true);
    }

    /// Prints an `error:` line that, as the same message in logrotate 3.21, does not change the
    /// exit status (the run dealt with the problem and went on).
    pub fn error_without_status(&mut self, msg: &str) {
        self.emit(&format!("error: {msg}"), true);
    }

    /// Reports a warning.
    pub fn warning(&mut self, msg: &str) {
        self.emit(&format!("warning: {msg}"), true);
    }

    /// A verbose note.
    pub fn info(&mut self, msg: &str) {
        let v = self.verbose;
        self.emit(msg, v);
    }

    /// Whether verbose notes go anywhere (`-v`, `-d` or `-l`): callers skip building them if not.
    pub fn wants_info(&self) -> bool {
        self.verbose || self.log.is_some()
    }

    /// How many errors were reported.
    pub fn error_count(&self) -> usize {
        self.errors
    }
}

fn syslog(line: &str) {
    if let Ok(c) = std::ffi::CString::new(line.replace('%', "%%")) {
        // SAFETY: the format string is a valid NUL-terminated literal and `c` outlives the call.
        unsafe { libc::syslog(libc::LOG_INFO, c"%s".as_ptr(), c.as_ptr()) };
    }
}
