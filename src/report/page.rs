//! The report page: one self-contained `index.html` in Swedish, charts inline as SVG, with
//! a print stylesheet so a browser prints it as a tidy PDF. Every figure in it is a value of
//! the analysis tables; suppressed cells say "för få svar".

use std::collections::BTreeMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::figures::{Lookup, Names, p_value, signed_points, thousands};
use crate::analysis::policy as P;
use crate::analysis::results::Comparison;
use crate::analysis::{Analysis, ChartName, Domain, Group, Kind, MeasureRow, ResultRow};

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1b1b1b; max-width: 60rem; margin: 0 auto; padding: 1rem; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.4rem; margin-top: 2.5rem; border-bottom: 2px solid #0072b2; } h3 { font-size: 1.1rem; margin-top: 1.5rem; }
/* Wide tables scroll inside their own box, so the page never scrolls sideways on a phone. */
table { border-collapse: collapse; margin: .75rem 0; font-size: .9rem; display: block; max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
th { background: #eef3f8; }
figure { margin: 1rem 0; break-inside: avoid; }
figure svg { width: 100%; max-width: 100%; height: auto; }
h1, h2, h3, p, li { overflow-wrap: break-word; }
@media (max-width: 40rem) { nav ol { columns: 1; } }
.muted { color: #555; font-size: .9rem; }
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

fn pct(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

fn one_decimal(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// A share with its interval, or why it is hidden.
fn share_cell(r: Option<&ResultRow>) -> Markup {
    match r {
        None => html! { td.num { "–" } },
        Some(r) if r.suppressed => html! { td.supp { (r.hidden_text()) } },
        Some(r) => html! {
            td.num {
                (pct(r.estimate.unwrap_or(0.0)))
                @if let (Some(lo), Some(hi)) = (r.ci_low, r.ci_high) {
                    " " span.muted { "(" (format!("{:.0}–{:.0}", lo * 100.0, hi * 100.0)) ")" }
                }
            }
        },
    }
}

fn index_cell(r: Option<&ResultRow>) -> Markup {
    match r {
        None => html! { td.num { "–" } },
        Some(r) if r.suppressed => html! { td.supp { (r.hidden_text()) } },
        Some(r) => {
            html! { td.num { (one_decimal(r.estimate.unwrap_or(0.0))) " " span.muted { (r.class.map(|c| c.sv()).unwrap_or("")) } } }
        }
    }
}

fn change_cell(r: Option<&ResultRow>) -> Markup {
    match r.and_then(|r| r.prev.diff.map(|d| (d, r))) {
        Some((d, r)) => {
            let sig = r.prev.significant == Some(true);
            html! { td.num.sig[sig] { (signed_points(d)) @if sig { " *" } } }
        }
        None => html! { td.num { "–" } },
    }
}

fn figure(svgs: &BTreeMap<String, String>, name: &str) -> Markup {
    match svgs.get(name) {
        // Trusted: plotters' own SVG, in which every text is escaped.
        Some(svg) => html! { figure { (PreEscaped(svg)) } },
        None => html! {},
    }
}

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
        table {
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
        }
    }
}

pub fn render(
    a: &Analysis,
    look: &Lookup,
    names: &Names,
    years: (i32, i32),
    districts: &[String],
    indicators: &[String],
    svgs: &BTreeMap<String, String>,
) -> String {
    let q = &a.questionnaire;
    let year = years.1;
    let district_list = districts
        .iter()
        .map(|d| (names.district)(d))
        .collect::<Vec<_>>()
        .join(", ");
    let total: usize = a
        .weighting
        .iter()
        .filter(|w| w.year == year)
        .map(|w| w.n)
        .sum();
    let changes = top_changes(a, year, |r| &r.prev);
    let since_base = top_changes(a, year, |r| &r.base);
    let base_year = since_base
        .first()
        .and_then(|r| r.base.year)
        .unwrap_or(years.0);
    let blocks = super::figures::index_blocks(q);
    let domains: Vec<Domain> = districts
        .iter()
        .map(|d| Domain::District(d.clone()))
        .chain(std::iter::once(Domain::Municipality))
        .collect();
    let themes: Vec<(&crate::questionnaire::Section, Vec<&String>)> = q
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

    let page = html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Trygghetsundersökning " (year) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "Trygghetsundersökning " (year) }
                    p { "Lokal trygghetsundersökning i " (district_list) ". Årsrapport till styrgruppen med jämförelser " (years.0) "–" (year) "." }
                    p.muted { "I år svarade " (thousands(total as f64)) " personer. Alla siffror i rapporten kommer ur resultattabellen (tables/results.csv); andelar är viktade till befolkningen i varje område." }
                    @if !unweighted.is_empty() {
                        p.muted { "Oviktade år (ingen befolkningsfil): " (unweighted.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")) "." }
                    }
                }
                nav aria-label="Innehåll" {
                    h2 { "Innehåll" }
                    ol {
                        li { a href="#sammanfattning" { "Sammanfattning" } }
                        @for d in districts { li { a href={ "#omrade-" (slug(d)) } { ((names.district)(d)) } } }
                        @for (s, _) in &themes { li { a href={ "#tema-" (slug(&s.code)) } { "Tema: " (s.title.get("sv")) } } }
                        li { a href="#atgarder" { "Åtgärder och deras effekter" } }
                        li { a href="#svar" { "Svar" } }
                        li { a href="#metod" { "Metod" } }
                    }
                }

                section.chapter #sammanfattning {
                    h2 { "Sammanfattning" }
                    h3 { "De viktigaste förändringarna mot föregående år" }
                    @if changes.is_empty() {
                        p { "Inga statistiskt säkerställda förändringar mot föregående undersökningsår." }
                    } @else {
                        (changes_table(look, names, &changes, |r| &r.prev, "Förra året", year))
                    }
                    @if years.0 < year {
                        h3 { "De viktigaste förändringarna sedan " (base_year) }
                        @if since_base.is_empty() {
                            p { "Inga statistiskt säkerställda förändringar sedan " (years.0) "." }
                        } @else {
                            (changes_table(look, names, &since_base, |r| &r.base, &base_year.to_string(), year))
                        }
                    }
                    p.muted { "Signifikant betyder q < " (P::sv(P::SIGNIFICANCE)) " efter Benjamini–Hochberg-korrektion över alla jämförelser i rapporten. Högst 15 förändringar visas, de största först." }
                    h3 { "Indexnivåer " (year) }
                    table {
                        thead { tr { th { "Område" } @for (_, name) in &blocks { th { (name) } } } }
                        tbody {
                            @for d in &domains {
                                tr {
                                    td { (names.domain(d)) }
                                    @for (index, _) in &blocks { (index_cell(look.index(year, d, index))) }
                                }
                            }
                        }
                    }
                    @for (index, _) in &blocks { (figure(svgs, &ChartName::Index(index).file_stem())) }
                }

                @for d in districts {
                    section.chapter #{ "omrade-" (slug(d)) } {
                        h2 { ((names.district)(d)) }
                        h3 { "Index över åren" }
                        table {
                            thead { tr { th { "År" } @for (_, name) in &blocks { th { (name) } } } }
                            tbody {
                                @for y in years.0..=years.1 {
                                    tr { td { (y) } @for (index, _) in &blocks { (index_cell(look.index(y, &Domain::District(d.clone()), index))) } }
                                }
                            }
                        }
                        @for (section, list) in &themes {
                            h3 { (section.title.get("sv")) }
                            table {
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
                            }
                            @for code in list { (figure(svgs, &ChartName::Trend { district: d, indicator: code }.file_stem())) }
                        }
                    }
                }

                @for (section, list) in &themes {
                    section.chapter #{ "tema-" (slug(&section.code)) } {
                        h2 { "Tema: " (section.title.get("sv")) }
                        table {
                            thead { tr { th { "Indikator " (year) } @for d in districts { th { ((names.district)(d)) } } th { "Alla områden" } } }
                            tbody {
                                @for code in list {
                                    tr {
                                        td { ((names.indicator)(code)) }
                                        @for d in &domains { (share_cell(look.share(year, d, code))) }
                                    }
                                }
                            }
                        }
                        @for code in list { (figure(svgs, &ChartName::Compare { year, indicator: code }.file_stem())) }
                    }
                }

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
                                table.measure {
                                    caption { (caption) }
                                    thead { tr { th { "Indikator" } th { "Före–efter" } th { "Förändring i området" } th { "I jämförelseområdena" } th { "Skillnad-i-skillnader" } th { "95 % KI" } th { "p" } th { "q" } } }
                                    tbody {
                                        @for r in part {
                                            tr {
                                                td { ((names.indicator)(&r.indicator)) }
                                                td { (r.before_year) "–" (r.after_year) }
                                                @if r.suppressed {
                                                    td.supp colspan="6" { "dold (för få svar eller för att skydda en annan uppgift)" }
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
                                }
                                }
                            }
                        }
                        @for r in shown_measure_rows(a).into_iter().filter(|r| r.measure == m.id) {
                            (figure(svgs, &ChartName::Measure { measure: &r.measure, indicator: &r.indicator }.file_stem()))
                        }
                    }
                }

                section.chapter #svar {
                    h2 { "Svar" }
                    table {
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
                    }
                    p.muted { "Effektivt antal: Kish effektiva urvalsstorlek efter viktning. Svarsfrekvens: svar på webben och på papper delat med utskickade brev som nått fram (AAPOR RR1; brev som kommit tillbaka som obeställbara räknas bort). \"Öppen länk\" betyder att vem som helst kunde svara – inte ett slumpmässigt urval, och ingen svarsfrekvens kan anges." }
                }

                section.chapter #metod {
                    h2 { "Metod" }
                    h3 { "Urval och svarsfrekvens" }
                    p { "Ett år med slumpmässigt urval drar trygg ett stratifierat obundet slumpmässigt urval av invånare 16–84 år i varje område ur befolkningsregistret (strata: kön och åldersgrupp, med proportionell fördelning). Varje utvald person får ett brev med en engångskod, sedan en påminnelse och en pappersenkät. Svaren kan inte kopplas till koden eller personen: trygg sparar aldrig namn, adress eller personnummer, och ett svar bär ingenting från koden. Designvikten är populationen delat med antalet brev i stratumet (N_h / n_h), och viktningen nedan utgår från den. Stratum bestäms av svarandens egna svar om kön och ålder." }
                    h3 { "Viktning" }
                    p { "Svaren i varje område och år viktas så att fördelningen på kön och åldersgrupp (16–24, 25–44, 45–64 och 65–84 år) motsvarar befolkningen enligt befolkningsfilen (raking, iterativ proportionell anpassning). Den som inte angett kön eller ålder behåller sin andel. Vikter över " (P::TRIM_FACTOR) " gånger medelvikten trimmas och viktningen görs om, högst " (P::MAX_TRIM_ROUNDS) " gånger; når trimningen inte taket redovisas den största vikten i svarstabellen. Saknas svarande i en åldersgrupp slås den ihop med grannen (16–24 med 25–44, 65–84 med 45–64), och det redovisas. För varje område redovisas effektivt antal svar (Kish)." }
                    h3 { "Andelar och osäkerhet" }
                    p { "En indikator är den viktade andelen som valt de svarsalternativ som räknas (till exempel ganska eller mycket stort problem). \"Vet ej\" och obesvarade frågor räknas inte. Osäkerheten skattas med linjärisering, och 95-procentiga konfidensintervall beräknas på logitskalan; vid andelen 0 eller 1 används Clopper–Pearsons intervall. Ett intervall bredare än " (P::sv((P::UNCERTAIN_WIDTH * 100.0).round())) " procentenheter markeras som osäkert. I ett test får en andel på exakt 0 eller 1 variansen för den justerade andelen (p·n_eff + 0,5)/(n_eff + 1) i stället för 0, så att testet inte blir för säkert." }
                    h3 { "Förändringar" }
                    p { "Två år i ett område är oberoende urval. Förändringen prövas med ett z-test, och eftersom rapporten gör många jämförelser justeras p-värdena med Benjamini–Hochbergs metod (q-värden). En förändring kallas signifikant när q < " (P::sv(P::SIGNIFICANCE)) ". Jämförelser görs bara mellan år som ställt samma fråga." }
                    h3 { "Indexnivåer" }
                    p { "Varje indikator har ett normvärde. Nivån 0–6 anger hur långt andelen ligger från normen, i steg som bestäms av osäkerheten vid cirka 360 svar: nivå 2 är normalläget, högre nivåer är sämre. Ett index (problem, utsatthet, otrygghet och totalt) är medelvärdet av indikatorernas nivåer: högst " (P::sv(P::INDEX_LOW_MAX)) " är lågt, upp till " (P::sv(P::INDEX_RAISED_MAX)) " förhöjt och därutöver högt. Detta är trygg:s dokumenterade modell, inte en kopia av polisens interna tabeller." }
                    h3 { "Sekretess och små grupper" }
                    p { "En skattning med färre än " (P::sv(P::MIN_N)) " svar, eller ett effektivt antal under " (P::sv(P::MIN_N_EFF)) ", visas inte (\"för få svar\") – varken värde, intervall, nivå eller förändring. Antal under " (P::sv(P::SMALLEST_PUBLISHED_N)) " publiceras aldrig. Fritextsvar ingår aldrig i rapporten." }
                    p { "Det räcker inte att dölja de små grupperna: den som vet hela områdets andel och alla andra gruppers andelar kan annars räkna fram den dolda gruppens andel genom subtraktion – till exempel kommunen minus de tre andra områdena, eller ett område minus dess övriga åldersgrupper. Därför döljs ytterligare uppgifter (\"dold för att skydda en annan uppgift\"), de med minst antal svar först, tills ingen dold uppgift kan räknas fram närmare än " (P::sv((P::PROTECTION_WIDTH * 100.0).round())) " procentenheter (för en ovanlig indikator: dubbla kommunens andel), oavsett vilka publicerade siffror man kombinerar. Samma regel gäller medelvärden (" (P::sv((P::PROTECTION_WIDTH * 100.0).round())) " % av skalan). En dold uppgift visar varken värde, antal svar, intervall, nivå eller förändring, och en åtgärdseffekt visas inte om den bygger på en dold uppgift. Hur många uppgifter som dolts av detta skäl står i metodnoterna." }
                    h3 { "Åtgärder" }
                    p { "Varje åtgärd anger sina målindikatorer, det den ska påverka. Målindikatorerna för alla åtgärder prövas som en familj och övriga indikatorer, som är utforskande, som en annan; p-värdena justeras inom varje familj med Benjamini–Hochbergs metod (q-värden). En effekt kallas säkerställd bara när q < " (P::sv(P::SIGNIFICANCE)) "." }
                    p { "Före är områdets senaste undersökning som stängde före åtgärdens start, efter den första som öppnade efter starten. Jämförelsen är övriga områden som undersöktes båda åren utan en åtgärd av samma slag däremellan, sammanslagna med områdena som strata; på samma sätt skattas Alla områden. Skillnad-i-skillnader förutsätter parallella trender." }
                }
                footer { p.muted { "Framtagen med trygg. Tabeller: tables/, diagram: charts/, arbetsbok: trygg-" (year) ".xlsx, hela resultattabellen: results.parquet." } }
            }
        }
    };
    page.into_string()
}
