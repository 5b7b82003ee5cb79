//! Stage timings for the benchmark (`TOLK_TIMINGS`).

use std::time::Instant;

/// Prints how long each stage took when `TOLK_TIMINGS` is set: the
/// benchmark's way to see where a build's time goes.
pub(crate) struct Stopwatch {
    started: Instant,
    /// A mutex, not a cell: the serve engine's stopwatch is reached from
    /// rendering threads.
    last: std::sync::Mutex<Instant>,
    enabled: bool,
}

impl Stopwatch {
    pub(crate) fn start() -> Stopwatch {
        let now = Instant::now();
        Stopwatch {
            started: now,
            last: std::sync::Mutex::new(now),
            enabled: std::env::var_os("TOLK_TIMINGS").is_some(),
        }
    }

    /// Prints how long `stage` took and how long since the start.
    pub(crate) fn lap(&self, stage: &str) {
        if self.enabled {
            let now = Instant::now();
            let ms = |since: Instant| (now - since).as_secs_f64() * 1000.0;
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!(
                "timing: {stage}: {:.1} ms (at {:.1} ms)",
                ms(*last),
                ms(self.started)
            );
            *last = now;
        }
    }
}
