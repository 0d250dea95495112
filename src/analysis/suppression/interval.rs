//! How wide a hidden cell's feasible interval is: from one relation alone, from every
//! relation of its layer by linear programming, and from the share and mean layers solved
//! together through option frequencies.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::super::variable::Kind;
use super::table::Table;

/// Cells whose interval is narrower than the protection width by less than this are accepted:
/// the linear programs are solved in floating point.
pub(super) const TOLERANCE: f64 = 1e-9;

/// The width of an objective's range: the linear program `build` makes, maximised less
/// minimised; `None` when the solver gives no answer.
fn spread(build: impl Fn(OptimizationDirection) -> Problem) -> Option<f64> {
    let optimum = |direction| match build(direction).solve().ok()? {
        microlp::SolveOutcome::Solution(s) => Some(s.objective()),
        microlp::SolveOutcome::Interrupted(_) => None,
    };
    let lo = optimum(OptimizationDirection::Minimize)?;
    let hi = optimum(OptimizationDirection::Maximize)?;
    Some(hi - lo)
}

impl Table {
    /// The interval of cell `j` from one relation alone, the other hidden parts free.
    pub(super) fn single_width(&self, l: usize, eq: &[(usize, f64)], j: usize) -> f64 {
        let mut rhs = 0.0;
        let (mut lo, mut hi) = (0.0, 0.0);
        let mut a_j = 0.0;
        for &(c, a) in eq {
            if c == j {
                a_j = a;
            } else if self.hidden[c] {
                lo += a.min(0.0);
                hi += a.max(0.0);
            } else {
                rhs -= a * self.known(l, c);
            }
        }
        if a_j == 0.0 {
            return 1.0;
        }
        let (x1, x2) = ((rhs - hi) / a_j, (rhs - lo) / a_j);
        let (lo, hi) = (x1.min(x2).max(0.0), x1.max(x2).min(1.0));
        (hi - lo).max(0.0)
    }

    /// The feasible interval's width of cell `j` given every relation, by linear programming;
    /// `None` when the solver gives no answer (then the cell is treated as exposed).
    fn joint_width(&self, l: usize, j: usize) -> Option<f64> {
        let eqs = &self.equations[l];
        let build = |direction| {
            let mut lp = Problem::new(direction);
            let mut vars = HashMap::new();
            for (_, eq) in eqs {
                for &(c, _) in eq {
                    if self.hidden[c] && !vars.contains_key(&c) {
                        let objective = if c == j { 1.0 } else { 0.0 };
                        vars.insert(c, lp.add_var(objective, (0.0, 1.0)));
                    }
                }
            }
            for (_, eq) in eqs {
                let mut rhs = 0.0;
                let mut terms = Vec::new();
                for &(c, a) in eq {
                    match vars.get(&c) {
                        Some(&v) => terms.push((v, a)),
                        None => rhs -= a * self.known(l, c),
                    }
                }
                if !terms.is_empty() {
                    lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, rhs);
                }
            }
            lp
        };
        spread(build)
    }

    /// The width of cell `j`'s interval in layer `l` when the share and the mean layer are
    /// solved together through option frequencies f[c][o] (every cell's sum to 1, a
    /// published cell's counted sum its share and scored sum its mean, and every relation
    /// holding option by option). `None` when the question has no second layer, their
    /// weights differ, or the solver gives no answer.
    fn coupled_width(&self, l: usize, j: usize) -> Option<f64> {
        let scale = self.scale.as_ref()?;
        let share = self.layers.iter().position(|x| x.kind == Kind::Share)?;
        let mean = self.layers.iter().position(|x| x.kind == Kind::Mean)?;
        let (ws, wm) = (&self.layers[share].w, &self.layers[mean].w);
        if ws
            .iter()
            .zip(wm)
            .any(|(a, b)| (a - b).abs() > 1e-9 * a.abs().max(1.0))
        {
            return None;
        }
        let goal = if self.layers[l].kind == Kind::Share {
            &scale.counted
        } else {
            &scale.score
        };
        let build = |direction| {
            let mut lp = Problem::new(direction);
            let mut f: HashMap<usize, Vec<microlp::Variable>> = HashMap::new();
            for c in (0..ws.len()).filter(|&c| ws[c] > 0.0) {
                let vars: Vec<microlp::Variable> = (0..goal.len())
                    .map(|o| lp.add_var(if c == j { goal[o] } else { 0.0 }, (0.0, 1.0)))
                    .collect();
                let all: Vec<(microlp::Variable, f64)> = vars.iter().map(|&v| (v, 1.0)).collect();
                lp.add_constraint(all.as_slice(), ComparisonOp::Eq, 1.0);
                if !self.hidden[c] {
                    for (weights, layer) in [(&scale.counted, share), (&scale.score, mean)] {
                        let terms: Vec<(microlp::Variable, f64)> =
                            vars.iter().zip(weights).map(|(&v, &a)| (v, a)).collect();
                        lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, self.known(layer, c));
                    }
                }
                f.insert(c, vars);
            }
            for rel in &self.relations {
                let total = rel[0];
                let Some(ft) = f.get(&total) else { continue };
                for o in 0..goal.len() {
                    let mut terms = vec![(ft[o], -1.0)];
                    terms.extend(
                        rel[1..]
                            .iter()
                            .filter_map(|p| f.get(p).map(|fp| (fp[o], ws[*p] / ws[total]))),
                    );
                    lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, 0.0);
                }
            }
            lp
        };
        spread(build)
    }

    /// The width of cell `j`'s feasible interval given every relation (0 when the solver
    /// gives no answer: then the cell counts as exposed).
    pub(super) fn joint(&self, l: usize, j: usize) -> f64 {
        let alone = self.joint_width(l, j).unwrap_or(0.0);
        // The layers together can only be narrower; solve them together only when the
        // layer alone leaves the cell wide.
        if alone < self.layers[l].width - TOLERANCE || self.scale.is_none() {
            return alone;
        }
        match self.coupled_width(l, j) {
            Some(w) => w,
            // No second layer of the same weights: the layer alone is the whole story.
            None if !self.coupled() => alone,
            None => 0.0,
        }
    }

    /// Whether the share and mean layers are both there to be solved together.
    fn coupled(&self) -> bool {
        self.scale.is_some()
            && self.layers.iter().any(|l| l.kind == Kind::Share)
            && self.layers.iter().any(|l| l.kind == Kind::Mean)
    }
}
