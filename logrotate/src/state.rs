//! TEMPORARY STUB (replaced by the real state module).
#![allow(missing_docs)]
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
#[derive(Debug, Clone, Default)]
pub struct State {
    entries: BTreeMap<String, NaiveDateTime>,
}
impl State {
    pub fn get(&self, p: &str) -> Option<NaiveDateTime> {
        self.entries.get(p).copied()
    }
    pub fn set(&mut self, p: &str, t: NaiveDateTime) {
        self.entries.insert(p.to_string(), t);
    }
}
#[derive(Debug, Clone, Copy)]
pub enum LockMode {
    NonBlocking,
    Wait(Option<std::time::Duration>),
    Skip,
}
#[derive(Debug)]
pub enum StateError {
    Locked { path: std::path::PathBuf },
    Io(std::io::Error),
}
impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
pub struct StateFile {
    path: std::path::PathBuf,
}
impl StateFile {
    pub fn open(p: &std::path::Path, _l: LockMode) -> Result<StateFile, StateError> {
        Ok(StateFile { path: p.into() })
    }
    pub fn read(&self) -> (State, Vec<crate::config::Diagnostic>) {
        let mut s = State::default();
        if let Ok(t) = std::fs::read_to_string(&self.path) {
            for l in t.lines().skip(1) {
                if let Some((p, d)) = l.rsplit_once(' ') {
                    if let Ok(dt) = NaiveDateTime::parse_from_str(d, "%Y-%m-%d-%H:%M:%S") {
                        s.set(p.trim_matches('"'), dt);
                    }
                }
            }
        }
        (s, vec![])
    }
    pub fn write(&self, s: &State) -> std::io::Result<()> {
        if self.path == std::path::Path::new("/dev/null") {
            return Ok(());
        }
        let mut t = String::from("logrotate state -- version 2\n");
        for (p, d) in &s.entries {
            t.push_str(&format!("\"{p}\" {}\n", d.format("%Y-%-m-%-d-%-H:%-M:%-S")));
        }
        std::fs::write(&self.path, t)
    }
}
impl State {
    pub fn prune(&mut self, _n: NaiveDateTime, _e: impl Fn(&str) -> bool) {}
}
