//! One classic directive (`keyword args...`) applied to an [`Options`].

use crate::dateext::validate_format;
use crate::rule::{CreateSpec, Criterion, Frequency, MailWhen, Options, Owner, SuSpec};
use crate::size::parse_size;

/// Where a directive appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Before any stanza: sets defaults for later stanzas.
    Global,
    /// Inside `{ ... }`.
    Stanza,
}

/// Why a directive was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectiveError {
    /// Not a keyword we know (a warning; the line is ignored).
    Unknown,
    /// A known keyword with a bad value (an error; the stanza is dropped).
    Bad(String),
}

fn bad(msg: impl Into<String>) -> DirectiveError {
    DirectiveError::Bad(msg.into())
}

fn one<'a>(key: &str, args: &'a [String]) -> Result<&'a str, DirectiveError> {
    match args {
        [a, ..] => Ok(a.as_str()),
        [] => Err(bad(format!("{key} requires an argument"))),
    }
}

fn number<T: std::str::FromStr>(key: &str, args: &[String], what: &str) -> Result<T, DirectiveError> {
    let v = one(key, args)?;
    v.parse().map_err(|_| bad(format!("bad {what} '{v}'")))
}

fn size(key: &str, args: &[String]) -> Result<u64, DirectiveError> {
    parse_size(one(key, args)?).map_err(|e| bad(format!("{key}: {e}")))
}

/// Parses an owner (user or group) name or numeric id, checking that a name exists.
///
/// # Errors
///
/// A name that is neither numeric nor known to the system.
pub fn parse_owner(text: &str, is_group: bool) -> Result<Owner, String> {
    if let Ok(id) = text.parse::<u32>() {
        return Ok(Owner::Id(id));
    }
    let known = if is_group {
        crate::exec::ids::group_id(text).is_some()
    } else {
        crate::exec::ids::user_id(text).is_some()
    };
    if known {
        Ok(Owner::Name(text.to_string()))
    } else if is_group {
        Err(format!("unknown group '{text}'"))
    } else {
        Err(format!("unknown user '{text}'"))
    }
}

/// Parses `[mode] [owner] [group]` as `create` and `createolddir` take them.
fn create_spec(args: &[String]) -> Result<CreateSpec, DirectiveError> {
    let mut spec = CreateSpec::default();
    let mut rest = args;
    if let Some(first) = rest.first() {
        if first.bytes().all(|b| b.is_ascii_digit()) {
            let mode = u32::from_str_radix(first, 8).map_err(|_| bad(format!("bad mode '{first}'")))?;
            if mode > 0o7777 {
                return Err(bad(format!("bad mode '{first}'")));
            }
            spec.mode = Some(mode);
            rest = &rest[1..];
        }
    }
    if let Some(owner) = rest.first() {
        spec.owner = Some(parse_owner(owner, false).map_err(bad)?);
    }
    if let Some(group) = rest.get(1) {
        spec.group = Some(parse_owner(group, true).map_err(bad)?);
    }
    if rest.len() > 2 {
        return Err(bad(format!("extra arguments for create: '{}'", rest[2..].join(" "))));
    }
    Ok(spec)
}

/// Applies one directive to `o`.
///
/// # Errors
///
/// [`DirectiveError::Unknown`] for an unknown keyword, [`DirectiveError::Bad`] for a bad value.
pub fn apply_directive(
    o: &mut Options,
    key: &str,
    args: &[String],
    _scope: Scope,
) -> Result<(), DirectiveError> {
    match key {
        "compress" => o.compress = true,
        "nocompress" => o.compress = false,
        "delaycompress" => o.delay_compress = true,
        "nodelaycompress" => o.delay_compress = false,
        "copy" => o.copy = true,
        "nocopy" => o.copy = false,
        "copytruncate" => o.copy_truncate = true,
        "nocopytruncate" => o.copy_truncate = false,
        "renamecopy" => o.rename_copy = true,
        "norenamecopy" => o.rename_copy = false,
        "create" => o.create = Some(create_spec(args)?),
        "nocreate" => o.create = None,
        "createolddir" => o.create_olddir = Some(create_spec(args)?),
        "nocreateolddir" => o.create_olddir = None,
        "hourly" => o.criterion = Some(Criterion::Time(Frequency::Hourly)),
        "daily" => o.criterion = Some(Criterion::Time(Frequency::Daily)),
        "weekly" => {
            let day = match args.first() {
                None => 0,
                Some(d) => match d.parse::<u8>() {
                    Ok(n) if n <= 7 => n,
                    _ => return Err(bad(format!("bad weekly directive '{d}'"))),
                },
            };
            o.criterion = Some(Criterion::Time(Frequency::Weekly(day)));
        }
        "monthly" => o.criterion = Some(Criterion::Time(Frequency::Monthly)),
        "yearly" => o.criterion = Some(Criterion::Time(Frequency::Yearly)),
        "size" => o.criterion = Some(Criterion::Size(size(key, args)?)),
        "minsize" => o.min_size = Some(size(key, args)?),
        "maxsize" => o.max_size = Some(size(key, args)?),
        "minage" => o.min_age = Some(number(key, args, "minimum age")?),
        "maxage" => o.max_age = Some(number(key, args, "maximum age")?),
        "rotate" => o.rotate = number(key, args, "rotation count")?,
        "start" => o.start = number(key, args, "start count")?,
        "dateext" => o.date_ext = true,
        "nodateext" => o.date_ext = false,
        "dateformat" => {
            let f = one(key, args)?;
            validate_format(f).map_err(bad)?;
            o.date_format = Some(f.to_string());
        }
        "dateyesterday" => o.date_yesterday = true,
        "datehourago" => o.date_hour_ago = true,
        "extension" => o.extension = Some(one(key, args)?.to_string()),
        "addextension" => o.add_extension = Some(one(key, args)?.to_string()),
        "ifempty" => o.if_empty = true,
        "notifempty" => o.if_empty = false,
        "mail" => o.mail = Some(one(key, args)?.to_string()),
        "nomail" => o.mail = None,
        "mailfirst" => o.mail_when = MailWhen::First,
        "maillast" => o.mail_when = MailWhen::Last,
        "missingok" => o.missing_ok = true,
        "nomissingok" => o.missing_ok = false,
        "olddir" => o.olddir = Some(one(key, args)?.to_string()),
        "noolddir" => o.olddir = None,
        "sharedscripts" => o.shared_scripts = true,
        "nosharedscripts" => o.shared_scripts = false,
        "shred" => o.shred = true,
        "noshred" => o.shred = false,
        "shredcycles" => o.shred_cycles = Some(number(key, args, "shred cycles")?),
        "su" => {
            let user = parse_owner(one(key, args)?, false).map_err(bad)?;
            let group = match args.get(1) {
                Some(g) => Some(parse_owner(g, true).map_err(bad)?),
                None => None,
            };
            o.su = Some(SuSpec { user, group });
        }
        "allowhardlink" => o.allow_hardlink = true,
        "noallowhardlink" => o.allow_hardlink = false,
        "ignoreduplicates" => o.ignore_duplicates = true,
        "compresscmd" => o.compress_cmd = one(key, args)?.to_string(),
        "uncompresscmd" => o.uncompress_cmd = one(key, args)?.to_string(),
        "compressext" => o.compress_ext = Some(one(key, args)?.to_string()),
        "compressoptions" => o.compress_options = Some(args.join(" ")),
        "locktimeout" => {
            let secs: f64 = number(key, args, "lock timeout")?;
            if !(secs.is_finite() && secs >= 0.0) {
                return Err(bad(format!("bad lock timeout '{}'", args[0])));
            }
            o.lock_timeout_secs = secs;
        }
        _ => return Err(DirectiveError::Unknown),
    }
    Ok(())
}
