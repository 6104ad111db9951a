//! Size values as logrotate accepts them: `100`, `100k`, `100M`, `100G` (and lowercase forms).

/// Parses a size such as `100k` into bytes. `k` is 1024, `M` 1024², `G` 1024³.
///
/// # Errors
///
/// Returns a message naming the bad value when it is not a number with an optional unit.
///
/// # Examples
///
/// ```
/// assert_eq!(logrotate::size::parse_size("10k"), Ok(10 * 1024));
/// assert!(logrotate::size::parse_size("ten").is_err());
/// ```
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult: u64 = match c {
                'k' | 'K' => 1 << 10,
                'm' | 'M' => 1 << 20,
                'g' | 'G' => 1 << 30,
                _ => return Err(format!("unknown unit '{c}' in size '{text}'")),
            };
            (&t[..i], mult)
        }
        _ => (t, 1),
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("invalid size '{text}'"));
    }
    let n: u64 = num.parse().map_err(|_| format!("invalid size '{text}'"))?;
    n.checked_mul(mult).ok_or_else(|| format!("size '{text}' is too large"))
}

/// Formats bytes the way `--dump-toml` writes sizes back (`10k`, `5M`, or plain bytes).
pub fn format_size(bytes: u64) -> String {
    for (unit, mult) in [("G", 1u64 << 30), ("M", 1 << 20), ("k", 1 << 10)] {
        if bytes >= mult && bytes.is_multiple_of(mult) {
            return format!("{}{unit}", bytes / mult);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! size_cases {
        ($($name:ident: $input:expr => $expected:expr,)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(parse_size($input).ok(), $expected);
            }
        )*};
    }

    size_cases! {
        plain_bytes: "100" => Some(100),
        zero: "0" => Some(0),
        kilo_lower: "100k" => Some(102_400),
        kilo_upper: "2K" => Some(2048),
        mega_upper: "1M" => Some(1 << 20),
        mega_lower: "3m" => Some(3 << 20),
        giga_upper: "1G" => Some(1 << 30),
        giga_lower: "2g" => Some(2 << 30),
        leading_plus: "+5k" => Some(5120),
        surrounding_space: " 7 " => Some(7),
        empty: "" => None,
        only_unit: "k" => None,
        bad_unit: "10x" => None,
        word: "big" => None,
        negative: "-5" => None,
        decimal: "1.5M" => None,
        overflow: "99999999999999999999G" => None,
        two_units: "1kM" => None,
    }

    #[test]
    fn format_round_trips() {
        for b in [0, 1, 1023, 1024, 5 << 20, 3 << 30, 1536] {
            assert_eq!(parse_size(&format_size(b)), Ok(b));
        }
    }
}
