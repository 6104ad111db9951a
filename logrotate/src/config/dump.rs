//! Rules back to TOML.
