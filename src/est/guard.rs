//! The personal-data guard for a report's free-text description.
//!
//! The weekly picture is about places, never about people: a description naming someone's
//! personal identity number (personnummer or samordningsnummer), phone number or e-mail
//! address is refused, as are descriptions longer than [`MAX_DESCRIPTION_CHARS`] and
//! control or invisible formatting characters (line breaks are allowed). The guard errs
//! on the side of refusing: any run of eight or more digits joined by spaces or dashes
//! counts as a phone number, except a date written `YYYY-MM-DD` or `YYYYMMDD`. Street
//! numbers, times (`kl 22`, `22.30`), postcodes and dates pass.

use std::fmt;

/// The longest description kept, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// What kind of personal data a description held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    /// A personal identity or coordination number (`YYMMDD-NNNN`, `YYYYMMDDNNNN`, …).
    IdentityNumber,
    PhoneNumber,
    Email,
}

impl PersonalData {
    /// In Swedish, with its article ("ett personnummer").
    pub fn sv(self) -> &'static str {
        match self {
            PersonalData::IdentityNumber => "ett personnummer",
            PersonalData::PhoneNumber => "ett telefonnummer",
            PersonalData::Email => "en e-postadress",
        }
    }

    fn en(self) -> &'static str {
        match self {
            PersonalData::IdentityNumber => "a personal identity number",
            PersonalData::PhoneNumber => "a phone number",
            PersonalData::Email => "an e-mail address",
        }
    }
}

/// Why a description was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DescriptionFault {
    TooLong {
        chars: usize,
        max: usize,
    },
    /// A control character other than a line break, or an invisible formatting character.
    ControlCharacter,
    Personal(PersonalData),
}

impl DescriptionFault {
    /// In Swedish, for the staff and reporter pages.
    pub fn sv(&self) -> String {
        match self {
            DescriptionFault::TooLong { chars, max } => {
                format!("beskrivningen är {chars} tecken, högst {max} får plats")
            }
            DescriptionFault::ControlCharacter => {
                "beskrivningen innehåller osynliga styrtecken".into()
            }
            DescriptionFault::Personal(kind) => format!(
                "beskrivningen innehåller {}; skriv om platsen och händelsen, inte om personer",
                kind.sv()
            ),
        }
    }
}

impl fmt::Display for DescriptionFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DescriptionFault::TooLong { chars, max } => {
                write!(f, "the description is {chars} characters, more than {max}")
            }
            DescriptionFault::ControlCharacter => {
                write!(f, "the description holds a control character")
            }
            DescriptionFault::Personal(kind) => {
                write!(f, "the description holds {} (personal data)", kind.en())
            }
        }
    }
}

/// Checks a description: its length, its characters, and personal data.
pub fn check_description(text: &str) -> Result<(), DescriptionFault> {
    let chars = text.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(DescriptionFault::TooLong {
            chars,
            max: MAX_DESCRIPTION_CHARS,
        });
    }
    if text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\r') || crate::questionnaire::is_invisible_format(c)
    }) {
        return Err(DescriptionFault::ControlCharacter);
    }
    match find_personal_data(text) {
        Some(kind) => Err(DescriptionFault::Personal(kind)),
        None => Ok(()),
    }
}

/// The first kind of personal data found in `text`, e-mail addresses first. Digits of
/// other scripts (full-width, Arabic-Indic) count as digits; spaces around an `@` do not
/// hide an address; dots and slashes join a number's groups like spaces, brackets vanish
/// (`(070) 123 45 67`, `070.123.45.67`).
pub fn find_personal_data(text: &str) -> Option<PersonalData> {
    let digits: String = text.chars().map(ascii_digit).collect();
    if has_email(&without_spaces_at_at(&digits)) {
        return Some(PersonalData::Email);
    }
    let joined: String = digits
        .chars()
        .filter(|c| !"()".contains(*c))
        .map(|c| if "./".contains(c) { ' ' } else { c })
        .collect();
    number_runs(&joined).iter().find_map(classify)
}

/// A decimal digit of another script as its ASCII digit; any other character as it is.
fn ascii_digit(c: char) -> char {
    let zero = ['\u{ff10}', '\u{0660}', '\u{06f0}', '\u{0966}']
        .into_iter()
        .find(|z| (*z..=char::from_u32(*z as u32 + 9).unwrap_or(*z)).contains(&c));
    match zero {
        Some(z) => char::from(b'0' + (c as u32 - z as u32) as u8),
        None => c,
    }
}

/// The text with the spaces right before and after each `@` removed (`anna @ x.se`).
fn without_spaces_at_at(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '@' {
            while out.ends_with(char::is_whitespace) {
                out.pop();
            }
            out.push('@');
            while chars.peek().is_some_and(|n| n.is_whitespace()) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn has_email(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        if c != '@' || i == 0 {
            return false;
        }
        let before = chars[i - 1];
        if !(before.is_alphanumeric() || "._%+-".contains(before)) {
            return false;
        }
        let domain: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || **c == '.' || **c == '-')
            .collect();
        let domain = domain.trim_end_matches('.');
        match domain.rsplit_once('.') {
            Some((name, top)) => {
                !name.is_empty() && top.chars().count() >= 2 && top.chars().all(char::is_alphabetic)
            }
            None => false,
        }
    })
}

/// A group of digits and the separator before it (none for the first of a run).
#[derive(Debug, Clone)]
struct Group {
    digits: String,
    sep: Option<char>,
}

/// Digits joined by single separators, and whether a `+` came before the first.
#[derive(Debug, Clone)]
struct Run {
    plus: bool,
    groups: Vec<Group>,
}

/// What may join two groups of digits of one number.
const SEPARATORS: [char; 5] = [' ', '-', '+', '\u{a0}', '\u{2011}'];

fn number_runs(text: &str) -> Vec<Run> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let plus = i > 0 && chars[i - 1] == '+';
        let mut groups = Vec::new();
        let mut sep = None;
        loop {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            groups.push(Group {
                digits: chars[start..i].iter().collect(),
                sep,
            });
            if i + 1 < chars.len()
                && SEPARATORS.contains(&chars[i])
                && chars[i + 1].is_ascii_digit()
            {
                sep = Some(chars[i]);
                i += 1;
            } else {
                break;
            }
        }
        out.extend(without_dates(Run { plus, groups }));
    }
    out
}

/// A run split where it holds a `YYYY-MM-DD` date, the date left out; a run that is only
/// a `YYYYMMDD` date is left out too.
fn without_dates(run: Run) -> Vec<Run> {
    let g = &run.groups;
    if g.len() == 1 && g[0].digits.len() == 8 && plausible_date(&g[0].digits, true) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut current = Run {
        plus: run.plus,
        groups: Vec::new(),
    };
    let mut k = 0;
    let date_at = |k: usize| {
        k + 2 < g.len()
            && g[k].digits.len() == 4
            && g[k + 1].digits.len() == 2
            && g[k + 2].digits.len() == 2
            && g[k + 1].sep == Some('-')
            && g[k + 2].sep == Some('-')
            && plausible_date(
                &format!("{}{}{}", g[k].digits, g[k + 1].digits, g[k + 2].digits),
                true,
            )
    };
    while k < g.len() {
        let is_date = date_at(k);
        if is_date {
            if !current.groups.is_empty() {
                out.push(current);
            }
            // `1981-12-18-9876`: a birth date written as a date, then the last four digits
            // of an identity number — kept together, so it is seen as one.
            // (Not a second date: `2026-03-14-2026-03-20` is a span of days.)
            if let Some(last) = g.get(k + 3).filter(|x| {
                x.digits.len() == 4 && matches!(x.sep, Some('-' | '+')) && !date_at(k + 3)
            }) {
                let date = format!("{}{}{}", g[k].digits, g[k + 1].digits, g[k + 2].digits);
                out.push(Run {
                    plus: false,
                    groups: vec![
                        Group {
                            digits: date,
                            sep: None,
                        },
                        last.clone(),
                    ],
                });
                current = Run {
                    plus: false,
                    groups: Vec::new(),
                };
                k += 4;
                continue;
            }
            current = Run {
                plus: false,
                groups: Vec::new(),
            };
            k += 3;
            continue;
        }
        let mut group = g[k].clone();
        if current.groups.is_empty() {
            group.sep = None;
        }
        current.groups.push(group);
        k += 1;
    }
    if !current.groups.is_empty() {
        out.push(current);
    }
    out
}

/// Whether the digits begin with a plausible birth date: `YYMMDD` or (with `century`)
/// `YYYYMMDD`, the day possibly a coordination number's (day + 60).
fn plausible_date(digits: &str, century: bool) -> bool {
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<u32>().ok());
    let (year_ok, at) = if century {
        (num(0..4).is_some_and(|y| (1870..=2099).contains(&y)), 4)
    } else {
        (true, 2)
    };
    let month = num(at..at + 2);
    let day = num(at + 2..at + 4);
    year_ok
        && month.is_some_and(|m| (1..=12).contains(&m))
        && day.is_some_and(|d| (1..=31).contains(&d) || (61..=91).contains(&d))
}

/// The Luhn check over the last ten digits (as the Swedish identity number is checked).
fn luhn(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() < 10 {
        return false;
    }
    let sum: u32 = d[d.len() - 10..]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let v = if i % 2 == 0 { x * 2 } else { x };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn classify(run: &Run) -> Option<PersonalData> {
    let digits: String = run.groups.iter().map(|g| g.digits.as_str()).collect();
    let n = digits.len();
    let id_shaped = (n == 10 || n == 12)
        && (run.groups.len() == 1
            || (run.groups.len() == 2
                && run.groups[1].digits.len() == 4
                && matches!(run.groups[1].sep, Some('-' | '+' | ' '))));
    if id_shaped && !run.plus {
        let plausible = plausible_date(&digits, n == 12);
        let contiguous_phone = run.groups.len() == 1 && digits.starts_with('0') && !luhn(&digits);
        if (plausible && !contiguous_phone) || (run.groups.len() == 2 && luhn(&digits)) {
            return Some(PersonalData::IdentityNumber);
        }
    }
    (n >= 8).then_some(PersonalData::PhoneNumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_are_found() {
        for s in [
            "Han heter 811218-9876 och bor här",
            "19811218-9876",
            "198112189876",
            "8112189876",
            "811218+9876",
            "811278-9876",
            "pnr 121212-1212.",
            "050312-1234",
            "20050312 1234",
        ] {
            assert_eq!(
                find_personal_data(s),
                Some(PersonalData::IdentityNumber),
                "{s}"
            );
        }
    }

    #[test]
    fn phone_numbers_are_found() {
        for s in [
            "Ring 070-123 45 67",
            "0701234567",
            "073 123 45 67",
            "+46 70 123 45 67",
            "+46701234567",
            "0046 70 123 45 67",
            "013-20 50 00",
            "013-205000",
            "08-123 456 78",
            "12 34 56 78",
        ] {
            assert_eq!(
                find_personal_data(s),
                Some(PersonalData::PhoneNumber),
                "{s}"
            );
        }
    }

    #[test]
    fn email_addresses_are_found() {
        for s in [
            "anna.svensson@example.se",
            "skriv till a@b.se",
            "Kontakt: Per-Olof_99@mail.kommun.linkoping.se.",
        ] {
            assert_eq!(find_personal_data(s), Some(PersonalData::Email), "{s}");
        }
    }

    #[test]
    fn ordinary_descriptions_pass() {
        for s in [
            "Klotter på väggen vid Rydsvägen 12",
            "2026-03-14",
            "Den 2026-03-14 kl 22 var det krossat glas",
            "2026-03-14 22:30 och 2026-03-15 kl 01.15",
            "2026-03-14 - 2026-03-20",
            "2026-03-14-2026-03-20",
            "20260314",
            "kl 22",
            "Buss 12 och 13 stannar inte",
            "582 22 Linköping",
            "cirka 15-20 personer",
            "vecka 11, lampa nr 1234567",
            "@kommunen på sociala medier",
            "mejla a@b",
            "Belysningen vid Berga torg 3-5 är trasig sedan 3 veckor",
            "",
        ] {
            assert_eq!(find_personal_data(s), None, "{s}");
            assert_eq!(check_description(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn length_and_control_characters_are_refused() {
        assert_eq!(check_description(&"å".repeat(500)), Ok(()));
        assert_eq!(
            check_description(&"å".repeat(501)),
            Err(DescriptionFault::TooLong {
                chars: 501,
                max: 500
            })
        );
        assert_eq!(check_description("rad ett\r\nrad två"), Ok(()));
        for s in ["a\u{0}b", "a\u{1b}[31m", "a\tb", "a\u{202e}b", "a\u{200b}b"] {
            assert_eq!(
                check_description(s),
                Err(DescriptionFault::ControlCharacter),
                "{s:?}"
            );
        }
        assert_eq!(
            check_description("ring 0701234567"),
            Err(DescriptionFault::Personal(PersonalData::PhoneNumber))
        );
    }

    #[test]
    fn written_around_the_guard_is_still_found() {
        for (text, kind) in [
            ("ring (070) 123 45 67", PersonalData::PhoneNumber),
            ("070.123.45.67", PersonalData::PhoneNumber),
            ("070/123 45 67", PersonalData::PhoneNumber),
            ("1981-12-18-9876 bor där", PersonalData::IdentityNumber),
            ("19811218+9876", PersonalData::IdentityNumber),
            ("anna @ example.se", PersonalData::Email),
            ("anna@ example.se", PersonalData::Email),
            (
                "\u{ff10}\u{ff17}\u{ff10}\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff15}\u{ff16}\u{ff17}",
                PersonalData::PhoneNumber,
            ),
            (
                "\u{0660}\u{0667}\u{0660}-\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}",
                PersonalData::PhoneNumber,
            ),
        ] {
            assert_eq!(find_personal_data(text), Some(kind), "{text}");
        }
        // What places and times look like still passes.
        for text in [
            "kl 22.30 vid Storgatan 12",
            "2026-03-14 kväll, lampa 3 av 5",
            "Busskur 2 (norra), 14/3",
            "vid @-skylten",
        ] {
            assert_eq!(find_personal_data(text), None, "{text}");
        }
    }
}
