//! Running stanza scripts and the mail command — the seams the executor calls out through.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `script` as logrotate does: `/bin/sh -c SCRIPT logrotate_script ARG...`.
/// Returns whether it exited with status 0.
pub fn run_script(script: &str, args: &[&str]) -> bool {
    run_script_watched(script, args, &mut |_| {})
}

/// [`run_script`], telling `on_spawn` the child's pid once it runs.
pub fn run_script_watched(script: &str, args: &[&str], on_spawn: &mut dyn FnMut(u32)) -> bool {
    let child = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg("logrotate_script")
        .args(args)
        .stdin(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    on_spawn(child.id());
    child.wait().is_ok_and(|s| s.success())
}

/// Sends `body` with `MAILCMD -s SUBJECT ADDRESS`. Returns whether the command exited with
/// status 0.
///
/// # Errors
///
/// The command could not be run.
pub fn send_mail(mail_cmd: &str, subject: &str, address: &str, body: &[u8]) -> std::io::Result<bool> {
    send_mail_watched(mail_cmd, subject, address, body, &mut |_| {})
}

/// [`send_mail`], telling `on_spawn` the child's pid once it runs.
///
/// # Errors
///
/// The command could not be run.
pub fn send_mail_watched(
    mail_cmd: &str,
    subject: &str,
    address: &str,
    body: &[u8],
    on_spawn: &mut dyn FnMut(u32),
) -> std::io::Result<bool> {
    let mut child =
        Command::new(mail_cmd).arg("-s").arg(subject).arg(address).stdin(Stdio::piped()).spawn()?;
    on_spawn(child.id());
    if let Some(mut stdin) = child.stdin.take() {
        // A mailer that exits early closes the pipe; its status tells the story.
        let _ = stdin.write_all(body);
    }
    Ok(child.wait()?.success())
}
