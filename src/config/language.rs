//! Language tags: parsing and normalising BCP 47 tags, and the defaults a site
//! gets when its config does not name a language's autonym or direction.

use crate::model::TextDirection;
use unic_langid::LanguageIdentifier;

/// Parses a BCP 47 tag and returns its canonical spelling (`fr-fr` -> `fr-FR`).
///
/// `fr` and `fr-FR` stay two different tags: matching a folder or suffix
/// against the configured languages compares canonical spellings exactly, so a
/// site that configures only `fr` never silently swallows `fr-FR` pages.
pub(crate) fn normalize_tag(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("the language tag is empty".to_string());
    }
    let tag: LanguageIdentifier = trimmed
        .replace('_', "-")
        .parse()
        .map_err(|err| format!("`{trimmed}` is not a valid BCP 47 language tag ({err})"))?;
    if tag.language.is_empty() {
        return Err(format!("`{trimmed}` has no language subtag"));
    }
    Ok(tag.to_string())
}

/// The primary language subtag (`pt` for `pt-BR`).
pub(crate) fn primary_subtag(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// Whether a folder name or file-name suffix has the shape of a language tag
/// (a two-letter language, optionally followed by subtags: `de`, `pt-BR`,
/// `zh-Hant`). Three-letter names are left out on purpose: folders such as
/// `api` or `faq` are valid ISO 639-3 codes but are almost always sections.
pub(crate) fn looks_like_language_tag(name: &str) -> bool {
    let mut parts = name.split(['-', '_']);
    let first = parts.next().unwrap_or_default();
    first.len() == 2
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && normalize_tag(name).is_ok()
}

/// The language's name in that language, for the switcher. Sites override it in
/// `tolk.toml`; this table only covers common documentation languages.
pub(crate) fn default_autonym(tag: &str) -> Option<&'static str> {
    let name = match tag {
        "pt-BR" => "Português (Brasil)",
        "pt-PT" => "Português (Portugal)",
        "zh-Hans" | "zh-CN" => "简体中文",
        "zh-Hant" | "zh-TW" => "繁體中文",
        "en-US" => "English (US)",
        "en-GB" => "English (UK)",
        "fr-CA" => "Français (Canada)",
        "es-MX" => "Español (México)",
        _ => return autonym_of_language(primary_subtag(tag)),
    };
    Some(name)
}

fn autonym_of_language(language: &str) -> Option<&'static str> {
    let name = match language {
        "ar" => "العربية",
        "cs" => "Čeština",
        "da" => "Dansk",
        "de" => "Deutsch",
        "el" => "Ελληνικά",
        "en" => "English",
        "es" => "Español",
        "fa" => "فارسی",
        "fi" => "Suomi",
        "fr" => "Français",
        "he" => "עברית",
        "hi" => "हिन्दी",
        "hu" => "Magyar",
        "id" => "Bahasa Indonesia",
        "it" => "Italiano",
        "ja" => "日本語",
        "ko" => "한국어",
        "nb" => "Norsk bokmål",
        "nl" => "Nederlands",
        "no" => "Norsk",
        "pl" => "Polski",
        "pt" => "Português",
        "ro" => "Română",
        "ru" => "Русский",
        "sv" => "Svenska",
        "th" => "ไทย",
        "tr" => "Türkçe",
        "uk" => "Українська",
        "ur" => "اردو",
        "vi" => "Tiếng Việt",
        "zh" => "中文",
        _ => return None,
    };
    Some(name)
}

/// Right-to-left unless the tag names a script that runs left to right.
pub(crate) fn default_direction(tag: &str) -> TextDirection {
    const RTL_LANGUAGES: &[&str] = &["ar", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"];
    let has_latin_script = tag.split('-').any(|part| part == "Latn");
    if RTL_LANGUAGES.contains(&primary_subtag(tag)) && !has_latin_script {
        TextDirection::Rtl
    } else {
        TextDirection::Ltr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_underscores() {
        assert_eq!(normalize_tag("fr-fr").unwrap(), "fr-FR");
        assert_eq!(normalize_tag("pt_br").unwrap(), "pt-BR");
        assert_eq!(normalize_tag("zh-hant").unwrap(), "zh-Hant");
        assert_eq!(normalize_tag("SV").unwrap(), "sv");
    }

    #[test]
    fn rejects_invalid_tags() {
        assert!(normalize_tag("").is_err());
        assert!(normalize_tag("français").is_err());
        assert!(normalize_tag("x").is_err());
    }

    #[test]
    fn keeps_regional_tags_distinct() {
        assert_ne!(
            normalize_tag("fr").unwrap(),
            normalize_tag("fr-FR").unwrap()
        );
    }

    #[test]
    fn recognises_language_shaped_names() {
        assert!(looks_like_language_tag("de"));
        assert!(looks_like_language_tag("pt-BR"));
        assert!(!looks_like_language_tag("api"));
        assert!(!looks_like_language_tag("commerce"));
        assert!(!looks_like_language_tag("v1"));
    }

    #[test]
    fn knows_autonyms_and_directions() {
        assert_eq!(default_autonym("nl"), Some("Nederlands"));
        assert_eq!(default_autonym("sv-FI"), Some("Svenska"));
        assert_eq!(default_direction("ar"), TextDirection::Rtl);
        assert_eq!(default_direction("he-IL"), TextDirection::Rtl);
        assert_eq!(default_direction("fr"), TextDirection::Ltr);
    }
}
