//! The older archives of a log: numbered ones shifted `.N` → `.N+1`, dated ones expired, with
//! the lines 3.21 says about each in `-v`.

use super::super::names::{dated_archives, existing_numbers, highest_number, numbered};
use super::{dated_name, Ctx, Line, LineKind, Note, Refusal, Step};
use crate::pathbytes::PathShow as _;
use crate::rule::Keep;
use chrono::NaiveDateTime;

/// Numbered archives: compress the previous one if delayed, shift `.N` → `.N+1`, and dispose
/// of what falls past `rotate`. Returns the name the log takes.
pub(super) fn numbered_chain(cx: &mut Ctx, now: NaiveDateTime) -> String {
    let o = &cx.rule.options;
    let start = o.start;
    let (base, ext, compext) = (cx.base.clone(), cx.ext.clone(), cx.compext.clone());
    let names_before = cx.names.clone();
    // With delaycompress the previous archive is compressed now. Without it, an uncompressed
    // `.START` can only be a file a previous run left because a writer still held it (see
    // `locktimeout`); compress it too, or the move below would overwrite it. (`rotate 0` with
    // `copy`/`copytruncate` writes nothing there: logrotate compresses that file afterwards.)
    let writes_nothing = o.keep == Keep::Count(0) && o.move_method.is_copying();
    let prev = numbered(&base, start, &ext, "");
    if o.compress && (o.delay_compress || !writes_nothing) {
        if cx.names.contains(&prev) {
            let dst = format!("{prev}{compext}");
            cx.prepare(Step::Compress { src: cx.path(&prev), dst: cx.path(&dst) });
            cx.names.rename(&prev, &dst);
            if let Some(t) = cx.mtimes.remove(&prev) {
                cx.mtimes.insert(dst, t);
            }
        } else if o.delay_compress {
            let line = cx.text(|| format!("previous log {} does not exist", cx.path(&prev).shown()));
            cx.trace.push(Note::Say(Line::not_found(line)));
        }
    }
    // `rotate -1` keeps all: 3.21's count is the highest number found among the archives
    // (whatever `start`; 0 if none), and it shifts `START+COUNT-1` down to `START`.
    let last = match o.keep {
        Keep::All => highest_number(&cx.names, &base, &ext, &compext, 0).unwrap_or(0),
        Keep::Count(_) => 0,
    };
    let top = match o.keep {
        Keep::All => start.saturating_add(last).saturating_sub(1).max(start),
        Keep::Count(n) => start.saturating_add(n).saturating_sub(u64::from(n > 0)),
    };
    // As logrotate, from the highest down: one past `maxage` is removed, the others shift up.
    // With `rotate 0` logrotate still moves an existing `.START` to `.START+1` (and keeps it).
    // 3.21 tries every number (and says so); past a few thousand only the archives that exist
    // are looked at, so `rotate 100000000` costs nothing.
    let shifts = o.keep != Keep::All || last > 0;
    let mut numbers =
        if shifts { existing_numbers(&cx.names, &base, &ext, &compext, start, top) } else { Vec::new() };
    let all_said = top - start < 4096 && shifts && cx.words;
    if all_said {
        numbers = (start..=top).collect();
    }
    numbers.sort_unstable_by(|a, b| b.cmp(a));
    numbers.dedup();
    // Without words to say, the numbers that name no archive have nothing to do but leave
    // 3.21's errno of a failed lookup (a failing preremove shows it): one line, where the first
    // of them comes (from the highest down).
    let mut first_absent =
        (top - start < 4096 && shifts && !all_said).then(|| highest_absent(&numbers, start, top)).flatten();
    let count = if o.keep == Keep::All { last } else { top - start + 1 };
    for i in numbers {
        if first_absent.is_some_and(|absent| i < absent) {
            first_absent = None;
            cx.trace.push(Note::SayIfReal(Line::not_found(String::new())));
        }
        let from = numbered(&base, i, &ext, &compext);
        let to = numbered(&base, i.saturating_add(1), &ext, &compext);
        // (The paths are made only for what is said or done: most numbers name no archive.)
        let renaming = cx.text(|| {
            format!(
                "renaming {} to {} (rotatecount {count}, logstart {start}, i {i}), ",
                cx.path(&from).shown(),
                cx.path(&to).shown()
            )
        });
        let absent =
            Line::not_found(cx.text(|| format!("old log {} does not exist", cx.path(&from).shown())));
        // With `maxage` 3.21 looks at each file first: in a dry run at the unchanged disk.
        let seen_by_dry_run = o.max_age.is_none() || names_before.contains(&from);
        if o.max_age.is_some() && !seen_by_dry_run {
            cx.trace.push(Note::SayIfDry(absent.clone()));
        }
        if !cx.names.contains(&from) {
            if o.max_age.is_some() {
                cx.trace.push(Note::SayIfReal(absent));
            } else {
                cx.say(renaming);
                cx.trace.push(Note::SayIfReal(absent));
            }
            continue;
        }
        if cx.is_too_old(&from, now) {
            cx.expire(&from);
            continue;
        }
        let renaming = Line::plain(renaming);
        cx.trace.push(if seen_by_dry_run { Note::Say(renaming) } else { Note::SayIfReal(renaming) });
        cx.prepare(Step::Rename { from: cx.path(&from), to: cx.path(&to) });
        cx.names.rename(&from, &to);
        if let Some(t) = cx.mtimes.remove(&from) {
            cx.mtimes.insert(to, t);
        }
    }
    if first_absent.is_some() {
        cx.trace.push(Note::SayIfReal(Line::not_found(String::new())));
    }
    let dispose = numbered(&base, top.saturating_add(1), &ext, &compext);
    if o.keep != Keep::All {
        // 3.21 names `.START+COUNT` for disposal and, if it is not there, says so.
        let text = cx.text(|| {
            format!("log {} doesn't exist -- won't try to dispose of it", cx.path(&dispose).shown())
        });
        let line = Line { text, kind: LineKind::DisposalNotFound };
        if !cx.names.contains(&dispose) {
            cx.trace.push(Note::SayIfReal(line.clone()));
        }
        if !names_before.contains(&dispose) {
            cx.trace.push(Note::SayIfDry(line));
        }
    }
    if o.keep != Keep::All && o.keep != Keep::Count(0) && cx.names.contains(&dispose) {
        if !names_before.contains(&dispose) {
            cx.unsaid_in_dry_run = Some(cx.path(&dispose));
        }
        cx.dispose(&dispose);
    }
    prev
}

/// Dated archives: refuse to overwrite today's archive, compress delayed ones, and dispose of
/// the oldest beyond `rotate`. Returns the name the log takes.
pub(super) fn dated(cx: &mut Ctx, now: NaiveDateTime) -> String {
    let o = &cx.rule.options;
    let format = o.effective_date_format().to_string();
    let rotated = dated_name(o, &cx.base, &cx.ext, now);
    let with_comp = format!("{rotated}{}", cx.compext);
    let found = dated_archives(cx.names.iter(), &cx.base, &format, &cx.ext, &cx.compext, true);
    if o.compress && o.delay_compress && found.iter().all(|(_, name)| name.ends_with(&cx.compext)) {
        cx.say("glob finding logs to compress failed".into());
    }
    if o.compress && o.delay_compress {
        for (_, name) in &found {
            if !name.ends_with(&cx.compext) {
                let dst = format!("{name}{}", cx.compext);
                cx.prepare(Step::Compress { src: cx.path(name), dst: cx.path(&dst) });
                cx.names.rename(name, &dst);
                if let Some(t) = cx.mtimes.remove(name) {
                    cx.mtimes.insert(dst, t);
                }
            }
        }
    }
    // After delaycompress compressed today's plain archive, if any. As logrotate: the log
    // still counts as rotating (first/last action run, older archives are compressed
    // and expired), but it is not moved over today's archive. 3.21 looks for
    // the name with the compression extension only (when compress is on); a plain file of that
    // name is not overwritten either: the move sets it aside with its own message.
    if cx.names.contains(&with_comp) {
        // Named as logrotate names it: the archive as it will finally be called.
        let first = if o.compress && !o.delay_compress { &with_comp } else { &rotated };
        cx.refused = Some(Refusal::DestinationExists { path: cx.path(first) });
    }
    let accept_plain = !o.compress || o.delay_compress;
    let found: Vec<String> =
        dated_archives(cx.names.iter(), &cx.base, &format, &cx.ext, &cx.compext, accept_plain)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
    if found.iter().all(|name| !name.ends_with(&cx.compext)) || found.is_empty() {
        cx.say("glob finding old rotated logs failed".into());
    }
    // logrotate's count: of the n found, oldest first, those at index <= n - rotate go (so that
    // with the new one `rotate` remain), and any past `maxage`. All but the last are removed
    // now; the last is disposed of after the move (and kept with `rotate 0`).
    let keep = match o.keep {
        Keep::Count(0) => 1,
        Keep::All => usize::MAX,
        Keep::Count(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let n = found.len();
    let doomed: Vec<String> = found
        .iter()
        .enumerate()
        .filter(|(i, name)| (n >= keep && *i <= n - keep) || cx.is_too_old(name, now))
        .map(|(_, name)| name.clone())
        .collect();
    if let Some((last, rest)) = doomed.split_last() {
        for name in rest {
            cx.expire(name);
        }
        // With `rotate 0` 3.21 disposes of the log's own archive instead, unless `copy` or
        // `copytruncate` keep it from doing so: then the oldest dated one still goes.
        let copying = o.move_method.is_copying();
        if o.keep != Keep::Count(0) || copying {
            cx.dispose(last);
        }
    }
    rotated
}

/// The highest number from `top` down to `start` that `present` (sorted from the highest down,
/// each once) does not hold.
fn highest_absent(present: &[u64], start: u64, top: u64) -> Option<u64> {
    let mut n = top;
    for &p in present {
        if p != n {
            break;
        }
        if n == start {
            return None;
        }
        n -= 1;
    }
    Some(n)
}
