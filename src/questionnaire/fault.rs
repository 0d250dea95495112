//! One thing wrong with a questionnaire or districts file, at a line: what `trygg check`
//! prints as `file:line: message`.

use std::fmt;

/// One thing wrong with a file, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}
