//! Generative differential test: random scenarios (configs over the whole grammar of
//! logrotate(8) 3.21, files and archives, state files, several runs with varied command lines)
//! run with Debian's logrotate 3.21 (`/usr/sbin/logrotate`, the oracle) and with ours on
//! identical temp trees. After every run the exit codes, the normalised stdout and stderr, the
//! trees (names, types, modes, contents with gzip decompressed, and the records the scripts,
//! the fake mailer and the fake compressor write) and the normalised state files must agree.
//!
//! Each difference is shrunk (runs, config files, lines, directives, files, state entries and
//! command-line words dropped one at a time while the difference stays in its category) and
//! printed with both sides side by side. Categories of known, not yet fixed differences are
//! listed in `gendiff/classify.rs` (`KNOWN_DIFFERENCES`): they are counted, not failed on; so
//! are the `DELIBERATE` ones (README "Compatibility"). What README lists as deliberate is
//! otherwise normalised (`gendiff/normalize.rs`) or not generated (`gendiff/generate.rs`). At
//! least `MIN_AGREE_PERCENT` of the cases must agree in every run, so known categories cannot
//! hide a binary that gets everything wrong. When a difference is fixed, remove its entry.
//!
//! Time: both tools run on the real clock one after the other; a case is skipped when an
//! hour boundary (or, for dateformats with `%M %S %s`, a second boundary) falls between them.
//!
//! CI runs it in `cargo test --workspace`: a fixed seed, 250 scenarios, so that it is
//! deterministic; the day's seed is printed to be run by hand (`GENDIFF_DAILY=1` adds it). The
//! long run, shrinking one example of every category:
//!
//! ```text
//! GENDIFF_SEED=20261123 GENDIFF_CASES=5000 GENDIFF_REPRO=1 cargo test --release -p logrotate --test e2e gen_differential:: -- --nocapture
//! ```
//!
//! Environment: `GENDIFF_SEED` (decimal or `0x…`: run only this seed), `GENDIFF_CASES` (cases
//! per seed), `GENDIFF_THREADS` (default 2), `GENDIFF_REPRO=1` (shrink and print one example of
//! every category, known ones too; otherwise only new categories are shrunk, at most five),
//! `GENDIFF_CASE=0x…` (run one case seed only and print it), `DIFF_OURS=/path` (the binary
//! taken as ours). The oracle is `/usr/sbin/logrotate`, or `/usr/sbin/logrotate.debian` where
//! our package diverted it; its `--version` must say 3.21, `dpkg -S` must name Debian's
//! package and it must not be the binary under test. When `CI` is set, a missing or wrong
//! oracle fails the test.

mod gendiff;

#[test]
fn generated_scenarios_match_logrotate_3_21() {
    gendiff::main();
}
