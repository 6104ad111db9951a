//! Numbers out of range on the command line and in config files are errors, never panics
//! (ages and timeouts are checked `Duration`s).

use crate::common;

use std::fs;

#[cfg(feature = "daemon")]
#[test]
fn huge_rescan_interval_is_a_usage_error() {
    for bad in ["1e300", "0", "-1", "nan"] {
        let out = std::process::Command::new(common::bin("logrotated"))
            .arg(format!("--rescan-interval={bad}"))
            .arg("/nonexistent.conf")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("must be a positive number of seconds"), "{bad}: {stderr}");
    }
}

#[test]
fn huge_ages_and_timeouts_in_config_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let cases = [
        (
            "a.toml",
            format!("[a]\npaths = [\"{d}/a.log\"]\nmax_age = 9223372036854775807\n"),
            "bad maximum age",
        ),
        ("b.toml", format!("[b]\npaths = [\"{d}/b.log\"]\nlock_timeout = 1e300\n"), "`lock_timeout` must be"),
        ("c.conf", format!("{d}/c.log {{\n    locktimeout 1e300\n}}\n"), "bad lock timeout '1e300'"),
    ];
    for (name, text, said) in cases {
        let conf = dir.path().join(name);
        fs::write(&conf, text).unwrap();
        let out = common::logrotate().arg("-d").arg(&conf).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(said), "{name}: {stderr}");
    }
}
