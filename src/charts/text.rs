//! Fitting a chart's own texts — its title, the notes under it and the source line — into
//! the canvas: each is broken into lines at spaces by its measured width in the embedded
//! font, and a word too long for a line makes the text smaller. Nothing is ever drawn past
//! the right edge, in SVG or PNG alike (both measure with the same font).

use plotters::style::{FontDesc, IntoFont};

/// Room kept free at each side of a line, in pixels.
pub const MARGIN: i32 = 12;
/// The smallest size a text shrinks to before a word is broken.
const MIN_SIZE: i32 = 10;

/// A text's width in pixels at `size`.
pub fn width(text: &str, size: i32) -> i32 {
    let font: FontDesc = ("sans-serif", size).into_font();
    font.box_size(text).map_or(0, |(w, _)| w as i32)
}

/// `text` broken into lines no wider than `room` at `size`, or at a smaller size when a
/// single word does not fit; the size used and the lines.
pub fn wrap(text: &str, size: i32, room: i32) -> (i32, Vec<String>) {
    let mut size = size;
    loop {
        let too_wide = text.split(' ').any(|w| width(w, size) > room);
        if !too_wide || size <= MIN_SIZE {
            break;
        }
        size -= 1;
    }
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if width(&format!("{line} {word}"), size) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(break_word(word, size, room)),
        }
    }
    (size, lines)
}

/// A word wider than the room even at the smallest size is cut with an ellipsis, so the
/// line still ends inside the canvas (its full text is in the chart's text alternative).
fn break_word(word: &str, size: i32, room: i32) -> String {
    if width(word, size) <= room {
        return word.to_string();
    }
    let mut cut: String = word.to_string();
    while !cut.is_empty() && width(&format!("{cut}…"), size) > room {
        cut.pop();
    }
    format!("{cut}…")
}

/// One line of a chart's texts: what, where (top left) and how big.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub x: i32,
    pub y: i32,
    pub size: i32,
    /// Drawn in grey (the source line).
    pub muted: bool,
}

/// The footer of a chart — its notes (14 px) and source (12 px) — laid out in lines that fit
/// `canvas_width`, from the top of the footer.
pub fn footer(notes: &[String], source: &str, canvas_width: i32) -> Vec<Line> {
    let room = canvas_width - 2 * MARGIN;
    let mut out = Vec::new();
    let mut y = 4;
    let texts = notes.iter().map(|n| (n.as_str(), 14, false));
    for (text, size, muted) in texts.chain([(source, 12, true)]) {
        let (size, lines) = wrap(text, size, room);
        for l in lines {
            out.push(Line {
                text: l,
                x: MARGIN,
                y,
                size,
                muted,
            });
            y += size + 6;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_swedish_texts_are_broken_into_lines_that_fit_and_say_everything() {
        let note = "Skillnad-i-skillnader: −16,8 procentenheter (95 % KI −24,1 till −9,5), p < 0,001, q = 0,003 – säkerställd. Jämförelse: Ryd, Berga och City, före 2020 och efter 2022.".to_string();
        let source = "trygg, lokal trygghetsundersökning i Skäggetorp, Ryd, Berga och City 2019–2026, n = 13 973 svar varav 2 144 på papper".to_string();
        let lines = footer(std::slice::from_ref(&note), &source, 800);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(l.x + width(&l.text, l.size) <= 800 - MARGIN, "{l:?}");
        }
        let said: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(said.join(" "), format!("{note} {source}"));
        assert!(lines.last().unwrap().muted && !lines[0].muted);
    }

    #[test]
    fn a_word_too_long_for_the_canvas_shrinks_then_ends_in_an_ellipsis() {
        let long = "Trygghetsundersökningsresultatsammanställningsdiagrammet".repeat(3);
        let (size, lines) = wrap(&long, 20, 300);
        assert_eq!(size, MIN_SIZE);
        assert!(lines[0].ends_with('…'));
        assert!(width(&lines[0], size) <= 300);
    }
}
