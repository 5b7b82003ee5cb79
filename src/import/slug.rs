//! File-name slugs: readable ASCII from any title, the same on every run.

use deunicode::deunicode;

/// Slugs longer than this are cut at a word boundary: paths stay readable.
const MAX_SLUG_CHARS: usize = 60;

/// `Qu’est-ce que B2B et B2C ?` -> `qu-est-ce-que-b2b-et-b2c`.
/// Letters are transliterated (`é` -> `e`, `ß` -> `ss`, `Ö` -> `o`), anything
/// else separates words; an empty result becomes `page`.
pub(super) fn slugify(title: &str) -> String {
    let ascii = deunicode(title).to_ascii_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut slug = String::new();
    for word in words {
        if !slug.is_empty() && slug.len() + 1 + word.len() > MAX_SLUG_CHARS {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        return "page".to_string();
    }
    slug.truncate(MAX_SLUG_CHARS);
    slug
}

/// `slug`, or `slug-2`, `slug-3`… when `taken` already holds it.
pub(super) fn unique(slug: String, taken: &mut std::collections::HashSet<String>) -> String {
    if taken.insert(slug.clone()) {
        return slug;
    }
    let unique = (2..)
        .map(|n| format!("{slug}-{n}"))
        .find(|candidate| !taken.contains(candidate));
    let unique = unique.unwrap_or(slug);
    taken.insert(unique.clone());
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_titles_to_readable_ascii() {
        assert_eq!(
            slugify("Qu’est-ce que B2B et B2C ?"),
            "qu-est-ce-que-b2b-et-b2c"
        );
        assert_eq!(slugify("Vad är B2B och B2C?"), "vad-ar-b2b-och-b2c");
        assert_eq!(slugify("Größe & Übersicht"), "grosse-ubersicht");
        assert_eq!(slugify("¿Qué es el B2B?"), "que-es-el-b2b");
        assert_eq!(slugify("?!"), "page");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let slug = slugify(
            "Apprenez les différences entre B2C et B2B et comment elles affectent la stratégie marketing de votre entreprise.",
        );
        assert_eq!(
            slug,
            "apprenez-les-differences-entre-b2c-et-b2b-et-comment-elles"
        );
        assert!(slug.len() <= MAX_SLUG_CHARS);
    }

    #[test]
    fn repeated_slugs_get_a_number() {
        let mut taken = std::collections::HashSet::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a-2");
        assert_eq!(unique("a".into(), &mut taken), "a-3");
    }
}
