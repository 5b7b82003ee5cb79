//! tolk's integration tests: one binary, linked once, a module per feature.
//! Run one feature with `cargo test --test testsuite MODULE::`, such as
//! `cargo test --test testsuite serve::`.

mod browser;
mod build_example;
mod common;
mod exl_site;
mod failures;
mod harness;
mod hostile;
mod import;
mod incremental;
mod language_detection;
mod properties;
mod reader_site;
mod reliability;
mod serve;
mod shards;
mod staleness;
mod translations;
mod xliff;
