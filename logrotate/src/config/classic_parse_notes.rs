//! The parts of reading a classic config file that follow a stanza to its end, and the debug
//! lines 3.21's `readConfigFile` prints on the way (`-v`/`-d`): a frequency overriding
//! another, the paths and compression settings as they are now, and a stanza dropped.

use super::{Parse, Stanza};
use crate::config::classic::Loader;
use crate::config::directives::COMPRESS_EXT_BY_COMMAND;
use crate::config::Diagnostic;
use crate::rule::Rule;

impl Parse<'_> {
    /// 3.21's `set_criterium`: a debug line when a frequency (or `size`) replaces a
    /// different one given earlier in the file (since the last stanza ended).
    pub(super) fn note_criterion(&mut self, ld: &mut Loader, new: &str, old: Option<crate::rule::Criterion>) {
        use crate::rule::{Criterion, Frequency};
        let old = match old {
            Some(Criterion::Size(_)) => "size",
            Some(Criterion::Time(Frequency::Hourly)) => "hourly",
            Some(Criterion::Time(Frequency::Daily)) => "daily",
            Some(Criterion::Time(Frequency::Weekly(_))) => "weekly",
            Some(Criterion::Time(Frequency::Monthly)) => "monthly",
            Some(Criterion::Time(Frequency::Yearly)) => "yearly",
            None => "XXX",
        };
        if self.criterion_set && old != new {
            ld.out
                .diagnostics
                .push(Diagnostic::note(format!("note: '{new}' overrides previously specified '{old}'")));
        }
        self.criterion_set = true;
    }

    /// The debug lines 3.21 prints after some directives (`olddir is now DIR`, ...).
    pub(super) fn note_directive(&mut self, ld: &mut Loader, key: &str, text: &str) {
        let o = self.options(ld).clone();
        let mut notes = Vec::new();
        match key {
            "olddir" => {
                let now = o.olddir.unwrap_or_default();
                if now != text {
                    notes.push(format!("replaced '{text}' with '{now}'"));
                }
                notes.push(format!("olddir is now {now}"));
            }
            "extension" => notes.push(format!("extension is now {}", o.extension.unwrap_or_default())),
            "addextension" => {
                notes.push(format!("addextension is now {}", o.add_extension.unwrap_or_default()))
            }
            "compresscmd" => {
                notes.push(format!("compress_prog is now {}", o.compress_cmd));
                let base = text.rsplit('/').next().unwrap_or(text);
                if let Some((_, ext)) = COMPRESS_EXT_BY_COMMAND.iter().find(|(cmd, _)| *cmd == base) {
                    notes.push(format!("compress_ext was changed to {ext}"));
                }
            }
            "uncompresscmd" => notes.push(format!("uncompress_prog is now {}", o.uncompress_cmd)),
            "compressoptions" => notes.push(format!("compress_options is now {text}")),
            "compressext" => {
                notes.push(format!("compress_ext is now {}", o.compress_ext.unwrap_or_default()))
            }
            _ => {}
        }
        ld.out.diagnostics.extend(notes.into_iter().map(Diagnostic::note));
    }

    /// The stanza being read is dropped (3.21's `freeTailLogs(1)`); its duplicate lines
    /// stay.
    pub(super) fn drop_stanza(&mut self, ld: &mut Loader) {
        if let Some(st) = self.stanza.take() {
            self.settle(ld, st);
            removing_last_config(ld);
        }
    }

    /// The stanza has ended (kept or not): its `duplicate log entry` lines are put where
    /// its header was read, as it turns out to have `ignoreduplicates` or not. Returns the
    /// rule and its log files.
    pub(super) fn settle(&mut self, ld: &mut Loader, st: Stanza) -> (Rule, Vec<std::path::PathBuf>) {
        let (files, msgs, duplicate) = if st.rule.options.ignore_duplicates { st.lenient } else { st.strict };
        self.failed |= duplicate;
        let at = st.diag_at.min(ld.out.diagnostics.len());
        ld.out.diagnostics.splice(at..at, msgs);
        (st.rule, files)
    }
}

/// 3.21's debug line when a stanza is dropped (`freeTailLogs(1)`).
pub(super) fn removing_last_config(ld: &mut Loader) {
    ld.out.diagnostics.push(Diagnostic::note("removing last 1 log configs"));
}
