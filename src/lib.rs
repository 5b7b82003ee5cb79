//! tolk (work in progress: being reorganised by stage).

#![warn(unreachable_pub)]

pub mod align;
pub mod cmd;
mod config;
mod console;
mod discover;
mod feeds;
pub mod import;
pub mod markdown;
pub mod model;
mod navigation;
pub mod pipeline;
pub mod read;
pub mod render;
pub mod report;
mod search;
pub mod serve;
mod write;
