use super::*;
use crate::config::Level;
use crate::rule::{CreateSpec, Criterion, Frequency, Keep, MailWhen, Owner, WeeklyOn};
use std::time::Duration;

fn load(text: &str) -> (Vec<Rule>, Vec<Diagnostic>) {
    parse(Path::new("/etc/app.toml"), text, &Options::default())
}

fn one(text: &str) -> Options {
    let (rules, diags) = load(text);
    assert_eq!(diags, vec![], "unexpected diagnostics");
    assert_eq!(rules.len(), 1);
    rules.into_iter().next().unwrap().options
}

fn only_error(text: &str) -> String {
    let (rules, diags) = load(text);
    assert!(rules.is_empty(), "rules loaded: {rules:?}");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].level, Level::Error);
    diags[0].message.clone()
}

#[test]
fn example_table_loads() {
    let o = one(concat!(
        "[nginx]\n",
        "paths = [\"/var/log/nginx/*.log\", \"/var/log/nginx/x\"]\n",
        "frequency = \"daily\"\nrotate = 14\ncompress = true\ndelay_compress = true\n",
        "create = { mode = \"0640\", owner = \"www-data\", group = \"adm\" }\n",
        "postrotate = \"systemctl reload nginx\"\n",
    ));
    assert_eq!(o.criterion, Some(Criterion::Time(Frequency::Daily)));
    assert_eq!(o.keep, Keep::Count(14));
    assert!(o.compress && o.delay_compress);
    let create = o.create.expect("create");
    assert_eq!(create.mode, Some(0o640));
    assert_eq!(create.owner, Some(Owner::Name("www-data".into())));
    assert_eq!(create.group, Some(Owner::Name("adm".into())));
    assert_eq!(o.scripts.postrotate.as_deref(), Some("systemctl reload nginx"));
}

#[test]
fn rule_source_and_patterns_follow_the_file() {
    let (rules, diags) = load("# x\n\n[b]\npaths = [\"/b1\", \"/b0\"]\n\n[a]\npaths = [\"/a\"]\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].patterns, ["/b1", "/b0"]);
    assert_eq!(rules[0].source, Source { file: "/etc/app.toml".into(), line: 3 });
    assert_eq!(rules[1].patterns, ["/a"]);
    assert_eq!(rules[1].source.line, 6);
}

#[test]
fn unknown_key_names_line_and_column() {
    let text = "[a]\npaths = [\"/a\"]\n\n[b]\npaths = [\"/b\"]\n  compres = true\n";
    let (rules, diags) = load(text);
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].patterns, ["/a"]);
    assert_eq!(diags.len(), 1);
    let msg = &diags[0].message;
    assert_eq!(msg, "/etc/app.toml:6:3: unknown field `compres`; did you mean `compress`?; skipping [b]");
    assert_eq!(diags[0].to_string(), format!("error: {msg}"));
}

#[test]
fn unknown_key_in_create_table() {
    let msg = only_error("[a]\npaths = [\"/a\"]\ncreate = { mod = \"0600\" }\n");
    assert!(msg.starts_with("/etc/app.toml:3:12: unknown field `mod`"), "{msg}");
}

#[test]
fn syntax_error_drops_the_file() {
    let msg = only_error("[a]\npaths = [\"/a\"]\n[b]\npaths = [\"/b\" \"/c\"]\n");
    assert_eq!(msg, "/etc/app.toml:4:15: invalid array: expected `]`");
    let msg = only_error("[a]\npaths = [\"/a\"]\n[a]\n");
    assert!(msg.starts_with("/etc/app.toml:3:1: invalid table header"), "{msg}");
}

#[test]
fn bad_size_drops_one_table_keeps_the_other() {
    let text = "[a]\npaths = [\"/a\"]\nsize = \"10x\"\n\n[b]\npaths = [\"/b\"]\nsize = \"10k\"\n";
    let (rules, diags) = load(text);
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].patterns, ["/b"]);
    assert_eq!(rules[0].options.criterion, Some(Criterion::Size(10 * 1024)));
    assert_eq!(diags.len(), 1);
    let msg = &diags[0].message;
    assert!(msg.starts_with("/etc/app.toml:3:8: unknown unit 'x'"), "{msg}");
    assert!(msg.ends_with("skipping [a]"), "{msg}");
}

#[test]
fn size_accepts_integers_and_units() {
    assert_eq!(one("[a]\npaths=[\"/a\"]\nsize = 100\n").criterion, Some(Criterion::Size(100)));
    let o = one("[a]\npaths=[\"/a\"]\nmin_size = \"1M\"\nmax_size = \"2G\"\n");
    assert_eq!((o.min_size, o.max_size), (Some(1 << 20), Some(2 << 30)));
    assert!(only_error("[a]\npaths=[\"/a\"]\nsize = -1\n").contains("invalid size -1"));
}

#[test]
fn size_and_frequency_conflict() {
    let msg = only_error("[a]\npaths = [\"/a\"]\nfrequency = \"daily\"\nsize = \"1M\"\n");
    assert!(msg.starts_with("/etc/app.toml:4:8: `size` and `frequency`"), "{msg}");
}

#[test]
fn table_size_overrides_default_frequency() {
    let o = one("[defaults]\nfrequency = \"weekly\"\n[a]\npaths = [\"/a\"]\nsize = 5\n");
    assert_eq!(o.criterion, Some(Criterion::Size(5)));
}

#[test]
fn missing_or_empty_paths() {
    assert!(only_error("\n[a]\nrotate = 1\n").starts_with("/etc/app.toml:2:1: [a] has no `paths`"));
    assert!(only_error("[a]\npaths = []\n").starts_with("/etc/app.toml:2:9: `paths` must list"));
}

#[test]
fn defaults_table_changes_the_base_for_this_file() {
    let base = Options { keep: Keep::Count(4), ..Options::default() };
    let text = "[a]\npaths = [\"/a\"]\n\n[defaults]\ncompress = true\nmissingok = true\n\n\
                [b]\npaths = [\"/b\"]\ncompress = false\n";
    let (rules, diags) = parse(Path::new("f.toml"), text, &base);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(rules.len(), 2, "[defaults] is not a rule");
    assert!(rules[0].options.compress && rules[0].options.missing_ok);
    assert_eq!(rules[0].options.keep, Keep::Count(4), "the given base still applies");
    assert!(!rules[1].options.compress && rules[1].options.missing_ok);
}

#[test]
fn bad_defaults_drop_the_whole_file() {
    let msg = only_error("[a]\npaths = [\"/a\"]\n[defaults]\nrotate = \"7\"\n");
    assert!(msg.starts_with("/etc/app.toml:4:10: invalid type"), "{msg}");
    assert!(msg.ends_with("; skipping every table of this file"), "{msg}");
}

#[test]
fn dateformat_accepts_what_3_21_accepts() {
    let o = one("[a]\npaths=[\"/a\"]\ndateext = true\ndateformat = \"-%Y%m%d-%s\"\n");
    assert_eq!(o.date_format.as_deref(), Some("-%Y%m%d-%s"));
    assert!(o.date_ext);
    // As in the classic syntax (and 3.21), another specifier is written literally.
    let o = one("[a]\npaths=[\"/a\"]\ndateformat = \"-%F\"\n");
    assert_eq!(o.date_format.as_deref(), Some("-%F"));
}

#[test]
fn defaults_cannot_have_paths() {
    let msg = only_error("[defaults]\npaths = [\"/x\"]\n[a]\npaths = [\"/a\"]\n");
    assert!(msg.starts_with("/etc/app.toml:2:9: [defaults] cannot have"), "{msg}");
}

#[test]
fn owners_by_name_or_id() {
    let o = one(concat!(
        "[a]\npaths = [\"/a\"]\ncreate = { owner = 0, group = \"adm\" }\n",
        "su = { user = \"www-data\", group = 33 }\n",
    ));
    let create = o.create.unwrap();
    assert_eq!((create.mode, create.owner), (None, Some(Owner::Id(0))));
    let numeric = one("[a]\npaths = [\"/a\"]\nsu = { user = \"1000\" }\n");
    assert_eq!(numeric.su.unwrap().user, Owner::Id(1000));
    assert_eq!(create.group, Some(Owner::Name("adm".into())));
    let su = o.su.unwrap();
    assert_eq!((su.user, su.group), (Owner::Name("www-data".into()), Some(Owner::Id(33))));
    assert!(only_error("[a]\npaths=[\"/a\"]\nsu = { group = 1 }\n").contains("missing field `user`"));
    assert!(only_error("[a]\npaths=[\"/a\"]\ncreate = { owner = -1 }\n").contains("invalid id -1"));
}

#[test]
fn modes_are_octal() {
    let mode = |m: &str| {
        let (rules, diags) = load(&format!("[a]\npaths=[\"/a\"]\ncreate = {{ mode = {m} }}\n"));
        let mode = rules.first().and_then(|r| r.options.create.as_ref()?.mode);
        (mode, diags.first().map(|d| d.message.clone()))
    };
    assert_eq!(mode("\"0640\"").0, Some(0o640));
    assert_eq!(mode("\"600\"").0, Some(0o600));
    assert_eq!(mode("0o4755").0, Some(0o4755));
    for bad in ["640", "\"0648\"", "\"rw\"", "0o17777", "\"\""] {
        let (m, err) = mode(bad);
        assert_eq!(m, None, "{bad}");
        assert!(err.unwrap().starts_with("/etc/app.toml:3:19: invalid mode"), "{bad}");
    }
}

#[test]
fn create_and_friends_toggle() {
    let o = one("[a]\npaths=[\"/a\"]\ncreate = true\ncreate_olddir = true\nolddir = \"old\"\n");
    assert_eq!(o.create, Some(CreateSpec::default()));
    assert_eq!(o.create_olddir, Some(CreateSpec::default()));
    assert_eq!(o.olddir.as_deref(), Some("old"));
    let text = "[defaults]\ncreate = true\nolddir = \"o\"\nmail = \"a@b\"\n\
                [a]\npaths=[\"/a\"]\ncreate = false\nolddir = false\nmail = false\n";
    let o = one(text);
    assert_eq!((o.create, o.olddir, o.mail), (None, None, None));
    let msg = only_error("[a]\npaths=[\"/a\"]\nolddir = true\n");
    assert!(msg.starts_with("/etc/app.toml:3:10: invalid value: boolean `true`"), "{msg}");
}

#[test]
fn weekly_on_a_day() {
    let o = one("[a]\npaths=[\"/a\"]\nfrequency = \"weekly\"\nweekday = 3\n");
    assert_eq!(o.criterion, Some(Criterion::Time(Frequency::Weekly(WeeklyOn::Day(chrono::Weekday::Wed)))));
    let o = one("[a]\npaths=[\"/a\"]\nfrequency = \"weekly\"\n");
    assert_eq!(o.criterion, Some(Criterion::Time(Frequency::Weekly(WeeklyOn::Day(chrono::Weekday::Sun)))));
    assert!(
        only_error("[a]\npaths=[\"/a\"]\nfrequency = \"weekly\"\nweekday = 8\n").contains(":4:11: `weekday`")
    );
    assert!(only_error("[a]\npaths=[\"/a\"]\nweekday = 1\n").contains("needs frequency"));
    assert!(only_error("[a]\npaths=[\"/a\"]\nfrequency = \"fortnightly\"\n").contains("unknown variant"));
}

#[test]
fn criterion_comes_from_base_unless_set() {
    let base = Options { criterion: Some(Criterion::Time(Frequency::Monthly)), ..Options::default() };
    let (rules, _) = parse(Path::new("f.toml"), "[a]\npaths=[\"/a\"]\n", &base);
    assert_eq!(rules[0].options.criterion, base.criterion);
    assert_eq!(one("[a]\npaths=[\"/a\"]\nfrequency = \"none\"\n").criterion, None);
    assert!(only_error("[a]\npaths=[\"/a\"]\nfrequency = \"none\"\nsize = 1\n").contains("cannot both"));
}

#[test]
fn mail_first_and_mail_when() {
    assert_eq!(one("[a]\npaths=[\"/a\"]\nmail_first = true\n").mail_when, MailWhen::First);
    assert_eq!(one("[a]\npaths=[\"/a\"]\nmail_when = \"first\"\n").mail_when, MailWhen::First);
    let o = one("[defaults]\nmail_when = \"first\"\n[a]\npaths=[\"/a\"]\nmail_first = false\n");
    assert_eq!(o.mail_when, MailWhen::Last);
    let msg = only_error("[a]\npaths=[\"/a\"]\nmail_first = true\nmail_when = \"last\"\n");
    assert!(msg.contains("disagree"), "{msg}");
}

#[test]
fn numbers_are_checked() {
    assert_eq!(one("[a]\npaths=[\"/a\"]\nrotate = -1\n").keep, Keep::All);
    assert_eq!(one("[a]\npaths=[\"/a\"]\nrotate = -2\n").keep, Keep::All, "any negative count keeps all");
    assert_eq!(one("[a]\npaths=[\"/a\"]\nrotate = \"all\"\n").keep, Keep::All);
    assert!(only_error("[a]\npaths=[\"/a\"]\nrotate = \"many\"\n").contains("invalid type"));
    assert!(only_error("[a]\npaths=[\"/a\"]\nrotate = 1.5\n").contains("invalid type"));
    assert_eq!(one("[a]\npaths=[\"/a\"]\nlock_timeout = 2\n").lock_timeout, Duration::from_secs(2));
    assert_eq!(one("[a]\npaths=[\"/a\"]\nlock_timeout = 0.5\n").lock_timeout, Duration::from_millis(500));
    assert!(only_error("[a]\npaths=[\"/a\"]\nlock_timeout = -1.0\n").contains("lock_timeout"));
    assert!(only_error("[a]\npaths=[\"/a\"]\nshred_cycles = \"3\"\n").contains("invalid type"));
}

/// Regression: huge ages and timeouts were accepted and panicked later (`Duration::days`,
/// `Duration::from_secs_f64`); they are config errors now.
#[test]
fn huge_ages_and_lock_timeouts_are_config_errors() {
    let msg = only_error("[a]\npaths=[\"/a\"]\nmax_age = 9223372036854775807\n");
    assert!(msg.contains("bad maximum age"), "{msg}");
    let msg = only_error("[a]\npaths=[\"/a\"]\nmin_age = 5000000000\n");
    assert!(msg.contains("bad minimum age"), "{msg}");
    let msg = only_error("[a]\npaths=[\"/a\"]\nlock_timeout = 1e300\n");
    assert!(msg.contains("lock_timeout"), "{msg}");
    assert!(only_error("[a]\npaths=[\"/a\"]\nlock_timeout = nan\n").contains("lock_timeout"));
    let o = one("[a]\npaths=[\"/a\"]\nmax_age = 4294967295\nmin_age = 0\n");
    assert_eq!((o.max_age, o.min_age), (crate::rule::days(4_294_967_295), None));
}

/// Regression: a `copytruncate` of [defaults] beat a table's `renamecopy` (three bools with a
/// fixed precedence) and truncated the live log; the table's choice wins now, as in the classic
/// syntax.
#[test]
fn a_tables_move_method_wins_over_the_defaults() {
    use crate::rule::MoveMethod;
    let method = |text: &str| one(text).move_method;
    let table = |defaults: &str, own: &str| format!("[defaults]\n{defaults}\n[a]\npaths=[\"/a\"]\n{own}\n");
    let cases = [
        ("copytruncate = true", "renamecopy = true", MoveMethod::RenameCopy),
        ("renamecopy = true", "copytruncate = true", MoveMethod::CopyTruncate),
        ("copytruncate = true", "copytruncate = false", MoveMethod::Rename),
        ("copy = true", "copytruncate = true", MoveMethod::CopyTruncate),
        ("copy = true", "renamecopy = true", MoveMethod::CopyAndRenameCopy),
        ("renamecopy = true", "renamecopy = false", MoveMethod::Rename),
        ("", "copy = true", MoveMethod::Copy),
    ];
    for (defaults, own, want) in cases {
        assert_eq!(method(&table(defaults, own)), want, "{defaults} / {own}");
    }
    let msg = only_error("[a]\npaths=[\"/a\"]\ncopytruncate = true\nrenamecopy = true\n");
    assert!(msg.contains("cannot both be true"), "{msg}");
}

#[test]
fn top_level_values_must_be_tables() {
    let (rules, diags) = load("paths = [\"/x\"]\n[a]\npaths = [\"/a\"]\n");
    assert_eq!(rules.len(), 1);
    assert!(diags[0].message.starts_with("/etc/app.toml:1:9: `paths` must be a table"));
    let (rules, diags) = load("[a.create]\nmode = \"0600\"\n");
    assert!(rules.is_empty());
    assert!(diags[0].message.contains("`a` must have its own [a] header"), "{diags:?}");
}

#[test]
fn sub_tables_and_multiline_scripts() {
    let o = one(concat!(
        "[a]\npaths = [\"/a\"]\nsharedscripts = true\npostrotate = '''\n",
        "  kill -HUP $(cat /run/a.pid)\n  echo \"done\"\n'''\n",
        "[a.create]\nmode = \"0600\"\n[a.su]\nuser = \"app\"\n",
    ));
    assert_eq!(o.scripts.postrotate.as_deref(), Some("  kill -HUP $(cat /run/a.pid)\n  echo \"done\"\n"));
    assert_eq!(o.create.unwrap().mode, Some(0o600));
    assert_eq!(o.su.unwrap().user, Owner::Name("app".into()));
}

#[test]
fn example_file_in_conf_d_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conf.d/app.toml");
    let text = std::fs::read_to_string(&path).expect("conf.d/app.toml is in the repo");
    let (rules, diags) = parse(&path, &text, &Options::default());
    assert!(diags.is_empty(), "{diags:?}");
    let names: Vec<_> = rules.iter().map(|r| r.patterns[0].as_str()).collect();
    assert_eq!(names, ["/var/log/myapp/app.log", "/var/log/myapp/access.log"]);
    assert!(rules.iter().all(|r| r.options.missing_ok && r.options.compress));
    assert_eq!(rules[0].options.criterion, Some(Criterion::Size(100 << 20)));
    assert_eq!(rules[1].options.criterion, Some(Criterion::Time(Frequency::Daily)));
}

#[test]
fn columns_count_characters() {
    let at = Locator::new(Path::new("f"), "é = 1\nab");
    assert_eq!(at.line_col(0), (1, 1));
    assert_eq!(at.line_col(3), (1, 3));
    assert_eq!(at.line_col(6), (1, 6));
    assert_eq!(at.line_col(7), (2, 1));
    assert_eq!(at.line_col(8), (2, 2));
    let past_the_end = at.error_at(Some(99), "x");
    assert_eq!(past_the_end.location, Some(crate::diag::Location::line("f", 2).with_col(3)));
    assert_eq!(past_the_end.message, "f:2:3: x");
}

#[test]
fn regression_thousands_of_tables_load_in_one_parse() {
    // Found by tests/fuzz.rs: each table was picked out with a parse of the whole file of its
    // own, so 1,000 tables took 14 s and 4,000 more than 2 minutes (release build).
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!("[t{i}]\npaths = [\"/var/log/{i}.log\"]\nrotate = {}\n", i % 7));
    }
    let (rules, diags) = load(&text);
    assert_eq!(diags, vec![]);
    assert_eq!(rules.len(), 3000);
    assert_eq!(rules[2999].patterns, ["/var/log/2999.log"]);
    assert_eq!(rules[2999].options.keep, Keep::Count(2999 % 7));
    assert_eq!(rules[2999].source.line, 3 * 2999 + 1);
}

#[test]
fn errors_in_many_tables_are_each_reported_and_placed() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!("[t{i}]\npaths = [\"/{i}\"]\n  compres = true\n"));
    }
    text.push_str("[ok]\npaths = [\"/ok\"]\n");
    let (rules, diags) = load(&text);
    assert_eq!(rules.len(), 1);
    assert_eq!(diags.len(), 40, "{diags:?}");
    for (i, d) in diags.iter().enumerate() {
        assert!(d.message.contains("unknown field `compres`"), "{}", d.message);
        assert!(d.message.ends_with(&format!("; skipping [t{i}]")), "{}", d.message);
        // Every one points at the key.
        let at = format!(":{}:3: ", 3 * i + 3);
        assert!(d.message.starts_with(&format!("/etc/app.toml{at}")), "{}", d.message);
    }
}

/// Each key's spelling of earlier versions is still read, to the same options.
#[test]
fn old_spellings_are_aliases() {
    let pairs = [
        ("copytruncate = true", "copy_truncate = true"),
        ("renamecopy = true", "rename_copy = true"),
        ("dateext = true\ndateformat = \"-%Y\"", "date_ext = true\ndate_format = \"-%Y\""),
        ("dateyesterday = true\ndatehourago = true", "date_yesterday = true\ndate_hour_ago = true"),
        (
            "ifempty = false\nmissingok = true\nsharedscripts = true",
            "if_empty = false\nmissing_ok = true\nshared_scripts = true",
        ),
        ("mail_first = true", "mail_when = \"first\""),
        (
            "firstaction = \"a\"\nprerotate = \"b\"\npostrotate = \"c\"",
            "first_action = \"a\"\npre_rotate = \"b\"\npost_rotate = \"c\"",
        ),
        ("lastaction = \"d\"\npreremove = \"e\"", "last_action = \"d\"\npre_remove = \"e\""),
    ];
    for (old, new) in pairs {
        let table = |keys: &str| format!("[a]\npaths = [\"/a\"]\n{keys}\n");
        let (old_options, new_options) = (one(&table(old)), one(&table(new)));
        assert_eq!(old_options, new_options, "{old}");
        assert_ne!(new_options, Options::default(), "{new}");
    }
    let msg = only_error("[a]\npaths = [\"/a\"]\nmissingok = true\nmissing_ok = false\n");
    assert!(msg.contains("`missingok` and `missing_ok` disagree"), "{msg}");
}

#[test]
fn compress_level_is_1_to_9() {
    assert_eq!(
        one("[a]\npaths=[\"/a\"]\ncompress_level = 9\n").compress_level,
        crate::rule::CompressLevel::new(9)
    );
    for bad in ["0", "10", "-3"] {
        let msg = only_error(&format!("[a]\npaths=[\"/a\"]\ncompress_level = {bad}\n"));
        assert!(msg.contains(&format!(":3:18: bad compress level {bad} (1 to 9)")), "{msg}");
    }
    assert!(only_error("[a]\npaths=[\"/a\"]\ncompress_level = \"9\"\n").contains("invalid type"));
}

#[test]
fn compress_names_the_compressor() {
    let o = one("[a]\npaths=[\"/a\"]\ncompress = \"zstd\"\ncompress_level = 19\n");
    assert!(o.compress && o.is_zstd_preset(), "{o:?}");
    assert_eq!(o.effective_compress_ext(), ".zst");
    assert_eq!(o.effective_compress_options(), "-19");
    let o = one("[defaults]\ncompress = \"zstd\"\n[a]\npaths=[\"/a\"]\ncompress = \"gzip\"\n");
    assert_eq!((o.compress, &*o.compress_cmd, &*o.uncompress_cmd), (true, "/bin/gzip", "/bin/gunzip"));
    // A later key of the table wins over what the name set.
    let o = one("[a]\npaths=[\"/a\"]\ncompress_cmd = \"/opt/zstd\"\ncompress = \"zstd\"\n");
    assert_eq!(o.compress_cmd, "/opt/zstd");
    let msg = only_error("[a]\npaths=[\"/a\"]\ncompress = \"xz\"\n");
    assert!(msg.contains(":3:12: unknown compressor `xz`"), "{msg}");
    assert!(only_error("[a]\npaths=[\"/a\"]\ncompress = 1\n").contains("invalid type: integer"));
}

#[test]
fn compress_level_is_1_to_22_for_zstd() {
    let zstd = "[a]\npaths=[\"/a\"]\ncompress = \"zstd\"\n";
    assert_eq!(one(&format!("{zstd}compress_level = 22\n")).effective_compress_options(), "--ultra -22");
    let msg = only_error(&format!("{zstd}compress_level = 23\n"));
    assert!(msg.contains(":4:18: bad compress level 23 (1 to 22)"), "{msg}");
    let msg = only_error("[a]\npaths=[\"/a\"]\ncompress = \"gzip\"\ncompress_level = 19\n");
    assert!(msg.contains(":4:18: bad compress level 19 (1 to 9)"), "{msg}");
}

#[test]
fn max_total_size_and_min_free_take_sizes_and_a_percentage() {
    use crate::rule::MinFree;
    let o = one("[a]\npaths=[\"/a\"]\nmax_total_size = \"2G\"\nmin_free = \"15%\"\n");
    assert_eq!((o.max_total_size, o.min_free), (Some(2 << 30), Some(MinFree::Percent(15))));
    let o = one("[a]\npaths=[\"/a\"]\nmin_free = 4096\n");
    assert_eq!(o.min_free, Some(MinFree::Bytes(4096)));
    let msg = only_error("[a]\npaths=[\"/a\"]\nmin_free = \"0%\"\n");
    assert!(msg.contains("bad minimum free space '0%'"), "{msg}");
}
