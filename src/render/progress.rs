//! How far rendering is: counted here, drawn by whoever watches.

/// Told how rendering advances: `start` with the number of pages, one
/// `advance` per page rendered (from any thread), `finish` at the end.
pub trait Progress: Sync {
    fn start(&self, pages: usize);
    fn advance(&self);
    fn finish(&self);
}

/// Progress nobody watches.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _pages: usize) {}
    fn advance(&self) {}
    fn finish(&self) {}
}
