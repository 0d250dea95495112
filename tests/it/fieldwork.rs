//! The survey year's field work: a sample drawn from a frame, letters with codes, answers
//! given with a code (once), reminders, paper answers, response rates — and nothing in the
//! database that names a person or links an answer to a letter.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use trygg::fieldwork::{Code, CodeKey};

use crate::helpers::*;

/// A database with open waves for Ryd and Berga, a frame and a code key in one folder.
pub struct Year {
    pub db: TestDb,
    pub year: i32,
    pub frame: PathBuf,
}

impl Year {
    pub async fn new() -> Year {
        let db = TestDb::new().await;
        let year = db.publish_open("ryd").await;
        db.publish_open("berga").await;
        let frame = db.dir.path().join("frame.csv");
        std::fs::write(
            &frame,
            trygg::demo::frame_csv(&["ryd", "berga"], 1500, year, 7),
        )
        .unwrap();
        Year { db, year, frame }
    }

    pub fn key_path(&self) -> PathBuf {
        self.db.dir.path().join("codes.key")
    }

    pub fn key(&self) -> CodeKey {
        CodeKey::load(&self.key_path()).unwrap()
    }

    pub fn trygg(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_trygg"))
            .arg("--database")
            .arg(self.db.url())
            .arg("--surveys")
            .arg(surveys_dir())
            .arg("--code-key")
            .arg(self.key_path())
            .args(["--public-origin", "https://trygg.example.se"])
            .args(args)
            .output()
            .unwrap()
    }

    pub fn path(&self, name: &str) -> String {
        self.db.dir.path().join(name).to_str().unwrap().to_string()
    }

    /// Runs `trygg sample` for Ryd with a frame, an output and more flags.
    pub fn sample_cmd(&self, frame: &Path, out: &str, extra: &[&str]) -> Output {
        let wave = format!("ryd/{}", self.year);
        let mut args = vec![
            "sample",
            "--wave",
            &wave,
            "--frame",
            frame.to_str().unwrap(),
            "--out",
            out,
        ];
        args.extend(extra);
        self.trygg(&args)
    }

    /// Samples `size` letters for Ryd; returns the print file's codes.
    pub fn sample(&self, size: u64, seed: &str) -> Vec<Code> {
        let out = self.path("print/letters.csv");
        std::fs::create_dir_all(self.db.dir.path().join("print")).unwrap();
        let o = self.sample_cmd(
            &self.frame,
            &out,
            &["--size", &size.to_string(), "--seed", seed],
        );
        assert!(o.status.success(), "{}", text(&o));
        print_codes(Path::new(&out))
    }

    pub fn app(&self) -> axum::Router {
        trygg::http::router(
            trygg::http::AppState::new(self.db.store.clone(), districts())
                .with_code_key(Some(self.key())),
        )
    }

    /// Everything the database stores, as text.
    async fn database_bytes(&self) -> String {
        self.db.stored_text().await
    }
}

pub fn print_codes(path: &Path) -> Vec<Code> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "code")
        .unwrap();
    r.records()
        .map(|rec| Code::parse(rec.unwrap().get(col).unwrap()).unwrap())
        .collect()
}

pub fn answer(lang: &str) -> String {
    format!("lang={lang}&T_OMRADET=ganska_trygg&B_KON=kvinna&B_ALDER=25-44")
}

fn with_addr(mut req: Request<Body>, ip: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

pub async fn get_from(app: &axum::Router, uri: &str, ip: &str) -> Reply {
    send(
        app,
        with_addr(Request::get(uri).body(Body::empty()).unwrap(), ip),
    )
    .await
}

pub async fn post_from(app: &axum::Router, uri: &str, body: String, ip: &str) -> Reply {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    send(app, with_addr(req, ip)).await
}

#[tokio::test]
async fn a_bad_frame_is_refused_with_line_numbers_and_nothing_is_stored() {
    let y = Year::new().await;
    let good = std::fs::read_to_string(&y.frame).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(",ryd,", ",,", 1);
    lines[5] = lines[5].replacen(",ryd,", ",vallastaden,", 1);
    let l7: Vec<&str> = lines[7].split(',').collect();
    lines[7] = lines[7].replacen(&format!(",{},", l7[3]), ",1776,", 1);
    let first_id = lines[1].split(',').next().unwrap().to_string();
    let l9_id = lines[9].split(',').next().unwrap().to_string();
    lines[9] = lines[9].replacen(&l9_id, &first_id, 1);
    lines[11] = lines[11]
        .replacen(",K,", ",X,", 1)
        .replacen(",M,", ",X,", 1);
    let bad = y.db.dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    std::fs::create_dir_all(y.db.dir.path().join("print")).unwrap();
    let o = y.sample_cmd(&bad, &y.path("print/letters.csv"), &["--size", "100"]);
    assert!(!o.status.success());
    let t = text(&o);
    let f = bad.display();
    for expected in [
        format!("{f}:4: the district is missing"),
        format!("{f}:6: district \"vallastaden\" is not in districts.toml"),
        format!(
            "{f}:8: birth year \"1776\" is impossible for a resident in {}",
            y.year
        ),
        format!("{f}:10: person_id is a duplicate of line 2"),
        format!("{f}:12: sex \"x\" is neither kvinna (K) nor man (M)"),
    ] {
        assert!(t.contains(&expected), "expected {expected:?} in {t}");
    }
    assert!(t.contains("nothing was stored"));
    assert_eq!(y.db.scalar("select count(*) from codes").await, 0);
    assert_eq!(y.db.scalar("select count(*) from sample_strata").await, 0);
    assert!(!y.db.dir.path().join("print/letters.csv").exists());

    // A missing column, a file that is not CSV at all, and flags that cannot work.
    std::fs::write(&bad, "person_id,district,sex\nP1,ryd,K\n").unwrap();
    let o = y.sample_cmd(&bad, &y.path("print/x.csv"), &["--size", "1"]);
    assert!(
        text(&o).contains("column \"birth_year\" is missing"),
        "{}",
        text(&o)
    );
    let out = y.path("print/flags.csv");
    for (extra, message) in [
        (
            ["--size", "0", "--strata", "sex"],
            "--size must be at least 1",
        ),
        (["--size", "999999", "--strata", "sex"], "more than the"),
        (
            ["--size", "5", "--strata", "income"],
            "unknown variable \"income\"",
        ),
    ] {
        let o = y.sample_cmd(&y.frame, &out, &extra);
        assert!(!o.status.success());
        assert!(text(&o).contains(message), "{message}: {}", text(&o));
    }
    let o = y.trygg(&[
        "sample", "--wave", "ryd-2026", "--frame", "f.csv", "--size", "5", "--out", &out,
    ]);
    assert!(text(&o).contains("is not district/year"), "{}", text(&o));
    assert_eq!(y.db.scalar("select count(*) from codes").await, 0);
}

#[tokio::test]
async fn a_sample_stores_strata_and_hashes_only_and_no_person() {
    let y = Year::new().await;
    let codes = y.sample(400, "11");
    assert_eq!(codes.len(), 400);
    // Strata add up to the size; N_h counts only residents of Ryd aged 16-84.
    assert_eq!(
        y.db.scalar("select cast(sum(letters) as bigint) from sample_strata")
            .await,
        400
    );
    assert_eq!(y.db.scalar("select count(*) from sample_strata").await, 8);
    let frame = std::fs::read_to_string(&y.frame).unwrap();
    let eligible = frame
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let age = y.year - f[3].parse::<i32>().unwrap();
            f[1] == "ryd" && (16..=84).contains(&age)
        })
        .count() as i64;
    assert_eq!(
        y.db.scalar("select cast(sum(population) as bigint) from sample_strata")
            .await,
        eligible
    );
    assert_eq!(
        y.db.scalar("select count(*) from codes where length(hash) = 32")
            .await,
        400
    );

    // No person id, name, street or code — in any form — anywhere in the database files.
    let bytes = y.database_bytes().await;
    for line in frame.lines().skip(1).take(3000).step_by(97) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(!bytes.contains(f[0]), "person id {} stored", f[0]);
        assert!(!bytes.contains(f[4].trim_matches('"')), "name stored");
    }
    assert!(!bytes.contains("Påhittade gatan"));
    for c in codes.iter().take(50) {
        assert!(!bytes.contains(c.as_str()) && !bytes.contains(&c.grouped()));
    }
    // The print file links to the public origin and has a QR code per letter.
    let print = std::fs::read_to_string(y.path("print/letters.csv")).unwrap();
    assert!(print.contains(&format!("https://trygg.example.se/k/{}", codes[0].as_str())));
    let svg =
        std::fs::read_to_string(y.path(&format!("print/qr/{}.svg", codes[0].as_str()))).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"));

    // Letters printed in Somali link to the survey in Somali.
    std::fs::create_dir_all(y.db.dir.path().join("berga")).unwrap();
    let berga = y.path("berga/letters.csv");
    let o = y.trygg(&[
        "sample",
        "--wave",
        &format!("berga/{}", y.year),
        "--frame",
        y.frame.to_str().unwrap(),
        "--size",
        "5",
        "--lang",
        "so",
        "--out",
        &berga,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let b = std::fs::read_to_string(&berga).unwrap();
    assert_eq!(b.matches("?lang=so,").count(), 5, "{b}");

    // A wave is sampled once.
    let o = y.sample_cmd(&y.frame, &y.path("again.csv"), &["--size", "10"]);
    assert!(text(&o).contains("already has a sample"), "{}", text(&o));
    assert_eq!(
        y.db.scalar("select count(*) from codes").await,
        405,
        "Ryd's 400 and Berga's 5"
    );
}

#[test]
fn sampling_is_exact_reproducible_and_uniform() {
    use trygg::fieldwork::{Strata, frame, sample};
    let year = 2026;
    let csv = trygg::demo::frame_csv(&["ryd"], 2000, year, 3);
    let f = frame::parse("frame", csv.as_bytes(), &districts(), year).unwrap();
    let strata = Strata {
        sex: true,
        age: true,
    };
    let a = sample::draw(&f, "ryd", year, 300, strata, 42).unwrap();
    let b = sample::draw(&f, "ryd", year, 300, strata, 42).unwrap();
    let c = sample::draw(&f, "ryd", year, 300, strata, 43).unwrap();
    assert_eq!(a.letters, b.letters, "the same seed draws the same sample");
    assert_ne!(a.letters, c.letters);
    let pops: Vec<u64> = a.strata.iter().map(|s| s.population).collect();
    let sizes: Vec<u64> = a.strata.iter().map(|s| s.letters).collect();
    assert_eq!(sizes, sample::allocate(&pops, 300));
    for s in &a.strata {
        let drawn = a.letters.iter().filter(|(_, k)| *k == s.stratum).count() as u64;
        assert_eq!(drawn, s.letters, "{}", s.stratum);
        // Proportional: within one letter of N_h × n / N.
        let exact = s.population as f64 * 300.0 / pops.iter().sum::<u64>() as f64;
        assert!((s.letters as f64 - exact).abs() < 1.0);
    }

    // Uniform: in a stratum of 20, each resident is drawn with probability 5/20.
    let csv = "person_id,district,sex,birth_year\n".to_string()
        + &(0..20)
            .map(|i| format!("P{i},ryd,K,1990\n"))
            .collect::<String>();
    let small = frame::parse("small", csv.as_bytes(), &districts(), year).unwrap();
    let mut counts = [0u32; 20];
    let draws = 4000;
    for seed in 0..draws {
        for (i, _) in sample::draw(&small, "ryd", year, 5, Strata::default(), seed)
            .unwrap()
            .letters
        {
            counts[i] += 1;
        }
    }
    let expected = draws as f64 * 5.0 / 20.0;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    // 19 degrees of freedom; 43.82 is the 0.999 quantile.
    assert!(chi2 < 43.82, "chi-square {chi2}, counts {counts:?}");
}

#[tokio::test]
async fn a_code_opens_its_questionnaire_answers_once_and_guessing_is_throttled() {
    let y = Year::new().await;
    let codes = y.sample(50, "5");
    let app = y.app();
    // The start page offers the code box; the sampled wave is not listed as an open link.
    let home = get_from(&app, "/?lang=en", "10.0.0.9").await;
    assert!(home.body.contains(r#"action="/k""#));
    assert!(!home.body.contains(&format!("/s/ryd/{}", y.year)));
    assert!(
        home.body.contains(&format!("/s/berga/{}", y.year)),
        "open-link waves stay listed"
    );
    assert!(home.body.contains("Open link – not a random sample"));

    // Typed with spaces and small letters, the code leads to its own questionnaire.
    let typed = codes[0].grouped().to_lowercase().replace('-', " ");
    let r = get_from(
        &app,
        &format!("/k?lang=en&kod={}", typed.replace(' ', "+")),
        "10.0.0.9",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, format!("/k/{}?lang=en", codes[0].as_str()));
    let form = get_from(&app, &to, "10.0.0.9").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains(&format!(r#"action="/k/{}""#, codes[0].as_str()))
    );
    assert!(form.body.contains("Ryd"));
    // The open link of a sampled wave takes no answers.
    let open = post_from(
        &app,
        &format!("/s/ryd/{}", y.year),
        answer("en"),
        "10.0.0.9",
    )
    .await;
    assert_eq!(open.status, StatusCode::FORBIDDEN);
    assert!(
        open.body.contains("Enter the code from your letter") || open.body.contains("Skriv koden")
    );

    let first = post_from(
        &app,
        &format!("/k/{}", codes[0].as_str()),
        answer("en"),
        "10.0.0.9",
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("Thank you for your answers!"));
    let again = post_from(
        &app,
        &format!("/k/{}?lang=en", codes[0].as_str()),
        answer("en"),
        "10.0.0.9",
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already been answered"));
    let shown = get_from(
        &app,
        &format!("/k/{}?lang=en", codes[0].as_str()),
        "10.0.0.9",
    )
    .await;
    assert_eq!(shown.status, StatusCode::CONFLICT);
    assert_eq!(y.db.count().await, 1);

    let unknown = get_from(&app, "/k/K7QFM2XD9PTA?lang=en", "10.0.0.9").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown
            .body
            .contains("We cannot find a survey with that code")
    );

    // 1,000 codes in links from one address (another site's images, a mistyping class):
    // a GET never counts, so nobody there is slowed or refused...
    for i in 0..1000u32 {
        let guess = format!("{:0>12}", format!("{i:X}"));
        let r = get_from(&app, &format!("/k/{guess}?lang=en"), "203.0.113.5").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = get_from(&app, &format!("/k?kod={guess}&lang=en"), "203.0.113.5").await;
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::SEE_OTHER].contains(&r.status),
            "{}",
            r.status
        );
    }
    let shown = get_from(
        &app,
        &format!("/k/{}?lang=en", codes[1].as_str()),
        "203.0.113.5",
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK);
    // ...while unknown codes posted with the site's own code box slow that address down,
    let box_post = |kod: String| format!("kod={kod}&lang=en");
    for i in 0..=trygg::http::throttle::FREE_FAILURES + 2 {
        let r = post_from(
            &app,
            "/k",
            box_post(format!("{:0>12}", i + 5000)),
            "203.0.113.5",
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("We cannot find a survey with that code"));
    }
    // and a right code from there is still answered, only later.
    let started = std::time::Instant::now();
    let slowed = post_from(
        &app,
        &format!("/k/{}", codes[1].as_str()),
        answer("en"),
        "203.0.113.5",
    )
    .await;
    assert_eq!(slowed.status, StatusCode::OK, "{}", slowed.body);
    assert!(started.elapsed() >= trygg::auth::throttle::FIRST_DELAY);
    // The slowing is in the audit log once, without the address.
    let slowed_log =
        y.db.store
            .audit_log(None, Some("code guesses slowed"))
            .await
            .unwrap();
    assert_eq!(slowed_log.len(), 1, "{slowed_log:?}");
    assert!(!slowed_log[0].detail.contains("203.0.113"));
    // The code box takes a right code to its questionnaire.
    let found = post_from(
        &app,
        "/k",
        box_post(codes[2].as_str().to_string()),
        "198.51.100.7",
    )
    .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    assert_eq!(
        found.headers[header::LOCATION],
        format!("/k/{}?lang=en", codes[2].as_str())
    );
    assert_eq!(y.db.count().await, 2);
}

#[tokio::test]
async fn one_code_gives_exactly_one_answer_under_100_concurrent_submissions() {
    let y = Year::new().await;
    let codes = y.sample(20, "9");
    let app = y.app();
    let uri = format!("/k/{}", codes[3].as_str());
    let replies = futures_util::future::join_all((0..100).map(|i| {
        let app = app.clone();
        let uri = uri.clone();
        async move { post_from(&app, &uri, answer("sv"), &format!("10.1.0.{}", i % 250)).await }
    }))
    .await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let used = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, used), (1, 99));
    assert_eq!(y.db.count().await, 1);
    assert_eq!(
        y.db.scalar("select count(*) from codes where status = 'used'")
            .await,
        1
    );
}

#[tokio::test]
async fn answers_that_arrive_together_share_commits_and_a_used_code_costs_no_one_else() {
    let y = Year::new().await;
    let codes = y.sample(60, "17");
    let app = y.app();
    // 50 residents with their own codes, and 30 posts with one more code, all at once.
    let uris: Vec<String> = codes[..50]
        .iter()
        .map(|c| format!("/k/{}", c.as_str()))
        .chain((0..30).map(|_| format!("/k/{}", codes[50].as_str())))
        .collect();
    let replies = futures_util::future::join_all(uris.iter().enumerate().map(|(i, uri)| {
        let app = app.clone();
        async move { post_from(&app, uri, answer("sv"), &format!("10.2.0.{}", i % 250)).await }
    }))
    .await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK && r.body.contains("receipt"))
        .count();
    let used = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, used), (51, 29));
    assert_eq!(y.db.count().await, 51);
    let commits = y.db.store.group_commits();
    assert!(
        commits > 0 && commits < 51,
        "{commits} commits for 51 answers"
    );
}

#[tokio::test]
async fn reminders_marks_paper_answers_and_response_rates() {
    let y = Year::new().await;
    let codes = y.sample(30, "21");
    let app = y.app();
    let wave = format!("ryd/{}", y.year);
    for c in &codes[..5] {
        let r = post_from(
            &app,
            &format!("/k/{}", c.as_str()),
            answer("sv"),
            "10.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let o = y.trygg(&[
        "mark",
        "--wave",
        &wave,
        "--status",
        "undeliverable",
        &codes[5].grouped(),
        &codes[0].grouped(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("1 letter(s) marked undeliverable"));
    assert!(text(&o).contains("unchanged: already used"));
    let declined = y.db.dir.path().join("declined.txt");
    std::fs::write(
        &declined,
        format!("# by phone\n{}\n\n", codes[6].grouped().to_lowercase()),
    )
    .unwrap();
    let o = y.trygg(&[
        "mark",
        "--wave",
        &wave,
        "--status",
        "declined",
        "--file",
        declined.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = y.trygg(&[
        "mark",
        "--wave",
        &wave,
        "--status",
        "declined",
        "NOT-A-CODE",
    ]);
    assert!(!o.status.success() && text(&o).contains("not a code"));

    // Paper: two good rows, and one of each bad kind.
    let scans = y.db.dir.path().join("scans.csv");
    std::fs::write(
        &scans,
        format!(
            "code,T_OMRADET,P_BELYSNING,K_INFORMATION,B_AR_I_OMRADET,lang\n\
             {},mycket_trygg,mycket,grannar|sociala_medier,12,en\n\
             {},ganska_trygg,,,,\n\
             K7QF-M2XD-9PTA,ganska_trygg,,,,\n\
             {},ganska_trygg,,,,\n\
             {},ganska_trygg,enormt,,,\n\
             {},ganska_trygg,,,120,\n\
             {},ganska_trygg,,,,\n",
            codes[7].grouped(),
            codes[8].as_str(),
            codes[1].grouped(),
            codes[9].grouped(),
            codes[10].grouped(),
            codes[5].grouped(),
        ),
    )
    .unwrap();
    let o = y.trygg(&["import-paper", "--wave", &wave, scans.to_str().unwrap()]);
    let t = text(&o);
    assert!(!o.status.success(), "bad rows make the exit code non-zero");
    assert!(
        t.contains("2 paper answer(s) imported, 5 row(s) refused"),
        "{t}"
    );
    let f = scans.display();
    for (line, why) in [
        (4, format!("unknown code: not a letter of {wave}")),
        (
            5,
            "the code was already used: answered on the web, or on paper (imported before?)".into(),
        ),
        (6, "P_BELYSNING: unknown option \"enormt\"".into()),
        (7, "B_AR_I_OMRADET: out of range (0-90)".into()),
        (8, "the letter is marked undeliverable".into()),
    ] {
        assert!(
            t.contains(&format!("{f}:{line}: {why}")),
            "line {line}: {t}"
        );
    }
    assert_eq!(y.db.count().await, 7);
    let paper =
        y.db.scalar("select count(*) from responses where channel = 'paper'")
            .await;
    assert_eq!(paper, 2);
    // Importing the same file again imports nothing twice.
    let o = y.trygg(&["import-paper", "--wave", &wave, scans.to_str().unwrap()]);
    assert!(
        text(&o).contains("0 paper answer(s) imported, 7 row(s) refused"),
        "{}",
        text(&o)
    );
    assert_eq!(y.db.count().await, 7);
    // A file whose header is not questions is refused whole.
    std::fs::write(
        &scans,
        "code,T_OMRADET,NAMN\nK7QF-M2XD-9PTA,ganska_trygg,Anna\n",
    )
    .unwrap();
    let o = y.trygg(&["import-paper", "--wave", &wave, scans.to_str().unwrap()]);
    assert!(
        text(&o).contains("column \"NAMN\" is not a question"),
        "{}",
        text(&o)
    );
    assert_eq!(y.db.count().await, 7);

    // Every change made on the command line is in the audit log.
    let log = audit_actions(&y.db.store, Some("command line")).await;
    for action in ["codes created", "letters marked", "paper import"] {
        assert!(log.iter().any(|a| a == action), "{action} in {log:?}");
    }

    // Reminders: exactly the codes not used, returned or declined.
    let o = y.trygg(&[
        "reminders",
        "--wave",
        &wave,
        "--letters",
        &y.path("print/letters.csv"),
        "--out",
        &y.path("print/reminders.csv"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let reminded: std::collections::HashSet<Code> =
        print_codes(Path::new(&y.path("print/reminders.csv")))
            .into_iter()
            .collect();
    // (rows 6 and 7 of the scans were refused, so codes 9 and 10 are still unused)
    let expected: std::collections::HashSet<Code> = codes[9..].iter().cloned().collect();
    assert_eq!(reminded, expected);

    // Response rates: (web + paper) / (letters - undeliverable).
    let o = y.trygg(&["status", "--year", &y.year.to_string()]);
    let t = text(&o);
    assert!(
        t.contains(&format!("berga/{}: open link, not a random sample", y.year)),
        "{t}"
    );
    let total = t
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap();
    let cols: Vec<&str> = total.split_whitespace().collect();
    assert_eq!(&cols[1..6], &["30", "1", "1", "5", "2"], "{total}");
    let rate = 7.0 / 29.0 * 100.0;
    assert!(total.contains(&format!("{rate:.1} %")), "{total}");
}

#[tokio::test]
async fn no_query_can_join_a_response_to_its_code() {
    let y = Year::new().await;
    let codes = y.sample(40, "77");
    let app = y.app();
    // Answers arrive in an order unrelated to the print file.
    for i in [17usize, 3, 29, 8, 11] {
        let r = post_from(
            &app,
            &format!("/k/{}", codes[i].as_str()),
            answer("sv"),
            "10.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let resp = y.db.columns("responses").await;
    let code_cols = y.db.columns("codes").await;
    // The only column the two tables share is the wave: it joins every answer of a wave to
    // every letter of it, never one to one.
    let shared: Vec<&String> = resp.iter().filter(|n| code_cols.contains(n)).collect();
    assert_eq!(shared, vec!["wave_id"]);
    assert!(
        !resp
            .iter()
            .any(|n| n.contains("code") || n.contains("stratum") || n.contains("hash"))
    );
    assert!(
        !code_cols
            .iter()
            .any(|n| n.contains("time") || n.contains("_on") || n.contains("_at") || n == "id")
    );
    let mut c = y.db.connection().await;
    // No rowid orders the letters: the table is clustered on the hash (WITHOUT ROWID), so
    // neither the order of the print file nor the order of use is kept. (PostgreSQL keeps
    // each row's writing transaction; see ARCHITECTURE, "PostgreSQL and code privacy".)
    if postgres_server().is_none() {
        let rowid = sqlx::query("select rowid from codes")
            .fetch_all(&mut c)
            .await;
        assert!(rowid.is_err(), "codes has no rowid");
    }
    // Answers carry the day only, never a time.
    let days: Vec<String> = sqlx::query_scalar("select submitted_on from responses")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert!(days.iter().all(|d| d.len() == 10), "{days:?}");
    // The used letters are a set: 5 of them for 5 answers, with nothing to pair them up.
    let used: i64 = sqlx::query_scalar("select count(*) from codes where status = 'used'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(used, 5);
}

#[tokio::test]
async fn the_paper_form_carries_the_code_and_every_question_and_option_code() {
    let y = Year::new().await;
    let out = y.path("form-en.html");
    let o = y.trygg(&[
        "paper-form",
        "--wave",
        &format!("ryd/{}", y.year),
        "--lang",
        "en",
        "--code",
        "k7qf m2xd 9pta",
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("size: A4"));
    // Paper has no IP address or cookies to promise anything about: only what holds on paper.
    assert!(html.contains(
        "You are anonymous. We store your answers and the day they arrived, but never who you are."
    ));
    assert!(!html.contains("IP address") && !html.contains("cookie"));
    // The code sits in a running header: printed on every page.
    assert!(html.contains("position: fixed") && html.contains("K7QF-M2XD-9PTA"));
    let q = bundled();
    for question in &q.questions {
        assert!(
            html.contains(&format!("<small class=\"c\">{}</small>", question.code)),
            "{}",
            question.code
        );
        assert!(html.contains(question.text.get("en")));
    }
    // Right to left on paper too.
    let ar = y.path("form-ar.html");
    let o = y.trygg(&[
        "paper-form",
        "--wave",
        &format!("ryd/{}", y.year),
        "--lang",
        "ar",
        "--out",
        &ar,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(&ar).unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains(q.question("P_BELYSNING").unwrap().text.get("ar")));
    let o = y.trygg(&[
        "paper-form",
        "--wave",
        &format!("ryd/{}", y.year),
        "--lang",
        "xx",
        "--out",
        &y.path("x.html"),
    ]);
    assert!(
        text(&o).contains("--lang xx: the questionnaire has sv, en, ar, fa, prs, so, ti"),
        "{}",
        text(&o)
    );
    assert!(!Path::new(&y.path("x.html")).exists());
}

#[tokio::test]
async fn administrators_import_paper_and_mark_letters_from_the_web() {
    use crate::staff::{form, multipart, request, session};
    let y = Year::new().await;
    let codes = y.sample(10, "31");
    let app = y.app();
    let (cookie, csrf, _) = session(&y.db, "admin@kommun.se", trygg::auth::Role::Admin).await;
    let wave = y.db.store.wave("ryd", y.year).await.unwrap().unwrap();
    let page = send(
        &app,
        request("GET", "/personal/falt", Some(&cookie), String::new(), ""),
    )
    .await;
    assert!(
        page.body.contains(&format!(
            r#"<option value="{}">Ryd {}</option>"#,
            wave.id, y.year
        )),
        "{}",
        page.body
    );
    let scans = format!(
        "code,T_OMRADET,P_BELYSNING\n{},mycket_trygg,mycket\n{},ganska_trygg,enormt\nK7QF-M2XD-9PTA,ganska_trygg,\n",
        codes[0].grouped(),
        codes[1].grouped()
    );
    let id = wave.id.to_string();
    let (body, ct) = multipart(&[("csrf", &csrf), ("wave", &id)], Some(&scans));
    let r = send(
        &app,
        request("POST", "/personal/falt/papper", Some(&cookie), body, &ct),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("1 pappersenkäter importerades, 2 rader avvisades"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("rad 3: P_BELYSNING: okänt svarsalternativ &quot;enormt&quot;"),
        "{}",
        r.body
    );
    assert!(r.body.contains("rad 4: okänd kod"), "{}", r.body);
    assert_eq!(y.db.count().await, 1);
    // Marks, with a code that is not a letter of the wave: nothing marked.
    let two = format!("{}\nK7QF-M2XD-9PTA", codes[2].grouped());
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/falt/markera",
            encode(&[
                ("csrf", &csrf),
                ("wave", &id),
                ("status", "undeliverable"),
                ("codes", &two),
            ]),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        y.db.scalar("select count(*) from codes where status = 'undeliverable'")
            .await,
        0
    );
    let good = format!("{}\n{}", codes[2].grouped(), codes[0].grouped());
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/falt/markera",
            encode(&[
                ("csrf", &csrf),
                ("wave", &id),
                ("status", "undeliverable"),
                ("codes", &good),
            ]),
        ),
    )
    .await;
    assert!(r.body.contains("1 brev markerades"), "{}", r.body);
    assert!(r.body.contains("oförändrad: redan använd"), "{}", r.body);
    assert_eq!(
        y.db.scalar("select count(*) from codes where status = 'undeliverable'")
            .await,
        1
    );
    let log = audit_actions(&y.db.store, Some("admin@kommun.se")).await;
    assert!(
        log.contains(&"paper import".to_string()) && log.contains(&"letters marked".to_string()),
        "{log:?}"
    );
}

/// What the letters of the scanning test's database have become: codes per status, and
/// the per-stratum counters response rates are read from.
async fn letter_states(y: &Year) -> Vec<i64> {
    vec![
        y.db.count().await,
        y.db.scalar("select count(*) from codes where status = 'unused'")
            .await,
        y.db.scalar("select count(*) from codes where status = 'used'")
            .await,
        y.db.scalar("select count(*) from codes where status = 'undeliverable'")
            .await,
        y.db.scalar(
            "select cast(coalesce(sum(answered_web + answered_paper + undeliverable + declined), 0) as bigint) from sample_strata",
        )
        .await,
    ]
}

/// The receipt block of a staff page: what the page says about the form just sent.
fn receipt(body: &str) -> &str {
    let start = body.find(r#"<div class="receipt""#).expect("a receipt");
    let end = start + body[start..].find("</div>").unwrap();
    &body[start..end]
}

#[tokio::test]
async fn a_bad_scanning_file_is_refused_on_the_web_row_by_row_in_swedish() {
    use crate::staff::{form, multipart, request, session};
    let y = Year::new().await;
    let codes = y.sample(10, "32");
    let app = y.app();
    let (cookie, csrf, _) = session(&y.db, "admin@kommun.se", trygg::auth::Role::Admin).await;
    let id = (y.db.store.wave("ryd", y.year).await.unwrap().unwrap().id).to_string();
    let upload = |csv: String| {
        let (body, ct) = multipart(&[("csrf", &csrf), ("wave", &id)], Some(&csv));
        send(
            &app,
            request("POST", "/personal/falt/papper", Some(&cookie), body, &ct),
        )
    };
    // One letter answered on paper, one returned undeliverable.
    let r = upload(format!(
        "code,T_OMRADET\n{},mycket_trygg\n",
        codes[0].grouped()
    ))
    .await;
    assert!(
        r.body
            .contains("1 pappersenkäter importerades, 0 rader avvisades"),
        "{}",
        r.body
    );
    let marks = encode(&[
        ("csrf", &csrf),
        ("wave", &id),
        ("status", "undeliverable"),
        ("codes", &codes[1].grouped()),
    ]);
    let r = send(&app, form(Some(&cookie), "/personal/falt/markera", marks)).await;
    assert!(r.body.contains("1 brev markerades"), "{}", r.body);
    let before = letter_states(&y).await;
    let q = |s: &str| s.replace('"', "&quot;");

    // A column twice refuses the whole file.
    let r = upload(format!(
        "code,T_OMRADET,P_BELYSNING,T_OMRADET\n{},mycket_trygg,mycket,ganska_trygg\n",
        codes[2].grouped()
    ))
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let said = receipt(&r.body);
    assert!(
        said.contains("Filen avvisades; inget importerades"),
        "{said}"
    );
    assert!(
        said.contains(&q(r#"rad 1: kolumnen "T_OMRADET" finns två gånger"#)),
        "{said}"
    );
    assert!(
        !said.contains("appears twice") && !said.contains("column"),
        "{said}"
    );
    assert_eq!(letter_states(&y).await, before);

    // Rows of every kind of fault: each listed with its line, none stored.
    let scans = format!(
        "code,T_OMRADET,P_BELYSNING,K_INFORMATION,B_AR_I_OMRADET,lang\n\
         K7QF-M2XD-9PTA,ganska_trygg,,,,\n\
         {c0},ganska_trygg,,,,\n\
         {c2},ganska_trygg,enormt,,,\n\
         {c3},ganska_trygg,,,120,\n\
         {c0},mycket_trygg,,,,\n\
         {c1},ganska_trygg,,,,\n\
         {c4},ganska_trygg,,,,xx\n\
         inte-en-kod,ganska_trygg,,,,\n\
         {c5},ganska_trygg\n\
         {c6},ganska_trygg,,grannar|grannar,,\n",
        c0 = codes[0].grouped(),
        c1 = codes[1].grouped(),
        c2 = codes[2].grouped(),
        c3 = codes[3].grouped(),
        c4 = codes[4].grouped(),
        c5 = codes[5].grouped(),
        c6 = codes[6].grouped(),
    );
    let r = upload(scans.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let said = receipt(&r.body);
    assert!(
        said.contains("0 pappersenkäter importerades, 10 rader avvisades"),
        "{said}"
    );
    let year = y.year;
    for (line, why) in [
        (2, format!("okänd kod: inget brev i enkäten ryd {year}")),
        (
            3,
            "koden är redan använd: besvarad på webben eller på papper (redan importerad?)".into(),
        ),
        (4, r#"P_BELYSNING: okänt svarsalternativ "enormt""#.into()),
        (5, "B_AR_I_OMRADET: utanför intervallet 0–90".into()),
        (6, "samma kod finns på en tidigare rad i filen".into()),
        (7, "brevet är markerat som obeställbart".into()),
        (8, r#"språket "xx" finns inte i enkäten"#.into()),
        (9, "koden kan inte läsas".into()),
        (
            10,
            "raden kan inte läsas: den har 2 fält, rubriken har 6".into(),
        ),
        (
            11,
            r#"K_INFORMATION: alternativet "grannar" står två gånger"#.into(),
        ),
    ] {
        let item = format!("<li>rad {line}: {}</li>", q(&why));
        assert!(said.contains(&item), "{item} in {said}");
    }
    for english in [
        "unknown",
        "not a letter",
        "already used",
        "option",
        "out of range",
        "earlier row",
        "is marked",
        "undeliverable",
        "language",
        "cannot be read",
        "fields",
        "given twice",
        "imported",
        "refused",
    ] {
        assert!(!said.contains(english), "{english} in {said}");
    }
    assert_eq!(
        letter_states(&y).await,
        before,
        "nothing stored, no letter changed"
    );

    // The command line says the same in English.
    let file = y.db.dir.path().join("scans.csv");
    std::fs::write(&file, &scans).unwrap();
    let wave = format!("ryd/{year}");
    let o = y.trygg(&["import-paper", "--wave", &wave, file.to_str().unwrap()]);
    let t = text(&o);
    assert!(
        t.contains("0 paper answer(s) imported, 10 row(s) refused"),
        "{t}"
    );
    for (line, why) in [
        (8, "lang \"xx\" is not a language of the questionnaire"),
        (9, "the code cannot be read"),
        (10, "the row cannot be read: "),
        (11, "option \"grannar\" of K_INFORMATION given twice"),
        (6, "the same code is on an earlier row of this file"),
    ] {
        assert!(
            t.contains(&format!("{}:{line}: {why}", file.display())),
            "{line}: {t}"
        );
    }
    assert_eq!(letter_states(&y).await, before);
}

#[tokio::test]
async fn two_servers_on_one_database_lose_no_answer_and_take_no_code_twice() {
    use crate::durability::Server;
    let y = Year::new().await;
    let codes = y.sample(40, "5");
    let key = y.key_path().to_str().unwrap().to_string();
    // Two instances behind one load balancer, on the same database file.
    let servers = [
        Server::start(y.db.url(), &["--code-key", &key]),
        Server::start(y.db.url(), &["--code-key", &key]),
    ];
    let open = format!("/s/berga/{}", y.year);
    let shared = format!("/k/{}", codes[30].as_str());
    // 30 residents with their own codes, one code sent 20 times (10 to each server), and
    // 100 answers by the open link, all at once, alternating between the servers.
    let mut posts: Vec<String> = codes[..30]
        .iter()
        .map(|c| format!("/k/{}", c.as_str()))
        .collect();
    posts.extend(std::iter::repeat_n(shared.clone(), 20));
    posts.extend(std::iter::repeat_n(open.clone(), 100));
    let replies: Vec<(String, u16, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = posts
            .iter()
            .enumerate()
            .map(|(i, path)| {
                let server = &servers[i % 2];
                scope.spawn(move || {
                    let (status, body) = server.request("POST", path, &answer("sv"));
                    (path.clone(), status, body.contains("receipt"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let receipts = |path: &str| {
        replies
            .iter()
            .filter(|(p, s, r)| p == path && *s == 200 && *r)
            .count()
    };
    let own: usize = codes[..30]
        .iter()
        .map(|c| receipts(&format!("/k/{}", c.as_str())))
        .sum();
    assert_eq!(own, 30);
    assert_eq!(receipts(&shared), 1, "one code, one answer");
    assert_eq!(
        replies
            .iter()
            .filter(|(p, s, _)| *p == shared && *s == 409)
            .count(),
        19
    );
    assert_eq!(receipts(&open), 100);
    drop(servers);
    let ryd = y.db.store.wave("ryd", y.year).await.unwrap().unwrap();
    let berga = y.db.store.wave("berga", y.year).await.unwrap().unwrap();
    assert_eq!(y.db.store.count_responses(Some(ryd.id)).await.unwrap(), 31);
    assert_eq!(
        y.db.store.count_responses(Some(berga.id)).await.unwrap(),
        100
    );
    assert_eq!(
        y.db.scalar("select count(*) from codes where status = 'used'")
            .await,
        31
    );
}

#[tokio::test]
async fn a_wave_with_open_link_answers_cannot_get_a_sample() {
    let y = Year::new().await;
    // Two residents answered Ryd's open link before anyone thought of letters.
    let app = y.db.app();
    for ip in ["10.0.0.1", "10.0.0.2"] {
        let r = post_from(&app, &format!("/s/ryd/{}", y.year), answer("sv"), ip).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    std::fs::create_dir_all(y.db.dir.path().join("print")).unwrap();
    let out = y.path("print/letters.csv");
    let o = y.sample_cmd(&y.frame, &out, &["--size", "50"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("already has 2 answers through its open link"),
        "{}",
        text(&o)
    );
    assert!(!Path::new(&out).exists(), "no print file");
    assert_eq!(y.db.scalar("select count(*) from codes").await, 0);
    assert_eq!(y.db.scalar("select count(*) from sample_strata").await, 0);
}
