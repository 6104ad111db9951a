//! The engine of a drop-in replacement for logrotate 3.21.
//!
//! Data moves one way:
//!
//! ```text
//! config text ──parse──▶ Rule ──plan(rules, facts, state, now)──▶ Plan ──execute──▶ effects + State
//! ```
//!
//! * [`config`] reads the classic logrotate syntax and TOML rule files into [`rule::Rule`]s.
//! * `scan` (inside the crate) gathers the facts about files on disk that the planner needs
//!   ([`plan::facts`]).
//! * [`plan`] is a pure function: no I/O and no clock; the caller passes `now`.
//! * [`exec`] is the only code that renames, creates, compresses, runs scripts and mails.
//! * [`state`] reads and writes the state file in logrotate's format.
//! * [`diag`] is what loading and reading have to say, with the place as data.
//! * `sys` (inside the crate) is the one place for system calls; `unsafe` is denied elsewhere.
//!
//! The binaries use [`app`] (and `logrotated` the `daemon` module, behind the default `daemon`
//! feature); the other modules are public for tests and tools that read configs and states.
//!
//! # Examples
//!
//! ```
//! use logrotate::config::{self, LoadOptions};
//! let dir = tempfile::tempdir()?;
//! let conf = dir.path().join("app.conf");
//! std::fs::write(&conf, "/var/log/app.log {\n  daily\n  rotate 7\n  compress\n}\n")?;
//! let loaded = config::load(&[conf], &LoadOptions::default());
//! assert!(!loaded.has_errors());
//! assert_eq!(loaded.rules[0].options.keep, logrotate::rule::Keep::Count(7));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
// System calls that need `unsafe` are made in `sys` only.
#![deny(unsafe_code)]

pub mod app;
pub mod config;
#[cfg(feature = "daemon")]
pub mod daemon;
pub mod dateext;
pub mod diag;
pub mod exec;
pub mod guard;
pub mod locale;
mod par;
pub mod pathbytes;
pub mod plan;
pub mod plan_json;
pub mod rule;
pub(crate) mod scan;
pub mod size;
pub mod state;
pub(crate) mod status;
#[allow(unsafe_code)]
mod sys;
