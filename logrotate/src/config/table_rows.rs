//! The rows of the directive table ([`super::table`]), in the order `--dump-toml` writes them.

use super::directives::{self as classic, Takes};
use super::table::Directive;
use super::table_kit::{
    bad, create, create_directive, int, loader, move_directive, size, string, su, weekly,
};
use super::toml_values::{self as tv, Size};
use crate::rule::{
    CompressLevel, Criterion, Frequency, Keep, MailWhen, MinFree, MoveMethod, Options, WeeklyOn,
    DEFAULT_COMPRESS_CMD, DEFAULT_UNCOMPRESS_CMD, UNZSTD_CMD, ZSTD_CMD,
};

/// Every directive, in the order `--dump-toml` writes them (scripts last: they are long).
pub const DIRECTIVES: &[Directive] = &[
    Directive {
        classic: &[
            ("hourly", Takes::Nothing),
            ("daily", Takes::Nothing),
            ("weekly", Takes::Line),
            ("monthly", Takes::Nothing),
            ("yearly", Takes::Nothing),
        ],
        toml: "frequency",
        aliases: &[],
        value: "`\"hourly\"`, `\"daily\"`, `\"weekly\"`, `\"monthly\"`, `\"yearly\"`, `\"none\"`",
        default: "none (`size 1M`)",
        doc: "Rotate when the hour, day, week (see `weekday`), month or year changes; `\"none\"`: only `-f` and `max_size`.",
        apply: Some(|o, k, v| {
            let f = match k {
                "hourly" => Frequency::Hourly,
                "daily" => Frequency::Daily,
                "weekly" => Frequency::Weekly(weekly(v.text)?),
                "monthly" => Frequency::Monthly,
                _ => Frequency::Yearly,
            };
            o.criterion = Some(Criterion::Time(f));
            Ok(())
        }),
        read: Some(|o, e, _| {
            let name: String = e.get()?;
            let f = match name.as_str() {
                "hourly" => Frequency::Hourly,
                "daily" => Frequency::Daily,
                "weekly" => Frequency::Weekly(WeeklyOn::default()),
                "monthly" => Frequency::Monthly,
                "yearly" => Frequency::Yearly,
                "none" => {
                    o.criterion = None;
                    return Ok(());
                }
                other => {
                    let expected = "`hourly`, `daily`, `weekly`, `monthly`, `yearly`, `none`";
                    return Err((None, format!("unknown variant `{other}`, expected one of {expected}")));
                }
            };
            o.criterion = Some(Criterion::Time(f));
            Ok(())
        }),
        dump: Some(|o, d| {
            let name = match o.criterion {
                _ if o.criterion == d.criterion => return None,
                None => "none",
                Some(Criterion::Size(_)) => return None,
                Some(Criterion::Time(Frequency::Hourly)) => "hourly",
                Some(Criterion::Time(Frequency::Daily)) => "daily",
                Some(Criterion::Time(Frequency::Weekly(_))) => "weekly",
                Some(Criterion::Time(Frequency::Monthly)) => "monthly",
                Some(Criterion::Time(Frequency::Yearly)) => "yearly",
            };
            Some(string(name))
        }),
    },
    Directive {
        classic: &[],
        toml: "weekday",
        aliases: &[],
        value: "0 (Sunday) .. 6, or 7",
        default: "0",
        doc: "With `weekly`: the day to rotate on (as `weekly N`); 7 rotates only after 7 days.",
        apply: None,
        read: Some(|o, e, _| {
            let Some(day) = WeeklyOn::from_number(e.get()?) else {
                return Err((None, "`weekday` must be 0 (Sunday) .. 6, or 7".to_string()));
            };
            match &mut o.criterion {
                Some(Criterion::Time(Frequency::Weekly(d))) => *d = day,
                _ => return Err((None, "`weekday` needs frequency = \"weekly\"".to_string())),
            }
            Ok(())
        }),
        dump: Some(|o, _| match o.criterion {
            Some(Criterion::Time(Frequency::Weekly(day))) if day != WeeklyOn::default() => {
                Some(day.number().to_string())
            }
            _ => None,
        }),
    },
    Directive {
        classic: &[("size", Takes::Value("size"))],
        toml: "size",
        aliases: &[],
        value: "bytes, or `\"100k\"`, `\"5M\"`, `\"1G\"`",
        default: "`1M`",
        doc: "Rotate when the log is at least this big, whatever the time.",
        apply: Some(|o, _, v| {
            o.criterion = Some(Criterion::Size(classic::c_size(v.text)?));
            Ok(())
        }),
        read: Some(|o, e, cx| {
            if cx.get("frequency").is_some() {
                let message = "`size` and `frequency` cannot both be set; use `max_size` or `min_size` \
                               with a frequency";
                return Err((None, message.to_string()));
            }
            o.criterion = Some(Criterion::Size(e.get::<Size>()?.0));
            Ok(())
        }),
        dump: Some(|o, d| match o.criterion {
            Some(Criterion::Size(bytes)) if o.criterion != d.criterion => Some(size(bytes)),
            _ => None,
        }),
    },
    limit!("minsize", "min_size", min_size, "Rotate on time only when the log is at least this big."),
    limit!("maxsize", "max_size", max_size, "Rotate when the log is this big, even before its time."),
    age!("minage", "min_age", min_age, "minimum", "Do not rotate logs younger than this many days."),
    age!("maxage", "max_age", max_age, "maximum", "Remove rotated logs older than this many days."),
    limit!("maxtotalsize", "max_total_size", max_total_size, "After every pass, remove the oldest rotated logs of each log until they fit in this size (the log itself never). Not in 3.21."),
    Directive {
        classic: &[("minfree", Takes::Value("minfree"))],
        toml: "min_free",
        aliases: &[],
        value: "bytes, or `\"500M\"`, `\"10%\"`",
        default: "none",
        doc: "After every pass (and, in the daemon, as the disk fills), remove the oldest rotated logs of the rules that set it while their filesystem has less free space; then rotate the largest logs that have a size rule. Not in 3.21.",
        apply: Some(|o, _, v| {
            let value = MinFree::parse(v.text, classic::c_size, || bad(format!("bad minimum free space '{}'", v.text)))?;
            // 0 is no limit at all, as for `maxsize`.
            o.min_free = Some(value).filter(|m| *m != MinFree::Bytes(0));
            Ok(())
        }),
        read: Some(|o, e, _| {
            let value = match &e.value {
                toml::Value::String(s) => MinFree::parse(s, crate::size::parse_size, || {
                    format!("bad minimum free space '{s}' (bytes, a size such as \"500M\", or 1% to 100%)")
                }),
                _ => Ok(MinFree::Bytes(e.get::<Size>()?.0)),
            };
            o.min_free = Some(value.map_err(|m| (None, m))?).filter(|m| *m != MinFree::Bytes(0));
            Ok(())
        }),
        dump: Some(|o, _| {
            o.min_free.map(|m| match m {
                MinFree::Bytes(n) => size(n),
                MinFree::Percent(_) => string(&m.to_string()),
            })
        }),
    },
    Directive {
        classic: &[("rotate", Takes::Value("rotate count"))],
        toml: "rotate",
        aliases: &[],
        value: "count, or -1 (or `\"all\"`) for all",
        default: "0",
        doc: "How many rotated logs to keep.",
        apply: Some(|o, _, v| {
            let (n, whole) = classic::c_strtol(v.text);
            // 3.21 keeps the `int` of a `long`.
            let n = n as i32;
            if !whole || n < -1 {
                return Err(bad(format!("bad rotation count '{}'", v.text)));
            }
            o.keep = u64::try_from(n).map_or(Keep::All, Keep::Count);
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.keep = match &e.value {
                toml::Value::String(s) if s == "all" => Keep::All,
                // Any negative count keeps all, as `rotate -1`.
                _ => u64::try_from(e.get::<i64>()?).map_or(Keep::All, Keep::Count),
            };
            Ok(())
        }),
        dump: Some(|o, d| (o.keep != d.keep).then(|| o.keep.to_string())),
    },
    Directive {
        classic: &[("start", Takes::Value("start count"))],
        toml: "start",
        aliases: &[],
        value: "integer",
        default: "1",
        doc: "The number of the first rotated log.",
        apply: Some(|o, _, v| {
            let n = classic::c_uint_count(v.text).ok_or_else(|| bad(format!("bad start count '{}'", v.text)))?;
            o.start = u64::from(n);
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.start = e.get()?;
            Ok(())
        }),
        dump: Some(|o, d| (o.start != d.start).then(|| int(o.start))),
    },
    Directive {
        classic: &[("compress", Takes::Nothing), ("nocompress", Takes::Nothing)],
        toml: "compress",
        aliases: &[],
        value: "`true` / `false` / `\"gzip\"` / `\"zstd\"`",
        default: "false",
        doc: "Compress rotated logs; `\"zstd\"` also sets `compress_cmd = \"/usr/bin/zstd\"` and `uncompress_cmd = \"/usr/bin/unzstd\"` (in-process, `.zst`), `\"gzip\"` the gzip ones.",
        apply: Some(|o, k, _| {
            o.compress = k == "compress";
            Ok(())
        }),
        read: Some(|o, e, _| {
            let expected = "expected `true`, `false`, `\"gzip\"` or `\"zstd\"`";
            let (cmd, uncmd) = match &e.value {
                toml::Value::Boolean(on) => {
                    o.compress = *on;
                    return Ok(());
                }
                toml::Value::String(name) if name == "gzip" => (DEFAULT_COMPRESS_CMD, DEFAULT_UNCOMPRESS_CMD),
                toml::Value::String(name) if name == "zstd" => (ZSTD_CMD, UNZSTD_CMD),
                toml::Value::String(name) => return Err((None, format!("unknown compressor `{name}`, {expected}"))),
                other => return Err((None, format!("invalid type: {}, {expected}", other.type_str()))),
            };
            (o.compress, o.compress_cmd, o.uncompress_cmd) = (true, cmd.into(), uncmd.into());
            Ok(())
        }),
        dump: Some(|o, d| match () {
            () if says_zstd(o, d) => Some(string("zstd")),
            () => (o.compress != d.compress).then(|| o.compress.to_string()),
        }),
    },
    Directive {
        classic: &[("compresscmd", Takes::Value("compress"))],
        toml: "compress_cmd",
        aliases: &[],
        value: "path",
        default: "`/bin/gzip` (built in)",
        doc: "The compressor; gzip runs in-process. Sets the extension for gzip, bzip2, xz, zstd, compress, zip.",
        apply: Some(|o, _, v| {
            o.compress_cmd = classic::path("compress", v.text)?;
            let base = v.text.rsplit('/').next().unwrap_or(v.text);
            o.compress_ext = match classic::COMPRESS_EXT_BY_COMMAND.iter().find(|(cmd, _)| *cmd == base) {
                Some((_, ext)) => Some(ext.to_string()),
                // 3.21 keeps the extension in effect, `.gz` unless one was set.
                None => Some(o.compress_ext.take().unwrap_or_else(|| ".gz".into())),
            };
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.compress_cmd = e.get()?;
            Ok(())
        }),
        dump: Some(|o, d| (o.compress_cmd != d.compress_cmd && !says_zstd(o, d)).then(|| string(&o.compress_cmd))),
    },
    Directive {
        classic: &[("uncompresscmd", Takes::Value("uncompress"))],
        toml: "uncompress_cmd",
        aliases: &[],
        value: "path",
        default: "`/bin/gunzip`",
        doc: "The decompressor (used with `mail` of compressed logs); gunzip, unzstd and zstdcat run in-process.",
        apply: Some(|o, _, v| {
            o.uncompress_cmd = classic::path("uncompress", v.text)?;
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.uncompress_cmd = e.get()?;
            Ok(())
        }),
        dump: Some(|o, d| {
            (o.uncompress_cmd != d.uncompress_cmd && !says_zstd(o, d)).then(|| string(&o.uncompress_cmd))
        }),
    },
    Directive {
        classic: &[("compressext", Takes::Value("compress-ext"))],
        toml: "compress_ext",
        aliases: &[],
        value: "string",
        default: "from the command (`.gz`)",
        doc: "The extension of compressed logs.",
        apply: Some(|o, _, v| {
            o.compress_ext = Some(classic::path("compress-ext", v.text)?);
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.compress_ext = Some(e.get()?);
            Ok(())
        }),
        dump: Some(|o, _| o.compress_ext.as_deref().map(string)),
    },
    Directive {
        classic: &[("compressoptions", Takes::Line)],
        toml: "compress_options",
        aliases: &[],
        value: "string",
        default: "`-6` for gzip, else none",
        doc: "Arguments for the compressor.",
        apply: Some(|o, _, v| {
            o.compress_options = Some(super::cursor::split_args(v.text).join(" "));
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.compress_options = Some(e.get()?);
            Ok(())
        }),
        dump: Some(|o, _| o.compress_options.as_deref().map(string)),
    },
    Directive {
        classic: &[("compresslevel", Takes::Value("compresslevel"))],
        toml: "compress_level",
        aliases: &[],
        value: "1 .. 9 (zstd: 1 .. 22)",
        default: "none (gzip: 6, zstd: 3)",
        doc: "The compression level: the built-in gzip's or zstd's, and `-N` before `compressoptions` for another compressor (zstd above 9: after `compresscmd`). Not in 3.21.",
        apply: Some(|o, _, v| {
            let level = classic::c_strtol(v.text);
            let level = u64::try_from(level.0).ok().filter(|_| level.1).and_then(CompressLevel::new);
            let level = level.filter(|&l| crate::rule::level_fits(o, l));
            o.compress_level =
                Some(level.ok_or_else(|| bad(format!("bad compress level '{}' ({})", v.text, level_range(o))))?);
            Ok(())
        }),
        read: Some(|o, e, _| {
            let n: i64 = e.get()?;
            let level = u64::try_from(n).ok().and_then(CompressLevel::new);
            let level = level.filter(|&l| crate::rule::level_fits(o, l));
            o.compress_level =
                Some(level.ok_or_else(|| (None, format!("bad compress level {n} ({})", level_range(o))))?);
            Ok(())
        }),
        dump: Some(|o, _| o.compress_level.map(|l| l.to_string())),
    },
    switch!("delaycompress" / "nodelaycompress", "delay_compress", delay_compress, "false", "Compress a rotated log at the next rotation."),
    mover!("copy" / "nocopy", "copy", |m| matches!(m, MoveMethod::Copy | MoveMethod::CopyAndRenameCopy), "Copy the log instead of moving it, and leave it as is."),
    mover!("copytruncate" / "nocopytruncate", "copy_truncate" ("copytruncate"), |m| m == MoveMethod::CopyTruncate, "Copy the log, then truncate it (wins over an earlier `copy`)."),
    mover!("renamecopy" / "norenamecopy", "rename_copy" ("renamecopy"), |m| matches!(m, MoveMethod::RenameCopy | MoveMethod::CopyAndRenameCopy), "Move the log to `LOG.tmp`, then copy that to the archive after `postrotate`."),
    creator!("create" / "nocreate", "create", create, "Create the new log after moving the old one, with this mode and owner (else the old log's)."),
    Directive {
        classic: &[("olddir", Takes::Value("olddir")), ("noolddir", Takes::Nothing)],
        toml: "olddir",
        aliases: &[],
        value: "path / `false`",
        default: "none",
        doc: "Move rotated logs into this directory.",
        apply: Some(|o, k, v| {
            o.olddir = match k {
                "noolddir" => None,
                _ => Some(classic::expand_home(&classic::path("olddir", v.text)?)),
            };
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.olddir = tv::string_or_off(e)?;
            Ok(())
        }),
        dump: Some(|o, _| o.olddir.as_deref().map(string)),
    },
    creator!("createolddir" / "nocreateolddir", "create_olddir", create_olddir, "Create a missing `olddir`, with this mode and owner."),
    switch!("dateext" / "nodateext", "date_ext" ("dateext"), date_ext, "false", "Name rotated logs by date (`dateformat`) instead of number."),
    Directive {
        classic: &[("dateformat", Takes::Value("dateformat"))],
        toml: "date_format",
        aliases: &["dateformat"],
        value: "strftime format (`%Y %m %d %H %M %S %V %s`)",
        default: "`-%Y%m%d` (`-%Y%m%d%H` hourly)",
        doc: "The date suffix of `dateext`.",
        // Any format: a `%` that is not one of 3.21's specifiers is written literally.
        apply: Some(|o, _, v| {
            o.date_format = Some(v.text.to_string());
            Ok(())
        }),
        read: Some(|o, e, _| {
            let format: String = e.get()?;
            crate::dateext::validate_format(&format).map_err(|m| (None, m))?;
            o.date_format = Some(format);
            Ok(())
        }),
        dump: Some(|o, _| o.date_format.as_deref().map(string)),
    },
    switch!("dateyesterday", "date_yesterday" ("dateyesterday"), date_yesterday, "false", "Date rotated logs with yesterday's date."),
    switch!("datehourago", "date_hour_ago" ("datehourago"), date_hour_ago, "false", "Date rotated logs with the time an hour ago."),
    text!("extension": "extension name", "extension", extension, "Keep this extension last in rotated names (`app.1.log`)."),
    text!("addextension": "addextension name", "add_extension", add_extension, "Add this extension to rotated names (not inherited from the globals)."),
    switch!("ifempty" / "notifempty", "if_empty" ("ifempty"), if_empty, "true", "Rotate empty logs too."),
    Directive {
        classic: &[("mail", Takes::Value("mail")), ("nomail", Takes::Nothing)],
        toml: "mail",
        aliases: &[],
        value: "address / `false`",
        default: "none",
        doc: "Mail the log that expires (or, with `mail_when = \"first\"`, the one just rotated).",
        apply: Some(|o, k, v| {
            if k == "nomail" {
                o.mail = None;
                return Ok(());
            }
            if !v.text.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(bad(format!("bad mail address {}", v.after_key)));
            }
            o.mail = Some(v.text.to_string());
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.mail = tv::string_or_off(e)?;
            Ok(())
        }),
        dump: Some(|o, _| o.mail.as_deref().map(string)),
    },
    Directive {
        classic: &[("mailfirst", Takes::Nothing), ("maillast", Takes::Nothing)],
        toml: "mail_when",
        aliases: &["mail_first"],
        value: "`\"first\"` / `\"last\"` (`mail_first`: `true` / `false`)",
        default: "`\"last\"`",
        doc: "Which log `mail` sends: the one just rotated, or the one that expires.",
        apply: Some(|o, k, _| {
            o.mail_when = if k == "mailfirst" { MailWhen::First } else { MailWhen::Last };
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.mail_when = match &e.value {
                toml::Value::Boolean(true) => MailWhen::First,
                toml::Value::Boolean(false) => MailWhen::Last,
                _ => match e.get::<String>()?.as_str() {
                    "first" => MailWhen::First,
                    "last" => MailWhen::Last,
                    other => return Err((None, format!("unknown variant `{other}`, expected `first` or `last`"))),
                },
            };
            Ok(())
        }),
        dump: Some(|o, d| {
            (o.mail_when != d.mail_when).then(|| string(if o.mail_when == MailWhen::First { "first" } else { "last" }))
        }),
    },
    switch!("missingok" / "nomissingok", "missing_ok" ("missingok"), missing_ok, "false", "A missing log is not an error."),
    switch!("sharedscripts" / "nosharedscripts", "shared_scripts" ("sharedscripts"), shared_scripts, "false", "Run `prerotate`/`postrotate` once for all the logs of the rule."),
    switch!("shred" / "noshred", "shred", shred, "false", "Remove old logs with `shred -u`."),
    Directive {
        classic: &[("shredcycles", Takes::Value("shred cycles"))],
        toml: "shred_cycles",
        aliases: &[],
        value: "integer",
        default: "shred's (3)",
        doc: "How many times `shred` overwrites.",
        apply: Some(|o, _, v| {
            let n = classic::c_uint_count(v.text).ok_or_else(|| bad(format!("bad shred cycles '{}'", v.text)))?;
            o.shred_cycles = Some(n);
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.shred_cycles = Some(e.get()?);
            Ok(())
        }),
        dump: Some(|o, _| o.shred_cycles.map(|n| n.to_string())),
    },
    Directive {
        classic: &[("su", Takes::Line)],
        toml: "su",
        aliases: &[],
        value: "`{ user, group }` / `false`",
        default: "none",
        doc: "Rotate as this user and group.",
        apply: Some(|o, _, v| {
            o.su = Some(classic::su_spec(&super::cursor::split_args(v.text), o.su.as_ref())?);
            Ok(())
        }),
        read: Some(|o, e, _| {
            o.su = tv::su(e)?;
            Ok(())
        }),
        dump: Some(|o, _| o.su.as_ref().map(su)),
    },
    switch!("allowhardlink" / "noallowhardlink", "allow_hardlink", allow_hardlink, "false", "Rotate logs that have other hard links."),
    switch!("ignoreduplicates", "ignore_duplicates", ignore_duplicates, "false", "A log matched by an earlier rule is skipped, not an error."),
    Directive {
        classic: &[("locktimeout", Takes::Value("locktimeout"))],
        toml: "lock_timeout",
        aliases: &[],
        value: "seconds",
        default: "3",
        doc: "How long to wait for writers (watched-writer) to release a rotated log before compressing it. Not in 3.21.",
        apply: Some(|o, _, v| {
            o.lock_timeout = crate::rule::parse_seconds(v.text)
                .ok_or_else(|| bad(format!("bad lock timeout '{}' (seconds, at most {})", v.text, u64::MAX)))?;
            Ok(())
        }),
        read: Some(|o, e, _| {
            let secs: f64 = e.get()?;
            o.lock_timeout = std::time::Duration::try_from_secs_f64(secs)
                .ok()
                .ok_or_else(|| (None, format!("`lock_timeout` must be seconds from 0 to {}, not {secs}", u64::MAX)))?;
            Ok(())
        }),
        dump: Some(|o, d| {
            (o.lock_timeout != d.lock_timeout).then(|| toml::Value::Float(o.lock_timeout.as_secs_f64()).to_string())
        }),
    },
    script!("firstaction", "first_action", firstaction, "Run once before any log of the rule rotates."),
    script!("prerotate", "pre_rotate", prerotate, "Run before each log rotates (once with `shared_scripts`)."),
    script!("postrotate", "post_rotate", postrotate, "Run after each log rotates (once with `shared_scripts`)."),
    script!("lastaction", "last_action", lastaction, "Run once after the logs of the rule rotated."),
    script!("preremove", "pre_remove", preremove, "Run before a rotated log is removed, with its name."),
    loader(&[("include", Takes::Value("include"))], "Read another config file, or the files of a directory."),
    loader(&[("tabooext", Takes::Value("tabooext"))], "Extensions of files `include` skips in a directory (`+ ext` adds)."),
    loader(&[("taboopat", Takes::Value("taboopat"))], "Glob patterns of files `include` skips (`+ pat` adds)."),
    loader(&[("errors", Takes::Nothing)], "Deprecated, ignored with a warning."),
];

/// Whether `compress = "zstd"` stands for these options' compressor in `--dump-toml` (and
/// `compress_cmd`/`uncompress_cmd` are left out): they are its preset and the defaults are not.
fn says_zstd(o: &Options, d: &Options) -> bool {
    o.is_zstd_preset() && !d.is_zstd_preset()
}

/// The levels the compressor takes, for the message.
fn level_range(o: &Options) -> &'static str {
    if crate::rule::is_zstd_cmd(&o.compress_cmd) {
        "1 to 22"
    } else {
        "1 to 9"
    }
}
