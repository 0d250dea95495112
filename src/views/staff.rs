//! The staff pages under `/personal`, in Swedish: sign-in, password, the survey-year
//! overview, waves, users and the audit log. Same stylesheet as the resident pages, no
//! scripts; every state-changing form carries the session's CSRF token.

use maud::{DOCTYPE, Markup, html};

use crate::auth::Staff;
use crate::role::Role;
use crate::store::{ApiToken, AuditEntry, CodeState, Wave};

/// A table in a box of its own that scrolls sideways on a narrow screen — never the page —
/// which a keyboard reaches and a screen reader names.
pub fn scrolled(label: &str, table: Markup) -> Markup {
    html! { div.table-scroll tabindex="0" role="region" aria-label=(label) { (table) } }
}

/// The frame of a staff page; `staff` is the signed-in person, if any.
pub fn layout(title: &str, staff: Option<&Staff>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="sv" dir="ltr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " – trygg, personal" }
                link rel="stylesheet" href="/static/style.css";
            }
            body.staff {
                a.skip href="#main" { "Hoppa till innehållet" }
                header.site {
                    a.brand href="/personal" { "trygg – personal" }
                    @if let Some(s) = staff {
                        nav aria-label="Personal" {
                            ul.staff-nav {
                                @if matches!(s.account.role, Role::Admin | Role::Analyst) { li { a href="/personal/oversikt" { "Översikt" } } }
                                @if s.account.role == Role::Admin {
                                    li { a href="/personal/vagor" { "Enkäter" } }
                                    li { a href="/personal/falt" { "Fältarbete" } }
                                    li { a href="/personal/granskning" { "Granskning" } }
                                    li { a href="/personal/anvandare" { "Användare" } }
                                    li { a href="/personal/api" { "API" } }
                                    li { a href="/personal/logg" { "Logg" } }
                                }
                                @if s.account.role == Role::Reporter {
                                    li { a href="/personal/est/rapportera" { "Rapportera" } }
                                    li { a href="/personal/est/mina" { "Mina rapporter" } }
                                } @else {
                                    li { a href="/personal/resultat" { "Resultat" } }
                                    li { a href="/personal/atgarder" { "Åtgärder" } }
                                }
                                @if matches!(s.account.role, Role::Admin | Role::Analyst) { li { a href="/personal/rapporter" { "Årsrapporter" } } }
                                @if s.account.role != Role::Reader { li { a href="/personal/est" { "Veckans lägesbild" } } }
                                li { a href="/rapporter" { "Rapporter" } }
                            }
                        }
                        form method="post" action="/personal/logga-ut" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            span { (s.account.email) " (" (role_sv(s.account.role)) ") " }
                            button.link type="submit" { "Logga ut" }
                        }
                    }
                }
                main #main { h1 { (title) } (body) }
            }
        }
    }
}

pub fn role_sv(r: Role) -> &'static str {
    match r {
        Role::Admin => "administratör",
        Role::Analyst => "analytiker",
        Role::Reader => "läsare",
        Role::Reporter => "rapportör",
    }
}

/// What a letter's code records, in Swedish (after "koden …"): a used code says
/// nothing of the channel.
pub fn code_state_sv(s: CodeState) -> &'static str {
    match s {
        CodeState::Unused => "oanvänd",
        CodeState::Used => "använd",
        CodeState::Undeliverable => "obeställbar",
        CodeState::Declined => "avböjd",
    }
}

pub fn login(error: Option<&str>, email: &str) -> Markup {
    layout(
        "Logga in",
        None,
        html! {
            @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
            form method="post" action="/personal/logga-in" {
                label for="email" { "E-post" }
                input #email type="text" name="email" autocomplete="username" value=(email);
                label for="password" { "Lösenord" }
                input #password type="password" name="password" autocomplete="current-password";
                button type="submit" { "Logga in" }
            }
        },
    )
}

pub fn set_password(email: &str, error: Option<&str>, token: &str) -> Markup {
    layout(
        "Välj lösenord",
        None,
        html! {
            p { "Kontot " strong { (email) } " behöver ett lösenord på minst " (crate::auth::MIN_PASSWORD_CHARS) " tecken (högst " (crate::auth::MAX_PASSWORD_BYTES) " byte)." }
            @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
            form method="post" action={ "/personal/losenord/" (token) } {
                label for="password" { "Nytt lösenord" }
                input #password type="password" name="password" autocomplete="new-password" minlength=(crate::auth::MIN_PASSWORD_CHARS) maxlength=(crate::auth::MAX_PASSWORD_BYTES);
                button type="submit" { "Spara lösenordet" }
            }
        },
    )
}

pub fn home(s: &Staff) -> Markup {
    layout(
        "Personal",
        Some(s),
        html! {
            p { "Du är inloggad som " (role_sv(s.account.role)) "." }
            @if s.account.role != Role::Reader {
                ul {
                    li { a href="/personal/est/rapportera" { "Rapportera en händelse" } }
                    li { a href="/personal/est/mina" { "Mina rapporter" } }
                    @if s.account.role != Role::Reporter { li { a href="/personal/est/granska" { "Granska rapporter" } } }
                }
            }
            form method="post" action="/personal/logga-ut-overallt" {
                input type="hidden" name="csrf" value=(s.csrf);
                button type="submit" { "Logga ut på alla enheter" }
            }
        },
    )
}

/// What a checked questionnaire file will publish, for the administrator to confirm.
pub struct PublicationSummary<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub questions: usize,
    pub year: i32,
    pub opens: chrono::NaiveDate,
    pub closes: chrono::NaiveDate,
    /// District codes, and their names in the same order.
    pub districts: &'a [String],
    pub names: &'a [String],
    /// The file's bytes in base64, sent back unchanged with the confirmation.
    pub source64: &'a str,
}

/// The confirmation step of publishing: what will happen, and a button that does it.
pub fn confirm_publication(s: &Staff, p: &PublicationSummary) -> Markup {
    layout(
        "Bekräfta publicering",
        Some(s),
        html! {
            p { "Enkätfilen är kontrollerad och utan fel. Så här publiceras den:" }
            dl {
                dt { "Enkät" } dd { (p.title) " (" (p.code) ", " (p.questions) " frågor)" }
                dt { "År" } dd { (p.year) }
                dt { "Öppen" } dd { (p.opens) " – " (p.closes) }
                dt { "Områden" } dd { (p.names.join(", ")) }
            }
            p { "Invånarna kan svara från öppningsdagen. En enkät som redan har svar kan inte ändras." }
            form method="post" action="/personal/vagor" {
                input type="hidden" name="csrf" value=(s.csrf);
                input type="hidden" name="confirm" value="ja";
                input type="hidden" name="year" value=(p.year);
                input type="hidden" name="opens" value=(p.opens);
                input type="hidden" name="closes" value=(p.closes);
                @for d in p.districts { input type="hidden" name="district" value=(d); }
                input type="hidden" name="source64" value=(p.source64);
                button type="submit" { "Publicera" }
            }
            p { a href="/personal/vagor" { "Avbryt – inget publiceras" } }
        },
    )
}

pub fn waves(
    s: &Staff,
    waves: &[(Wave, String)],
    districts: &[(String, String)],
    faults: &[String],
    today: chrono::NaiveDate,
) -> Markup {
    layout(
        "Enkäter",
        Some(s),
        html! {
            @if !faults.is_empty() {
                div.error-summary role="alert" tabindex="-1" {
                    h2 { "Enkätfilen har fel – inget publicerades" }
                    ul { @for f in faults { li { (f) } } }
                }
            }
            h2 { "Publicera en enkät" }
            form method="post" action="/personal/vagor" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="file" { "Enkätfil (TOML)" }
                input #file type="file" name="file" accept=".toml";
                label for="year" { "År" }
                input #year type="number" name="year" min="2000" max="2100";
                label for="opens" { "Öppnar (ÅÅÅÅ-MM-DD)" }
                input #opens type="text" name="opens";
                label for="closes" { "Stänger (ÅÅÅÅ-MM-DD)" }
                input #closes type="text" name="closes";
                fieldset.question {
                    legend { "Områden" }
                    @for (code, name) in districts {
                        div.option { input id={ "d-" (code) } type="checkbox" name="district" value=(code); label for={ "d-" (code) } { (name) } }
                    }
                }
                button type="submit" { "Kontrollera och publicera" }
            }
            h2 { "Publicerade enkäter" }
            (scrolled("Publicerade enkäter", html! { table {
                thead { tr { th { "Område" } th { "År" } th { "Öppen" } th { "" } } }
                tbody {
                    @for (w, name) in waves {
                        tr {
                            td { (name) } td { (w.year) } td { (w.opens_on) " – " (w.closes_on) }
                            td {
                                @if w.status(today) == crate::store::WaveStatus::Open {
                                    form method="post" action={ "/personal/vagor/" (w.id) "/stang" } {
                                        input type="hidden" name="csrf" value=(s.csrf);
                                        button type="submit" { "Stäng " (name) " " (w.year) }
                                    }
                                }
                            }
                        }
                    }
                }
            } }))
        },
    )
}

pub fn audit(s: &Staff, entries: &[AuditEntry]) -> Markup {
    layout(
        "Logg",
        Some(s),
        html! {
            form method="get" action="/personal/logg" {
                label for="actor" { "Person" } input #actor type="text" name="actor";
                label for="action" { "Händelse" } input #action type="text" name="action";
                button type="submit" { "Filtrera" }
            }
            (scrolled("Logg", html! { table {
                thead { tr { th { "Tid (UTC)" } th { "Vem" } th { "Vad" } th { "Detaljer" } } }
                tbody { @for e in entries { tr { td { (e.at) } td { (e.actor) } td { (e.action) } td { (e.detail) } } } }
            } }))
        },
    )
}

/// One wave's held open-link answers, for the review page.
pub struct HeldRow {
    pub wave_id: i64,
    /// The newest held answer's id: the decision covers the answers up to it.
    pub last_id: i64,
    pub wave: String,
    pub address_limit: i64,
    pub identical_burst: i64,
}

/// Open-link answers held for review: accept them (they count from then on) or discard them.
pub fn review(s: &Staff, rows: &[HeldRow], error: Option<&str>) -> Markup {
    layout(
        "Granskning",
        Some(s),
        html! {
            p { "Svar via öppen länk hålls här när fler än det tillåtna antalet kom från samma adress till samma enkät inom en timme, eller när samma svar kom tre gånger inom tio minuter. De räknas inte i några resultat, exporter eller svarsantal förrän de godkänns. Adresserna sparas aldrig." }
            @if let Some(e) = error { div.error-summary role="alert" tabindex="-1" { p { (e) } } }
            @if rows.is_empty() {
                p { "Inga svar väntar på granskning." }
            } @else {
                div.table-scroll role="region" aria-label="Svar som väntar" tabindex="0" {
                    table {
                        thead { tr { th scope="col" { "Enkät" } th scope="col" { "Många från samma adress" } th scope="col" { "Likadana svar" } th scope="col" { "Beslut" } } }
                        tbody {
                            @for r in rows {
                                tr {
                                    td { (r.wave) }
                                    td.num { (r.address_limit) }
                                    td.num { (r.identical_burst) }
                                    td {
                                        @for (action, label) in [("accept", "Godkänn alla"), ("discard", "Ta bort alla")] {
                                            form method="post" action="/personal/granskning" {
                                                input type="hidden" name="csrf" value=(s.csrf);
                                                input type="hidden" name="wave" value=(r.wave_id);
                                                input type="hidden" name="upto" value=(r.last_id);
                                                input type="hidden" name="action" value=(action);
                                                button type="submit" { (label) " (" (r.wave) ")" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn message(title: &str, body: &str, staff: Option<&Staff>) -> Markup {
    layout(
        title,
        staff,
        html! { p { (body) } p { a href="/personal" { "Till personalsidan" } } },
    )
}

/// Field work: paper answers from the scanning, and letters returned or declined. Drawing
/// the sample stays a command (`trygg sample`): its print file holds addresses that trygg
/// must neither keep nor risk losing in a browser download.
pub fn fieldwork(s: &Staff, waves: &[(i64, String)], report: Option<(&str, &[String])>) -> Markup {
    let wave_select = |id: &str| {
        html! {
            label for=(id) { "Enkät (slumpurval)" }
            select id=(id) name="wave" { @for (wid, name) in waves { option value=(wid) { (name) } } }
        }
    };
    layout(
        "Fältarbete",
        Some(s),
        html! {
            @if let Some((title, lines)) = report {
                div.receipt role="status" {
                    p { strong { (title) } }
                    @if !lines.is_empty() { ul { @for l in lines { li { (l) } } } }
                }
            }
            @if waves.is_empty() {
                p { "Ingen enkät har slumpurval ännu. Urvalet dras med " code { "trygg sample" } " på servern; utskriftsfilen med adresser lämnas direkt till tryckeriet och sparas aldrig i trygg." }
            } @else {
                h2 { "Importera pappersenkäter" }
                p { "En CSV från skanningen: kolumnen code och sedan en kolumn per frågekod. Varje rad kontrolleras som ett webbsvar; felaktiga rader visas och importeras inte." }
                form method="post" action="/personal/falt/papper" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    (wave_select("paper-wave"))
                    label for="paper-file" { "Fil från skanningen (CSV)" }
                    input #paper-file type="file" name="file" accept=".csv";
                    button type="submit" { "Importera" }
                }
                h2 { "Obeställbara brev och avböjda" }
                form method="post" action="/personal/falt/markera" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    (wave_select("mark-wave"))
                    fieldset.question {
                        legend { "Vad hände med breven?" }
                        div.option { input #st-u type="radio" name="status" value="undeliverable"; label for="st-u" { "Kom tillbaka som obeställbara" } }
                        div.option { input #st-d type="radio" name="status" value="declined"; label for="st-d" { "Personen avböjde" } }
                    }
                    label for="codes" { "Koder, en per rad" }
                    textarea #codes name="codes" rows="6" {}
                    button type="submit" { "Markera" }
                }
            }
        },
    )
}

/// API keys: create (shown once), list, revoke.
pub fn api_tokens(
    s: &Staff,
    list: &[ApiToken],
    districts: &[(String, String)],
    created: Option<(&str, &str)>,
) -> Markup {
    let scope = |t: &ApiToken| {
        t.districts
            .as_ref()
            .map_or("alla".to_string(), |d| d.join(", "))
    };
    layout(
        "API-nycklar",
        Some(s),
        html! {
            @if let Some((name, token)) = created {
                div.receipt role="status" {
                    p { "Nyckeln " strong { (name) } " visas bara nu. Kopiera den till verktyget:" }
                    p { code { (token) } }
                    p { "Använd den som " code { "Authorization: Bearer <nyckel>" } " mot " code { "/api/v1/…" } ". Beskrivningen av API:et finns på " a href="/api/v1/openapi.json" { "/api/v1/openapi.json" } "." }
                }
            }
            h2 { "Skapa en nyckel" }
            form method="post" action="/personal/api" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="name" { "Namn (verktyg eller person)" }
                input #name type="text" name="name" maxlength="100";
                label for="role" { "Roll" }
                select #role name="role" { @for r in Role::API { option value=(r.as_str()) selected[r == Role::Reader] { (role_sv(r)) } } }
                label for="days" { "Giltig i dagar" }
                input #days type="number" name="days" min="1" max=(crate::auth::MAX_API_TOKEN_DAYS) value=(crate::auth::API_TOKEN_DAYS);
                fieldset {
                    legend { "Bara dessa områden (inget valt: alla)" }
                    @for (code, name) in districts {
                        div.option {
                            input type="checkbox" id={ "k-" (code) } name="district" value=(code);
                            label for={ "k-" (code) } { (name) }
                        }
                    }
                }
                button type="submit" { "Skapa" }
            }
            h2 { "Nycklar" }
            (scrolled("Nycklar", html! { table {
                thead { tr { th { "Namn" } th { "Roll" } th { "Områden" } th { "Skapad" } th { "Av" } th { "Giltig till" } th { "Senast använd" } th { "" } } }
                tbody {
                    @for t in list {
                        tr {
                            td { (t.name) } td { (role_sv(t.role)) } td { (scope(t)) } td { (t.created_at) } td { (t.created_by) }
                            td { (t.expires_on) } td { (t.last_used_on.as_deref().unwrap_or("aldrig")) }
                            td {
                                @if t.revoked { "återkallad" } @else {
                                    form method="post" action={ "/personal/api/" (t.id) "/aterkalla" } {
                                        input type="hidden" name="csrf" value=(s.csrf);
                                        button type="submit" { "Återkalla " (t.name) }
                                    }
                                }
                            }
                        }
                    }
                }
            } }))
        },
    )
}

/// The measures register: the current version of each measure, and the form that adds or
/// edits one (every save is a new version; earlier ones are kept).
pub fn measures(
    s: &Staff,
    list: &[crate::analysis::measures::Measure],
    districts: &[(String, String)],
    faults: &[String],
    from_db: bool,
    form: &[(String, String)],
) -> Markup {
    let value = |name: &str| {
        (form.iter())
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let lag = match value("lag") {
        "" => "0",
        typed => typed,
    };
    layout(
        "Åtgärdsregistret",
        Some(s),
        html! {
            @if !faults.is_empty() {
                div.error-summary role="alert" tabindex="-1" { h2 { "Åtgärden sparades inte" } ul { @for f in faults { li { (f) } } } }
            }
            p {
                @if from_db { "Registret finns i databasen; varje ändring sparas som en ny version och tidigare versioner finns kvar. Rapporten använder versionen som gäller när den tas fram och anger vilken." }
                @else { "Registret kommer från surveys/measures.toml. Första ändringen här flyttar det till databasen (version 1 av varje åtgärd)." }
            }
            (scrolled("Åtgärder", html! { table {
                thead { tr { th { "Id" } th { "Område" } th { "Start" } th { "Kategori" } th { "Titel" } th { "Målindikatorer" } th { "Version" } @if matches!(s.account.role, Role::Admin | Role::Analyst) { th { "" } } } }
                tbody {
                    @for m in list {
                        tr {
                            td { a href={ "/personal/atgarder/" (m.id) } { (m.id) } } td { (m.district) } td { (m.start) } td { (m.category) } td { (m.title) } td { (m.targets.join(", ")) }
                            td { @if let Some(v) = &m.version { (v.version) " (" (v.edited_by) ")" } @else { "fil" } }
                            @if matches!(s.account.role, Role::Admin | Role::Analyst) {
                                td { a href={ "/personal/atgarder?andra=" (m.id) "#andra" } { "Ändra " (m.id) } }
                            }
                        }
                    }
                }
            } }))
            @if matches!(s.account.role, Role::Admin | Role::Analyst) {
            h2 #andra { "Lägg till eller ändra" }
            p { "Samma id ändrar en befintlig åtgärd." }
            form method="post" action="/personal/atgarder" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="m-id" { "Id" } input #m-id type="text" name="id" value=(value("id"));
                label for="m-district" { "Område" }
                select #m-district name="district" { @for (c, n) in districts { option value=(c) selected[value("district") == c] { (n) } } }
                label for="m-start" { "Start (ÅÅÅÅ-MM-DD)" } input #m-start type="text" name="start" value=(value("start"));
                label for="m-category" { "Kategori" } input #m-category type="text" name="category" value=(value("category"));
                label for="m-title" { "Titel" } input #m-title type="text" name="title" value=(value("title"));
                label for="m-targets" { "Målindikatorer (frågekoder, kommatecken emellan)" } input #m-targets type="text" name="targets" value=(value("targets"));
                label for="m-lag" { "Fördröjning i månader" } input #m-lag type="number" name="lag" min="0" max="60" value=(lag);
                div.option { input #m-remove type="checkbox" name="remove" value="1"; label for="m-remove" { "Ta bort åtgärden (historiken finns kvar)" } }
                button type="submit" { "Spara" }
            }
            }
        },
    )
}
