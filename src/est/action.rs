//! An action (insats) the EST group records from the week's picture: what is done
//! ([`ActionKind`], presence with who does it), where (a place of the register, or the
//! whole district), by which organisation, by when, how far it has come, and a follow-up
//! note. "Insats" in the Swedish pages keeps it apart from the survey's measures
//! (åtgärder); one step turns an action into a measure of the register
//! ([`Action::to_measure`]), so the yearly survey evaluates it.
//!
//! | kind code | label | measure category | target indicators |
//! |---|---|---|---|
//! | `belysning` | Belysning | `belysning` | `P_BELYSNING`, `T_UTE_KVALL`, `T_UNDVIKER` |
//! | `skyltning` | Skyltning | `skyltning` | `P_FORT`, `P_MOPED_GANGVAG`, `T_OMRADET` |
//! | `kamera` | Kamera | `kameror` | `P_SKADEGORELSE`, `P_KLOTTER`, `T_UTE_KVALL` |
//! | `stadning_reparation` | Städning eller reparation | `stadning` | `P_NEDSKRAPNING`, `P_SKADEGORELSE`, `P_KLOTTER` |
//! | `narvaro` | Närvaro (with who) | by who: `polis`, `vaktare`, `faltarbete`, … | `P_UNGDOMSGANG`, `P_BRAK`, `T_UTE_KVALL` |
//! | `ovrigt` | Övrigt | `ovrigt` | `T_OMRADET`, `T_UTE_KVALL` |

use chrono::NaiveDate;

use super::guard::{DescriptionFault, MAX_DESCRIPTION_CHARS, check_description};
use super::week::Week;
use crate::measure::Measure;

/// The longest owner organisation kept, in characters.
pub const MAX_OWNER_CHARS: usize = super::report::MAX_ORGANISATION_CHARS;

/// The longest follow-up note kept, in characters: as long as a report's description,
/// guarded the same way.
pub const MAX_NOTE_CHARS: usize = MAX_DESCRIPTION_CHARS;

/// How many weeks before and after a measure's start its page counts the reports at its
/// places.
pub const REPORT_WEEKS: i64 = 12;

/// The months after a measure's start before an "after" wave counts, for a measure made
/// from an action: the register's default (an empty lag in the register's form).
pub const MEASURE_LAG_MONTHS: u32 = crate::measure::DEFAULT_LAG_MONTHS;

/// Who is present, for a presence action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Presence {
    Polis,
    /// Kommunala ordningsvakter.
    Ordningsvakter,
    /// Vaktbolag, väktare.
    Vaktare,
    Faltassistenter,
    Fritidsledare,
    Trygghetsvardar,
    Nattvandrare,
}

impl Presence {
    pub const ALL: [Presence; 7] = [
        Presence::Polis,
        Presence::Ordningsvakter,
        Presence::Vaktare,
        Presence::Faltassistenter,
        Presence::Fritidsledare,
        Presence::Trygghetsvardar,
        Presence::Nattvandrare,
    ];

    /// The code stored and posted.
    pub fn code(self) -> &'static str {
        match self {
            Presence::Polis => "polis",
            Presence::Ordningsvakter => "ordningsvakter",
            Presence::Vaktare => "vaktare",
            Presence::Faltassistenter => "faltassistenter",
            Presence::Fritidsledare => "fritidsledare",
            Presence::Trygghetsvardar => "trygghetsvardar",
            Presence::Nattvandrare => "nattvandrare",
        }
    }

    pub fn from_code(code: &str) -> Option<Presence> {
        Presence::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Presence::Polis => "Polis",
            Presence::Ordningsvakter => "Kommunala ordningsvakter",
            Presence::Vaktare => "Vaktbolag/väktare",
            Presence::Faltassistenter => "Fältassistenter",
            Presence::Fritidsledare => "Fritidsledare",
            Presence::Trygghetsvardar => "Trygghetsvärdar",
            Presence::Nattvandrare => "Nattvandrare",
        }
    }

    /// The measures register's category for presence by them.
    fn measure_category(self) -> &'static str {
        match self {
            Presence::Polis => "polis",
            Presence::Ordningsvakter | Presence::Vaktare => "vaktare",
            Presence::Faltassistenter => "faltarbete",
            Presence::Fritidsledare => "fritidsverksamhet",
            Presence::Trygghetsvardar => "trygghetsvardar",
            Presence::Nattvandrare => "nattvandring",
        }
    }
}

/// What an action does. Presence always says who: an action of presence without who
/// cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    Belysning,
    Skyltning,
    Kamera,
    /// Cleaning or repair.
    StadningReparation,
    Narvaro(Presence),
    Ovrigt,
}

impl ActionKind {
    /// The kind codes, in the order forms list them.
    pub const CODES: [&'static str; 6] = [
        "belysning",
        "skyltning",
        "kamera",
        "stadning_reparation",
        "narvaro",
        "ovrigt",
    ];

    /// The kind's code (presence: `narvaro`, who is stored beside it).
    pub fn code(self) -> &'static str {
        match self {
            ActionKind::Belysning => "belysning",
            ActionKind::Skyltning => "skyltning",
            ActionKind::Kamera => "kamera",
            ActionKind::StadningReparation => "stadning_reparation",
            ActionKind::Narvaro(_) => "narvaro",
            ActionKind::Ovrigt => "ovrigt",
        }
    }

    /// Who is present, for presence.
    pub fn presence(self) -> Option<Presence> {
        match self {
            ActionKind::Narvaro(p) => Some(p),
            _ => None,
        }
    }

    /// The kind from its code and, for presence (only then), who.
    pub fn from_codes(kind: &str, presence: Option<&str>) -> Result<ActionKind, KindFault> {
        let who = match presence {
            Some(p) => Some(Presence::from_code(p).ok_or(KindFault::UnknownPresence)?),
            None => None,
        };
        let kind = match kind {
            "belysning" => ActionKind::Belysning,
            "skyltning" => ActionKind::Skyltning,
            "kamera" => ActionKind::Kamera,
            "stadning_reparation" => ActionKind::StadningReparation,
            "narvaro" => ActionKind::Narvaro(who.ok_or(KindFault::PresenceWithoutWho)?),
            "ovrigt" => ActionKind::Ovrigt,
            _ => return Err(KindFault::UnknownKind),
        };
        if who.is_some() && kind.presence().is_none() {
            return Err(KindFault::WhoWithoutPresence);
        }
        Ok(kind)
    }

    /// The Swedish label of a kind code.
    pub fn code_label(code: &str) -> &'static str {
        match code {
            "belysning" => "Belysning",
            "skyltning" => "Skyltning",
            "kamera" => "Kamera",
            "stadning_reparation" => "Städning eller reparation",
            "narvaro" => "Närvaro",
            _ => "Övrigt",
        }
    }

    /// The Swedish label, with who for presence ("Närvaro: Polis").
    pub fn label(self) -> String {
        match self {
            ActionKind::Narvaro(p) => format!("Närvaro: {}", p.label()),
            k => ActionKind::code_label(k.code()).to_string(),
        }
    }

    /// The measures register's category (the bundled register's words where it has them).
    pub fn measure_category(self) -> &'static str {
        match self {
            ActionKind::Belysning => "belysning",
            ActionKind::Skyltning => "skyltning",
            ActionKind::Kamera => "kameror",
            ActionKind::StadningReparation => "stadning",
            ActionKind::Narvaro(p) => p.measure_category(),
            ActionKind::Ovrigt => "ovrigt",
        }
    }

    /// The survey indicators (question codes of `surveys/trygghet-*.toml`) an action of
    /// this kind is meant to move: its measure's targets.
    pub fn targets(self) -> &'static [&'static str] {
        match self {
            ActionKind::Belysning => &["P_BELYSNING", "T_UTE_KVALL", "T_UNDVIKER"],
            ActionKind::Skyltning => &["P_FORT", "P_MOPED_GANGVAG", "T_OMRADET"],
            ActionKind::Kamera => &["P_SKADEGORELSE", "P_KLOTTER", "T_UTE_KVALL"],
            ActionKind::StadningReparation => &["P_NEDSKRAPNING", "P_SKADEGORELSE", "P_KLOTTER"],
            ActionKind::Narvaro(_) => &["P_UNGDOMSGANG", "P_BRAK", "T_UTE_KVALL"],
            ActionKind::Ovrigt => &["T_OMRADET", "T_UTE_KVALL"],
        }
    }
}

/// Why a kind could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFault {
    UnknownKind,
    UnknownPresence,
    PresenceWithoutWho,
    WhoWithoutPresence,
}

impl KindFault {
    pub fn sv(self) -> &'static str {
        match self {
            KindFault::UnknownKind => "Välj vad insatsen är bland de listade slagen.",
            KindFault::UnknownPresence => "Välj vem som är på plats bland de listade.",
            KindFault::PresenceWithoutWho => {
                "En insats med närvaro behöver ange vem som är på plats."
            }
            KindFault::WhoWithoutPresence => {
                "Vem som är på plats anges bara för en insats med närvaro."
            }
        }
    }
}

/// How far an action has come. Planned and under way are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionStatus {
    Planerad,
    Pagar,
    Klar,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 3] = [
        ActionStatus::Planerad,
        ActionStatus::Pagar,
        ActionStatus::Klar,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Planerad => "planerad",
            ActionStatus::Pagar => "pagar",
            ActionStatus::Klar => "klar",
        }
    }

    pub fn from_code(code: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Planerad => "Planerad",
            ActionStatus::Pagar => "Pågår",
            ActionStatus::Klar => "Klar",
        }
    }

    pub fn is_open(self) -> bool {
        self != ActionStatus::Klar
    }
}

/// An action to store; its values come checked (district and place from the registers,
/// owner and note through [`check_owner`] and [`check_note`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub district: String,
    /// A place id of the register, or none for the whole district.
    pub place_id: Option<String>,
    pub kind: ActionKind,
    /// The organisation responsible.
    pub owner: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
    pub note: Option<String>,
    /// The week's picture it was recorded from.
    pub week: Week,
}

/// A stored action.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: i64,
    pub new: NewAction,
    /// The measure of the register it became, once it did.
    pub measure_id: Option<String>,
}

impl Action {
    /// Not done by its due date: the day is past and it is still open.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.new.status.is_open() && self.new.due < today
    }

    /// The id of the measure this action becomes: `est-<id>` (the register's ids are a–z,
    /// 0–9 and `-`).
    pub fn measure_id_for(id: i64) -> String {
        format!("est-{id}")
    }

    /// The measure of the register this action becomes: in its district, starting on its
    /// due date (when the change is to be in place, so reports and waves before it are
    /// "before"), with the kind's category and targets, the register's default lag, and
    /// a title of the kind and the place (`place_name`; none: the whole district).
    pub fn to_measure(&self, place_name: Option<&str>) -> Measure {
        let a = &self.new;
        let place = place_name.unwrap_or("hela området");
        Measure {
            id: Action::measure_id_for(self.id),
            district: a.district.clone(),
            start: a.due,
            category: a.kind.measure_category().to_string(),
            title: format!("{}, {place} (EST-insats {})", a.kind.label(), self.id),
            lag_months: MEASURE_LAG_MONTHS,
            targets: a.kind.targets().iter().map(|t| t.to_string()).collect(),
            version: None,
        }
    }
}

/// Why a free-text field of an action was refused, in Swedish, naming the field.
fn text_fault(field: &str, fault: &DescriptionFault) -> String {
    match fault {
        DescriptionFault::TooLong { chars, max } => {
            format!("{field} är {chars} tecken, högst {max} får plats.")
        }
        DescriptionFault::ControlCharacter => format!("{field} innehåller osynliga styrtecken."),
        DescriptionFault::Personal(kind) => format!(
            "{field} innehåller {}; skriv om platsen och insatsen, inte om personer.",
            kind.sv()
        ),
    }
}

/// Checks the owner organisation: 1–[`MAX_OWNER_CHARS`] characters, no personal data.
pub fn check_owner(owner: &str) -> Result<String, String> {
    let owner = owner.trim();
    let chars = owner.chars().count();
    if chars == 0 || chars > MAX_OWNER_CHARS {
        return Err(format!(
            "Ansvarig organisation: 1–{MAX_OWNER_CHARS} tecken (nu {chars})."
        ));
    }
    if owner.contains(['\n', '\r']) {
        return Err("Ansvarig organisation får inte ha radbrytningar.".into());
    }
    check_description(owner).map_err(|f| text_fault("Ansvarig organisation", &f))?;
    Ok(owner.to_string())
}

/// Checks a follow-up note (empty: none), guarded like a report's description.
pub fn check_note(note: &str) -> Result<Option<String>, String> {
    let note = note.trim();
    if note.is_empty() {
        return Ok(None);
    }
    check_description(note).map_err(|f| text_fault("Uppföljningen", &f))?;
    Ok(Some(note.to_string()))
}

/// Accepted reports counted in [`REPORT_WEEKS`] periods of seven days before a start day
/// and as many from it: `before[0]` is the seven days just before the start, `after[0]`
/// the start day and the six after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportWindow {
    pub start: NaiveDate,
    pub before: Vec<i64>,
    pub after: Vec<i64>,
}

impl ReportWindow {
    /// The first and the last day counted.
    pub fn span(start: NaiveDate) -> (NaiveDate, NaiveDate) {
        let days = chrono::Duration::days(7 * REPORT_WEEKS);
        let one = chrono::Duration::days(1);
        (
            start.checked_sub_signed(days).unwrap_or(NaiveDate::MIN),
            (start.checked_add_signed(days - one)).unwrap_or(NaiveDate::MAX),
        )
    }

    /// The window from counts per day; days outside it are left out.
    pub fn count(start: NaiveDate, days: &[(NaiveDate, i64)]) -> ReportWindow {
        let n = REPORT_WEEKS as usize;
        let mut w = ReportWindow {
            start,
            before: vec![0; n],
            after: vec![0; n],
        };
        for (day, count) in days {
            let offset = (*day - start).num_days();
            let (side, i) = if offset < 0 {
                (&mut w.before, (-offset - 1) / 7)
            } else {
                (&mut w.after, offset / 7)
            };
            if let Some(slot) = side.get_mut(i as usize) {
                *slot += count;
            }
        }
        w
    }

    /// The first and last day of period `i` (0-based) before the start, or after.
    pub fn period(&self, i: usize, after: bool) -> (NaiveDate, NaiveDate) {
        let i = i as i64;
        if after {
            let first = self.start + chrono::Duration::days(7 * i);
            (first, first + chrono::Duration::days(6))
        } else {
            let last = self.start - chrono::Duration::days(7 * i + 1);
            (last - chrono::Duration::days(6), last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_and_presence_needs_who() {
        for code in ActionKind::CODES {
            let who = (code == "narvaro").then_some("polis");
            let k = ActionKind::from_codes(code, who).unwrap();
            assert_eq!(k.code(), code);
            assert!(!k.targets().is_empty());
        }
        assert_eq!(
            ActionKind::from_codes("narvaro", None),
            Err(KindFault::PresenceWithoutWho)
        );
        assert_eq!(
            ActionKind::from_codes("belysning", Some("polis")),
            Err(KindFault::WhoWithoutPresence)
        );
        assert_eq!(
            ActionKind::from_codes("lampor", None),
            Err(KindFault::UnknownKind)
        );
        for p in Presence::ALL {
            assert_eq!(Presence::from_code(p.code()), Some(p));
        }
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn the_window_counts_seven_day_periods_around_the_start() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let d = |n: i64| start + chrono::Duration::days(n);
        let w = ReportWindow::count(
            start,
            &[
                (d(-85), 9),
                (d(-84), 1),
                (d(-1), 2),
                (d(0), 3),
                (d(83), 4),
                (d(84), 9),
            ],
        );
        assert_eq!(w.before[0], 2);
        assert_eq!(w.before[11], 1);
        assert_eq!(w.after[0], 3);
        assert_eq!(w.after[11], 4);
        assert_eq!(
            w.before.iter().sum::<i64>() + w.after.iter().sum::<i64>(),
            10
        );
        assert_eq!(ReportWindow::span(start), (d(-84), d(83)));
        assert_eq!(w.period(0, false), (d(-7), d(-1)));
        assert_eq!(w.period(11, true), (d(77), d(83)));
    }

    #[test]
    fn owner_and_note_are_guarded() {
        assert!(check_owner("Stångåstaden").is_ok());
        assert!(check_owner("").is_err());
        assert!(check_owner(&"x".repeat(101)).is_err());
        assert!(check_note("Ring 070-123 45 67").is_err());
        assert!(
            check_note("Kontakt 19811218-9876")
                .unwrap_err()
                .contains("personnummer")
        );
        assert_eq!(check_note("  ").unwrap(), None);
    }
}
