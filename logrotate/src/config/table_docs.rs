//! The references generated from the directive table: `docs/directives.md` and the key table
//! of `docs/toml.md` (from which `pkg/gen-toml-man.py` makes the KEYS of `logrotate-toml(5)`). Tests fail when the files and the table disagree;
//! `UPDATE_DOCS=1 cargo test -p logrotate --lib reference` rewrites them.

use super::directives::Takes;
use super::table::DIRECTIVES;

/// The reference table of `docs/directives.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Directives\n\n\
         Generated from the directive table (`logrotate/src/config/table_rows.rs`); a unit test \
         fails when this file and the table disagree (`UPDATE_DOCS=1 cargo test -p logrotate \
         --lib reference` rewrites it).\n\n\
         TOML keys are the classic keyword with its words joined by `_`; the older spellings in \
         parentheses are still read.\n\n\
         | classic | TOML key | TOML value | default | what it does |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    for d in DIRECTIVES {
        let classic: Vec<String> = d.classic.iter().map(|(k, takes)| keyword(k, *takes)).collect();
        let classic = if classic.is_empty() { "—".to_string() } else { classic.join(", ") };
        let toml = match (d.toml, d.aliases) {
            ("", _) => "—".to_string(),
            (key, []) => format!("`{key}`"),
            (key, aliases) => format!(
                "`{key}` ({})",
                aliases.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            ),
        };
        out.push_str(&format!("| {classic} | {toml} | {} | {} | {} |\n", d.value, d.default, d.doc));
    }
    out
}

fn keyword(k: &str, takes: Takes) -> String {
    match takes {
        Takes::Nothing => format!("`{k}`"),
        Takes::Line | Takes::Value(_) => format!("`{k} …`"),
    }
}

/// The key table of `docs/toml.md` (which `pkg/gen-toml-man.py` turns into the KEYS of
/// `man/logrotate-toml.5`).
pub fn toml_keys() -> String {
    let mut out = String::from(
        "| TOML key | classic equivalent | type | default | what it does |\n\
         | --- | --- | --- | --- | --- |\n\
         | `paths` | the stanza's patterns | array of strings, not empty | required (not allowed in \
         `[defaults]`) | The logs: paths or glob patterns. |\n",
    );
    for d in DIRECTIVES.iter().filter(|d| !d.toml.is_empty()) {
        let classic: Vec<String> = d.classic.iter().map(|(k, takes)| keyword(k, *takes)).collect();
        let classic = if classic.is_empty() { "—".to_string() } else { classic.join(" / ") };
        let mut key = format!("`{}`", d.toml);
        if !d.aliases.is_empty() {
            let aliases: Vec<String> = d.aliases.iter().map(|a| format!("`{a}`")).collect();
            key.push_str(&format!(" (or {})", aliases.join(", ")));
        }
        out.push_str(&format!("| {key} | {classic} | {} | {} | {} |\n", d.value, d.default, d.doc));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares `want` with the part of the repository file `rel` between `start` and `end`
    /// (the whole file when both are empty); with `UPDATE_DOCS` set, writes it first.
    fn check(rel: &str, start: &str, end: &str, want: &str) {
        let path = format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let (head, rest) =
            if start.is_empty() { ("", text.as_str()) } else { text.split_once(start).expect(start) };
        let (have, tail) = if end.is_empty() { (rest, "") } else { rest.split_once(end).expect(end) };
        if have != want && std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, format!("{head}{start}{want}{end}{tail}")).expect("write the reference");
            return;
        }
        assert!(
            have == want,
            "{rel} is out of date: run UPDATE_DOCS=1 cargo test -p logrotate --lib reference"
        );
    }

    #[test]
    fn reference_in_docs_matches_the_table() {
        check("docs/directives.md", "", "", &markdown());
    }

    #[test]
    fn reference_keys_in_the_toml_doc_match_the_table() {
        let start = "<!-- The keys: generated from the directive table. -->\n";
        check("docs/toml.md", start, "<!-- End of the generated keys. -->\n", &toml_keys());
    }
}
