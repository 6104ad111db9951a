//! TOML rule files.
