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

/// Formats bytes for people, in binary units with one decimal: `512 B`, `1.5 KiB`, `1.2 MiB`.
/// A whole number of units drops the decimal (`10 MiB`).
///
/// # Examples
///
/// ```
/// use logrotate::size::human_size;
/// assert_eq!(human_size(512), "512 B");
/// assert_eq!(human_size(10 << 20), "10 MiB");
/// assert_eq!(human_size(1_258_291), "1.2 MiB");
/// ```
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Tenths of the unit, rounded half up, in integers (no float surprises at the edges).
    let tenths = |div: u64| (u128::from(bytes) * 10 + u128::from(div) / 2) / u128::from(div);
    let (mut unit, mut div) = (0, 1024u64);
    // A value that rounds to 1024.0 of a unit is 1 of the next (1023.96 KiB is 1 MiB).
    while unit + 1 < UNITS.len() && tenths(div) >= 10240 {
        unit += 1;
        div <<= 10;
    }
    let t = tenths(div);
    if t % 10 == 0 {
        format!("{} {}", t / 10, UNITS[unit])
    } else {
        format!("{}.{} {}", t / 10, t % 10, UNITS[unit])
    }
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

    macro_rules! human_cases {
        ($($name:ident: $input:expr => $expected:expr,)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(human_size($input), $expected);
            }
        )*};
    }

    human_cases! {
        human_zero: 0 => "0 B",
        human_bytes: 512 => "512 B",
        human_below_kib: 1023 => "1023 B",
        human_one_kib: 1024 => "1 KiB",
        human_kib_and_a_half: 1536 => "1.5 KiB",
        human_rounds_up_to_next_unit: (1 << 20) - 1 => "1 MiB",
        human_mib_tenths: 1_258_291 => "1.2 MiB",
        human_ten_mib: 10 << 20 => "10 MiB",
        human_gib: 3 << 30 => "3 GiB",
        human_tib: 5 << 40 => "5 TiB",
        human_max: u64::MAX => "16 EiB",
    }

    #[test]
    fn format_round_trips() {
        for b in [0, 1, 1023, 1024, 5 << 20, 3 << 30, 1536] {
            assert_eq!(parse_size(&format_size(b)), Ok(b));
        }
    }
}
