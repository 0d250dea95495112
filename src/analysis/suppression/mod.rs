//! Secondary (complementary) suppression, METHODOLOGY §5b: published totals minus published
//! parts must not give a hidden cell back.
//!
//! For each year and question the results table holds linked relations, each a published
//! total over its parts (weights W_c / W_total):
//! - the municipality over the districts, for every group;
//! - a domain's `all` over the groups of each background dimension, with the respondents who
//!   did not give that dimension as an "unknown" part that is never published;
//!
//! so Σ a_c x_c = 0 with a_total = −1. A hidden cell is a variable in [0, 1] (a mean on its
//! scale's range, normalised); a published one is a constant. Every hidden cell must keep a
//! feasible interval — minimum and maximum of it by linear programming over all relations — at
//! least [`protection_width`] wide; where it does not, the published part with the smallest n
//! of the relation that bounds it most is hidden as well, and the check repeats. Hiding only
//! ever widens intervals, so a cell that passed stays passed and each cell is checked until it
//! passes once.
//!
//! The unknown parts (no answer, or a sex option too rare to weight by) are unknowns of the
//! relations, so they widen the intervals of the cells beside them, but they are not
//! protected themselves: they are no group of the table, and protecting them would hide the
//! sex and age breakdown of nearly every district (the README says so under Privacy).
//! The share and the mean of one question share one hidden flag per cell (§5b rule 3),
//! because the two are checked together as layers of one problem.
//!
//! `table.rs` builds the tables and their relations, `interval.rs` measures a hidden cell's
//! interval, `solve.rs` decides what else to hide.

mod interval;
mod solve;
mod table;

use super::model::{Group, ResultRow, Suppression};
use super::variable::Variable;

pub use table::{CellFacts, protection_width};

/// Applies secondary suppression to the estimate rows of a table. `facts[i]` belongs to
/// `rows[i]`; `districts` is the display order (the municipality comes after them). Returns
/// the number of cells hidden to protect others (a share and a mean of one cell count once).
pub fn protect(
    rows: &mut [ResultRow],
    facts: &[CellFacts],
    vars: &[Variable],
    districts: &[String],
    groups: &[Group],
) -> usize {
    let problems = table::tables(rows, facts, vars, districts, groups);
    let decided: Vec<Vec<Vec<usize>>> = {
        use rayon::prelude::*;
        problems
            .into_par_iter()
            .map(|mut p| {
                p.solve();
                p.secondary_rows()
            })
            .collect()
    };
    let mut cells = 0;
    for cell in decided.into_iter().flatten() {
        cells += 1;
        for i in cell {
            hide(&mut rows[i], Suppression::ProtectsOther);
        }
    }
    cells
}

/// Clears everything a hidden row would publish, keeping only why it is hidden.
pub fn hide(row: &mut ResultRow, reason: Suppression) {
    row.n = None;
    row.n_eff = None;
    row.nonresponse = None;
    row.estimate = None;
    row.se = None;
    row.ci_low = None;
    row.ci_high = None;
    row.var = None;
    row.level = None;
    row.class = None;
    row.uncertain = false;
    row.suppressed = true;
    row.suppression = Some(reason);
}
