//! One page per district for the steering group: `<district>.html` beside the report's
//! `index.html`, in Swedish, printing on at most two A4 pages. It holds who answered (and
//! the caveats of an open link or a sample), the key indicators this year, last year and
//! the first year with whether each change is significant, the district's measures with
//! their evaluation in plain words, and where to read more. Every figure is a row of the
//! analysis tables the rest of the report is made from; a hidden cell says why.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::cells::{index_cell, one_decimal, pct, share_cell};
use super::figures::{did_caption, p_value, signed_points, thousands};
use super::lookup::{Lookup, Names};
use super::page::{preliminary_note, shown_measure_rows};
use crate::analysis::model::slug;
use crate::analysis::policy as P;
use crate::analysis::results::Comparison;
use crate::analysis::{Analysis, Domain, IndicatorKey, Kind, MeasureRow, ResultRow};

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1b1b1b; max-width: 50rem; margin: 0 auto; padding: .75rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { font-size: 1.2rem; margin-top: 1.5rem; border-bottom: 2px solid #0072b2; } h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
h1, h2, h3, p, li, td, th { overflow-wrap: break-word; }
/* Tables scroll inside their own box, so the page never scrolls sideways on a phone. */
.table-scroll { max-width: 100%; overflow-x: auto; }
.table-scroll:focus { outline: 3px solid #0072b2; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
td.num { text-align: right; white-space: nowrap; }
.muted { color: #555; font-size: .85rem; }
.preliminary { border: 2px solid #8a4b00; background: #fff4e5; padding: .5rem .75rem; }
.sig { font-weight: bold; }
.supp { color: #555; font-style: italic; }
ul { padding-inline-start: 1.25rem; }
li { margin: .25rem 0; }
tr, li, p, .measure { break-inside: avoid; }
h2, h3 { break-after: avoid; }
@page { size: A4; margin: 14mm 13mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; }
  h2 { margin-top: 1rem; }
  .table-scroll { overflow: visible; }
  table { width: 100%; }
  a { color: inherit; }
}
"#;

/// The key indicators of a district's page, at most [`P::DISTRICT_KEY_INDICATORS`]:
/// the questionnaire's index blocks and the total index (the police's model of a district's
/// state), then the target indicators of the district's own measures (what the steering
/// group decided to move there), then the targets of the other districts' measures (what
/// the municipality as a whole watches), each once, in register and target order. Only
/// indicators with a share in the results table count.
pub fn key_indicators(a: &Analysis, district: &str) -> Vec<IndicatorKey> {
    let mut keys: Vec<IndicatorKey> = super::figures::index_blocks(&a.questionnaire)
        .into_iter()
        .map(|(i, _)| IndicatorKey::Index(i))
        .collect();
    let own = a.register.iter().filter(|m| m.district == district);
    let others = a.register.iter().filter(|m| m.district != district);
    for code in own.chain(others).flat_map(|m| m.targets.iter()) {
        let key = IndicatorKey::Question(code.clone());
        let measured = a
            .results
            .iter()
            .any(|r| r.indicator == key && r.kind == Kind::Share);
        if measured && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.truncate(P::DISTRICT_KEY_INDICATORS);
    keys
}

/// The districts that get a page: those among `codes` with answers in the report's year.
pub fn page_districts(a: &Analysis, year: i32, codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .filter(|d| {
            a.weighting
                .iter()
                .any(|w| w.year == year && &w.district == *d && w.n > 0)
        })
        .cloned()
        .collect()
}

/// What every district page is made from.
pub struct Context<'a> {
    pub a: &'a Analysis,
    pub look: &'a Lookup<'a>,
    pub names: &'a Names<'a>,
    pub years: (i32, i32),
    /// Districts whose survey of the year is still open: the report is preliminary.
    pub open: &'a [String],
}

/// The years a district page compares: the first year, the district's previous survey
/// year, and the report year (each once).
fn shown_years(c: &Context, district: &str) -> Vec<i32> {
    let (first, year) = c.years;
    let prev =
        c.a.weighting
            .iter()
            .filter(|w| w.district == district && w.year < year && w.n > 0)
            .map(|w| w.year)
            .max();
    let mut out = vec![first];
    out.extend(prev);
    out.push(year);
    out.dedup();
    out
}

/// A district's page, a whole HTML document.
pub fn render(c: &Context, district: &str) -> String {
    let year = c.years.1;
    let name = (c.names.district)(district);
    let prefix = if c.open.is_empty() {
        ""
    } else {
        "Preliminär: "
    };
    let page = html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (prefix) (name) " – trygghetsundersökning " (year) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    (preliminary_note(year, c.open))
                    p { a href="index.html" { "Hela rapporten " (year) } }
                    h1 { (prefix) (name) ": trygghetsundersökning " (year) }
                    p { "Sammanfattning för styrgruppen: vilka som svarade, nyckeltalen över åren och åtgärderna i " (name) ". Alla siffror kommer ur rapportens resultattabell." }
                }
                main {
                    (responses(c, district))
                    (key_figures(c, district))
                    (measures(c, district))
                    (read_more(c, district))
                }
            }
        }
    };
    page.into_string()
}

/// Who answered this year, and what that allows one to say: a sample's response rate, or
/// an open link's self-selection.
fn responses(c: &Context, district: &str) -> Markup {
    let year = c.years.1;
    let w =
        c.a.weighting
            .iter()
            .find(|w| w.year == year && w.district == district);
    html! {
        section #svar {
            h2 { "Vilka som svarade " (year) }
            @match w {
                None => { p { "Inga svar " (year) "." } }
                Some(w) => {
                    @let few = (w.n as f64) < P::SMALLEST_PUBLISHED_N;
                    p {
                        @if few { "Färre än " (P::sv(P::SMALLEST_PUBLISHED_N)) " personer svarade." }
                        @else { (thousands(w.n as f64)) " personer svarade (effektivt antal efter viktning: " (thousands(w.n_eff)) ")." }
                        " "
                        @match (&w.fieldwork, w.response_rate().filter(|_| !few)) {
                            (Some(f), Some(rate)) => {
                                "Slumpmässigt urval: " (thousands(f.letters as f64)) " brev skickades, " (thousands(f.undeliverable as f64)) " kom tillbaka som obeställbara. Svarsfrekvens " (pct(rate)) " av " (thousands((f.letters - f.undeliverable) as f64)) " brev som nått fram (svar på webben och på papper). De som inte svarade kan skilja sig från dem som svarade; viktningen rättar bara för kön och ålder."
                            }
                            (Some(_), None) => { "Slumpmässigt urval; svarsfrekvensen kan inte anges." }
                            (None, _) => {
                                "Öppen länk: vem som helst kunde svara, och de som svarade valde själva att göra det. Svaren är inte ett slumpmässigt urval och ingen svarsfrekvens kan anges; jämför med försiktighet."
                            }
                        }
                    }
                    p.muted {
                        @if w.weighted { "Andelarna är viktade till befolkningen i området efter kön och åldersgrupp." }
                        @else { "Oviktat: det fanns ingen befolkningsfil för året." }
                        @if !w.trim_converged { " Största vikten är " (one_decimal(w.max_weight_ratio.unwrap_or(0.0))) " gånger medelvikten: trimningen nådde inte taket." }
                        @for col in &w.collapsed { " Åldersgrupper sammanslagna: " (col) "." }
                    }
                }
            }
        }
    }
}

/// The key indicators in two tables — the index levels, then the shares — each with the
/// shown years and the changes against the previous and the first year.
fn key_figures(c: &Context, district: &str) -> Markup {
    let keys = key_indicators(c.a, district);
    let (indices, shares): (Vec<&IndicatorKey>, Vec<&IndicatorKey>) = keys
        .iter()
        .partition(|k| matches!(k, IndicatorKey::Index(_)));
    html! {
        section #nyckeltal {
            h2 { "Nyckeltal" }
            p.muted { "Nyckeltalen är indexen (nivå 0–6, högre är sämre) och målindikatorerna för åtgärderna i området, därefter för åtgärderna i övriga områden – högst " (P::DISTRICT_KEY_INDICATORS) " stycken. Andelarna visas med 95 % konfidensintervall inom parentes." }
            @if !indices.is_empty() {
                (key_table(c, district, "nyckeltal-index", "Index (nivå 0–6)", "indexsteg", &indices))
            }
            @if !shares.is_empty() {
                (key_table(c, district, "nyckeltal-andelar", "Andelar (procent)", "procentenheter", &shares))
            }
            p.muted { "Säkerställd: q < " (P::sv(P::SIGNIFICANCE)) " efter Benjamini–Hochberg-korrektion över alla jämförelser i rapporten. \"Ej prövad\": förändringen har inget statistiskt test – ett index har ingen skattad osäkerhet, och svar via öppen länk är självselekterade – så inget sägs om den är säkerställd. En dold uppgift visar varken värde eller förändring." }
        }
    }
}

/// One table of key indicators, in a scrolling region named by its heading.
fn key_table(
    c: &Context,
    district: &str,
    id: &str,
    title: &str,
    unit: &str,
    keys: &[&IndicatorKey],
) -> Markup {
    let year = c.years.1;
    let domain = Domain::District(district.to_string());
    let years = shown_years(c, district);
    let comparisons = comparisons(&years, c.years.0);
    html! {
        h3 #(id) { (title) }
        div.table-scroll tabindex="0" role="region" aria-labelledby=(id) {
            table {
                thead {
                    tr {
                        th scope="col" { "Nyckeltal" }
                        @for y in &years { th scope="col" { (y) } }
                        @for (label, _) in &comparisons { th scope="col" { (label) " (" (unit) ")" } }
                    }
                }
                tbody {
                    @for key in keys {
                        @let kind = if matches!(key, IndicatorKey::Index(_)) { Kind::Index } else { Kind::Share };
                        @let now = c.look.get(year, &domain, key, kind);
                        tr {
                            th scope="row" { (key_name(c, key)) }
                            @for y in &years {
                                @let r = c.look.get(*y, &domain, key, kind);
                                @if kind == Kind::Index { (index_cell(r)) } @else { (share_cell(r)) }
                            }
                            @for (_, pick) in &comparisons {
                                (change_cell(c, &domain, key, kind, now, *pick))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Which comparison of a row a column shows.
type Pick = fn(&ResultRow) -> &Comparison;

/// Which comparisons a district's table shows: against the previous survey year, and
/// (when it is another year) against the first.
fn comparisons(years: &[i32], first: i32) -> Vec<(String, Pick)> {
    let mut out: Vec<(String, Pick)> = Vec::new();
    if years.len() >= 2 {
        let prev = years[years.len() - 2];
        out.push((format!("Förändring mot {prev}"), |r| &r.prev));
        if prev != first {
            out.push((format!("Förändring sedan {first}"), |r| &r.base));
        }
    }
    out
}

/// The name of a key indicator as readers know it.
fn key_name(c: &Context, key: &IndicatorKey) -> String {
    match key {
        IndicatorKey::Question(code) => (c.names.indicator)(code),
        IndicatorKey::Index(i) => super::figures::index_blocks(&c.a.questionnaire)
            .into_iter()
            .find(|(x, _)| x == i)
            .map_or_else(|| i.to_string(), |(_, n)| n),
    }
}

/// A change with whether it is significant, "ej prövad" when it has no test, and a hidden
/// row's reason instead of any number.
fn change_cell(
    c: &Context,
    domain: &Domain,
    key: &IndicatorKey,
    kind: Kind,
    now: Option<&ResultRow>,
    pick: Pick,
) -> Markup {
    let Some(r) = now else {
        return html! { td.num { "–" } };
    };
    if r.suppressed {
        return html! { td.supp { (r.hidden_text()) } };
    }
    let cmp = pick(r);
    let then = cmp.year.and_then(|y| c.look.get(y, domain, key, kind));
    let Some(diff) = cmp.diff else {
        return match then {
            Some(t) if t.suppressed => html! { td.supp { (t.year) ": " (t.hidden_text()) } },
            _ => html! { td { "ingen jämförelse" } },
        };
    };
    let change = if kind == Kind::Index {
        signed_one_decimal(diff)
    } else {
        signed_points(diff)
    };
    let sig = cmp.significant == Some(true);
    html! {
        td.num.sig[sig] {
            (change)
            br;
            span.muted {
                @match (cmp.significant, cmp.q) {
                    (Some(true), Some(q)) => { "säkerställd, q " (q_text(q)) }
                    (Some(false), Some(q)) => { "ej säkerställd, q " (q_text(q)) }
                    _ => { "ej prövad" }
                }
            }
        }
    }
}

/// "= 0,034" or "< 0,001".
fn q_text(q: f64) -> String {
    let v = p_value(q);
    if v.starts_with('<') {
        v
    } else {
        format!("= {v}")
    }
}

/// An index change with a sign and a decimal comma: "+0,3", "−1,2".
fn signed_one_decimal(d: f64) -> String {
    let s = one_decimal(d.abs());
    if d < 0.0 && s != "0,0" {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

/// The district's measures and what the evaluation says of each, in plain words, with the
/// report's own caption of the estimate beside it.
fn measures(c: &Context, district: &str) -> Markup {
    let a = c.a;
    let name = (c.names.district)(district);
    let list: Vec<_> = a
        .register
        .iter()
        .filter(|m| m.district == district)
        .collect();
    let shown = shown_measure_rows(a);
    html! {
        section #atgarder {
            h2 { "Åtgärder i " (name) }
            @if list.is_empty() { p { "Inga åtgärder är registrerade i " (name) "." } }
            @for m in list {
                div.measure {
                    h3 { (m.title) }
                    p.muted { "Start " (m.start.to_string()) ", kategori " (m.category) ". Jämförs före och efter starten med områden utan en liknande åtgärd (skillnad-i-skillnader)." }
                    @let rows: Vec<&&MeasureRow> = shown.iter().filter(|r| r.measure == m.id).collect();
                    @if rows.is_empty() {
                        p { "Kunde inte utvärderas: det saknas en undersökning före och efter starten, eller jämförelseområden, eller svaren räcker inte." }
                    } @else {
                        ul {
                            @for r in rows {
                                li {
                                    strong { ((c.names.indicator)(&r.indicator)) ": " }
                                    (verdict(r)) " "
                                    span.muted { (did_caption(r)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A measure row's evaluation in one plain sentence: only a significant estimate is called
/// an effect, and a row without a test says so.
fn verdict(r: &MeasureRow) -> String {
    match (r.did, r.significant) {
        (Some(did), Some(true)) => format!(
            "efter åtgärden blev andelen {} procentenheter {} än om utvecklingen hade följt jämförelseområdenas – en statistiskt säkerställd skillnad.",
            signed_points(did.abs()).trim_start_matches('+'),
            if did < 0.0 { "lägre" } else { "högre" }
        ),
        (Some(_), Some(false)) => {
            "ingen säkerställd skillnad mot jämförelseområdena; förändringen kan bero på slumpen."
                .into()
        }
        _ if r.self_selected => {
            "ej prövad: svar via öppen länk (självselekterade) ingår, så effekten kan inte prövas."
                .into()
        }
        _ => "ej prövad: svaren räcker inte för att pröva effekten.".into(),
    }
}

/// Where to read more: the whole report, the district's chapter, the workbook, the method.
fn read_more(c: &Context, district: &str) -> Markup {
    let year = c.years.1;
    let name = (c.names.district)(district);
    html! {
        section #mer {
            h2 { "Läs mer" }
            ul {
                li { a href="index.html" { "Hela rapporten " (year) } " – alla områden, teman och diagram." }
                li { a href={ "index.html#omrade-" (slug(district)) } { (name) " i hela rapporten" } " – alla indikatorer över åren." }
                li { a href={ "trygg-" (year) ".xlsx" } { "Arbetsboken trygg-" (year) ".xlsx" } " – alla siffror för egna beräkningar." }
                li { a href="index.html#metod" { "Metodavsnittet" } " – urval, viktning, osäkerhet, index och sekretess." }
                li { a href="tables/results.csv" { "Resultattabellen (CSV)" } " – varje siffra på den här sidan är en rad i den." }
            }
        }
    }
}
