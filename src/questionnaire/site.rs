//! The municipality's face (`surveys/site.toml`): its name, logo and colours on every
//! resident page, how residents reach it, and the facts the pages about the survey, privacy
//! and accessibility state. Every fault is `file:line: message`, all of them collected;
//! unknown keys are refused, and so are colours whose text contrast is under 4.5:1.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::checker::line_of;
use super::colour::{Colour, NON_TEXT_CONTRAST, TEXT_CONTRAST, contrast, ratio_text};
use super::fault::Fault;
use super::model::{SOURCE_LANGUAGE, Text};

/// Largest `site.toml` read; the bundled one is about 4 kB.
pub const MAX_SITE_BYTES: u64 = 64 * 1024;
/// Largest logo file; a logo for a header is a few kB.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// The focus ring every resident page draws (`style.css`: `--focus-dark` inside,
/// `--focus-light` outside): one of them must stand out from each background it is drawn on.
pub const FOCUS_DARK: Colour = Colour([0x0b, 0x0c, 0x0c]);
pub const FOCUS_LIGHT: Colour = Colour([0xff, 0xdd, 0x00]);

/// The organisation behind the survey, as its resident pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The organisation's name (`Linköpings kommun`).
    pub name: Text,
    /// Who runs the survey with it (`Polisen`).
    pub partner: Text,
    pub logo: Logo,
    pub email: String,
    pub phone: String,
    pub colours: SiteColours,
    pub privacy: Privacy,
    pub accessibility: Accessibility,
}

impl Site {
    /// A face without logo, contact or statements, for pages rendered outside a server
    /// (tests, tools); `trygg serve` always loads `site.toml` and refuses to start without it.
    pub fn neutral() -> Site {
        let text = |s: &str| Text([("sv".to_string(), s.to_string())].into());
        let grey = Colour([0x1b, 0x1b, 0x1b]);
        Site {
            name: text("trygg"),
            partner: text("Polisen"),
            logo: Logo {
                bytes: Vec::new(),
                content_type: "image/svg+xml",
            },
            email: String::new(),
            phone: String::new(),
            colours: SiteColours {
                brand: Colour::WHITE,
                brand_text: grey,
                link: Colour([0x0b, 0x4f, 0x8a]),
                text: grey,
            },
            privacy: Privacy {
                controller: text("trygg"),
                dpo_email: String::new(),
                legal_basis: text(""),
                retention: text(""),
            },
            accessibility: Accessibility {
                status: Compliance::None,
                issues: Vec::new(),
                statement_date: NaiveDate::default(),
                supervisor: text("Myndigheten för digital förvaltning (DIGG)"),
                supervisor_form: "https://www.digg.se/tdosanmalan".into(),
            },
        }
    }
}

/// The logo, read when the file is loaded and served from memory at `/site/logo`.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub bytes: Vec<u8>,
    /// `image/svg+xml` or `image/png`.
    pub content_type: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteColours {
    /// The header's background.
    pub brand: Colour,
    /// Text and links on the header.
    pub brand_text: Colour,
    /// Links on the white page.
    pub link: Colour,
    /// Body text on the white page.
    pub text: Colour,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Privacy {
    /// The controller (personuppgiftsansvarig).
    pub controller: Text,
    /// How the data protection officer is reached.
    pub dpo_email: String,
    pub legal_basis: Text,
    pub retention: Text,
}

/// How far the resident pages comply with the Swedish law on accessible public digital
/// services (DOS-lagen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compliance {
    Full,
    Partial,
    None,
}

impl Compliance {
    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::Full => "full",
            Compliance::Partial => "partial",
            Compliance::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Accessibility {
    pub status: Compliance,
    pub issues: Vec<Text>,
    pub statement_date: NaiveDate,
    /// The supervisory authority (DIGG) and the address of its form.
    pub supervisor: Text,
    pub supervisor_form: String,
}

type RawText = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    name: Spanned<RawText>,
    partner: Spanned<RawText>,
    logo: Spanned<String>,
    email: Spanned<String>,
    phone: Spanned<String>,
    colours: RawColours,
    privacy: RawPrivacy,
    accessibility: RawAccessibility,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColours {
    brand: Spanned<String>,
    brand_text: Spanned<String>,
    link: Spanned<String>,
    text: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrivacy {
    controller: Spanned<RawText>,
    dpo_email: Spanned<String>,
    legal_basis: Spanned<RawText>,
    retention: Spanned<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccessibility {
    status: Spanned<String>,
    #[serde(default)]
    issues: Vec<Spanned<RawText>>,
    statement_date: Spanned<String>,
    supervisor: Spanned<RawText>,
    supervisor_form: Spanned<String>,
}

/// Collects the faults of one file.
struct Faults<'a> {
    file: &'a str,
    src: &'a str,
    all: Vec<Fault>,
}

impl Faults<'_> {
    fn push(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.all.push(Fault {
            file: self.file.to_string(),
            line: line_of(self.src, span.start),
            message: message.into(),
        });
    }

    /// A text per language: Swedish required, every language one of the page catalogue's.
    fn text(&mut self, raw: &Spanned<RawText>, what: &str) -> Text {
        let map = raw.get_ref();
        if map.get(SOURCE_LANGUAGE).is_none_or(|t| t.trim().is_empty()) {
            self.push(
                raw.span(),
                format!("{what}: the Swedish text (sv) is required"),
            );
        }
        for (lang, t) in map {
            if !crate::i18n::is_supported(lang) {
                self.push(raw.span(), format!("{what}: unknown language \"{lang}\""));
            } else if t.trim().is_empty() {
                self.push(raw.span(), format!("{what}: empty text for \"{lang}\""));
            }
        }
        Text(map.clone())
    }

    fn colour(&mut self, raw: &Spanned<String>, what: &str) -> Option<Colour> {
        let c = Colour::parse(raw.get_ref().trim());
        if c.is_none() {
            let shown = raw.get_ref();
            self.push(
                raw.span(),
                format!("{what} \"{shown}\" is not a colour like #00558c"),
            );
        }
        c
    }

    fn email(&mut self, raw: &Spanned<String>, what: &str) -> String {
        let e = raw.get_ref().trim();
        let ok = e.len() <= 254
            && e.split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'))
            && !e
                .chars()
                .any(|c| c.is_whitespace() || "<>\"'()[];:,\\".contains(c));
        if !ok {
            self.push(
                raw.span(),
                format!("{what} \"{e}\" is not an e-mail address"),
            );
        }
        e.to_string()
    }
}

/// Parses `site.toml`. `logo` reads the logo a path names (relative to the surveys
/// folder) or says why it cannot be used.
pub fn parse_site(
    file: &str,
    src: &str,
    logo: &dyn Fn(&str) -> Result<Logo, String>,
) -> Result<Site, Vec<Fault>> {
    let mut f = Faults {
        file,
        src,
        all: Vec::new(),
    };
    let raw: RawSite = match toml::from_str(src) {
        Ok(raw) => raw,
        Err(e) => {
            f.push(e.span().unwrap_or(0..0), e.message().trim().to_string());
            return Err(f.all);
        }
    };
    let colours = colours(&mut f, &raw.colours);
    let site = Site {
        name: f.text(&raw.name, "name"),
        partner: f.text(&raw.partner, "partner"),
        logo: logo_file(&mut f, &raw.logo, logo),
        email: f.email(&raw.email, "email"),
        phone: phone(&mut f, &raw.phone),
        colours,
        privacy: Privacy {
            controller: f.text(&raw.privacy.controller, "privacy.controller"),
            dpo_email: f.email(&raw.privacy.dpo_email, "privacy.dpo_email"),
            legal_basis: f.text(&raw.privacy.legal_basis, "privacy.legal_basis"),
            retention: f.text(&raw.privacy.retention, "privacy.retention"),
        },
        accessibility: accessibility(&mut f, &raw.accessibility),
    };
    if f.all.is_empty() {
        Ok(site)
    } else {
        Err(f.all)
    }
}

/// The colours, each pair of text and background at 4.5:1 at least, and the focus ring
/// standing out from the header at 3:1. A colour that is not one is a fault of its own.
fn colours(f: &mut Faults, raw: &RawColours) -> SiteColours {
    let brand = f.colour(&raw.brand, "colours.brand");
    let brand_text = f.colour(&raw.brand_text, "colours.brand_text");
    let link = f.colour(&raw.link, "colours.link");
    let text = f.colour(&raw.text, "colours.text");
    let white = Some(Colour::WHITE);
    let pairs = [
        (
            &raw.brand_text,
            "colours.brand_text",
            brand_text,
            "colours.brand",
            brand,
        ),
        (&raw.link, "colours.link", link, "the white page", white),
        (&raw.text, "colours.text", text, "the white page", white),
    ];
    for (span, what, fore, on, back) in pairs {
        let (Some(fore), Some(back)) = (fore, back) else {
            continue;
        };
        let ratio = contrast(fore, back);
        if ratio < TEXT_CONTRAST {
            f.push(
                span.span(),
                format!(
                    "{what} {fore} on {on} {back} has a contrast of {}; text needs at least {TEXT_CONTRAST}:1",
                    ratio_text(ratio)
                ),
            );
        }
    }
    if let Some(brand) = brand {
        let ring = contrast(FOCUS_DARK, brand).max(contrast(FOCUS_LIGHT, brand));
        if ring < NON_TEXT_CONTRAST {
            f.push(
                raw.brand.span(),
                format!(
                    "colours.brand {brand}: the focus ring ({FOCUS_DARK} and {FOCUS_LIGHT}) reaches only {} on it; it needs {NON_TEXT_CONTRAST}:1",
                    ratio_text(ring)
                ),
            );
        }
    }
    let or_white = |c: Option<Colour>| c.unwrap_or(Colour::WHITE);
    SiteColours {
        brand: or_white(brand),
        brand_text: or_white(brand_text),
        link: or_white(link),
        text: or_white(text),
    }
}

fn phone(f: &mut Faults, raw: &Spanned<String>) -> String {
    let p = raw.get_ref().trim();
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let ok =
        (5..=20).contains(&digits) && p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if !ok {
        f.push(
            raw.span(),
            format!("phone \"{p}\" is not a telephone number (digits, spaces, + - and brackets)"),
        );
    }
    p.to_string()
}

fn logo_file(
    f: &mut Faults,
    raw: &Spanned<String>,
    read: &dyn Fn(&str) -> Result<Logo, String>,
) -> Logo {
    let path = raw.get_ref().trim();
    let inside = !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    let result = if inside {
        read(path)
    } else {
        Err("must be a path inside the surveys folder, like assets/logo.svg".into())
    };
    result.unwrap_or_else(|why| {
        f.push(raw.span(), format!("logo \"{path}\": {why}"));
        Logo {
            bytes: Vec::new(),
            content_type: "image/svg+xml",
        }
    })
}

fn accessibility(f: &mut Faults, raw: &RawAccessibility) -> Accessibility {
    let status = match raw.status.get_ref().as_str() {
        "full" => Compliance::Full,
        "partial" => Compliance::Partial,
        "none" => Compliance::None,
        other => {
            f.push(
                raw.status.span(),
                format!("accessibility.status \"{other}\" must be full, partial or none"),
            );
            Compliance::None
        }
    };
    let issues: Vec<Text> = (raw.issues.iter())
        .map(|i| f.text(i, "accessibility.issues"))
        .collect();
    if status != Compliance::Full && issues.is_empty() {
        f.push(
            raw.status.span(),
            format!(
                "accessibility.status is \"{}\": list the known issues in accessibility.issues",
                status.as_str()
            ),
        );
    }
    let day = raw.statement_date.get_ref();
    let statement_date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_else(|_| {
        f.push(
            raw.statement_date.span(),
            format!("accessibility.statement_date \"{day}\" is not a date like 2026-09-01"),
        );
        NaiveDate::default()
    });
    let form = raw.supervisor_form.get_ref().trim();
    if !form.starts_with("https://") || form.chars().any(|c| c.is_whitespace() || c == '"') {
        f.push(
            raw.supervisor_form.span(),
            format!("accessibility.supervisor_form \"{form}\" is not an https:// address"),
        );
    }
    Accessibility {
        status,
        issues,
        statement_date,
        supervisor: f.text(&raw.supervisor, "accessibility.supervisor"),
        supervisor_form: form.to_string(),
    }
}

/// Reads a logo file: an SVG without scripts, event handlers or embedded pages, or a PNG.
pub fn read_logo(path: &Path) -> Result<Logo, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    if size > MAX_LOGO_BYTES as u64 {
        return Err(format!(
            "the file is {size} bytes; a logo may be at most {MAX_LOGO_BYTES}"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "svg" => {
            let text = std::str::from_utf8(&bytes).map_err(|_| "not valid UTF-8".to_string())?;
            svg_fault(text).map_or(Ok(()), Err)?;
            Ok(Logo {
                bytes,
                content_type: "image/svg+xml",
            })
        }
        "png" if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => Ok(Logo {
            bytes,
            content_type: "image/png",
        }),
        "png" => Err("not a PNG file".into()),
        _ => Err("a logo must be an .svg or a .png file".into()),
    }
}

/// What makes an SVG unfit for a logo: no `<svg>`, or anything that could run or load.
fn svg_fault(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("<svg") {
        return Some("not an SVG image".into());
    }
    for bad in [
        "<script",
        "javascript:",
        "<foreignobject",
        "<iframe",
        "<!entity",
    ] {
        if lower.contains(bad) {
            return Some(format!("an SVG logo may not contain {bad}"));
        }
    }
    // Event handler attributes: ` onload=`, `\tonclick =` …
    let b = lower.as_bytes();
    for (i, _) in lower.match_indices("on") {
        let after_space = i > 0 && b[i - 1].is_ascii_whitespace();
        let name_end = b[i..]
            .iter()
            .position(|c| !c.is_ascii_alphabetic())
            .map_or(b.len(), |n| i + n);
        let rest = lower[name_end..].trim_start();
        if after_space && name_end > i + 2 && rest.starts_with('=') {
            return Some(format!(
                "an SVG logo may not contain event handlers ({})",
                &lower[i..name_end]
            ));
        }
    }
    None
}

/// Reads and parses a `site.toml`; the logo is read relative to the file's folder.
pub fn load_site(path: &Path) -> Result<Site, Vec<Fault>> {
    let name = path.display().to_string();
    let src = super::fault::read_limited(path, MAX_SITE_BYTES, "site.toml")?;
    let folder = path.parent().unwrap_or(Path::new("."));
    parse_site(&name, &src, &|logo| read_logo(&folder.join(logo)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_handlers_and_scripts_are_refused_in_a_logo() {
        assert_eq!(svg_fault("<svg><rect width='1'/></svg>"), None);
        assert_eq!(svg_fault("<svg><text>on time</text></svg>"), None);
        assert!(svg_fault("<svg onload=\"x()\"></svg>").is_some());
        assert!(svg_fault("<svg>\n<a\tonclick = 'x'/></svg>").is_some());
        assert!(svg_fault("<svg><script>x</script></svg>").is_some());
        assert!(svg_fault("<html></html>").is_some());
    }
}
