//! `logrotated`: the rotation daemon. Runs in the foreground (systemd `Type=notify`).

#[path = "shared/console.rs"]
mod console;

use clap::Parser;
use logrotate::app;
use logrotate::daemon::{self, DaemonConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Rotates logs on schedule and by size without cron, using the same rules and state file as
/// logrotate.
#[derive(Parser, Debug)]
#[command(name = "logrotated", version)]
struct Opts {
    /// Path of state file
    #[arg(short = 's', long = "state", value_name = "statefile", default_value = app::DEFAULT_STATE)]
    state: PathBuf,
    /// Display messages during rotation
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Command to send mail
    #[arg(short = 'm', long = "mail", value_name = "command", default_value = "/usr/bin/mail")]
    mail: String,
    /// Seconds between full rescans (safety net for lost inotify events and NFS)
    #[arg(long = "rescan-interval", value_name = "SECS", default_value = "300", value_parser = positive_seconds)]
    rescan: Duration,
    /// Milliseconds to gather a burst of file events before acting
    #[arg(long = "debounce-ms", value_name = "MS", default_value_t = 200)]
    debounce_ms: u64,
    /// At most this many inotify watches (directories); beyond, the periodic rescan applies
    #[arg(long = "max-watches", value_name = "N", default_value_t = daemon::DEFAULT_MAX_WATCHES)]
    max_watches: usize,
    /// Exit with status 1 when no rule is loaded at start (instead of only warning)
    #[arg(long = "strict")]
    strict: bool,
    /// Config files or directories (made absolute at start)
    #[arg(value_name = "configfile", required = true)]
    configs: Vec<PathBuf>,
}

/// `--rescan-interval`: seconds, more than 0 (a huge value was a panic).
fn positive_seconds(text: &str) -> Result<Duration, String> {
    logrotate::rule::parse_seconds(text)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| "must be a positive number of seconds".to_string())
}

fn main() -> ExitCode {
    // The environment's locale, as 3.21 takes it first thing (before any thread starts).
    logrotate::locale::init();
    let opts = Opts::parse();
    let dc = DaemonConfig {
        configs: opts.configs,
        state: opts.state,
        mail_cmd: opts.mail,
        verbose: opts.verbose,
        rescan: opts.rescan,
        debounce: Duration::from_millis(opts.debounce_ms),
        lock_wait: Duration::from_secs(30),
        max_watches: opts.max_watches,
        strict: opts.strict,
        identity: app::process_identity(),
    };
    ExitCode::from(daemon::run(dc, Box::new(console::StdConsole)) as u8)
}
