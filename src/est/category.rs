//! The fixed vocabularies of an incident report: its category, the part of the day it
//! happened in, its review status and where it came from. Each is a closed enum with the
//! code stored in the database and used in files and addresses, and a Swedish label.
//!
//! | code | label | what it covers |
//! |---|---|---|
//! | `klotter` | Klotter | graffiti, tags (damage) |
//! | `glaskross` | Glaskross | broken glass: windows, shelters, lamps (damage) |
//! | `brand` | Brand | arson, set fires, burnt bins or cars (damage) |
//! | `nedskrapning` | Nedskräpning | litter, dumped rubbish |
//! | `belysning` | Belysning | broken or missing lighting |
//! | `grupp` | Grupp som skapar otrygghet | groups creating insecurity |
//! | `ordningsstorning` | Ordningsstörning | disorder, noise, fights |
//! | `narkotika` | Narkotika | drug dealing or use observed |
//! | `hot_vald` | Hot eller våld | threats or violence observed |
//! | `otrygg_plats` | Otrygg plats | an unsafe place: poor overview, overgrown vegetation |
//! | `ovrigt` | Övrigt | anything else |

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Klotter,
    Glaskross,
    Brand,
    Nedskrapning,
    Belysning,
    Grupp,
    Ordningsstorning,
    Narkotika,
    HotVald,
    OtryggPlats,
    Ovrigt,
}

impl Category {
    /// Every category, in the order forms and tables list them.
    pub const ALL: [Category; 11] = [
        Category::Klotter,
        Category::Glaskross,
        Category::Brand,
        Category::Nedskrapning,
        Category::Belysning,
        Category::Grupp,
        Category::Ordningsstorning,
        Category::Narkotika,
        Category::HotVald,
        Category::OtryggPlats,
        Category::Ovrigt,
    ];

    /// The code stored and written in files.
    pub fn code(self) -> &'static str {
        match self {
            Category::Klotter => "klotter",
            Category::Glaskross => "glaskross",
            Category::Brand => "brand",
            Category::Nedskrapning => "nedskrapning",
            Category::Belysning => "belysning",
            Category::Grupp => "grupp",
            Category::Ordningsstorning => "ordningsstorning",
            Category::Narkotika => "narkotika",
            Category::HotVald => "hot_vald",
            Category::OtryggPlats => "otrygg_plats",
            Category::Ovrigt => "ovrigt",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The Swedish label.
    pub fn label(self) -> &'static str {
        match self {
            Category::Klotter => "Klotter",
            Category::Glaskross => "Glaskross",
            Category::Brand => "Brand",
            Category::Nedskrapning => "Nedskräpning",
            Category::Belysning => "Belysning",
            Category::Grupp => "Grupp som skapar otrygghet",
            Category::Ordningsstorning => "Ordningsstörning",
            Category::Narkotika => "Narkotika",
            Category::HotVald => "Hot eller våld",
            Category::OtryggPlats => "Otrygg plats",
            Category::Ovrigt => "Övrigt",
        }
    }

    /// The Swedish description a reporter sees beside the label.
    pub fn description(self) -> &'static str {
        match self {
            Category::Klotter => "Klotter eller taggar på väggar, skyltar, busskur eller liknande.",
            Category::Glaskross => "Krossat glas: fönster, busskurar, lampor.",
            Category::Brand => {
                "Anlagd brand eller brandskada, till exempel i soptunna, container eller bil."
            }
            Category::Nedskrapning => "Skräp, nedskräpning eller dumpade sopor.",
            Category::Belysning => "Trasig eller saknad belysning.",
            Category::Grupp => "Grupper som samlas och skapar otrygghet.",
            Category::Ordningsstorning => "Bråk, oväsen eller annan störning av ordningen.",
            Category::Narkotika => "Iakttagen narkotikaförsäljning eller narkotikabruk.",
            Category::HotVald => "Iakttaget hot eller våld.",
            Category::OtryggPlats => {
                "En plats som känns otrygg: dålig överblick, tät växtlighet, skymda hörn."
            }
            Category::Ovrigt => "Något annat som påverkar tryggheten.",
        }
    }

    /// Whether the category is damage (skadegörelse): graffiti, broken glass, fire.
    pub fn is_damage(self) -> bool {
        matches!(
            self,
            Category::Klotter | Category::Glaskross | Category::Brand
        )
    }
}

/// The part of the day an incident happened in: the only time a report keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartOfDay {
    Morning,
    Day,
    Evening,
    Night,
}

impl PartOfDay {
    pub const ALL: [PartOfDay; 4] = [
        PartOfDay::Morning,
        PartOfDay::Day,
        PartOfDay::Evening,
        PartOfDay::Night,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PartOfDay::Morning => "morgon",
            PartOfDay::Day => "dag",
            PartOfDay::Evening => "kvall",
            PartOfDay::Night => "natt",
        }
    }

    pub fn from_code(code: &str) -> Option<PartOfDay> {
        PartOfDay::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            PartOfDay::Morning => "Morgon (06–09)",
            PartOfDay::Day => "Dag (09–18)",
            PartOfDay::Evening => "Kväll (18–24)",
            PartOfDay::Night => "Natt (00–06)",
        }
    }
}

/// Where a report is in review: new until a coordinator accepts, rejects or merges it
/// into another report. Only accepted reports count in the week's picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    New,
    Accepted,
    Rejected,
    Merged,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [
        ReportStatus::New,
        ReportStatus::Accepted,
        ReportStatus::Rejected,
        ReportStatus::Merged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::New => "new",
            ReportStatus::Accepted => "accepted",
            ReportStatus::Rejected => "rejected",
            ReportStatus::Merged => "merged",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// How a report arrived: a reporter's form, or a CSV import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Web,
    Import,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::Import => "import",
        }
    }

    pub fn from_code(code: &str) -> Option<Source> {
        [Source::Web, Source::Import]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_are_distinct() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
            assert!(!c.label().is_empty() && !c.description().is_empty());
        }
        let mut codes: Vec<_> = Category::ALL.iter().map(|c| c.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Category::ALL.len());
        for p in PartOfDay::ALL {
            assert_eq!(PartOfDay::from_code(p.code()), Some(p));
        }
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(Category::from_code("Klotter"), None);
        assert_eq!(Source::from_code("import"), Some(Source::Import));
    }
}
