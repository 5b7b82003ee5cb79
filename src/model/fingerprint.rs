//! What a page's text looks like regardless of its language: the evidence
//! for suggesting translations of pages nothing links.

use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fingerprint {
    /// Level of every heading, in order.
    pub headings: Vec<u8>,
    /// Number of items of every list, in order.
    pub lists: Vec<usize>,
    /// `(body rows, columns)` of every table.
    pub tables: Vec<(usize, usize)>,
    /// Invariant tokens and how often they occur.
    pub tokens: BTreeMap<String, usize>,
    pub words: usize,
}
