//! The public origin residents reach trygg at: posts from it are same-origin, and HSTS is
//! sent when it is `https`.

/// The scheme, host and port residents use to reach trygg, e.g. `https://trygg.linkoping.se`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin(String);

impl PublicOrigin {
    /// Parses `http(s)://host[:port]`, with nothing after the host (a trailing `/` is
    /// allowed and dropped).
    pub fn parse(s: &str) -> Result<PublicOrigin, String> {
        let t = s.trim().trim_end_matches('/').to_ascii_lowercase();
        let rest = t
            .strip_prefix("https://")
            .or_else(|| t.strip_prefix("http://"))
            .ok_or_else(|| format!("public origin \"{s}\" must start with https:// or http://"))?;
        let valid_host = !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
        if !valid_host {
            return Err(format!(
                "public origin \"{s}\" must be a scheme and host only, like https://trygg.example.se"
            ));
        }
        Ok(PublicOrigin(t))
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
