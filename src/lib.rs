//! trygg: the yearly local safety survey (trygghetsundersökning) of a municipality and the
//! police — questionnaires, resident pages, durable storage, and (in later modules) the
//! analysis, charts and reports. See ARCHITECTURE.md for where each concern lives.

pub mod analysis;
pub mod auth;
pub mod bench;
pub mod blocking;
pub mod charts;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod est;
pub mod fieldwork;
pub mod files;
pub mod http;
pub mod i18n;
pub mod measure;
pub mod operations;
pub mod progress;
pub mod questionnaire;
pub mod report;
pub mod rng;
pub mod role;
pub mod store;
pub mod strata;
pub mod views;
