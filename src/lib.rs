//! tolk (work in progress: being reorganised by stage).

pub mod align;
pub mod cmd;
pub mod config;
pub mod console;
pub mod discover;
pub mod feeds;
pub mod import;
pub mod markdown;
pub mod model;
pub mod navigation;
pub mod pipeline;
pub mod read;
pub mod render;
pub mod report;
pub mod search;
pub mod serve;
pub mod write;
