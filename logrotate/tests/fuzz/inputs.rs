//! The fuzz inputs: a seeded generator, the tokens of each syntax, the corpus, and the ways
//! inputs are made (random bytes, token soups, well-formed random directives, corpus mutations).

use std::path::{Path, PathBuf};

/// A small seeded generator (SplitMix64): the same seed and case give the same input anywhere.
struct Rng(u64);

impl Rng {
    fn for_case(seed: u64, target: Target, case: u64) -> Rng {
        let mut r = Rng(seed ^ (target as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.0 ^= r.next().wrapping_add(case.wrapping_mul(0xbf58_476d_1ce4_e5b9));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn token(&mut self, tokens: &[&'static [u8]]) -> &'static [u8] {
        tokens[self.below(tokens.len())]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Classic = 1,
    Toml = 2,
    State = 3,
}

impl Target {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Target::Classic => "classic",
            Target::Toml => "toml",
            Target::State => "state",
        }
    }

    pub(crate) fn from_name(name: &str) -> Target {
        match name {
            "classic" => Target::Classic,
            "toml" => Target::Toml,
            "state" => Target::State,
            _ => panic!("unknown fuzz target {name}"),
        }
    }

    /// A unit of which an input may hold thousands, `#` standing for its number.
    fn repeated_unit(self) -> &'static [u8] {
        match self {
            Target::Classic => b"/var/log/#.log {\n rotate 1\n}\n",
            Target::Toml => b"[t#]\npaths = [\"/var/log/#.log\"]\nrotate = 1\n",
            Target::State => b"\"/var/log/#.log\" 2026-1-1-0:0:0\n",
        }
    }

    fn tokens(self) -> &'static [&'static [u8]] {
        match self {
            Target::Classic => CLASSIC_TOKENS,
            Target::Toml => TOML_TOKENS,
            Target::State => STATE_TOKENS,
        }
    }
}

/// Bytes that broke or could break a hand-written parser.
const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\n",
    b"\r",
    b"\r\n",
    b"\t",
    b" ",
    b"\x0b",
    b"\x0c",
    b"\xc2\xa0",
    b"\xe2\x80\xa8",
    b"\xe3\x80\x80",
    b"\xff",
    b"\xc2",
    b"{",
    b"}",
    b"\"",
    b"'",
    b"\\",
    b"#",
    b"=",
    b"[",
    b"]",
    b",",
    b"-",
    b":",
    b"100000000",
    b"4294967296",
    b"-2147483649",
    b"99999999999999999999999999",
    b"-1",
    b"0",
];

/// `@TMP@` is replaced by the child's scratch directory, which holds `inc/` (a config),
/// `fifo`, `nest/0` (the first of a 40-deep include chain) and `loop/` (files that include
/// their own directory).
const CLASSIC_TOKENS: &[&[u8]] = &[
    b"compress",
    b"nocompress",
    b"delaycompress",
    b"copytruncate",
    b"copy",
    b"renamecopy",
    b"create",
    b"createolddir",
    b"daily",
    b"weekly",
    b"monthly",
    b"yearly",
    b"hourly",
    b"rotate",
    b"rotate 100000000",
    b"start",
    b"size",
    b"minsize",
    b"maxsize",
    b"maxage",
    b"minage",
    b"dateext",
    b"dateformat",
    b"-%Y%m%d%H%M%S",
    b"%s",
    b"%",
    b"olddir",
    b"su",
    b"root",
    b"adm",
    b"0640",
    b"mail",
    b"missingok",
    b"notifempty",
    b"ifempty",
    b"sharedscripts",
    b"shred",
    b"shredcycles",
    b"extension",
    b"addextension",
    b"compresscmd",
    b"compressoptions",
    b"compressext",
    b"tabooext",
    b"taboopat",
    b"+",
    b"locktimeout",
    b"1e308",
    b"NaN",
    b"inf",
    b"1M",
    b"10k",
    b"5G",
    b"18446744073709551616",
    b"prerotate",
    b"postrotate",
    b"firstaction",
    b"lastaction",
    b"preremove",
    b"endscript",
    b"include",
    b"include @TMP@/inc",
    b"include @TMP@/fifo",
    b"include @TMP@/nest/0",
    b"include @TMP@/loop",
    b"include /dev/zero",
    b"include @TMP@/case.conf",
    b"include ~/x",
    b"/var/log/*.log",
    b"/var/log/a.log",
    b"\"/var/log/my app.log\"",
    b"~/x.log",
    b"*",
    b"?",
    b"[a-",
];

const TOML_TOKENS: &[&[u8]] = &[
    b"[app]",
    b"[defaults]",
    b"[[app]]",
    b"[a.b]",
    b"paths",
    b"paths = [\"/var/log/a.log\"]",
    b"frequency",
    b"\"daily\"",
    b"\"weekly\"",
    b"rotate",
    b"rotate = 100000000",
    b"rotate = -1",
    b"size",
    b"\"1M\"",
    b"compress",
    b"true",
    b"false",
    b"create",
    b"{ mode = \"0640\" }",
    b"mode",
    b"owner",
    b"group",
    b"\"root\"",
    b"postrotate",
    b"'''",
    b"\"\"\"",
    b"=",
    b".",
    b"1e308",
    b"nan",
    b"-inf",
    b"9223372036854775807",
    b"9223372036854775808",
    b"1979-05-27T07:32:00Z",
    b"0x7f",
    b"0o777",
    b"dateformat",
    b"\"-%Y%m%d\"",
    b"olddir",
    b"su",
    b"mail",
    b"maxage",
    b"minsize",
    b"locktimeout",
    b"delay_compress",
    b"missingok",
    b"tabooext",
    b"\\u0000",
    b"\\uD800",
    b"\\U0010FFFF",
];

const STATE_TOKENS: &[&[u8]] = &[
    b"logrotate state -- version 2\n",
    b"logrotate state -- version 1\n",
    b"\"/var/log/a\"",
    b"/var/log/b",
    b"'/var/log/c d'",
    b"2026-1-5-6:25:1",
    b"2026-11-23",
    b"1900-1-1",
    b"2100-12-31-23:59:59",
    b"1970-1-0",
    b"2026-2-31",
    b"-0",
    b"+5",
    b"2147483647",
    b"2147483648",
    b"-2147483648",
    b"4294967297",
    b"\\n",
    b"\\\\",
    b"\\\"",
];

pub(crate) fn corpus(target: Target) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus").join(target.name());
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let inputs: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(!inputs.is_empty(), "empty corpus {}", dir.display());
    inputs
}

/// The input of one case.
pub(crate) fn generate(target: Target, seed: u64, case: u64, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut rng = Rng::for_case(seed, target, case);
    // The corpus itself comes first, unchanged.
    if let Some(seed_input) = corpus.get(case as usize) {
        return seed_input.clone();
    }
    let mut out = match rng.below(10) {
        0 => random_bytes(&mut rng),
        1 | 2 => token_soup(&mut rng, target),
        // Well-formed lines of random directives, keys or entries: these get past the syntax
        // into the checks of values, which random bytes seldom reach.
        3 | 4 => {
            let mut out = well_formed(&mut rng, target);
            if rng.one_in(2) {
                mutate(&mut rng, target, &mut out, corpus);
            }
            return out;
        }
        _ => rng.pick(corpus).clone(),
    };
    // Few mutations most of the time, so that most inputs still mostly parse.
    let mutations = if rng.one_in(3) { 1 + rng.below(8) } else { 1 };
    for _ in 0..mutations {
        mutate(&mut rng, target, &mut out, corpus);
    }
    out
}

/// Values that directives and keys take, good and bad.
const VALUES: &[&str] = &[
    "0",
    "1",
    "7",
    "-1",
    "-2",
    "100000000",
    "4294967296",
    "18446744073709551616",
    "0640",
    "0o640",
    "07777",
    "17777",
    "root",
    "adm",
    "nobody",
    "0",
    "no_such_user",
    "1k",
    "10M",
    "5G",
    "1T",
    "1.5",
    "1e308",
    "NaN",
    "inf",
    "-%Y%m%d",
    "-%Y-%m-%d-%H-%M-%S",
    "%s",
    "%",
    "-%Q",
    ".gz",
    "/var/log/old",
    "old",
    "",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "hourly",
    "first",
    "last",
    "true",
    "false",
    "/usr/bin/xz",
    "-9",
];

/// The classic directives: every keyword of the directive table (those that take no value,
/// one value or several), so a new row is fuzzed without touching this file.
fn directives() -> &'static [&'static str] {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        logrotate::config::table::DIRECTIVES.iter().flat_map(|d| d.classic.iter().map(|(k, _)| *k)).collect()
    })
}

/// The TOML keys: every key of the directive table and each older spelling it still reads,
/// plus `paths` and a few keys it does not know (misspellings get a "did you mean").
fn toml_keys() -> &'static [&'static str] {
    static KEYS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = vec!["paths", "pattern", "copytrunate", "rotat", "user"];
        for d in logrotate::config::table::DIRECTIVES {
            if !d.toml.is_empty() {
                keys.push(d.toml);
            }
            keys.extend(d.aliases);
        }
        keys
    })
}

fn well_formed(rng: &mut Rng, target: Target) -> Vec<u8> {
    let mut out = String::new();
    match target {
        Target::Classic => {
            for _ in 0..1 + rng.below(3) {
                for _ in 0..rng.below(3) {
                    out.push_str(&format!("{} {}\n", rng.pick(directives()), rng.pick(VALUES)));
                }
                out.push_str(&format!("/var/log/{}.log {{\n", rng.below(4)));
                for _ in 0..rng.below(10) {
                    let values: Vec<&str> = (0..rng.below(4)).map(|_| *rng.pick(VALUES)).collect();
                    out.push_str(&format!("  {} {}\n", rng.pick(directives()), values.join(" ")));
                }
                if rng.one_in(3) {
                    out.push_str(&format!(
                        "  {}\n    echo $1\n  endscript\n",
                        rng.pick(&["prerotate", "postrotate"])
                    ));
                }
                out.push_str("}\n");
            }
        }
        Target::Toml => {
            for table in 0..1 + rng.below(3) {
                let name =
                    if table == 0 && rng.one_in(4) { "defaults".to_string() } else { format!("t{table}") };
                out.push_str(&format!("[{name}]\n"));
                if rng.below(5) != 0 {
                    out.push_str(&format!("paths = [\"/var/log/{table}.log\"]\n"));
                }
                let mut used = Vec::new();
                for _ in 0..rng.below(8) {
                    let key = *rng.pick(toml_keys());
                    if key == "paths" || used.contains(&key) {
                        continue;
                    }
                    used.push(key);
                    out.push_str(&format!("{key} = {}\n", toml_value(rng, 0)));
                }
            }
        }
        Target::State => {
            out.push_str("logrotate state -- version 2\n");
            for _ in 0..rng.below(10) {
                let fields: Vec<String> = [2200, 14, 33, 25, 61, 61]
                    .iter()
                    .take(1 + rng.below(6))
                    .map(|&max| (i64::try_from(rng.below(max + 2)).expect("small") - 1).to_string())
                    .collect();
                let date = match fields.len() {
                    n if n > 3 => format!("{}-{}", fields[..3].join("-"), fields[3..].join(":")),
                    _ => fields.join("-"),
                };
                out.push_str(&format!("\"/var/log/{}\" {date}\n", rng.below(5)));
            }
        }
    }
    out.into_bytes()
}

/// A TOML value of any type, mostly of the right kind for some key.
fn toml_value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(if depth > 1 { 5 } else { 7 }) {
        0 => rng.pick(VALUES).parse::<i64>().map_or_else(|_| "3".to_string(), |n| n.to_string()),
        1 => rng.pick(&["true", "false"]).to_string(),
        2 | 3 => format!("{:?}", rng.pick(VALUES)),
        4 => rng
            .pick(&["1.5", "-0.0", "1e308", "nan", "inf", "9223372036854775807", "-1", "1979-05-27"])
            .to_string(),
        5 => {
            let items: Vec<String> = (0..rng.below(3)).map(|_| toml_value(rng, depth + 1)).collect();
            format!("[{}]", items.join(", "))
        }
        _ => {
            let items: Vec<String> = (0..rng.below(4))
                .map(|i| {
                    format!(
                        "{} = {}",
                        rng.pick(&["mode", "owner", "group", "user", "x"][..]).to_string() + &"_".repeat(i),
                        toml_value(rng, depth + 1)
                    )
                })
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    let len = rng.below(512);
    (0..len).map(|_| rng.next() as u8).collect()
}

fn token_soup(rng: &mut Rng, target: Target) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(120) {
        match rng.below(4) {
            0 => out.extend_from_slice(rng.token(INTERESTING)),
            1 => out.push(if rng.one_in(2) { b'\n' } else { b' ' }),
            _ => out.extend_from_slice(rng.token(target.tokens())),
        }
    }
    out
}

fn mutate(rng: &mut Rng, target: Target, data: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let at = |rng: &mut Rng, data: &Vec<u8>| rng.below(data.len() + 1);
    match rng.below(12) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        1 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] = rng.next() as u8;
        }
        2 | 3 => {
            let i = at(rng, data);
            let token = rng.token(INTERESTING);
            data.splice(i..i, token.iter().copied());
        }
        4 | 5 => {
            let i = at(rng, data);
            let token = rng.token(target.tokens());
            data.splice(i..i, token.iter().copied());
        }
        6 if !data.is_empty() => {
            let i = rng.below(data.len());
            let end = (i + 1 + rng.below(64)).min(data.len());
            data.drain(i..end);
        }
        7 if !data.is_empty() => {
            let i = rng.below(data.len());
            let end = (i + 1 + rng.below(256)).min(data.len());
            let chunk = data[i..end].to_vec();
            let j = at(rng, data);
            data.splice(j..j, chunk);
        }
        8 => {
            let other = rng.pick(corpus);
            if !other.is_empty() {
                let i = rng.below(other.len());
                let end = (i + 1 + rng.below(512)).min(other.len());
                let j = at(rng, data);
                data.splice(j..j, other[i..end].iter().copied());
            }
        }
        // Rare: thousands of stanzas, tables or entries.
        9 if rng.one_in(40) => {
            let unit = target.repeated_unit();
            let mut many = Vec::new();
            for n in 0..1 + rng.below(2000) {
                for &b in unit {
                    match b {
                        b'#' => many.extend_from_slice(n.to_string().as_bytes()),
                        _ => many.push(b),
                    }
                }
            }
            let j = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            data.splice(j..j, many);
        }
        // Rare: a line of 1 MB (of one repeated token), somewhere.
        10 if rng.one_in(40) => {
            let unit: &[u8] = if rng.one_in(2) { rng.token(INTERESTING) } else { rng.token(target.tokens()) };
            let mut line = Vec::with_capacity((1 << 20) + unit.len());
            while line.len() < 1 << 20 {
                line.extend_from_slice(unit);
            }
            let j = at(rng, data);
            data.splice(j..j, line);
        }
        _ => {
            // A whole line of tokens at a line start.
            let i = data
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1)
                .nth(rng.below(8))
                .unwrap_or(0);
            let mut line = Vec::new();
            for _ in 0..1 + rng.below(4) {
                line.extend_from_slice(rng.token(target.tokens()));
                line.push(b' ');
            }
            line.push(b'\n');
            data.splice(i..i, line);
        }
    }
}
