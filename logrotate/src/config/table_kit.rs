//! The helpers of the directive table's rows ([`super::table_rows`]): macros for the common
//! shapes of directive (switches, sizes, ages, paths, scripts) and the value writers of
//! `--dump-toml`.

use super::directives::{DirectiveError, Takes};
use super::table::Directive;
use crate::rule::{CreateSpec, Options, Owner, SuSpec, WeeklyOn};

/// A switch: an on keyword, maybe an off keyword, and a `bool` TOML key.
macro_rules! switch {
    ($on:literal $(/ $off:literal)?, $toml:literal $(($($alias:literal),*))?, $field:ident, $default:literal, $doc:literal) => {
        Directive {
            classic: &[($on, Takes::Nothing) $(, ($off, Takes::Nothing))?],
            toml: $toml,
            aliases: &[$($($alias),*)?],
            value: "`true` / `false`",
            default: $default,
            doc: $doc,
            apply: Some(|o, k, _| {
                o.$field = k == $on;
                Ok(())
            }),
            read: Some(|o, e, _| {
                o.$field = e.get()?;
                Ok(())
            }),
            dump: Some(|o, d| (o.$field != d.$field).then(|| o.$field.to_string())),
        }
    };
}

/// A string value that the classic syntax takes as is.
macro_rules! text {
    ($key:literal: $name:literal, $toml:literal, $field:ident, $doc:literal) => {
        Directive {
            classic: &[($key, Takes::Value($name))],
            toml: $toml,
            aliases: &[],
            value: "string",
            default: "none",
            doc: $doc,
            apply: Some(|o, _, v| {
                o.$field = Some(v.text.to_string());
                Ok(())
            }),
            read: Some(|o, e, _| {
                o.$field = Some(e.get()?);
                Ok(())
            }),
            dump: Some(|o, _| o.$field.as_deref().map(string)),
        }
    };
}

/// A size that 0 turns off (`minsize`, `maxsize`).
macro_rules! limit {
    ($key:literal, $toml:literal, $field:ident, $doc:literal) => {
        Directive {
            classic: &[($key, Takes::Value($key))],
            toml: $toml,
            aliases: &[],
            value: "bytes, or `\"100k\"`, `\"5M\"`, `\"1G\"`",
            default: "none",
            doc: $doc,
            // 0 is no limit at all, as in logrotate (`if (log->maxsize && ...)`).
            apply: Some(|o, _, v| {
                o.$field = Some(classic::c_size(v.text)?).filter(|&n| n > 0);
                Ok(())
            }),
            read: Some(|o, e, _| {
                o.$field = Some(e.get::<Size>()?.0);
                Ok(())
            }),
            dump: Some(|o, _| o.$field.map(size)),
        }
    };
}

/// An age in whole days that 0 turns off (`minage`, `maxage`).
macro_rules! age {
    ($key:literal, $toml:literal, $field:ident, $what:literal, $doc:literal) => {
        Directive {
            classic: &[($key, Takes::Value(concat!($key, " count")))],
            toml: $toml,
            aliases: &[],
            value: "days",
            default: "none",
            doc: $doc,
            apply: Some(|o, _, v| {
                // 3.21 quotes from the value's last character to the end of the file.
                let days = classic::c_uint_count(v.text)
                    .ok_or_else(|| bad(format!(concat!("bad ", $what, " age '{}'"), v.after_value)))?;
                // 0 is no limit at all, as in 3.21 (`if (log->rotateMinAge)`, `rotateAge > 0`).
                o.$field = crate::rule::days(u64::from(days)).filter(|d| !d.is_zero());
                Ok(())
            }),
            read: Some(|o, e, _| {
                let days: u64 = e.get()?;
                let age = crate::rule::days(days)
                    .ok_or_else(|| (None, format!(concat!("bad ", $what, " age {}: too many days"), days)))?;
                o.$field = Some(age).filter(|d| !d.is_zero());
                Ok(())
            }),
            dump: Some(|o, _| o.$field.map(|d| int(d.as_secs() / crate::rule::DAY.as_secs()))),
        }
    };
}

/// `create` or `createolddir` and its off keyword.
macro_rules! creator {
    ($on:literal / $off:literal, $toml:literal, $field:ident, $doc:literal) => {
        Directive {
            classic: &[($on, Takes::Line), ($off, Takes::Nothing)],
            toml: $toml,
            aliases: &[],
            value: "`true` / `false` / `{ mode, owner, group }`",
            default: "false",
            doc: $doc,
            apply: Some(|o, k, v| {
                create_directive(k == $off, &mut o.$field, &mut o.parser_memory.$field, k, v.text)
            }),
            read: Some(|o, e, _| {
                o.$field = tv::create(e)?;
                Ok(())
            }),
            dump: Some(|o, _| o.$field.as_ref().map(create)),
        }
    };
}

/// A script block: the classic parser reads it itself.
macro_rules! script {
    ($key:literal, $toml:literal, $field:ident, $doc:literal) => {
        Directive {
            classic: &[($key, Takes::Nothing)],
            toml: $toml,
            aliases: &[$key],
            value: "shell script",
            default: "none",
            doc: $doc,
            apply: None,
            read: Some(|o, e, _| {
                o.scripts.$field = Some(e.get()?);
                Ok(())
            }),
            dump: Some(|o, _| o.scripts.$field.as_deref().map(string)),
        }
    };
}

/// One of the directives that choose the [`MoveMethod`].
macro_rules! mover {
    ($on:literal / $off:literal, $toml:literal $(($alias:literal))?, $dump:expr, $doc:literal) => {
        Directive {
            classic: &[($on, Takes::Nothing), ($off, Takes::Nothing)],
            toml: $toml,
            aliases: &[$($alias)?],
            value: "`true` / `false`",
            default: "false",
            doc: $doc,
            apply: Some(|o, k, _| {
                move_directive(o, k);
                Ok(())
            }),
            read: Some(|o, e, cx| {
                if e.get::<bool>()? && $on == "renamecopy" && cx.get("copy_truncate") == Some(&toml::Value::Boolean(true)) {
                    return Err((None, "`copy_truncate` and `rename_copy` cannot both be true".to_string()));
                }
                move_directive(o, if e.get::<bool>()? { $on } else { $off });
                Ok(())
            }),
            dump: Some(|o, _| $dump(o.move_method).then(|| "true".to_string())),
        }
    };
}

/// A classic directive the parser handles itself (no TOML key).
pub(super) const fn loader(classic: &'static [(&'static str, Takes)], doc: &'static str) -> Directive {
    Directive {
        classic,
        toml: "",
        aliases: &[],
        value: "—",
        default: "—",
        doc,
        apply: None,
        read: None,
        dump: None,
    }
}

/// `create`/`createolddir` (`off`: `nocreate`/`nocreateolddir`) as 3.21: turning it off parks
/// the spec, and a later bare `create` takes its mode and owner back.
pub(super) fn create_directive(
    off: bool,
    spec: &mut Option<CreateSpec>,
    parked: &mut Option<CreateSpec>,
    key: &str,
    text: &str,
) -> Result<(), DirectiveError> {
    if off {
        if let Some(s) = spec.take() {
            *parked = Some(s);
        }
        return Ok(());
    }
    let earlier = spec.as_ref().or(parked.as_ref());
    *spec = Some(super::directives::create_spec(key, &super::cursor::split_args(text), earlier)?);
    Ok(())
}

pub(super) fn bad(msg: String) -> DirectiveError {
    DirectiveError::Bad(msg)
}

pub(super) fn move_directive(o: &mut Options, key: &str) {
    o.move_method = o.move_method.after(key, &mut o.parser_memory.copy_under_copytruncate);
}

/// `weekly [N]` as 3.21's `sscanf("%u%c") == 1`: digits after optional blanks and sign, nothing
/// after; a bad value abandons the rest of the file (3.21's `goto error`).
pub(super) fn weekly(v: &str) -> Result<WeeklyOn, DirectiveError> {
    let t = v.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let day = if t.is_empty() {
        Some(WeeklyOn::default())
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let n = digits.parse::<u8>().ok().filter(|&d| !t.starts_with('-') || d == 0);
        n.and_then(WeeklyOn::from_number)
    } else {
        None
    };
    day.ok_or_else(|| DirectiveError::Fatal(format!("bad weekly directive '{v}'")))
}

/// A TOML string, multi-line (`'''`) when it has newlines, as the toml crate writes it.
pub(super) fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML integer; days, counts and byte sizes never come near `i64::MAX` in practice.
pub(super) fn int(v: u64) -> String {
    i64::try_from(v).unwrap_or(i64::MAX).to_string()
}

/// A size: `"100M"` when a unit fits, else plain bytes.
pub(super) fn size(bytes: u64) -> String {
    let text = crate::size::format_size(bytes);
    match i64::try_from(bytes) {
        Ok(n) if text.bytes().all(|b| b.is_ascii_digit()) => n.to_string(),
        _ => string(&text),
    }
}

pub(super) fn owner(o: &Owner) -> String {
    match o {
        Owner::Id(id) => id.to_string(),
        Owner::Name(name) => string(name),
    }
}

/// `true`, or an inline table `{ mode = "0640", owner = ..., group = ... }`.
pub(super) fn create(c: &CreateSpec) -> String {
    let parts: Vec<String> = [
        c.mode.map(|m| format!("mode = \"{m:04o}\"")),
        c.owner.as_ref().map(|o| format!("owner = {}", owner(o))),
        c.group.as_ref().map(|g| format!("group = {}", owner(g))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "true".to_string()
    } else {
        format!("{{ {} }}", parts.join(", "))
    }
}

pub(super) fn su(s: &SuSpec) -> String {
    match &s.group {
        Some(g) => format!("{{ user = {}, group = {} }}", owner(&s.user), owner(g)),
        None => format!("{{ user = {} }}", owner(&s.user)),
    }
}
