//! Colours as `#rrggbb` and their contrast by WCAG 2.1's relative luminance: the one
//! contrast function the site settings' check and the focus-ring test both use.

use std::fmt;

/// Smallest contrast for text (WCAG 2.1 AA, 1.4.3).
pub const TEXT_CONTRAST: f64 = 4.5;
/// Smallest contrast for a focus indicator against what it is drawn on (WCAG 2.1 AA, 1.4.11).
pub const NON_TEXT_CONTRAST: f64 = 3.0;

/// A colour of 8-bit sRGB channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub [u8; 3]);

impl Colour {
    pub const WHITE: Colour = Colour([255, 255, 255]);

    /// `#rrggbb` (either case); nothing else, so the value is safe to write into CSS.
    pub fn parse(s: &str) -> Option<Colour> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Colour([byte(0)?, byte(2)?, byte(4)?]))
    }

    /// WCAG 2.1 relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// The contrast ratio of two colours, 1 to 21, whichever is lighter.
pub fn contrast(a: Colour, b: Colour) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A ratio as people read it, cut (never rounded up) to two decimals: 4.497 is "4.49:1",
/// so a refused ratio never reads as the limit.
pub fn ratio_text(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ratios() {
        let black = Colour([0, 0, 0]);
        assert!((contrast(black, Colour::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(Colour::WHITE, Colour::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known 4.54:1.
        let grey = Colour::parse("#767676").unwrap();
        assert_eq!(ratio_text(contrast(grey, Colour::WHITE)), "4.54:1");
        assert_eq!(ratio_text(4.4999), "4.49:1");
    }

    #[test]
    fn only_six_digit_hex_is_a_colour() {
        assert_eq!(Colour::parse("#00558C"), Some(Colour([0, 0x55, 0x8c])));
        for bad in ["00558c", "#fff", "#00558g", "blue", "#00558c;}", ""] {
            assert_eq!(Colour::parse(bad), None, "{bad}");
        }
        assert_eq!(Colour([0, 0x55, 0x8c]).to_string(), "#00558c");
    }
}
