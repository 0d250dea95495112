//! The results explorer's page (`/personal/resultat`): the view's form, its chart over the
//! years and the districts compared in one year, each with its table. The handler chooses
//! and computes; this only lays it out.

use maud::{Markup, html};

use super::staff::layout;
use crate::analysis::ResultRow;
use crate::auth::Staff;
use crate::charts::Described;
use crate::report::figures::{Names, p_value, signed_points};
use crate::report::{Drawing, chart_figure};

/// One option of a form control: its value, the name readers see, and whether it is chosen.
pub struct Choice {
    pub value: String,
    pub name: String,
    pub chosen: bool,
}

/// The explorer's form as chosen: districts (the municipality last), indicators, groups,
/// the years to choose from and the chosen span and comparison year.
pub struct ExplorerForm {
    pub districts: Vec<Choice>,
    pub indicators: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub years: Vec<i32>,
    pub from: i32,
    pub to: i32,
    pub year: i32,
}

/// Everything the page shows.
pub struct ExplorerPage<'a> {
    pub form: ExplorerForm,
    /// Why the asked-for view could not be shown (the default view is shown instead).
    pub faults: &'a [String],
    pub title: &'a str,
    /// The view's query string, for the download links.
    pub query: &'a str,
    pub chart_svg: &'a str,
    pub chart_alt: &'a Described,
    pub compare_svg: &'a str,
    pub compare_alt: &'a Described,
    pub rows: &'a [&'a ResultRow],
    pub compared: &'a [&'a ResultRow],
    pub names: &'a Names<'a>,
    /// Shares in percent (else index levels).
    pub share: bool,
    /// The smallest number of answers a published estimate has.
    pub min_n: &'a str,
}

/// A value as the page shows it: a share in percent, an index level with one decimal.
fn shown(x: Option<f64>, share: bool) -> String {
    match x {
        Some(v) if share => format!("{:.1} %", 100.0 * v).replace('.', ","),
        Some(v) => format!("{v:.1}").replace('.', ","),
        None => "–".into(),
    }
}

/// A change as the page shows it: a share's in percentage points ("+3,2"), an index
/// level's with its sign and one decimal.
fn change(x: Option<f64>, share: bool) -> String {
    match x {
        Some(d) if share => signed_points(d),
        Some(d) => signed_points(d / 100.0),
        None => "–".into(),
    }
}

/// Whether a change is significant, as the tables say it; a change to or from answers
/// through an open link is never tested.
pub fn significance(significant: Option<bool>, self_selected: bool) -> &'static str {
    match (significant, self_selected) {
        (_, true) => "ej prövad (öppen länk)",
        (Some(true), _) => "ja",
        (Some(false), _) => "nej",
        (None, _) => "",
    }
}

fn table(rows: &[&ResultRow], names: &Names, share: bool, caption: &str) -> Markup {
    html! {
        div.table-scroll tabindex="0" role="region" aria-label=(caption) { table {
            caption { (caption) }
            thead { tr { th scope="col" { "Område" } th scope="col" { "År" } th scope="col" { (if share { "Andel" } else { "Nivå" }) } th scope="col" { "95 % KI" } th scope="col" { "n" } th scope="col" { "Effektivt n" } th scope="col" { (if share { "Förändring (procentenheter)" } else { "Förändring" }) } th scope="col" { "q" } th scope="col" { "Säkerställd" } } }
            tbody {
                @for r in rows {
                    tr {
                        th scope="row" { (names.domain(&r.district)) }
                        td { (r.year) @if r.self_selected { br; span.muted { "öppen länk, självselekterat" } } }
                        @if r.suppressed {
                            td colspan="7" { (r.hidden_text()) }
                        } @else {
                            td { (shown(r.estimate, share)) }
                            td { (shown(r.ci_low, share)) " – " (shown(r.ci_high, share)) }
                            td { (r.n.map(|n| n.to_string()).unwrap_or_default()) }
                            td { (r.n_eff.map(|n| format!("{n:.0}")).unwrap_or_default()) }
                            td { (change(r.prev.diff, share)) }
                            td { (r.prev.q.map(p_value).unwrap_or_default()) }
                            td { (significance(r.prev.significant, r.prev.self_selected)) }
                        }
                    }
                }
            }
        } }
    }
}

fn select(c: &[Choice]) -> Markup {
    html! { @for o in c { option value=(o.value) selected[o.chosen] { (o.name) } } }
}

fn form(f: &ExplorerForm) -> Markup {
    let year_select = |id: &str, chosen: i32| {
        html! {
            select id=(id) name=(id) { @for y in &f.years { option value=(y) selected[*y == chosen] { (y) } } }
        }
    };
    html! {
        form.explorer method="get" action="/personal/resultat" {
            fieldset {
                legend { "Områden" }
                @for d in &f.districts {
                    div.option {
                        input type="checkbox" id={ "d-" (d.value) } name="district" value=(d.value) checked[d.chosen];
                        label for={ "d-" (d.value) } { (d.name) }
                    }
                }
            }
            div.field {
                label for="indicator" { "Indikator eller index" }
                select #indicator name="indicator" { (select(&f.indicators)) }
            }
            div.field {
                label for="group" { "Grupp" }
                select #group name="group" { (select(&f.groups)) }
            }
            div.field { label for="from" { "Från år" } (year_select("from", f.from)) }
            div.field { label for="to" { "Till år" } (year_select("to", f.to)) }
            div.field { label for="year" { "Jämför områdena år" } (year_select("year", f.year)) }
            button type="submit" { "Visa" }
        }
    }
}

/// The explorer page.
pub fn explorer(s: &Staff, p: &ExplorerPage) -> Markup {
    let (title, q, f) = (p.title, p.query, &p.form);
    let body = html! {
        @if !p.faults.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { "Vyn kunde inte visas – här är standardvyn" }
                ul { @for fault in p.faults { li { (fault) } } }
            }
        }
        (form(f))
        h2 { (title) }
        (chart_figure(Drawing::Inline(p.chart_svg), p.chart_alt))
        p.downloads {
            "Ladda ner vyn: "
            a href={ "/personal/resultat.csv?" (q) "&sep=semicolon" } { "CSV för svensk Excel" }
            " · " a href={ "/personal/resultat.csv?" (q) } { "CSV" }
            " · " a href={ "/personal/resultat.xlsx?" (q) } { "Excel (XLSX)" }
            " · " a href={ "/personal/resultat.parquet?" (q) } { "Parquet" }
        }
        (table(p.rows, p.names, p.share, &format!("{title}, {}–{}", f.from, f.to)))
        h2 { "Områdena " (f.year) }
        (chart_figure(Drawing::Inline(p.compare_svg), p.compare_alt))
        (table(p.compared, p.names, p.share, &format!("{title}, områdena {}", f.year)))
        p { "Grupper med färre än " (p.min_n) " svar visas inte (för få svar). Förändring och q avser jämförelsen med föregående undersökningsår." }
    };
    layout("Resultat", Some(s), body)
}
