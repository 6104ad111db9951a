//! The values of TOML rule files: sizes, owners, modes, `create`/`su` tables and switches,
//! read from a [`toml::Value`] with the messages [`toml_rules`](super::toml_rules) reports.

use crate::rule::{CreateSpec, Owner, SuSpec};
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

/// One `key = value` of a table, as the directive table's readers see it.
pub struct Entry<'a> {
    /// The value.
    pub value: toml::Value,
    /// Where the value is, in bytes of the file.
    pub span: Range<usize>,
    /// The value as written.
    pub raw: &'a str,
}

/// A message, and where in the file it points (`None`: at the value).
pub type ReadError = (Option<usize>, String);

impl Entry<'_> {
    /// The value as a `T`, or serde's message (at the nested key it names, when it names one).
    pub fn get<T: DeserializeOwned>(&self) -> Result<T, ReadError> {
        T::deserialize(self.value.clone()).map_err(|e| {
            let message = e.message().trim_end().replace('\n', ": ");
            let at = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .and_then(|key| self.offset_of_key(key));
            (at, message)
        })
    }

    /// The offset in the file of `key` inside an inline table value.
    pub fn offset_of_key(&self, key: &str) -> Option<usize> {
        let mut from = 0;
        while let Some(i) = self.raw[from..].find(key).map(|i| i + from) {
            let before = self.raw[..i].chars().next_back();
            let after = self.raw[i + key.len()..].trim_start();
            if matches!(before, Some('{' | ',' | ' ' | '\t' | '\n')) && after.starts_with('=') {
                return Some(self.span.start + i);
            }
            from = i + key.len();
        }
        None
    }

    /// The literal after `key =` inside an inline table value, and its offset in the file.
    pub fn literal_of_key(&self, key: &str) -> Option<(usize, &str)> {
        let at = self.offset_of_key(key)? - self.span.start;
        let rest = &self.raw[at + key.len()..];
        let skip = rest.len() - rest.trim_start().len();
        let rest = rest.trim_start().strip_prefix('=')?;
        let skip = skip + 1 + rest.len() - rest.trim_start().len();
        let literal = rest.trim_start();
        let end = literal.find([',', '}', ' ', '\t', '\n']).unwrap_or(literal.len());
        Some((self.span.start + at + key.len() + skip, &literal[..end]))
    }
}

/// A size in bytes: an integer, or a string such as `"100k"`, `"5M"`, `"1G"`.
#[derive(Debug)]
pub struct Size(pub u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size: bytes as an integer, or a string such as \"100k\" or \"5M\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v).map(Size).map_err(|_| E::custom(format!("invalid size {v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
                crate::size::parse_size(v).map(Size).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A user or group: a name, or a numeric id (also as a string of digits, as in the classic
/// syntax).
fn owner<'de, D: de::Deserializer<'de>>(d: D) -> Result<Owner, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Owner;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a user or group name, or a numeric id")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Owner, E> {
            u32::try_from(v).map(Owner::Id).map_err(|_| E::custom(format!("invalid id {v}")))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Owner, E> {
            u32::try_from(v).map(Owner::Id).map_err(|_| E::custom(format!("invalid id {v}")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Owner, E> {
            if v.is_empty() || v.chars().any(char::is_whitespace) {
                return Err(E::custom(format!("invalid user or group name {v:?}")));
            }
            match v.parse() {
                Ok(id) => Ok(Owner::Id(id)),
                Err(_) => Ok(Owner::Name(v.to_string())),
            }
        }
    }
    d.deserialize_any(V)
}

fn opt_owner<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<Owner>, D::Error> {
    owner(d).map(Some)
}

/// A mode as written: an octal string (`"0640"`) or an integer that must be written in octal
/// (`0o640`), which is checked against the source text.
#[derive(Debug)]
enum RawMode {
    Octal(u32),
    Integer(i64),
}

impl<'de> Deserialize<'de> for RawMode {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawMode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an octal mode such as \"0640\" or 0o640")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawMode, E> {
                Ok(RawMode::Integer(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawMode, E> {
                let ok = !v.is_empty() && v.len() <= 5 && v.bytes().all(|b| (b'0'..=b'7').contains(&b));
                match u32::from_str_radix(v, 8) {
                    Ok(mode) if ok && mode <= 0o7777 => Ok(RawMode::Octal(mode)),
                    _ => Err(E::custom(format!("invalid mode {v:?}: expected octal such as \"0640\""))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `create = { mode, owner, group }` (also `create_olddir`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCreate {
    mode: Option<RawMode>,
    #[serde(default, deserialize_with = "opt_owner")]
    owner: Option<Owner>,
    #[serde(default, deserialize_with = "opt_owner")]
    group: Option<Owner>,
}

/// `create = true | false | { mode, owner, group }`: `None` for `false`.
pub fn create(e: &Entry<'_>) -> Result<Option<CreateSpec>, ReadError> {
    let raw = e.get::<Toggle<RawCreate>>().map_err(|(at, message)| match e.literal_of_key("mode") {
        Some((mode_at, _)) if message.starts_with("invalid mode") => (Some(mode_at), message),
        _ => (at, message),
    })?;
    let Some(raw) = raw.into_option() else { return Ok(None) };
    let mode = match raw.mode {
        None => None,
        Some(RawMode::Octal(mode)) => Some(mode),
        Some(RawMode::Integer(v)) => {
            let (at, literal) = e.literal_of_key("mode").unwrap_or((e.span.start, ""));
            match u32::try_from(v).ok().filter(|m| *m <= 0o7777) {
                Some(mode) if literal.starts_with("0o") => Some(mode),
                _ => {
                    let message = format!("invalid mode {literal}: write it in octal, as \"0640\" or 0o640");
                    return Err((Some(at), message));
                }
            }
        }
    };
    Ok(Some(CreateSpec { mode, owner: raw.owner, group: raw.group }))
}

/// `su = { user, group }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSu {
    #[serde(deserialize_with = "owner")]
    user: Owner,
    #[serde(default, deserialize_with = "opt_owner")]
    group: Option<Owner>,
}

/// `su = false | { user, group }`: `None` for `false`.
pub fn su(e: &Entry<'_>) -> Result<Option<SuSpec>, ReadError> {
    Ok(e.get::<Toggle<RawSu>>()?.into_option().map(|s| SuSpec { user: s.user, group: s.group }))
}

/// A string that `false` turns off (`olddir`, `mail`).
pub fn string_or_off(e: &Entry<'_>) -> Result<Option<String>, ReadError> {
    Ok(e.get::<Toggle<String>>()?.into_option())
}

/// A value that can also be `false` (turns the option off) and, for some kinds, `true`
/// (turns it on with nothing specified).
#[derive(Debug)]
enum Toggle<T> {
    Off,
    On(T),
}

impl<T> Toggle<T> {
    fn into_option(self) -> Option<T> {
        match self {
            Toggle::Off => None,
            Toggle::On(v) => Some(v),
        }
    }
}

/// What `true` means for a [`Toggle`], if anything.
trait Switchable: Sized {
    /// The value for `true`, or `None` if `true` is not allowed.
    fn when_true() -> Option<Self>;
    /// What the value is, for messages.
    const WHAT: &'static str;
}

impl Switchable for RawCreate {
    fn when_true() -> Option<Self> {
        Some(RawCreate { mode: None, owner: None, group: None })
    }
    const WHAT: &'static str = "true, false or a table { mode, owner, group }";
}

impl Switchable for RawSu {
    fn when_true() -> Option<Self> {
        None
    }
    const WHAT: &'static str = "false or a table { user, group }";
}

impl Switchable for String {
    fn when_true() -> Option<Self> {
        None
    }
    const WHAT: &'static str = "false or a string";
}

impl<'de, T: Switchable + Deserialize<'de>> Deserialize<'de> for Toggle<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Switchable + Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Toggle<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::WHAT)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Toggle<T>, E> {
                match (v, T::when_true()) {
                    (false, _) => Ok(Toggle::Off),
                    (true, Some(on)) => Ok(Toggle::On(on)),
                    (true, None) => Err(E::invalid_value(de::Unexpected::Bool(true), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Toggle<T>, E> {
                T::deserialize(de::value::StrDeserializer::new(v)).map(Toggle::On)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Toggle<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Toggle::On)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}
