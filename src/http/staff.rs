//! `/personal`: the staff pages. Who may reach a route is decided by the extractor it
//! takes ([`crate::auth`]); handlers only check the CSRF token of the forms they take.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::Markup;

use super::AppState;
use super::extract::{Admin, AdminOrAnalyst, AnyStaff};
use super::form::field;
use super::throttle::ClientAddr;
use crate::auth::{self, Staff};
use crate::error::Error;
use crate::role::Role;
use crate::views::staff as v;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/personal", get(home))
        .route("/personal/logga-in", get(login_page).post(login))
        .route("/personal/logga-ut", post(logout))
        .route("/personal/logga-ut-overallt", post(logout_everywhere))
        .route(
            "/personal/losenord/{token}",
            get(password_page).post(password),
        )
        .route("/personal/oversikt", get(dashboard))
        .route("/personal/vagor", get(waves).post(publish))
        .route("/personal/vagor/{id}/stang", post(close))
        .route("/personal/anvandare", get(users).post(invite))
        .route("/personal/anvandare/{id}", post(update_user))
        .route("/personal/logg", get(audit))
        .route("/personal/falt", get(fieldwork))
        .route("/personal/falt/papper", post(paper_import))
        .route("/personal/falt/markera", post(mark_letters))
        .route("/personal/granskning", get(review).post(decide_held))
        .route("/personal/api", get(api_tokens).post(create_api_token))
        .route("/personal/atgarder", get(measures).post(save_measure))
        .route("/personal/api/{id}/aterkalla", post(revoke_api_token))
}

/// Every `/personal` route with its method, for the role × route test.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/personal"),
    ("POST", "/personal/logga-ut"),
    ("POST", "/personal/logga-ut-overallt"),
    ("GET", "/personal/oversikt"),
    ("GET", "/personal/vagor"),
    ("POST", "/personal/vagor"),
    ("POST", "/personal/vagor/1/stang"),
    ("GET", "/personal/anvandare"),
    ("POST", "/personal/anvandare"),
    ("POST", "/personal/anvandare/1"),
    ("GET", "/personal/logg"),
    ("GET", "/personal/falt"),
    ("GET", "/personal/resultat"),
    ("GET", "/personal/resultat.csv"),
    ("GET", "/personal/resultat.xlsx"),
    ("GET", "/personal/resultat.parquet"),
    ("GET", "/personal/atgarder"),
    ("POST", "/personal/atgarder"),
    ("GET", "/personal/atgarder/00"),
    ("GET", "/personal/rapporter"),
    ("POST", "/personal/rapporter"),
    ("GET", "/personal/api"),
    ("POST", "/personal/api"),
    ("POST", "/personal/api/00/aterkalla"),
    ("POST", "/personal/falt/papper"),
    ("POST", "/personal/falt/markera"),
    ("GET", "/personal/granskning"),
    ("POST", "/personal/granskning"),
];

fn page(status: StatusCode, m: Markup) -> Response {
    (status, Html(m.into_string())).into_response()
}

/// The 403 page for a signed-in person whose role may not do this.
pub fn forbidden() -> Response {
    page(
        StatusCode::FORBIDDEN,
        v::message(
            "Ingen behörighet",
            "Din roll ger inte tillgång till den här sidan.",
            None,
        ),
    )
}

pub(super) fn fields(body: &[u8]) -> Vec<(String, String)> {
    super::form::parse(body).unwrap_or_default()
}

/// The refusal of a form without this session's CSRF token (`None`: the token is right).
pub(super) fn csrf(staff: &Staff, posted: &str) -> Option<Response> {
    if staff.csrf_ok(posted) {
        None
    } else {
        tracing::warn!("a staff form without a valid CSRF token was refused");
        Some(page(
            StatusCode::FORBIDDEN,
            v::message(
                "Formuläret kunde inte tas emot",
                "Sidan var för gammal eller kom från en annan webbplats. Ladda om sidan och försök igen.",
                Some(staff),
            ),
        ))
    }
}

fn secure(state: &AppState) -> bool {
    state
        .origin
        .as_ref()
        .is_some_and(super::PublicOrigin::is_https)
}

/// A redirect that sets the session cookie (`Some`) or clears it (`None`).
fn redirect_with_cookie(to: &str, token: Option<&str>, state: &AppState) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&auth::set_cookie(token, secure(state))).expect("cookie"),
    );
    res
}

async fn home(AnyStaff(s): AnyStaff) -> Response {
    page(StatusCode::OK, v::home(&s))
}

async fn login_page() -> Response {
    page(StatusCode::OK, v::login(None, ""))
}

async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    body: Bytes,
) -> Result<Response, Error> {
    let f = fields(&body);
    let email = field(&f, "email").trim().to_lowercase();
    let password = field(&f, "password");
    let refuse = |msg: &str, status: StatusCode| page(status, v::login(Some(msg), &email));
    // No account has a longer address; refused before it costs a hash or throttle memory.
    if email.len() > 254 || password.len() > auth::MAX_PASSWORD_BYTES {
        return Ok(refuse(
            "Fel e-post eller lösenord.",
            StatusCode::UNAUTHORIZED,
        ));
    }
    let too_many = |msg: &str, retry: std::time::Duration| {
        let mut res = refuse(msg, StatusCode::TOO_MANY_REQUESTS);
        res.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(retry.as_secs().max(1)),
        );
        res
    };
    // An address trying password after password on many accounts: that address only.
    if state.logins.address_blocked(client.0) {
        return Ok(too_many(
            "För många misslyckade inloggningar härifrån. Försök igen om en kvart.",
            auth::throttle::WINDOW,
        ));
    }
    // Someone trying many passwords for this account from many places at once: it rests
    // for what is left of the minute, and the owner can try again after it.
    if let Some(left) = state.logins.locked(&email) {
        let mut res = refuse(
            "För många misslyckade inloggningar just nu. Vänta en minut och försök igen.",
            StatusCode::TOO_MANY_REQUESTS,
        );
        res.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(left.as_secs().max(1)),
        );
        return Ok(res);
    }
    // After a few mistakes from here, each attempt waits a little longer (at most a few
    // seconds) before it is checked — one attempt from an address at a time, so parallel
    // requests neither skip the wait nor hold the server's request slots.
    let wait = state.logins.delay(&email, client.0);
    let _turn = if wait.is_zero() {
        None
    } else {
        let Some(turn) = state.logins.wait_turn(client.0) else {
            return Ok(too_many(
                "En inloggning härifrån väntar redan. Försök igen om en stund.",
                wait,
            ));
        };
        tokio::time::sleep(wait).await;
        Some(turn)
    };
    let found = state.store.staff_by_email(&email).await?;
    let stored = match &found {
        Some((a, Some(hash))) if !a.disabled => Some(hash.clone()),
        _ => None,
    };
    let typed = password.to_string();
    let ok = auth::off_thread(move || match stored {
        Some(hash) => auth::verify_password(&typed, &hash),
        None => {
            // Hash anyway, so an unknown account takes as long as a wrong password.
            let _ = auth::hash_password(&typed);
            false
        }
    })
    .await;
    if !ok {
        let locked = state.logins.failed(&email, client.0) == auth::throttle::Failed::Locked;
        // Audited only for an account that exists: typed addresses are no log entries.
        if locked && found.is_some() {
            tracing::warn!("a staff account was locked for a minute after many failed logins");
            state
                .store
                .audit(
                    "server",
                    "login locked",
                    &format!(
                        "{email}: failed logins from {} addresses within a minute",
                        auth::throttle::MAX_PER_ACCOUNT_PER_LOCK
                    ),
                )
                .await?;
        }
        return Ok(refuse(
            "Fel e-post eller lösenord.",
            StatusCode::UNAUTHORIZED,
        ));
    }
    let (account, _) = found.expect("checked");
    state.logins.succeeded(&email, client.0);
    let token = auth::random_token();
    state
        .store
        .add_session(
            &auth::token_hash(&token),
            account.id,
            &auth::random_token(),
            auth::now_secs(),
        )
        .await?;
    Ok(redirect_with_cookie("/personal", Some(&token), &state))
}

async fn logout(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    body: Bytes,
) -> Result<Response, Error> {
    if let Some(r) = csrf(&s, field(&fields(&body), "csrf")) {
        return Ok(r);
    }
    state.store.end_session(&s.session_hash).await?;
    Ok(redirect_with_cookie("/personal/logga-in", None, &state))
}

async fn logout_everywhere(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    body: Bytes,
) -> Result<Response, Error> {
    if let Some(r) = csrf(&s, field(&fields(&body), "csrf")) {
        return Ok(r);
    }
    state
        .store
        .end_sessions_of(s.account.id, &s.account.email)
        .await?;
    Ok(redirect_with_cookie("/personal/logga-in", None, &state))
}

async fn password_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    match state
        .store
        .password_token(&auth::token_hash(&token), auth::now_secs())
        .await?
    {
        Some(a) => Ok(page(
            StatusCode::OK,
            v::set_password(&a.email, None, &token),
        )),
        None => Ok(page(
            StatusCode::NOT_FOUND,
            v::message(
                "Länken gäller inte",
                "Länken är använd eller för gammal. Be en administratör om en ny.",
                None,
            ),
        )),
    }
}

async fn password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, Error> {
    let f = fields(&body);
    let pw = field(&f, "password");
    let hash = auth::token_hash(&token);
    let Some(account) = state.store.password_token(&hash, auth::now_secs()).await? else {
        return password_page(State(state), Path(token)).await;
    };
    let refuse = |msg: String| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::set_password(&account.email, Some(&msg), &token),
        )
    };
    if pw.chars().count() < auth::MIN_PASSWORD_CHARS {
        return Ok(refuse(format!(
            "Lösenordet måste ha minst {} tecken.",
            auth::MIN_PASSWORD_CHARS
        )));
    }
    if pw.len() > auth::MAX_PASSWORD_BYTES {
        return Ok(refuse(format!(
            "Lösenordet får vara högst {} byte långt (så många tecken utan å, ä och ö).",
            auth::MAX_PASSWORD_BYTES
        )));
    }
    let typed = pw.to_string();
    let phc = auth::off_thread(move || auth::hash_password(&typed))
        .await
        .map_err(Error::Internal)?;
    state
        .store
        .set_password(&hash, &phc, auth::now_secs())
        .await?;
    Ok(Redirect::to("/personal/logga-in").into_response())
}

/// A district's Swedish name, or its code.
pub(super) fn district_name(state: &AppState, code: &str) -> String {
    state
        .districts
        .get(code)
        .map(|d| d.name.get("sv").to_string())
        .unwrap_or_else(|| code.to_string())
}

async fn dashboard(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
) -> Result<Response, Error> {
    let mut rows = Vec::new();
    for w in state.store.waves().await? {
        // An analyst limited to some districts sees only those.
        if let Some(ds) = &s.account.districts
            && !ds.contains(&w.district)
        {
            continue;
        }
        let answers = state.store.count_responses(Some(w.id)).await?;
        let rates = state.store.response_rates(w.id).await?;
        let name = district_name(&state, &w.district);
        rows.push((w, name, answers, rates));
    }
    rows.sort_by(|a, b| b.0.year.cmp(&a.0.year).then(a.1.cmp(&b.1)));
    Ok(page(
        StatusCode::OK,
        v::dashboard(&s, &rows, super::survey::today()),
    ))
}

async fn waves_page(
    state: &AppState,
    s: &Staff,
    faults: &[String],
    status: StatusCode,
) -> Result<Response, Error> {
    let list: Vec<_> = state
        .store
        .waves()
        .await?
        .into_iter()
        .map(|w| {
            let n = district_name(state, &w.district);
            (w, n)
        })
        .collect();
    let districts: Vec<(String, String)> = state
        .districts
        .codes()
        .map(|c| (c.to_string(), district_name(state, c)))
        .collect();
    Ok(page(
        status,
        v::waves(s, &list, &districts, faults, super::survey::today()),
    ))
}

async fn waves(State(state): State<AppState>, Admin(s): Admin) -> Result<Response, Error> {
    waves_page(&state, &s, &[], StatusCode::OK).await
}

/// Largest questionnaire file taken from the web (the same limit as `trygg check`).
const MAX_UPLOAD: usize = 1024 * 1024;

async fn publish(
    State(state): State<AppState>,
    Admin(s): Admin,
    mut form: Multipart,
) -> Result<Response, Error> {
    let mut csrf_token = String::new();
    let mut source: Option<Vec<u8>> = None;
    let (mut year, mut opens, mut closes) = (String::new(), String::new(), String::new());
    let mut chosen: Vec<String> = Vec::new();
    loop {
        let next = form.next_field().await;
        let Ok(Some(field)) = next else {
            if next.is_err() {
                return waves_page(
                    &state,
                    &s,
                    &["Formuläret kunde inte läsas.".into()],
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            break;
        };
        let name = field.name().unwrap_or("").to_string();
        let Ok(data) = field.bytes().await else {
            return waves_page(
                &state,
                &s,
                &["Formuläret kunde inte läsas.".into()],
                StatusCode::BAD_REQUEST,
            )
            .await;
        };
        if data.len() > MAX_UPLOAD {
            return waves_page(
                &state,
                &s,
                &["Filen är större än 1 MiB.".into()],
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .await;
        }
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "csrf" => csrf_token = text(),
            "file" => source = Some(data.to_vec()),
            "year" => year = text(),
            "opens" => opens = text(),
            "closes" => closes = text(),
            "district" => chosen.push(text()),
            _ => {}
        }
    }
    if let Some(r) = csrf(&s, &csrf_token) {
        return Ok(r);
    }
    let mut faults = Vec::new();
    let source = match source.map(String::from_utf8) {
        Some(Ok(t)) if !t.trim().is_empty() => Some(t),
        Some(Err(_)) => {
            faults.push("Filen är inte UTF-8.".to_string());
            None
        }
        _ => {
            faults.push("Välj en enkätfil.".to_string());
            None
        }
    };
    let year: Option<i32> = year
        .parse()
        .ok()
        .filter(|y| crate::analysis::policy::YEARS.contains(y));
    if year.is_none() {
        faults.push("Ange ett år mellan 2000 och 2100.".into());
    }
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (o, c) = (date(&opens), date(&closes));
    if o.is_none() || c.is_none() || o > c {
        faults.push("Ange datum som ÅÅÅÅ-MM-DD, och stängning efter öppning.".into());
    }
    if chosen.is_empty() || chosen.iter().any(|d| state.districts.get(d).is_none()) {
        faults.push("Välj minst ett område.".into());
    }
    let parsed = source
        .as_deref()
        .map(|src| crate::questionnaire::parse("enkätfilen", src));
    if let Some(Err(fs)) = &parsed {
        faults.extend(fs.iter().map(|f| f.to_string()));
    }
    if !faults.is_empty() {
        return waves_page(&state, &s, &faults, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (Some(src), Some(Ok(q)), Some(year), Some(o), Some(c)) = (source, parsed, year, o, c)
    else {
        unreachable!("checked above");
    };
    for d in &chosen {
        let outcome = state
            .store
            .publish(&crate::store::NewWave {
                district: d,
                year,
                questionnaire_code: &q.code,
                source: &src,
                opens_on: o,
                closes_on: c,
            })
            .await;
        match outcome {
            Ok(_) => {
                state
                    .store
                    .audit(
                        &s.account.email,
                        "wave published",
                        &format!("{d} {year} ({}, {o} to {c})", q.code),
                    )
                    .await?
            }
            Err(Error::Conflict(m)) => faults.push(m),
            Err(e) => return Err(e),
        }
    }
    if !faults.is_empty() {
        return waves_page(&state, &s, &faults, StatusCode::CONFLICT).await;
    }
    Ok(Redirect::to("/personal/vagor").into_response())
}

async fn close(
    State(state): State<AppState>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Error> {
    if let Some(r) = csrf(&s, field(&fields(&body), "csrf")) {
        return Ok(r);
    }
    let yesterday = super::survey::today() - chrono::Duration::days(1);
    match state
        .store
        .close_wave(id, yesterday, &s.account.email)
        .await
    {
        Ok(()) => Ok(Redirect::to("/personal/vagor").into_response()),
        Err(Error::Invalid(m)) => Ok(page(
            StatusCode::NOT_FOUND,
            v::message("Enkäten finns inte", &m, Some(&s)),
        )),
        Err(e) => Err(e),
    }
}

/// The held open-link answers of every wave that has some.
async fn held_rows(state: &AppState) -> Result<Vec<v::HeldRow>, Error> {
    let waves = state.store.waves().await?;
    Ok(state
        .store
        .held_counts()
        .await?
        .into_iter()
        .map(|h| v::HeldRow {
            wave: waves.iter().find(|w| w.id == h.wave_id).map_or_else(
                || h.wave_id.to_string(),
                |w| format!("{} {}", district_name(state, &w.district), w.year),
            ),
            wave_id: h.wave_id,
            last_id: h.last_id,
            address_limit: h.address_limit,
            identical_burst: h.identical_burst,
        })
        .collect())
}

async fn review(State(state): State<AppState>, Admin(s): Admin) -> Result<Response, Error> {
    Ok(page(
        StatusCode::OK,
        v::review(&s, &held_rows(&state).await?, None),
    ))
}

/// Accepts or discards one wave's held answers, logged.
async fn decide_held(
    State(state): State<AppState>,
    Admin(s): Admin,
    body: Bytes,
) -> Result<Response, Error> {
    let f = fields(&body);
    if let Some(r) = csrf(&s, field(&f, "csrf")) {
        return Ok(r);
    }
    let wave: Option<i64> = field(&f, "wave").parse().ok();
    let upto: Option<i64> = field(&f, "upto").parse().ok();
    let today = super::survey::today();
    let done = match (wave, upto, field(&f, "action")) {
        (Some(w), Some(u), "accept") => {
            state.store.accept_held(w, u, today, &s.account.email).await
        }
        (Some(w), Some(u), "discard") => state.store.discard_held(w, u, &s.account.email).await,
        _ => Err(Error::Invalid(
            "Välj en enkät och om svaren ska godkännas eller tas bort.".into(),
        )),
    };
    let (status, why) = match done {
        Ok(_) => return Ok(Redirect::to("/personal/granskning").into_response()),
        Err(Error::Invalid(why)) => (StatusCode::UNPROCESSABLE_ENTITY, why),
        Err(Error::Conflict(why)) => (StatusCode::CONFLICT, why),
        Err(e) => return Err(e),
    };
    Ok(page(
        status,
        v::review(&s, &held_rows(&state).await?, Some(&why)),
    ))
}

async fn users(State(state): State<AppState>, Admin(s): Admin) -> Result<Response, Error> {
    let list = state.store.staff_list().await?;
    Ok(page(StatusCode::OK, v::users(&s, &list, None)))
}

/// Creates an account and a one-time set-password link; returns the link.
pub async fn invite_account(
    state_store: &crate::store::Store,
    origin: &str,
    email: &str,
    role: Role,
    districts: Option<&[String]>,
    actor: &str,
) -> Result<String, Error> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(Error::Invalid(format!(
            "\"{email}\" is not an e-mail address"
        )));
    }
    let account = state_store
        .add_staff(&email, role, districts, actor)
        .await?;
    let token = auth::random_token();
    let expires = auth::now_secs() + auth::PASSWORD_LINK_VALID.as_secs() as i64;
    state_store
        .add_password_token(account.id, &auth::token_hash(&token), expires)
        .await?;
    Ok(format!(
        "{}/personal/losenord/{token}",
        origin.trim_end_matches('/')
    ))
}

/// The role posted in a users form, after its CSRF token; or the page refusing it.
fn role_form(s: &Staff, f: &[(String, String)]) -> Result<Role, Box<Response>> {
    if let Some(r) = csrf(s, field(f, "csrf")) {
        return Err(Box::new(r));
    }
    Role::parse(field(f, "role")).ok_or_else(|| {
        Box::new(page(
            StatusCode::BAD_REQUEST,
            v::message(
                "Okänd roll",
                "Välj administratör, analytiker eller läsare.",
                Some(s),
            ),
        ))
    })
}

async fn invite(
    State(state): State<AppState>,
    Admin(s): Admin,
    body: Bytes,
) -> Result<Response, Error> {
    let f = fields(&body);
    let role = match role_form(&s, &f) {
        Ok(role) => role,
        Err(refused) => return Ok(*refused),
    };
    let origin = state
        .origin
        .as_ref()
        .map(|o| o.as_str().to_string())
        .unwrap_or_default();
    let email = field(&f, "email").trim().to_lowercase();
    match invite_account(&state.store, &origin, &email, role, None, &s.account.email).await {
        Ok(link) => {
            let list = state.store.staff_list().await?;
            Ok(page(
                StatusCode::OK,
                v::users(&s, &list, Some((&email, &link))),
            ))
        }
        Err(Error::Invalid(m) | Error::Conflict(m)) => Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message("Kontot skapades inte", &m, Some(&s)),
        )),
        Err(e) => Err(e),
    }
}

async fn update_user(
    State(state): State<AppState>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Error> {
    let f = fields(&body);
    let role = match role_form(&s, &f) {
        Ok(role) => role,
        Err(refused) => return Ok(*refused),
    };
    if id == s.account.id && (role != Role::Admin || field(&f, "disabled") == "1") {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message(
                "Inte ändrat",
                "Du kan inte ta bort din egen administratörsroll eller stänga av dig själv.",
                Some(&s),
            ),
        ));
    }
    match state
        .store
        .update_staff(id, role, field(&f, "disabled") == "1", &s.account.email)
        .await
    {
        Ok(()) => Ok(Redirect::to("/personal/anvandare").into_response()),
        Err(Error::Invalid(m)) => Ok(page(
            StatusCode::NOT_FOUND,
            v::message("Kontot finns inte", &m, Some(&s)),
        )),
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize)]
struct AuditFilter {
    actor: Option<String>,
    action: Option<String>,
}

async fn audit(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<AuditFilter>,
) -> Result<Response, Error> {
    let nonempty = |x: &Option<String>| {
        x.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    let entries = state
        .store
        .audit_log(
            nonempty(&q.actor).as_deref(),
            nonempty(&q.action).as_deref(),
        )
        .await?;
    Ok(page(StatusCode::OK, v::audit(&s, &entries)))
}

/// The sampled waves, for the field-work forms.
async fn sampled_waves(state: &AppState) -> Result<Vec<(i64, String)>, Error> {
    Ok(state
        .store
        .waves()
        .await?
        .into_iter()
        .filter(|w| w.sampled)
        .map(|w| {
            (
                w.id,
                format!("{} {}", district_name(state, &w.district), w.year),
            )
        })
        .collect())
}

async fn fieldwork_page(
    state: &AppState,
    s: &Staff,
    report: Option<(&str, &[String])>,
    status: StatusCode,
) -> Result<Response, Error> {
    let waves = sampled_waves(state).await?;
    Ok(page(status, v::fieldwork(s, &waves, report)))
}

async fn fieldwork(State(state): State<AppState>, Admin(s): Admin) -> Result<Response, Error> {
    fieldwork_page(&state, &s, None, StatusCode::OK).await
}

/// The sampled wave chosen in a form, with the code key; or why there is none.
async fn chosen_wave(
    state: &AppState,
    id: &str,
) -> Result<
    Result<
        (
            crate::store::Wave,
            std::sync::Arc<crate::fieldwork::CodeKey>,
        ),
        String,
    >,
    Error,
> {
    let Some(key) = state.code_key.clone() else {
        return Ok(Err(
            "Inga brev med koder finns ännu (ingen kodnyckel).".into()
        ));
    };
    let wave = match id.parse::<i64>() {
        Ok(id) => state.store.wave_by_id(id).await?,
        Err(_) => None,
    };
    match wave {
        // A closed wave's codes are deleted: late paper answers and marks are refused.
        Some(w)
            if w.sampled
                && w.status(super::survey::today()) == crate::store::WaveStatus::Closed =>
        {
            Ok(Err(format!(
                "Enkäten {} {} är stängd (sista dag {}). Dess koder raderades när den stängdes, så sena pappersenkäter kan inte importeras och brev kan inte längre markeras; inget sparades.",
                w.district, w.year, w.closes_on
            )))
        }
        Some(w) if w.sampled => Ok(Ok((w, key))),
        _ => Ok(Err("Välj en enkät med slumpurval.".into())),
    }
}

async fn paper_import(
    State(state): State<AppState>,
    Admin(s): Admin,
    mut form: Multipart,
) -> Result<Response, Error> {
    let (mut token, mut wave, mut file) = (String::new(), String::new(), None);
    while let Ok(Some(f)) = form.next_field().await {
        let name = f.name().unwrap_or("").to_string();
        let Ok(data) = f.bytes().await else { break };
        if data.len() > crate::fieldwork::paper::MAX_PAPER_BYTES as usize {
            return fieldwork_page(
                &state,
                &s,
                Some(("Filen är för stor", &[])),
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .await;
        }
        match name.as_str() {
            "csrf" => token = String::from_utf8_lossy(&data).to_string(),
            "wave" => wave = String::from_utf8_lossy(&data).trim().to_string(),
            "file" => file = Some(data.to_vec()),
            _ => {}
        }
    }
    if let Some(r) = csrf(&s, &token) {
        return Ok(r);
    }
    let (w, key) = match chosen_wave(&state, &wave).await? {
        Ok(x) => x,
        Err(m) => {
            return fieldwork_page(
                &state,
                &s,
                Some((&m, &[])),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return fieldwork_page(
            &state,
            &s,
            Some(("Välj en fil från skanningen.", &[])),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let q = state.questionnaire(w.questionnaire_id).await?;
    let name = format!("{}/{}", w.district, w.year);
    let (good, mut refused) = match crate::fieldwork::paper::parse("filen", &bytes, &q) {
        Ok(x) => x,
        Err(e) => {
            let title = format!("{e}; inget importerades");
            return fieldwork_page(
                &state,
                &s,
                Some((&title, &[])),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let imported =
        crate::fieldwork::paper::store_rows(&state.store, &key, &w, good, &mut refused).await?;
    state
        .store
        .audit(
            &s.account.email,
            "paper import",
            &format!("{name}: {imported} imported, {} refused", refused.len()),
        )
        .await?;
    let title = format!(
        "{imported} pappersenkäter importerades, {} rader avvisades",
        refused.len()
    );
    let lines: Vec<String> = refused
        .iter()
        .map(|b| format!("rad {}: {}", b.line, b.reason))
        .collect();
    fieldwork_page(&state, &s, Some((&title, &lines)), StatusCode::OK).await
}

async fn mark_letters(
    State(state): State<AppState>,
    Admin(s): Admin,
    body: Bytes,
) -> Result<Response, Error> {
    use crate::fieldwork::Code;
    use crate::store::CodeStatus;
    let f = fields(&body);
    if let Some(r) = csrf(&s, field(&f, "csrf")) {
        return Ok(r);
    }
    let (w, key) = match chosen_wave(&state, field(&f, "wave")).await? {
        Ok(x) => x,
        Err(m) => {
            return fieldwork_page(
                &state,
                &s,
                Some((&m, &[])),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let status = match field(&f, "status") {
        "undeliverable" => CodeStatus::Undeliverable,
        "declined" => CodeStatus::Declined,
        _ => {
            return fieldwork_page(
                &state,
                &s,
                Some(("Välj obeställbar eller avböjt.", &[])),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut codes = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in field(&f, "codes").lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match Code::parse(t) {
            Some(c) => codes.push(c),
            None => bad.push(format!("rad {}: inte en kod", i + 1)),
        }
    }
    if codes.is_empty() && bad.is_empty() {
        bad.push("Skriv minst en kod.".into());
    }
    if !bad.is_empty() {
        return fieldwork_page(
            &state,
            &s,
            Some(("Inget markerades", &bad)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match crate::fieldwork::mark_letters(&state.store, &key, w.id, &codes, status).await? {
        Err(unknown) => {
            let lines: Vec<String> = unknown
                .iter()
                .map(|c| format!("{} hör inte till enkäten", c.grouped()))
                .collect();
            fieldwork_page(
                &state,
                &s,
                Some(("Inget markerades", &lines)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Ok(before) => {
            let marked = before
                .iter()
                .filter(|b| **b == Some(crate::store::CodeState::Unused))
                .count();
            state
                .store
                .audit(
                    &s.account.email,
                    "letters marked",
                    &format!("{} {}: {marked} {}", w.district, w.year, status.as_str()),
                )
                .await?;
            let title = format!("{marked} brev markerades");
            let lines: Vec<String> = codes
                .iter()
                .zip(&before)
                .filter(|(_, b)| **b != Some(crate::store::CodeState::Unused))
                .map(|(c, b)| {
                    format!(
                        "{} oförändrad: redan {}",
                        c.grouped(),
                        b.map(|x| x.as_str()).unwrap_or("")
                    )
                })
                .collect();
            fieldwork_page(&state, &s, Some((&title, &lines)), StatusCode::OK).await
        }
    }
}

async fn api_tokens(State(state): State<AppState>, Admin(s): Admin) -> Result<Response, Error> {
    let list = state.store.api_tokens().await?;
    Ok(page(StatusCode::OK, v::api_tokens(&s, &list, None)))
}

async fn create_api_token(
    State(state): State<AppState>,
    Admin(s): Admin,
    body: Bytes,
) -> Result<Response, Error> {
    let f = fields(&body);
    let role = match role_form(&s, &f) {
        Ok(role) => role,
        Err(refused) => return Ok(*refused),
    };
    let name = field(&f, "name").trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message(
                "Ingen nyckel skapades",
                "Ge nyckeln ett namn (högst 100 tecken), till exempel verktyget som ska använda den.",
                Some(&s),
            ),
        ));
    }
    let token = auth::random_token();
    state
        .store
        .add_api_token(&auth::token_hash(&token), &name, role, &s.account.email)
        .await?;
    let list = state.store.api_tokens().await?;
    Ok(page(
        StatusCode::OK,
        v::api_tokens(&s, &list, Some((&name, &token))),
    ))
}

async fn revoke_api_token(
    State(state): State<AppState>,
    Admin(s): Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Error> {
    if let Some(r) = csrf(&s, field(&fields(&body), "csrf")) {
        return Ok(r);
    }
    let hash: Option<Vec<u8>> = (id.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    let revoked = match hash {
        Some(h) => state.store.revoke_api_token(&h, &s.account.email).await?,
        None => false,
    };
    if revoked {
        Ok(Redirect::to("/personal/api").into_response())
    } else {
        Ok(page(
            StatusCode::NOT_FOUND,
            v::message(
                "Nyckeln finns inte",
                "Den är redan återkallad eller har aldrig funnits.",
                Some(&s),
            ),
        ))
    }
}

/// The register as it stands (the database's, or the file's before the first edit).
async fn register(state: &AppState) -> Result<Vec<crate::analysis::measures::Measure>, Error> {
    crate::analysis::measures::current(&state.store, &state.surveys, &state.districts).await
}

async fn measures_page(
    state: &AppState,
    s: &Staff,
    faults: &[String],
    status: StatusCode,
) -> Result<Response, Error> {
    let list = register(state).await?;
    let districts: Vec<(String, String)> = state
        .districts
        .codes()
        .map(|c| (c.to_string(), district_name(state, c)))
        .collect();
    let from_db = state.store.has_measures().await?;
    Ok(page(
        status,
        v::measures(s, &list, &districts, faults, from_db),
    ))
}

async fn measures(State(state): State<AppState>, AnyStaff(s): AnyStaff) -> Result<Response, Error> {
    measures_page(&state, &s, &[], StatusCode::OK).await
}

/// Reads a measure from the edit form; every fault is listed.
fn measure_from(
    state: &AppState,
    f: &[(String, String)],
) -> Result<crate::analysis::measures::Measure, Vec<String>> {
    let mut faults = Vec::new();
    let id = field(f, "id").trim().to_string();
    if id.is_empty()
        || id.len() > 80
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        faults.push(
            "Id: 1–80 tecken a–z, 0–9 och bindestreck, till exempel ryd-belysning-2027."
                .to_string(),
        );
    }
    let district = field(f, "district").to_string();
    if state.districts.get(&district).is_none() {
        faults.push("Välj ett område.".into());
    }
    let start = chrono::NaiveDate::parse_from_str(field(f, "start").trim(), "%Y-%m-%d").ok();
    if start.is_none() {
        faults.push("Start: ett datum som ÅÅÅÅ-MM-DD.".into());
    }
    let (title, category) = (
        field(f, "title").trim().to_string(),
        field(f, "category").trim().to_string(),
    );
    if title.is_empty() || category.is_empty() || title.len() > 300 || category.len() > 60 {
        faults.push("Ange titel (högst 300 tecken) och kategori (högst 60).".into());
    }
    let lag: Option<u32> = match field(f, "lag").trim() {
        "" => Some(0),
        x => x.parse().ok().filter(|l| *l <= 60),
    };
    if lag.is_none() {
        faults.push("Fördröjning: 0–60 månader.".into());
    }
    let targets: Vec<String> = field(f, "targets")
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if targets.iter().any(|t| {
        !t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    }) {
        faults.push("Målindikatorer: frågekoder som P_BELYSNING, åtskilda med kommatecken.".into());
    }
    let mut seen = std::collections::HashSet::new();
    if targets.iter().any(|t| !seen.insert(t)) {
        faults.push("En målindikator är angiven två gånger.".into());
    }
    match (faults.is_empty(), start, lag) {
        (true, Some(start), Some(lag_months)) => Ok(crate::analysis::measures::Measure {
            id,
            district,
            start,
            category,
            title,
            lag_months,
            targets,
            version: None,
        }),
        _ => Err(faults),
    }
}

async fn save_measure(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
    body: Bytes,
) -> Result<Response, Error> {
    let f = fields(&body);
    if let Some(r) = csrf(&s, field(&f, "csrf")) {
        return Ok(r);
    }
    let removing = field(&f, "remove") == "1";
    let m = match measure_from(&state, &f) {
        Ok(m) => m,
        Err(faults) => {
            return measures_page(&state, &s, &faults, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    // The first edit moves the file's register into the database, as version 1 of each.
    if !state.store.has_measures().await? {
        let file = register(&state).await?;
        state
            .store
            .save_measures(&file, false, "import of surveys/measures.toml")
            .await?;
    }
    if removing && !register(&state).await?.iter().any(|x| x.id == m.id) {
        return measures_page(
            &state,
            &s,
            &["Åtgärden finns inte.".into()],
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    state
        .store
        .save_measures(std::slice::from_ref(&m), removing, &s.account.email)
        .await?;
    Ok(Redirect::to("/personal/atgarder").into_response())
}
