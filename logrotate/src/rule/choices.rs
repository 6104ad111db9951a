//! The small choices of a rule, each a type that holds only valid values: the weekday of
//! `weekly`, how the log is moved, how many archives are kept, the compression level, and ages
//! and timeouts as checked [`Duration`]s.

use serde::Serialize;
use std::time::Duration;

/// When a `weekly` log rotates besides "7 days since the last rotation" (3.21's `weekly N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WeeklyOn {
    /// On this weekday (`weekly 0` is Sunday, the default, .. `weekly 6` Saturday), at most once
    /// a day.
    Day(chrono::Weekday),
    /// Only after 7 days (`weekly 7`).
    EverySevenDays,
}

impl WeeklyOn {
    /// 3.21's `weekly N`: 0 (Sunday) .. 6, or 7 for every 7 days; `None` past 7.
    pub fn from_number(n: u8) -> Option<Self> {
        match n {
            7 => Some(WeeklyOn::EverySevenDays),
            // chrono counts from Monday.
            0..=6 => chrono::Weekday::try_from((n + 6) % 7).ok().map(WeeklyOn::Day),
            _ => None,
        }
    }

    /// The number `weekly N` takes: 0 (Sunday) .. 6, 7 for every 7 days.
    pub fn number(self) -> u8 {
        match self {
            // At most 6, so the cast is exact.
            WeeklyOn::Day(d) => d.num_days_from_sunday() as u8,
            WeeklyOn::EverySevenDays => 7,
        }
    }
}

impl Default for WeeklyOn {
    fn default() -> Self {
        WeeklyOn::Day(chrono::Weekday::Sun)
    }
}

/// How the live log is moved aside (`copy`, `copytruncate`, `renamecopy`; renaming otherwise).
///
/// The directives act as in 3.21: the last of `copytruncate` and `renamecopy` wins, and either
/// wins over an earlier `copy`; `copy` does not undo `copytruncate` (3.21 still truncates); `copy`
/// together with `renamecopy` is 3.21's [`MoveMethod::CopyAndRenameCopy`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MoveMethod {
    /// Rename the log to its archive name (default).
    #[default]
    Rename,
    /// Copy the log and leave it as it is (`copy`).
    Copy,
    /// Copy the log, then truncate it (`copytruncate`).
    CopyTruncate,
    /// Rename the log to `LOG.tmp`, create the new log, and after postrotate copy `LOG.tmp` to
    /// the archive (`renamecopy`).
    RenameCopy,
    /// `copy` and `renamecopy` both in effect: as 3.21, the log is neither renamed nor copied,
    /// and the rotation fails when it finds no `LOG.tmp` to copy from.
    #[serde(rename = "copy+renamecopy")]
    CopyAndRenameCopy,
}

impl MoveMethod {
    /// The method after one of the six directives `copy`, `nocopy`, `copytruncate`,
    /// `nocopytruncate`, `renamecopy`, `norenamecopy` (`key`), with 3.21's flags: `copy_too`
    /// is the `copy` flag that [`MoveMethod::CopyTruncate`] hides, and is updated. Any other
    /// key changes nothing.
    pub fn after(self, key: &str, copy_too: &mut bool) -> MoveMethod {
        let (mut copy, mut truncate, mut tmp) = match self {
            MoveMethod::Rename => (false, false, false),
            MoveMethod::Copy => (true, false, false),
            MoveMethod::CopyTruncate => (*copy_too, true, false),
            MoveMethod::RenameCopy => (false, false, true),
            MoveMethod::CopyAndRenameCopy => (true, false, true),
        };
        match key {
            "copy" => copy = true,
            "nocopy" => copy = false,
            // `copytruncate` and `renamecopy` clear each other.
            "copytruncate" => (truncate, tmp) = (true, false),
            "nocopytruncate" => truncate = false,
            "renamecopy" => (tmp, truncate) = (true, false),
            "norenamecopy" => tmp = false,
            _ => {}
        }
        *copy_too = copy && truncate;
        match (copy, truncate, tmp) {
            (_, true, _) => MoveMethod::CopyTruncate,
            (true, false, true) => MoveMethod::CopyAndRenameCopy,
            (false, false, true) => MoveMethod::RenameCopy,
            (true, false, false) => MoveMethod::Copy,
            (false, false, false) => MoveMethod::Rename,
        }
    }

    /// Whether the live log stays where it is (copied, not renamed): archives are named as
    /// for a copy. With `copy` and `renamecopy` together 3.21 names them so too.
    pub fn is_copying(self) -> bool {
        matches!(self, MoveMethod::Copy | MoveMethod::CopyTruncate | MoveMethod::CopyAndRenameCopy)
    }
}

/// How many rotated logs `rotate` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// `rotate -1`: every one.
    All,
    /// `rotate N`: the N most recent (0: the log is rotated, then its archive removed).
    Count(u64),
}

impl Default for Keep {
    fn default() -> Self {
        Keep::Count(0)
    }
}

impl std::fmt::Display for Keep {
    /// As 3.21 prints `rotateCount`: `-1` for all.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Keep::All => f.write_str("-1"),
            Keep::Count(n) => write!(f, "{n}"),
        }
    }
}

/// A compression level, 1 (fastest) to 9 (smallest) for gzip, up to 22 for zstd (see
/// [`level_fits`](super::level_fits)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CompressLevel(u8);

impl CompressLevel {
    /// The level `n`, or `None` outside 1..=22.
    pub fn new(n: u64) -> Option<Self> {
        u8::try_from(n).ok().filter(|n| (1..=22).contains(n)).map(CompressLevel)
    }

    /// The level as a number.
    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

impl std::fmt::Display for CompressLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The free space `minfree` keeps on a filesystem: bytes, or a percentage of its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MinFree {
    /// At least this many bytes available to users (`df`'s "Avail").
    Bytes(u64),
    /// At least this percentage (1 to 100) of the filesystem's size available to users.
    Percent(u8),
}

impl MinFree {
    /// The bytes this threshold asks for on a filesystem of `total` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use logrotate::rule::MinFree;
    /// assert_eq!(MinFree::Percent(10).bytes_of(1000), 100);
    /// assert_eq!(MinFree::Bytes(5).bytes_of(1000), 5);
    /// ```
    pub fn bytes_of(self, total: u64) -> u64 {
        match self {
            MinFree::Bytes(n) => n,
            MinFree::Percent(p) => u64::try_from(u128::from(total) * u128::from(p) / 100).unwrap_or(u64::MAX),
        }
    }

    /// Reads `SIZE` (as `maxsize`: `k`, `M`, `G`) or `N%` (1 to 100); `size` parses the former.
    ///
    /// # Errors
    ///
    /// A percentage outside 1..=100, or what `size` refuses.
    pub fn parse<E>(
        text: &str,
        size: impl FnOnce(&str) -> Result<u64, E>,
        bad: impl FnOnce() -> E,
    ) -> Result<Self, E> {
        match text.strip_suffix('%') {
            Some(n) => {
                n.parse::<u8>().ok().filter(|p| (1..=100).contains(p)).map(MinFree::Percent).ok_or_else(bad)
            }
            None => size(text).map(MinFree::Bytes),
        }
    }
}

impl std::fmt::Display for MinFree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MinFree::Bytes(n) => write!(f, "{}", crate::size::format_size(*n)),
            MinFree::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// One day, the unit of `minage` and `maxage`.
pub const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// `days` whole days, or `None` past [`Duration`]'s range.
pub fn days(days: u64) -> Option<Duration> {
    DAY.checked_mul(u32::try_from(days).ok()?)
}

/// Seconds as `locktimeout` and the command lines take them (`2`, `0.5`): a number from 0 to
/// [`Duration::MAX`], else `None`.
pub fn parse_seconds(text: &str) -> Option<Duration> {
    Duration::try_from_secs_f64(text.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_numbers() {
        assert_eq!(WeeklyOn::from_number(0), Some(WeeklyOn::Day(chrono::Weekday::Sun)));
        assert_eq!(WeeklyOn::from_number(6), Some(WeeklyOn::Day(chrono::Weekday::Sat)));
        assert_eq!(WeeklyOn::from_number(7), Some(WeeklyOn::EverySevenDays));
        assert_eq!(WeeklyOn::from_number(8), None);
        assert!((0..=7).all(|n| WeeklyOn::from_number(n).map(WeeklyOn::number) == Some(n)));
    }

    #[test]
    fn checked_days_and_seconds() {
        assert_eq!(days(2), Some(Duration::from_secs(2 * 86_400)));
        assert_eq!(days(705_032_704).map(|d| d.as_secs() / 86_400), Some(705_032_704));
        assert_eq!(days(u64::MAX), None);
        assert_eq!(parse_seconds("0.5"), Some(Duration::from_millis(500)));
        for bad in ["-1", "1e300", "nan", "inf", "x", ""] {
            assert_eq!(parse_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn compress_levels() {
        assert_eq!(CompressLevel::new(1).map(CompressLevel::get), Some(1));
        assert_eq!(CompressLevel::new(0), None);
        assert_eq!(CompressLevel::new(22).map(CompressLevel::get), Some(22));
        assert_eq!(CompressLevel::new(23), None);
    }
}
