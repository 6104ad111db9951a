//! Regression tests for the safety holes and crash stalls of issue 7, each named after its bug:
//! symlinks and hard links planted where the executor writes, and the leftovers of a run killed
//! at the wrong moment, which later runs must repair instead of failing on for ever.

use crate::common;

use common::fixture::{code, is_root, stderr, Fx};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// A root-owned secret outside the log directory, and a check that it never changes.
struct Secret {
    path: std::path::PathBuf,
}

impl Secret {
    fn new(fx: &Fx) -> Secret {
        let path = fx.write("secret", "top secret\n");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        Secret { path }
    }
    fn assert_untouched(&self) {
        let md = fs::metadata(&self.path).unwrap();
        assert_eq!(fs::read_to_string(&self.path).unwrap(), "top secret\n", "the secret's content changed");
        assert_eq!(md.mode() & 0o7777, 0o640, "the secret's mode changed");
        assert_eq!((md.uid(), md.gid()), (0, 0), "the secret's owner changed");
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn regression_createolddir_never_follows_a_symlink() {
    if !is_root() {
        return;
    }
    let fx = Fx::new();
    let secret = Secret::new(&fx);
    fx.write("logs/app.log", "x\n");
    std::os::unix::fs::symlink(&secret.path, fx.p("logs/old")).unwrap();
    fx.conf("@D@/logs/app.log {\n rotate 1\n olddir old\n createolddir 0755 nobody nogroup\n}\n");
    let o = fx.run(&["-f"]);
    secret.assert_untouched();
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("already exists, but it is not a directory"), "{}", stderr(&o));
    assert_eq!(fx.read("logs/app.log"), "x\n");
}

#[test]
fn regression_shred_never_follows_a_symlink_and_a_failed_shred_is_reported() {
    if !is_root() {
        return;
    }
    let fx = Fx::new();
    let secret = Secret::new(&fx);
    fx.write("logs/app.log", "x\n");
    std::os::unix::fs::symlink(&secret.path, fx.p("logs/app.log.2")).unwrap();
    fx.conf("@D@/logs/app.log {\n rotate 1\n shred\n}\n");
    let o = fx.run(&["-f"]);
    secret.assert_untouched();
    assert_eq!(code(&o), 1, "a failed shred must not pass silently");
    assert!(stderr(&o).contains("Failed to shred"), "{}", stderr(&o));
    assert!(!fx.exists("logs/app.log.2"), "the planted link is removed, not followed");
    assert_eq!(fx.read("logs/app.log.1"), "x\n");
}

#[test]
fn regression_symlink_at_the_first_archive_does_not_block_rotation_for_ever() {
    let fx = Fx::new();
    let secret = Secret::new(&fx);
    fx.write("logs/app.log", "one\n");
    std::os::unix::fs::symlink(&secret.path, fx.p("logs/app.log.1")).unwrap();
    fx.conf("@D@/logs/app.log {\n rotate 3\n compress\n}\n");
    let o = fx.run(&["-f"]);
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    assert_eq!(fx.gunzip("logs/app.log.1.gz"), "one\n");
    fx.write("logs/app.log", "two\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.gunzip("logs/app.log.1.gz"), "two\n");
    assert_eq!(fx.gunzip("logs/app.log.2.gz"), "one\n");
    secret.assert_untouched();
}

#[test]
fn regression_source_left_beside_its_finished_archive_is_dropped() {
    // A crash after `.app.log.1.gz.partial` was renamed into place, before `app.log.1` was removed.
    let fx = Fx::new();
    fx.write("app.log", "new\n");
    fx.write("app.log.1", "old\n");
    fs::write(fx.p("app.log.1.gz"), gzip(b"old\n")).unwrap();
    fx.conf("@D@/app.log {\n rotate 5\n compress\n create\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.names(), ["app.log", "app.log.1.gz", "app.log.2.gz", "state", "state.lock", "test.conf"]);
    assert_eq!(fx.gunzip("app.log.2.gz"), "old\n");
    assert_eq!(fx.gunzip("app.log.1.gz"), "new\n");
}

#[test]
fn regression_source_beside_a_different_archive_is_kept_aside() {
    let fx = Fx::new();
    fx.write("app.log", "new\n");
    fx.write("app.log.1", "other\n");
    fs::write(fx.p("app.log.1.gz"), gzip(b"old\n")).unwrap();
    fx.conf("@D@/app.log {\n rotate 5\n compress\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(fx.read("app.log.1.conflict"), "other\n");
    assert_eq!(fx.gunzip("app.log.2.gz"), "old\n");
    assert_eq!(fx.gunzip("app.log.1.gz"), "new\n");
    // Reported once: the next run is clean.
    fx.write("app.log", "newer\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn regression_interrupted_copytruncate_before_truncation_is_not_duplicated() {
    let fx = Fx::new();
    fx.write("app.log", "1\n2\n3\n");
    fx.write(".app.log.1.partial", "1\n2\n");
    fx.conf("@D@/app.log {\n rotate 5\n copytruncate\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.names(), ["app.log", "app.log.1", "state", "state.lock", "test.conf"]);
    assert_eq!(fx.read("app.log.1"), "1\n2\n3\n");
    assert_eq!(fx.read("app.log"), "");
}

#[test]
fn regression_interrupted_copytruncate_after_truncation_keeps_the_copy() {
    let fx = Fx::new();
    fx.write("app.log", "4\n");
    fx.write(".app.log.1.partial", "1\n2\n3\n");
    fx.conf("@D@/app.log {\n rotate 5\n copytruncate\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.names(), ["app.log", "app.log.1", "app.log.2", "state", "state.lock", "test.conf"]);
    assert_eq!(fx.read("app.log.2"), "1\n2\n3\n");
    assert_eq!(fx.read("app.log.1"), "4\n");
}

#[test]
fn regression_renamecopy_tmp_leftover_is_finished_by_the_next_run() {
    let fx = Fx::new();
    fx.write("app.log", "new\n");
    fx.write("app.log.tmp", "old\n");
    fx.conf("@D@/app.log {\n rotate 5\n renamecopy\n create\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.names(), ["app.log", "app.log.1", "app.log.2", "state", "state.lock", "test.conf"]);
    assert_eq!(fx.read("app.log.2"), "old\n");
    assert_eq!(fx.read("app.log.1"), "new\n");
}

#[test]
fn regression_renamecopy_tmp_in_the_way_is_named_and_moved_aside() {
    // It used to block every later run with an error naming the archive, not `app.log.tmp`.
    let fx = Fx::new();
    fx.write("app.log", "new\n");
    fs::create_dir(fx.p("app.log.tmp")).unwrap();
    fx.conf("@D@/app.log {\n rotate 5\n renamecopy\n create\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("app.log.tmp"), "{}", stderr(&o));
    assert!(fs::metadata(fx.p("app.log.tmp.conflict")).unwrap().is_dir());
    assert_eq!(fx.read("app.log.1"), "new\n");
    fx.write("app.log", "newer\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn regression_partial_compression_is_cleaned_up_even_when_nothing_rotates() {
    let fx = Fx::new();
    fx.write("app.log", "live\n");
    fx.write("app.log.1", "old\n");
    fx.write(".app.log.1.gz.partial", "\x1f garbage");
    fx.conf("@D@/app.log {\n rotate 5\n daily\n compress\n delaycompress\n}\n");
    fx.write("state", "logrotate state -- version 2\n");
    let o = fx.run(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!fx.exists(".app.log.1.gz.partial"));
    assert_eq!(fx.read("app.log.1"), "old\n");
    assert_eq!(fx.read("app.log"), "live\n");
}

#[test]
fn regression_planted_partial_symlink_is_removed_not_put_in_place() {
    let fx = Fx::new();
    let secret = Secret::new(&fx);
    fx.write("logs/app.log", "x\n");
    std::os::unix::fs::symlink(&secret.path, fx.p("logs/.app.log.1.partial")).unwrap();
    fx.conf("@D@/logs/app.log {\n rotate 5\n copytruncate\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    assert!(!fx.exists("logs/.app.log.1.partial"));
    assert_eq!(fx.read("logs/app.log.1"), "x\n");
    assert!(!fs::symlink_metadata(fx.p("logs/app.log.1")).unwrap().file_type().is_symlink());
    secret.assert_untouched();
}

#[test]
fn regression_renamecopy_tmp_without_a_log_is_finished() {
    // Killed right after `app.log` -> `app.log.tmp`, before the new log was created.
    let fx = Fx::new();
    fx.write("app.log.tmp", "old\n");
    fx.conf("@D@/app.log {\n rotate 5\n renamecopy\n missingok\n}\n");
    let o = fx.run(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.names(), ["app.log.1", "state", "state.lock", "test.conf"]);
    assert_eq!(fx.read("app.log.1"), "old\n");
}

#[test]
fn regression_hard_link_at_the_first_archive_is_not_compressed() {
    // A hard link to a secret planted at app.log.1 was compressed into a copy of the secret.
    let fx = Fx::new();
    let secret = Secret::new(&fx);
    fx.write("logs/app.log", "one\n");
    fs::hard_link(&secret.path, fx.p("logs/app.log.1")).unwrap();
    fx.conf("@D@/logs/app.log {\n rotate 3\n compress\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("has other hard links"), "{}", stderr(&o));
    assert!(!fx.exists("logs/app.log.2.gz"));
    assert_eq!(fx.gunzip("logs/app.log.1.gz"), "one\n");
    assert_eq!(fs::metadata(&secret.path).unwrap().nlink(), 1);
    secret.assert_untouched();
}

#[test]
fn regression_directory_at_a_partial_name_does_not_block_rotation() {
    let fx = Fx::new();
    fx.write("app.log", "x\n");
    fs::create_dir(fx.p(".app.log.1.partial")).unwrap();
    fx.conf("@D@/app.log {\n rotate 5\n copytruncate\n}\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(fx.read("app.log.1"), "x\n");
    fx.write("app.log", "y\n");
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn regression_renamecopy_repair_killed_mid_copy_is_finished_later() {
    // The repair of a renamecopy crash was itself killed while copying LOG.tmp: its partial copy
    // blocked every later repair with "File exists".
    let fx = Fx::new();
    fx.write("app.log.tmp", "old\n");
    fx.write(".app.log.1.partial", "ol");
    fx.conf("@D@/app.log {\n rotate 5\n renamecopy\n missingok\n}\n");
    let o = fx.run(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.names(), ["app.log.1", "state", "state.lock", "test.conf"]);
    assert_eq!(fx.read("app.log.1"), "old\n");
}

#[test]
fn regression_partial_copy_of_renamecopy_tmp_is_not_taken_for_an_archive() {
    // Killed while renamecopy copied LOG.tmp: the partial copy was renamed into place as LOG.1
    // and the whole LOG.tmp then set aside as a conflict.
    let fx = Fx::new();
    fx.write("app.log", "");
    fx.write("app.log.tmp", "old 1\nold 2\n");
    fx.write(".app.log.1.partial", "old 1\n");
    fx.conf("@D@/app.log {\n rotate 5\n renamecopy\n create\n}\n");
    let o = fx.run(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.names(), ["app.log", "app.log.1", "state", "state.lock", "test.conf"]);
    assert_eq!(fx.read("app.log.1"), "old 1\nold 2\n");
}
