//! `compresslevel N` (an extension; 3.21 says `unknown option 'compresslevel' -- ignoring
//! line`): the built-in gzip's level, and `-N` before `compressoptions` for another compressor.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Text that compresses, but better at a higher level.
fn compressible() -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut text = String::new();
    for i in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let word = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"][usize::try_from(x % 6).unwrap()];
        text.push_str(&format!("{i} {word} request served in {} ms\n", x % 1000));
    }
    text
}

/// Rotates `app.log` of a fresh dir with `directives` and `-f`; returns the dir.
fn rotate(directives: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    fs::write(dir.path().join("app.log"), compressible()).unwrap();
    let conf = dir.path().join("test.conf");
    fs::write(
        &conf,
        format!("{d}/app.log {{\n    rotate 1\n    compress\n{directives}}}\n").replace("@D@", d),
    )
    .unwrap();
    let out =
        common::logrotate().arg("-f").arg("-s").arg(dir.path().join("state")).arg(&conf).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[test]
fn builtin_gzip_uses_the_level() {
    let archive = |dir: &Path| fs::read(dir.join("app.log.1.gz")).unwrap();
    let (fast, best, default) =
        (rotate("    compresslevel 1\n"), rotate("    compresslevel 9\n"), rotate(""));
    let (fast, best, default) = (archive(fast.path()), archive(best.path()), archive(default.path()));
    // gzip's header says the extremes (XFL: 4 fastest, 2 best).
    assert_eq!((fast[8], best[8], default[8]), (4, 2, 0));
    assert!(best.len() < fast.len(), "level 9 ({}) not smaller than level 1 ({})", best.len(), fast.len());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&best[..]), &mut text).unwrap();
    assert_eq!(text, compressible());
}

#[test]
fn external_compressor_gets_the_level_before_its_options() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fakezip");
    let args = dir.path().join("args");
    fs::write(&fake, format!("#!/bin/sh\necho \"$*\" >> {}\ncat\n", args.display())).unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let cmd = format!("    compresscmd {}\n    compressext .z\n", fake.display());
    rotate(&format!("{cmd}    compresslevel 3\n"));
    rotate(&format!("{cmd}    compresslevel 2\n    compressoptions -q --fast\n"));
    rotate(&cmd);
    assert_eq!(fs::read_to_string(&args).unwrap(), "-3\n-2 -q --fast\n\n");
}

#[test]
fn bad_levels_are_config_errors() {
    for bad in ["0", "10", "x", "-1"] {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("test.conf");
        fs::write(&conf, format!("{}/app.log {{\n    compresslevel {bad}\n}}\n", dir.path().display()))
            .unwrap();
        let out = common::logrotate().arg("-d").arg(&conf).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!(":2 bad compress level '{bad}' (1 to 9)")), "{stderr}");
        assert_eq!(out.status.code(), Some(1), "{bad}");
    }
}
