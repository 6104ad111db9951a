//! The classic logrotate(8) syntax.
use super::{Config, LoadOptions};
use std::path::PathBuf;

/// Loads classic config files (and what they include).
pub struct Loader {
    opts: LoadOptions,
}

impl Loader {
    /// A loader.
    pub fn new(opts: LoadOptions) -> Self {
        Loader { opts }
    }
    /// Loads files in order.
    pub fn load_all(self, _paths: &[PathBuf]) -> Config {
        let _ = self.opts;
        Config::default()
    }
}
