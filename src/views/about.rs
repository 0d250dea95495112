//! The pages about the site, in every language: who runs the survey and why (`/om`), how
//! personal data is handled (`/integritet`) and the accessibility statement after DIGG's
//! model (`/tillganglighet`). Their facts come from the site settings (`surveys/site.toml`),
//! their sentences from the page catalogue.

use maud::{Markup, html};

use super::face::{contact, fallback, said};
use super::layout::layout;
use crate::i18n::Lang;
use crate::questionnaire::{Compliance, Site};

/// The contact paragraph every one of the three pages ends with.
fn contact_block(lang: &Lang, site: &Site) -> Markup {
    html! {
        h2 { (lang.t("contact_heading")) }
        p { (lang.tf("contact_body", &[("org", site.name.get(lang.code()))])) }
        p.contact { (contact(lang, site)) }
    }
}

/// `/om`: who runs the survey, why, how residents are chosen, and whom to ask.
pub fn about_page(lang: &Lang, site: &Site) -> Markup {
    let l = lang.code();
    let org = site.name.get(l);
    let partner = site.partner.get(l);
    layout(
        lang,
        lang.t("about_title"),
        "/om",
        &[],
        html! {
            h1 { (lang.t("about_title")) }
            p.lead { (lang.tf("about_who", &[("org", org), ("partner", partner)])) }
            h2 { (lang.t("about_why_heading")) }
            p { (lang.t("about_why")) }
            p { (lang.t("about_use")) }
            h2 { (lang.t("about_chosen_heading")) }
            p { (lang.t("about_chosen_sample")) }
            p { (lang.t("about_chosen_open")) }
            p { (lang.t("about_results")) }
            p { a href={ "/integritet?lang=" (l) } { (lang.t("footer_privacy")) } }
            (contact_block(lang, site))
        },
    )
}

/// `/integritet`: the controller, purpose, legal basis, what is and is not stored, for how
/// long, the resident's rights, and the right to complain to IMY.
pub fn privacy_page(lang: &Lang, site: &Site) -> Markup {
    let l = lang.code();
    let controller = site.privacy.controller.get(l);
    let p = &site.privacy;
    layout(
        lang,
        lang.t("privacy_title"),
        "/integritet",
        &[],
        html! {
            h1 { (lang.t("privacy_title")) }
            p.lead { (lang.t("privacy_intro")) }
            h2 { (lang.t("privacy_controller_heading")) }
            p { (lang.tf("privacy_controller", &[("controller", controller)])) }
            @if !p.dpo_email.is_empty() {
                p { (lang.t("privacy_dpo")) ": " a href={ "mailto:" (p.dpo_email) } dir="ltr" { (p.dpo_email) } }
            }
            h2 { (lang.t("privacy_purpose_heading")) }
            p { (lang.t("privacy_purpose")) }
            h2 { (lang.t("privacy_basis_heading")) }
            (said(&p.legal_basis, lang))
            h2 { (lang.t("privacy_stored_heading")) }
            p { (lang.t("privacy_stored")) }
            p { (lang.t("privacy_not_stored")) }
            p { (lang.t("privacy_letters")) }
            p { (lang.t("privacy_free_text")) }
            h2 { (lang.t("privacy_retention_heading")) }
            (said(&p.retention, lang))
            h2 { (lang.t("privacy_rights_heading")) }
            p { (lang.t("privacy_rights")) }
            p { (lang.t("privacy_anonymous")) }
            p { (lang.tf("privacy_ask", &[("controller", controller)])) }
            h2 { (lang.t("privacy_complaint_heading")) }
            p {
                (lang.t("privacy_complaint")) " "
                a href="https://www.imy.se" dir="ltr" { "www.imy.se" }
            }
            (contact_block(lang, site))
        },
    )
}

/// `/tillganglighet`: the accessibility statement after DIGG's model.
pub fn accessibility_page(lang: &Lang, site: &Site) -> Markup {
    let l = lang.code();
    let a = &site.accessibility;
    let status = match a.status {
        Compliance::Full => "a11y_status_full",
        Compliance::Partial => "a11y_status_partial",
        Compliance::None => "a11y_status_none",
    };
    let supervisor = a.supervisor.get(l);
    layout(
        lang,
        lang.t("a11y_title"),
        "/tillganglighet",
        &[],
        html! {
            h1 { (lang.t("a11y_title")) }
            p.lead { (lang.tf("a11y_intro", &[("org", site.name.get(l))])) }
            h2 { (lang.t("a11y_status_heading")) }
            p { (lang.t(status)) }
            h2 { (lang.t("a11y_issues_heading")) }
            @if a.issues.is_empty() {
                p { (lang.t("a11y_no_issues")) }
            } @else {
                ul {
                    @for issue in &a.issues {
                        // The marker stays on the page's side; a Swedish text runs left
                        // to right inside its item.
                        @let sv = fallback(issue, lang);
                        li { div lang=[sv] dir=[sv.map(|_| "ltr")] { (issue.get(l)) } }
                    }
                }
            }
            h2 { (lang.t("a11y_report_heading")) }
            p { (lang.t("a11y_report")) }
            p.contact { (contact(lang, site)) }
            h2 { (lang.t("a11y_supervisor_heading")) }
            p { (lang.tf("a11y_supervisor", &[("supervisor", supervisor)])) }
            p { a href=(a.supervisor_form) { (lang.tf("a11y_supervisor_form", &[("supervisor", supervisor)])) } }
            h2 { (lang.t("a11y_tested_heading")) }
            p { (lang.t("a11y_tested")) }
            p { (lang.tf("a11y_date", &[("date", &a.statement_date.to_string())])) }
        },
    )
}
