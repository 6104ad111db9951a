//! Naming differences: a finding gets one or more categories (one per kind of difference it
//! shows), so known, not yet fixed kinds can be tolerated by name ([`KNOWN_DIFFERENCES`]) while
//! anything new fails the test.

use super::model::Case;
use super::runner::Diff;

/// Categories of differences found and not fixed yet (issue 8, section 2). A finding whose
/// categories are all listed here is counted and reported but does not fail the test; remove
/// an entry once its difference is fixed.
pub const KNOWN_DIFFERENCES: &[&str] = &[];

/// Categories that README "Compatibility" lists as deliberate: reported, never failed on.
pub const DELIBERATE: &[&str] = &[
    "deliberate: ignoreduplicates in either stanza is honoured (README)",
    "deliberate: createolddir without a mode makes 0755, not 3.21's 07777 (README)",
    "deliberate: a failed prerotate leaves the older archives unshifted (README)",
    REPAIRED,
    KEPT,
    "deliberate: a dry run creates no createolddir directory (README)",
    "deliberate: a dry run never mails (README)",
];

/// README "Compatibility": leftovers of an interrupted run are repaired before anything else.
const REPAIRED: &str = "deliberate: leftovers of an interrupted run are repaired first (README)";
/// README "Compatibility": nothing is written over a file.
const KEPT: &str =
    "deliberate: nothing is written over a file; an uncompressed LOG.N is compressed first (README)";

/// Message templates (checked in order against a normalised line) and their category.
const MESSAGE_RULES: &[(&str, &str)] = &[
    ("panicked", "crash: ours panics"),
    ("was left by an interrupted rotation", REPAIRED),
    // Said only by us: what 3.21 renames over, we move aside.
    ("already exists, renaming to", KEPT),
    ("repaired: ", REPAIRED),
    ("would repair: ", REPAIRED),
    ("lines must begin with a keyword", "config: a line not starting with a keyword or path"),
    ("not properly separated", "config: keyword glued to other characters"),
    ("unexpected }", "config: unexpected }"),
    ("missing '{'", "config: missing { after log files"),
    ("found error in", "config: 'found error in PATTERN, skipping' line"),
    ("unknown option", "config: unknown option handling"),
    ("duplicate log entry", "config: duplicate log entry"),
    ("error verifying olddir", "olddir: missing olddir"),
    ("olddir", "olddir: other messages"),
    ("does not exist", "olddir: other messages"),
    ("already exists", "rotation: destination already exists"),
    ("stat of ", "messages: 'stat of X failed' for a missing log or directory"),
    ("Failed to remove old log", "messages: 'Failed to remove old log' after a failed preremove"),
    ("error running", "scripts: failure message"),
    ("Compressing program", "compression: compressor messages"),
    ("cannot be used multiple times", "command line: usage text, repeated options"),
    ("For more information, try", "command line: usage text, repeated options"),
    ("a value is required for", "command line: usage text, repeated options"),
    ("Usage:", "command line: usage text, repeated options"),
    ("logrotate 3.21", "command line: usage text, repeated options"),
    ("Copyright", "command line: usage text, repeated options"),
    ("redistributed", "command line: usage text, repeated options"),
    ("[OPTION...]", "command line: usage text, repeated options"),
    ("[-", "command line: usage text, repeated options"),
    ("debug mode does nothing", "-d: dry-run banner"),
];

/// Template of a message: paths, numbers and quoted values blanked out.
fn template(line: &str) -> String {
    let mut unquoted = String::new();
    let mut in_quote = false;
    for ch in line.chars() {
        match (ch, in_quote) {
            ('\'', false) => {
                in_quote = true;
                unquoted.push_str("'…'");
            }
            ('\'', true) => in_quote = false,
            (_, true) => {}
            (ch, false) => unquoted.push(ch),
        }
    }
    let mut out = String::new();
    for word in unquoted.split(' ') {
        let w = if word.contains("@R@") || word.starts_with('/') {
            "PATH".to_string()
        } else if word.chars().any(|c| c.is_ascii_digit()) {
            "N".to_string()
        } else {
            word.to_string()
        };
        out.push_str(&w);
        out.push(' ');
    }
    out.trim_end().chars().take(90).collect()
}

fn is_verbose_run(case: &Case, diff: &Diff) -> bool {
    let args = &case.runs[diff.run].args;
    args.iter().any(|a| {
        a == "-l"
            || a == "-v"
            || a == "-d"
            || a == "--verbose"
            || (a.starts_with('-') && !a.starts_with("--") && (a.contains('v') || a.contains('d')))
    })
}

/// Category of one output line seen on one side only.
fn line_category(line: &str, verbose: bool) -> String {
    for (needle, category) in MESSAGE_RULES {
        if line.contains(needle) {
            if *category == "config: unknown option handling"
                || *category == REPAIRED
                || category.starts_with("command line")
            {
                return category.to_string();
            }
            if line.starts_with("error:") || line.starts_with("warning:") || !verbose {
                return category.to_string();
            }
        }
    }
    let is_message = line.starts_with("error:") || line.starts_with("warning:");
    if verbose && !is_message {
        return verbose_category(line);
    }
    let located = line.split(' ').nth(1).is_some_and(|w| {
        w.rsplit_once(':').is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    });
    if is_message && located {
        // A config message: `error: FILE:LINE text`.
        let text = line.split_once(' ').map(|x| x.1).unwrap_or(line);
        let text = text.split_once(' ').map(|x| x.1).unwrap_or(text);
        return config_message_category(text);
    }
    if !is_message {
        // The second and later lines of a message that spans lines (a pattern with newlines).
        return "messages: multi-line message text".into();
    }
    format!("message: {}", template(line))
}

/// Split `error: FILE:LINE text` into location and text.
fn located(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("error: ").or_else(|| line.strip_prefix("warning: "))?;
    let (loc, text) = rest.split_once(' ')?;
    let (_, n) = loc.rsplit_once(':')?;
    (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit())).then_some((loc, text))
}

/// Take out pairs of lines that differ only in the location, adding their category.
fn pair_locations(
    oracle: Vec<String>,
    mut ours: Vec<String>,
    cats: &mut Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let mut rest = Vec::new();
    for line in oracle {
        let paired = located(&line)
            .and_then(|(_, text)| ours.iter().position(|u| located(u).is_some_and(|(_, t)| t == text)));
        match paired {
            Some(i) => {
                ours.remove(i);
                cats.push("config messages: location of an included file (3.21 prints its base name)".into());
            }
            None => rest.push(line),
        }
    }
    (rest, ours)
}

/// Families of config messages (`FILE:LINE text`), by what the fix is about.
fn config_message_category(text: &str) -> String {
    let families: &[(&[&str], &str)] = &[
        (&["bad date format"], "config: dateformat specifiers"),
        (&["requires an argument", "argument expected after"], "config: missing argument messages"),
        (&["may only appear inside", "may not appear inside"], "config: directive in the wrong place"),
        (
            &["unknown user", "unknown group", "no group for", "extra arguments for"],
            "config: su/create arguments",
        ),
        (&["error verifying log file path"], "config: log file path checks"),
        (&["missing log file name"], "config: missing log file name before {"),
        (&["bad ", "invalid size", "unknown unit"], "config: bad value messages"),
    ];
    for (needles, category) in families {
        if needles.iter().any(|n| text.contains(n)) {
            return category.to_string();
        }
    }
    format!("config message: {}", template(text))
}

fn verbose_category(line: &str) -> String {
    let l = line.to_ascii_lowercase();
    let groups: &[(&[&str], &str)] = &[
        (
            &[
                "reading config",
                "including",
                "ignoring",
                "handling",
                "rotating pattern",
                "empty log files",
                "only log files",
                "olddir is",
                "switching euid",
            ],
            "-v/-d: config and stanza lines",
        ),
        (
            &[
                "considering log",
                "needs rotating",
                "does not need rotating",
                "log needs",
                "now:",
                "last rotated",
                "forced from command line",
                "not rotating",
                "log does not",
                "rotating log",
            ],
            "-v/-d: reasons",
        ),
        (&["running", "script"], "-v/-d: script lines"),
        (
            &[
                "renaming",
                "creating",
                "removing",
                "copying",
                "truncating",
                "compressing",
                "dateext",
                "glob",
                "old logs",
                "set default create",
                "fscreate",
                "mailing",
                "skipping",
                "destination",
            ],
            "-v/-d: action lines",
        ),
    ];
    for (needles, category) in groups {
        if needles.iter().any(|n| l.contains(n)) {
            return category.to_string();
        }
    }
    "-v/-d: other lines".into()
}

/// The categories of a difference (sorted, without duplicates).
pub fn classify(case: &Case, diff: &Diff) -> Vec<String> {
    let mut cats: Vec<String> = Vec::new();
    if diff.ours.code.is_none() {
        cats.push("crash: ours killed or timed out".into());
        return cats;
    }
    // README "Compatibility", told by the data: what follows (messages, script runs, the
    // state) comes from it.
    if createolddir_mode_only(case, &diff.tree_diffs()) {
        return vec![DELIBERATE[1].into()];
    }
    if let Some(category) = keeps_what_3_21_loses(case, diff) {
        return vec![category.into()];
    }
    if shared_error_shifts_nothing(case, diff) {
        return vec![DELIBERATE[2].into()];
    }
    let dry = case.runs[diff.run]
        .args
        .iter()
        .any(|a| a == "--debug" || (a.starts_with('-') && !a.starts_with("--") && a.contains('d')));
    let tree = diff.tree_diffs();
    let only_their_dirs =
        tree.iter().all(|(_, o, u)| u.is_none() && o.as_ref().is_some_and(|o| o.kind == 'd'));
    if dry && !tree.is_empty() && only_their_dirs {
        return vec![DELIBERATE[5].into()];
    }
    if dry && !tree.is_empty() && tree.iter().all(|(p, o, u)| p == "mail.out" && o.is_some() && u.is_none()) {
        return vec![DELIBERATE[6].into()];
    }
    // In a dry run the same shows in the output alone: the leftover is said to be compressed.
    let (only_oracle, only_ours) = diff.output_diff();
    let compress = case.all_conf_text().split_whitespace().any(|w| w == "compress");
    let numbered_leftover = diff.before.keys().any(|n| {
        n.rsplit_once('.').is_some_and(|(_, d)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    });
    if dry
        && tree.is_empty()
        && compress
        && numbered_leftover
        && only_oracle.is_empty()
        && !only_ours.is_empty()
        && only_ours.iter().all(|l| l.starts_with("compressing log with:"))
    {
        return vec![KEPT.into()];
    }
    // An uncompressed `LOG.N` is compressed first (3.21 renames over it), and its removal
    // after compression runs `preremove` where 3.21 ran none: when that script fails, ours says
    // so (and keeps the file) instead of what 3.21 goes on to say.
    let numbered = |n: &str| {
        n.rsplit_once('.').is_some_and(|(_, d)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    };
    if compress
        && diff.before.keys().any(|n| numbered(n))
        && !only_ours.is_empty()
        && only_ours
            .iter()
            .all(|l| l.contains("error running preremove script for") && l.contains("Not removing"))
    {
        return vec![KEPT.into()];
    }
    let verbose = is_verbose_run(case, diff);
    let (only_oracle, only_ours) = diff.output_diff();
    // The same config message with another location: 3.21 names a file included from a
    // directory by its base name.
    let (only_oracle, only_ours) = pair_locations(only_oracle, only_ours, &mut cats);
    for line in only_oracle.iter().chain(&only_ours) {
        cats.push(line_category(line, verbose));
    }
    // A repair said (`repaired:`, `would repair:`) starts the run from another disk: what
    // follows differs with it.
    for deliberate in [REPAIRED, KEPT] {
        if cats.iter().any(|c| c == deliberate) {
            return vec![deliberate.into()];
        }
    }
    if only_oracle.is_empty() && only_ours.is_empty() && diff.output_differs() {
        cats.push("output: same lines, other order".into());
    }
    // A message category explains what follows from it (exit code, files, state).
    let mut explained = cats.iter().any(|c| {
        c.starts_with("config:")
            || c.starts_with("olddir")
            || c.starts_with("crash")
            || c.starts_with("paths")
            || c.starts_with("deliberate")
    });
    // README "Compatibility": `ignoreduplicates` in the later stanza (3.21 looks only at the
    // earlier one) is honoured: a duplicate error 3.21 prints is not ours, and what follows
    // from it (the olddir check of the files the stanza keeps).
    let ignoring = case.all_conf_text().contains("ignoreduplicates");
    let dup_or_olddir = |c: &String| c == "config: duplicate log entry" || c == "olddir: missing olddir";
    if ignoring && cats.iter().any(dup_or_olddir) {
        cats.retain(|c| !dup_or_olddir(c));
        cats.push(DELIBERATE[0].into());
        explained = true;
    }
    // 3.21 reports a duplicate that our `ignoreduplicates` (in the later stanza) ignores: all
    // that follows (the exit code, the dropped rest of the pattern, `found error in file`).
    let dup_error = |lines: &[String]| {
        lines.iter().filter(|l| l.starts_with("error:") && l.contains(" duplicate log entry for ")).count()
    };
    if ignoring && dup_error(&diff.oracle.stderr) > dup_error(&diff.ours.stderr) {
        cats = vec![DELIBERATE[0].into()];
        explained = true;
    }
    // Both print the same config error and then do different things: what 3.21 keeps of a
    // config after an error (the rest of the file after an error outside a stanza is lost).
    let config_error = diff.oracle.stderr.iter().any(|l| {
        let category = line_category(l, false);
        category.starts_with("config") && category != "config: unknown option handling"
    });
    if config_error && !explained && !prerotate_only(diff) {
        cats.push("config: what survives a config error".into());
        explained = true;
    }
    let tree = diff.tree_diffs();
    let addext = case.all_conf_text().contains("addextension")
        && tree.iter().any(|(_, o, u)| {
            let text = |n: &Option<crate::differential::tree::Node>| {
                n.as_ref().map(|n| String::from_utf8_lossy(&n.content).contains(".txt"))
            };
            text(o) == Some(true) || text(u) == Some(true)
        });
    if addext && !explained {
        cats.push("files: addextension".into());
        explained = true;
    }
    if !explained && createolddir_mode_only(case, &tree) {
        cats.push(DELIBERATE[1].into());
        explained = true;
    }
    // A failing prerotate (`exit 1` in it): 3.21 has shifted the archives already.
    let prerotate_failed =
        diff.oracle.stderr.iter().any(|l| l.contains("error running") && l.contains("prerotate"));
    if !explained && prerotate_failed && tree.iter().all(|(p, _, _)| p.starts_with("logs/")) {
        cats.push(DELIBERATE[2].into());
        explained = true;
    }
    if !explained {
        let records = ["scripts.out", "mail.out", "compress.out", "run.log"];
        for (path, _, _) in &tree {
            match path.as_str() {
                "scripts.out" => cats.push("scripts: runs, order or arguments".into()),
                "mail.out" => cats.push("mail: invocations".into()),
                "compress.out" => cats.push("compression: compressor invocations".into()),
                "run.log" => cats.push("-l: log file contents".into()),
                _ => {}
            }
        }
        if tree.iter().any(|t| !records.contains(&t.0.as_str())) {
            cats.push(files_category(case, diff));
        } else if diff.state_differs() {
            cats.push("state: entries differ".into());
        } else if diff.exit_differs()
            && !cats.iter().any(|c| c.starts_with("message") || c.starts_with("scripts"))
        {
            cats.push(format!("exit code: oracle {:?}, ours {:?}", diff.oracle.code, diff.ours.code));
        }
    }
    cats.sort();
    cats.dedup();
    cats
}

/// Which feature a difference in the rotated files most likely comes from.
fn files_category(case: &Case, diff: &Diff) -> String {
    let text = case.all_conf_text();
    let has = |word: &str| {
        text.lines().any(|l| {
            let l = l.trim().to_ascii_lowercase();
            l == word || l.starts_with(&format!("{word} ")) || l.starts_with(&format!("{word}\t"))
        })
    };
    let tree = diff.tree_diffs();
    let paths: Vec<&str> = tree.iter().map(|t| t.0.as_str()).collect();
    if has("addextension") {
        return "files: addextension".into();
    }
    if has("rotate 0") {
        return "files: rotate 0".into();
    }
    if paths.iter().any(|p| p.ends_with(".backup")) {
        return "files: destination already exists".into();
    }
    if has("dateext") {
        return "files: dateext".into();
    }
    if has("olddir") {
        return "files: olddir".into();
    }
    if has("copy") || has("copytruncate") || has("renamecopy") {
        return "files: copy/copytruncate/renamecopy".into();
    }
    if has("compresscmd") || has("compressext") {
        return "files: compresscmd/compressext".into();
    }
    "files: other".into()
}

/// Whether the only differences are the modes of directories made by a `createolddir` without
/// a mode (3.21 makes them 07777 masked by the umask: setuid, setgid and sticky bits).
fn createolddir_mode_only(
    case: &Case,
    tree: &[(String, Option<crate::differential::tree::Node>, Option<crate::differential::tree::Node>)],
) -> bool {
    // `createolddir` with no mode after it (other directives may share its line).
    let text = case.all_conf_text();
    let words: Vec<&str> = text.split_whitespace().collect();
    let bare = words.iter().enumerate().any(|(i, w)| {
        *w == "createolddir"
            && words.get(i + 1).is_none_or(|next| !next.starts_with(|c: char| c.is_ascii_digit()))
    });

    bare && !tree.is_empty()
        && tree.iter().all(|(_, o, u)| match (o, u) {
            (Some(o), Some(u)) => {
                o.kind == 'd' && u.kind == 'd' && o.mode & 0o7777 == 0o7777 && u.mode & 0o7777 == 0o755
            }
            _ => false,
        })
}

/// A failing `prerotate` explains every file difference (the rest is equal).
fn prerotate_only(diff: &Diff) -> bool {
    let failed = diff.oracle.stderr.iter().any(|l| l.contains("error running") && l.contains("prerotate"));
    failed
        && diff.oracle.stderr == diff.ours.stderr
        && diff.tree_diffs().iter().all(|(p, _, _)| p.starts_with("logs/"))
}

/// README "Compatibility": we never write over a file (3.21 renames over an archive in the
/// way) and repair an interrupted run's leftovers (`LOG.tmp` of renamecopy, `LOG.1` beside
/// `LOG.1.gz`). Told by the data: every distinct file content 3.21 leaves under `logs/`, we
/// leave too, and either we keep a content from before the run that 3.21 lost, or the tree
/// before the run held such a leftover.
fn keeps_what_3_21_loses(case: &Case, diff: &Diff) -> Option<&'static str> {
    use std::collections::BTreeSet;
    let tree = diff.tree_diffs();
    // The records (scripts, mail, `-l`) may differ: they follow from what was kept.
    let records = ["scripts.out", "mail.out", "compress.out", "run.log"];
    // The logs and their archives: under `logs/`, or in the `archive/` olddir beside it.
    let kept_area = |p: &str| p.starts_with("logs/") || p.starts_with("archive/");
    if !tree.iter().any(|(p, _, _)| kept_area(p))
        || !tree.iter().all(|(p, _, _)| kept_area(p) || records.contains(&p.as_str()))
    {
        return None;
    }
    let contents = |snap: &crate::differential::tree::Snapshot| -> BTreeSet<Vec<u8>> {
        snap.iter().filter(|(p, n)| kept_area(p) && n.kind == 'f').map(|(_, n)| n.content.clone()).collect()
    };
    let (theirs, ours, before) =
        (contents(&diff.oracle.after), contents(&diff.ours.after), contents(&diff.before));
    let names: BTreeSet<&String> = diff.before.keys().collect();
    // A leftover of an interrupted run (renamecopy's `LOG.tmp`, a `.partial`, `LOG.1` beside
    // `LOG.1.gz`) is repaired first, so the run starts from another disk than 3.21's: what
    // follows (a `rotate 0` disposing of an older archive) may differ either way.
    let repaired = names
        .iter()
        .any(|n| n.ends_with(".tmp") || n.ends_with(".partial") || names.contains(&format!("{n}.gz")));
    if repaired {
        return Some(REPAIRED);
    }
    // `LOG.N` left uncompressed beside compressed numbered archives (a postrotate failed
    // before compression): we compress it first, so the shift that follows starts from another
    // chain (and `rotate` may drop an older archive 3.21 keeps while it renames over `LOG.N`).
    let compressed_sibling = |n: &str| {
        let stem = n.rsplit_once('.').map_or(n, |(stem, _)| stem);
        names.iter().any(|m| m.starts_with(&format!("{stem}.")) && m.ends_with(".gz") && m.as_str() != n)
    };
    let uncompressed_leftover = case.all_conf_text().split_whitespace().any(|w| w == "compress")
        && names.iter().any(|n| {
            n.rsplit_once('.').is_some_and(|(_, d)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
                && compressed_sibling(n)
        });
    if uncompressed_leftover {
        return Some(KEPT);
    }
    if !theirs.is_subset(&ours) {
        return None;
    }
    let kept_lost_data = ours.difference(&theirs).any(|c| before.contains(c));
    // With `compress`, an uncompressed `LOG.N` (a postrotate failed, a writer held it) is
    // compressed before the log moves: 3.21 renames over it.
    let compress = case.all_conf_text().split_whitespace().any(|w| w == "compress");
    let leftover = names.iter().any(|n| {
        let numbered =
            n.rsplit_once('.').is_some_and(|(_, d)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        compress && numbered
    });
    (kept_lost_data || leftover).then_some(KEPT)
}

/// README "Compatibility": with `sharedscripts`, an error in the set leaves every log's
/// archives where they are (3.21 has shifted them, leaving a gap): the same output, the same
/// contents under other names.
fn shared_error_shifts_nothing(case: &Case, diff: &Diff) -> bool {
    use std::collections::BTreeSet;
    let shared = case.all_conf_text().split_whitespace().any(|w| w == "sharedscripts");
    let tree = diff.tree_diffs();
    let contents = |snap: &crate::differential::tree::Snapshot| -> BTreeSet<Vec<u8>> {
        snap.iter()
            .filter(|(p, n)| p.starts_with("logs/") && n.kind == 'f')
            .map(|(_, n)| n.content.clone())
            .collect()
    };
    shared
        && diff.oracle.stderr.iter().any(|l| l.starts_with("error:"))
        && diff.oracle.stderr == diff.ours.stderr
        && !tree.is_empty()
        && tree.iter().all(|(p, _, _)| p.starts_with("logs/"))
        && contents(&diff.oracle.after) == contents(&diff.ours.after)
}
