//! Plain data shared by every stage.

pub mod diagnostic;
pub mod urls;
