//! The generative differential test: generator, runner, classifier, shrinker and report.

pub mod classify;
pub mod generate;
pub mod model;
pub mod normalize;
pub mod report;
pub mod runner;
pub mod shrink;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::common::env_u64;
use crate::common::rng;
use model::Case;
use runner::{Diff, Outcome};

/// Debian's logrotate 3.21, the oracle.
pub const ORACLE: &str = "/usr/sbin/logrotate";
/// The seed CI always runs.
const FIXED_SEED: u64 = 0x1095_0008;
/// Cases per seed in CI.
const FIXED_CASES: usize = 250;
const DAILY_CASES: usize = 100;
/// The share of cases (in percent) that must agree in every run (the rest may differ only in
/// README's deliberate ways): 97% did on 2026-11-23 (3000 cases, two seeds).
const MIN_AGREE_PERCENT: usize = 90;
/// Shrinking budget per finding.
const SHRINK_TRIES: usize = 400;
const SHRINK_TIME: Duration = Duration::from_secs(60);
/// Shrinking time per new category in a run without `GENDIFF_REPRO`.
const SHRINK_TIME_CI: Duration = Duration::from_secs(20);
/// New categories shrunk and printed in a run without `GENDIFF_REPRO`.
const MAX_NEW_SHRUNK: usize = 5;

/// Where Debian's logrotate 3.21 may be: its own path, or where our Debian package's
/// `dpkg-divert` puts it (pkg/debian/preinst).
const ORACLE_CANDIDATES: &[&str] = &[ORACLE, "/usr/sbin/logrotate.debian"];

/// Why `path` cannot serve as the oracle, or `None` when it is Debian's 3.21 and not ours.
fn oracle_problem(path: &str, ours: &Path) -> Option<String> {
    if !Path::new(path).exists() {
        return Some(format!("{path} is not installed"));
    }
    let version = match Command::new(path).arg("--version").output() {
        Ok(version) => version,
        Err(e) => return Some(format!("{path} --version: {e}")),
    };
    let text =
        String::from_utf8_lossy(&version.stdout).to_string() + &String::from_utf8_lossy(&version.stderr);
    let first = text.lines().next().unwrap_or("").trim().to_string();
    if !first.starts_with("logrotate 3.21") {
        return Some(format!("{path} --version says {first:?}, not logrotate 3.21"));
    }
    if let Ok(dpkg) = Command::new("dpkg").args(["-S", path]).output() {
        let owner = String::from_utf8_lossy(&dpkg.stdout);
        let diverted = format!("diversion by logrotate-rs to: {path}");
        if !owner.lines().any(|l| l.starts_with("logrotate: ") || l == diverted) {
            return Some(format!(
                "{path} does not belong to Debian's logrotate package (dpkg -S: {owner:?})"
            ));
        }
    }
    let same = std::fs::read(path).ok() == std::fs::read(ours).ok();
    if same || std::fs::canonicalize(path).ok() == std::fs::canonicalize(ours).ok() {
        return Some(format!("{path} is the binary under test: refusing to compare it with itself"));
    }
    None
}

/// The oracle to use, or every candidate's problem.
fn find_oracle(ours: &Path) -> Result<&'static str, String> {
    let mut problems = Vec::new();
    for path in ORACLE_CANDIDATES {
        match oracle_problem(path, ours) {
            None => return Ok(path),
            Some(problem) => problems.push(problem),
        }
    }
    Err(problems.join("; "))
}

/// One finding.
struct Finding {
    case: Case,
    diff: Diff,
    categories: Vec<String>,
}

/// Results of a batch of cases.
#[derive(Default)]
struct Tally {
    same: usize,
    skipped: usize,
    findings: Vec<Finding>,
}

fn run_batch(base: u64, cases: usize, threads: usize, oracle: &Path, ours: &Path) -> Tally {
    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                if index >= cases {
                    break;
                }
                let case = generate::generate(rng::case_seed(base, index as u64));
                let outcome = runner::run_case(&case, oracle, ours);
                let mut tally = tally.lock().expect("tally lock");
                match outcome {
                    Outcome::Same => tally.same += 1,
                    Outcome::Skipped => tally.skipped += 1,
                    Outcome::Differs(diff) => {
                        let categories = classify::classify(&case, &diff);
                        tally.findings.push(Finding { case, diff: *diff, categories });
                    }
                }
            });
        }
    });
    tally.into_inner().expect("tally lock")
}

/// Shrink a finding while it still shows a difference of `category`.
fn shrink_finding(
    finding: &Finding,
    category: &str,
    time: Duration,
    oracle: &Path,
    ours: &Path,
) -> (Case, Diff) {
    let mut case = finding.case.clone();
    case.runs.truncate(finding.diff.run + 1);
    let mut last: Option<Diff> = None;
    let (small, tries) = shrink::shrink(&case, SHRINK_TRIES, time, |candidate| {
        match runner::run_case(candidate, oracle, ours) {
            Outcome::Differs(diff) if classify::classify(candidate, &diff).iter().any(|c| c == category) => {
                last = Some(*diff);
                true
            }
            _ => false,
        }
    });
    eprintln!("  (shrunk in {tries} tries)");
    let diff = match last {
        Some(diff) if small != case => diff,
        _ => finding.diff.clone(),
    };
    (small, diff)
}

/// The test: run the seeds, tally the categories, shrink and print, fail on unknown ones.
pub fn main() {
    let ours = crate::common::logrotate_from_env("DIFF_OURS");
    let oracle = match find_oracle(&ours) {
        Ok(path) => Path::new(path),
        Err(problem) => {
            assert!(std::env::var_os("CI").is_none(), "CI is set and the oracle is unusable: {problem}");
            eprintln!("skipping the generative differential test: {problem}");
            return;
        }
    };
    eprintln!("gen_differential: oracle {}, ours {}", oracle.display(), ours.display());
    let threads = env_u64("GENDIFF_THREADS").unwrap_or(2).max(1) as usize;
    if let Some(seed) = env_u64("GENDIFF_CASE") {
        let case = generate::generate(seed);
        eprintln!("case {seed:#x}:\n{}", case.render());
        match runner::run_case(&case, oracle, &ours) {
            Outcome::Differs(diff) => {
                eprintln!(
                    "categories: {:?}\n{}",
                    classify::classify(&case, &diff),
                    report::render(&case, &diff)
                )
            }
            other => eprintln!("{other:?}"),
        }
        return;
    }
    let day_seed = {
        let days = crate::differential::clock::now() / 86_400;
        let date = chrono::DateTime::from_timestamp(days * 86_400, 0).expect("date");
        date.format("%Y%m%d").to_string().parse::<u64>().expect("digits")
    };
    let explicit = env_u64("GENDIFF_SEED");
    let seeds: Vec<(u64, usize)> = match explicit {
        Some(seed) => vec![(seed, env_u64("GENDIFF_CASES").map_or(FIXED_CASES, |n| n as usize))],
        None => {
            // CI runs the fixed seed only, so that it is deterministic; the day's seed is printed
            // for a human (or `GENDIFF_DAILY=1`) to run.
            let n = env_u64("GENDIFF_CASES").map(|n| n as usize);
            let mut seeds = vec![(FIXED_SEED, n.unwrap_or(FIXED_CASES))];
            if std::env::var_os("GENDIFF_DAILY").is_some_and(|v| v != "0") {
                seeds.push((day_seed, n.map_or(DAILY_CASES, |n| n / 2)));
            } else {
                eprintln!(
                    "gen_differential: today's seed, not run here: GENDIFF_SEED={day_seed} \
                     GENDIFF_CASES=1000 cargo test --release -p logrotate --test e2e \
                     gen_differential:: -- --nocapture"
                );
            }
            seeds
        }
    };
    let repro_all = std::env::var_os("GENDIFF_REPRO").is_some_and(|v| v != "0");
    let mut tally = Tally::default();
    for (seed, cases) in &seeds {
        eprintln!(
            "gen_differential: seed {seed} ({cases} cases); reproduce with \
             GENDIFF_SEED={seed} GENDIFF_CASES={cases} cargo test --release -p logrotate --test e2e \
             gen_differential:: -- --nocapture"
        );
        let batch = run_batch(*seed, *cases, threads, oracle, &ours);
        tally.same += batch.same;
        tally.skipped += batch.skipped;
        tally.findings.extend(batch.findings);
    }
    let mut by_category: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for finding in &tally.findings {
        for category in &finding.categories {
            by_category.entry(category.clone()).or_default().push(finding);
        }
    }
    let mut order: Vec<(&String, &Vec<&Finding>)> = by_category.iter().collect();
    order.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut unknown = Vec::new();
    eprintln!(
        "gen_differential: {} cases agree, {} differ, {} skipped (clock crossed an hour or second)",
        tally.same,
        tally.findings.len(),
        tally.skipped
    );
    for (category, findings) in &order {
        let known = classify::KNOWN_DIFFERENCES.contains(&category.as_str())
            || classify::DELIBERATE.contains(&category.as_str());
        eprintln!("  {:>5}  {}{}", findings.len(), if known { "known: " } else { "NEW:   " }, category);
        if !known {
            unknown.push(*category);
        }
    }
    let mut shrunk_new = 0;
    for (category, findings) in &order {
        let known = classify::KNOWN_DIFFERENCES.contains(&category.as_str())
            || classify::DELIBERATE.contains(&category.as_str());
        if known && !repro_all {
            continue;
        }
        if !known && !repro_all {
            shrunk_new += 1;
            if shrunk_new > MAX_NEW_SHRUNK {
                eprintln!("\n===== {category}: not shrunk (more than {MAX_NEW_SHRUNK} new categories)");
                continue;
            }
        }
        let first = findings.iter().min_by_key(|f| f.case.all_conf_text().len()).expect("non-empty");
        eprintln!("\n===== {} ({} cases): shrinking case {:#x}", category, findings.len(), first.case.seed);
        let time = match env_u64("GENDIFF_SHRINK_SECS") {
            Some(secs) => Duration::from_secs(secs),
            None if repro_all => SHRINK_TIME,
            None => SHRINK_TIME_CI,
        };
        let (case, diff) = shrink_finding(first, category, time, oracle, &ours);
        eprintln!("{}", report::render(&case, &diff));
    }
    // Known categories are tolerated one by one; a binary that gets everything wrong (say
    // `DIFF_OURS=/bin/true`) would show mostly known ones, so a floor on full agreement too.
    let total = tally.same + tally.findings.len();
    assert!(
        tally.same * 100 >= total * MIN_AGREE_PERCENT,
        "only {} of {total} cases agree with logrotate 3.21 (at least {MIN_AGREE_PERCENT}% must)",
        tally.same
    );
    assert!(
        unknown.is_empty(),
        "{} categories of differences from logrotate 3.21 are not in KNOWN_DIFFERENCES: {:?}",
        unknown.len(),
        unknown
    );
}
