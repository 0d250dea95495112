//! What the analysis estimates: every indicator of a questionnaire as a share, every scale
//! as a mean — the variables the sums, estimates and suppression are keyed by.

use crate::questionnaire::{QuestionKind, Questionnaire};

/// What an analysis variable estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Weighted share of the counted options (an indicator).
    Share,
    /// Weighted mean of a scale question's scores.
    Mean,
    /// Mean index level of a block of indicators.
    Index,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Share => "share",
            Kind::Mean => "mean",
            Kind::Index => "index",
        }
    }
}

/// One estimated quantity: a question's indicator share or its scale mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub code: String,
    pub kind: Kind,
    /// (option position, y): y is 1/0 for a share, the score for a mean.
    pub values: Vec<(u32, f64)>,
    pub norm: Option<f64>,
    pub index: Option<String>,
}

impl Variable {
    /// An estimate on 0..1: a share as it is, a mean by its scale's range (for the
    /// protection intervals of METHODOLOGY §5b).
    pub fn normalised(&self, x: f64) -> f64 {
        if self.kind != Kind::Mean {
            return x;
        }
        let lo = self
            .values
            .iter()
            .map(|v| v.1)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .values
            .iter()
            .map(|v| v.1)
            .fold(f64::NEG_INFINITY, f64::max);
        if hi > lo { (x - lo) / (hi - lo) } else { 0.5 }
    }
}

/// The variables of a questionnaire: every indicator as a share, every scale as a mean.
pub fn variables(q: &Questionnaire) -> Vec<Variable> {
    let mut out = Vec::new();
    fn positions(
        question: &crate::questionnaire::Question,
    ) -> Vec<(u32, &crate::questionnaire::Choice)> {
        question
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.dont_know)
            .map(|(i, o)| (i as u32, o))
            .collect()
    }
    for (question, ind) in q.indicators() {
        if question.kind == QuestionKind::Multi {
            continue;
        }
        out.push(Variable {
            code: question.code.clone(),
            kind: Kind::Share,
            values: positions(question)
                .into_iter()
                .map(|(p, o)| {
                    (
                        p,
                        if ind.counts.contains(&o.code) {
                            1.0
                        } else {
                            0.0
                        },
                    )
                })
                .collect(),
            norm: Some(ind.norm),
            index: ind.index.clone(),
        });
    }
    for question in q.questions.iter().filter(|x| x.kind == QuestionKind::Scale) {
        out.push(Variable {
            code: question.code.clone(),
            kind: Kind::Mean,
            values: positions(question)
                .into_iter()
                .map(|(p, o)| (p, o.score.unwrap_or(f64::from(p) + 1.0)))
                .collect(),
            norm: None,
            index: None,
        });
    }
    out
}
