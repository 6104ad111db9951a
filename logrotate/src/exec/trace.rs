//! The lines `-v`, `-d` and `-l` print about each log set and log, in logrotate 3.21's words
//! (its debug messages), so that people and scripts reading them see what they know.

use super::report::Reporter;
use crate::pathbytes::PathShow as _;
use crate::plan::{Decision, Due, LogPlan, Rotation, SetPlan, Skip};
use crate::rule::{Criterion, Frequency, Keep, MoveMethod, Options, Rule};
use chrono::NaiveDateTime;

/// Whether a pass was forced, and by whom: the header of each log set says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Forced {
    /// Not forced: the rules decide.
    #[default]
    No,
    /// `logrotate -f`: 3.21's words, `forced from command line`.
    FromCommandLine,
    /// `logrotated` got SIGUSR1: `forced by SIGUSR1` (there is no command line to speak of).
    BySignal,
}

impl Forced {
    /// Whether every log rotates whatever its rule says.
    pub fn is_forced(self) -> bool {
        self != Forced::No
    }

    /// How the set header words it, if forced.
    pub fn words(self) -> Option<&'static str> {
        match self {
            Forced::No => None,
            Forced::FromCommandLine => Some("forced from command line"),
            Forced::BySignal => Some("forced by SIGUSR1"),
        }
    }
}

/// The header of a log set: `rotating pattern: …` and the summary of its options.
pub fn set_header(rule: &Rule, set: &SetPlan, forced: Forced) -> Vec<String> {
    let o = &rule.options;
    let how = if let Some(words) = forced.words() {
        format!("{words} ")
    } else {
        match o.criterion {
            Some(Criterion::Time(Frequency::Hourly)) => "hourly ".into(),
            Some(Criterion::Time(Frequency::Daily)) => "after 1 days ".into(),
            Some(Criterion::Time(Frequency::Weekly(_))) => "weekly ".into(),
            Some(Criterion::Time(Frequency::Monthly)) => "monthly ".into(),
            Some(Criterion::Time(Frequency::Yearly)) => "yearly ".into(),
            Some(Criterion::Size(n)) => format!("{n} bytes "),
            None => String::new(),
        }
    };
    let count = match o.keep {
        Keep::Count(0) => "(no old logs will be kept)".to_string(),
        Keep::Count(n) => format!("({n} rotations)"),
        Keep::All => String::new(),
    };
    let mut second = String::new();
    if let Some(dir) = &o.olddir {
        second.push_str(&format!("olddir is {dir}, "));
    }
    second.push_str(if o.if_empty {
        "empty log files are rotated, "
    } else {
        "empty log files are not rotated, "
    });
    if let Some(n) = o.min_size {
        second.push_str(&format!("only log files >= {n} bytes are rotated, "));
    }
    if let Some(n) = o.max_size {
        second.push_str(&format!("log files >= {n} are rotated earlier, "));
    }
    if let Some(n) = o.min_age.map(|d| d.as_secs() / crate::rule::DAY.as_secs()) {
        second.push_str(&format!("only log files older than {n} days are rotated, "));
    }
    match &o.mail {
        Some(address) => second.push_str(&format!("old logs mailed to {address}")),
        None => second.push_str("old logs are removed"),
    }
    // Without a count (`rotate -1`) 3.21 ends no line there: the summary runs on.
    let mut lines = if count.is_empty() {
        vec![String::new(), format!("rotating pattern: {} {how}{second}", set.pattern)]
    } else {
        vec![String::new(), format!("rotating pattern: {} {how}{count}", set.pattern), second]
    };
    if set.logs.is_empty() {
        lines.push("No logs found. Rotation not needed.".into());
    }
    lines
}

/// What is said about one log while deciding, in 3.21's order: `considering log …`, the
/// clock and the last rotation, whether it needs rotating (and if not, why), its error, and
/// `Creating new state` where 3.21 makes its entry. Returns whether an error was reported.
pub fn consider(out: &mut Reporter, log: &LogPlan, now: NaiveDateTime) -> bool {
    let verbose = out.wants_info();
    if verbose {
        out.info(&format!("considering log {}", log.path.shown()));
        if log.is_new && log.is_found {
            out.info("Creating new state");
        }
    }
    let mut failed = false;
    match &log.decision {
        Decision::Skip(whys) if whys.iter().any(Skip::is_not_needed) => {
            if verbose {
                say_clock(out, log, now);
                let lines: Vec<String> = whys.iter().map(ToString::to_string).collect();
                out.info(&format!("  {}", lines.join("\n  ")));
            }
        }
        // Missing, a link, hard links: said without the clock lines.
        Decision::Skip(_) => {
            for line in log.decision.lines() {
                out.info(&format!("  {line}"));
            }
        }
        Decision::Rotate(why, _) => {
            if verbose {
                say_clock(out, log, now);
            }
            if let Due::LastRotatedInFuture { .. } = why {
                // logrotate says so as an error, without failing the run.
                out.error_without_status(&why.to_string());
            }
            if verbose {
                out.info("  log needs rotating");
            }
        }
        Decision::Error(why) => {
            out.error(&why.to_string());
            failed = true;
        }
        Decision::Warn(why) => out.warning(&why.to_string()),
    }
    if verbose && log.is_new && !log.is_found {
        out.info("Creating new state");
    }
    failed
}

/// 3.21's clock lines before it says whether a log needs rotating.
fn say_clock(out: &mut Reporter, log: &LogPlan, now: NaiveDateTime) {
    let stamp = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
    out.info(&format!("  Now: {}", stamp(now)));
    out.info(&format!("  Last rotated at {}", stamp(log.last_rotated)));
}

/// `rotating log …, log->rotateCount is N`: where a log's rotation starts.
pub fn rotating_log(o: &Options, log: &LogPlan) -> String {
    format!("rotating log {}, log->rotateCount is {}", log.path.shown(), o.keep)
}

/// How the log is moved (and the new one created), as logrotate says it: `renaming X to Y`,
/// `copying X to Y` and `truncating X`, `creating new X mode = 0640 uid = 0 gid = 4`.
pub fn move_lines(o: &Options, log: &LogPlan, r: &Rotation) -> Vec<String> {
    let (path, to) = (log.path.shown(), r.rotated.shown());
    let mut lines = match r.method {
        MoveMethod::Rename => vec![format!("renaming {path} to {to}")],
        MoveMethod::RenameCopy => vec![format!("renaming {path} to {path}.tmp")],
        // (With `renamecopy` too the executor does not get to say these.)
        MoveMethod::Copy | MoveMethod::CopyAndRenameCopy => vec![
            format!("{}copying {path} to {to}", if r.skip_copy { "skip " } else { "" }),
            format!("Not truncating {path}"),
        ],
        MoveMethod::CopyTruncate => {
            vec![
                format!("{}copying {path} to {to}", if r.skip_copy { "skip " } else { "" }),
                format!("truncating {path}"),
            ]
        }
    };
    if o.keep == Keep::Count(0) && matches!(r.method, MoveMethod::Rename | MoveMethod::RenameCopy) {
        let ext = if o.compress && !o.delay_compress { o.effective_compress_ext() } else { String::new() };
        lines.push(format!("disposeName will be {to}{ext}"));
    }
    let looked_at = r.create.as_ref().map(|spec| (spec, std::fs::symlink_metadata(&log.path)));
    if let Some((spec, Ok(md))) = looked_at {
        use std::os::unix::fs::MetadataExt;
        let id =
            |owner: &Option<crate::rule::Owner>,
             resolve: fn(&crate::rule::Owner) -> Option<u32>,
             dflt: u32| { owner.as_ref().map_or(Some(dflt), resolve).map_or(-1, i64::from) };
        let uid = id(&spec.owner, super::ids::resolve_user, md.uid());
        let gid = id(&spec.group, super::ids::resolve_group, md.gid());
        let mode = spec.mode.unwrap_or(md.mode() & 0o777);
        lines.push(format!("creating new {path} mode = 0{mode:o} uid = {uid} gid = {gid}"));
    }
    lines
}

/// 3.21's lines about the `su` identity of a set (`switching euid from A to B and egid from C
/// to D (pid N)`), when it differs from ours.
pub struct SuSwitch {
    /// Taking it, at the start of the set.
    pub there: String,
    /// Giving it back, at the end.
    pub back: String,
    /// What a script's child says (back to root), without ` (pid N)`.
    pub child_back: String,
    /// What a compressing or shredding child says (the `su` user for good), without the pid.
    pub child_for_good: String,
}

/// The lines of [`SuSwitch`] for `o`, if its `su` identity differs from ours.
pub fn su_switch(o: &Options) -> Option<SuSwitch> {
    let (uid, gid) = super::ids::su_ids(o.su.as_ref()?)?;
    let (euid, egid) = super::ids::effective_ids();
    if (euid, egid) == (uid, gid) {
        return None;
    }
    let pid = std::process::id();
    let line =
        |a: u32, b: u32, c: u32, d: u32| format!("switching euid from {a} to {b} and egid from {c} to {d}");
    Some(SuSwitch {
        there: format!("{} (pid {pid})", line(euid, uid, egid, gid)),
        back: format!("{} (pid {pid})", line(uid, euid, gid, egid)),
        child_back: line(uid, euid, gid, egid),
        child_for_good: format!("switching uid to {uid} and gid to {gid} permanently"),
    })
}
