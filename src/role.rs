//! A staff role: what an account may see and do, and the districts an account or an API
//! key may be limited to. Storage keeps them, the web checks them, the pages show them — so
//! they live below all of them.

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Waves, questionnaires, sample and codes, paper import, users.
    Admin,
    /// Results, measures, reports (optionally limited to some districts).
    Analyst,
    /// Published results and reports only.
    Reader,
    /// A partner's member of staff (housing company, guards, field workers): files EST
    /// incident reports, sees its own, and reads the week's picture of its districts
    /// (optionally limited to some; unlimited, it reports in every district) — nothing of
    /// the survey beyond what is published.
    Reporter,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "analyst" => Some(Role::Analyst),
            "reader" => Some(Role::Reader),
            "reporter" => Some(Role::Reporter),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Reader => "reader",
            Role::Reporter => "reporter",
        }
    }

    pub const ALL: [Role; 4] = [Role::Admin, Role::Analyst, Role::Reader, Role::Reporter];

    /// The roles an API key may carry: a reporter's work is the form, not the API.
    pub const API: [Role; 3] = [Role::Admin, Role::Analyst, Role::Reader];

    /// Whether an account of this role may be limited to some districts.
    pub fn scopable(self) -> bool {
        matches!(self, Role::Analyst | Role::Reporter)
    }
}

/// Whether `district` (a code; `ALL`, the municipality's totals, is never one of them) is
/// within a scope of districts; no scope (`None`) is every district and the totals.
pub fn within(scope: Option<&[String]>, district: &str) -> bool {
    scope.is_none_or(|ds| ds.iter().any(|d| d == district))
}
