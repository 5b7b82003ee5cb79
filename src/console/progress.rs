//! How far a build is, for people watching it in a terminal.
//!
//! The render stage only counts (through [`Progress`]); drawing is left to
//! [`TerminalProgress`], which the command line uses when standard error is
//! a terminal and `--quiet` is not given. A build that ends within
//! [`TerminalProgress`]'s delay never draws anything, so small sites print
//! their summary line alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::render::Progress;

/// A progress bar on standard error that appears only once the build has
/// taken longer than `delay`, and is cleared when it ends.
pub(crate) struct TerminalProgress {
    bar: ProgressBar,
    started: Instant,
    delay: Duration,
    shown: AtomicBool,
}

impl TerminalProgress {
    pub(crate) fn new(delay: Duration) -> TerminalProgress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} pages ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("Rendering");
        TerminalProgress {
            bar,
            started: Instant::now(),
            delay,
            shown: AtomicBool::new(false),
        }
    }

    /// Pages counted so far.
    #[cfg(test)]
    pub(crate) fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Whether the bar has been put on the terminal.
    #[cfg(test)]
    pub(crate) fn is_shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }
}

impl Progress for TerminalProgress {
    fn start(&self, pages: usize) {
        self.bar.set_length(pages as u64);
    }

    fn advance(&self) {
        self.bar.inc(1);
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= self.delay
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_page_and_shows_only_after_the_delay() {
        let slow = TerminalProgress::new(Duration::from_secs(3600));
        slow.start(3);
        (0..3).for_each(|_| slow.advance());
        assert_eq!(slow.position(), 3);
        assert!(!slow.is_shown(), "a quick build draws nothing");
        slow.finish();

        let quick = TerminalProgress::new(Duration::ZERO);
        quick.start(2);
        quick.advance();
        assert!(quick.is_shown());
        quick.advance();
        assert_eq!(quick.position(), 2);
        quick.finish();
    }
}
