//! Attacker tests (issue 7): for every path the executor touches, `nobody` (the owner of the log
//! directory) plants a symlink, a hard link, a FIFO or a directory there; then `logrotate -f`
//! runs as root. Nothing outside the log directory may change, no copy of the secret may become
//! readable by `nobody`, no run may hang, and each run either succeeds or reports the problem
//! (exit 1 with an `error:` line). The same scenario runs with Debian's logrotate 3.21 on an
//! identical sandbox for the comparison table (printed with `--nocapture`, and on failure); the
//! tests assert our safety, not equality with 3.21.
//!
//! Run as root (CI is). Without root the tests say so and pass vacuously.

mod attack;
mod slots;
use crate::common;

use attack::{Plant, Run, Sandbox, LOG_TEXT, NOBODY};
use slots::{
    year, Slot, When, COMPRESSION, COPY, CREATE, CREATE_AFTER_MOVE, DATED, LOG_PATH, NUMBERED, OLDDIR,
    REMOVED, RENAMECOPY, STATE,
};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Which tool runs a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Ours,
    Debian,
}

/// The result of one case with one tool.
struct Outcome {
    run: Run,
    /// Summary for the table.
    summary: String,
    /// What changed that must not have (empty: safe).
    violations: Vec<String>,
    /// The log directory after the run.
    listing: Vec<String>,
    /// Ours only: a second run (the log written to again) — does the plant block rotation?
    second: Option<String>,
}

impl Outcome {
    fn cell(&self) -> String {
        let mut s = self.summary.clone();
        if !self.violations.is_empty() {
            s = format!("**UNSAFE: {}**; {s}", self.violations.join("; "));
        }
        s
    }
}

/// Sets up `slot` with `what` planted, runs `tool` (`-f -s STATE CONF`), checks.
fn run_case(slot: &Slot, what: Plant, tool: Tool, exe: &Path) -> Outcome {
    let sb = Sandbox::new();
    for f in slot.files {
        sb.log_file(f, if *f == "app.log" { LOG_TEXT } else { "an older archive\n" });
    }
    for d in slot.dirs {
        sb.log_dir(d);
    }
    let at = slot.at.replace("{Y}", &year());
    if slot.when == When::Before {
        sb.plant(&at, what);
    }
    let conf = sb.conf(&format!("@L@/{} {{\n{}\n}}\n", slot.pattern, slot.rule));
    let state = if slot.state_in_logs { sb.logs().join("status") } else { sb.root.join("state") };
    let mut before = sb.snapshot();
    let mut cmd = Command::new(exe);
    cmd.arg("-f").arg("-s").arg(&state).arg(&conf).current_dir(&sb.root);
    let mut planted = true;
    let run = if slot.when == When::AfterMove {
        let run;
        (run, planted) = attack::run_planting_after_move(&sb, cmd, &at, what);
        if planted && what == Plant::HardLink {
            before.secret_nlink += 1;
        }
        run
    } else {
        attack::run(cmd)
    };
    let mut violations = sb.violations(&before);
    let listing = sb.listing();
    let mut second = None;
    if tool == Tool::Ours {
        violations.extend(run.misreport());
        if !planted {
            violations.push("the log was never moved, so nothing was planted after the move".into());
        }
        let live = sb.logs().join("app.log");
        match fs::symlink_metadata(&live) {
            Err(_) => sb.log_file("app.log", "second run\n"),
            Ok(m) if m.is_file() && m.nlink() == 1 => {
                use std::io::Write;
                fs::OpenOptions::new().append(true).open(&live).unwrap().write_all(b"second run\n").unwrap();
            }
            Ok(_) => {}
        }
        let mut cmd = Command::new(exe);
        cmd.arg("-f").arg("-s").arg(&state).arg(&conf).current_dir(&sb.root);
        let again = attack::run(cmd);
        for v in sb.violations(&before).into_iter().chain(again.misreport()) {
            if !violations.contains(&v) {
                violations.push(format!("2nd run: {v}"));
            }
        }
        second = Some(again.summary(&sb.root));
    }
    Outcome { summary: run.summary(&sb.root), violations, listing, run, second }
}

/// Runs `jobs` on a few threads; results in the order of `jobs`.
fn parallel<T: Sync, R: Send>(jobs: Vec<T>, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let workers = 6;
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let r = f(job);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results.into_inner().unwrap().into_iter().map(|r| r.expect("every job ran")).collect()
}

fn skip_unless_root() -> bool {
    if common::fixture::is_root() {
        return false;
    }
    eprintln!("not root: the attacker tests need root (they chown to nobody and run as root)");
    true
}

/// Runs every slot × every plant with ours and with 3.21 (when installed), prints the
/// comparison table, and fails listing every unsafe or misreported case of ours.
fn check(title: &str, slots: &[Slot]) {
    if skip_unless_root() {
        return;
    }
    let ours = common::bin("logrotate");
    let debian = attack::oracle();
    let strace = attack::strace_available();
    assert!(strace || std::env::var_os("CI").is_none(), "CI is set but strace is missing");
    let mut jobs = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        if slot.when == When::AfterMove && !strace {
            eprintln!("strace not installed: skipping {}", slot.name);
            continue;
        }
        for what in Plant::ALL {
            jobs.push((i, what, Tool::Ours));
            if debian.is_some() {
                jobs.push((i, what, Tool::Debian));
            }
        }
    }
    let outcomes = parallel(jobs.clone(), |&(i, what, tool)| {
        let exe = if tool == Tool::Ours { ours.as_path() } else { debian.as_deref().unwrap() };
        run_case(&slots[i], what, tool, exe)
    });
    let mut table =
        format!("\n{title}\n\n| case | ours | ours, 2nd run | Debian 3.21 |\n|---|---|---|---|\n");
    let mut failures = Vec::new();
    let mut k = 0;
    while k < jobs.len() {
        let (i, what, _) = jobs[k];
        let case = format!("{} ← {}", slots[i].name, what.label());
        let o = &outcomes[k];
        let d = (jobs.get(k + 1).is_some_and(|j| j.2 == Tool::Debian)).then(|| &outcomes[k + 1]);
        let again = o.second.as_deref().unwrap_or("-");
        let theirs = d.map_or("-".into(), Outcome::cell);
        table.push_str(&format!("| {case} | {} | {again} | {theirs} |\n", o.cell()));
        if !o.violations.is_empty() {
            failures.push(format!(
                "{case}: {}\n    stderr: {}\n    log dir after: {}",
                o.violations.join("; "),
                o.run.stderr.trim().replace('\n', "\n            "),
                o.listing.join(" ")
            ));
        }
        k += if d.is_some() { 2 } else { 1 };
    }
    eprintln!("{table}");
    assert!(
        failures.is_empty(),
        "{} unsafe or misreported case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn attack_the_log_path() {
    check("The live log (and a log a glob matches)", LOG_PATH);
}

#[test]
fn attack_numbered_archive_names() {
    check("Numbered archive names (rename and shift targets)", NUMBERED);
}

#[test]
fn attack_shred_and_remove_targets() {
    check("Shred and remove targets", REMOVED);
}

#[test]
fn attack_compression_paths() {
    check("Compression source, target and .partial", COMPRESSION);
}

#[test]
fn attack_copy_and_copytruncate_paths() {
    check("copy / copytruncate target and .partial", COPY);
}

#[test]
fn attack_renamecopy_paths() {
    check("renamecopy's LOG.tmp, target and .partial", RENAMECOPY);
}

#[test]
fn attack_dated_archive_names() {
    check("Dated archive names (dateext)", DATED);
}

#[test]
fn attack_olddir_and_its_parent() {
    check("olddir, its parent, and archives in it", OLDDIR);
}

#[test]
fn attack_create_path_after_the_move() {
    check(
        "The create path, planted in the instant after the move (strace holds each rename)",
        CREATE_AFTER_MOVE,
    );
}

#[test]
fn attack_state_file_tmp_and_lock() {
    check("The state file (in the attacker's directory), its tmp and its lock sidecar", STATE);
}

/// Runs ours on one scenario.
fn scenario(rule: &str, files: &[&str], plants: &[(&str, Plant)]) -> (Sandbox, Run, attack::Snapshot) {
    let sb = Sandbox::new();
    for f in files {
        sb.log_file(f, if *f == "app.log" { LOG_TEXT } else { "an older archive\n" });
    }
    for (at, what) in plants {
        sb.plant(at, *what);
    }
    let conf = sb.conf(&format!("@L@/app.log {{\n{rule}\n}}\n"));
    let before = sb.snapshot();
    let mut cmd = common::logrotate();
    cmd.arg("-f").arg("-s").arg(sb.root.join("state")).arg(&conf);
    let run = attack::run(cmd);
    eprintln!("ours: {}\n{}", run.summary(&sb.root), run.stderr);
    (sb, run, before)
}

fn assert_safe(sb: &Sandbox, before: &attack::Snapshot) {
    let v = sb.violations(before);
    assert!(v.is_empty(), "unsafe: {v:?}; log dir: {:?}", sb.listing());
}

fn mode_owner(p: &Path) -> (u32, u32, u32) {
    let md = fs::symlink_metadata(p).unwrap();
    (md.mode() & 0o7777, md.uid(), md.gid())
}

/// Issue 7, item 1: a symlink at `olddir` with `createolddir` must not chmod/chown its target.
#[test]
fn regression_createolddir_never_chmods_or_chowns_a_symlink_target() {
    if skip_unless_root() {
        return;
    }
    for rule in
        ["rotate 2\nolddir old\ncreateolddir 0755 nobody nogroup", "rotate 2\nolddir old\ncreateolddir"]
    {
        let (sb, run, before) = scenario(rule, &["app.log"], &[("old", Plant::SymlinkFile)]);
        assert_safe(&sb, &before);
        assert_eq!(mode_owner(&sb.secret()), (0o640, 0, 0));
        assert_eq!(run.code, Some(1), "{rule}: {}", run.stderr);
        assert!(run.stderr.contains("already exists, but it is not a directory"), "{rule}: {}", run.stderr);
        assert_eq!(fs::read_to_string(sb.logs().join("app.log")).unwrap(), LOG_TEXT, "the log must stay");
    }
}

/// Issue 7, item 2: `shred` never shreds the target of a symlink at an archive name, and a
/// refused shred is reported.
#[test]
fn regression_shred_never_follows_a_symlink_at_an_archive_name() {
    if skip_unless_root() {
        return;
    }
    let (sb, run, before) = scenario("rotate 1\nshred", &["app.log"], &[("app.log.2", Plant::SymlinkFile)]);
    assert_safe(&sb, &before);
    assert_eq!(fs::read_to_string(sb.secret()).unwrap(), attack::SECRET);
    assert_eq!(run.code, Some(1), "a refused shred must be reported: {}", run.stderr);
    assert!(run.stderr.lines().any(|l| l.starts_with("error:") && l.contains("app.log.2")), "{}", run.stderr);
}

/// Issue 7, item 2: a shred that fails (here `shred` itself exits 1) is reported with exit 1,
/// not silently replaced by an unlink.
#[test]
fn regression_failed_shred_is_reported() {
    if skip_unless_root() {
        return;
    }
    let sb = Sandbox::new();
    sb.log_file("app.log", LOG_TEXT);
    sb.log_file("app.log.1", "old archive\n");
    let fake = tempfile::tempdir().unwrap();
    let bin = fake.path();
    attack::chmod(bin, 0o755);
    fs::write(bin.join("shred"), "#!/bin/sh\necho 'shred: refusing' >&2\nexit 1\n").unwrap();
    attack::chmod(&bin.join("shred"), 0o755);
    let conf = sb.conf("@L@/app.log {\nrotate 1\nshred\n}\n");
    let mut cmd = common::logrotate();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    cmd.env("PATH", path).arg("-f").arg("-s").arg(sb.root.join("state")).arg(&conf);
    let run = attack::run(cmd);
    eprintln!("{}", run.stderr);
    assert_eq!(run.code, Some(1), "a failed shred must be reported: {}", run.stderr);
    assert!(run.stderr.lines().any(|l| l.starts_with("error:") && l.contains("shred")), "{}", run.stderr);
}

/// Issue 7, item 3: a hard link to the secret planted at the log path right after the move
/// must not get the rule's mode and owner; the new log is ours, regular, single-link.
#[test]
fn regression_create_never_adopts_a_hard_link_planted_after_the_move() {
    if skip_unless_root() {
        return;
    }
    if !attack::strace_available() {
        assert!(std::env::var_os("CI").is_none(), "CI is set but strace is missing");
        eprintln!("strace not installed: skipped");
        return;
    }
    for what in [Plant::HardLink, Plant::SymlinkFile] {
        let sb = Sandbox::new();
        sb.log_file("app.log", LOG_TEXT);
        let conf = sb.conf(&format!("@L@/app.log {{\n{CREATE}\n}}\n"));
        let mut before = sb.snapshot();
        let mut cmd = Command::new(common::bin("logrotate"));
        cmd.arg("-f").arg("-s").arg(sb.root.join("state")).arg(&conf);
        let (run, planted) = attack::run_planting_after_move(&sb, cmd, "app.log", what);
        eprintln!("{what:?}: {}\n{}", run.summary(&sb.root), run.stderr);
        assert!(planted, "the test could not plant in the instant after the move");
        if what == Plant::HardLink {
            before.secret_nlink += 1;
        }
        assert_safe(&sb, &before);
        assert_eq!(mode_owner(&sb.secret()), (0o640, 0, 0));
        let live = fs::symlink_metadata(sb.logs().join("app.log")).unwrap();
        assert!(live.is_file() && live.nlink() == 1, "the new log must be a fresh regular file");
        assert_eq!(mode_owner(&sb.logs().join("app.log")), (0o666, NOBODY, NOBODY));
        assert_eq!(fs::read_to_string(sb.logs().join("app.log.1")).unwrap(), LOG_TEXT);
        assert_eq!(run.misreport(), None, "{}", run.stderr);
    }
}

/// Issue 7, item 5: a symlink at `LOG.1` (compress, no delaycompress) is refused safely once,
/// and later runs rotate normally.
#[test]
fn regression_symlink_at_log1_does_not_block_rotation_forever() {
    if skip_unless_root() {
        return;
    }
    let rule = "rotate 2\ncompress";
    let (sb, first, before) = scenario(rule, &["app.log"], &[("app.log.1", Plant::SymlinkFile)]);
    assert_safe(&sb, &before);
    assert_eq!(first.misreport(), None, "{}", first.stderr);
    for round in 2..=3 {
        let text = format!("round {round}\n");
        if fs::symlink_metadata(sb.logs().join("app.log")).is_err() {
            sb.log_file("app.log", "");
        }
        fs::write(sb.logs().join("app.log"), &text).unwrap();
        let mut cmd = common::logrotate();
        cmd.arg("-f").arg("-s").arg(sb.root.join("state")).arg(sb.conf_path());
        let run = attack::run(cmd);
        eprintln!("run {round}: {}\n{}", run.summary(&sb.root), run.stderr);
        assert_eq!(run.code, Some(0), "run {round} must rotate normally: {}", run.stderr);
        let mut gz = String::new();
        let f = fs::File::open(sb.logs().join("app.log.1.gz")).unwrap();
        std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(f), &mut gz).unwrap();
        assert_eq!(gz, text, "run {round}: LOG.1.gz must hold what the log held");
        assert_safe(&sb, &before);
    }
}

/// The checker itself: each kind of harm it must see is seen (a suite whose check cannot fail
/// proves nothing).
#[test]
fn the_checker_sees_every_kind_of_harm() {
    if skip_unless_root() {
        return;
    }
    type Harm = (&'static str, fn(&Sandbox));
    let harms: [Harm; 8] = [
        ("mode", |sb| attack::chmod(&sb.secret(), 0o666)),
        ("owner", |sb| attack::chown(&sb.secret(), NOBODY, NOBODY)),
        ("content", |sb| fs::write(sb.secret(), "").unwrap()),
        ("hard links", |sb| fs::hard_link(sb.secret(), sb.logs().join("x")).unwrap()),
        ("created inside the victim dir", |sb| fs::write(sb.victim_dir().join("x"), "").unwrap()),
        ("victim dir lost", |sb| fs::remove_file(sb.victim_dir().join("app.log.2")).unwrap()),
        ("outside the log dir", |sb| fs::write(sb.root.join("x"), "").unwrap()),
        ("readable by nobody", |sb| {
            sb.log_file("app.log.1", "");
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, attack::SECRET.as_bytes()).unwrap();
            fs::write(sb.logs().join("app.log.1"), gz.finish().unwrap()).unwrap();
        }),
    ];
    for (what, harm) in harms {
        let sb = Sandbox::new();
        let before = sb.snapshot();
        assert!(sb.violations(&before).is_empty(), "a fresh sandbox is clean");
        harm(&sb);
        let v = sb.violations(&before);
        assert!(v.iter().any(|m| m.contains(what)), "{what}: {v:?}");
    }
}

/// Like item 5 for `renamecopy`: a symlink or FIFO planted at `LOG.tmp` is refused safely once,
/// and later runs rotate normally (3.21 renames over it; it must not block rotation forever).
#[test]
fn planted_renamecopy_tmp_does_not_block_rotation_forever() {
    if skip_unless_root() {
        return;
    }
    let rule = "rotate 2\nrenamecopy";
    for what in [Plant::SymlinkFile, Plant::Fifo] {
        let (sb, first, before) = scenario(rule, &["app.log"], &[("app.log.tmp", what)]);
        assert_safe(&sb, &before);
        assert_eq!(first.misreport(), None, "{what:?}: {}", first.stderr);
        for round in 2..=3 {
            let text = format!("round {round}\n");
            if fs::symlink_metadata(sb.logs().join("app.log")).is_err() {
                sb.log_file("app.log", "");
            }
            fs::write(sb.logs().join("app.log"), &text).unwrap();
            let mut cmd = common::logrotate();
            cmd.arg("-f").arg("-s").arg(sb.root.join("state")).arg(sb.conf_path());
            let run = attack::run(cmd);
            eprintln!("{what:?} run {round}: {}\n{}", run.summary(&sb.root), run.stderr);
            assert_eq!(run.code, Some(0), "{what:?}: run {round} must rotate normally: {}", run.stderr);
            assert_eq!(
                fs::read_to_string(sb.logs().join("app.log.1")).unwrap(),
                text,
                "{what:?}: run {round}"
            );
            assert_safe(&sb, &before);
        }
    }
}
