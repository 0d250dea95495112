//! One thing wrong with a file of `surveys/`, at a line: what `trygg check` prints as
//! `file:line: message`; and reading such a file, whose failures are faults on line 1.

use std::fmt;
use std::path::Path;

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

/// Reads a file of `surveys/` as UTF-8 text of at most `max` bytes (`what` names the kind
/// of file in the refusal); every failure is a fault on line 1 of the file.
pub fn read_limited(path: &Path, max: u64, what: &str) -> Result<String, Vec<Fault>> {
    let fault = |message: String| {
        vec![Fault {
            file: path.display().to_string(),
            line: 1,
            message,
        }]
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fault(format!("cannot read: {e}")))?
        .len();
    if size > max {
        return Err(fault(format!(
            "the file is {size} bytes; {what} may be at most {max}"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fault(format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        fault(format!(
            "not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}
