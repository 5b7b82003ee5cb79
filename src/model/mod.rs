//! Plain data shared by every stage: what a stage hands to the next. Nothing
//! here reads files or knows a syntax; the stages make these values and
//! read them.

pub mod alignment;
pub mod config;
pub mod diagnostic;
pub mod fingerprint;
pub mod front_matter;
pub mod output;
pub mod page;
pub mod site;
pub mod staleness;
pub mod status;
pub mod urls;

pub use alignment::{Alignment, Fix, Suggestion, TranslationGroup};
pub use config::{
    CONFIG_FILE, Language, MissingPages, SiteConfig, TextDirection, TranslationSettings,
};
pub use diagnostic::{Diagnostic, Severity};
pub use fingerprint::Fingerprint;
pub use front_matter::FrontMatter;
pub use output::OutputFile;
pub use page::{Body, ReadOptions, SourceFile, SourceFormat, SourcePage};
pub use site::{Fallback, LoadedSite, Parts};
pub use staleness::{GroupSource, SourceEvidence, StaleReason, Staleness};
