//! Rules back to TOML, in the format [`toml_rules`](super::toml_rules) reads: one table per
//! rule, `paths` first, then only the options that differ from [`Options::default()`].
//!
//! # Examples
//!
//! ```
//! use logrotate::config::{dump, toml_rules};
//! use logrotate::rule::{Keep, Options, Rule, Source};
//! let rule = Rule {
//!     patterns: vec!["/var/log/app.log".into()],
//!     source: Source { file: "/etc/logrotate.conf".into(), line: 3 },
//!     header: None,
//!     options: Options { keep: Keep::Count(7), compress: true, ..Options::default() },
//! };
//! let text = dump::to_toml(&[rule.clone()]);
//! assert!(text.contains("[app]\npaths = [\"/var/log/app.log\"]\nrotate = 7\ncompress = true\n"));
//! let (back, _) = toml_rules::parse("dump.toml".as_ref(), &text, &Options::default());
//! assert_eq!(back[0].options, rule.options);
//! ```

use crate::rule::{Options, Rule};
use std::collections::HashSet;
use std::fmt::Write as _;

/// Writes the effective rules as TOML, one table per rule, each preceded by a comment naming
/// the `FILE:LINE` it came from.
///
/// Tables are named after the first path (`/var/log/nginx/*.log` gives `nginx`,
/// `/var/log/app.log` gives `app`), made unique with a `_2`, `_3`... suffix. Reading the result
/// back with [`toml_rules::parse`](super::toml_rules::parse) and default options gives rules
/// with the same patterns and options.
pub fn to_toml(rules: &[Rule]) -> String {
    let mut out = String::new();
    let mut taken = HashSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let name = unique_name(&table_name(rule, i + 1), &mut taken);
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "# {}", rule.source.to_string().replace('\n', " "));
        let _ = writeln!(out, "[{name}]");
        let paths: Vec<String> = rule.patterns.iter().map(|p| string(p)).collect();
        let _ = writeln!(out, "paths = [{}]", paths.join(", "));
        for (key, value) in options(&rule.options) {
            let _ = writeln!(out, "{key} = {value}");
        }
    }
    out
}

/// The `key = value` pairs of the options that differ from the defaults, in the order of the
/// directive table.
fn options(o: &Options) -> Vec<(&'static str, String)> {
    let d = Options::default();
    super::table::DIRECTIVES.iter().filter_map(|row| Some((row.toml, (row.dump?)(o, &d)?))).collect()
}

/// A TOML string, multi-line (`'''`) when it has newlines, as the toml crate writes it.
fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A bare-key table name from the first pattern: the file stem without glob characters, else
/// the directory's name, else `ruleN`.
fn table_name(rule: &Rule, n: usize) -> String {
    let clean = |s: &str| -> String {
        let kept: String = s
            .chars()
            .filter(|c| !matches!(c, '*' | '?' | '[' | ']' | '{' | '}'))
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        kept.trim_matches(|c| c == '_' || c == '-').to_string()
    };
    let path = rule.patterns.first().map(String::as_str).unwrap_or("");
    let mut components = path.rsplit('/').filter(|c| !c.is_empty());
    let file = components.next().unwrap_or("");
    let stem = match file.split_once('.') {
        Some(("", _)) | None => file,
        Some((stem, _)) => stem,
    };
    [clean(stem), components.next().map(clean).unwrap_or_default()]
        .into_iter()
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| format!("rule{n}"))
}

/// `name`, or `name_2`, `name_3`... if taken; never the reserved `defaults`.
fn unique_name(name: &str, taken: &mut HashSet<String>) -> String {
    let reserved = super::toml_rules::DEFAULTS_TABLE;
    let mut candidate = name.to_string();
    let mut n = 1;
    while candidate == reserved || taken.contains(&candidate) {
        n += 1;
        candidate = format!("{name}_{n}");
    }
    taken.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::toml_rules;
    use crate::rule::{
        CreateSpec, Criterion, Frequency, Keep, MailWhen, MoveMethod, Owner, Scripts, Source, SuSpec,
        WeeklyOn,
    };
    use std::path::Path;

    fn rule(patterns: &[&str], options: Options) -> Rule {
        Rule {
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            source: Source { file: "/etc/logrotate.conf".into(), line: 1 },
            header: None,
            options,
        }
    }

    /// Dumps, parses back with default options, and checks patterns and options survive.
    fn assert_round_trip(rules: &[Rule]) -> String {
        let text = to_toml(rules);
        let (back, diags) = toml_rules::parse(Path::new("dump.toml"), &text, &Options::default());
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        assert_eq!(back.len(), rules.len(), "{text}");
        for (want, got) in rules.iter().zip(&back) {
            assert_eq!(got.patterns, want.patterns, "{text}");
            assert_eq!(got.options, want.options, "{text}");
        }
        text
    }

    /// Every option set to something other than its default.
    fn everything() -> Options {
        let o = Options {
            criterion: Some(Criterion::Time(Frequency::Weekly(WeeklyOn::Day(chrono::Weekday::Wed)))),
            min_size: Some(1 << 20),
            max_size: Some(1536),
            min_age: crate::rule::days(2),
            max_age: crate::rule::days(30),
            max_total_size: Some(50 << 20),
            min_free: Some(crate::rule::MinFree::Percent(15)),
            keep: Keep::All,
            start: 0,
            compress: true,
            compress_cmd: "/usr/bin/zstd".into(),
            uncompress_cmd: "/usr/bin/unzstd".into(),
            compress_ext: Some(".zst".into()),
            compress_options: Some("-19 --long".into()),
            compress_level: crate::rule::CompressLevel::new(3),
            delay_compress: true,
            move_method: MoveMethod::CopyAndRenameCopy,
            create: Some(CreateSpec {
                mode: Some(0o640),
                owner: Some(Owner::Name("www-data".into())),
                group: Some(Owner::Id(4)),
            }),
            olddir: Some("/var/log/old dir".into()),
            create_olddir: Some(CreateSpec { mode: Some(0o4750), owner: None, group: None }),
            parser_memory: Default::default(),
            date_ext: true,
            date_format: Some("-%Y-%m-%d_%s".into()),
            date_yesterday: true,
            date_hour_ago: true,
            extension: Some(".log".into()),
            add_extension: Some(".txt".into()),
            if_empty: false,
            mail: Some("ops@example.com".into()),
            mail_when: MailWhen::First,
            missing_ok: true,
            scripts: Scripts {
                firstaction: Some("echo 'first' \"quoted\" \\ back".into()),
                prerotate: Some("\n  leading newline\n".into()),
                postrotate: Some("  kill -HUP $(cat /run/a.pid)\n  echo '''x''' \"\"\"\n".into()),
                lastaction: Some("tab\there\r\nend".into()),
                preremove: Some("shred -u \"$1\"".into()),
            },
            shared_scripts: true,
            shred: true,
            shred_cycles: Some(5),
            su: Some(SuSpec { user: Owner::Id(0), group: Some(Owner::Name("adm".into())) }),
            allow_hardlink: true,
            ignore_duplicates: true,
            lock_timeout: std::time::Duration::from_millis(250),
        };
        // Guard against a new field being added with its default here: every field must differ.
        let d = Options::default();
        let json = |o: &Options| serde_json::to_value(o).expect("options serialize");
        let (all, defaults) = (json(&o), json(&d));
        for (key, value) in all.as_object().expect("object") {
            assert_ne!(Some(value), defaults.get(key), "`{key}` is left at its default");
        }
        o
    }

    #[test]
    fn guard_sizes_round_trip_in_bytes_units_and_percent() {
        use crate::rule::MinFree;
        for (min_free, written) in [
            (MinFree::Bytes(500 << 20), "min_free = \"500M\"\n"),
            (MinFree::Bytes(1000), "min_free = 1000\n"),
            (MinFree::Percent(100), "min_free = \"100%\"\n"),
        ] {
            let o = Options { min_free: Some(min_free), max_total_size: Some(3 << 30), ..Options::default() };
            let text = assert_round_trip(&[rule(&["/a"], o)]);
            assert!(text.contains(written) && text.contains("max_total_size = \"3G\"\n"), "{text}");
        }
    }

    #[test]
    fn every_option_round_trips() {
        let text = assert_round_trip(&[rule(&["/var/log/app/*.log", "/var/log/x y.log"], everything())]);
        assert!(text.starts_with("# /etc/logrotate.conf:1\n[app]\npaths = "), "{text}");
        assert!(text.contains("frequency = \"weekly\"\nweekday = 3\n"), "{text}");
        assert!(text.contains("create = { mode = \"0640\", owner = \"www-data\", group = 4 }"), "{text}");
        assert!(text.contains("su = { user = 0, group = \"adm\" }"), "{text}");
        assert!(text.contains("post_rotate = \"\"\"\n  kill -HUP"), "{text}");
    }

    #[test]
    fn multi_line_scripts_stay_readable() {
        let script = "  /usr/bin/killall -HUP \"app\" 2>/dev/null || true\n  echo \\o/\n";
        let mut options = Options::default();
        options.scripts.postrotate = Some(script.to_string());
        let text = assert_round_trip(&[rule(&["/var/log/app.log"], options)]);
        assert!(text.ends_with(&format!("post_rotate = '''\n{script}'''\n")), "{text}");
    }

    #[test]
    fn default_options_write_only_paths() {
        let text = assert_round_trip(&[rule(&["/var/log/syslog"], Options::default())]);
        assert_eq!(text, "# /etc/logrotate.conf:1\n[syslog]\npaths = [\"/var/log/syslog\"]\n");
    }

    fn zstd(compress: bool, level: u64) -> Options {
        Options {
            compress,
            compress_cmd: crate::rule::ZSTD_CMD.into(),
            uncompress_cmd: crate::rule::UNZSTD_CMD.into(),
            compress_level: crate::rule::CompressLevel::new(level),
            ..Options::default()
        }
    }

    #[test]
    fn zstd_is_written_as_the_compressor_name() {
        let text = assert_round_trip(&[rule(&["/var/log/a.log"], zstd(true, 19))]);
        assert!(text.ends_with("compress = \"zstd\"\ncompress_level = 19\n"), "{text}");
        let text = assert_round_trip(&[rule(&["/var/log/a.log"], zstd(false, 19))]);
        assert!(text.contains("compress_cmd = \"/usr/bin/zstd\"\nuncompress_cmd"), "{text}");
    }

    #[test]
    fn table_of_round_trips() {
        let size = |n| Options { criterion: Some(Criterion::Size(n)), ..Options::default() };
        let time = |f| Options { criterion: Some(Criterion::Time(f)), ..Options::default() };
        let cases: Vec<(&str, Options)> = vec![
            ("size with unit", size(100 << 20)),
            ("size in bytes", size(1000)),
            ("size zero", size(0)),
            ("no criterion", Options { criterion: None, ..Options::default() }),
            ("hourly", time(Frequency::Hourly)),
            ("daily", time(Frequency::Daily)),
            ("weekly on sunday", time(Frequency::Weekly(WeeklyOn::Day(chrono::Weekday::Sun)))),
            ("every 7 days", time(Frequency::Weekly(WeeklyOn::EverySevenDays))),
            ("monthly", time(Frequency::Monthly)),
            ("yearly", time(Frequency::Yearly)),
            ("bare create", Options { create: Some(CreateSpec::default()), ..Options::default() }),
            (
                "create mode only",
                Options {
                    create: Some(CreateSpec { mode: Some(0o600), ..CreateSpec::default() }),
                    ..Options::default()
                },
            ),
            (
                "su without group",
                Options {
                    su: Some(SuSpec { user: Owner::Name("app".into()), group: None }),
                    ..Options::default()
                },
            ),
            (
                "rotate",
                Options {
                    keep: Keep::Count(52),
                    lock_timeout: std::time::Duration::from_secs(10),
                    ..Options::default()
                },
            ),
            ("copytruncate", Options { move_method: MoveMethod::CopyTruncate, ..Options::default() }),
            ("renamecopy", Options { move_method: MoveMethod::RenameCopy, ..Options::default() }),
            ("copy", Options { move_method: MoveMethod::Copy, ..Options::default() }),
            (
                "compress level",
                Options { compress_level: crate::rule::CompressLevel::new(1), ..Options::default() },
            ),
            ("mail last", Options { mail: Some("root".into()), ..Options::default() }),
            ("zstd", zstd(true, 19)),
            ("zstd commands, no compress", zstd(false, 19)),
            ("zstd ultra", zstd(true, 22)),
            ("zstd elsewhere", Options { compress_cmd: "/opt/bin/zstd".into(), ..zstd(true, 3) }),
        ];
        for (name, options) in cases {
            let r = rule(&["/var/log/a.log"], options);
            let text = to_toml(std::slice::from_ref(&r));
            let (back, diags) = toml_rules::parse(Path::new("dump.toml"), &text, &Options::default());
            assert!(diags.is_empty(), "{name}: {diags:?}\n{text}");
            assert_eq!(back.len(), 1, "{name}");
            assert_eq!(back[0].options, r.options, "{name}:\n{text}");
        }
    }

    #[test]
    fn sizes_use_units_when_exact() {
        let o = Options { criterion: Some(Criterion::Size(100 << 20)), ..Options::default() };
        assert!(to_toml(&[rule(&["/a"], o)]).contains("size = \"100M\"\n"));
        let o = Options { max_size: Some(1000), ..Options::default() };
        assert!(to_toml(&[rule(&["/a"], o)]).contains("max_size = 1000\n"));
    }

    #[test]
    fn table_names_are_readable_and_unique() {
        let names = |patterns: &[&str]| -> Vec<String> {
            let rules: Vec<Rule> = patterns.iter().map(|p| rule(&[p], Options::default())).collect();
            let text = assert_round_trip(&rules);
            text.lines()
                .filter(|l| l.starts_with('['))
                .map(|l| l.trim_matches(['[', ']']).to_string())
                .collect()
        };
        assert_eq!(
            names(&[
                "/var/log/nginx/*.log",
                "/var/log/nginx/error.log",
                "/var/log/app.log",
                "/var/log/app/app.log",
                "/var/log/defaults.log",
                "/*",
                "/var/log/.hidden",
                "/var/log/my app+db.log",
                "/var/log/error.log",
            ]),
            ["nginx", "error", "app", "app_2", "defaults_2", "rule6", "hidden", "my_app_db", "error_2"]
        );
    }

    #[test]
    fn no_rules_no_text() {
        assert_eq!(to_toml(&[]), "");
    }
}
