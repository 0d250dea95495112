//! Secondary suppression tried as an attacker would (METHODOLOGY §5b): with the published
//! results table, and more than the public knows — every cell's exact number of valid
//! answers, which are its weights in an unweighted year — nothing hidden may be pinned
//! down. The attack is written here from the answers themselves, not from the engine: the
//! linked relations (municipality over districts, a domain over the groups of a dimension,
//! the respondents without that dimension as an unknown part) and a linear program that
//! minimises and maximises each hidden share.

use std::collections::{BTreeSet, HashMap};

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use trygg::analysis::{self, Analysis, Inputs, Kind, Options, Suppression};
use trygg::questionnaire::{Answer, Answers, Questionnaire, Role};

use crate::helpers::*;

/// Districts of different sizes, so small groups are hidden in some and not in others.
const SIZES: [(&str, usize); 4] = [
    ("skaggetorp", 48),
    ("ryd", 75),
    ("berga", 120),
    ("city", 190),
];
const YEARS: [i32; 2] = [2023, 2024];
const ALL: &str = analysis::model::MUNICIPALITY;

/// What the attacker knows of one cell: valid answers (its weight, unweighted) and, to check
/// the model against the published values, how many of them count.
#[derive(Default, Clone, Copy)]
struct Counts {
    n: f64,
    y: f64,
}

/// An unweighted analysis (no population files) of seeded answers, and the answers.
async fn unweighted() -> (Analysis, HashMap<(i32, String), Vec<Answers>>) {
    let dir = tempfile::tempdir().unwrap();
    let surveys = dir.path().join("surveys");
    crate::analysis::copy_dir(&surveys_dir(), &surveys);
    std::fs::remove_dir_all(surveys.join("population")).unwrap();
    let db = TestDb::new().await;
    let q = bundled();
    let mut kept = HashMap::new();
    for year in YEARS {
        for (d, n) in SIZES {
            let answers: Vec<Answers> = trygg::demo::responses(&q, d, year, 7, n).collect();
            fill_wave(&db.store, d, year, answers.clone()).await;
            kept.insert((year, d.to_string()), answers);
        }
    }
    let inputs = Inputs {
        districts: districts(),
        surveys,
    };
    let years = YEARS[0]..=YEARS[1];
    let a = analysis::analyze(&db.store, &inputs, &Options::new(years))
        .await
        .unwrap();
    (a, kept)
}

/// The chosen option of a question, if it is a valid (not "don't know") answer.
fn valid<'a>(q: &Questionnaire, a: &'a Answers, code: &str) -> Option<&'a str> {
    let question = q.questions.iter().find(|x| x.code == code)?;
    match a.0.get(code) {
        Some(Answer::Choice(c))
            if question
                .options
                .iter()
                .any(|o| o.code == *c && !o.dont_know) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// The attacker's counts per (domain, group) of one year and indicator; groups the table
/// does not publish fall into `sex:?` / `age:?`.
fn counts(
    q: &Questionnaire,
    answers: &HashMap<(i32, String), Vec<Answers>>,
    groups: &BTreeSet<String>,
    year: i32,
    code: &str,
    counted: &[String],
) -> HashMap<(String, String), Counts> {
    let sex = q.with_role(Role::Sex).unwrap().code.clone();
    let age = q.with_role(Role::AgeGroup).unwrap().code.clone();
    let mut out: HashMap<(String, String), Counts> = HashMap::new();
    for (d, _) in SIZES {
        for a in &answers[&(year, d.to_string())] {
            let Some(choice) = valid(q, a, code) else {
                continue;
            };
            let y = if counted.iter().any(|c| c == choice) {
                1.0
            } else {
                0.0
            };
            let group = |dim: &str, role_code: &str| {
                let g = valid(q, a, role_code).map(|c| format!("{dim}:{c}"));
                match g {
                    Some(g) if groups.contains(&g) => g,
                    _ => format!("{dim}:?"),
                }
            };
            for g in ["all".to_string(), group("sex", &sex), group("age", &age)] {
                for domain in [d, ALL] {
                    let c = out.entry((domain.to_string(), g.clone())).or_default();
                    c.n += 1.0;
                    c.y += y;
                }
            }
        }
    }
    out
}

/// A cell: (domain, group) as the written table names them.
type Cell = (String, String);

/// The linked relations of one year and indicator, as (total, parts).
fn relations(groups: &BTreeSet<String>) -> Vec<(Cell, Vec<Cell>)> {
    let mut columns: Vec<String> = groups.iter().cloned().collect();
    columns.extend(["sex:?".to_string(), "age:?".to_string()]);
    let mut out = Vec::new();
    for g in &columns {
        out.push((
            (ALL.to_string(), g.clone()),
            SIZES
                .iter()
                .map(|(d, _)| (d.to_string(), g.clone()))
                .collect(),
        ));
    }
    let domains = SIZES.iter().map(|(d, _)| *d).chain([ALL]);
    for d in domains {
        for dim in ["sex", "age"] {
            let parts = columns
                .iter()
                .filter(|g| g.starts_with(&format!("{dim}:")))
                .map(|g| (d.to_string(), g.clone()))
                .collect();
            out.push(((d.to_string(), "all".to_string()), parts));
        }
    }
    out
}

/// The groups the table publishes besides `all`, as it writes them.
fn groups(a: &Analysis) -> BTreeSet<String> {
    a.results
        .iter()
        .map(|r| r.group.to_string())
        .filter(|g| g != "all")
        .collect()
}

/// The narrowest feasible interval any hidden share cell keeps, over the whole table, and how
/// many hidden cells were attacked.
fn attack(a: &Analysis, answers: &HashMap<(i32, String), Vec<Answers>>) -> (f64, usize) {
    let q = bundled();
    let groups = groups(a);
    let mut narrowest = f64::INFINITY;
    let mut attacked = 0;
    for year in YEARS {
        for (question, ind) in q.indicators() {
            let code = &question.code;
            let cells = counts(&q, answers, &groups, year, code, &ind.counts);
            let published: HashMap<(String, String), f64> = a
                .results
                .iter()
                .filter(|r| r.year == year && r.kind == Kind::Share && r.indicator.is(code))
                .filter_map(|r| Some(((r.district.to_string(), r.group.to_string()), r.estimate?)))
                .collect();
            let overall = cells[&(ALL.to_string(), "all".to_string())];
            let p_bar = overall.y / overall.n;
            let width = 0.10f64.min(2.0 * p_bar.min(1.0 - p_bar));
            let rels = relations(&groups);
            let hidden: Vec<&(String, String)> = cells
                .iter()
                .filter(|(k, c)| c.n > 0.0 && !published.contains_key(*k) && !k.1.ends_with('?'))
                .map(|(k, _)| k)
                .collect();
            for target in hidden {
                let bounds = bounds(|dir| {
                    let mut lp = Problem::new(dir);
                    let mut vars = HashMap::new();
                    for (key, c) in &cells {
                        if c.n > 0.0 && !published.contains_key(key) {
                            let objective = if key == target { 1.0 } else { 0.0 };
                            vars.insert(key.clone(), lp.add_var(objective, (0.0, 1.0)));
                        }
                    }
                    for (total, parts) in &rels {
                        let Some(t) = cells.get(total).filter(|c| c.n > 0.0) else {
                            continue;
                        };
                        let mut terms = Vec::new();
                        let mut rhs = 0.0;
                        let mut add = |key: &(String, String), coef: f64| match (
                            vars.get(key),
                            published.get(key),
                        ) {
                            (Some(&v), _) => terms.push((v, coef)),
                            (None, Some(p)) => rhs -= coef * p,
                            (None, None) => {}
                        };
                        add(total, -1.0);
                        for p in parts {
                            if let Some(c) = cells.get(p).filter(|c| c.n > 0.0) {
                                add(p, c.n / t.n);
                            }
                        }
                        if terms.is_empty() {
                            // All published: the model must reproduce the published total.
                            assert!(rhs.abs() < 1e-9, "{year} {code} {total:?}: {rhs}");
                        } else {
                            lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, rhs);
                        }
                    }
                    lp
                });
                let w = bounds[1] - bounds[0];
                assert!(
                    w >= width - 1e-7,
                    "{year} {code} {target:?} can be narrowed to [{:.4}, {:.4}] (needs {width:.3})",
                    bounds[0],
                    bounds[1]
                );
                narrowest = narrowest.min(w);
                attacked += 1;
            }
        }
    }
    (narrowest, attacked)
}

/// The minimum and maximum of the linear program `build` makes for a direction; the true
/// values satisfy every constraint, so the program always has a solution.
fn bounds(build: impl Fn(OptimizationDirection) -> Problem) -> [f64; 2] {
    [
        OptimizationDirection::Minimize,
        OptimizationDirection::Maximize,
    ]
    .map(|dir| {
        match build(dir)
            .solve()
            .expect("the relations hold for the true answers")
        {
            microlp::SolveOutcome::Solution(s) => s.objective(),
            other => panic!("{other:?}"),
        }
    })
}

#[tokio::test]
async fn no_hidden_share_can_be_narrowed_by_differencing_the_published_table() {
    let (a, answers) = unweighted().await;
    assert!(a.results.iter().all(|r| !r.weighted), "an unweighted year");
    let (narrowest, attacked) = attack(&a, &answers);
    assert!(attacked > 50, "only {attacked} hidden cells to attack");
    assert!(narrowest.is_finite());
    // Some of them are hidden only to protect the small ones, and the notes say how many.
    let protecting = a
        .results
        .iter()
        .filter(|r| r.suppression == Some(Suppression::ProtectsOther))
        .count();
    assert!(protecting > 0);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("cells hidden to protect others")),
        "{:?}",
        a.notes
    );
}

#[tokio::test]
async fn a_hidden_cell_says_only_why_and_its_share_and_mean_go_together() {
    let (a, _) = unweighted().await;
    for r in a.results.iter().filter(|r| r.suppressed) {
        assert!(r.suppression.is_some(), "{r:?}");
        assert!(
            r.n.is_none()
                && r.n_eff.is_none()
                && r.nonresponse.is_none()
                && r.estimate.is_none()
                && r.se.is_none()
                && r.ci_low.is_none()
                && r.level.is_none()
                && r.class.is_none(),
            "{r:?}"
        );
        assert!(r.prev.diff.is_none() && r.base.diff.is_none(), "{r:?}");
    }
    // A question that is both an indicator and a scale: its share and mean hide together.
    let mut by_cell: HashMap<(i32, String, String, String), Vec<bool>> = HashMap::new();
    for r in &a.results {
        if let Some(code) = r.indicator.question() {
            by_cell
                .entry((
                    r.year,
                    r.district.to_string(),
                    r.group.to_string(),
                    code.to_string(),
                ))
                .or_default()
                .push(r.suppressed);
        }
    }
    for (cell, hidden) in by_cell.iter().filter(|(_, h)| h.len() > 1) {
        assert!(hidden.iter().all(|h| *h == hidden[0]), "{cell:?}");
    }
    // Changes are published only between two published cells.
    for r in a.results.iter().filter(|r| r.prev.diff.is_some()) {
        let prev = a.results.iter().find(|p| {
            Some(p.year) == r.prev.year
                && p.district == r.district
                && p.group == r.group
                && p.indicator == r.indicator
                && p.kind == r.kind
        });
        assert!(prev.is_some_and(|p| !p.suppressed), "{r:?}");
    }
}

/// The attack with a question's share and mean together: every cell's option frequencies
/// are unknowns (summing to 1), a published cell's counted options sum to its share and its
/// scores to its mean, and every relation holds option by option. Returns the narrowest
/// interval of a hidden share or mean (on 0..1 of the scale) and how many were attacked.
fn coupled_attack(a: &Analysis, answers: &HashMap<(i32, String), Vec<Answers>>) -> (f64, usize) {
    let q = bundled();
    let groups = groups(a);
    let rels = relations(&groups);
    let (mut narrowest, mut attacked) = (f64::INFINITY, 0);
    for year in YEARS {
        for (question, ind) in q.indicators() {
            let code = &question.code;
            let published = |kind: Kind| -> HashMap<Cell, f64> {
                a.results
                    .iter()
                    .filter(|r| r.year == year && r.kind == kind && r.indicator.is(code))
                    .filter_map(|r| {
                        Some(((r.district.to_string(), r.group.to_string()), r.estimate?))
                    })
                    .collect()
            };
            let (shares, means) = (published(Kind::Share), published(Kind::Mean));
            if !a
                .results
                .iter()
                .any(|r| r.kind == Kind::Mean && r.indicator.is(code))
            {
                continue;
            }
            // The valid options: counted or not, and the score on 0..1.
            let options: Vec<(f64, f64)> = {
                let valid: Vec<(usize, &trygg::questionnaire::Choice)> = question
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| !o.dont_know)
                    .collect();
                let score = |(i, o): &(usize, &trygg::questionnaire::Choice)| {
                    o.score.unwrap_or(*i as f64 + 1.0)
                };
                let lo = valid.iter().map(score).fold(f64::INFINITY, f64::min);
                let hi = valid.iter().map(score).fold(f64::NEG_INFINITY, f64::max);
                valid
                    .iter()
                    .map(|v| {
                        let counted = if ind.counts.contains(&v.1.code) {
                            1.0
                        } else {
                            0.0
                        };
                        (counted, (score(v) - lo) / (hi - lo))
                    })
                    .collect()
            };
            let cells = counts(&q, answers, &groups, year, code, &ind.counts);
            let overall = cells[&(ALL.to_string(), "all".to_string())];
            let p_bar = overall.y / overall.n;
            let share_width = 0.10f64.min(2.0 * p_bar.min(1.0 - p_bar));
            let hidden: Vec<&Cell> = cells
                .iter()
                .filter(|(k, c)| c.n > 0.0 && !shares.contains_key(*k) && !k.1.ends_with('?'))
                .map(|(k, _)| k)
                .collect();
            for target in hidden {
                for (pick, width) in [(0usize, share_width), (1, 0.10)] {
                    let bounds = bounds(|dir| {
                        let mut lp = Problem::new(dir);
                        let mut f: HashMap<&Cell, Vec<microlp::Variable>> = HashMap::new();
                        for (key, _) in cells.iter().filter(|(_, c)| c.n > 0.0) {
                            let vars: Vec<_> = options
                                .iter()
                                .map(|o| {
                                    let goal = if pick == 0 { o.0 } else { o.1 };
                                    lp.add_var(if key == target { goal } else { 0.0 }, (0.0, 1.0))
                                })
                                .collect();
                            let one: Vec<_> = vars.iter().map(|&v| (v, 1.0)).collect();
                            lp.add_constraint(one.as_slice(), ComparisonOp::Eq, 1.0);
                            if let (Some(p), Some(m)) = (shares.get(key), means.get(key)) {
                                let counted: Vec<_> =
                                    vars.iter().zip(&options).map(|(&v, o)| (v, o.0)).collect();
                                lp.add_constraint(counted.as_slice(), ComparisonOp::Eq, *p);
                                // The published mean on the scale's own range, as 0..1.
                                let (lo, hi) = {
                                    let s: Vec<f64> = question
                                        .options
                                        .iter()
                                        .enumerate()
                                        .filter(|(_, o)| !o.dont_know)
                                        .map(|(i, o)| o.score.unwrap_or(i as f64 + 1.0))
                                        .collect();
                                    (
                                        s.iter().cloned().fold(f64::INFINITY, f64::min),
                                        s.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                                    )
                                };
                                let scored: Vec<_> =
                                    vars.iter().zip(&options).map(|(&v, o)| (v, o.1)).collect();
                                lp.add_constraint(
                                    scored.as_slice(),
                                    ComparisonOp::Eq,
                                    (m - lo) / (hi - lo),
                                );
                            }
                            f.insert(key, vars);
                        }
                        for (total, parts) in &rels {
                            let (Some(ft), Some(t)) = (f.get(total), cells.get(total)) else {
                                continue;
                            };
                            for o in 0..options.len() {
                                let mut terms = vec![(ft[o], -1.0)];
                                for p in parts {
                                    if let (Some(fp), Some(c)) = (f.get(p), cells.get(p)) {
                                        terms.push((fp[o], c.n / t.n));
                                    }
                                }
                                lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, 0.0);
                            }
                        }
                        lp
                    });
                    let w = bounds[1] - bounds[0];
                    assert!(
                        w >= width - 1e-7,
                        "{year} {code} {target:?} {}: narrowed to [{:.4}, {:.4}] (needs {width:.3})",
                        if pick == 0 { "share" } else { "mean" },
                        bounds[0],
                        bounds[1]
                    );
                    narrowest = narrowest.min(w);
                    attacked += 1;
                }
            }
        }
    }
    (narrowest, attacked)
}

#[tokio::test]
async fn a_share_and_a_mean_together_give_no_hidden_cell_away() {
    let (a, answers) = unweighted().await;
    let (narrowest, attacked) = coupled_attack(&a, &answers);
    assert!(attacked > 20, "only {attacked} hidden cells to attack");
    assert!(narrowest.is_finite());
}
