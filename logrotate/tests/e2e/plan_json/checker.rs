//! A JSON Schema (draft 2020-12) checker for the subset `docs/plan-json.schema.json` uses:
//! `type`, `required`, `properties`, `additionalProperties: false`, `items`, `enum`, `const`,
//! `pattern` (anchored, literals, `[...]` classes, `{n}`/`{n,m}`), `minimum`, `oneOf` and local
//! `$ref`s. Any other keyword panics, so the checker never passes what it did not check.

use serde_json::Value;

/// Keywords that only document.
const ANNOTATIONS: &[&str] = &["$schema", "$id", "$defs", "title", "description"];

/// Every way `value` breaks `schema` (empty when it is valid), as `PATH: what`.
pub fn errors(root: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(root, root, value, "$", &mut out);
    out
}

fn resolve<'a>(root: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("non-local $ref {reference}"));
    root.pointer(pointer).unwrap_or_else(|| panic!("$ref {reference} points nowhere"))
}

fn type_matches(name: &str, v: &Value) -> bool {
    match name {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        other => panic!("unknown type {other}"),
    }
}

fn check(root: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let schema = schema.as_object().unwrap_or_else(|| panic!("schema at {at} is not an object"));
    for (key, s) in schema {
        match key.as_str() {
            k if ANNOTATIONS.contains(&k) => {}
            "$ref" => check(root, resolve(root, s.as_str().unwrap()), v, at, out),
            "type" => {
                let names: Vec<&str> = match s {
                    Value::String(n) => vec![n],
                    Value::Array(a) => a.iter().map(|n| n.as_str().unwrap()).collect(),
                    _ => panic!("bad type at {at}"),
                };
                if !names.iter().any(|n| type_matches(n, v)) {
                    out.push(format!("{at}: {v} is not of type {names:?}"));
                }
            }
            "required" => {
                for name in s.as_array().unwrap() {
                    let name = name.as_str().unwrap();
                    if v.is_object() && v.get(name).is_none() {
                        out.push(format!("{at}: missing {name}"));
                    }
                }
            }
            "properties" => {
                if let Some(obj) = v.as_object() {
                    for (name, sub) in s.as_object().unwrap() {
                        if let Some(field) = obj.get(name) {
                            check(root, sub, field, &format!("{at}.{name}"), out);
                        }
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(s, &Value::Bool(false), "only additionalProperties: false is supported");
                let known = schema.get("properties").and_then(Value::as_object);
                if let Some(obj) = v.as_object() {
                    for name in obj.keys() {
                        if !known.is_some_and(|k| k.contains_key(name)) {
                            out.push(format!("{at}: unexpected property {name}"));
                        }
                    }
                }
            }
            "items" => {
                if let Some(items) = v.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        check(root, s, item, &format!("{at}[{i}]"), out);
                    }
                }
            }
            "enum" => {
                if !s.as_array().unwrap().contains(v) {
                    out.push(format!("{at}: {v} is not one of {s}"));
                }
            }
            "const" => {
                if s != v {
                    out.push(format!("{at}: {v} is not {s}"));
                }
            }
            "pattern" => {
                if let Some(text) = v.as_str() {
                    if !pattern_matches(s.as_str().unwrap(), text) {
                        out.push(format!("{at}: {text:?} does not match {s}"));
                    }
                }
            }
            "minimum" => {
                if let (Some(n), Some(min)) = (v.as_f64(), s.as_f64()) {
                    if n < min {
                        out.push(format!("{at}: {n} is below {min}"));
                    }
                }
            }
            "oneOf" => {
                let matching =
                    s.as_array().unwrap().iter().filter(|sub| errors_at(root, sub, v, at).is_empty());
                let n = matching.count();
                if n != 1 {
                    let why: Vec<String> =
                        s.as_array().unwrap().iter().flat_map(|sub| errors_at(root, sub, v, at)).collect();
                    out.push(format!("{at}: matches {n} of oneOf, not 1 ({})", why.join("; ")));
                }
            }
            other => panic!("the checker does not support keyword {other} (at {at})"),
        }
    }
}

fn errors_at(root: &Value, schema: &Value, v: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    check(root, schema, v, at, &mut out);
    out
}

/// One element of a pattern: the characters it accepts and how many times.
struct Atom {
    chars: Vec<(char, char)>,
    min: usize,
    max: usize,
}

fn parse_pattern(pattern: &str) -> Vec<Atom> {
    let body = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .unwrap_or_else(|| panic!("pattern {pattern} must be anchored with ^...$"));
    let mut atoms: Vec<Atom> = Vec::new();
    let mut it = body.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '[' => {
                let mut chars = Vec::new();
                loop {
                    let lo = it.next().expect("unclosed [");
                    if lo == ']' {
                        break;
                    }
                    assert!(!matches!(lo, '\\' | '^'), "unsupported class in {pattern}");
                    if it.peek() == Some(&'-') {
                        it.next();
                        chars.push((lo, it.next().expect("range end")));
                    } else {
                        chars.push((lo, lo));
                    }
                }
                atoms.push(Atom { chars, min: 1, max: 1 });
            }
            '{' => {
                let spec: String = it.by_ref().take_while(|&c| c != '}').collect();
                let (lo, hi) = spec.split_once(',').unwrap_or((&spec, &spec));
                let last = atoms.last_mut().expect("quantifier without atom");
                last.min = lo.parse().expect("quantifier");
                last.max = hi.parse().expect("quantifier");
            }
            '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '|' | '^' | '$' => {
                panic!("unsupported regex syntax {c:?} in {pattern}")
            }
            literal => atoms.push(Atom { chars: vec![(literal, literal)], min: 1, max: 1 }),
        }
    }
    atoms
}

fn match_atoms(atoms: &[Atom], text: &[char]) -> bool {
    let Some((first, rest)) = atoms.split_first() else {
        return text.is_empty();
    };
    let accepts = |c: char| first.chars.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
    let run = text.iter().take(first.max).take_while(|&&c| accepts(c)).count();
    (first.min..=run).rev().any(|n| match_atoms(rest, &text[n..]))
}

/// Whether `text` matches the anchored `pattern` (the subset described above).
pub fn pattern_matches(pattern: &str, text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    match_atoms(&parse_pattern(pattern), &chars)
}
