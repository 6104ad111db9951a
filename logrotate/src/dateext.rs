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
