//! TEMPORARY STUB.
#![allow(missing_docs)]
use crate::config::Diagnostic;
use crate::rule::{Options, Rule};
pub fn parse(_f: &std::path::Path, _t: &str, _b: &Options) -> (Vec<Rule>, Vec<Diagnostic>) {
    (vec![], vec![])
}
