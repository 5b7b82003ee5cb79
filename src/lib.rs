//! tolk turns localized Markdown pages into a static site that readers can
//! browse in their language. The build is a pipeline of stages, one module
//! each, with plain data between them:
//!
//! 1. [`discover`]: find content files and what their paths say;
//! 2. [`read`]: decode bytes, front matter ([`frontmatter`]), language,
//!    mojibake ([`repair`]) and plain text ([`plaintext`]);
//! 3. [`align`]: group translations of one page;
//! 4. [`render`]: Markdown ([`markdown`]) and templates ([`templates`]);
//! 5. [`write`]: write the site beside the old one and swap it in.
//!
//! [`build`] runs the stages in order.

pub mod align;
pub mod build;
pub mod cli;
pub mod config;
pub mod detect;
pub mod diagnostics;
pub mod discover;
pub mod entities;
pub mod exl;
pub mod fallback;
pub mod feeds;
pub mod fingerprint;
pub mod frontmatter;
pub mod git;
pub mod import;
pub mod incremental;
pub mod language;
pub mod markdown;
pub mod nav;
pub mod plaintext;
pub mod progress;
pub mod read;
pub mod render;
pub mod repair;
pub mod report;
pub mod sanitize;
pub mod search;
pub mod serve;
pub mod slug;
pub mod stale;
pub mod status;
pub mod suggest;
pub mod templates;
pub mod urls;
pub mod write;
