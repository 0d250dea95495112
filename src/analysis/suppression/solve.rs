//! Deciding what to hide: each hidden cell checked until it is wide enough, the cell hidden
//! for it chosen by the relation that pins it, and the rows that are hidden in the end.

use super::interval::TOLERANCE;
use super::table::Table;

/// How a hidden cell stands.
enum Exposure {
    /// Its interval is wide enough.
    Safe,
    /// One relation alone pins it; the relations that bound it, the narrowest first.
    Alone(Vec<usize>),
    /// Each relation alone leaves it wide, but together they do not.
    Jointly,
}

impl Table {
    /// Whether cell `j` of layer `l` is exposed, and by what.
    fn exposure(&self, l: usize, j: usize) -> Exposure {
        let width = self.layers[l].width - TOLERANCE;
        let mut bounding: Vec<(f64, usize)> = self.equations[l]
            .iter()
            .filter(|(_, eq)| eq.iter().any(|&(c, _)| c == j))
            .map(|(r, eq)| (self.single_width(l, eq, j), *r))
            .collect();
        bounding.sort_by(|a, b| a.0.total_cmp(&b.0));
        if bounding.first().is_some_and(|b| b.0 < width) {
            Exposure::Alone(bounding.into_iter().map(|(_, r)| r).collect())
        } else if self.joint(l, j) < width {
            Exposure::Jointly
        } else {
            Exposure::Safe
        }
    }

    /// Published cells of a layer, smallest n first (ties: smallest weight), among `cells`.
    fn smallest_first(&self, l: usize, cells: impl Iterator<Item = usize>) -> Vec<usize> {
        let layer = &self.layers[l];
        let mut out: Vec<usize> = cells
            .filter(|&c| !self.hidden[c] && layer.w[c] > 0.0)
            .collect();
        out.sort_by(|&a, &b| {
            (layer.n[a], layer.w[a])
                .partial_cmp(&(layer.n[b], layer.w[b]))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        out.dedup();
        out
    }

    /// The cell to hide for exposed cell `j`. When one relation alone pins it: that
    /// relation's published part with the smallest n (or, with none left, its total). When
    /// only the relations together do: the smallest published cell near `j` (in a relation
    /// with `j` or with a hidden cell that shares one with `j`) that is enough alone, else
    /// the one that widens `j` most.
    fn cell_to_hide(&mut self, l: usize, j: usize, exposure: &Exposure) -> Option<usize> {
        match exposure {
            Exposure::Safe => None,
            Exposure::Alone(relations) => relations.iter().find_map(|&r| {
                let rel = &self.relations[r];
                self.smallest_first(l, rel[1..].iter().copied())
                    .into_iter()
                    .next()
                    .or_else(|| self.smallest_first(l, std::iter::once(rel[0])).pop())
            }),
            Exposure::Jointly => {
                let near: Vec<usize> = {
                    let with_j = |c: usize| self.relations.iter().filter(move |r| r.contains(&c));
                    let hidden: Vec<usize> = with_j(j)
                        .flatten()
                        .copied()
                        .filter(|&c| self.hidden[c])
                        .collect();
                    let mut cells: Vec<usize> = hidden
                        .iter()
                        .flat_map(|&h| with_j(h).flatten().copied())
                        .collect();
                    cells.sort_unstable();
                    cells.dedup();
                    self.smallest_first(l, cells.into_iter())
                };
                let width = self.layers[l].width - TOLERANCE;
                let mut best: Option<(f64, usize)> = None;
                for c in near {
                    self.hidden[c] = true;
                    let w = self.joint(l, j);
                    self.hidden[c] = false;
                    if w >= width {
                        return Some(c);
                    }
                    if best.is_none_or(|b| w > b.0 + TOLERANCE) {
                        best = Some((w, c));
                    }
                }
                best.map(|b| b.1)
            }
        }
    }

    /// Hides cells until every protected cell of every layer is wide enough.
    pub(super) fn solve(&mut self) {
        let cells = self.domains * self.groups;
        // Smallest n first: the cells most at risk are settled before those hidden for them.
        let n_of = |t: &Table, c: usize| {
            t.layers
                .iter()
                .map(|l| l.n[c])
                .fold(f64::INFINITY, f64::min)
        };
        let mut queue: Vec<usize> = (0..cells).filter(|&c| self.hidden[c]).collect();
        queue.sort_by(|&a, &b| n_of(self, a).total_cmp(&n_of(self, b)));
        let mut next = 0;
        while next < queue.len() {
            let j = queue[next];
            next += 1;
            for l in 0..self.layers.len() {
                if !self.protected(l, j) {
                    continue;
                }
                loop {
                    let exposure = self.exposure(l, j);
                    if let Exposure::Safe = exposure {
                        break;
                    }
                    let Some(c) = self.cell_to_hide(l, j, &exposure) else {
                        // Everything around it is hidden already: nothing more can be done.
                        break;
                    };
                    self.hidden[c] = true;
                    queue.push(c);
                }
            }
        }
    }

    /// The rows to hide now, one list per cell: every row of a cell this pass hid, and the
    /// rows of a hidden cell that are still published (a mean beside a suppressed share).
    pub(super) fn secondary_rows(&self) -> Vec<Vec<usize>> {
        (0..self.domains * self.groups)
            .filter(|&c| self.hidden[c] && !self.unknown[c])
            .map(|c| {
                self.layers
                    .iter()
                    .filter(|l| !l.suppressed[c])
                    .filter_map(|l| l.rows[c])
                    .collect::<Vec<_>>()
            })
            .filter(|rows| !rows.is_empty())
            .collect()
    }
}
