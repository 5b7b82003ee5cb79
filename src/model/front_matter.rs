//! The front matter of a page: the fields tolk understands, typed, and every
//! key as written for templates.

use serde_json::{Map, Value};

use super::page::Reach;

/// Keys holding a date, in the order they are looked for.
pub const DATE_KEYS: [&str; 2] = ["last-update", "date"];

/// Keys whose file line is kept after reading, for the later stages that
/// point at them (duplicate ids, unreadable dates) and the reader's own
/// checks. Lines of other keys are not needed past the front matter's
/// parse, and a map of every key's line cost 0.5 kB a page.
const POINTED_KEYS: [&str; 6] = [
    "exl-id",
    "lang",
    "slug",
    "aliases",
    DATE_KEYS[0],
    DATE_KEYS[1],
];

/// The file line of each of [`POINTED_KEYS`] the front matter has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLines(Vec<(&'static str, usize)>);

impl KeyLines {
    /// Notes the line of `key`, when it is one of the keys kept.
    pub fn insert(&mut self, key: &str, line: usize) {
        if let Some(&kept) = POINTED_KEYS.iter().find(|&&k| k == key) {
            self.0.retain(|&(k, _)| k != kept);
            self.0.push((kept, line));
        }
    }

    pub fn get(&self, key: &str) -> Option<usize> {
        self.0
            .iter()
            .find(|&&(k, _)| k == key)
            .map(|&(_, line)| line)
    }
}

/// The fields tolk understands, typed, and every other key in `extra`
/// (entities decoded); [`FrontMatter::all`] gives templates every key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub lang: Option<String>,
    /// Adobe Experience League's translation id, shared by all translations.
    pub exl_id: Option<String>,
    pub translation_key: Option<String>,
    pub source_git_commit: Option<String>,
    /// `tm+mt`: translation memory plus machine translation.
    pub workflow_type: Option<String>,
    /// Words in the source-language page (written as `'266'` by Adobe).
    pub source_wordcount: Option<u64>,
    /// Share of human translation in percent (written as `0%`).
    pub ht_degree: Option<u8>,
    /// Place among the pages of its section (an integer; others are ignored).
    pub weight: Option<i64>,
    /// Replaces the last segment of the page's URL (checked to be one safe
    /// path segment).
    pub slug: Option<String>,
    /// Old paths, relative to the language, that redirect to this page.
    pub aliases: Vec<String>,
    /// For `<head>` in place of the title and description, when not blank.
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    /// Every key as a template value, but for the keys whose text is
    /// already one of the fields above: a big site's pages held each title,
    /// description, id and commit twice.
    pub extra: Map<String, Value>,
    /// File lines of the keys later stages (alignment, dates) point at.
    pub key_lines: KeyLines,
}

impl FrontMatter {
    /// The known fields held as text, by key: what `extra` leaves out.
    fn texts(&self) -> [(&'static str, Option<&String>); 7] {
        [
            ("title", self.title.as_ref()),
            ("description", self.description.as_ref()),
            ("lang", self.lang.as_ref()),
            ("exl-id", self.exl_id.as_ref()),
            ("translation-key", self.translation_key.as_ref()),
            ("source-git-commit", self.source_git_commit.as_ref()),
            ("workflow-type", self.workflow_type.as_ref()),
        ]
    }

    /// Moves out of `extra` each key whose value is the text of its typed
    /// field, once both are set from one parse.
    pub fn drop_duplicates(&mut self) {
        let held: Vec<&'static str> = self
            .texts()
            .into_iter()
            .filter(|(key, text)| {
                text.is_some_and(|t| self.extra.get(*key).and_then(Value::as_str) == Some(t))
            })
            .map(|(key, _)| key)
            .collect();
        for key in held {
            self.extra.remove(key);
        }
    }

    /// Every key of the front matter as written (entities decoded), for
    /// templates.
    pub fn all(&self) -> Map<String, Value> {
        let mut all = self.extra.clone();
        for (key, text) in self.texts() {
            if let Some(text) = text {
                all.entry(key)
                    .or_insert_with(|| Value::String(text.clone()));
            }
        }
        all
    }

    /// How far a change from this front matter to `new` reaches (see
    /// [`Reach`]). Every field is named, so a new field does not compile
    /// until its reach is said.
    pub fn reach_of_change(&self, new: &FrontMatter) -> Reach {
        let FrontMatter {
            // In the navigation and switchers of other pages (the page's
            // title is compared by the page).
            title: _,
            // Shown in lists, which are rendered on every rebuild.
            description,
            lang,
            exl_id,
            translation_key,
            source_git_commit,
            workflow_type,
            source_wordcount,
            ht_degree,
            weight,
            slug,
            aliases,
            seo_title,
            seo_description,
            extra,
            key_lines,
        } = new;
        // What places the page among the others: its language, its group,
        // its order in the navigation, its URL and the redirects to it.
        let placed_as_before = *lang == self.lang
            && *exl_id == self.exl_id
            && *translation_key == self.translation_key
            && *weight == self.weight
            && *slug == self.slug
            && *aliases == self.aliases;
        if !placed_as_before {
            return Reach::Site;
        }
        // What staleness and the choice of a fallback's content read.
        let measured_as_before = *source_git_commit == self.source_git_commit
            && *source_wordcount == self.source_wordcount;
        if !measured_as_before {
            return Reach::Group;
        }
        // What only the page itself shows.
        let _ = (
            description,
            workflow_type,
            ht_degree,
            seo_title,
            seo_description,
            extra,
            key_lines,
        );
        Reach::Page
    }
}
