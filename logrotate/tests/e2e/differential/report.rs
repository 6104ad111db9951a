//! Comparison of the two sides of a run and readable rendering of the differences.

use std::fmt::Write as _;

use super::harness::Side;
use super::tree::{Node, Snapshot};

const MAX_SHOWN: usize = 1500;
/// Files written by the scenario's scripts and mailer, shown in full in reports.
const RECORDS: &[&str] = &["scripts.out", "mail.out"];

fn describe(node: &Node) -> String {
    match node.kind {
        'f' => format!(
            "f {:04o} {} bytes{}",
            node.mode,
            node.content.len(),
            if node.gzip { " (gzip, decompressed)" } else { "" }
        ),
        'l' => format!("l -> {}", String::from_utf8_lossy(&node.content)),
        kind => format!("{kind} {:04o}", node.mode),
    }
}

/// One line per entry: `path  kind mode size`.
pub fn listing(snap: &Snapshot) -> String {
    let mut out = String::new();
    for (path, node) in snap {
        let _ = writeln!(out, "    {path:<40} {}", describe(node));
    }
    out
}

fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() > MAX_SHOWN {
        let cut = (0..=MAX_SHOWN).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        format!("{}... <<{} bytes in all>>", &text[..cut], bytes.len())
    } else {
        text.into_owned()
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("      | {l}\n")).collect()
}

/// Everything one side did in a run: exit code, output, tree and state.
pub fn render_side(label: &str, side: &Side) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {label}: exit code {:?}", side.run.code);
    let _ = writeln!(out, "  output:\n{}", indent(&shown(side.run.output.as_bytes())));
    let _ = writeln!(out, "  tree after the run:\n{}", listing(&side.after));
    for name in RECORDS {
        if let Some(node) = side.after.get(*name) {
            let _ = writeln!(out, "  {name}:\n{}", indent(&shown(&node.content)));
        }
    }
    let _ = writeln!(out, "  state:\n{}", indent(&side.state.join("\n")));
    out
}

/// `None` when both sides agree; otherwise a report of every difference.
pub fn compare(oracle: &Side, ours: &Side) -> Option<String> {
    let mut problems = String::new();
    if oracle.run.code != ours.run.code {
        let _ = writeln!(problems, "* exit code: oracle {:?}, ours {:?}", oracle.run.code, ours.run.code);
    }
    let keys: std::collections::BTreeSet<&String> = oracle.after.keys().chain(ours.after.keys()).collect();
    for key in keys {
        match (oracle.after.get(key), ours.after.get(key)) {
            (Some(o), None) => {
                let _ = writeln!(problems, "* {key}: only in the oracle's tree ({})", describe(o));
            }
            (None, Some(u)) => {
                let _ = writeln!(problems, "* {key}: only in our tree ({})", describe(u));
            }
            (Some(o), Some(u)) if o != u => {
                let _ = writeln!(
                    problems,
                    "* {key}: differs\n    oracle: {}\n    ours:   {}",
                    describe(o),
                    describe(u)
                );
                if o.content != u.content && o.kind == 'f' {
                    let _ = writeln!(
                        problems,
                        "    oracle content:\n{}    our content:\n{}",
                        indent(&shown(&o.content)),
                        indent(&shown(&u.content))
                    );
                }
            }
            _ => {}
        }
    }
    if oracle.state != ours.state {
        let _ = writeln!(
            problems,
            "* state file (normalised) differs\n    oracle:\n{}    ours:\n{}",
            indent(&oracle.state.join("\n")),
            indent(&ours.state.join("\n"))
        );
    }
    if problems.is_empty() {
        return None;
    }
    let mut out = String::new();
    let _ = writeln!(out, "{problems}");
    let _ = writeln!(out, "  the oracle's tree before the run:");
    out.push_str(&listing(&oracle.before));
    out.push_str(&render_side("oracle", oracle));
    out.push_str(&render_side("ours", ours));
    Some(out)
}
