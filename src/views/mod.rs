//! HTML with maud: one layout, small components, and the pages.
//!
//! Every text comes from the page catalogue ([`crate::i18n`]) or the questionnaire, and
//! maud escapes everything interpolated, so a resident's free text or a district name
//! can never become markup. Pages link only to our own stylesheet: no scripts, no
//! third-party assets, no cookies.

mod about;
pub mod est_actions;
pub mod est_places;
pub mod est_report;
pub mod est_review;
pub mod est_week;
pub mod explorer;
pub mod face;
mod layout;
pub mod measure;
pub mod overview;
mod paged;
mod paper;
mod questions;
pub mod reports;
pub mod results;
pub mod staff;
mod survey;
pub mod users;

pub use about::{about_page, accessibility_page, privacy_page};
pub use layout::{STYLESHEET, form_layout, layout, message_page};
pub use paper::paper_form;

pub use paged::{PageView, Resume, paged_page};
pub use questions::FormState;
pub use survey::{
    code_box, code_only_page, home_page, receipt_page, survey_page, wave_status_page,
};
