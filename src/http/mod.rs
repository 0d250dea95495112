//! The web server, by audience: the resident's pages (`resident/`), the staff pages
//! (`staff/`), the JSON API (`api.rs`) and the public reports (`reports.rs`), merged into one
//! router in `app.rs`. [`router`] does no I/O, so tests drive it in-process with
//! `tower::ServiceExt::oneshot`; [`serve`] (in `server.rs`) runs it on a listener with
//! connection limits and timeouts until Ctrl-C or SIGTERM.
//!
//! Beside them: `state.rs` (what every handler can reach), `extract.rs` (who may reach a
//! staff route, and the one staff form-post check), `guard.rs` (cross-site refusal, body
//! limits, load shedding), `form.rs` (strict form bodies), `respond.rs` (the pages every
//! handler answers with), `error.rs` (how an error looks), `throttle.rs` and `stuffing.rs`
//! (the in-memory limits on code guesses and open-link answers).

pub mod api;
mod app;
mod client;
mod error;
pub mod extract;
pub mod form;
mod guard;
mod limits;
mod origin;
mod refusals;
mod reports;
mod resident;
mod respond;
mod server;
pub mod staff;
mod state;
pub mod stuffing;
pub mod throttle;

pub use app::router;
pub use extract::forbidden as staff_forbidden;
pub use limits::Limits;
pub use origin::PublicOrigin;
pub use server::{serve, serve_on};
pub use state::{AppState, MAX_BODY_BYTES, MAX_STAFF_UPLOAD_BYTES};
