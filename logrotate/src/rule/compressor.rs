//! Which compressor runs in-process for a rule: gzip (flate2) for the default command, zstd
//! (the C library) when `compresscmd` names zstd and every word of its options is one we
//! understand. Anything else runs the program, as logrotate 3.21 does.

use super::{CompressLevel, Options};

/// The zstd program's default level.
pub const ZSTD_DEFAULT_LEVEL: i32 = 3;
/// The highest level without `--ultra`.
const ZSTD_MAX_LEVEL: i32 = 19;
/// The highest `--ultra` level.
const ZSTD_ULTRA_LEVEL: i32 = 22;
/// `--long` without a value: a 128 MiB window, as the program's.
const ZSTD_LONG_DEFAULT: u32 = 27;

/// The commands TOML's `compress = "zstd"` sets: the program's usual places.
pub const ZSTD_CMD: &str = "/usr/bin/zstd";
/// See [`ZSTD_CMD`].
pub const UNZSTD_CMD: &str = "/usr/bin/unzstd";

/// A compressor that runs in-process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// gzip at this level (1..=9).
    Gzip(u32),
    /// zstd with these parameters.
    Zstd(ZstdParams),
}

/// What the zstd program's options we understand ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZstdParams {
    /// 1..=22 (above 19 only with `--ultra`).
    pub level: i32,
    /// `-TN`/`--threads=N`: `Some(0)` is all cores; `None`, the default: all cores for large
    /// files. Small files are compressed on one thread whatever this says (the output is a
    /// standard frame either way).
    pub threads: Option<u32>,
    /// `--long[=N]`: long-distance matching with a window of 2^N bytes.
    pub long: Option<u32>,
    /// A content checksum (the program's default; `--no-check` turns it off).
    pub checksum: bool,
}

/// A decompressor that runs in-process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// gzip (`uncompresscmd` gunzip).
    Gzip,
    /// zstd (`uncompresscmd` unzstd or zstdcat).
    Zstd,
}

fn base(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Whether `cmd` is the zstd program (by its name).
pub fn is_zstd_cmd(cmd: &str) -> bool {
    base(cmd) == "zstd"
}

/// Reads the zstd program's options, or `None` when one of them is not understood here (the
/// program then runs, as it would in 3.21).
pub fn parse_zstd_options(options: &str) -> Option<ZstdParams> {
    let mut p = ZstdParams { level: ZSTD_DEFAULT_LEVEL, threads: None, long: None, checksum: true };
    let mut ultra = false;
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    for word in options.split_whitespace() {
        match word {
            "--ultra" => ultra = true,
            "--long" => p.long = Some(ZSTD_LONG_DEFAULT),
            "--check" => p.checksum = true,
            "--no-check" => p.checksum = false,
            // Harmless with stdin and stdout redirected.
            "-q" | "-qq" | "--quiet" | "-c" | "--stdout" | "-f" | "--force" | "-k" | "--keep" | "--rm"
            | "--no-progress" | "-z" | "--compress" => {}
            _ => {
                if let Some(n) = word.strip_prefix("--threads=").or_else(|| word.strip_prefix("-T")) {
                    p.threads = Some(number(n)?);
                } else if let Some(n) = word.strip_prefix("--long=") {
                    p.long = Some(number(n).filter(|n| (10..=31).contains(n))?);
                } else {
                    let n = word.strip_prefix('-').and_then(number)?;
                    p.level = i32::try_from(n).ok().filter(|n| (1..=ZSTD_ULTRA_LEVEL).contains(n))?;
                }
            }
        }
    }
    // Above 19 without --ultra the program lowers the level and says so: leave that to it.
    (p.level <= ZSTD_MAX_LEVEL || ultra).then_some(p)
}

/// Whether a `compresslevel` fits the compressor: 1..=9, or up to 22 for zstd.
pub fn level_fits(o: &Options, level: CompressLevel) -> bool {
    level.get() <= 9 || is_zstd_cmd(&o.compress_cmd)
}

impl Options {
    /// The compressor that runs in-process for these options, or `None`: run `compresscmd`.
    pub fn builtin_compressor(&self) -> Option<Builtin> {
        if let Some(level) = self.builtin_gzip_level() {
            return Some(Builtin::Gzip(level));
        }
        if is_zstd_cmd(&self.compress_cmd) {
            return parse_zstd_options(&self.effective_compress_options()).map(Builtin::Zstd);
        }
        None
    }

    /// The decompressor that runs in-process for `uncompresscmd`, or `None`: run it.
    pub fn builtin_decompressor(&self) -> Option<Codec> {
        match base(&self.uncompress_cmd) {
            "gunzip" => Some(Codec::Gzip),
            "unzstd" | "zstdcat" => Some(Codec::Zstd),
            _ => None,
        }
    }

    /// Whether these options are what TOML's `compress = "zstd"` sets.
    pub fn is_zstd_preset(&self) -> bool {
        self.compress && self.compress_cmd == ZSTD_CMD && self.uncompress_cmd == UNZSTD_CMD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zstd(level: i32, threads: Option<u32>, long: Option<u32>) -> Option<ZstdParams> {
        Some(ZstdParams { level, threads, long, checksum: true })
    }

    #[test]
    fn zstd_options_understood_or_left_to_the_program() {
        let cases: &[(&str, Option<ZstdParams>)] = &[
            ("", zstd(3, None, None)),
            ("-19", zstd(19, None, None)),
            ("-1 -19", zstd(19, None, None)),
            ("-19 -T0", zstd(19, Some(0), None)),
            ("-T4 -q", zstd(3, Some(4), None)),
            ("--threads=2 --rm -k -f", zstd(3, Some(2), None)),
            ("--long", zstd(3, None, Some(27))),
            ("--long=30 -9", zstd(9, None, Some(30))),
            ("--ultra -22", zstd(22, None, None)),
            ("-22 --ultra", zstd(22, None, None)),
            ("--no-check", Some(ZstdParams { level: 3, threads: None, long: None, checksum: false })),
            // Left to the program.
            ("-20", None),
            ("-23 --ultra", None),
            ("-0", None),
            ("--fast=3", None),
            ("-T", None),
            ("-T x", None),
            ("--long=9", None),
            ("-19T0", None),
            ("-D dict", None),
            ("--adapt", None),
            ("-v", None),
        ];
        for (words, want) in cases {
            assert_eq!(parse_zstd_options(words), *want, "{words:?}");
        }
    }

    #[test]
    fn which_compressor_runs_in_process() {
        let o = |cmd: &str, opts: Option<&str>| Options {
            compress_cmd: cmd.into(),
            compress_options: opts.map(Into::into),
            ..Options::default()
        };
        assert_eq!(o("/bin/gzip", None).builtin_compressor(), Some(Builtin::Gzip(6)));
        assert_eq!(
            o("/usr/bin/zstd", None).builtin_compressor(),
            Some(Builtin::Zstd(zstd(3, None, None).unwrap()))
        );
        assert_eq!(
            o("zstd", Some("-19 -T0")).builtin_compressor(),
            Some(Builtin::Zstd(zstd(19, Some(0), None).unwrap()))
        );
        assert_eq!(o("/usr/bin/zstd", Some("--adapt")).builtin_compressor(), None);
        assert_eq!(o("/usr/bin/pzstd", None).builtin_compressor(), None);
        assert_eq!(o("/usr/bin/xz", None).builtin_compressor(), None);
        let level = Options { compress_level: CompressLevel::new(19), ..o("/usr/bin/zstd", None) };
        assert_eq!(level.builtin_compressor(), Some(Builtin::Zstd(zstd(19, None, None).unwrap())));
        let ultra = Options { compress_level: CompressLevel::new(21), ..o("/usr/bin/zstd", None) };
        assert_eq!(ultra.effective_compress_options(), "--ultra -21");
        assert_eq!(ultra.builtin_compressor(), Some(Builtin::Zstd(zstd(21, None, None).unwrap())));
    }

    #[test]
    fn which_decompressor_runs_in_process() {
        let o =
            |cmd: &str| Options { uncompress_cmd: cmd.into(), ..Options::default() }.builtin_decompressor();
        assert_eq!(o("/bin/gunzip"), Some(Codec::Gzip));
        assert_eq!(o("/usr/bin/unzstd"), Some(Codec::Zstd));
        assert_eq!(o("zstdcat"), Some(Codec::Zstd));
        assert_eq!(o("/usr/bin/zstd"), None);
        assert_eq!(o("/usr/bin/bunzip2"), None);
    }
}
