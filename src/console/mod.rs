//! Output for people at a terminal: the progress bar.

pub mod progress;
