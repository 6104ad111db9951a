//! Local-time helpers for the state file format `Y-M-D-H:M:S` (unpadded, local time).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970");
    i64::try_from(since.as_secs()).expect("time fits in i64")
}

fn local_tm(epoch: i64) -> libc::tm {
    let t = epoch as libc::time_t;
    // SAFETY: `tm` is plain old data; localtime_r only writes into it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the duration of the call.
    let res = unsafe { libc::localtime_r(&t, &mut tm) };
    assert!(!res.is_null(), "localtime_r failed for {epoch}");
    tm
}

fn make_time(tm: &mut libc::tm) -> i64 {
    tm.tm_isdst = -1;
    // SAFETY: `tm` is a valid, initialised struct.
    unsafe { libc::mktime(tm) }
}

/// Render an epoch time the way logrotate writes it into its state file.
pub fn format_state_time(epoch: i64) -> String {
    let tm = local_tm(epoch);
    format!(
        "{}-{}-{}-{}:{}:{}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// Parse a state file time (`Y-M-D-H:M:S`, local time) back into an epoch time.
pub fn parse_state_time(text: &str) -> Option<i64> {
    let nums: Vec<i32> = text.split(['-', ':']).map(|part| part.parse().ok()).collect::<Option<_>>()?;
    let [year, mon, mday, hour, min, sec] = nums[..] else {
        return None;
    };
    // SAFETY: plain old data, every field we rely on is set below.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    Some(make_time(&mut tm))
}

/// The start (`:00:00`) of the local hour containing `epoch`.
pub fn hour_start(epoch: i64) -> i64 {
    let mut tm = local_tm(epoch);
    tm.tm_min = 0;
    tm.tm_sec = 0;
    make_time(&mut tm)
}

/// The state time with minutes and seconds dropped: `Y-M-D-H`.
pub fn hour_part(text: &str) -> String {
    match text.rsplit_once('-') {
        Some((date, clock)) => {
            let hour = clock.split(':').next().unwrap_or("");
            format!("{date}-{hour}")
        }
        None => text.to_string(),
    }
}
