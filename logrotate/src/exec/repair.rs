//! Repairs what an interrupted run (a crash, `kill -9`, a power cut) left beside a log, before
//! anything is planned, so that no later run is blocked by it and nothing is lost or doubled:
//!
//! - `.ARCHIVE.partial` of a compression whose source is still there: removed.
//! - `.ARCHIVE.partial` of a `copy`/`copytruncate` whose bytes are still the start of the live
//!   log (the log was not truncated yet): removed; the rotation simply happens again. Otherwise
//!   the log was truncated and the partial copy holds those lines: renamed into place.
//! - `ARCHIVE` beside a complete `ARCHIVE.gz` (the crash came after the archive was renamed into
//!   place, before its source was removed): the source is removed when the archive decompresses
//!   to the same bytes, and moved aside (`ARCHIVE.conflict`) when not.
//! - `LOG.tmp` of an interrupted `renamecopy`: copied to its archive if that is missing, removed
//!   if the archive already holds the same bytes, moved aside otherwise.
//!
//! Nothing here follows a symlink: files are opened with `O_NOFOLLOW`, names are renamed
//! without replacing and unlinked.

use super::compress::{open_decompressed, partial_name};
use super::fsops::{aside_name, copy_sparse, open_nofollow, rename_noreplace};
use super::report::Reporter;
use super::tmp_name;
use crate::pathbytes::PathShow as _;
use crate::plan::first_archive_name;
use crate::plan::{FileFacts, FileKind, SetFacts};
use crate::rule::MoveMethod;
use crate::rule::Rule;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Repairs the leftovers of every log in `facts`. With `dry_run` only says what it would do.
/// Returns whether anything on disk changed (the caller then scans again).
pub fn repair(rules: &[Rule], facts: &[SetFacts], dry_run: bool, out: &mut Reporter) -> bool {
    let mut r = Repair { dry_run, out, changed: false };
    for set in facts {
        let rule = &rules[set.rule];
        for f in &set.files {
            if f.kind == FileKind::Regular {
                for name in &f.leftovers {
                    r.partial(f, name);
                }
                if rule.options.compress {
                    r.compressed_pairs(rule, f);
                }
            }
            // A crash right after renamecopy's first rename leaves no log at all, only LOG.tmp.
            let may_hold_tmp = matches!(f.kind, FileKind::Regular | FileKind::Missing);
            if may_hold_tmp && rule.options.move_method == MoveMethod::RenameCopy {
                r.renamecopy_tmp(rule, f);
            }
        }
    }
    r.changed
}

struct Repair<'a> {
    dry_run: bool,
    out: &'a mut Reporter,
    changed: bool,
}

impl Repair<'_> {
    fn act(&mut self, what: String, action: impl FnOnce() -> io::Result<()>) {
        if self.dry_run {
            self.out.info(&format!("would repair: {what}"));
            return;
        }
        match action() {
            Ok(()) => {
                self.changed = true;
                self.out.info(&format!("repaired: {what}"));
            }
            Err(e) => self.out.error(&format!("error repairing an interrupted rotation ({what}): {e}")),
        }
    }

    /// `.X.partial` in the archive directory.
    fn partial(&mut self, f: &FileFacts, name: &str) {
        let Some(target) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".partial")) else { return };
        let partial = f.archive_dir.join(crate::pathbytes::to_os(name));
        let dst = f.archive_dir.join(crate::pathbytes::to_os(target));
        match std::fs::symlink_metadata(&partial) {
            Ok(md) if md.is_file() => {}
            Ok(md) if md.is_dir() => return self.aside(&partial, &aside_name(&partial, ".conflict")),
            Ok(_) => return self.remove_planted(&partial),
            Err(_) => return,
        }
        // The compression of an archive that is still there: the partial output is worthless.
        let is_compression =
            f.archives.iter().any(|a| target.len() > a.name.len() && target.starts_with(&a.name));
        // An interrupted copy of the live log, or of renamecopy's `LOG.tmp`: its source still
        // holds every byte of it, and the copy is simply made again.
        let copied_from_source = [f.path.clone(), tmp_name(&f.path)]
            .iter()
            .any(|source| is_prefix_of(&partial, source).unwrap_or(false));
        if is_compression || copied_from_source {
            return self.act(format!("removing {} left by an interrupted rotation", partial.shown()), || {
                std::fs::remove_file(&partial)
            });
        }
        if std::fs::symlink_metadata(&dst).is_err() {
            return self.act(format!("renaming {} to {}", partial.shown(), dst.shown()), || {
                rename_noreplace(&partial, &dst)
            });
        }
        self.aside(&partial, &aside_name(&dst, ".recovered"));
    }

    /// `X` beside `X.gz`: a compression that finished but did not remove its source.
    fn compressed_pairs(&mut self, rule: &Rule, f: &FileFacts) {
        let ext = rule.options.effective_compress_ext();
        if ext.is_empty() || f.archives.len() < 2 {
            return;
        }
        let names: std::collections::HashSet<&str> = f.archives.iter().map(|a| a.name.as_str()).collect();
        for a in &f.archives {
            let packed = format!("{}{ext}", a.name);
            if !names.contains(packed.as_str()) {
                continue;
            }
            let plain = f.archive_dir.join(crate::pathbytes::to_os(&a.name));
            let packed = f.archive_dir.join(crate::pathbytes::to_os(&packed));
            let same = open_nofollow(&plain)
                .and_then(|p| same_content(p, open_decompressed(&rule.options, &packed)?))
                .unwrap_or(false);
            if same {
                self.act(
                    format!("removing {}, already compressed into {}", plain.shown(), packed.shown()),
                    || std::fs::remove_file(&plain),
                );
            } else {
                self.aside(&plain, &aside_name(&plain, ".conflict"));
            }
        }
    }

    /// `LOG.tmp` of an interrupted `renamecopy`.
    fn renamecopy_tmp(&mut self, rule: &Rule, f: &FileFacts) {
        let tmp = tmp_name(&f.path);
        let Ok(md) = std::fs::symlink_metadata(&tmp) else { return };
        if md.is_dir() {
            return self.aside(&tmp, &aside_name(&tmp, ".conflict"));
        }
        if !md.is_file() {
            return self.remove_planted(&tmp);
        }
        // Its archive name is the one of the rotation that renamed it (its change time).
        let when = chrono::DateTime::from_timestamp(std::os::unix::fs::MetadataExt::ctime(&md), 0)
            .map(|t| t.with_timezone(&chrono::Local).naive_local())
            .unwrap_or_default();
        let dst = f.archive_dir.join(crate::pathbytes::to_os(&first_archive_name(rule, &f.path, when)));
        let packed = PathBuf::from(format!("{}{}", dst.shown(), rule.options.effective_compress_ext()));
        let holds = |archive: &Path, compressed: bool| -> bool {
            let archive_reader = if compressed {
                open_decompressed(&rule.options, archive)
            } else {
                open_nofollow(archive).map(|f| Box::new(f) as Box<dyn Read>)
            };
            archive_reader.and_then(|a| same_content(open_nofollow(&tmp)?, a)).unwrap_or(false)
        };
        let (dst_exists, packed_exists) = (
            std::fs::symlink_metadata(&dst).is_ok(),
            rule.options.compress && packed != dst && packed.exists(),
        );
        if (dst_exists && holds(&dst, false)) || (packed_exists && holds(&packed, true)) {
            return self.act(format!("removing {}, already copied to its archive", tmp.shown()), || {
                std::fs::remove_file(&tmp)
            });
        }
        if !dst_exists && !packed_exists {
            return self.act(format!("copying {} to {}", tmp.shown(), dst.shown()), || {
                // A partial copy of this very file, from a repair killed earlier: start again.
                match std::fs::remove_file(partial_name(&dst)) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                copy_sparse(&tmp, &dst).and_then(|()| std::fs::remove_file(&tmp))
            });
        }
        self.aside(&tmp, &aside_name(&tmp, ".conflict"));
    }

    /// A symlink, FIFO or socket planted where only our own files go: never followed, never
    /// read; the name is removed and the run says so.
    fn remove_planted(&mut self, path: &Path) {
        if self.dry_run {
            return self.out.info(&format!("would repair: removing {}, not a regular file", path.shown()));
        }
        match std::fs::remove_file(path) {
            Ok(()) => {
                self.changed = true;
                self.out.error(&format!("{} is not a regular file; removed it", path.shown()));
            }
            Err(e) => self.out.error(&format!("error removing {}: {e}", path.shown())),
        }
    }

    /// Keeps both files: moves `path` aside to `to`, and says so as an error.
    fn aside(&mut self, path: &Path, to: &Path) {
        if self.dry_run {
            return self.out.info(&format!("would repair: moving {} aside to {}", path.shown(), to.shown()));
        }
        match rename_noreplace(path, to) {
            Ok(()) => {
                self.changed = true;
                self.out.error(&format!(
                    "{} was left by an interrupted rotation and does not match; kept it as {}",
                    path.shown(),
                    to.shown()
                ));
            }
            Err(e) => self.out.error(&format!("error moving {} aside: {e}", path.shown())),
        }
    }
}

/// Whether the bytes of `prefix` are the start of `whole`.
fn is_prefix_of(prefix: &Path, whole: &Path) -> io::Result<bool> {
    let (p, w) = (open_nofollow(prefix)?, open_nofollow(whole)?);
    if p.metadata()?.len() > w.metadata()?.len() {
        return Ok(false);
    }
    compare(p, w, false)
}

/// Whether two readers yield the same bytes.
fn same_content(a: impl Read, b: impl Read) -> io::Result<bool> {
    compare(a, b, true)
}

/// Compares `a` with `b` chunk by chunk; `b` may go on past `a` unless `exact`.
fn compare(mut a: impl Read, mut b: impl Read, exact: bool) -> io::Result<bool> {
    let (mut x, mut y) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = read_full(&mut a, &mut x)?;
        let m = read_full(&mut b, &mut y[..n.max(if exact { 1 } else { 0 })])?;
        if n == 0 {
            return Ok(!exact || m == 0);
        }
        if m != n || x[..n] != y[..n] {
            return Ok(false);
        }
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_prefix_and_exact() {
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        assert!(compare(&big[..1000], &big[..], false).unwrap());
        assert!(!compare(&big[..1000], &big[..], true).unwrap());
        assert!(compare(&big[..], &big[..], true).unwrap());
        assert!(compare(&b""[..], &big[..], false).unwrap());
        assert!(!compare(&b"x"[..], &big[..], false).unwrap());
        assert!(!compare(&big[..], &big[..1000], false).unwrap());
    }
}
