//! The scenario generator: random configs over the whole grammar of logrotate(8) 3.21 (valid,
//! borderline and invalid values, odd spelling and layout), files and archives on disk, a state
//! file or none, and one to three runs with varied command lines.

use chrono::{Duration, Local};

use super::model::{Case, ConfFile, Item, Run, Setup, State};
use crate::common::rng::Rng;

/// Fake compressor: records its arguments and environment, writes a marker line then the data.
const FAKE_GZ: &str = "#!/bin/sh\n\
echo \"fakegz args=[$*] env=[$LOGROTATE_COMPRESSED_FILENAME]\" >> \"@R@/compress.out\"\n\
printf 'FAKE %s\\n' \"$*\"\ncat\n";
/// Fake decompressor (for mail of a compressed archive): drops the marker line.
const FAKE_UNGZ: &str = "#!/bin/sh\necho \"fakeungz args=[$*]\" >> \"@R@/compress.out\"\nsed 1d\n";
/// Second mail command, for repeated `-m` (the last one given must win).
const MAIL2: &str = "#!/bin/sh\n{ echo \"mail2 args: $*\"; cat; echo \"-- end --\"; } >> \"@R@/mail.out\"\n";

/// `.h.log`, `.log`: a leading dot is matched only literally by glob(3) (not by `*.log`, not
/// even with `*` matching nothing). `B.LOG`: glob(3) matches case-sensitively.
const LOGS: &[&str] = &["app.log", "b.log", "sub/c.log", ".h.log", "B.LOG", ".log"];

const PATTERNS: &[&str] = &[
    "@D@/app.log",
    "@D@/app.log",
    "@D@/app.log",
    "@D@/b.log",
    "@D@/*.log",
    "\"@D@/app.log\"",
    "@D@/sub/c.log",
    "@D@/sub/*.log",
    "@D@/missing.log",
    "@D@/app.log @D@/b.log",
    "@D@/app.log\t@D@/sub/c.log",
    "~/app.log",
    "@D@/*.log @D@/app.log",
    "@D@/app.*",
    "@D@/.h.log",
    "@D@/.*.log",
    "@D@/*.LOG",
    "@D@/[aB]*",
    "@D@/?log",
];

const FLAGS: &[&str] = &[
    "compress",
    "nocompress",
    "delaycompress",
    "nodelaycompress",
    "copy",
    "nocopy",
    "copytruncate",
    "nocopytruncate",
    "renamecopy",
    "norenamecopy",
    "create",
    "nocreate",
    "createolddir",
    "nocreateolddir",
    "dateext",
    "nodateext",
    "dateyesterday",
    "nodateyesterday",
    "datehourago",
    "nodatehourago",
    "ifempty",
    "notifempty",
    "missingok",
    "nomissingok",
    "sharedscripts",
    "nosharedscripts",
    "mailfirst",
    "maillast",
    "nomail",
    "noolddir",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "hourly",
    "shred",
    "noshred",
    "allowhardlink",
    "noallowhardlink",
    "ignoreduplicates",
];

const DATEFORMATS: &[&str] = &[
    "-%Y%m%d",
    "-%Y-%m-%d",
    "-%d-%m-%Y",
    ".%Y%m%d",
    "-%Y%m%d%H",
    "-%Y%m%d-%H%M%S",
    "-%s",
    "_%V",
    "-%y%m%d",
    "-%Y%m%d-%j",
    "%Y",
    "-%Y/%m",
    "-%b",
    "-%Y%m%d%%",
    "-literal",
    "-%Y-%m",
];

const SIZES: &[&str] = &[
    "1",
    "10",
    "100k",
    "1M",
    "5G",
    "+10",
    "abc",
    "10 x",
    "0",
    "10k # note",
    "1k",
    "2000",
    "100K",
    "1m",
    "-5",
    "",
];

const VALID_SIZES: &[&str] = &["1", "10", "100k", "1M", "5G", "1k", "2000", "100K"];
const VALID_ROTATE: &[&str] = &["0", "-1", "1", "2", "3", "5"];
const VALID_START: &[&str] = &["0", "1", "2", "5"];
const VALID_AGES: &[&str] = &["1", "0", "30"];
const VALID_DATEFORMATS: &[&str] =
    &["-%Y%m%d", "-%Y-%m-%d", "-%d-%m-%Y", ".%Y%m%d", "-%Y%m%d%H", "-%s", "_%V"];
const ROTATE: &[&str] =
    &["0", "-1", "1", "2", "3", "5", "x", "1 # keep one", "2 3", "", "-2", "99999999999999999999"];
const START: &[&str] = &["0", "1", "2", "5", "x", "-1", ""];
const AGES: &[&str] = &["1", "0", "30", "x", "200000000000", "2 days", ""];

fn script(rng: &mut Rng, kind: &str) -> String {
    let fail = if rng.chance(20) { "\n        exit 1" } else { "" };
    format!("{kind}\n        echo \"{kind} [$#] $*\" >> \"@R@/scripts.out\"{fail}\n    endscript")
}

/// Values: `valid` picks only values 3.21 accepts.
struct Values {
    sizes: &'static [&'static str],
    rotate: &'static [&'static str],
    start: &'static [&'static str],
    ages: &'static [&'static str],
    dateformats: &'static [&'static str],
}

fn values(valid: bool) -> Values {
    if valid {
        Values {
            sizes: VALID_SIZES,
            rotate: VALID_ROTATE,
            start: VALID_START,
            ages: VALID_AGES,
            dateformats: VALID_DATEFORMATS,
        }
    } else {
        Values { sizes: SIZES, rotate: ROTATE, start: START, ages: AGES, dateformats: DATEFORMATS }
    }
}

fn valued(rng: &mut Rng, valid: bool) -> String {
    let v = values(valid);
    // Directives whose values here are all valid ones come first (0..=20 in valid mode).
    let line = match rng.below(if valid { 21 } else { 28 }) {
        0..=2 => format!("rotate {}", rng.pick(v.rotate)),
        3 => format!("start {}", rng.pick(v.start)),
        4 => format!("size {}", rng.pick(v.sizes)),
        5 => format!("minsize {}", rng.pick(v.sizes)),
        6 => format!("maxsize {}", rng.pick(v.sizes)),
        7 => format!("maxage {}", rng.pick(v.ages)),
        8 => format!("minage {}", rng.pick(v.ages)),
        9 | 10 => format!("dateformat {}", rng.pick(v.dateformats)),
        11 => format!("extension {}", rng.pick(&[".log", "log", ".txt"])),
        12 => format!("addextension {}", rng.pick(&[".log", ".txt"])),
        13 => format!("compressext {}", rng.pick(&[".gz", ".fz", "gz", ".bz2"])),
        14 | 15 => format!(
            "compresscmd {}",
            rng.pick(&[
                "@R@/bin/fakegz",
                "@R@/bin/fakegz",
                "/usr/bin/gzip",
                "gzip",
                "/bin/bzip2",
                "xz",
                "/bin/false",
                "@R@/bin/missing",
            ])
        ),
        16 => format!("uncompresscmd {}", rng.pick(&["@R@/bin/fakeungz", "/usr/bin/gunzip", "gunzip"])),
        17 => format!("compressoptions {}", rng.pick(&["-9", "-1 -n", "--fast"])),
        18 => format!("mail {}", rng.pick(&["a@b", "ops@example.com"])),
        19 | 20 => format!(
            "olddir {}",
            rng.pick(&[
                "old",
                "@D@/old",
                "@D@/missing",
                "old/nested",
                "@D@/old/deeper",
                "~/old",
                "@R@/archive",
            ])
        ),
        21 => rng
            .pick(&[
                "create",
                "create 0600",
                "create 0640 root root",
                "create root adm",
                "create 0644 nobody",
                "create 999",
                "create abc",
                "create 0600 root root extra",
                "create 0660 root nogroup",
            ])
            .to_string(),
        22 => rng
            .pick(&["createolddir", "createolddir 0700", "createolddir 0750 root adm", "createolddir xyz"])
            .to_string(),
        23 => rng.pick(&["su root root", "su root", "su root adm", "su nosuchuser root"]).to_string(),
        24 => format!("shredcycles {}", rng.pick(&["1", "3", "x"])),
        25 => format!("weekly {}", rng.pick(&["0", "1", "6", "7", "8", "x"])),
        26 => format!("tabooext {}", rng.pick(&["+ .bak", ".bak", "+ .1", "+ .log"])),
        _ => format!("taboopat {}", rng.pick(&["+ *.bak", "*.log", "+ app*"])),
    };
    line
}

/// Odd spellings and layouts of a directive line.
fn decorate(rng: &mut Rng, line: String) -> String {
    let mut line = line;
    if rng.chance(5) {
        let mut chars = line.chars();
        if let Some(first) = chars.next() {
            line = first.to_uppercase().collect::<String>() + chars.as_str();
        }
    }
    if rng.chance(3) {
        line = line.to_uppercase();
    }
    if rng.chance(5) {
        line = line.replacen(' ', "\t", 1);
    }
    if rng.chance(3) {
        line = line.replacen(' ', " = ", 1);
    }
    if rng.chance(5) {
        line.push_str(" # note");
    }
    if rng.chance(4) {
        line.push_str(" extra");
    }
    if rng.chance(3) {
        line = format!("  {line}  ");
    }
    line
}

fn directive(rng: &mut Rng, valid: bool) -> String {
    let line = match rng.below(10) {
        0..=3 => rng.pick(FLAGS).to_string(),
        4 if !valid => format!("{} {}", rng.pick(FLAGS), rng.pick(FLAGS)),
        _ => valued(rng, valid),
    };
    if valid {
        line
    } else {
        decorate(rng, line)
    }
}

/// Lines 3.21 rejects or ignores. `locktimeout`, our new directive (README "Compatibility"),
/// is not among them: 3.21 calls it an unknown option, deliberately.
fn garbage(rng: &mut Rng) -> String {
    rng.pick(&[
        "a::x",
        "rot@te 2",
        "}",
        "123",
        "nosuchoption",
        "nosuchoption with value",
        "-compress",
        "# a comment",
        "",
        "rotate=2",
        "{",
        "compress;",
    ])
    .to_string()
}

fn stanza(rng: &mut Rng, valid: bool) -> Item {
    let mut head = rng.pick(PATTERNS).to_string();
    if !valid && rng.chance(5) {
        head = format!("{head} # comment");
    }
    let mut body = Vec::new();
    for _ in 0..rng.below(7) {
        body.push(directive(rng, valid));
    }
    if rng.chance(40) {
        body.insert(0, format!("rotate {}", rng.pick(&["1", "2", "3", "0"])));
    }
    for _ in 0..rng.below(4) {
        let kind = rng.pick(&["prerotate", "postrotate", "firstaction", "lastaction", "preremove"]);
        body.push(script(rng, kind));
    }
    if !valid && rng.chance(8) {
        let at = rng.below(body.len() + 1);
        body.insert(at, garbage(rng));
    }
    Item::Stanza { head, brace_on_next_line: !valid && rng.chance(8), body }
}

fn archives(rng: &mut Rng, log: &str, setup: &mut Vec<Setup>) {
    let today = Local::now();
    let days = |n: i64| today - Duration::days(n);
    let (dir, base) = match log.rsplit_once('/') {
        Some((dir, base)) => (format!("logs/{dir}/"), base.to_string()),
        None => ("logs/".to_string(), log.to_string()),
    };
    for _ in 0..rng.below(4) {
        let name = match rng.below(12) {
            0 => format!("{base}.1"),
            1 => format!("{base}.2"),
            2 => format!("{base}.1.gz"),
            3 => format!("{base}.3.gz"),
            4 => format!("{base}-{}", today.format("%Y%m%d")),
            5 => format!("{base}-{}.gz", today.format("%Y%m%d")),
            6 => format!("{base}-{}", days(1).format("%Y%m%d")),
            7 => format!("{base}-{}.gz", days(rng.range(2, 40)).format("%Y%m%d")),
            8 => format!("{base}-{}", days(rng.range(1, 40)).format("%d-%m-%Y")),
            9 => format!("{base}.0"),
            10 => format!("old/{base}.1"),
            _ => format!("{base}.1.fz"),
        };
        let rel = format!("{dir}{name}");
        if setup
            .iter()
            .any(|s| matches!(s, Setup::File { rel: r, .. } | Setup::Gz { rel: r, .. } if *r == rel))
        {
            continue;
        }
        let contents = format!("archive {name}\n");
        let days = Some(rng.range(1, 40));
        if name.ends_with(".gz") {
            setup.push(Setup::Gz { rel, contents, days });
        } else {
            setup.push(Setup::File { rel, contents, mode: 0o644, days });
        }
    }
}

fn command_line(rng: &mut Rng, has_conf_d: bool, valid: bool) -> Vec<String> {
    if valid {
        // Plain runs: no -v/-d/-l, no repeated options (their known differences would hide
        // what happens to the files).
        let force = if rng.chance(70) { vec!["-f".to_string()] } else { vec![] };
        let tail = ["-s", "@R@/state", "-m", "@R@/mail.sh", "@R@/logrotate.conf"];
        return force.into_iter().chain(tail.iter().map(|s| s.to_string())).collect();
    }
    let mut args: Vec<String> = Vec::new();
    let flag_sets: &[&[&str]] = &[
        &["-f"],
        &["-f"],
        &["-f"],
        &[],
        &[],
        &["-v"],
        &["-f", "-v"],
        &["-fv"],
        &["-d"],
        &["-d", "-f"],
        &["--force"],
        &["-v", "-v", "-f"],
        &["--verbose"],
        &["-f", "-f"],
    ];
    args.extend(rng.pick(flag_sets).iter().map(|s| s.to_string()));
    if rng.chance(15) {
        args.extend(["-l".to_string(), "@R@/run.log".to_string()]);
    }
    match rng.below(10) {
        0 => args.extend(["-s".into(), "@R@/state2".into(), "-s".into(), "@R@/state".into()]),
        1 => args.push("--state=@R@/state".into()),
        2 => args.extend(["--state".into(), "@R@/state2".into()]),
        _ => args.extend(["-s".into(), "@R@/state".into()]),
    }
    if rng.chance(10) {
        args.extend(["-m".into(), "@R@/mail2.sh".into(), "-m".into(), "@R@/mail.sh".into()]);
    } else if rng.chance(10) {
        args.push("--mail=@R@/mail2.sh".into());
    } else {
        args.extend(["-m".into(), "@R@/mail.sh".into()]);
    }
    args.push("@R@/logrotate.conf".into());
    if has_conf_d && rng.chance(20) {
        args.push("@R@/conf.d".into());
    }
    if rng.chance(5) {
        args.push("-v".into());
    }
    args
}

/// Generate the case for `seed`. Half the cases are "valid": only values 3.21 accepts, plain
/// layout, no -v/-d/-l and no repeated options, so that differences in what happens to the
/// files are not hidden behind known message differences.
pub fn generate(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let valid = rng.chance(50);
    let mut main = Vec::new();
    for _ in 0..rng.below(4) {
        main.push(Item::Line(if !valid && rng.chance(10) {
            garbage(&mut rng)
        } else {
            directive(&mut rng, valid)
        }));
    }
    let mut confs = Vec::new();
    let mut has_conf_d = false;
    match rng.below(10) {
        0 | 1 => {
            has_conf_d = true;
            main.push(Item::Line(rng.pick(&["include @R@/conf.d", "include @R@/conf.d/"]).to_string()));
            let mut one = vec![stanza(&mut rng, valid)];
            if rng.chance(30) {
                one.insert(0, Item::Line(directive(&mut rng, valid)));
            }
            confs.push(ConfFile { rel: "conf.d/one".into(), items: one });
            if rng.chance(50) {
                let name = rng.pick(&["two.conf", "two.bak", "two~", ".hidden", "two.dpkg-old"]);
                confs.push(ConfFile { rel: format!("conf.d/{name}"), items: vec![stanza(&mut rng, valid)] });
            }
        }
        2 => {
            main.push(Item::Line("include @R@/extra.conf".into()));
            confs.push(ConfFile { rel: "extra.conf".into(), items: vec![stanza(&mut rng, valid)] });
        }
        3 if !valid => main.push(Item::Line("include @R@/nonexistent.conf".into())),
        _ => {}
    }
    for _ in 0..1 + rng.below(3) {
        main.push(stanza(&mut rng, valid));
        if rng.chance(10) {
            main.push(Item::Line(if !valid && rng.chance(40) {
                garbage(&mut rng)
            } else {
                directive(&mut rng, valid)
            }));
        }
    }
    confs.insert(0, ConfFile { rel: "logrotate.conf".into(), items: main });

    let mut setup = vec![
        Setup::File { rel: "bin/fakegz".into(), contents: FAKE_GZ.into(), mode: 0o755, days: None },
        Setup::File { rel: "bin/fakeungz".into(), contents: FAKE_UNGZ.into(), mode: 0o755, days: None },
        Setup::File { rel: "mail2.sh".into(), contents: MAIL2.into(), mode: 0o755, days: None },
    ];
    if rng.chance(50) {
        setup.push(Setup::Dir { rel: "logs/old".into() });
        if rng.chance(30) {
            setup.push(Setup::Dir { rel: "logs/old/nested".into() });
        }
    }
    if rng.chance(20) {
        setup.push(Setup::Dir { rel: "archive".into() });
    }
    let mut logs = Vec::new();
    for (i, log) in LOGS.iter().enumerate() {
        if i > 0 && !rng.chance(50) {
            continue;
        }
        if rng.chance(5) {
            continue;
        }
        logs.push(*log);
        let contents = match rng.below(6) {
            0 => String::new(),
            1 => "x".repeat(3000) + "\n",
            _ => format!("{log} line one\n{log} line two\n"),
        };
        let mode = *rng.pick(&[0o644, 0o644, 0o600, 0o640]);
        let days = if rng.chance(40) { Some(rng.range(0, 40)) } else { None };
        setup.push(Setup::File { rel: format!("logs/{log}"), contents, mode, days });
        archives(&mut rng, log, &mut setup);
    }
    // README "Compatibility": an uncompressed archive where a compressed one goes (LOG.1 with
    // `compress`, LOG-DATE beside LOG-DATE.gz) is compressed first or kept as `.conflict`,
    // never overwritten as 3.21 does. Deliberate, so not generated.
    let all_text: String =
        confs.iter().map(ConfFile::text).collect::<Vec<_>>().join("\n").to_ascii_lowercase();
    if all_text.contains("compress") {
        let names: Vec<String> = setup
            .iter()
            .filter_map(|s| match s {
                Setup::Gz { rel, .. } => Some(rel.clone()),
                _ => None,
            })
            .collect();
        setup.retain(|s| match s {
            Setup::File { rel, .. } if rel.starts_with("logs/") => {
                let numbered = rel.rsplit('.').next().is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
                let twin = names.contains(&format!("{rel}.gz"));
                !numbered && !twin
            }
            _ => true,
        });
    }
    let state = if rng.chance(60) {
        let header = if valid || rng.chance(95) {
            "logrotate state -- version 2"
        } else {
            "logrotate state -- version 1"
        };
        let mut entries = Vec::new();
        for log in LOGS {
            if rng.chance(70) {
                let hours = *rng.pick(&[1, 23, 25, 24 * 7 + 1, 24 * 32, 24 * 400]);
                entries.push((format!("@D@/{log}"), hours, rng.chance(10)));
            }
        }
        Some(State { header: header.into(), entries })
    } else {
        None
    };
    let mut runs = Vec::new();
    for i in 0..1 + rng.below(3) {
        let travel_days = if i == 0 { 0 } else { *rng.pick(&[0, 0, 1, 7, 32]) };
        let mut appends = Vec::new();
        if i > 0 && rng.chance(60) {
            appends.push(("logs/app.log".to_string(), format!("appended before run {}\n", i + 1)));
        }
        runs.push(Run { travel_days, appends, args: command_line(&mut rng, has_conf_d, valid) });
    }
    Case { seed, confs, setup, state, runs }
}
