//! What the planner decided for a log, and why, as data: the reasons are enums, and their words
//! (logrotate 3.21's, for `-v`, `-d`, `--plan-json` and `--status`) are rendered here and only
//! here.

use super::Rotation;
use crate::pathbytes::PathShow as _;
use crate::rule::Frequency;
use chrono::NaiveDateTime;
use std::fmt;
use std::path::PathBuf;

/// What happens to one log.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Rotate it, why, and how.
    Rotate(Due, Box<Rotation>),
    /// Leave it (not an error), for these reasons (at least one; several when a time rule is
    /// held back by more than one, each said on its own line as 3.21 does).
    Skip(Vec<Skip>),
    /// Leave it and report an error (exit status 1).
    Error(Refusal),
    /// Leave it and print a warning (exit status unaffected): something we never rotate.
    Warn(Warning),
}

/// Why a log rotates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// `-f` (or the daemon's SIGUSR1).
    Forced,
    /// Bigger than `maxsize`.
    AboveMaxSize {
        /// The log's size.
        size: u64,
        /// `maxsize`.
        max: u64,
    },
    /// At least `size`.
    Size {
        /// The log's size.
        size: u64,
        /// `size`.
        min: u64,
    },
    /// The state says it rotated more than a day from now: 3.21 rotates (and says so as an
    /// error that does not change the exit status).
    LastRotatedInFuture {
        /// The log.
        path: PathBuf,
    },
    /// Its period has come.
    Period(Frequency),
}

/// Why a log does not rotate (not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// As root, its directory does not exist, and `missingok`: 3.21 says nothing at all.
    DirMissingOk,
    /// It does not exist, and `missingok`.
    Missing {
        /// The log.
        path: PathBuf,
    },
    /// It is a symbolic link.
    Symlink {
        /// The log.
        path: PathBuf,
    },
    /// It has more than one hard link, without `allowhardlink`.
    HardLinks {
        /// The log.
        path: PathBuf,
        /// How many.
        count: u64,
        /// The rule's pattern.
        pattern: String,
    },
    /// A `size` rule (or none), below its size.
    BelowSize,
    /// Empty, with `notifempty`.
    Empty,
    /// A time rule that rotated this very hour.
    AlreadyRotated,
    /// A time rule whose period has not come.
    NotDue {
        /// When it last rotated.
        last: NaiveDateTime,
        /// Its period.
        period: Frequency,
    },
    /// A due time rule held back by `minsize`.
    TooSmall {
        /// The log's size.
        size: u64,
        /// `minsize`.
        min: u64,
    },
    /// A due time rule held back by `minage`.
    TooYoung {
        /// The log's age, in whole seconds.
        age_secs: i64,
        /// `minage`, in whole seconds (`None`: beyond what a clock can count).
        min_secs: Option<i64>,
    },
}

/// Why a log is not rotated, as an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// As root, the log's directory does not exist.
    DirMissing {
        /// The directory.
        dir: PathBuf,
    },
    /// As root without `su`, the log's directory may be written by others.
    InsecureDir {
        /// The log.
        path: PathBuf,
    },
    /// The log does not exist (without `missingok`).
    Missing {
        /// The log.
        path: PathBuf,
    },
    /// As root without `su`, the olddir is reached through a symbolic link others control.
    OlddirThroughLink {
        /// The log.
        path: PathBuf,
        /// The olddir.
        olddir: PathBuf,
        /// The link on the way.
        link: PathBuf,
    },
    /// The olddir does not exist (and is not to be created).
    OlddirMissing {
        /// The olddir.
        dir: PathBuf,
    },
    /// Today's dated archive exists already: after its older archives are dealt with, the log
    /// is not moved (scripts and mail see a failed rotation, as in 3.21).
    DestinationExists {
        /// The archive, as it would finally be called.
        path: PathBuf,
    },
}

impl serde::Serialize for Refusal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a log is never rotated, said as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A FIFO, socket, device or directory.
    NotRegular {
        /// The log.
        path: PathBuf,
    },
}

impl Decision {
    /// The rotation, if the log rotates.
    pub fn rotation(&self) -> Option<&Rotation> {
        match self {
            Decision::Rotate(_, r) => Some(r),
            _ => None,
        }
    }

    /// The decision's reasons in 3.21's words, one line each (none for a silent skip).
    pub fn lines(&self) -> Vec<String> {
        match self {
            Decision::Rotate(why, _) => vec![why.to_string()],
            Decision::Skip(whys) => {
                whys.iter().filter(|w| **w != Skip::DirMissingOk).map(ToString::to_string).collect()
            }
            Decision::Error(why) => vec![why.to_string()],
            Decision::Warn(why) => vec![why.to_string()],
        }
    }
}

impl Skip {
    /// Whether 3.21 says it as `log does not need rotating (WHY)` after the clock lines.
    pub fn is_not_needed(&self) -> bool {
        !matches!(
            self,
            Skip::DirMissingOk | Skip::Missing { .. } | Skip::Symlink { .. } | Skip::HardLinks { .. }
        )
    }

    /// The WHY of `log does not need rotating (WHY)`, if it is said that way.
    pub fn not_needed_why(&self) -> Option<String> {
        Some(match self {
            Skip::BelowSize => "log size is below the 'size' threshold".to_string(),
            Skip::Empty => "log is empty".to_string(),
            Skip::AlreadyRotated => "log has already been rotated".to_string(),
            Skip::NotDue { last, period } => format!(
                "log has been rotated at {}, which is less than {} ago",
                last.format("%Y-%m-%d %H:%M"),
                period_words(*period)
            ),
            Skip::TooSmall { .. } => {
                "'minsize' directive is used and the log size is smaller than the minsize value".to_string()
            }
            Skip::TooYoung { .. } => {
                "'minage' directive is used and the log age is smaller than the minage days".to_string()
            }
            Skip::DirMissingOk | Skip::Missing { .. } | Skip::Symlink { .. } | Skip::HardLinks { .. } => {
                return None
            }
        })
    }
}

fn period_words(freq: Frequency) -> &'static str {
    match freq {
        Frequency::Hourly => "an hour",
        Frequency::Daily => "a day",
        Frequency::Weekly(_) => "a week",
        Frequency::Monthly => "a month",
        Frequency::Yearly => "a year",
    }
}

fn frequency_word(freq: Frequency) -> &'static str {
    match freq {
        Frequency::Hourly => "hourly",
        Frequency::Daily => "daily",
        Frequency::Weekly(_) => "weekly",
        Frequency::Monthly => "monthly",
        Frequency::Yearly => "yearly",
    }
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::Forced => f.write_str("forced from command line"),
            Due::AboveMaxSize { .. } => f.write_str("log size is above the 'maxsize' threshold"),
            Due::Size { size, min } => write!(f, "log size {size} >= size {min}"),
            Due::LastRotatedInFuture { path } => {
                write!(f, "log {} last rotated in the future -- rotation forced", path.shown())
            }
            Due::Period(freq) => write!(f, "{} rotation is due", frequency_word(*freq)),
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = self.not_needed_why() {
            return write!(f, "log does not need rotating ({why})");
        }
        match self {
            Skip::DirMissingOk => Ok(()),
            Skip::Missing { path } => write!(f, "log {} does not exist -- skipping", path.shown()),
            Skip::Symlink { path } => write!(
                f,
                "log {} is symbolic link. Rotation of symbolic links is not allowed to avoid security issues -- skipping.",
                path.shown()
            ),
            Skip::HardLinks { path, count, pattern } => write!(
                f,
                "log {} has multiple ({count}) hard links. Rotation of files with multiple hard links is not allowed for {pattern} -- skipping.",
                path.shown()
            ),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::DirMissing { dir } => write!(f, "stat of {} failed: No such file or directory", dir.shown()),
            Refusal::InsecureDir { path } => write!(
                f,
                "skipping \"{}\" because parent directory has insecure permissions (It's world writable or writable by group which is not \"root\") Set \"su\" directive in config file to tell logrotate which user/group should be used for rotation.",
                path.shown()
            ),
            Refusal::Missing { path } => write!(f, "stat of {} failed: No such file or directory", path.shown()),
            Refusal::OlddirThroughLink { path, olddir, link } => write!(
                f,
                "skipping \"{}\" because olddir {} is reached through the symbolic link {}, in a directory writable by a user other than root. Set \"su\" directive in config file to tell logrotate which user/group should be used for rotation.",
                path.shown(),
                olddir.shown(),
                link.shown()
            ),
            Refusal::OlddirMissing { dir } => write!(f, "olddir {} does not exist", dir.shown()),
            Refusal::DestinationExists { path } => {
                write!(f, "destination {} already exists, skipping rotation", path.shown())
            }
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NotRegular { path } => {
                write!(f, "log {} is not a regular file -- skipping", path.shown())
            }
        }
    }
}
