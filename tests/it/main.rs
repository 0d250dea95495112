//! trygg's integration tests: one test binary, one module per area.

mod cli;
mod demo;
mod durability;
mod helpers;
mod pages;
mod publish;
mod questionnaire;
mod submit;
