//! tolk turns localized Markdown pages into a static site that readers
//! browse in their language. A build is a pipeline of stages with plain data
//! between them, one folder each:
//!
//! 1. `discover`: find the content files and what their paths say;
//! 2. [`read`]: decode each file (encodings, entities, mojibake), parse its
//!    front matter and tell its language;
//! 3. [`align`]: group the translations of each page, then work out what
//!    follows: suggestions for pages nothing links, staleness, fallback pages
//!    for missing translations, dates;
//! 4. `navigation`: each language's sidebar, breadcrumbs and neighbours;
//! 5. [`render`]: every page through its Markdown and the theme's templates,
//!    and the pages every site has (homes, root, 404, translation status);
//! 6. `feeds`: sitemap, robots.txt and Atom feeds;
//! 7. `search`: the Pagefind index of every language;
//! 8. `write`: a staging folder swapped in whole (or, for `tolk serve`, a
//!    folder updated in place).
//!
//! Beneath the stages: [`model`], the plain data every stage hands to the
//! next (it imports nothing); `config`, which makes the model's
//! `SiteConfig` from `tolk.toml`; and [`markdown`], the Markdown dialect
//! with its Experience League extensions and the HTML sanitizer, which every
//! stage that reads Markdown uses (titles, fingerprints, rendering). Each
//! stage imports only these and the stages before it.
//!
//! On top: [`pipeline`] runs the stages for `tolk build` and `tolk report`;
//! [`import`] places a dump of files whose language must be detected;
//! [`report`] prints the translation status; [`exchange`] sends a
//! language's text out as XLIFF and writes translations back; [`serve`] keeps a build and
//! runs its steps again for what a change reaches; `console` prints for
//! people at a terminal; [`cmd`] is the command line the binary calls.

#![warn(unreachable_pub)]

pub mod align;
pub mod cmd;
mod config;
mod console;
mod discover;
pub mod exchange;
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
