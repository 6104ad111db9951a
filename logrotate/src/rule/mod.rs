//! The typed rule model that both config formats load into.
//!
//! A [`Rule`] is one log set: the patterns of a classic stanza (or the `paths` of a TOML table)
//! plus its [`Options`]. Global options in the classic format are simply the [`Options`] that
//! later stanzas start from, so they share this type.

use crate::pathbytes::PathShow as _;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

mod choices;
mod compressor;
pub use choices::{days, parse_seconds, CompressLevel, Keep, MinFree, MoveMethod, WeeklyOn, DAY};
pub use compressor::{
    is_zstd_cmd, level_fits, parse_zstd_options, Builtin, Codec, ZstdParams, UNZSTD_CMD, ZSTD_CMD,
};

/// Where a rule (or a directive) came from, for messages like `error: FILE:LINE ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.shown(), self.line)
    }
}

/// One log set: patterns and the options that apply to every file they match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Paths or glob patterns, as written (quotes removed).
    pub patterns: Vec<String>,
    /// Where the stanza starts.
    pub source: Source,
    /// The stanza header exactly as written before `{` (classic syntax), which logrotate passes
    /// to shared scripts as the whole pattern; `None` for TOML rules.
    pub header: Option<String>,
    /// The effective options.
    pub options: Options,
}

impl Rule {
    /// The whole pattern as logrotate passes it to shared scripts and first/last actions: the
    /// header text as written, or the patterns joined by spaces.
    pub fn pattern_string(&self) -> String {
        self.header.clone().unwrap_or_else(|| self.patterns.join(" "))
    }
}

/// The time criterion of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// Rotate when the hour (or date) differs from the last rotation.
    Hourly,
    /// Rotate when the date differs from the last rotation.
    Daily,
    /// Rotate on the given weekday, or after 7 days.
    Weekly(WeeklyOn),
    /// Rotate when the month differs.
    Monthly,
    /// Rotate when the year differs.
    Yearly,
}

/// What selects a log for rotation besides `-f`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// A time criterion.
    Time(Frequency),
    /// `size N`: rotate when the file is at least N bytes, whatever the time.
    Size(u64),
}

/// Which file `mail` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailWhen {
    /// `mailfirst`: the just-rotated file.
    First,
    /// `maillast` (default): the file about to expire.
    Last,
}

/// A user or group, by name or numeric id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Owner {
    /// A numeric id.
    Id(u32),
    /// A name to look up.
    Name(String),
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Id(i) => write!(f, "{i}"),
            Owner::Name(n) => f.write_str(n),
        }
    }
}

/// Mode and ownership for `create` and `createolddir`. Missing parts are taken from the
/// original file (for `create`) or default to 0755/current user (for `createolddir`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateSpec {
    /// Permission bits.
    pub mode: Option<u32>,
    /// Owner.
    pub owner: Option<Owner>,
    /// Group.
    pub group: Option<Owner>,
}

/// The scripts of a stanza.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scripts {
    /// Once before anything rotates.
    pub firstaction: Option<String>,
    /// Before each log (or once, with `sharedscripts`).
    pub prerotate: Option<String>,
    /// After each log (or once, with `sharedscripts`).
    pub postrotate: Option<String>,
    /// Once after everything.
    pub lastaction: Option<String>,
    /// Before a rotated file is removed.
    pub preremove: Option<String>,
}

/// `su USER GROUP`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuSpec {
    /// User for file operations.
    pub user: Owner,
    /// Group for file operations.
    pub group: Option<Owner>,
}

/// logrotate's built-in criterion when a stanza names no frequency: `size 1M`.
pub const DEFAULT_SIZE: u64 = 1 << 20;
/// Default compress command; with no options (or the default ones) it runs in-process.
pub const DEFAULT_COMPRESS_CMD: &str = "/bin/gzip";
/// Default uncompress command.
pub const DEFAULT_UNCOMPRESS_CMD: &str = "/bin/gunzip";
/// Default compress options.
pub const DEFAULT_COMPRESS_OPTIONS: &str = "-6";
/// Default compressed-file extension.
pub const DEFAULT_COMPRESS_EXT: &str = ".gz";
/// How long the executor waits by default for writers to release a file before compressing it.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// The parser's memory of 3.21's flags and values that a directive turned off but a later one
/// brings back (see [`Options::parser_memory`]). Not an option itself: it changes nothing a rule
/// does, so two rules are equal whatever it holds.
#[derive(Debug, Clone, Default)]
pub struct ParserMemory {
    /// The last `create` turned off by `nocreate`: a later bare `create` takes its mode and owner.
    pub create: Option<CreateSpec>,
    /// The last `createolddir` turned off by `nocreateolddir`.
    pub create_olddir: Option<CreateSpec>,
    /// 3.21's `copy` flag under `copytruncate` (which wins over it until `nocopytruncate`).
    pub copy_under_copytruncate: bool,
}

impl Eq for ParserMemory {}

impl PartialEq for ParserMemory {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Every option of a log set. `Options::default()` is logrotate's built-in default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Options {
    /// Time or size criterion (logrotate's default is `size 1M`); `None` means only `-f` and
    /// `maxsize` rotate.
    pub criterion: Option<Criterion>,
    /// `minsize`.
    pub min_size: Option<u64>,
    /// `maxsize`.
    pub max_size: Option<u64>,
    /// `minage` (whole days in both formats).
    pub min_age: Option<Duration>,
    /// `maxage` (whole days in both formats).
    pub max_age: Option<Duration>,
    /// `maxtotalsize SIZE` (an extension): after every pass, the oldest archives of each log
    /// are removed until that log's archives fit in SIZE.
    pub max_total_size: Option<u64>,
    /// `minfree SIZE|N%` (an extension): after every pass, the oldest archives of the rules
    /// that set it are removed while their filesystem has less free space than this.
    pub min_free: Option<MinFree>,
    /// `rotate N`.
    pub keep: Keep,
    /// `start N`.
    pub start: u64,
    /// `compress`.
    pub compress: bool,
    /// `compresscmd`.
    pub compress_cmd: String,
    /// `uncompresscmd`.
    pub uncompress_cmd: String,
    /// `compressext`; `None` derives it from the command (`.gz` for gzip).
    pub compress_ext: Option<String>,
    /// `compressoptions`; `None` is the command's default (`-6` for gzip, none otherwise).
    pub compress_options: Option<String>,
    /// `compresslevel N` (an extension): the built-in gzip's level (1..=9), and `-N` before
    /// `compressoptions` for another compressor (zstd: up to 22, `--ultra` added above 19).
    pub compress_level: Option<CompressLevel>,
    /// `delaycompress`.
    pub delay_compress: bool,
    /// `copy`, `copytruncate`, `renamecopy`.
    pub move_method: MoveMethod,
    /// `create [mode] [owner] [group]`; `None` is `nocreate`.
    pub create: Option<CreateSpec>,
    /// `olddir DIR`.
    pub olddir: Option<String>,
    /// `createolddir [mode] [owner] [group]`; `None` is `nocreateolddir`.
    pub create_olddir: Option<CreateSpec>,
    /// What a `nocreate` / `nocreateolddir` / `copytruncate` turned off: as in 3.21, a later
    /// bare `create` / `createolddir` takes its mode and owner back, and a `nocopytruncate`
    /// finds `copy` still set (3.21 clears a flag, not the values).
    #[serde(skip)]
    pub parser_memory: ParserMemory,
    /// `dateext`.
    pub date_ext: bool,
    /// `dateformat`; `None` is the default (`-%Y%m%d`, or `-%Y%m%d%H` when hourly).
    pub date_format: Option<String>,
    /// `dateyesterday`.
    pub date_yesterday: bool,
    /// `datehourago`.
    pub date_hour_ago: bool,
    /// `extension EXT`.
    pub extension: Option<String>,
    /// `addextension EXT`.
    pub add_extension: Option<String>,
    /// `ifempty` (default true); `notifempty` sets false.
    pub if_empty: bool,
    /// `mail ADDRESS`.
    pub mail: Option<String>,
    /// `mailfirst` / `maillast`.
    pub mail_when: MailWhen,
    /// `missingok`.
    pub missing_ok: bool,
    /// Scripts.
    pub scripts: Scripts,
    /// `sharedscripts`.
    pub shared_scripts: bool,
    /// `shred`.
    pub shred: bool,
    /// `shredcycles N`.
    pub shred_cycles: Option<u32>,
    /// `su USER GROUP`.
    pub su: Option<SuSpec>,
    /// `allowhardlink`.
    pub allow_hardlink: bool,
    /// `ignoreduplicates`.
    pub ignore_duplicates: bool,
    /// How long to wait for writers (watched-writer) to release a rotated file before
    /// compressing or removing it (`locktimeout SECS`, an extension).
    pub lock_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            criterion: Some(Criterion::Size(DEFAULT_SIZE)),
            min_size: None,
            max_size: None,
            min_age: None,
            max_age: None,
            max_total_size: None,
            min_free: None,
            keep: Keep::Count(0),
            start: 1,
            compress: false,
            compress_cmd: DEFAULT_COMPRESS_CMD.to_string(),
            uncompress_cmd: DEFAULT_UNCOMPRESS_CMD.to_string(),
            compress_ext: None,
            compress_options: None,
            compress_level: None,
            delay_compress: false,
            move_method: MoveMethod::Rename,
            create: None,
            olddir: None,
            create_olddir: None,
            parser_memory: ParserMemory::default(),
            date_ext: false,
            date_format: None,
            date_yesterday: false,
            date_hour_ago: false,
            extension: None,
            add_extension: None,
            if_empty: true,
            mail: None,
            mail_when: MailWhen::Last,
            missing_ok: false,
            scripts: Scripts::default(),
            shared_scripts: false,
            shred: false,
            shred_cycles: None,
            su: None,
            allow_hardlink: false,
            ignore_duplicates: false,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }
}

impl Options {
    /// Whether a rotation under these options may run a program: a script, a mail, `shred`,
    /// or a compressor that is not built in.
    pub fn runs_programs(&self) -> bool {
        let s = &self.scripts;
        [&s.firstaction, &s.prerotate, &s.postrotate, &s.lastaction, &s.preremove].iter().any(|x| x.is_some())
            || self.mail.is_some()
            || self.shred
            || (self.compress && self.builtin_compressor().is_none())
    }

    /// What a stanza starts from when these are the global options: all of them but
    /// `addextension`, which logrotate 3.21 does not carry from the globals into a stanza.
    pub fn stanza_defaults(&self) -> Options {
        Options { add_extension: None, ..self.clone() }
    }

    /// The extension of compressed files: `compressext`, or one derived from the command.
    pub fn effective_compress_ext(&self) -> String {
        if let Some(ext) = &self.compress_ext {
            return ext.clone();
        }
        let base = self.compress_cmd.rsplit('/').next().unwrap_or("");
        match base {
            "gzip" | "pigz" => ".gz",
            "bzip2" | "pbzip2" => ".bz2",
            "xz" => ".xz",
            "zstd" | "pzstd" => ".zst",
            "lz4" => ".lz4",
            "lzma" => ".lzma",
            _ => DEFAULT_COMPRESS_EXT,
        }
        .to_string()
    }

    /// The dateext format in effect.
    pub fn effective_date_format(&self) -> &str {
        match &self.date_format {
            Some(f) => f,
            None if self.is_hourly() => "-%Y%m%d%H",
            None => "-%Y%m%d",
        }
    }

    /// Whether the time criterion is `hourly`.
    pub fn is_hourly(&self) -> bool {
        matches!(self.criterion, Some(Criterion::Time(Frequency::Hourly)))
    }

    fn is_gzip_cmd(&self) -> bool {
        self.compress_cmd.rsplit('/').next() == Some("gzip")
    }

    /// The compressor's arguments: `-N` for `compresslevel N`, then `compressoptions`, whose
    /// default is `-6` for gzip (left out when a level is set) and none otherwise. Compressors
    /// take the last level given, so a level in `compressoptions` wins.
    pub fn effective_compress_options(&self) -> std::borrow::Cow<'_, str> {
        let options = match &self.compress_options {
            Some(o) => o.as_str(),
            None if self.is_gzip_cmd() && self.compress_level.is_none() => DEFAULT_COMPRESS_OPTIONS,
            None => "",
        };
        // zstd takes 20..22 only after `--ultra`.
        let ultra = match self.compress_level {
            Some(level) if level.get() > 19 && is_zstd_cmd(&self.compress_cmd) => "--ultra ",
            _ => "",
        };
        match self.compress_level {
            Some(level) if options.trim().is_empty() => format!("{ultra}-{level}").into(),
            Some(level) => format!("{ultra}-{level} {options}").into(),
            None => options.into(),
        }
    }

    /// The gzip level when compression can run in-process (gzip, only `-N` level options, the
    /// last of which counts, `.gz` extension), else `None` and the command runs as a program.
    pub fn builtin_gzip_level(&self) -> Option<u32> {
        if !self.is_gzip_cmd() || self.effective_compress_ext() != ".gz" {
            return None;
        }
        let mut level = 6;
        for word in self.effective_compress_options().split_whitespace() {
            let n: u64 = word.strip_prefix('-')?.parse().ok()?;
            level = CompressLevel::new(n).map(CompressLevel::get).filter(|&l| l <= 9)?;
        }
        Some(level)
    }
}
