//! Output for people at a terminal: problems with their source lines, and
//! the progress bar.

pub mod diagnostics;
pub mod progress;
