//! A strict reader for `application/x-www-form-urlencoded` bodies, and the check that a
//! staff form posted only its own fields, each once.
//!
//! axum's `Form` extractor decodes invalid UTF-8 lossily and lets a later duplicate win;
//! a survey must instead refuse such a body and keep every field, so this reader returns
//! all fields in order and fails on bytes that are not UTF-8 after decoding.

use percent_encoding::percent_decode;

/// Why a body could not be read as form fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError(pub String);

/// Splits a urlencoded body into (name, value) pairs, in order, keeping duplicates.
pub fn parse(body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let mut fields = Vec::new();
    for piece in body.split(|&b| b == b'&') {
        if piece.is_empty() {
            continue;
        }
        let (name, value) = match piece.iter().position(|&b| b == b'=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, &b""[..]),
        };
        let name = decode(name)?;
        if name.is_empty() {
            return Err(FormError("a field has no name".into()));
        }
        fields.push((name, decode(value)?));
    }
    Ok(fields)
}

fn decode(raw: &[u8]) -> Result<String, FormError> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|_| FormError("the form is not valid UTF-8".into()))
}

/// The value of a parsed form's field, or `""` when it is missing.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Faults of a staff form itself, in Swedish: each field posted twice, and each one the
/// form does not have (`allowed`), named once.
pub fn form_faults(f: &[(String, String)], allowed: &[&str]) -> Vec<String> {
    let mut faults = Vec::new();
    let mut said: Vec<&str> = Vec::new();
    for (i, (name, _)) in f.iter().enumerate() {
        if said.contains(&name.as_str()) {
            continue;
        }
        if !allowed.contains(&name.as_str()) {
            faults.push(format!("Formuläret har inget fält som heter {name}."));
        } else if f[..i].iter().any(|(k, _)| k == name) {
            faults.push(format!("Fältet {name} skickades mer än en gång."));
        } else {
            continue;
        }
        said.push(name);
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded_in_order_with_duplicates_kept() {
        let f = parse(b"a=1&b=x+y&a=%C3%A5%C3%A4%C3%B6&c=").unwrap();
        assert_eq!(
            f,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("a".into(), "åäö".into()),
                ("c".into(), "".into())
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(parse(b"a=%FF%FE").is_err());
        assert!(parse(b"a=\xff").is_err());
    }

    #[test]
    fn a_field_without_a_name_is_refused() {
        assert!(parse(b"=x").is_err());
    }
}
