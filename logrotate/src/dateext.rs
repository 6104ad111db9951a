//! `dateext` names: formatting with the `dateformat` subset (`%Y %m %d %H %M %S %V %s`) and
//! recognising names that a format produced, so old dated archives can be found and sorted.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone};

/// One piece of a parsed date format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(char),
    /// Exactly this many digits.
    Digits(usize),
    /// One or more digits (`%s`).
    AnyDigits,
}

fn pieces(format: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(Piece::Literal(c));
            continue;
        }
        match chars.next() {
            Some('Y') => out.push(Piece::Digits(4)),
            Some('m' | 'd' | 'H' | 'M' | 'S' | 'V') => out.push(Piece::Digits(2)),
            Some('s') => out.push(Piece::AnyDigits),
            Some('%') => out.push(Piece::Literal('%')),
            Some(o) => return Err(format!("bad date format '{format}': %{o} is not allowed")),
            None => return Err(format!("bad date format '{format}': ends with %")),
        }
    }
    Ok(out)
}

/// Checks that a `dateformat` uses only the allowed specifiers.
///
/// # Errors
///
/// A message naming the first specifier that is not allowed.
pub fn validate_format(format: &str) -> Result<(), String> {
    pieces(format).map(|_| ())
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
    local.format(format).to_string()
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
    let Ok(pieces) = pieces(format) else { return key };
    let mut rest = text;
    // The specifier letter of each digit piece, in order (`%%` makes no piece).
    let mut fields = {
        let mut letters = Vec::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some('%') | None => {}
                    Some(l) => letters.push(l),
                }
            }
        }
        letters.into_iter()
    };
    for p in pieces {
        match p {
            Piece::Literal(c) => match rest.strip_prefix(c) {
                Some(r) => rest = r,
                None => break,
            },
            Piece::Digits(_) | Piece::AnyDigits => {
                let n = match p {
                    Piece::Digits(n) => n.min(rest.len()),
                    _ => rest.bytes().take_while(u8::is_ascii_digit).count(),
                };
                let value: i64 = rest[..n].parse().unwrap_or(0);
                rest = &rest[n..];
                let slot = match fields.next() {
                    Some('Y') => 0,
                    Some('m') => 1,
                    Some('d') => 2,
                    Some('H') => 3,
                    Some('M') => 4,
                    Some('S') => 5,
                    Some('s') => {
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
    let pieces = pieces(format).ok()?;
    let bytes = name.as_bytes();
    let mut i = 0;
    for p in pieces {
        match p {
            Piece::Literal(c) => {
                let mut buf = [0u8; 4];
                let enc = c.encode_utf8(&mut buf).as_bytes();
                if !bytes[i..].starts_with(enc) {
                    return None;
                }
                i += enc.len();
            }
            Piece::Digits(n) => {
                if bytes.len() < i + n || !bytes[i..i + n].iter().all(u8::is_ascii_digit) {
                    return None;
                }
                i += n;
            }
            Piece::AnyDigits => {
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
        let f = "%%-%H%M-%Y%m%d";
        assert_eq!(sort_key(f, "%-2359-20260102"), [2026, 1, 2, 23, 59, 0]);
        assert!(sort_key(f, "%-2359-20260101") < sort_key(f, "%-0000-20260102"));
    }

    #[test]
    fn iso_week() {
        assert_eq!(format(t(2026, 1, 1, 0), "%V"), "01");
        assert_eq!(format(t(2027, 1, 1, 0), "%V"), "53");
    }

    #[test]
    fn rejects_other_specifiers() {
        assert!(validate_format("-%Y%b").is_err());
        assert!(validate_format("-%Y%m%d%").is_err());
        assert!(validate_format("-%Y%m%d%%x").is_ok());
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
