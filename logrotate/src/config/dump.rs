//! TEMPORARY STUB.
#![allow(missing_docs)]
pub fn to_toml(_r: &[crate::rule::Rule]) -> String {
    String::new()
}
