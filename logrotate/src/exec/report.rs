//! Where messages go: stderr as `error: …` / `warning: …`, verbose notes with `-v`, and an
//! optional copy to a log file (`-l FILE`) or syslog (`-l syslog`).
//!
//! The library never prints: the lines are handed, in order, to a [`Console`] that the binary
//! passes in (scripts write to the same stderr while a pass runs, so each line goes out as soon
//! as it is said, not in a report at the end).

use std::fs::File;
use std::io::Write;

/// sd-daemon priorities (`sd-daemon(3)`), written before each line for journald.
const ERR: u8 = 3;
const WARNING: u8 = 4;
const INFO: u8 = 6;
const DEBUG: u8 = 7;

/// Where the binary puts what the library says: the library itself never writes to stdout or
/// stderr.
pub trait Console {
    /// Bytes for stderr (messages, line ends included), written at once.
    fn stderr(&mut self, bytes: &[u8]);
    /// Bytes for stdout (`--plan-json`, `--dump-toml`, `--status`).
    fn stdout(&mut self, bytes: &[u8]);
}

/// A [`Console`] that keeps what it is given (for tests, and callers that print later). Its
/// clones share one buffer: keep one, hand another to the [`Reporter`].
#[derive(Debug, Default, Clone)]
pub struct Captured {
    streams: std::sync::Arc<std::sync::Mutex<(Vec<u8>, Vec<u8>)>>,
}

impl Captured {
    fn with<T>(&self, f: impl FnOnce(&mut (Vec<u8>, Vec<u8>)) -> T) -> T {
        f(&mut self.streams.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Everything written to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.with(|s| String::from_utf8_lossy(&s.0).into_owned())
    }

    /// Everything written to stdout so far.
    pub fn stdout_text(&self) -> String {
        self.with(|s| String::from_utf8_lossy(&s.1).into_owned())
    }
}

impl Console for Captured {
    fn stderr(&mut self, bytes: &[u8]) {
        self.with(|s| s.0.extend_from_slice(bytes));
    }
    fn stdout(&mut self, bytes: &[u8]) {
        self.with(|s| s.1.extend_from_slice(bytes));
    }
}

/// Formats messages and hands them to a [`Console`], remembering whether any error was reported.
pub struct Reporter {
    verbose: bool,
    timestamps: bool,
    journal: bool,
    log: Option<LogTarget>,
    errors: usize,
    console: Box<dyn Console>,
    /// While a batch of compressions waits (see `exec::batch`), what is said is kept here, one
    /// segment per waiting job, and said later in the order of a sequential run.
    held: Option<Vec<Vec<Held>>>,
}

/// A message kept while a batch waits.
#[derive(Debug)]
pub(crate) enum Held {
    /// Through [`Reporter::emit_with`].
    Line { line: String, priority: u8, to_stderr: bool, newline: bool },
    /// Through [`Reporter::passthrough`].
    Passthrough(String),
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter")
            .field("verbose", &self.verbose)
            .field("timestamps", &self.timestamps)
            .field("journal", &self.journal)
            .field("log", &self.log)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
enum LogTarget {
    File(File),
    Syslog,
}

impl Reporter {
    /// A reporter writing to `console`; `verbose` prints notes as well as warnings and errors.
    pub fn new(verbose: bool, console: Box<dyn Console>) -> Self {
        Reporter { verbose, timestamps: false, journal: false, log: None, errors: 0, console, held: None }
    }

    /// Text for stdout, as it is (the documents `--plan-json`, `--dump-toml` and `--status`
    /// print).
    pub fn print(&mut self, text: &str) {
        self.console.stdout(&crate::pathbytes::to_bytes(text));
    }

    /// Text for stderr only, as it is: not a message of ours (a compressor's own words, a
    /// hint under an error), so neither prefixed nor copied to the log.
    pub fn passthrough(&mut self, text: &str) {
        if let Some(segment) = self.held.as_mut().and_then(|h| h.last_mut()) {
            segment.push(Held::Passthrough(text.to_string()));
            return;
        }
        self.console.stderr(text.as_bytes());
    }

    /// From now on keeps what is said in a new segment instead of saying it (a job of a batch
    /// was put off: what follows it in the plan must come out after what it says).
    pub(crate) fn hold_next(&mut self) {
        self.held.get_or_insert_with(Vec::new).push(Vec::new());
    }

    /// Stops keeping messages and gives back the segments kept, in order.
    pub(crate) fn take_held(&mut self) -> Vec<Vec<Held>> {
        self.held.take().unwrap_or_default()
    }

    /// Says what was kept.
    pub(crate) fn replay(&mut self, segment: Vec<Held>) {
        for held in segment {
            match held {
                Held::Line { line, priority, to_stderr, newline } => {
                    self.emit_with(&line, priority, to_stderr, newline);
                }
                Held::Passthrough(text) => self.passthrough(&text),
            }
        }
    }

    /// Prefix every line with the local time (for the daemon, whose stderr goes to journald
    /// or a file).
    pub fn with_timestamps(mut self) -> Self {
        self.timestamps = true;
        self
    }

    /// Write for journald (the daemon's stderr is `$JOURNAL_STREAM`): each line on stderr
    /// starts with its sd-daemon priority (`<3>` error, `<4>` warning, `<6>` info, `<7>` a
    /// verbose note) so that `journalctl -p` can filter, and carries no timestamp of its own
    /// (the journal adds one). A log file or syslog copy is written as before.
    pub fn for_journal(mut self) -> Self {
        self.journal = true;
        self.timestamps = false;
        self
    }

    /// A note printed even without `-v` (the daemon reports each rotation this way).
    pub fn notice(&mut self, msg: &str) {
        self.emit(&format!("info: {msg}"), INFO, true);
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

    fn emit(&mut self, line: &str, priority: u8, to_stderr: bool) {
        self.emit_with(line, priority, to_stderr, true);
    }

    fn emit_with(&mut self, line: &str, priority: u8, to_stderr: bool, newline: bool) {
        // Nowhere to go (a verbose note without -v or -l): not even held for later.
        if !to_stderr && self.log.is_none() {
            return;
        }
        if let Some(segment) = self.held.as_mut().and_then(|h| h.last_mut()) {
            let line = line.to_string();
            segment.push(Held::Line { line, priority, to_stderr, newline });
            return;
        }
        // A line left open is only possible where lines are not stamped or prefixed.
        let newline = newline || self.timestamps || self.journal;
        let end = if newline { "\n" } else { "" };
        let stamped;
        let line = if self.timestamps {
            stamped = format!("{} {line}", chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f"));
            stamped.as_str()
        } else {
            line
        };
        if to_stderr && self.journal {
            // journald reads each line as an entry: every one gets the prefix.
            let prefixed: Vec<String> = line.lines().map(|l| format!("<{priority}>{l}")).collect();
            self.console.stderr(format!("{}\n", prefixed.join("\n")).as_bytes());
        } else if to_stderr {
            // Names that are not UTF-8 come out as the bytes they are (see `pathbytes`).
            let mut bytes = crate::pathbytes::to_bytes(line).into_owned();
            bytes.extend_from_slice(end.as_bytes());
            self.console.stderr(&bytes);
        }
        match &mut self.log {
            Some(LogTarget::File(f)) => {
                let _ = f.write_all(&crate::pathbytes::to_bytes(line));
                let _ = f.write_all(end.as_bytes());
            }
            Some(LogTarget::Syslog) => syslog(line),
            None => {}
        }
    }

    /// Reports an error (exit status 1).
    pub fn error(&mut self, msg: &str) {
        self.errors += 1;
        self.emit(&format!("error: {msg}"), ERR, true);
    }

    /// Prints an `error:` line that, as the same message in logrotate 3.21, does not change the
    /// exit status (the run dealt with the problem and went on).
    pub fn error_without_status(&mut self, msg: &str) {
        self.emit(&format!("error: {msg}"), ERR, true);
    }

    /// Reports a warning.
    pub fn warning(&mut self, msg: &str) {
        self.emit(&format!("warning: {msg}"), WARNING, true);
    }

    /// A verbose note.
    pub fn info(&mut self, msg: &str) {
        let v = self.verbose;
        self.emit(msg, DEBUG, v);
    }

    /// A verbose note without its line end: the next message continues the line, as 3.21's
    /// `acquired lock on state file PATH` runs into `Reading state from file: PATH`. (The
    /// daemon's stamped or journal lines always end.)
    pub fn info_unterminated(&mut self, msg: &str) {
        let v = self.verbose;
        self.emit_with(msg, DEBUG, v, false);
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
    crate::sys::syslog::info(line);
}

/// An I/O error in C's words (`strerror`), as 3.21 prints it: `No such file or directory`,
/// without Rust's ` (os error 2)`.
pub fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) if e.raw_os_error().is_some() => text[..at].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reporter(verbose: bool) -> (Reporter, Captured) {
        let seen = Captured::default();
        (Reporter::new(verbose, Box::new(seen.clone())), seen)
    }

    #[test]
    fn messages_reach_the_console_in_order_and_only_there() {
        let (mut out, seen) = reporter(false);
        out.warning("w");
        out.info("not said without -v");
        out.passthrough("a compressor's own words\n");
        out.error("e");
        out.print("{}\n");
        assert_eq!(seen.stderr_text(), "warning: w\na compressor's own words\nerror: e\n");
        assert_eq!(seen.stdout_text(), "{}\n");
        assert_eq!(out.error_count(), 1);
    }

    #[test]
    fn verbose_notes_may_run_into_the_next_line_and_journal_lines_carry_priorities() {
        let (mut out, seen) = reporter(true);
        out.info_unterminated("acquired lock on state file s");
        out.info("Reading state from file: s");
        assert_eq!(seen.stderr_text(), "acquired lock on state file sReading state from file: s\n");
        let seen = Captured::default();
        let mut journal = Reporter::new(true, Box::new(seen.clone())).for_journal();
        journal.error("two\nlines");
        journal.info("note");
        assert_eq!(seen.stderr_text(), "<3>error: two\n<3>lines\n<7>note\n");
    }

    #[test]
    fn held_segments_come_out_where_they_are_replayed() {
        let (mut out, seen) = reporter(true);
        out.info("before");
        out.hold_next();
        out.info("after job 0");
        out.hold_next();
        out.passthrough("after job 1\n");
        out.error("counted at once");
        assert_eq!(seen.stderr_text(), "before\n");
        assert_eq!(out.error_count(), 1);
        let mut held = out.take_held().into_iter();
        out.info("job 0");
        out.replay(held.next().unwrap());
        out.info("job 1");
        out.replay(held.next().unwrap());
        assert_eq!(
            seen.stderr_text(),
            "before\njob 0\nafter job 0\njob 1\nafter job 1\nerror: counted at once\n"
        );
    }
}
