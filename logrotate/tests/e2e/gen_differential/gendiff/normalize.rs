//! Normalisation before comparing: what README "Compatibility" lists as deliberate is mapped to
//! one spelling on both sides, and times are reduced to what both tools must agree on.

/// `FILE:LINE: message` (ours, deliberate) → `FILE:LINE message` (3.21).
fn drop_colon_after_line_number(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            let digits = bytes[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            let j = i + 1 + digits;
            if digits > 0 && bytes.get(j) == Some(&b':') && bytes.get(j + 1) == Some(&b' ') {
                out.push_str(&line[i..j]);
                i = j + 1;
                continue;
            }
        }
        let ch = line[i..].chars().next().expect("char boundary");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// One output line, normalised.
pub fn output_line(line: &str) -> String {
    let mut line = drop_colon_after_line_number(line.trim_end());
    // `switching euid ... (pid N)`: two processes, two pids.
    if let Some(at) = line.find(" (pid ").filter(|_| line.ends_with(')')) {
        line = format!("{} (pid N)", &line[..at]);
    }
    // An unknown keyword: ours is a `warning:`, 3.21's an `error:` (deliberate).
    if line.contains("unknown option '") && line.ends_with("-- ignoring line") {
        let rest = line.strip_prefix("error: ").or_else(|| line.strip_prefix("warning: ")).unwrap_or(&line);
        return format!("<error|warning>: {rest}");
    }
    line
}

/// Output text (root already replaced by `@R@`) → normalised non-empty lines.
pub fn output_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().filter(|l| !l.trim().is_empty()).map(output_line).collect();
    // `Removing PATH from state file, ...` comes in the order of 3.21's hash table of the full
    // paths, which differ between the two trees (their roots differ): a run of them is sorted.
    let is_removing = |l: &String| l.starts_with("Removing ") && l.contains(" from state file, because ");
    let mut i = 0;
    while i < lines.len() {
        let run = lines[i..].iter().take_while(|l| is_removing(l)).count();
        lines[i..i + run].sort();
        i += run.max(1);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colon_after_line_number_is_dropped() {
        assert_eq!(output_line("error: @R@/a.conf:7: bad x"), "error: @R@/a.conf:7 bad x");
        assert_eq!(output_line("error: @R@/a.conf:7 bad x"), "error: @R@/a.conf:7 bad x");
        assert_eq!(output_line("at 12:30: ok"), "at 12:30 ok");
    }

    #[test]
    fn removing_lines_are_compared_as_a_set() {
        let a = output_lines(
            "x\nRemoving /b from state file, because y\nRemoving /a from state file, because y\nz\n",
        );
        let b = output_lines(
            "x\nRemoving /a from state file, because y\nRemoving /b from state file, because y\nz\n",
        );
        assert_eq!(a, b);
        assert_eq!(a[0], "x");
        assert_eq!(a[3], "z");
    }

    #[test]
    fn unknown_option_severity_is_ignored() {
        let ours = output_line("warning: @R@/c:2: unknown option 'foo' -- ignoring line");
        let theirs = output_line("error: @R@/c:2 unknown option 'foo' -- ignoring line");
        assert_eq!(ours, theirs);
    }
}
