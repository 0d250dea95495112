//! trygg's integration tests: one test binary, one module per area.

mod analysis;
mod browser;
mod cli;
mod columnar;
mod copy;
mod demo;
mod durability;
mod faults;
mod fieldwork;
mod helpers;
mod languages;
mod layers;
mod pages;
mod privacy;
mod properties;
mod publish;
mod questionnaire;
mod report;
mod resident_results;
mod self_selected;
mod server;
mod sizes;
mod staff;
mod stuffing;
mod submit;
mod suppression;
