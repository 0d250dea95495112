//! Age groups without respondents merged into a neighbour before raking (METHODOLOGY §1:
//! 16–24 with 25–44, 65–84 with 45–64; a middle group with its neighbour that has more
//! respondents).

use super::margin::{AGE_DIMENSION, Categories, Margin, RakeError};

/// Merges every age group that has population but no respondents into its neighbour,
/// one at a time, rewriting the margins and the respondents' categories. Returns what was
/// merged, e.g. `65-84 → 45-64+65-84`; fails when no respondent gave an age group.
pub fn collapse_empty_age_groups<C: Categories>(
    cats: &mut [C],
    margins: &mut [Margin],
) -> Result<Vec<String>, RakeError> {
    let mut collapsed = Vec::new();
    let Some(d) = margins.iter().position(|m| m.dimension == AGE_DIMENSION) else {
        return Ok(collapsed);
    };
    loop {
        let m = &margins[d];
        let k = m.counts.len();
        let mut seen = vec![0usize; k];
        for c in cats.iter() {
            if let Some(i) = c.as_ref()[d] {
                seen[i] += 1;
            }
        }
        let Some(empty) = (0..k).find(|&i| seen[i] == 0 && m.counts[i] > 0.0) else {
            break;
        };
        if k == 1 {
            return Err(RakeError {
                dimension: m.dimension.clone(),
                category: m.categories[0].clone(),
                reason: "no respondent gave an age group, so no collapse can work".into(),
            });
        }
        let into = neighbour(&seen, empty);
        let (lo, hi) = (empty.min(into), empty.max(into));
        let name = format!("{}+{}", m.categories[lo], m.categories[hi]);
        collapsed.push(format!("{} → {name}", m.categories[empty]));
        let mut merged = m.clone();
        merged.counts[lo] += merged.counts[hi];
        merged.counts.remove(hi);
        merged.categories[lo] = name;
        merged.categories.remove(hi);
        margins[d] = merged;
        renumber(cats, d, lo, hi);
    }
    Ok(collapsed)
}

/// The group an empty group `empty` is merged into: the only neighbour at either end, else
/// the neighbour with more respondents (the younger one on a tie).
fn neighbour(seen: &[usize], empty: usize) -> usize {
    let k = seen.len();
    if empty == 0 {
        1
    } else if empty == k - 1 {
        k - 2
    } else if seen[empty + 1] > seen[empty - 1] {
        empty + 1
    } else {
        empty - 1
    }
}

/// Moves the respondents of category `hi` of dimension `d` into `lo` and closes the gap.
fn renumber<C: Categories>(cats: &mut [C], d: usize, lo: usize, hi: usize) {
    for c in cats.iter_mut() {
        let slot = &mut c.as_mut()[d];
        *slot = slot.map(|i| {
            if i >= hi {
                if i == hi { lo } else { i - 1 }
            } else {
                i
            }
        });
    }
}
