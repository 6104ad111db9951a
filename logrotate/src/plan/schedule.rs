//! When a time rule is next due: the earliest moment after the last rotation at which
//! [`is_time_due`] becomes true. The daemon sleeps until the earliest of these.

use super::is_time_due;
use crate::rule::{Criterion, Frequency, Options};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).expect("midnight exists")
}

/// The first moment after `last` at which `freq` says the log is due.
///
/// # Examples
///
/// ```
/// use logrotate::{plan::schedule::next_due, rule::Frequency};
/// let last = chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap().and_hms_opt(6, 25, 0).unwrap();
/// assert_eq!(next_due(Frequency::Daily, last).to_string(), "2026-02-01 00:00:00");
/// assert_eq!(next_due(Frequency::Monthly, last).to_string(), "2026-02-01 00:00:00");
/// ```
pub fn next_due(freq: Frequency, last: NaiveDateTime) -> NaiveDateTime {
    let day = last.date();
    match freq {
        Frequency::Hourly => {
            last.with_minute(0).and_then(|t| t.with_second(0)).unwrap_or(last) + Duration::hours(1)
        }
        Frequency::Daily => midnight(day + Duration::days(1)),
        Frequency::Weekly(_) => (1..=7)
            .map(|n| midnight(day + Duration::days(n)))
            .find(|&t| is_time_due(freq, last, t))
            .unwrap_or_else(|| midnight(day + Duration::days(7))),
        Frequency::Monthly => {
            let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
            midnight(NaiveDate::from_ymd_opt(y, m, 1).expect("first of month"))
        }
        Frequency::Yearly => midnight(NaiveDate::from_ymd_opt(day.year() + 1, 1, 1).expect("new year")),
    }
}

/// The time frequency of a rule, if it has one.
pub fn frequency(o: &Options) -> Option<Frequency> {
    match o.criterion {
        Some(Criterion::Time(f)) => Some(f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
    }

    macro_rules! due_cases {
        ($($name:ident: $freq:expr, $last:expr => $due:expr;)*) => {$(
            #[test]
            fn $name() {
                let due = next_due($freq, $last);
                assert_eq!(due, $due);
                assert!(is_time_due($freq, $last, due), "due at the moment computed");
                assert!(!is_time_due($freq, $last, due - Duration::seconds(1)), "not a second earlier");
            }
        )*};
    }

    due_cases! {
        hourly_next_hour: Frequency::Hourly, t(2026, 11, 23, 10, 17) => t(2026, 11, 23, 11, 0);
        hourly_across_midnight: Frequency::Hourly, t(2026, 11, 23, 23, 59) => t(2026, 11, 24, 0, 0);
        daily_next_midnight: Frequency::Daily, t(2026, 11, 23, 0, 0) => t(2026, 11, 24, 0, 0);
        daily_year_end: Frequency::Daily, t(2026, 12, 31, 6, 0) => t(2027, 1, 1, 0, 0);
        weekly_sunday_from_monday: Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Sun)), t(2026, 11, 23, 6, 0) => t(2026, 11, 29, 0, 0);
        weekly_sunday_from_sunday: Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Sun)), t(2026, 11, 29, 6, 0) => t(2026, 12, 6, 0, 0);
        weekly_wednesday_from_monday: Frequency::Weekly(crate::rule::WeeklyOn::Day(chrono::Weekday::Wed)), t(2026, 11, 23, 6, 0) => t(2026, 11, 25, 0, 0);
        weekly_every_seven_days: Frequency::Weekly(crate::rule::WeeklyOn::EverySevenDays), t(2026, 11, 23, 6, 0) => t(2026, 11, 30, 0, 0);
        monthly_next_first: Frequency::Monthly, t(2026, 11, 23, 6, 0) => t(2026, 12, 1, 0, 0);
        monthly_december: Frequency::Monthly, t(2026, 12, 1, 0, 0) => t(2027, 1, 1, 0, 0);
        yearly_next_new_year: Frequency::Yearly, t(2026, 1, 1, 0, 0) => t(2027, 1, 1, 0, 0);
    }
}
