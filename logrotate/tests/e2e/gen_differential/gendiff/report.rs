//! Rendering a difference: the (shrunk) case as a repro, then both sides side by side.

use std::fmt::Write as _;

use crate::differential::tree::Node;

use super::model::Case;
use super::runner::Diff;

const WIDTH: usize = 72;
const MAX_CONTENT: usize = 600;

fn side_by_side(out: &mut String, title: &str, left: &[String], right: &[String]) {
    let _ = writeln!(out, "  -- {title}");
    let _ = writeln!(out, "  {:<WIDTH$} | ours", "oracle (3.21)");
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).map(String::as_str).unwrap_or("");
        let r = right.get(i).map(String::as_str).unwrap_or("");
        let mark = if l == r { ' ' } else { '*' };
        let _ = writeln!(out, "{mark} {l:<WIDTH$} | {r}");
    }
}

fn describe(node: Option<&Node>) -> Vec<String> {
    let Some(node) = node else {
        return vec!["<absent>".into()];
    };
    let head = match node.kind {
        'f' => format!("file {:04o}{}", node.mode, if node.gzip { " gzip" } else { "" }),
        'l' => format!("symlink -> {}", String::from_utf8_lossy(&node.content)),
        kind => format!("{kind} {:04o}", node.mode),
    };
    let mut lines = vec![head];
    if node.kind == 'f' {
        let text = String::from_utf8_lossy(&node.content);
        let text = if text.len() > MAX_CONTENT {
            let cut = (0..=MAX_CONTENT).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            format!("{}...<<{} bytes>>", &text[..cut], text.len())
        } else {
            text.into_owned()
        };
        lines.extend(text.lines().map(|l| format!("  {l}")));
    }
    lines
}

/// The names of what differs, e.g. `exit code, tree, output`.
pub fn aspects(diff: &Diff) -> String {
    let mut parts = Vec::new();
    if diff.exit_differs() {
        parts.push("exit code");
    }
    if !diff.tree_diffs().is_empty() {
        parts.push("files");
    }
    if diff.state_differs() {
        parts.push("state");
    }
    if diff.output_differs() {
        parts.push("output");
    }
    parts.join(", ")
}

/// A full report: the repro and both sides of the run that differs.
pub fn render(case: &Case, diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", case.render());
    let before: Vec<&str> =
        diff.before.keys().filter(|k| k.starts_with("logs")).map(String::as_str).collect();
    let _ = writeln!(out, "  -- before run {}: {}", diff.run + 1, before.join(" "));
    let _ = writeln!(out, "  run {} differs in: {}", diff.run + 1, aspects(diff));
    let code = |c: Option<i32>| c.map(|c| c.to_string()).unwrap_or_else(|| "killed".into());
    side_by_side(&mut out, "exit code", &[code(diff.oracle.code)], &[code(diff.ours.code)]);
    side_by_side(&mut out, "stdout", &diff.oracle.stdout, &diff.ours.stdout);
    side_by_side(&mut out, "stderr", &diff.oracle.stderr, &diff.ours.stderr);
    let tree = diff.tree_diffs();
    if !tree.is_empty() {
        for (path, o, u) in tree {
            side_by_side(&mut out, &format!("@R@/{path}"), &describe(o.as_ref()), &describe(u.as_ref()));
        }
        let same: Vec<String> = diff
            .oracle
            .after
            .iter()
            .filter(|(k, v)| diff.ours.after.get(*k) == Some(*v) && k.starts_with("logs"))
            .map(|(k, _)| k.clone())
            .collect();
        let _ = writeln!(out, "  -- same on both sides: {}", same.join(" "));
    }
    for (name, lines) in &diff.oracle.states {
        let ours = diff.ours.states.get(name).cloned().unwrap_or_default();
        if *lines != ours {
            side_by_side(&mut out, &format!("@R@/{name} (normalised)"), lines, &ours);
        }
    }
    out
}
