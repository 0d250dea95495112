//! What the command line and the staff pages both do, written once: publishing a wave,
//! closing one, drawing a sample, generating the yearly report, importing paper
//! answers, importing EST incident reports, editing the EST places register and inviting a member of
//! staff. Each operation takes values already parsed at the edge (a `&Store`, a wave,
//! dates, paths or bytes) and the actor the audit log names, does the work and logs it,
//! and returns a typed outcome or an [`Error`](crate::error::Error) whose text the caller
//! shows. Flags, form fields and the wording of each face's messages stay with the caller.

mod close;
mod est;
mod import;
mod invite;
mod places;
mod publish;
mod report;
mod sample;
mod wave;

pub use close::close;
pub use est::{
    EstImport, MAX_ORGANISATION_CHARS, check_organisation, import_est_reports,
    week_counts_by_district, week_counts_csv,
};
pub use import::{PaperImport, import_paper};
pub use invite::{Invite, invite_account, invite_staff};
pub use places::{
    MAX_PLACE_NAME_CHARS, PlaceEdit, PlaceRegister, current_places, edit_places, place_from,
};
pub use publish::{Publication, publish_wave};
pub use report::generate_report;
pub use sample::{FrameSource, SampleRequest, Sampled, sample};
pub use wave::published;
