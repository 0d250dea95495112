//! A staff role: what an account may see and do. Storage keeps it, the web checks it, the
//! pages show it — so it lives below all of them.

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Waves, questionnaires, sample and codes, paper import, users.
    Admin,
    /// Results, measures, reports (optionally limited to some districts).
    Analyst,
    /// Published results and reports only.
    Reader,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "analyst" => Some(Role::Analyst),
            "reader" => Some(Role::Reader),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Reader => "reader",
        }
    }

    pub const ALL: [Role; 3] = [Role::Admin, Role::Analyst, Role::Reader];
}
