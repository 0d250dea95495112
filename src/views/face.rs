//! The municipality's face on every resident page: its logo, name and colours in the header,
//! and in the footer the links to the pages about the survey, privacy and accessibility with
//! its contact.
//!
//! The server runs each request inside [`wearing`] with the site settings it loaded, so the
//! layout, and every page built on it — including error pages made where no state is at
//! hand (an `Error` turned into a response, the request guard) — reaches them through
//! [`current`] without every page function and handler passing them on. Outside a request
//! (a view rendered by a test or a tool) the face is a neutral one without logo or contact.

use std::future::Future;
use std::sync::{Arc, LazyLock};

use maud::{Markup, html};

use crate::i18n::Lang;
use crate::questionnaire::{Site, Text};

tokio::task_local! {
    static FACE: Arc<Site>;
}

static NEUTRAL: LazyLock<Arc<Site>> = LazyLock::new(|| Arc::new(Site::neutral()));

/// Runs `fut` (a request) with `site` as the face of every page it renders.
pub async fn wearing<F: Future>(site: Arc<Site>, fut: F) -> F::Output {
    FACE.scope(site, fut).await
}

/// The face of the page being rendered.
pub fn current() -> Arc<Site> {
    FACE.try_with(Arc::clone)
        .unwrap_or_else(|_| NEUTRAL.clone())
}

/// The site's colours as CSS custom properties, served at `/static/site.css` after the
/// stylesheet. Colours are checked `#rrggbb` values, so nothing else can get into the CSS.
pub fn stylesheet(site: &Site) -> String {
    let c = &site.colours;
    format!(
        ":root {{ --brand: {}; --brand-text: {}; --link: {}; --text: {}; }}\n",
        c.brand, c.brand_text, c.link, c.text
    )
}

/// `Some("sv")` when the site settings have no text in the page's language, so the block
/// that shows the Swedish text instead says so (`lang="sv" dir="ltr"`): a screen reader
/// then reads it as Swedish, and it runs left to right on a right-to-left page.
pub fn fallback(text: &Text, lang: &Lang) -> Option<&'static str> {
    (!text.0.contains_key(lang.code())).then_some("sv")
}

/// A paragraph of the site settings in the page's language, or in Swedish, marked as such.
pub fn said(text: &Text, lang: &Lang) -> Markup {
    let sv = fallback(text, lang);
    html! { p lang=[sv] dir=[sv.map(|_| "ltr")] { (text.get(lang.code())) } }
}

/// A telephone number as a `tel:` address: its digits and a leading `+`.
fn tel(phone: &str) -> String {
    phone
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect()
}

/// The e-mail address and telephone number as links, each with its label.
pub fn contact(lang: &Lang, site: &Site) -> Markup {
    html! {
        @if !site.email.is_empty() {
            (lang.t("contact_email")) ": "
            a href={ "mailto:" (site.email) } dir="ltr" { (site.email) }
        }
        @if !site.email.is_empty() && !site.phone.is_empty() { " · " }
        @if !site.phone.is_empty() {
            (lang.t("contact_phone")) ": "
            a href={ "tel:" (tel(&site.phone)) } dir="ltr" { (site.phone) }
        }
    }
}

/// The header's link home: the logo (its text alternative the organisation's name) and
/// the name of the service.
pub fn brand(lang: &Lang, site: &Site) -> Markup {
    let l = lang.code();
    html! {
        a.brand href={ "/?lang=" (l) } {
            @if site.logo.bytes.is_empty() {
                span.org { (site.name.get(l)) } " "
            } @else {
                img.logo src="/site/logo" alt=(site.name.get(l)) height="40";
            }
            span.service { (lang.t("site_name")) }
        }
    }
}

/// The footer: the three pages about the site in the page's language, who runs the
/// survey, and how to reach them.
pub fn footer(lang: &Lang, site: &Site) -> Markup {
    let l = lang.code();
    html! {
        footer.site {
            nav aria-label=(lang.t("footer_nav_label")) {
                ul.footer-links {
                    li { a href={ "/om?lang=" (l) } { (lang.t("footer_about")) } }
                    li { a href={ "/integritet?lang=" (l) } { (lang.t("footer_privacy")) } }
                    li { a href={ "/tillganglighet?lang=" (l) } { (lang.t("footer_accessibility")) } }
                }
            }
            p { (lang.tf("footer_org", &[("org", site.name.get(l)), ("partner", site.partner.get(l))])) }
            @if !site.email.is_empty() || !site.phone.is_empty() {
                p.contact { (contact(lang, site)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_number_becomes_a_tel_address() {
        assert_eq!(tel("013-20 60 00"), "013206000");
        assert_eq!(tel("+46 13 20 60 00"), "+4613206000");
    }
}
