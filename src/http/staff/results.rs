//! `/personal/resultat`: the results explorer for staff. Choose districts (and the
//! municipality), an indicator or index, a group of respondents and a span of years; see the
//! year-over-year chart and its table, the districts compared in one year, and download the
//! view as CSV (comma, or Swedish Excel's semicolon with decimal comma), XLSX or Parquet.
//!
//! The page is a plain GET form and works without scripts; every view has its own address,
//! so it can be bookmarked and sent to a colleague. Everything shown comes from the
//! analysis's results table, where suppression is applied as rows are built: a suppressed
//! estimate has no value to leak here either. The analysis is cached and recomputed when the
//! stored responses, the waves' dates, the measures register or the population files change.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::analysis::{Analysis, Domain, Group, IndicatorKey};
use crate::auth::Staff;
use crate::error::Error;
use crate::http::extract::AnyStaff;
use crate::http::state::AppState;
use crate::report::figures::{Lookup, Measured, Names};
use crate::report::view::Table;
use crate::views::explorer::{self as v, Choice, ExplorerForm, ExplorerPage};
use crate::views::staff::message;

/// The analysis for a staff page, or the page that says why there is none yet.
pub(super) async fn analysis_or_page(
    state: &AppState,
    s: &crate::auth::Staff,
    title: &str,
) -> Result<Result<Arc<Analysis>, Response>, Error> {
    let msg = match state.analysis().await {
        Ok(Some(a)) => return Ok(Ok(a)),
        Ok(None) => "Det finns inga enkäter ännu.".to_string(),
        // Not yet analysable (no answers, a missing population file): say why.
        Err(Error::Invalid(why)) => format!("Resultaten kan inte beräknas än: {why}"),
        Err(e) => return Err(e),
    };
    Ok(Err(
        Html(message(title, &msg, Some(s)).into_string()).into_response()
    ))
}

/// What can be chosen, with the names readers see.
pub(super) struct Choices {
    /// Districts with answers: code and name.
    pub districts: Vec<(String, String)>,
    pub indicators: Vec<(IndicatorKey, String)>,
    pub groups: Vec<(Group, String)>,
    pub years: Vec<i32>,
    /// Whether the municipality's totals may be shown (not to someone limited to some
    /// districts: the totals sum over the others).
    pub municipality: bool,
}

impl Choices {
    pub fn new(state: &AppState, a: &Analysis, s: &Staff) -> Choices {
        let q = &a.questionnaire;
        let districts = state
            .districts
            .codes()
            .filter(|d| a.weighting.iter().any(|w| w.district == *d) && s.in_scope(d))
            .map(|d| (d.to_string(), super::pages::district_name(state, d)))
            .collect();
        // Only indicators the analysis estimates (multiple-choice questions have none).
        let estimated: std::collections::HashSet<&IndicatorKey> =
            a.results.iter().map(|r| &r.indicator).collect();
        let mut indicators: Vec<(IndicatorKey, String)> = q
            .indicators()
            .map(|(x, i)| {
                (
                    IndicatorKey::Question(x.code.clone()),
                    i.label.get("sv").to_string(),
                )
            })
            .filter(|(k, _)| estimated.contains(k))
            .collect();
        indicators.extend(
            crate::report::index_blocks(q)
                .into_iter()
                .map(|(i, name)| (IndicatorKey::Index(i), format!("Index: {name}"))),
        );
        let option = |role, code: &str| {
            q.with_role(role)
                .and_then(|x| x.options.iter().find(|o| o.code == code))
                .map(|o| o.text.get("sv").to_string())
                .unwrap_or_else(|| code.to_string())
        };
        let mut groups: Vec<Group> = Vec::new();
        for r in &a.results {
            if !groups.contains(&r.group) {
                groups.push(r.group.clone());
            }
        }
        let groups = groups
            .into_iter()
            .map(|g| {
                let label = match &g {
                    Group::All => "Alla svarande".to_string(),
                    Group::Sex(c) => option(crate::questionnaire::Role::Sex, c),
                    Group::Age(c) => format!("{} år", c.replace('-', "–")),
                };
                (g, label)
            })
            .collect();
        let mut years: Vec<i32> = a.weighting.iter().map(|w| w.year).collect();
        years.sort_unstable();
        years.dedup();
        Choices {
            districts,
            indicators,
            groups,
            years,
            municipality: !s.scoped(),
        }
    }

    fn district(&self, code: &str) -> String {
        name_in(&self.districts, &code.to_string())
    }

    fn indicator(&self, key: &IndicatorKey) -> String {
        name_in(&self.indicators, key)
    }

    fn group(&self, g: &Group) -> String {
        name_in(&self.groups, g)
    }

    /// The first district and the municipality, the first indicator, everyone, every year.
    fn default_selection(&self) -> Selection {
        let mut domains: Vec<Domain> = self
            .districts
            .first()
            .map(|(c, _)| Domain::District(c.clone()))
            .into_iter()
            .collect();
        if self.municipality {
            domains.push(Domain::Municipality);
        }
        let last = self.years.last().copied().unwrap_or(0);
        Selection {
            domains,
            key: self
                .indicators
                .first()
                .map(|(k, _)| k.clone())
                .unwrap_or(IndicatorKey::Question(String::new())),
            group: Group::All,
            from: self.years.first().copied().unwrap_or(0),
            to: last,
            year: last,
            swedish: false,
        }
    }

    /// Reads a view from the query; every fault is named and nothing is guessed.
    fn select(&self, query: Option<&str>) -> Result<Selection, Vec<String>> {
        let mut sel = self.default_selection();
        let Some(query) = query.filter(|q| !q.is_empty()) else {
            return Ok(sel);
        };
        let pairs = match crate::http::form::parse(query.as_bytes()) {
            Ok(p) => p,
            Err(_) => return Err(vec!["Adressen kunde inte läsas.".into()]),
        };
        let mut faults = Vec::new();
        let mut domains = Vec::new();
        let year = |v: &str, what: &str, faults: &mut Vec<String>| match v.parse::<i32>() {
            Ok(y) if self.years.contains(&y) => Some(y),
            _ => {
                faults.push(format!("{what}: {v} är inget undersökningsår."));
                None
            }
        };
        for (k, val) in &pairs {
            match k.as_str() {
                "district" => {
                    let d = if *val == Domain::Municipality.to_string() && self.municipality {
                        Some(Domain::Municipality)
                    } else {
                        self.districts
                            .iter()
                            .any(|(c, _)| c == val)
                            .then(|| Domain::District(val.clone()))
                    };
                    match d {
                        // A district named twice is shown once.
                        Some(d) if domains.contains(&d) => {}
                        Some(d) => domains.push(d),
                        None => faults.push(format!("Okänt område: {val}")),
                    }
                }
                "indicator" => match self.indicators.iter().find(|(x, _)| x.to_string() == *val) {
                    Some((x, _)) => sel.key = x.clone(),
                    None => faults.push(format!("Okänd indikator: {val}")),
                },
                "group" => match self.groups.iter().find(|(g, _)| g.to_string() == *val) {
                    Some((g, _)) => sel.group = g.clone(),
                    None => faults.push(format!("Okänd grupp: {val}")),
                },
                "from" => sel.from = year(val, "Från", &mut faults).unwrap_or(sel.from),
                "to" => sel.to = year(val, "Till", &mut faults).unwrap_or(sel.to),
                "year" => sel.year = year(val, "Jämförelseår", &mut faults).unwrap_or(sel.year),
                // The export's separator (the page ignores it).
                "sep" if val == "semicolon" || val == "comma" => sel.swedish = val == "semicolon",
                "sep" => faults.push(format!("sep: comma eller semicolon, inte {val}")),
                // The site-wide language (the middleware adds it from Accept-Language; staff
                // pages are Swedish).
                "lang" => {}
                _ => faults.push(format!("Okänd parameter: {k}")),
            }
        }
        if sel.from > sel.to {
            faults.push("Från-året ligger efter till-året.".into());
        }
        // A view without districts: the form was sent with every box unticked (the
        // defaults only apply to a bare address).
        if domains.is_empty() && faults.is_empty() {
            if pairs
                .iter()
                .any(|(k, _)| !matches!(k.as_str(), "lang" | "sep"))
            {
                faults.push("Välj minst ett område.".into());
            }
        } else {
            sel.domains = domains;
        }
        if faults.is_empty() {
            Ok(sel)
        } else {
            Err(faults)
        }
    }
}

/// The name a choice has in a list, or its code.
fn name_in<K: PartialEq + std::fmt::Display>(list: &[(K, String)], key: &K) -> String {
    list.iter()
        .find(|(k, _)| k == key)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| key.to_string())
}

/// One view: where, what, who and when.
#[derive(Debug, Clone)]
struct Selection {
    domains: Vec<Domain>,
    key: IndicatorKey,
    group: Group,
    from: i32,
    to: i32,
    /// The year the districts are compared in.
    year: i32,
    /// A CSV export for Swedish Excel: `;` and decimal comma (`sep=semicolon`).
    swedish: bool,
}

impl Selection {
    fn measured(&self) -> Measured<'_> {
        Measured {
            group: &self.group,
            ..Measured::all(&self.key)
        }
    }

    /// The view's own address, for links to its exports.
    fn query(&self) -> String {
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let mut q: Vec<String> = self
            .domains
            .iter()
            .map(|d| format!("district={}", enc(&d.to_string())))
            .collect();
        q.push(format!("indicator={}", enc(&self.key.to_string())));
        q.push(format!("group={}", enc(&self.group.to_string())));
        q.push(format!(
            "from={}&to={}&year={}",
            self.from, self.to, self.year
        ));
        q.join("&")
    }

    /// The view's title: what, and for whom when not everyone.
    fn title(&self, c: &Choices) -> String {
        match self.group {
            Group::All => c.indicator(&self.key),
            _ => format!("{} – {}", c.indicator(&self.key), c.group(&self.group)),
        }
    }
}

/// The rows of a view: each chosen domain's, year by year.
fn rows<'a>(look: &Lookup<'a>, sel: &Selection) -> Vec<&'a crate::analysis::ResultRow> {
    let m = sel.measured();
    sel.domains
        .iter()
        .flat_map(|d| {
            (sel.from..=sel.to).filter_map(move |y| look.get_in(y, d, m.group, m.key, m.kind))
        })
        .collect()
}

/// The rows of the comparison year: every district, then the municipality.
fn compared<'a>(
    look: &Lookup<'a>,
    c: &Choices,
    sel: &Selection,
) -> Vec<&'a crate::analysis::ResultRow> {
    let m = sel.measured();
    c.districts
        .iter()
        .map(|(code, _)| Domain::District(code.clone()))
        .chain(c.municipality.then_some(Domain::Municipality))
        .filter_map(|d| look.get_in(sel.year, &d, m.group, m.key, m.kind))
        .collect()
}

/// Logs a refused view that asked for a district outside the person's own (or the
/// municipality's totals, for someone limited to districts).
async fn audit_scope(state: &AppState, s: &Staff, query: Option<&str>) -> Result<(), Error> {
    let pairs = crate::http::form::parse(query.unwrap_or("").as_bytes()).unwrap_or_default();
    for (_, d) in pairs.iter().filter(|(k, _)| k == "district") {
        let known = state.districts.get(d).is_some() || *d == Domain::Municipality.to_string();
        let outside = if *d == Domain::Municipality.to_string() {
            s.scoped()
        } else {
            !s.in_scope(d)
        };
        if known && outside {
            let what = format!("results: district {d}");
            (state.refusals)
                .audit(&state.store, &s.account.email, "scope refused", &what)
                .await?;
        }
    }
    Ok(())
}

/// The form as chosen, for the view.
fn chosen_form(c: &Choices, sel: &Selection) -> ExplorerForm {
    let choice = |value: String, name: &str, chosen: bool| Choice {
        value,
        name: name.to_string(),
        chosen,
    };
    let mut districts: Vec<Choice> = c
        .districts
        .iter()
        .map(|(code, name)| {
            let chosen = sel.domains.contains(&Domain::District(code.clone()));
            choice(code.clone(), name, chosen)
        })
        .collect();
    if c.municipality {
        districts.push(choice(
            Domain::Municipality.to_string(),
            crate::report::figures::MUNICIPALITY_NAME,
            sel.domains.contains(&Domain::Municipality),
        ));
    }
    ExplorerForm {
        districts,
        indicators: (c.indicators.iter())
            .map(|(k, n)| choice(k.to_string(), n, *k == sel.key))
            .collect(),
        groups: (c.groups.iter())
            .map(|(g, n)| choice(g.to_string(), n, *g == sel.group))
            .collect(),
        years: c.years.clone(),
        from: sel.from,
        to: sel.to,
        year: sel.year,
    }
}

pub async fn page(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    RawQuery(query): RawQuery,
) -> Result<Response, Error> {
    let a = match analysis_or_page(&state, &s, "Resultat").await? {
        Ok(a) => a,
        Err(page) => return Ok(page),
    };
    let c = Choices::new(&state, &a, &s);
    let (sel, faults) = match c.select(query.as_deref()) {
        Ok(sel) => (sel, Vec::new()),
        Err(f) => {
            audit_scope(&state, &s, query.as_deref()).await?;
            (c.default_selection(), f)
        }
    };
    let look = Lookup::new(&a);
    let district = |code: &str| c.district(code);
    let indicator = |code: &str| c.indicator(&IndicatorKey::Question(code.to_string()));
    let names = Names {
        district: &district,
        indicator: &indicator,
    };
    let title = sel.title(&c);
    let share = sel.measured().kind != crate::analysis::Kind::Index;
    let chart = crate::report::figures::explore(
        &a,
        &look,
        &names,
        (sel.from, sel.to),
        &sel.domains,
        sel.measured(),
        &title,
    );
    let svg = crate::charts::svg(&chart)?;
    let mut compare =
        crate::report::figures::compare(&look, sel.year, &c.districts, sel.measured(), &title);
    // Someone limited to some districts sees no municipality total, not even as a line.
    if let crate::charts::Chart::Compare(chart) = &mut compare
        && !c.municipality
    {
        chart.reference = None;
    }
    let compare_svg = crate::charts::svg(&compare)?;
    let min_n = crate::analysis::policy::sv(crate::analysis::policy::MIN_N);
    let page = v::explorer(
        &s,
        &ExplorerPage {
            form: chosen_form(&c, &sel),
            faults: &faults,
            title: &title,
            query: &sel.query(),
            chart_svg: &svg,
            chart_alt: &crate::charts::describe(&chart),
            compare_svg: &compare_svg,
            compare_alt: &crate::charts::describe(&compare),
            rows: &rows(&look, &sel),
            compared: &compared(&look, &c, &sel),
            names: &names,
            share,
            min_n: &min_n,
        },
    );
    let status = if faults.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, Html(page.into_string())).into_response())
}

/// The formats a view can be downloaded in.
#[derive(Debug, Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
    Parquet,
}

async fn export(
    state: AppState,
    s: Staff,
    query: Option<String>,
    format: Format,
) -> Result<Response, Error> {
    let a = match state.analysis().await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return Ok((StatusCode::NOT_FOUND, "Det finns inga enkäter ännu.").into_response());
        }
        Err(Error::Invalid(why)) => return Ok((StatusCode::CONFLICT, why).into_response()),
        Err(e) => return Err(e),
    };
    let c = Choices::new(&state, &a, &s);
    let sel = match c.select(query.as_deref()) {
        Ok(sel) => sel,
        Err(faults) => {
            audit_scope(&state, &s, query.as_deref()).await?;
            return Ok((StatusCode::BAD_REQUEST, faults.join("\n")).into_response());
        }
    };
    let look = Lookup::new(&a);
    let district = |code: &str| c.district(code);
    let indicator = |code: &str| c.indicator(&IndicatorKey::Question(code.to_string()));
    let names = Names {
        district: &district,
        indicator: &indicator,
    };
    let t = Table::new(&sel.title(&c), &rows(&look, &sel), &names);
    let (bytes, mime, ext) = match format {
        Format::Csv => (t.csv(sel.swedish)?, "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            t.xlsx()?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Format::Parquet => (t.parquet()?, "application/vnd.apache.parquet", "parquet"),
    };
    let slug = |s: &str| crate::analysis::model::slug(s);
    let name = format!(
        "trygg-{}-{}-{}-{}.{ext}",
        slug(&sel.key.to_string()),
        slug(&sel.group.to_string()),
        sel.from,
        sel.to
    );
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(res)
}

pub async fn csv(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    RawQuery(query): RawQuery,
) -> Result<Response, Error> {
    export(state, s, query, Format::Csv).await
}

pub async fn xlsx(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    RawQuery(query): RawQuery,
) -> Result<Response, Error> {
    export(state, s, query, Format::Xlsx).await
}

pub async fn parquet(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    RawQuery(query): RawQuery,
) -> Result<Response, Error> {
    export(state, s, query, Format::Parquet).await
}
