//! The steps that rotate one log, in logrotate's order:
//! prepare (delayed compression, shifting `.N` archives) → prerotate script → move the log →
//! create → postrotate script → finish (compress, mail, remove what falls past `rotate`/`maxage`).

use crate::pathbytes::PathShow as _;
mod chains;

use super::names::{numbered, split_ext, NameSet};
use super::FileFacts;
use super::Refusal;
use crate::dateext;
use crate::rule::{CreateSpec, Keep, MailWhen, MoveMethod, Options, Rule};
use chains::{dated, numbered_chain};
use chrono::{NaiveDateTime, Timelike};
use serde::Serialize;
use std::path::PathBuf;

/// One filesystem step of a rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "lowercase")]
pub enum Step {
    /// Create the archive directory (`createolddir`).
    CreateDir {
        /// Directory.
        path: PathBuf,
        /// Mode and owner.
        spec: CreateSpec,
    },
    /// Rename an archive.
    Rename {
        /// From.
        from: PathBuf,
        /// To.
        to: PathBuf,
    },
    /// Compress `src` into `dst` and remove `src` on success.
    Compress {
        /// Source.
        src: PathBuf,
        /// Archive.
        dst: PathBuf,
    },
    /// Mail a file (decompressed if it is compressed) with the given subject.
    Mail {
        /// The file.
        path: PathBuf,
        /// Subject line.
        subject: String,
        /// Whether the file is compressed.
        compressed: bool,
    },
    /// Remove an archive (after `preremove`; shredded with `shred`).
    Remove {
        /// The file.
        path: PathBuf,
    },
}

/// A line `-v` prints while the older archives are prepared, or a prepare step, in 3.21's
/// order (its `prerotateSingleLog`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Said in any run.
    Say(Line),
    /// Said only when the steps really run (3.21 learns it from a rename that failed).
    SayIfReal(Line),
    /// Said only in a dry run (3.21 then looks at the unchanged disk).
    SayIfDry(Line),
    /// The prepare step with this index.
    Step(usize),
}

/// A `-v` line of the prepare phase, and what 3.21 was doing when it said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Its words.
    pub text: String,
    /// What it reports.
    pub kind: LineKind,
}

/// What a prepare line reports, besides its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A note.
    Plain,
    /// A file 3.21 looked for and did not find (its call failed with ENOENT).
    NotFound,
    /// The archive it would dispose of is not there: said even after a failed shift, as 3.21
    /// still looks for it when it leaves its loop over the archives.
    DisposalNotFound,
}

impl Line {
    /// A note.
    pub fn plain(text: String) -> Line {
        Line { text, kind: LineKind::Plain }
    }

    /// A file looked for and not found.
    pub fn not_found(text: String) -> Line {
        Line { text, kind: LineKind::NotFound }
    }
}

/// Everything that rotates one log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rotation {
    /// Steps before the prerotate script.
    pub prepare: Vec<Step>,
    /// After `prepare`, the log is not moved after all, and this error is reported (today's
    /// dated archive exists already). Scripts and mail see it as a failed rotation, as in 3.21.
    pub refused: Option<Refusal>,
    /// How the log is moved: the rule's. 3.21's `copy` with `renamecopy`
    /// ([`MoveMethod::CopyAndRenameCopy`]) names archives as a copy does (the executor then
    /// does as 3.21 does: neither moves nor copies the log).
    pub method: MoveMethod,
    /// The archive the log becomes (before compression); `$2` of postrotate.
    pub rotated: PathBuf,
    /// `rotate 0` with `copy`/`copytruncate`: no copy is made (`copytruncate` only truncates).
    pub skip_copy: bool,
    /// Create a new empty log with this spec after moving it.
    pub create: Option<CreateSpec>,
    /// Steps after the postrotate script.
    pub finish: Vec<Step>,
    /// The `-v` lines and the `prepare` steps, interleaved as 3.21 says them.
    #[serde(skip)]
    pub trace: Vec<Note>,
    /// An archive disposed of in `finish` that is not there before the shift: a dry run, which
    /// does not shift, does not mention its removal (3.21 looks at the disk).
    #[serde(skip)]
    pub unsaid_in_dry_run: Option<PathBuf>,
}

struct Ctx<'a> {
    rule: &'a Rule,
    f: &'a FileFacts,
    base: String,
    ext: String,
    compext: String,
    names: NameSet,
    /// Modification time of each archive, under its current (planned) name.
    mtimes: std::collections::HashMap<String, NaiveDateTime>,
    prepare: Vec<Step>,
    finish: Vec<Step>,
    /// Why the log must not be moved after all (its dated archive exists already).
    refused: Option<Refusal>,
    trace: Vec<Note>,
    unsaid_in_dry_run: Option<PathBuf>,
    /// Whether the lines of `trace` are read (`-v`, `-d`, `--plan-json`): without, they keep
    /// their kind but not their words (10,000 logs' lines cost more than their moves).
    words: bool,
}

impl Ctx<'_> {
    /// The words of a line, when they are read.
    fn text(&self, words: impl FnOnce() -> String) -> String {
        if self.words {
            words()
        } else {
            String::new()
        }
    }

    /// Plans a step before the prerotate script.
    fn prepare(&mut self, step: Step) {
        self.trace.push(Note::Step(self.prepare.len()));
        self.prepare.push(step);
    }

    fn say(&mut self, line: String) {
        self.trace.push(Note::Say(Line::plain(line)));
    }

    fn path(&self, name: &str) -> PathBuf {
        self.f.archive_dir.join(crate::pathbytes::to_os(name))
    }

    fn mail_step(&self, name: &str, subject: String) -> Option<Step> {
        self.rule.options.mail.as_ref()?;
        // 3.21 uncompresses what it mails whenever `compress` is on, unless `mailfirst` mails
        // a log `delaycompress` left plain (an uncompressed archive mailed last then fails).
        let o = &self.rule.options;
        let compressed = o.compress && !(o.mail_when == MailWhen::First && o.delay_compress);
        Some(Step::Mail { path: self.path(name), subject, compressed })
    }

    /// Mails (with `maillast`) and removes an archive, in the finish phase.
    fn dispose(&mut self, name: &str) {
        if self.rule.options.mail_when == MailWhen::Last {
            if let Some(m) = self.mail_step(name, self.path(name).shown().to_string()) {
                self.finish.push(m);
            }
        }
        self.finish.push(Step::Remove { path: self.path(name) });
        self.names.remove(name);
    }

    /// Mails (whatever `mail*` says, as logrotate does for these) and removes an archive before
    /// the log moves: one past `maxage`, or an old dated one beyond `rotate`.
    fn expire(&mut self, name: &str) {
        let o = &self.rule.options;
        // logrotate's subject: the file, or the log's own path with `mailfirst` + `compress`.
        let subject = if o.mail_when == MailWhen::First && o.compress && !o.delay_compress {
            self.f.path.shown().to_string()
        } else {
            self.path(name).shown().to_string()
        };
        if let Some(m) = self.mail_step(name, subject) {
            self.prepare(m);
        }
        if self.rule.options.date_ext {
            // 3.21's own line before its removal of an old dated archive.
            let line = self.text(|| format!("removing {}", self.path(name).shown()));
            self.say(line);
        }
        self.prepare(Step::Remove { path: self.path(name) });
        self.names.remove(name);
    }

    /// Whether an archive is past `maxage`.
    fn is_too_old(&self, name: &str, now: NaiveDateTime) -> bool {
        let Some(limit) = self.rule.options.max_age else { return false };
        // An age past `i64` seconds is never reached.
        let Ok(limit) = i64::try_from(limit.as_secs()) else { return false };
        self.mtimes.get(name).is_some_and(|&t| whole_seconds_between(t, now) > limit)
    }
}

/// Plans the steps for a log that is to rotate.
///
/// # Errors
///
/// The olddir is missing (and not to be created).
pub fn plan_rotation(
    rule: &Rule,
    f: &FileFacts,
    now: NaiveDateTime,
    words: bool,
) -> Result<Rotation, Refusal> {
    let o = &rule.options;
    let file_name = f.path.file_name().map(|n| crate::pathbytes::from_os(n).into_owned()).unwrap_or_default();
    let (base, ext) = split_ext(o, &file_name);
    let compext = if o.compress { o.effective_compress_ext() } else { String::new() };
    let mut cx = Ctx {
        rule,
        f,
        base,
        ext,
        compext,
        names: NameSet::new(f.archives.iter().map(|a| a.name.clone())),
        mtimes: f.archives.iter().map(|a| (a.name.clone(), a.mtime)).collect(),
        prepare: Vec::new(),
        finish: Vec::new(),
        refused: None,
        trace: Vec::new(),
        unsaid_in_dry_run: None,
        words,
    };
    say_dateext(&mut cx, now);
    if !f.archive_dir_exists {
        match &o.create_olddir {
            Some(spec) if o.olddir.is_some() => {
                cx.prepare(Step::CreateDir { path: f.archive_dir.clone(), spec: spec.clone() })
            }
            _ => return Err(Refusal::OlddirMissing { dir: f.archive_dir.clone() }),
        }
    }
    let rotated_name = if o.date_ext { dated(&mut cx, now) } else { numbered_chain(&mut cx, now) };
    let rotated = cx.path(&rotated_name);
    let method = o.move_method;
    let copying = method.is_copying();
    let compress_now = o.compress && !o.delay_compress;
    let final_name =
        if compress_now { format!("{rotated_name}{}", cx.compext) } else { rotated_name.clone() };
    if o.keep == Keep::Count(0) {
        // As logrotate: the log is rotated once, then removed, so scripts and mail still see
        // it. With `copy`/`copytruncate` nothing is copied (the log is only truncated), and what
        // is removed is the archive the shift moved to `.START+1`, if any.
        let dispose = if copying {
            let shifted = numbered(&cx.base, o.start.saturating_add(1), &cx.ext, &cx.compext);
            // Only there once the shift ran: a dry run does not see it (nor say its removal).
            if !f.archives.iter().any(|a| a.name == shifted) {
                cx.unsaid_in_dry_run = Some(cx.path(&shifted));
            }
            (!o.date_ext && cx.names.contains(&shifted)).then_some(shifted)
        } else {
            Some(final_name.clone())
        };
        // (With copy/copytruncate nothing was written there: 3.21 tries, and says it cannot
        // open the file.)
        if compress_now {
            // First, as 3.21 compresses before it mails or removes anything.
            cx.finish.insert(0, Step::Compress { src: rotated.clone(), dst: cx.path(&final_name) });
        }
        let mailed = match o.mail_when {
            MailWhen::First => Some(final_name.clone()),
            MailWhen::Last => dispose.clone(),
        };
        if let Some(name) = mailed {
            let subject = if o.mail_when == MailWhen::First && compress_now {
                f.path.shown().to_string()
            } else {
                cx.path(&name).shown().to_string()
            };
            if let Some(m) = cx.mail_step(&name, subject) {
                cx.finish.push(m);
            }
        }
        if let Some(name) = dispose {
            cx.finish.push(Step::Remove { path: cx.path(&name) });
        }
    } else {
        if compress_now {
            cx.finish.insert(0, Step::Compress { src: rotated.clone(), dst: cx.path(&final_name) });
        }
        if o.mail_when == MailWhen::First {
            // logrotate's subject is the archive name, or the log's own path once compressed.
            let subject = if final_name == rotated_name { rotated.shown() } else { f.path.shown() };
            if let Some(m) = cx.mail_step(&final_name, subject.to_string()) {
                let at = cx.finish.iter().take_while(|s| matches!(s, Step::Compress { .. })).count();
                cx.finish.insert(at, m);
            }
        }
    }
    let create = if copying { None } else { o.create.clone() };
    let skip_copy = copying && o.keep == Keep::Count(0);
    Ok(Rotation {
        prepare: cx.prepare,
        refused: cx.refused,
        method,
        rotated,
        skip_copy,
        create,
        finish: cx.finish,
        trace: cx.trace,
        unsaid_in_dry_run: cx.unsaid_in_dry_run,
    })
}

/// 3.21's `dateext suffix` and `glob pattern` lines (said for every rotation, with or without
/// `dateext`), after `Converted 'FORMAT' -> 'STRFTIME'` when `dateformat` is given.
fn say_dateext(cx: &mut Ctx, now: NaiveDateTime) {
    if !cx.words {
        return;
    }
    let o = &cx.rule.options;
    let format = o.effective_date_format().to_string();
    let (converted, glob) = dateext::converted_and_glob(&format);
    let given = o.date_format.clone();
    let suffix = dateext::format(shifted_now(o, now), &format);
    if let Some(given) = given {
        let line = cx.text(|| format!("Converted '{given}' -> '{converted}'"));
        cx.say(line);
    }
    let line = cx.text(|| format!("dateext suffix '{suffix}'"));
    cx.say(line);
    let line = cx.text(|| format!("glob pattern '{glob}'"));
    cx.say(line);
}

/// The time a dated name is made from (`dateyesterday`, `datehourago`).
fn shifted_now(o: &Options, now: NaiveDateTime) -> NaiveDateTime {
    let mut when = now;
    if o.date_yesterday {
        // As 3.21: noon of the day before (its guard against DST), minutes and seconds kept.
        when -= chrono::Duration::days(1);
        when = when.with_hour(12).unwrap_or(when);
    }
    if o.date_hour_ago {
        when -= chrono::Duration::hours(1);
    }
    when
}

/// The uncompressed archive name a log rotated at `when` takes first (`LOG.START`, or the dated
/// name with `dateext`).
pub fn first_archive_name(rule: &Rule, log: &std::path::Path, when: NaiveDateTime) -> String {
    let o = &rule.options;
    let file_name = log.file_name().map(|n| crate::pathbytes::from_os(n).into_owned()).unwrap_or_default();
    let (base, ext) = split_ext(o, &file_name);
    if o.date_ext {
        dated_name(o, &base, &ext, when)
    } else {
        numbered(&base, o.start, &ext, "")
    }
}

fn dated_name(o: &Options, base: &str, ext: &str, now: NaiveDateTime) -> String {
    let when = shifted_now(o, now);
    format!("{base}{}{ext}", dateext::format(when, o.effective_date_format()))
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::CreateDir { path, .. } => write!(f, "creating olddir {}", path.shown()),
            Step::Rename { from, to } => write!(f, "renaming {} to {}", from.shown(), to.shown()),
            Step::Compress { src, dst } => write!(f, "compressing {} into {}", src.shown(), dst.shown()),
            Step::Mail { path, subject, .. } => write!(f, "mailing {} (subject {subject})", path.shown()),
            Step::Remove { path } => write!(f, "removing old log {}", path.shown()),
        }
    }
}

/// `later - earlier` in whole seconds, as 3.21's `difftime` of `time_t`s sees it (a file made
/// this very second is 0 seconds old, not a few nanoseconds).
pub(crate) fn whole_seconds_between(earlier: NaiveDateTime, later: NaiveDateTime) -> i64 {
    later.and_utc().timestamp() - earlier.and_utc().timestamp()
}
