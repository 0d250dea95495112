//! The report page: `index.html` in Swedish, its charts the SVG files beside it (loaded
//! lazily, so the page stays small), with a print stylesheet so a browser prints it as a tidy PDF. Every figure in it is a value of
//! the analysis tables; suppressed cells say "för få svar".

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::cells::{Drawn, change_cell, figure, index_cell, one_decimal, pct, scroll, share_cell};
use super::figures::{p_value, signed_points, thousands};
use super::lookup::{Lookup, Names};
use crate::analysis::policy as P;
use crate::analysis::results::Comparison;
use crate::analysis::{Analysis, ChartName, Domain, Group, IndexName, Kind, MeasureRow, ResultRow};
use crate::questionnaire::Section;

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1b1b1b; max-width: 65rem; margin: 0 auto; padding: 1rem; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.4rem; margin-top: 2.5rem; border-bottom: 2px solid #0072b2; } h3 { font-size: 1.1rem; margin-top: 1.5rem; }
/* Wide tables scroll inside their own box, so the page never scrolls sideways on a phone. */
table { border-collapse: collapse; margin: .75rem 0; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
th { background: #eef3f8; }
figure { margin: 1rem 0; break-inside: avoid; }
/* A chart never shrinks below its drawn width (the rule after this style sheet), so its
   smallest text stays 12 px; on a narrow screen it scrolls sideways in its own box. */
.chart-scroll { max-width: 100%; overflow-x: auto; }
.chart-scroll img, .chart-scroll svg { display: block; width: 100%; height: auto; }
.chart-scroll:focus { outline: 3px solid #0072b2; }
@media print { .chart-scroll img, .chart-scroll svg { min-width: 0 !important; } }
figcaption { font-size: .95rem; margin: .25rem 0; }
details summary { cursor: pointer; color: #0b5394; }
.table-scroll { max-width: 100%; overflow-x: auto; }
.table-scroll:focus { outline: 3px solid #0072b2; }
@media print { details { display: none; } }
h1, h2, h3, p, li { overflow-wrap: break-word; }
@media (max-width: 40rem) { nav ol { columns: 1; } }
.muted { color: #555; font-size: .9rem; }
.preliminary { border: 2px solid #8a4b00; background: #fff4e5; padding: .5rem .75rem; }
.self-selected { border-left: 4px solid #8a4b00; padding: .25rem .75rem; }
.sig { font-weight: bold; }
.supp { color: #555; font-style: italic; }
nav ol { columns: 2; }
@media print {
  body { max-width: none; font-size: 10pt; }
  nav { display: none; }
  section.chapter { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"#;

pub use crate::analysis::model::slug;

/// The measure × indicator rows that get a chart: the measure's target indicators first,
/// then exploratory ones only when significant (q < 0.05), and — for a measure without
/// targets and nothing significant — its most telling indicator.
pub fn shown_measure_rows(a: &Analysis) -> Vec<&MeasureRow> {
    let mut out: Vec<&MeasureRow> = Vec::new();
    for m in &a.register {
        let rows: Vec<&MeasureRow> = a
            .measures
            .iter()
            .filter(|r| r.measure == m.id && !r.suppressed)
            .collect();
        let mut chosen: Vec<&MeasureRow> = rows
            .iter()
            .copied()
            .filter(|r| r.target || r.significant == Some(true))
            .collect();
        if chosen.is_empty()
            && let Some(best) = rows
                .iter()
                .copied()
                .min_by(|a, b| a.p.unwrap_or(1.0).total_cmp(&b.p.unwrap_or(1.0)))
        {
            chosen.push(best);
        }
        out.extend(chosen);
    }
    out
}

/// The largest significant changes of the year (district and municipality rows, all
/// respondents), against the previous year or the base year.
fn top_changes(a: &Analysis, year: i32, pick: fn(&ResultRow) -> &Comparison) -> Vec<&ResultRow> {
    let mut rows: Vec<&ResultRow> = a
        .results
        .iter()
        .filter(|r| r.year == year && r.group == Group::All && r.kind == Kind::Share)
        .filter(|r| pick(r).significant == Some(true))
        .collect();
    let size = |r: &ResultRow| pick(r).diff.unwrap_or(0.0).abs();
    rows.sort_by(|x, y| {
        size(y)
            .total_cmp(&size(x))
            .then(x.indicator.cmp(&y.indicator))
    });
    rows.truncate(15);
    rows
}

fn changes_table(
    look: &Lookup,
    names: &Names,
    rows: &[&ResultRow],
    pick: fn(&ResultRow) -> &Comparison,
    then_label: &str,
    year: i32,
) -> Markup {
    html! {
        (scroll(&format!("Förändringar från {then_label} till {year}"), html! { table {
            thead { tr { th { "Område" } th { "Indikator" } th { (then_label) } th { (year) } th { "Förändring (procentenheter)" } th { "95 % KI" } th { "q" } } }
            tbody {
                @for r in rows {
                    @let c = pick(r);
                    @let then = c.year.and_then(|y| look.get(y, &r.district, &r.indicator, r.kind));
                    tr {
                        td { (names.domain(&r.district)) }
                        td { (names.key(&r.indicator)) }
                        (share_cell(then))
                        (share_cell(Some(r)))
                        td.num { (signed_points(c.diff.unwrap_or(0.0))) }
                        td.num { @if let Some(t) = &c.change { (signed_points(t.ci_low)) " till " (signed_points(t.ci_high)) } }
                        td.num { (p_value(c.q.unwrap_or(1.0))) }
                    }
                }
            }
        } }))
    }
}

/// Everything the parts of the page are made from.
struct Page<'a> {
    a: &'a Analysis,
    look: &'a Lookup<'a>,
    names: &'a Names<'a>,
    years: (i32, i32),
    districts: &'a [String],
    svgs: &'a Drawn,
    /// Districts whose survey of the year is still open: the report is preliminary.
    open: &'a [String],
    /// The districts with a page of their own (`<code>.html`).
    pages: &'a [String],
    /// The index blocks (code, name).
    blocks: Vec<(IndexName, String)>,
    /// The districts, then the municipality.
    domains: Vec<Domain>,
    /// The questionnaire's sections with the report's indicators in them.
    themes: Vec<(&'a Section, Vec<&'a String>)>,
}

/// The report page, from the report's parts (gathered in a [`Page`] for the chapters).
#[allow(clippy::too_many_arguments)]
pub fn render(
    a: &Analysis,
    look: &Lookup,
    names: &Names,
    years: (i32, i32),
    districts: &[String],
    indicators: &[String],
    svgs: &Drawn,
    open: &[String],
    pages: &[String],
) -> String {
    let q = &a.questionnaire;
    let year = years.1;
    let domains: Vec<Domain> = districts
        .iter()
        .map(|d| Domain::District(d.clone()))
        .chain(std::iter::once(Domain::Municipality))
        .collect();
    let themes: Vec<(&Section, Vec<&String>)> = q
        .sections
        .iter()
        .map(|s| {
            (
                s,
                indicators
                    .iter()
                    .filter(|c| q.question(c).is_some_and(|x| x.section == s.code))
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, list)| !list.is_empty())
        .collect();
    let p = Page {
        a,
        look,
        names,
        years,
        districts,
        svgs,
        open,
        pages,
        blocks: super::figures::index_blocks(q),
        domains,
        themes,
    };
    let page = html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { @if !open.is_empty() { "Preliminär: " } "Trygghetsundersökning " (year) }
                style { (PreEscaped(STYLE)) (PreEscaped(crate::charts::min_width_css())) }
            }
            body {
                (header(&p))
                (contents(&p))
                (summary(&p))
                @for d in districts { (district_chapter(&p, d)) }
                @for (section, list) in &p.themes { (theme_chapter(&p, section, list)) }
                (measures_chapter(&p))
                (responses_chapter(&p))
                (super::method::chapter())
                footer { p.muted { "Framtagen med trygg. Tabeller: tables/, diagram: charts/, arbetsbok: trygg-" (year) ".xlsx, hela resultattabellen: results.parquet." } }
            }
        }
    };
    page.into_string()
}

/// The page's title, who answered, and the unweighted years.
fn header(p: &Page) -> Markup {
    let (a, years, year) = (p.a, p.years, p.years.1);
    let district_list = p
        .districts
        .iter()
        .map(|d| (p.names.district)(d))
        .collect::<Vec<_>>()
        .join(", ");
    let total: usize = a
        .weighting
        .iter()
        .filter(|w| w.year == year)
        .map(|w| w.n)
        .sum();
    let unweighted: Vec<i32> = {
        let mut v: Vec<i32> = a
            .weighting
            .iter()
            .filter(|w| !w.weighted)
            .map(|w| w.year)
            .collect();
        v.dedup();
        v
    };
    html! {
        header {
            (preliminary_note(year, p.open))
            h1 { @if !p.open.is_empty() { "Preliminär: " } "Trygghetsundersökning " (year) }
            p { "Lokal trygghetsundersökning i " (district_list) ". Årsrapport till styrgruppen med jämförelser " (years.0) "–" (year) "." }
            p.muted { "I år svarade " (thousands(total as f64)) " personer. Alla siffror i rapporten kommer ur resultattabellen (tables/results.csv); andelar är viktade till befolkningen i varje område." }
            @if !p.pages.is_empty() {
                p { "Sidor per område för styrgruppen (högst två A4-sidor var): "
                    @for (i, d) in p.pages.iter().enumerate() { @if i > 0 { ", " } a href={ (d) ".html" } { ((p.names.district)(d)) } } "." }
            }
            @if !unweighted.is_empty() {
                p.muted { "Oviktade år (ingen befolkningsfil): " (unweighted.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")) "." }
            }
            @let open_links = self_selected_waves(p);
            @if !open_links.is_empty() {
                p.self-selected role="note" {
                    strong { "Självselekterade svar. " }
                    "Via öppen länk, inte ett slumpmässigt urval: " (open_links.join("; ")) ". "
                    "Siffrorna beskriver dem som valde att svara, inte områdets invånare, och förändringar till eller från de åren prövas inte (\"ej prövad\")."
                }
            }
        }
    }
}

/// What a "no significant changes" sentence must add when some of the year's changes were
/// not tested at all, because their answers came through an open link.
fn untested_note(a: &Analysis, year: i32, pick: fn(&ResultRow) -> &Comparison) -> &'static str {
    let untested = a
        .results
        .iter()
        .any(|r| r.year == year && pick(r).self_selected && pick(r).diff.is_some());
    if untested {
        " bland dem som prövats; förändringar till eller från år med svar via öppen länk prövas inte"
    } else {
        ""
    }
}

/// The analysed waves answered through an open link, as "2026: Berga, City" per year, the
/// districts in the report's order.
fn self_selected_waves(p: &Page) -> Vec<String> {
    let mut years: Vec<i32> = p.a.waves.iter().map(|w| w.year).collect();
    years.dedup();
    years
        .into_iter()
        .filter_map(|y| {
            let open: Vec<String> = p
                .districts
                .iter()
                .filter(|d| {
                    // The analysis' own verdict, so the note and the table cannot disagree.
                    let domain = Domain::District(d.to_string());
                    p.a.results
                        .iter()
                        .any(|r| r.year == y && r.district == domain && r.self_selected)
                })
                .map(|d| (p.names.district)(d))
                .collect();
            (!open.is_empty()).then(|| format!("{y}: {}", open.join(", ")))
        })
        .collect()
}

/// The "Preliminär" note of a report made while the survey of `year` is still open in
/// `open` (nothing when it is closed everywhere): the main page and the district pages.
pub(super) fn preliminary_note(year: i32, open: &[String]) -> Markup {
    html! {
        @if !open.is_empty() {
            p.preliminary role="note" {
                strong { "Preliminär. " }
                "Enkäten " (year) " pågår fortfarande i " (open.join(", ")) ": siffrorna ändras när fler svar kommer in."
            }
        }
    }
}

/// The table of contents.
fn contents(p: &Page) -> Markup {
    let (districts, names, themes) = (p.districts, p.names, &p.themes);
    html! {
        nav aria-label="Innehåll" {
            h2 { "Innehåll" }
            ol {
                li { a href="#sammanfattning" { "Sammanfattning" } }
                @for d in districts { li { a href={ "#omrade-" (slug(d)) } { ((names.district)(d)) } } }
                @for (s, _) in themes { li { a href={ "#tema-" (slug(&s.code)) } { "Tema: " (s.title.get("sv")) } } }
                li { a href="#atgarder" { "Åtgärder och deras effekter" } }
                li { a href="#svar" { "Svar" } }
                li { a href="#metod" { "Metod" } }
            }
        }
    }
}

/// The summary chapter: the largest changes against last year and the base year, and the
/// index levels of the year.
fn summary(p: &Page) -> Markup {
    let (a, look, names, svgs, years, year) = (p.a, p.look, p.names, p.svgs, p.years, p.years.1);
    let (blocks, domains) = (&p.blocks, &p.domains);
    let changes = top_changes(a, year, |r| &r.prev);
    let since_base = top_changes(a, year, |r| &r.base);
    let base_year = since_base
        .first()
        .and_then(|r| r.base.year)
        .unwrap_or(years.0);
    html! {
        section.chapter #sammanfattning {
            h2 { "Sammanfattning" }
            h3 { "De viktigaste förändringarna mot föregående år" }
            @if changes.is_empty() {
                p { "Inga statistiskt säkerställda förändringar mot föregående undersökningsår" (untested_note(p.a, year, |r| &r.prev)) "." }
            } @else {
                (changes_table(look, names, &changes, |r| &r.prev, "Förra året", year))
            }
            @if years.0 < year {
                h3 { "De viktigaste förändringarna sedan " (base_year) }
                @if since_base.is_empty() {
                    p { "Inga statistiskt säkerställda förändringar sedan " (years.0) (untested_note(p.a, year, |r| &r.base)) "." }
                } @else {
                    (changes_table(look, names, &since_base, |r| &r.base, &base_year.to_string(), year))
                }
            }
            p.muted { "Signifikant betyder q < " (P::sv(P::SIGNIFICANCE)) " efter Benjamini–Hochberg-korrektion över alla jämförelser i rapporten. Högst 15 förändringar visas, de största först." }
            h3 { "Indexnivåer " (year) }
            (scroll(&format!("Indexnivåer {year}"), html! { table {
                thead { tr { th { "Område" } @for (_, name) in blocks { th { (name) } } } }
                tbody {
                    @for d in domains {
                        tr {
                            td { (names.domain(d)) }
                            @for (index, _) in blocks { (index_cell(look.index(year, d, index))) }
                        }
                    }
                }
            } }))
            @for (index, _) in blocks { (figure(svgs, &ChartName::Index(index).file_stem())) }
        }
    }
}

/// A district's chapter: its index over the years and its indicators by theme.
fn district_chapter(p: &Page, d: &String) -> Markup {
    let (look, names, svgs, years, year) = (p.look, p.names, p.svgs, p.years, p.years.1);
    let (blocks, themes) = (&p.blocks, &p.themes);
    html! {
        section.chapter #{ "omrade-" (slug(d)) } {
            h2 { ((names.district)(d)) }
            h3 { "Index över åren" }
            (scroll(&format!("Index över åren, {}", (names.district)(d)), html! { table {
                thead { tr { th { "År" } @for (_, name) in blocks { th { (name) } } } }
                tbody {
                    @for y in years.0..=years.1 {
                        tr { td { (y) } @for (index, _) in blocks { (index_cell(look.index(y, &Domain::District(d.clone()), index))) } }
                    }
                }
            } }))
            @for (section, list) in themes {
                h3 { (section.title.get("sv")) }
                (scroll(&format!("{}, {}", section.title.get("sv"), (names.district)(d)), html! { table {
                    thead { tr { th { "Indikator" } th { (year) } th { "Nivå (0–6)" } th { "Förändring mot föregående år" } } }
                    tbody {
                        @for code in list {
                            @let r = look.share(year, &Domain::District(d.clone()), code);
                            tr {
                                td { ((names.indicator)(code)) }
                                (share_cell(r))
                                td.num { @if let Some(l) = r.and_then(|r| r.level) { (l) } @else { "–" } }
                                (change_cell(r))
                            }
                        }
                    }
                } }))
                @for code in list { (figure(svgs, &ChartName::Trend { district: d, indicator: code }.file_stem())) }
            }
        }
    }
}

/// A theme's chapter: its indicators in every district and the municipality.
fn theme_chapter(p: &Page, section: &Section, list: &[&String]) -> Markup {
    let (look, names, svgs, districts, year) = (p.look, p.names, p.svgs, p.districts, p.years.1);
    let domains = &p.domains;
    html! {
        section.chapter #{ "tema-" (slug(&section.code)) } {
            h2 { "Tema: " (section.title.get("sv")) }
            (scroll(&format!("Tema: {}", section.title.get("sv")), html! { table {
                thead { tr { th { "Indikator " (year) } @for d in districts { th { ((names.district)(d)) } } th { "Alla områden" } } }
                tbody {
                    @for code in list {
                        tr {
                            td { ((names.indicator)(code)) }
                            @for d in domains { (share_cell(look.share(year, d, code))) }
                        }
                    }
                }
            } }))
            @for code in list { (figure(svgs, &ChartName::Compare { year, indicator: code }.file_stem())) }
        }
    }
}

/// The measures chapter: each registered measure's difference-in-differences tables and
/// charts.
fn measures_chapter(p: &Page) -> Markup {
    let (a, names, svgs) = (p.a, p.names, p.svgs);
    html! {
        section.chapter #atgarder {
            h2 { "Åtgärder och deras effekter" }
            p { "Varje åtgärd jämförs före och efter sin start med de andra områdena (skillnad-i-skillnader). Metoden förutsätter att området och jämförelseområdena hade följt samma trend utan åtgärden; diagrammen visar hela serierna så att det går att bedöma." }
            @if a.register.is_empty() { p { "Inga åtgärder är registrerade." } }
            @for m in &a.register {
                h3 { (m.title) }
                p.muted {
                    ((names.district)(&m.district)) ", start " (m.start.to_string()) ", kategori " (m.category) ". "
                    @match &m.version {
                        // The public report names no member of staff.
                        Some(v) => { "Åtgärdsregistret, version " (v.version) " (ändrad " (v.edited_at) ")." }
                        None => { "Åtgärdsregistret: surveys/measures.toml." }
                    }
                }
                @let rows: Vec<&MeasureRow> = a.measures.iter().filter(|r| r.measure == m.id).collect();
                @if rows.is_empty() {
                    p { "Kunde inte utvärderas: det saknas en undersökning före och efter starten, eller jämförelseområden." }
                } @else {
                    @for (target, caption) in [(true, "Målindikatorer – det åtgärden ska påverka"), (false, "Övriga indikatorer (utforskande)")] {
                        @let part: Vec<&&MeasureRow> = rows.iter().filter(|r| r.target == target).collect();
                        @if !part.is_empty() {
                        (scroll(&format!("{}: {}", m.title, caption), html! { table.measure {
                            caption { (caption) }
                            thead { tr { th { "Indikator" } th { "Före–efter" } th { "Förändring i området" } th { "I jämförelseområdena" } th { "Skillnad-i-skillnader" } th { "95 % KI" } th { "p" } th { "q" } } }
                            tbody {
                                @for r in part {
                                    tr {
                                        td { ((names.indicator)(&r.indicator)) }
                                        td { (r.before_year) "–" (r.after_year) }
                                        @if r.suppressed {
                                            td.supp colspan="6" { "dold (för få svar eller för att skydda en annan uppgift)" }
                                        } @else if r.self_selected {
                                            td.num { (signed_points(r.delta_district.unwrap_or(0.0))) }
                                            td.num { (signed_points(r.delta_comparison.unwrap_or(0.0))) }
                                            td.num { (signed_points(r.did.unwrap_or(0.0))) }
                                            td.muted colspan="3" { "ej prövad: svar via öppen länk (självselekterade)" }
                                        } @else {
                                            td.num { (signed_points(r.delta_district.unwrap_or(0.0))) }
                                            td.num { (signed_points(r.delta_comparison.unwrap_or(0.0))) }
                                            td.num.sig[r.significant == Some(true)] {
                                                (signed_points(r.did.unwrap_or(0.0)))
                                                @if r.significant == Some(true) { " " span.tag { "säkerställd" } }
                                            }
                                            td.num { (signed_points(r.ci_low.unwrap_or(0.0))) " till " (signed_points(r.ci_high.unwrap_or(0.0))) }
                                            td.num { (p_value(r.p.unwrap_or(1.0))) }
                                            td.num { (p_value(r.q.unwrap_or(1.0))) }
                                        }
                                    }
                                }
                            }
                        } }))
                        }
                    }
                }
                @for r in shown_measure_rows(a).into_iter().filter(|r| r.measure == m.id) {
                    (figure(svgs, &ChartName::Measure { measure: &r.measure, indicator: &r.indicator }.file_stem()))
                }
            }
        }
    }
}

/// The responses chapter: answers, effective sizes and response rates per district and year.
fn responses_chapter(p: &Page) -> Markup {
    let (a, names, districts, years) = (p.a, p.names, p.districts, p.years);
    html! {
        section.chapter #svar {
            h2 { "Svar" }
            (scroll("Svar per år och område", html! { table {
                thead { tr { th { "År" } @for d in districts { th { ((names.district)(d)) } } } }
                tbody {
                    @for y in years.0..=years.1 {
                        tr {
                            td { (y) }
                            @for d in districts {
                                @let w = a.weighting.iter().find(|w| w.year == y && &w.district == d);
                                td.num {
                                    @match w {
                                        Some(w) if w.n >= 5 => { (thousands(w.n as f64)) " " span.muted { "(effektivt " (thousands(w.n_eff)) ")" } }
                                        Some(w) if w.n > 0 => { "<5" }
                                        _ => { "–" }
                                    }
                                    @match w.map(|w| (w.fieldwork.as_ref(), w.response_rate().filter(|_| w.n >= 5 || w.n == 0))) {
                                        Some((Some(f), Some(rate))) => {
                                            br; span.muted { (pct(rate)) " av " (thousands((f.letters - f.undeliverable) as f64)) " brev" }
                                        }
                                        Some((None, _)) => { br; span.muted { "öppen länk" } }
                                        _ => {}
                                    }
                                    @if let Some(w) = w {
                                        @if !w.trim_converged {
                                            br; span.muted { "största vikt " (one_decimal(w.max_weight_ratio.unwrap_or(0.0))) " × medel: trimningen nådde inte taket" }
                                        }
                                        @for c in &w.collapsed {
                                            br; span.muted { "åldersgrupper sammanslagna: " (c) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } }))
            p.muted { "Effektivt antal: Kish effektiva urvalsstorlek efter viktning. Svarsfrekvens: svar på webben och på papper delat med utskickade brev som nått fram (AAPOR RR1; brev som kommit tillbaka som obeställbara räknas bort). \"Öppen länk\" betyder att vem som helst kunde svara – inte ett slumpmässigt urval, och ingen svarsfrekvens kan anges." }
        }
    }
}
