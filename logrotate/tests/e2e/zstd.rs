//! zstd in-process (an extension; 3.21 runs the program for the same config): `compresscmd`
//! naming zstd with options we understand compresses in-process into standard `.zst` files
//! that the real `zstd -d` and `zstdcat` read; anything else runs the program as before; TOML's
//! `compress = "zstd"`; `mail` of a `.zst` archive; leftovers of a crash. The zstd program
//! must be installed (CI does: a failure when `$CI` is set, skipped with a message otherwise).
//!
//! Whether the program ran is seen through a wrapper named `zstd` (and `unzstd`) that leaves a
//! mark and then runs the real one.

use crate::common::fixture::{code, stderr, Fx};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

fn have_zstd() -> bool {
    let found = Command::new("zstd").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI is set but the zstd program is missing");
        eprintln!("SKIPPED: no zstd program (apt-get install zstd)");
    }
    found
}

/// Lines that compress well, `n` of them.
fn lines(tag: &str, n: usize) -> String {
    (0..n).map(|i| format!("{tag} {i} GET /api/v1/items/{} 200 {} ms\n", i * 7919 % 10007, i % 97)).collect()
}

/// `bin/NAME`: leaves `bin/NAME.ran` (its arguments) and runs `/usr/bin/NAME` with them.
fn wrapper(fx: &Fx, name: &str) -> String {
    let w = fx.write(
        &format!("bin/{name}"),
        &format!("#!/bin/sh\necho \"$@\" >> {d}/bin/{name}.ran\nexec /usr/bin/{name} \"$@\"\n", d = fx.d()),
    );
    fs::set_permissions(&w, fs::Permissions::from_mode(0o755)).unwrap();
    w.display().to_string()
}

/// What the real program makes of `path` (`zstd -d -c`, or `zstdcat`).
fn unzstd(program: &[&str], path: &Path) -> String {
    let out = Command::new(program[0]).args(&program[1..]).arg(path).output().unwrap();
    assert!(out.status.success(), "{program:?} {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn classic_compresscmd_zstd_runs_in_process_and_the_program_reads_the_archives() {
    if !have_zstd() {
        return;
    }
    let fx = Fx::new();
    let zstd = wrapper(&fx, "zstd");
    let small = lines("small", 2000);
    // Large enough to be compressed on several cores (exec::compress::PARALLEL_MIN is 4 MiB).
    let large = lines("large", 100_000);
    assert!(large.len() > 4 << 20);
    fx.write("small.log", &small);
    fx.write("large.log", &large);
    fs::set_permissions(fx.p("small.log"), fs::Permissions::from_mode(0o640)).unwrap();
    let touched = Command::new("touch").args(["-d", "2020-01-02 03:04:05"]).arg(fx.p("small.log")).status();
    assert!(touched.unwrap().success());
    let root = crate::common::fixture::is_root();
    if root {
        std::os::unix::fs::lchown(fx.p("small.log"), Some(65534), Some(65534)).unwrap();
    }
    let before = fs::metadata(fx.p("small.log")).unwrap();
    fx.conf(&format!(
        "@D@/*.log {{\n rotate 2\n compress\n compresscmd {zstd}\n compressext .zst\n compressoptions -19 -T0\n}}\n"
    ));
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!fx.exists("bin/zstd.ran"), "the program ran: {}", fx.read("bin/zstd.ran"));
    for (name, text) in [("small", &small), ("large", &large)] {
        let archive = fx.p(&format!("{name}.log.1.zst"));
        assert_eq!(&unzstd(&["zstd", "-d", "-c"], &archive), text, "{name}");
        assert_eq!(&unzstd(&["zstdcat"], &archive), text, "{name}");
        assert!(!fx.exists(&format!("{name}.log.1")), "{name}: the source is removed after success");
        assert!(!fx.exists(&format!(".{name}.log.1.zst.partial")));
    }
    // Mode, owner and times of the source, as for gzip.
    let md = fs::metadata(fx.p("small.log.1.zst")).unwrap();
    assert_eq!(md.mode() & 0o777, 0o640);
    assert_eq!((md.mtime(), md.mtime_nsec()), (before.mtime(), before.mtime_nsec()));
    if root {
        assert_eq!((md.uid(), md.gid()), (65534, 65534));
    }
    // -19 is smaller than the program's default level 3.
    let out = Command::new("sh")
        .arg("-c")
        .arg("printf '%s' \"$0\" | zstd -3 -c | wc -c")
        .arg(&small)
        .output()
        .unwrap();
    let level3: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(md.len() < level3, "-19 gave {} bytes, the program's -3 {level3}", md.len());
}

#[test]
fn options_not_understood_run_the_program_as_before() {
    if !have_zstd() {
        return;
    }
    let fx = Fx::new();
    let zstd = wrapper(&fx, "zstd");
    let text = lines("x", 3000);
    fx.write("app.log", &text);
    fx.conf(&format!(
        "@D@/app.log {{\n rotate 1\n compress\n compresscmd {zstd}\n compressext .zst\n compressoptions --fast=3 -q\n}}\n"
    ));
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.read("bin/zstd.ran"), "--fast=3 -q\n", "the program runs with the options as given");
    // Byte for byte what the program writes for the same input and options.
    let out = Command::new("sh")
        .arg("-c")
        .arg("printf '%s' \"$0\" | /usr/bin/zstd --fast=3 -q")
        .arg(&text)
        .output()
        .unwrap();
    assert_eq!(fs::read(fx.p("app.log.1.zst")).unwrap(), out.stdout);
    // Levels above 19 without --ultra are the program's to lower (with its warning).
    fx.write("app.log", &text);
    fx.conf(&format!(
        "@D@/app.log {{\n rotate 1\n compress\n compresscmd {zstd}\n compressoptions -20\n}}\n"
    ));
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fx.read("bin/zstd.ran"), "--fast=3 -q\n-20\n");
    assert_eq!(unzstd(&["zstd", "-d", "-c"], &fx.p("app.log.1.zst")), text);
}

#[test]
fn toml_compress_zstd_with_a_level() {
    if !have_zstd() {
        return;
    }
    let fx = Fx::new();
    let text = lines("t", 5000);
    fx.write("app.log", &text);
    let toml = "[app]\npaths = [\"@D@/app.log\"]\nrotate = 2\ncompress = \"zstd\"\ncompress_level = 19\n";
    let rules = fx.write("rules.toml", &toml.replace("@D@", &fx.d()));
    let o = crate::common::logrotate().arg("-f").arg("-s").arg(fx.p("state")).arg(&rules).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(unzstd(&["zstd", "-d", "-c"], &fx.p("app.log.1.zst")), text);
    // --dump-toml writes the readable form back.
    let dump = crate::common::logrotate().arg("--dump-toml").arg(&rules).output().unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("compress = \"zstd\"\ncompress_level = 19\n"), "{dump}");
}

#[test]
fn mail_of_a_zst_archive_is_decompressed_in_process() {
    if !have_zstd() {
        return;
    }
    let fx = Fx::new();
    let unzstd_cmd = wrapper(&fx, "unzstd");
    fx.write("app.log", "first\n");
    fx.conf(&format!(
        "@D@/app.log {{\n rotate 1\n compress\n compresscmd /usr/bin/zstd\n uncompresscmd {unzstd_cmd}\n mail ops@example.com\n}}\n"
    ));
    let mail = fx
        .write("mail.sh", &format!("#!/bin/sh\necho \"$@\" > {0}/mail.args\ncat > {0}/mail.body\n", fx.d()));
    fs::set_permissions(&mail, fs::Permissions::from_mode(0o755)).unwrap();
    let m = mail.to_str().unwrap().to_string();
    assert_eq!(code(&fx.run(&["-f", "-m", &m])), 0);
    fx.write("app.log", "second\n");
    assert_eq!(code(&fx.run(&["-f", "-m", &m])), 0);
    assert_eq!(fx.read("mail.body"), "first\n");
    assert_eq!(fx.read("mail.args"), format!("-s {}/app.log.2.zst ops@example.com\n", fx.d()));
    assert!(!fx.exists("bin/unzstd.ran"), "the program ran: {}", fx.read("bin/unzstd.ran"));
    assert_eq!(unzstd(&["zstdcat"], &fx.p("app.log.1.zst")), "second\n");
}

/// What a crash leaves: a half-written `.partial` (replaced by the next run), and an archive
/// placed but its source not yet removed (the source removed once the archive is seen to
/// hold the same bytes, even with `uncompresscmd` left at gunzip).
#[test]
fn leftovers_of_a_crash_are_repaired() {
    if !have_zstd() {
        return;
    }
    let fx = Fx::new();
    let (old, new) = (lines("old", 500), lines("new", 500));
    fx.write("a.log.1", &old);
    let packed =
        Command::new("zstd").args(["-q", "-o"]).arg(fx.p("a.log.1.zst")).arg(fx.p("a.log.1")).status();
    assert!(packed.unwrap().success());
    fx.write("a.log", &new);
    fx.write("b.log", &new);
    fx.write(".b.log.1.zst.partial", "half an archive");
    fx.conf("@D@/*.log {\n daily\n rotate 3\n compress\n compresscmd /usr/bin/zstd\n}\n");
    let o = fx.run(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!fx.exists("a.log.1"), "the compressed source is removed: {:?}", fx.names());
    assert!(!fx.names().iter().any(|n| n.contains("conflict")), "{:?}", fx.names());
    assert_eq!(unzstd(&["zstdcat"], &fx.p("a.log.1.zst")), old);
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(unzstd(&["zstdcat"], &fx.p("b.log.1.zst")), new);
    assert_eq!(unzstd(&["zstdcat"], &fx.p("a.log.2.zst")), old);
    assert!(!fx.names().iter().any(|n| n.ends_with(".partial")), "{:?}", fx.names());
}

/// A set of many logs goes through the batch (archives written ahead on several threads, made
/// durable together): the same standard archives.
#[test]
fn a_set_of_many_logs_is_compressed_ahead_in_the_batch() {
    if !have_zstd() {
        return;
    }
    let fx = Fx::new();
    for i in 0..24 {
        fx.write(&format!("logs/l{i}.log"), &lines(&format!("log{i}"), 300));
    }
    fx.conf(
        "@D@/logs/*.log {\n rotate 1\n compress\n compresscmd /usr/bin/zstd\n compressoptions -T0 -9\n}\n",
    );
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for i in 0..24 {
        assert_eq!(
            unzstd(&["zstdcat"], &fx.p(&format!("logs/l{i}.log.1.zst"))),
            lines(&format!("log{i}"), 300)
        );
        assert!(!fx.exists(&format!("logs/l{i}.log.1")));
    }
}
