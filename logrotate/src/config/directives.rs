//! One classic directive (`keyword value`) applied to an [`Options`], with logrotate 3.21's
//! reading of the value: which keywords take the rest of the line, how numbers and sizes are
//! read (C's `strtol`/`strtoul` with base 0), and its messages word for word.

use crate::rule::{CreateSpec, Options, Owner, SuSpec};

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
    /// A known keyword with a bad value: the stanza is dropped (outside a stanza, the rest of
    /// the file is abandoned).
    Bad(String),
    /// An error that abandons the rest of the file even inside a stanza (3.21's `goto error`:
    /// a bad `weekly` value).
    Fatal(String),
}

/// What a keyword reads after itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// Nothing: the same line may go on with more directives (`nocreate compress`).
    Nothing,
    /// The rest of the line as is, possibly empty (3.21's `isolateLine`): `create`, `su`,
    /// `weekly`, `compressoptions`, `createolddir`.
    Line,
    /// A value that must be there (3.21's `isolateValue`, which allows `=`); the name is the
    /// one 3.21 prints in `argument expected after NAME`.
    Value(&'static str),
}

/// What `key` reads after itself; `None` for a keyword 3.21 does not know.
pub fn takes(key: &str) -> Option<Takes> {
    super::table::classic(key).map(|(_, takes)| takes)
}

/// A directive's value and the text 3.21 quotes in some of its messages.
#[derive(Debug, Clone, Copy)]
pub struct Value<'a> {
    /// The value: empty for [`Takes::Nothing`], the rest of the line (trailing whitespace
    /// removed) otherwise.
    pub text: &'a str,
    /// Everything from just after the keyword to the end of the file (`bad mail address`
    /// quotes this).
    pub after_key: &'a str,
    /// Everything from the value's last character to the end of the file (`bad minimum age`
    /// quotes this).
    pub after_value: &'a str,
}

impl<'a> Value<'a> {
    /// A value with no surrounding text, for tests and callers outside the classic parser.
    pub fn plain(text: &'a str) -> Self {
        Value { text, after_key: text, after_value: text }
    }
}

pub(super) fn bad(msg: impl Into<String>) -> DirectiveError {
    DirectiveError::Bad(msg.into())
}

/// C's `strtoul(s, &end, 0)`: leading whitespace, an optional sign, `0x` hex or `0` octal or
/// decimal digits. Returns the value (`ULONG_MAX` on overflow, negated modulo 2^64 after `-`)
/// and whether the whole text was read.
fn c_strtoul(s: &str) -> (u64, bool) {
    let (v, neg, ok) = c_strto(s);
    let v = u64::try_from(v).unwrap_or(u64::MAX);
    (if neg { v.wrapping_neg() } else { v }, ok)
}

/// C's `strtol(s, &end, 0)` (clamped to the range of `long`).
pub(super) fn c_strtol(s: &str) -> (i64, bool) {
    let (v, neg, ok) = c_strto(s);
    let v = if neg { -v } else { v };
    (i64::try_from(v).unwrap_or(if neg { i64::MIN } else { i64::MAX }), ok)
}

/// The digits of a C `strto*` base-0 number: (magnitude saturated well past 64 bits, negative,
/// whole text read).
fn c_strto(s: &str) -> (i128, bool, bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = b.get(i) == Some(&b'-');
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut radix = 10;
    if b.get(i) == Some(&b'0') {
        if matches!(b.get(i + 1), Some(b'x' | b'X')) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) {
            radix = 16;
            i += 2;
        } else {
            radix = 8;
        }
    }
    let start = i;
    let mut v: i128 = 0;
    while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(radix)) {
        v = (v * i128::from(radix) + i128::from(d)).min(1 << 100);
        i += 1;
    }
    if i == start && radix != 8 {
        // No digits at all: nothing is read (an empty text reads as 0 with nothing left).
        return (0, false, s.is_empty());
    }
    (v, neg, i == b.len())
}

/// A count read as 3.21 reads `start`, `minage`, `maxage` and `shredcycles`:
/// `(int)strtoul(value)`, refused if text is left over or the `int` is negative.
pub(super) fn c_uint_count(text: &str) -> Option<u32> {
    let (v, whole) = c_strtoul(text);
    let n = v as i32;
    u32::try_from(n).ok().filter(|_| whole)
}

/// A size as 3.21 reads `size`, `minsize` and `maxsize`: a last character `k`/`K`, `M` or
/// `G` is the unit, the rest a C number (base 0).
pub(super) fn c_size(text: &str) -> Result<u64, DirectiveError> {
    let Some(last) = text.chars().next_back() else { return Ok(0) };
    let (number, multiplier) = match last {
        'k' | 'K' => (&text[..text.len() - 1], 1024u64),
        'M' => (&text[..text.len() - 1], 1024 * 1024),
        'G' => (&text[..text.len() - 1], 1024 * 1024 * 1024),
        c if c.is_ascii_digit() => (text, 1),
        c => return Err(bad(format!("unknown unit '{c}'"))),
    };
    let (v, whole) = c_strtoul(number);
    // 3.21 keeps the product in a signed `long`.
    let size = multiplier.wrapping_mul(v).cast_signed();
    if !whole || size < 0 {
        return Err(bad(format!("bad size '{number}'")));
    }
    Ok(size.cast_unsigned())
}

/// Parses an owner (user or group) as logrotate 3.21 does: a known name, else a number that
/// is the id of an existing user (group).
///
/// # Errors
///
/// Neither a known name nor the id of an existing user (group).
pub fn parse_owner(text: &str, is_group: bool) -> Result<Owner, String> {
    use crate::exec::ids;
    let known = if is_group { ids::group_id(text).is_some() } else { ids::user_id(text).is_some() };
    if known {
        return Ok(Owner::Name(text.to_string()));
    }
    if let Some(id) = text.parse::<u32>().ok().filter(|&id| id < i32::MAX as u32) {
        if if is_group { ids::gid_exists(id) } else { ids::uid_exists(id) } {
            return Ok(Owner::Id(id));
        }
    }
    if is_group {
        Err(format!("unknown group '{text}'"))
    } else {
        Err(format!("unknown user '{text}'"))
    }
}

/// Parses `[mode] [owner] [group]` as `create` and `createolddir` take them, as 3.21's
/// `sscanf("%ho %s %s")`: the mode is the leading octal digits (`create 9` has no mode and
/// means owner 9; `create 0640x` is mode 0640, owner `x`). A mode above 07777 is refused
/// (3.21 would keep its low bits, setuid and sticky bits included). As 3.21's
/// `readModeUidGid`, what is not given stays as an earlier `create` (or `createolddir`) of the
/// stanza or the globals set it.
pub(super) fn create_spec(
    key: &str,
    args: &[String],
    earlier: Option<&CreateSpec>,
) -> Result<CreateSpec, DirectiveError> {
    let mut spec = earlier.cloned().unwrap_or_default();
    let mut words: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Some(first) = words.first().copied() {
        let octal = first.bytes().take_while(|b| (b'0'..=b'7').contains(b)).count();
        if octal > 0 {
            let mode = u32::from_str_radix(&first[..octal], 8).ok().filter(|m| *m <= 0o7777);
            spec.mode = Some(mode.ok_or_else(|| bad(format!("bad mode '{first}'")))?);
            if octal == first.len() {
                words.remove(0);
            } else {
                words[0] = &first[octal..];
            }
        }
    }
    if words.len() > 2 {
        return Err(bad(format!("extra arguments for {key}")));
    }
    if let Some(owner) = words.first() {
        spec.owner = Some(parse_owner(owner, false).map_err(bad)?);
    }
    if let Some(group) = words.get(1) {
        spec.group = Some(parse_owner(group, true).map_err(bad)?);
    }
    Ok(spec)
}

/// `su USER GROUP` as 3.21 reads it: both are required, but a group set by an earlier `su`
/// (of the stanza or the globals) stays when only the user is given.
pub(super) fn su_spec(args: &[String], earlier: Option<&SuSpec>) -> Result<SuSpec, DirectiveError> {
    match args {
        [] => Err(bad("no user for su")),
        [user] => {
            let user = parse_owner(user, false).map_err(bad)?;
            match earlier.and_then(|e| e.group.clone()) {
                Some(group) => Ok(SuSpec { user, group: Some(group) }),
                None => Err(bad("no group for su")),
            }
        }
        [user, group] => Ok(SuSpec {
            user: parse_owner(user, false).map_err(bad)?,
            group: Some(parse_owner(group, true).map_err(bad)?),
        }),
        _ => Err(bad("extra arguments for su")),
    }
}

/// A path value as 3.21's `readPath` checks it: no blanks and nothing unprintable.
pub(super) fn path(name: &str, text: &str) -> Result<String, DirectiveError> {
    if !crate::locale::printable_path(&crate::pathbytes::to_bytes(text)) {
        return Err(bad(format!("bad {name} path {text}")));
    }
    Ok(text.to_string())
}

/// `~/` at the start of a path is `$HOME/`, as 3.21 expands it in `olddir` and `include`.
pub fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{rest}", crate::pathbytes::from_os(&home)),
        _ => path.to_string(),
    }
}

/// The extension 3.21 gives compressed files when `compresscmd` names one of these commands
/// (by base name); any other command keeps the current extension.
pub const COMPRESS_EXT_BY_COMMAND: &[(&str, &str)] = &[
    ("gzip", ".gz"),
    ("bzip2", ".bz2"),
    ("xz", ".xz"),
    ("zstd", ".zst"),
    ("compress", ".Z"),
    ("zip", "zip"),
];

/// Applies one directive to `o`. `value` is what [`takes`] says the keyword reads.
///
/// # Errors
///
/// [`DirectiveError::Unknown`] for an unknown keyword (or one the parser handles itself),
/// [`DirectiveError::Bad`] and [`DirectiveError::Fatal`] for a bad value, worded as 3.21.
pub fn apply_directive(
    o: &mut Options,
    key: &str,
    value: Value<'_>,
    _scope: Scope,
) -> Result<(), DirectiveError> {
    match super::table::classic(key).and_then(|(d, _)| d.apply) {
        Some(apply) => apply(o, key, value),
        None => Err(DirectiveError::Unknown),
    }
}
