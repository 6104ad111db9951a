//! A `tracing` application whose log file can be rotated under it without losing a line.
//!
//! ```text
//! tracing_app PATH EVENTS [EVENTS_PER_SEC]
//! ```
//!
//! Logs EVENTS events (`event seq=N`, N from 0), EVENTS_PER_SEC a second (default 5000),
//! through `tracing_subscriber::fmt` into a [`WatchedFile`], then prints
//! `events=… reopens=…`. Rotate PATH with `logrotate` meanwhile: every `seq` is found once
//! across the log and its archives (see the README).

use std::time::{Duration, Instant};
use watched_writer::WatchedFile;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(events)) = (args.first(), args.get(1)) else {
        return Err("usage: tracing_app PATH EVENTS [EVENTS_PER_SEC]".into());
    };
    let events: u64 = events.parse()?;
    let rate: f64 = args.get(2).map_or(Ok(5000.0), |r| r.parse())?;

    let log = std::sync::Arc::new(WatchedFile::open(path)?);
    tracing_subscriber::fmt().with_writer(log.clone()).with_ansi(false).init();

    let start = Instant::now();
    for seq in 0..events {
        let due = start + Duration::from_secs_f64(seq as f64 / rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        tracing::info!(seq, "event");
    }
    println!("events={events} reopens={}", log.stats().reopens);
    Ok(())
}
