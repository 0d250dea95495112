//! Letter codes: random, typed by hand, stored only as a keyed hash.
//!
//! A code is 12 symbols of Crockford's base 32 (digits and capitals without I, L, O, U),
//! 60 random bits from the operating system, printed in groups: `K7QF-M2XD-9PTA`. Typing is
//! forgiving: case, spaces and dashes are ignored, and O/I/L are read as 0/1/1.
//!
//! The database holds only HMAC-SHA256(key, code). The key is a file outside the database
//! (`--code-key`, default `trygg-codes.key`, created with mode 0600 — and a missing folder
//! for it with 0700 — on the first sample), so
//! a copy of the database alone cannot even confirm a guessed code. Lose the key and the
//! codes of open waves stop working; keep it with the server's secrets, not with backups
//! of the database.

use std::fmt;
use std::path::Path;

use hmac::{KeyInit, Mac};

/// Crockford's base-32 alphabet: no I, L, O or U to mistake for 1, 1, 0 or V.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a code: 12 × 5 = 60 random bits.
pub const CODE_SYMBOLS: usize = 12;
/// Bytes of the hash key.
const KEY_BYTES: usize = 32;

/// A letter code in its canonical form (12 symbols, no dashes).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Code(String);

impl Code {
    /// A new code from the operating system's random source.
    pub fn random() -> Result<Code, String> {
        let mut bytes = [0u8; CODE_SYMBOLS];
        getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
        // Each byte contributes its low 5 bits: 256 is a multiple of 32, so uniform.
        Ok(Code(
            bytes
                .iter()
                .map(|b| ALPHABET[(b & 31) as usize] as char)
                .collect(),
        ))
    }

    /// Reads a code as a resident types it; `None` when it cannot be a code.
    pub fn parse(typed: &str) -> Option<Code> {
        let mut out = String::with_capacity(CODE_SYMBOLS);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\u{2010}'..='\u{2015}' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c if ALPHABET.contains(&(c as u32 as u8)) && c.is_ascii() => c,
                _ => return None,
            };
            out.push(c);
            if out.len() > CODE_SYMBOLS {
                return None;
            }
        }
        (out.len() == CODE_SYMBOLS).then_some(Code(out))
    }

    /// The printed form, in groups of four: `K7QF-M2XD-9PTA`.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("ASCII"))
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The canonical form, as used in `/k/<code>` links.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl fmt::Debug for Code {
    // A code is a secret of its resident: never in a log line in full.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({}…)", &self.0[..2])
    }
}

/// The secret key codes are hashed with.
#[derive(Clone)]
pub struct CodeKey([u8; KEY_BYTES]);

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeKey(…)")
    }
}

impl CodeKey {
    /// Reads the key file (64 hex digits).
    pub fn load(path: &Path) -> Result<CodeKey, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("the code key {}: {e}", path.display()))?;
        let hex = text.trim();
        if hex.len() != KEY_BYTES * 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "the code key {} is not {} hex digits",
                path.display(),
                KEY_BYTES * 2
            ));
        }
        let mut key = [0u8; KEY_BYTES];
        for (i, k) in key.iter_mut().enumerate() {
            *k = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex checked");
        }
        Ok(CodeKey(key))
    }

    /// Reads the key file, creating it (mode 0600) with a new random key when missing.
    pub fn load_or_create(path: &Path) -> Result<CodeKey, String> {
        if path.exists() {
            return Self::load(path);
        }
        let mut key = [0u8; KEY_BYTES];
        getrandom::fill(&mut key).map_err(|e| format!("no random source: {e}"))?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        use std::io::Write;
        // A folder named for the key that does not exist yet is made for its owner only;
        // one that exists is the administrator's choice and left as it is.
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            crate::files::create_dir_all(dir).map_err(|e| {
                format!("creating the folder of the code key {}: {e}", dir.display())
            })?;
        }
        let mut f = crate::files::create_new(path)
            .map_err(|e| format!("creating the code key {}: {e}", path.display()))?;
        f.write_all(format!("{hex}\n").as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| format!("writing the code key {}: {e}", path.display()))?;
        Ok(CodeKey(key))
    }

    /// HMAC-SHA256 of the canonical code: what the database stores.
    pub fn hash(&self, code: &Code) -> Vec<u8> {
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(code.0.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The key of the code's draft: HMAC-SHA256 over a label and the code, so it never
    /// equals the code's own hash and the `drafts` and `codes` tables share no value.
    pub fn draft_key(&self, code: &Code) -> crate::store::DraftKey {
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(DRAFT_LABEL);
        mac.update(code.0.as_bytes());
        crate::store::DraftKey::from_hash(mac.finalize().into_bytes().to_vec())
    }
}

/// What sets a draft's key apart from its code's hash.
const DRAFT_LABEL: &[u8] = b"trygg draft\0";

/// The secret of an open-link resident's resume link (`/s/<district>/<year>/u/<token>`):
/// 26 symbols of Crockford's base 32, 130 random bits; the database keeps only its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct ResumeToken(String);

/// Symbols in a resume token.
const TOKEN_SYMBOLS: usize = 26;

impl ResumeToken {
    pub fn random() -> Result<ResumeToken, String> {
        let mut bytes = [0u8; TOKEN_SYMBOLS];
        getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
        Ok(ResumeToken(
            bytes
                .iter()
                .map(|b| ALPHABET[(b & 31) as usize] as char)
                .collect(),
        ))
    }

    /// A token from a link; `None` when it cannot be one.
    pub fn parse(s: &str) -> Option<ResumeToken> {
        (s.len() == TOKEN_SYMBOLS && s.bytes().all(|b| ALPHABET.contains(&b)))
            .then(|| ResumeToken(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key its draft is kept under.
    pub fn draft_key(&self) -> crate::store::DraftKey {
        use sha2::Digest;
        crate::store::DraftKey::from_hash(sha2::Sha256::digest(self.0.as_bytes()).to_vec())
    }
}

impl fmt::Debug for ResumeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResumeToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typed_forgivingly_and_printed_in_groups() {
        let c = Code::parse("k7qf m2xd-9pta").unwrap();
        assert_eq!(c.grouped(), "K7QF-M2XD-9PTA");
        assert_eq!(Code::parse("K7QF-M2XD-9PTA"), Some(c.clone()));
        assert_eq!(
            Code::parse("OIL0-0000-0000").unwrap().as_str(),
            "011000000000"
        );
        for bad in [
            "",
            "K7QF-M2XD-9PT",
            "K7QF-M2XD-9PTAA",
            "K7QF-M2XD-9PTU",
            "K7QF/M2XD/9PTA",
            "Å7QF-M2XD-9PTA",
        ] {
            assert_eq!(Code::parse(bad), None, "{bad}");
        }
        assert!(!format!("{c:?}").contains("M2XD"), "codes never in logs");
    }

    #[test]
    fn random_codes_use_the_whole_alphabet_evenly() {
        let mut counts = [0usize; 32];
        let n = 4000;
        for _ in 0..n {
            let c = Code::random().unwrap();
            assert_eq!(Code::parse(&c.grouped()), Some(c.clone()));
            for b in c.as_str().bytes() {
                counts[ALPHABET.iter().position(|&a| a == b).unwrap()] += 1;
            }
        }
        // Chi-square with 31 degrees of freedom; 61.1 is its 0.999 quantile.
        let expected = (n * CODE_SYMBOLS) as f64 / 32.0;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 61.1, "chi-square {chi2}");
    }

    #[test]
    fn the_hash_depends_on_the_key_and_the_key_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let a = CodeKey::load_or_create(&path).unwrap();
        let again = CodeKey::load_or_create(&path).unwrap();
        let other = CodeKey::load_or_create(&dir.path().join("k2")).unwrap();
        let code = Code::parse("K7QF-M2XD-9PTA").unwrap();
        assert_eq!(a.hash(&code), again.hash(&code));
        assert_ne!(a.hash(&code), other.hash(&code));
        assert_eq!(a.hash(&code).len(), 32);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(&path, "not a key").unwrap();
        assert!(CodeKey::load(&path).unwrap_err().contains("hex digits"));
    }
}
