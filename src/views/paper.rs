//! The paper form: the same questionnaire as the web, printed on A4 in one language, with
//! the letter's code in the running header of every page (so loose pages still belong to
//! their form) and each question's and option's code in small print for the scanning
//! vendor, whose CSV `trygg import-paper` reads.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::i18n::Lang;
use crate::questionnaire::{District, QuestionKind, Questionnaire};

const PRINT_CSS: &str = r#"
@page { size: A4; margin: 22mm 16mm 18mm 16mm; }
body { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", Arial, sans-serif; font-size: 11pt; color: #000; }
header.code { position: fixed; inset-block-start: -14mm; inset-inline-end: 0; font-size: 10pt; }
header.code .box { border: 1pt solid #000; padding: 1mm 3mm; font-family: "DejaVu Sans Mono", monospace; letter-spacing: 0.08em; }
h1 { font-size: 16pt; margin-block: 0 4mm; }
h2 { font-size: 13pt; margin-block: 6mm 2mm; break-after: avoid; }
.q { break-inside: avoid; margin-block: 0 4mm; }
.q p { margin-block: 0 1.5mm; font-weight: bold; }
.opt { display: block; margin-inline-start: 4mm; margin-block: 0.8mm; }
.box-sq { display: inline-block; inline-size: 4mm; block-size: 4mm; border: 1pt solid #000; vertical-align: middle; margin-inline-end: 2mm; }
.line { display: block; border-block-end: 1pt solid #000; block-size: 8mm; }
.num { display: inline-block; inline-size: 20mm; block-size: 8mm; border: 1pt solid #000; }
small.c { color: #555; font-size: 7pt; margin-inline-start: 2mm; font-family: monospace; }
"#;

/// The printable form; `code` is printed on every page (or a blank box for the vendor's
/// mail merge).
pub fn paper_form(
    lang: &Lang,
    district: &District,
    year: i32,
    q: &Questionnaire,
    code: Option<&str>,
) -> Markup {
    let l = lang.code();
    html! {
        (DOCTYPE)
        html lang=(l) dir=(lang.dir()) {
            head {
                meta charset="utf-8";
                title { (q.title.get(l)) " – " (district.name.get(l)) " " (year) }
                style { (PreEscaped(PRINT_CSS)) }
            }
            body {
                header.code {
                    (lang.t("code_label")) ": "
                    span.box dir="ltr" { (code.unwrap_or("____-____-____")) }
                }
                h1 { (q.title.get(l)) " – " (district.name.get(l)) " " (year) }
                @if !q.intro.0.is_empty() { p { (q.intro.get(l)) } }
                p { (lang.t("privacy_note_paper")) }
                @for section in &q.sections {
                    h2 { (section.title.get(l)) }
                    @for question in q.questions_in(&section.code) {
                        div.q {
                            p { (question.text.get(l)) small.c { (question.code) } }
                            @match question.kind {
                                QuestionKind::Number => { span.num {} }
                                QuestionKind::FreeText => { span.line {} span.line {} }
                                _ => {
                                    @if question.kind == QuestionKind::Multi { em { (lang.t("multi_hint")) } }
                                    @for o in &question.options {
                                        span.opt { span.box-sq {} (o.text.get(l)) small.c { (o.code) } }
                                    }
                                }
                            }
                        }
                    }
                }
                p { (lang.t("paper_return")) }
            }
        }
    }
}
