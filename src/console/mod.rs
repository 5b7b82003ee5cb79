//! Output for people at a terminal: problems with their source lines, and
//! the progress bar.

pub(crate) mod diagnostics;
pub(crate) mod progress;
