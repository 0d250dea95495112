//! HTML with maud: one layout, small components, and the pages.
//!
//! Every text comes from the page catalogue ([`crate::i18n`]) or the questionnaire, and
//! maud escapes everything interpolated, so a resident's free text or a district name
//! can never become markup. Pages link only to our own stylesheet: no scripts, no
//! third-party assets, no cookies.

pub mod explorer;
mod layout;
pub mod measure;
pub mod overview;
mod paper;
pub mod reports;
pub mod results;
pub mod staff;
mod survey;

pub use layout::{STYLESHEET, layout, message_page};
pub use paper::paper_form;

pub use survey::{
    FormState, code_box, code_only_page, home_page, receipt_page, survey_page, wave_status_page,
};
