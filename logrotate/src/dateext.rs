//! `dateext` names: formatting with the `dateformat` subset (`%Y %m %d %H %M %S %V %s`) and
//! recognising names that a format produced, so old dated archives can be found and sorted.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone};

/// One piece of a date format as logrotate 3.21 reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(char),
    /// A specifier (`Y m d H M S V s`), written with `strftime`.
    Spec(char),
}

impl Piece {
    /// How many digits the text of this piece has: `None` for a literal, `Some(0)` for "one or
    /// more" (`%s`).
    fn digits(&self) -> Option<usize> {
        match self {
            Piece::Literal(_) => None,
            Piece::Spec('Y') => Some(4),
            Piece::Spec('s') => Some(0),
            Piece::Spec(_) => Some(2),
        }
    }
}

/// Splits a `dateformat` as 3.21's `prerotateSingleLog` converts it: leading spaces are
/// dropped; `%` followed by one of `Y m d H M S V s` is a specifier; any other `%` is written
/// literally, and so is what follows it (`%j` gives `%j`, `%%` gives `%%`, a final `%` gives
/// `%`). No format is an error.
fn pieces(format: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut chars = format.trim_start_matches(' ').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('%', Some(&s @ ('Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'V' | 's'))) => {
                chars.next();
                out.push(Piece::Spec(s));
            }
            _ => out.push(Piece::Literal(c)),
        }
    }
    out
}

/// Checks a `dateformat`. Every format is accepted, as logrotate 3.21 accepts it: a `%` that
/// is not one of its specifiers (`%Y %m %d %H %M %S %V %s`) is written literally (see
/// [`format`]), so TOML rules and `--dump-toml` output read back whatever the classic syntax
/// took.
///
/// # Errors
///
/// None today; kept so that callers need not change if a format can ever be refused.
pub fn validate_format(format: &str) -> Result<(), String> {
    pieces(format);
    Ok(())
}

/// Formats `when` (local time) with a validated `dateformat`.
///
/// # Examples
///
/// ```
/// let t = chrono::NaiveDate::from_ymd_opt(2024, 3, 9).unwrap().and_hms_opt(7, 5, 0).unwrap();
/// assert_eq!(logrotate::dateext::format(t, "-%Y%m%d"), "-20240309");
/// ```
pub fn format(when: NaiveDateTime, format: &str) -> String {
    let local: DateTime<Local> =
        Local.from_local_datetime(&when).earliest().unwrap_or_else(|| Local.from_utc_datetime(&when));
    let mut out = String::new();
    for p in pieces(format) {
        match p {
            Piece::Literal(c) => out.push(c),
            Piece::Spec(s) => out.push_str(&local.format(&format!("%{s}")).to_string()),
        }
    }
    out
}

/// The moment a date text written with `format` stands for, as a key that sorts dated archives
/// by date (as logrotate does with `strptime`), whatever the order of the fields in the format:
/// `[year, month, day, hour, minute, second]`, fields the format lacks being 0. `%V` is not
/// used (nor by `strptime`); `%s` gives all the fields.
///
/// # Examples
///
/// ```
/// use logrotate::dateext::sort_key;
/// assert!(sort_key("-%d-%m-%Y", "-31-12-2025") < sort_key("-%d-%m-%Y", "-01-01-2026"));
/// ```
pub fn sort_key(format: &str, text: &str) -> [i64; 6] {
    let mut key = [0i64; 6];
    let mut rest = text;
    for p in pieces(format) {
        match p {
            Piece::Literal(c) => match rest.strip_prefix(c) {
                Some(r) => rest = r,
                None => break,
            },
            Piece::Spec(spec) => {
                let n = match p.digits() {
                    Some(0) | None => rest.bytes().take_while(u8::is_ascii_digit).count(),
                    Some(n) => rest.bytes().take(n).take_while(u8::is_ascii_digit).count(),
                };
                let value: i64 = rest[..n].parse().unwrap_or(0);
                rest = &rest[n..];
                let slot = match spec {
                    'Y' => 0,
                    'm' => 1,
                    'd' => 2,
                    'H' => 3,
                    'M' => 4,
                    'S' => 5,
                    's' => {
                        if let Some(t) = DateTime::from_timestamp(value, 0) {
                            let t = t.with_timezone(&Local).naive_local();
                            use chrono::{Datelike, Timelike};
                            key = [
                                i64::from(t.year()),
                                i64::from(t.month()),
                                i64::from(t.day()),
                                i64::from(t.hour()),
                                i64::from(t.minute()),
                                i64::from(t.second()),
                            ];
                        }
                        continue;
                    }
                    _ => continue,
                };
                key[slot] = value;
            }
        }
    }
    key
}

/// If `name` starts with a date in `format`, returns the length of that date text.
pub fn match_prefix(format: &str, name: &str) -> Option<usize> {
    let bytes = name.as_bytes();
    let mut i = 0;
    for p in pieces(format) {
        match p {
            Piece::Literal(c) => {
                let mut buf = [0u8; 4];
                let enc = c.encode_utf8(&mut buf).as_bytes();
                if !bytes[i..].starts_with(enc) {
                    return None;
                }
                i += enc.len();
            }
            Piece::Spec(_) if p.digits() != Some(0) => {
                let n = p.digits().unwrap_or(2);
                if bytes.len() < i + n || !bytes[i..i + n].iter().all(u8::is_ascii_digit) {
                    return None;
                }
                i += n;
            }
            Piece::Spec(_) => {
                let n = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                i += n;
            }
        }
    }
    Some(i)
}

/// What 3.21 makes of a `dateformat` for its `-v` lines: the `strftime` format it uses
/// (`Converted 'FORMAT' -> 'THIS'`: a `%` before anything but `Y m d H M S V s` doubled) and
/// the glob pattern that finds the archives (`glob pattern 'THIS'`).
///
/// # Examples
///
/// ```
/// let (converted, glob) = logrotate::dateext::converted_and_glob("-%Y%m%d");
/// assert_eq!(converted, "-%Y%m%d");
/// assert_eq!(glob, format!("-{}", "[0-9]".repeat(8)));
/// ```
pub fn converted_and_glob(format: &str) -> (String, String) {
    let (mut converted, mut glob) = (String::new(), String::new());
    let mut chars = format.trim_start_matches(' ').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().copied()) {
            ('%', Some(s @ ('Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'V' | 's'))) => {
                chars.next();
                converted.push('%');
                converted.push(s);
                let digits = match s {
                    'Y' => 4,
                    's' => 10,
                    _ => 2,
                };
                glob.push_str(&"[0-9]".repeat(digits));
            }
            ('%', _) => {
                converted.push_str("%%");
                glob.push('%');
            }
            _ => {
                converted.push(c);
                glob.push(c);
            }
        }
    }
    (converted, glob)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 4, 5).unwrap()
    }

    #[test]
    fn formats_default_and_hourly() {
        assert_eq!(format(t(2026, 1, 2, 3), "-%Y%m%d"), "-20260102");
        assert_eq!(format(t(2026, 1, 2, 3), "-%Y%m%d%H"), "-2026010203");
        assert_eq!(format(t(2026, 1, 2, 3), ".%Y-%m-%d_%H%M%S"), ".2026-01-02_030405");
    }

    #[test]
    fn sort_key_orders_by_date_not_text() {
        let f = "-%d-%m-%Y";
        let mut names = ["-02-01-2026", "-31-12-2025", "-01-02-2026", "-15-01-2026"];
        names.sort_by_key(|n| sort_key(f, n));
        assert_eq!(names, ["-31-12-2025", "-02-01-2026", "-15-01-2026", "-01-02-2026"]);
        assert!(sort_key("-%s", "-1700000000") < sort_key("-%s", "-1800000000"));
        // 3.21 writes `%%` as `%%`.
        let f = "%%-%H%M-%Y%m%d";
        assert_eq!(sort_key(f, "%%-2359-20260102"), [2026, 1, 2, 23, 59, 0]);
        assert!(sort_key(f, "%%-2359-20260101") < sort_key(f, "%%-0000-20260102"));
    }

    #[test]
    fn iso_week() {
        assert_eq!(format(t(2026, 1, 1, 0), "%V"), "01");
        assert_eq!(format(t(2027, 1, 1, 0), "%V"), "53");
    }

    #[test]
    fn dateformat_other_specifiers_are_written_literally_as_3_21() {
        for f in ["-%Y%b", "-%Y%m%d%", "-%Y%m%d%%x", "-%j%z%G", "%%Y", "% 0"] {
            assert!(validate_format(f).is_ok(), "{f}");
        }
        let when = t(2026, 11, 23, 10);
        assert_eq!(format(when, "-%Y%b"), "-2026%b");
        assert_eq!(format(when, "-%Y%m%d%"), "-20261123%");
        assert_eq!(format(when, "-%Y%m%d%%x"), "-20261123%%x");
        assert_eq!(format(when, "%%Y"), "%2026");
        assert_eq!(format(when, "  -%j-%d"), "-%j-23");
        for f in ["-%Y%b", "-%j-%d", "-%Y%m%d%", "%%Y"] {
            let s = format(when, f);
            assert_eq!(match_prefix(f, &format!("{s}.gz")), Some(s.len()), "{f}");
        }
        assert!(sort_key("-%j-%d-%m-%Y", "-%j-31-12-2025") < sort_key("-%j-%d-%m-%Y", "-%j-01-01-2026"));
    }

    #[test]
    fn matches_what_it_formats() {
        for f in ["-%Y%m%d", "-%Y%m%d%H", ".%Y-%m-%d", "-%s", "_%V"] {
            let s = format(t(2026, 11, 23, 10), f);
            assert_eq!(match_prefix(f, &format!("{s}.gz")), Some(s.len()), "{f}");
        }
        assert_eq!(match_prefix("-%Y%m%d", "-2026112.gz"), None);
        assert_eq!(match_prefix("-%Y%m%d", ".20261123"), None);
    }
}
