//! One language's search index, in the format Pagefind's search script
//! reads (its `pagefind.js` and WebAssembly ship with the site).
//!
//! Pages come in from the rendering threads in any order; each is read,
//! counted and its fragment compressed on the thread that rendered it, and
//! only its postings (entry -> packed positions) join the language's index.
//! At the end the pages are numbered in URL order, so the index is the same
//! whatever order the threads finished in, and the files are written:
//! finishing leaves the index as it was, so that `tolk serve` can replace
//! or forget the pages an edit changed and write the files again.
//!
//! - `pagefind.<hash>.pf_meta`: the pages (fragment hash, word count), the
//!   ranges of words of each index chunk, filters and sort orders;
//! - `index/<hash>.pf_index`: chunks of about 20,000 positions of the
//!   entries in word order, each entry with its pages and positions;
//! - `fragment/<hash>.pf_fragment`: each page's fragment (JSON);
//! - `filter/<hash>.pf_filter`: each filter's values and their pages.
//!
//! Each file is gzip of `pagefind_dcd` and the data (CBOR, JSON for the
//! fragments); names carry a hash of the data, so a browser can cache them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use minicbor::Encode;
use sha1::{Digest, Sha1};

use super::record::{
    EntryOnPage, MetaOccurrence, Occurrence, PageRecord, packed_meta_positions, packed_positions,
};

/// Positions (and pages) in one index chunk before the next one starts.
const CHUNK_SIZE: usize = 20_000;

/// What each compressed file starts with, inside the gzip.
const SIGNATURE: &[u8] = b"pagefind_dcd";

/// A page's place in the index before pages are numbered.
#[derive(Debug)]
struct Slot {
    url: String,
    /// `<language>_<hash of the fragment>`.
    fragment_hash: String,
    fragment_gz: Vec<u8>,
    word_count: usize,
    has_body: bool,
    has_words: bool,
    meta_fields: Vec<String>,
    filters: BTreeMap<String, Vec<String>>,
    sort: BTreeMap<String, String>,
    /// Hash of the HTML the page was read from: the same HTML again need
    /// not be read again.
    source: u64,
    /// Not replaced by a later version of the page, nor forgotten; the
    /// postings of a page that is not live are skipped, then dropped.
    live: bool,
}

/// One entry's postings: for the plain form a run per page of
/// `[slot, n, positions…, m, meta positions…]`, and the same for each
/// accented form with the form's rank on the page after the slot. Each
/// value is a varint ([`push_value`]): positions are packed as small
/// differences, and a byte each instead of four keeps the index of a large
/// site small in memory.
#[derive(Debug, Default)]
struct Postings {
    plain: Vec<u8>,
    accented: Vec<(Box<str>, Vec<u8>)>,
}

/// A language's index while pages come in.
#[derive(Debug, Default)]
pub(super) struct LanguageIndex {
    slots: Vec<Slot>,
    entries: HashMap<String, Postings>,
    /// The live slot of each page, by URL.
    by_url: HashMap<String, usize>,
    /// Pages were added or forgotten since the files were last written.
    pub changed: bool,
}

/// A page made ready off the lock: its slot and its packed postings.
pub(super) struct ReadyPage {
    language: String,
    slot: Slot,
    postings: Vec<PagePostings>,
}

/// An entry's runs on one page: the plain form's, each accented form's.
struct PagePostings {
    stem: String,
    plain: Vec<u8>,
    accented: Vec<(String, Vec<u8>)>,
}

/// Counts, packs and compresses a page's record; done on the thread that
/// rendered the page. `source` is the hash of the HTML it was read from.
pub(super) fn ready(record: PageRecord, source: u64) -> Result<ReadyPage, String> {
    let json = serde_json::to_string(&record.fragment).map_err(|err| err.to_string())?;
    let slot = Slot {
        fragment_hash: format!("{}_{}", record.language, hex_hash(json.as_bytes())),
        fragment_gz: gzip(json.as_bytes())?,
        url: record.fragment.url,
        word_count: record.fragment.word_count,
        has_body: record.has_body,
        has_words: record.has_words,
        meta_fields: record.fragment.meta.into_keys().collect(),
        filters: record.fragment.filters,
        sort: record.sort,
        source,
        live: true,
    };
    let postings = record
        .entries
        .into_iter()
        .map(|(stem, mut entry)| {
            let plain = posting(
                None,
                std::mem::take(&mut entry.plain),
                std::mem::take(&mut entry.plain_meta),
            );
            let accented = accented_postings(&mut entry);
            PagePostings {
                stem,
                plain,
                accented,
            }
        })
        .collect();
    Ok(ReadyPage {
        language: record.language,
        slot,
        postings,
    })
}

impl ReadyPage {
    /// `<html lang>` of the page, lowercase: the index it joins.
    pub(super) fn language(&self) -> &str {
        &self.language
    }
}

fn accented_postings(entry: &mut EntryOnPage) -> Vec<(String, Vec<u8>)> {
    entry
        .take_forms_in_order()
        .enumerate()
        .map(|(rank, (form, (text, meta)))| (form, posting(Some(rank), text, meta)))
        .collect()
}

/// `[rank?, n, positions…, m, meta positions…]`, without the slot.
fn posting(rank: Option<usize>, text: Vec<Occurrence>, meta: Vec<MetaOccurrence>) -> Vec<u8> {
    if text.is_empty() && meta.is_empty() {
        return Vec::new();
    }
    let text = packed_positions(text);
    let meta = packed_meta_positions(meta);
    let mut run = Vec::with_capacity(text.len() + meta.len() + 4);
    if let Some(rank) = rank {
        push_value(&mut run, rank as i32);
    }
    for list in [text, meta] {
        push_value(&mut run, list.len() as i32);
        for value in list {
            push_value(&mut run, value);
        }
    }
    run
}

/// Appends `value`, zigzagged (small negative numbers stay small), as an
/// LEB128 varint: seven bits a byte, the high bit set on all but the last.
fn push_value(out: &mut Vec<u8>, value: i32) {
    let mut bits = ((value << 1) ^ (value >> 31)) as u32;
    while bits >= 0x80 {
        out.push((bits as u8) | 0x80);
        bits >>= 7;
    }
    out.push(bits as u8);
}

/// The value [`push_value`] wrote at `at`, moving `at` past it.
fn read_value(bytes: &[u8], at: &mut usize) -> Option<i32> {
    let mut bits: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        bits |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((bits >> 1) as i32 ^ -((bits & 1) as i32));
        }
    }
    None
}

impl LanguageIndex {
    /// Adds a page made ready by [`ready`], in place of the page of the same
    /// URL if there was one.
    pub(super) fn add(&mut self, page: ReadyPage) {
        self.forget(&page.slot.url);
        self.changed = true;
        let slot = self.slots.len() as i32;
        self.by_url.insert(page.slot.url.clone(), self.slots.len());
        let mut slot_bytes = Vec::with_capacity(3);
        push_value(&mut slot_bytes, slot);
        self.slots.push(page.slot);
        for PagePostings {
            stem,
            plain,
            accented,
        } in page.postings
        {
            let postings = self.entries.entry(stem).or_default();
            if !plain.is_empty() {
                postings.plain.extend_from_slice(&slot_bytes);
                postings.plain.extend(plain);
            }
            for (form, run) in accented {
                let at = match postings.accented.iter().position(|(f, _)| **f == *form) {
                    Some(at) => at,
                    None => {
                        postings.accented.push((form.into(), Vec::new()));
                        postings.accented.len() - 1
                    }
                };
                postings.accented[at].1.extend_from_slice(&slot_bytes);
                postings.accented[at].1.extend(run);
            }
        }
    }

    /// Whether the page at `url` is in the index, read from HTML whose hash
    /// is `source`.
    pub(super) fn holds(&self, url: &str, source: u64) -> bool {
        self.by_url
            .get(url)
            .is_some_and(|&slot| self.slots[slot].source == source)
    }

    /// Takes the page at `url` out of the index, if it is there. Its slot
    /// stays, empty, until [`LanguageIndex::compact`] drops it.
    pub(super) fn forget(&mut self, url: &str) {
        let Some(slot) = self.by_url.remove(url) else {
            return;
        };
        let slot = &mut self.slots[slot];
        slot.live = false;
        slot.fragment_gz = Vec::new();
        slot.filters.clear();
        slot.sort.clear();
        self.changed = true;
    }

    /// Slots, live or not.
    #[cfg(test)]
    pub(super) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Pages in the index.
    pub(super) fn live_pages(&self) -> usize {
        self.by_url.len()
    }

    /// Drops the slots of pages replaced or forgotten, and their postings,
    /// once they are as many as the live ones: a long `tolk serve` session
    /// keeps editing the same pages.
    pub(super) fn compact(&mut self) {
        let dead = self.slots.len() - self.live_pages();
        if dead < self.live_pages().max(64) {
            return;
        }
        let mut renumbered: Vec<Option<i32>> = vec![None; self.slots.len()];
        let slots = std::mem::take(&mut self.slots);
        for (old, slot) in slots.into_iter().enumerate() {
            if slot.live {
                renumbered[old] = Some(self.slots.len() as i32);
                self.slots.push(slot);
            }
        }
        for postings in self.entries.values_mut() {
            postings.plain = kept_runs(&postings.plain, false, &renumbered);
            for (_, runs) in &mut postings.accented {
                *runs = kept_runs(runs, true, &renumbered);
            }
            postings.accented.retain(|(_, runs)| !runs.is_empty());
        }
        self.entries
            .retain(|_, p| !p.plain.is_empty() || !p.accented.is_empty());
        self.by_url = (self.slots.iter().enumerate())
            .map(|(at, slot)| (slot.url.clone(), at))
            .collect();
    }

    /// Writes the language's files. Returns them (paths under the bundle
    /// folder), the name of its metadata file and how many pages it has.
    /// `version` is the search script's, which it checks the index against.
    pub(super) fn finish(&self, language: &str, version: &str) -> Result<LanguageFiles, String> {
        let numbers = self.page_numbers();
        let mut files = Vec::new();
        let mut meta = MetaIndex {
            version: version.to_string(),
            ..MetaIndex::default()
        };
        let pages: Vec<&Slot> = {
            let mut pages: Vec<(usize, &Slot)> = numbers
                .iter()
                .enumerate()
                .filter_map(|(slot, n)| n.map(|n| (n, &self.slots[slot])))
                .collect();
            pages.sort_by_key(|(n, _)| *n);
            pages.into_iter().map(|(_, slot)| slot).collect()
        };
        meta.sorts = sort_orders(&pages);
        meta.meta_fields = pages
            .iter()
            .flat_map(|p| p.meta_fields.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut fragment_names = FileNames::new(language);
        for page in &pages {
            let name = fragment_names.claim(&page.fragment_hash);
            files.push((
                format!("fragment/{name}.pf_fragment"),
                page.fragment_gz.clone(),
            ));
            meta.pages.push(MetaPage {
                hash: name,
                word_count: page.word_count as u32,
                group_hash: String::new(),
            });
        }
        self.write_filters(language, &pages, &mut meta, &mut files)?;
        let fields = field_maps(&meta.meta_fields, &numbers, &self.slots);
        self.write_chunks(language, &numbers, &fields, &mut meta, &mut files)?;
        let encoded = cbor(&meta)?;
        let hash = hex_hash(&encoded);
        let meta_name = format!("{language}_{}", prefix(&hash, language.len() + 8));
        files.push((format!("pagefind.{meta_name}.pf_meta"), gzip(&encoded)?));
        Ok(LanguageFiles {
            files,
            meta_name,
            page_count: pages.len(),
        })
    }

    /// Each slot's page number, or `None` for a page left out: without
    /// words, without a `data-pagefind-body` when other pages have one, or
    /// no longer live. Pages are numbered in URL order (one live page has
    /// a URL).
    fn page_numbers(&self) -> Vec<Option<usize>> {
        let live = || self.slots.iter().filter(|s| s.live);
        let any_body = live().any(|s| s.has_body);
        let mut kept: Vec<usize> = (0..self.slots.len())
            .filter(|&i| {
                let slot = &self.slots[i];
                slot.live && slot.has_words && (slot.has_body || !any_body)
            })
            .collect();
        kept.sort_by(|&a, &b| self.slots[a].url.cmp(&self.slots[b].url));
        let mut numbers = vec![None; self.slots.len()];
        for (number, slot) in kept.into_iter().enumerate() {
            numbers[slot] = Some(number);
        }
        numbers
    }

    fn write_filters(
        &self,
        language: &str,
        pages: &[&Slot],
        meta: &mut MetaIndex,
        files: &mut Vec<(String, Vec<u8>)>,
    ) -> Result<(), String> {
        let mut filters: BTreeMap<&str, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
        for (number, page) in pages.iter().enumerate() {
            for (filter, values) in &page.filters {
                for value in values {
                    let pages = filters.entry(filter).or_default().entry(value).or_default();
                    pages.push(number);
                }
            }
        }
        let mut names = FileNames::new(language);
        for (filter, values) in filters {
            let index = FilterIndex {
                filter: filter.to_string(),
                values: values
                    .into_iter()
                    .map(|(value, pages)| PackedValue {
                        value: value.to_string(),
                        pages,
                    })
                    .collect(),
            };
            let encoded = cbor(&index)?;
            let full = format!("{language}_{}", hex_hash(&encoded));
            let name = names.claim(&full);
            files.push((format!("filter/{name}.pf_filter"), gzip(&encoded)?));
            meta.filters.push(MetaFilter {
                filter: filter.to_string(),
                hash: name,
            });
        }
        Ok(())
    }

    /// The entries in word order, cut into chunks, each written at once.
    fn write_chunks(
        &self,
        language: &str,
        numbers: &[Option<usize>],
        fields: &[Vec<i32>],
        meta: &mut MetaIndex,
        files: &mut Vec<(String, Vec<u8>)>,
    ) -> Result<(), String> {
        let mut words: Vec<&String> = self.entries.keys().collect();
        words.sort_unstable();
        let mut chunks: Vec<MetaChunk> = Vec::new();
        let mut names = FileNames::new(language);
        let mut chunk: Vec<PackedWord> = Vec::new();
        let mut size = 0;
        let mut flush = |chunk: &mut Vec<PackedWord>| -> Result<(), String> {
            let range = MetaChunk {
                from: chunk.first().map(|w| w.word.clone()).unwrap_or_default(),
                to: chunk.last().map(|w| w.word.clone()).unwrap_or_default(),
                hash: String::new(),
            };
            for word in chunk.iter_mut() {
                delta_pages(&mut word.pages);
                for variant in &mut word.additional_variants {
                    delta_pages(&mut variant.pages);
                }
            }
            let encoded = cbor(&WordIndex {
                words: std::mem::take(chunk),
            })?;
            let full = format!("{language}_{}", hex_hash(&encoded));
            let name = names.claim(&full);
            files.push((format!("index/{name}.pf_index"), gzip(&encoded)?));
            chunks.push(MetaChunk {
                hash: name,
                ..range
            });
            Ok(())
        };
        for word in words {
            let packed = self.packed_word(word, numbers, fields);
            if packed.pages.is_empty() && packed.additional_variants.is_empty() {
                continue;
            }
            size += packed
                .pages
                .iter()
                .chain(packed.additional_variants.iter().flat_map(|v| &v.pages))
                .map(|p| p.locs.len() + p.meta_locs.len() + 1)
                .sum::<usize>()
                + packed.additional_variants.len();
            chunk.push(packed);
            if size >= CHUNK_SIZE {
                flush(&mut chunk)?;
                size = 0;
            }
        }
        if !chunk.is_empty() {
            flush(&mut chunk)?;
        }
        trim_chunk_ranges(&mut chunks);
        meta.index_chunks = chunks;
        Ok(())
    }

    /// An entry as the index stores it: its pages in number order.
    fn packed_word(
        &self,
        word: &str,
        numbers: &[Option<usize>],
        fields: &[Vec<i32>],
    ) -> PackedWord {
        let postings = &self.entries[word];
        let mut pages = unpack(&postings.plain, false, numbers, fields)
            .into_iter()
            .map(|(_, page)| page)
            .collect::<Vec<_>>();
        pages.sort_by_key(|p| p.page_number);
        let mut variants: Vec<((usize, usize), PackedVariant)> = postings
            .accented
            .iter()
            .filter_map(|(form, runs)| {
                let mut pages = unpack(runs, true, numbers, fields);
                pages.sort_by_key(|(_, p)| p.page_number);
                let first = pages.first().map(|(rank, p)| (p.page_number, *rank))?;
                Some((
                    first,
                    PackedVariant {
                        form: form.to_string(),
                        pages: pages.into_iter().map(|(_, p)| p).collect(),
                    },
                ))
            })
            .collect();
        // As Pagefind lists them: by the first page they appear on, then by
        // their order on that page.
        variants.sort_by_key(|(first, _)| *first);
        PackedWord {
            word: word.to_string(),
            pages,
            additional_variants: variants.into_iter().map(|(_, v)| v).collect(),
        }
    }
}

/// One page's run in a postings list: `[slot, rank?, n, positions…, m,
/// meta positions…]`.
struct Run<'a> {
    slot: usize,
    rank: usize,
    locs: Vec<i32>,
    meta: Vec<i32>,
    /// The bytes of the run after the slot.
    rest: &'a [u8],
}

/// The runs of a postings list; `ranked` when each carries a form's rank.
fn runs(list: &[u8], ranked: bool) -> impl Iterator<Item = Run<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let slot = read_value(list, &mut at)? as usize;
        let after_slot = at;
        let rank = if ranked {
            read_value(list, &mut at)?
        } else {
            0
        };
        let mut values = || -> Option<Vec<i32>> {
            let n = read_value(list, &mut at)? as usize;
            (0..n).map(|_| read_value(list, &mut at)).collect()
        };
        let locs = values()?;
        let meta = values()?;
        Some(Run {
            slot,
            rank: rank as usize,
            locs,
            meta,
            rest: &list[after_slot..at],
        })
    })
}

/// The runs of the slots still kept, under their new numbers.
fn kept_runs(list: &[u8], ranked: bool, renumbered: &[Option<i32>]) -> Vec<u8> {
    let mut kept = Vec::new();
    for run in runs(list, ranked) {
        if let Some(slot) = renumbered[run.slot] {
            push_value(&mut kept, slot);
            kept.extend_from_slice(run.rest);
        }
    }
    kept
}

/// The runs of a postings list, as pages numbered, with the form's rank on
/// the page (0 for plain runs); runs of pages left out are skipped.
fn unpack(
    list: &[u8],
    ranked: bool,
    numbers: &[Option<usize>],
    fields: &[Vec<i32>],
) -> Vec<(usize, PackedPage)> {
    runs(list, ranked)
        .filter_map(|run| {
            // A page left out has no number, and no fields to map.
            let page_number = numbers[run.slot]?;
            let fields = &fields[run.slot];
            let field_marker = |v: i32| fields.get((-v - 1) as usize).copied().unwrap_or(v);
            let meta_locs = run
                .meta
                .iter()
                .map(|&v| if v < 0 { field_marker(v) } else { v })
                .collect();
            let page = PackedPage {
                page_number,
                locs: run.locs,
                meta_locs,
            };
            Some((run.rank, page))
        })
        .collect()
}

/// For each slot, its own metadata fields' markers in the language's list
/// of fields (`-f - 1`, as the packed positions carry them).
fn field_maps(all_fields: &[String], numbers: &[Option<usize>], slots: &[Slot]) -> Vec<Vec<i32>> {
    slots
        .iter()
        .zip(numbers)
        .map(|(slot, number)| match number {
            Some(_) => slot
                .meta_fields
                .iter()
                .map(|f| {
                    let at = all_fields.binary_search(f).unwrap_or(0);
                    -(at as i32) - 1
                })
                .collect(),
            None => Vec::new(),
        })
        .collect()
}

fn delta_pages(pages: &mut [PackedPage]) {
    let mut last = 0;
    for page in pages {
        let number = page.page_number;
        page.page_number = number - last;
        last = number;
    }
}

/// Chunk ranges cut to the shortest prefixes that still tell neighbours
/// apart, so the script picks the chunk a typed prefix belongs to.
fn trim_chunk_ranges(chunks: &mut [MetaChunk]) {
    for i in 1..chunks.len() {
        let (before, after) = chunks.split_at_mut(i);
        let (a, b) = (&mut before[i - 1], &mut after[0]);
        let common = b
            .from
            .chars()
            .zip(a.to.chars())
            .take_while(|(x, y)| x == y)
            .count();
        let a_prefix: String = a.to.chars().take(common + 1).collect();
        let b_prefix: String = b.from.chars().take(common + 1).collect();
        if a_prefix >= a.from {
            a.to = a_prefix;
        }
        b.from = b_prefix;
    }
}

/// Sort orders: for each sort key, the pages having it, ordered by its
/// value, as numbers when every value is one.
fn sort_orders(pages: &[&Slot]) -> Vec<MetaSort> {
    let keys: BTreeSet<&String> = pages.iter().flat_map(|p| p.sort.keys()).collect();
    keys.into_iter()
        .map(|key| {
            let mut values: Vec<(&String, usize)> = pages
                .iter()
                .enumerate()
                .filter_map(|(n, p)| p.sort.get(key).map(|v| (v, n)))
                .collect();
            if values.iter().all(|(v, _)| number_of(v).is_some()) {
                values.sort_by(|a, b| {
                    let (a, b) = (number_of(a.0).unwrap_or(0.0), number_of(b.0).unwrap_or(0.0));
                    a.total_cmp(&b)
                });
            } else {
                values.sort_by_key(|(v, _)| *v);
            }
            MetaSort {
                sort: key.clone(),
                pages: values.into_iter().map(|(_, n)| n).collect(),
            }
        })
        .collect()
}

fn number_of(value: &str) -> Option<f32> {
    value
        .parse::<i32>()
        .map(|i| i as f32)
        .ok()
        .or_else(|| value.parse::<f32>().ok())
}

/// The names given to one kind of file of a language.
struct FileNames {
    /// `fr_` and seven hex digits: the shortest name.
    shortest: usize,
    taken: HashSet<String>,
}

impl FileNames {
    fn new(language: &str) -> Self {
        FileNames {
            shortest: language.len() + 8,
            taken: HashSet::new(),
        }
    }

    /// The shortest name from `full` (`fr_3a9c…`) not given yet.
    fn claim(&mut self, full: &str) -> String {
        let mut length = self.shortest;
        while self.taken.contains(prefix(full, length)) && length < full.len() {
            length += 1;
        }
        let name = prefix(full, length).to_string();
        self.taken.insert(name.clone());
        name
    }
}

fn prefix(text: &str, length: usize) -> &str {
    &text[..length.min(text.len())]
}

/// SHA-1 of the data, each byte in lowercase hex without a leading zero:
/// Pagefind names its files so, and matching it keeps an unchanged page's
/// files the same names whichever of the two wrote them.
fn hex_hash(data: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(40);
    for byte in Sha1::digest(data) {
        let _ = write!(hex, "{byte:x}");
    }
    hex
}

/// Gzip of [`SIGNATURE`] and `data`. Each thread keeps its compressor:
/// making one clears some hundred kilobytes of tables, as much work as
/// compressing a page's fragment. Level 2 makes files 3 to 5 % larger
/// than zlib's default and takes a third less time.
pub(super) fn gzip(data: &[u8]) -> Result<Vec<u8>, String> {
    thread_local! {
        static DEFLATE: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::new(2), false));
    }
    // The header flate2's `GzEncoder` writes: no name, no time, unknown OS.
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    out.extend_from_slice(&HEADER);
    let mut crc = Crc::new();
    crc.update(SIGNATURE);
    crc.update(data);
    DEFLATE.with(|deflate| {
        let mut deflate = deflate.borrow_mut();
        deflate.reset();
        compress_into(&mut deflate, SIGNATURE, &mut out, FlushCompress::None)?;
        compress_into(&mut deflate, data, &mut out, FlushCompress::Finish)
    })?;
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out.shrink_to_fit();
    Ok(out)
}

/// Feeds all of `input` to the compressor, growing `out` as it needs; with
/// `Finish`, until the stream is ended.
fn compress_into(
    deflate: &mut Compress,
    input: &[u8],
    out: &mut Vec<u8>,
    flush: FlushCompress,
) -> Result<(), String> {
    let start = deflate.total_in();
    loop {
        let offset = (deflate.total_in() - start) as usize;
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(256));
        }
        let status = deflate
            .compress_vec(&input[offset..], out, flush)
            .map_err(|err| err.to_string())?;
        let done = (deflate.total_in() - start) as usize == input.len();
        let finished = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            _ => done,
        };
        if finished {
            return Ok(());
        }
    }
}

fn cbor<T: Encode<()>>(value: &T) -> Result<Vec<u8>, String> {
    minicbor::to_vec(value).map_err(|err| err.to_string())
}

/// A language's files, named under the bundle folder.
pub(super) struct LanguageFiles {
    pub files: Vec<(String, Vec<u8>)>,
    /// `fr_3a9c0d1e2f`, as `pagefind-entry.json` names it.
    pub meta_name: String,
    pub page_count: usize,
}

impl LanguageFiles {
    /// The name of the metadata file and the page count.
    pub(super) fn summary(&self) -> (String, usize) {
        (self.meta_name.clone(), self.page_count)
    }
}

// The data of the index files. Field numbers are the format's: the script
// reads each structure as a CBOR array in this order.

#[derive(Encode, Default)]
struct MetaIndex {
    #[n(0)]
    version: String,
    #[n(1)]
    pages: Vec<MetaPage>,
    #[n(2)]
    index_chunks: Vec<MetaChunk>,
    #[n(3)]
    filters: Vec<MetaFilter>,
    #[n(4)]
    sorts: Vec<MetaSort>,
    #[n(5)]
    meta_fields: Vec<String>,
}

#[derive(Encode)]
struct MetaPage {
    #[n(0)]
    hash: String,
    #[n(1)]
    word_count: u32,
    #[n(2)]
    group_hash: String,
}

#[derive(Encode, Debug, PartialEq)]
struct MetaChunk {
    #[n(0)]
    from: String,
    #[n(1)]
    to: String,
    #[n(2)]
    hash: String,
}

#[derive(Encode)]
struct MetaFilter {
    #[n(0)]
    filter: String,
    #[n(1)]
    hash: String,
}

#[derive(Encode)]
struct MetaSort {
    #[n(0)]
    sort: String,
    #[n(1)]
    pages: Vec<usize>,
}

#[derive(Encode)]
struct WordIndex {
    #[n(0)]
    words: Vec<PackedWord>,
}

#[derive(Encode)]
struct PackedWord {
    #[n(0)]
    word: String,
    #[n(1)]
    pages: Vec<PackedPage>,
    #[n(2)]
    additional_variants: Vec<PackedVariant>,
}

#[derive(Encode)]
struct PackedVariant {
    #[n(0)]
    form: String,
    #[n(1)]
    pages: Vec<PackedPage>,
}

#[derive(Encode)]
struct PackedPage {
    #[n(0)]
    page_number: usize,
    #[n(1)]
    locs: Vec<i32>,
    #[n(2)]
    meta_locs: Vec<i32>,
}

#[derive(Encode)]
struct FilterIndex {
    #[n(0)]
    filter: String,
    #[n(1)]
    values: Vec<PackedValue>,
}

#[derive(Encode)]
struct PackedValue {
    #[n(0)]
    value: String,
    #[n(1)]
    pages: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_ranges_are_cut_to_telling_prefixes() {
        let chunk = |from: &str, to: &str| MetaChunk {
            from: from.into(),
            to: to.into(),
            hash: String::new(),
        };
        let mut chunks = vec![
            chunk("apple", "apple"),
            chunk("apricot", "banana"),
            chunk("peach", "peach"),
        ];
        trim_chunk_ranges(&mut chunks);
        assert_eq!(chunks[0], chunk("apple", "apple"));
        assert_eq!(chunks[1], chunk("apr", "b"));
        assert_eq!(chunks[2], chunk("p", "peach"));
    }

    #[test]
    fn values_read_back_as_written() {
        let values = [
            0,
            1,
            -1,
            63,
            -64,
            64,
            127,
            128,
            300,
            -25,
            i32::MAX,
            i32::MIN,
        ];
        let mut bytes = Vec::new();
        for value in values {
            push_value(&mut bytes, value);
        }
        assert_eq!(bytes[..3], [0, 2, 1], "small values take a byte");
        let mut at = 0;
        let read: Vec<i32> = values
            .iter()
            .map(|_| read_value(&bytes, &mut at).unwrap())
            .collect();
        assert_eq!(read, values);
        assert_eq!(at, bytes.len());
        assert_eq!(read_value(&bytes, &mut at), None);
        assert_eq!(read_value(&[0x80, 0x80], &mut 0), None, "cut short");
    }

    #[test]
    fn hashes_are_written_without_leading_zeros() {
        // SHA-1 of "" is da39a3ee5e6b4b0d3255bfef95601890afd80709.
        assert_eq!(hex_hash(b""), "da39a3ee5e6b4bd3255bfef95601890afd879");
    }
}
