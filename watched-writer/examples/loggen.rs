//! Writes numbered log lines, for tests and benchmarks.
//!
//! ```text
//! cargo run --release -p watched-writer --example loggen -- \
//!     PATH LINES [--bytes N] [--rate LINES_PER_SEC] [--policy notify|every-write|interval-ms=N|plain]
//! ```
//!
//! Each line starts with its 0-based sequence number, zero-padded to 12 digits, and a space, and
//! is padded to N bytes (default 100) including the newline; each is written with one `write`.
//! `plain` writes through an ordinary `File` opened with `O_APPEND` (the baseline). At the end
//! one line goes to stdout: `lines=… secs=… lines_per_sec=… reopens=…`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use watched_writer::{ReopenPolicy, WatchedFile};

const USAGE: &str = "usage: loggen PATH LINES [--bytes N] [--rate LINES_PER_SEC] \
                     [--policy notify|every-write|interval-ms=N|plain]";

/// Digits of the sequence number at the start of each line.
const DIGITS: usize = 12;

struct Config {
    path: String,
    lines: u64,
    bytes: usize,
    rate: Option<f64>,
    policy: Option<ReopenPolicy>,
}

enum Sink {
    Plain(File),
    Watched(WatchedFile),
}

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("error: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}: {e}", config.path);
            ExitCode::FAILURE
        }
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let mut positional = Vec::new();
    let mut config =
        Config { path: String::new(), lines: 0, bytes: 100, rate: None, policy: Some(ReopenPolicy::Notify) };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--bytes" => {
                config.bytes = value("--bytes")?.parse().map_err(|_| "bad --bytes".to_string())?;
            }
            "--rate" => {
                let rate: f64 = value("--rate")?.parse().map_err(|_| "bad --rate".to_string())?;
                if rate <= 0.0 || !rate.is_finite() {
                    return Err("--rate must be positive".into());
                }
                config.rate = Some(rate);
            }
            "--policy" => config.policy = parse_policy(&value("--policy")?)?,
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => positional.push(arg),
        }
    }
    let [path, lines] = <[String; 2]>::try_from(positional).map_err(|_| "need PATH and LINES".to_string())?;
    config.path = path;
    config.lines = lines.parse().map_err(|_| format!("bad LINES '{lines}'"))?;
    if config.bytes < DIGITS + 2 {
        return Err(format!("--bytes must be at least {}", DIGITS + 2));
    }
    Ok(config)
}

fn parse_policy(s: &str) -> Result<Option<ReopenPolicy>, String> {
    Ok(Some(match s {
        "plain" => return Ok(None),
        "notify" => ReopenPolicy::Notify,
        "every-write" => ReopenPolicy::EveryWrite,
        _ => match s.strip_prefix("interval-ms=").and_then(|ms| ms.parse().ok()) {
            Some(ms) => ReopenPolicy::Interval(Duration::from_millis(ms)),
            None => return Err(format!("bad --policy '{s}'")),
        },
    }))
}

fn run(config: &Config) -> std::io::Result<()> {
    let sink = match config.policy {
        None => Sink::Plain(OpenOptions::new().append(true).create(true).open(&config.path)?),
        Some(policy) => Sink::Watched(WatchedFile::builder().policy(policy).open(&config.path)?),
    };
    let mut line = vec![b'x'; config.bytes];
    line[DIGITS] = b' ';
    line[config.bytes - 1] = b'\n';
    let start = Instant::now();
    for seq in 0..config.lines {
        if let Some(rate) = config.rate {
            let due = start + Duration::from_secs_f64(seq as f64 / rate);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        put_number(&mut line[..DIGITS], seq);
        match &sink {
            Sink::Plain(f) => (&*f).write_all(&line)?,
            Sink::Watched(w) => (&*w).write_all(&line)?,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let reopens = match &sink {
        Sink::Plain(_) => 0,
        Sink::Watched(w) => w.stats().reopens,
    };
    println!(
        "lines={} secs={secs:.3} lines_per_sec={:.0} reopens={reopens}",
        config.lines,
        config.lines as f64 / secs.max(1e-9)
    );
    Ok(())
}

/// Writes `n` zero-padded into `digits`.
fn put_number(digits: &mut [u8], mut n: u64) {
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
}
