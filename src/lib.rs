//! Root package: holds the end-to-end tests and examples.
