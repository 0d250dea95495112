//! The report's index of the results table — a row by year, domain, group and indicator,
//! and where each year's point is drawn — and the names readers see.

use std::collections::HashMap;

use chrono::Datelike;

use crate::analysis::{Analysis, Domain, Group, IndexName, IndicatorKey, Kind, ResultRow};

/// Index of the results table by (year, domain, group, indicator, kind), and when each
/// district's wave of a year was in the field.
pub struct Lookup<'a> {
    rows: HashMap<(i32, &'a Domain, &'a Group, &'a IndicatorKey, Kind), &'a ResultRow>,
    fieldwork: HashMap<(i32, &'a str), f64>,
}

impl<'a> Lookup<'a> {
    pub fn new(a: &'a Analysis) -> Self {
        Lookup {
            rows: a
                .results
                .iter()
                .map(|r| ((r.year, &r.district, &r.group, &r.indicator, r.kind), r))
                .collect(),
            fieldwork: a
                .waves
                .iter()
                .map(|w| {
                    let middle = (date_x(w.opens_on) + date_x(w.closes_on)) / 2.0;
                    ((w.year, w.district.as_str()), middle)
                })
                .collect(),
        }
    }

    /// Where a year's point of some districts is drawn: the middle of their fieldwork
    /// (averaged over the districts), or the middle of the year when none was in the field.
    pub fn fieldwork_x<'d>(&self, year: i32, districts: impl IntoIterator<Item = &'d str>) -> f64 {
        let mut xs: Vec<f64> = districts
            .into_iter()
            .filter_map(|d| self.fieldwork.get(&(year, d)).copied())
            .collect();
        // Summed in one order, so the same data draws the same file.
        xs.sort_by(f64::total_cmp);
        if xs.is_empty() {
            f64::from(year) + 0.5
        } else {
            xs.iter().sum::<f64>() / xs.len() as f64
        }
    }

    /// Where a domain's point of a year is drawn (the municipality: all its districts).
    pub fn domain_x(&self, year: i32, domain: &Domain) -> f64 {
        match domain {
            Domain::District(d) => self.fieldwork_x(year, [d.as_str()]),
            Domain::Municipality => {
                let all: Vec<&str> = self
                    .fieldwork
                    .keys()
                    .filter(|(y, _)| *y == year)
                    .map(|(_, d)| *d)
                    .collect();
                self.fieldwork_x(year, all)
            }
        }
    }

    /// The row of all respondents of a domain.
    pub fn get(
        &self,
        year: i32,
        domain: &Domain,
        indicator: &IndicatorKey,
        kind: Kind,
    ) -> Option<&'a ResultRow> {
        self.get_in(year, domain, &Group::All, indicator, kind)
    }

    /// The row of one group of respondents of a domain.
    pub fn get_in(
        &self,
        year: i32,
        domain: &Domain,
        group: &Group,
        indicator: &IndicatorKey,
        kind: Kind,
    ) -> Option<&'a ResultRow> {
        self.rows
            .get(&(year, domain, group, indicator, kind))
            .copied()
    }

    /// A question's share in a domain.
    pub fn share(&self, year: i32, domain: &Domain, code: &str) -> Option<&'a ResultRow> {
        self.get(
            year,
            domain,
            &IndicatorKey::Question(code.to_string()),
            Kind::Share,
        )
    }

    /// An index's value in a domain.
    pub fn index(&self, year: i32, domain: &Domain, index: &IndexName) -> Option<&'a ResultRow> {
        self.get(
            year,
            domain,
            &IndicatorKey::Index(index.clone()),
            Kind::Index,
        )
    }
}

/// The names readers see.
pub struct Names<'a> {
    pub district: &'a dyn Fn(&str) -> String,
    pub indicator: &'a dyn Fn(&str) -> String,
}

/// What the report calls the municipality.
pub const MUNICIPALITY_NAME: &str = "Alla områden";

impl Names<'_> {
    /// A district's name, or the municipality's.
    pub fn domain(&self, d: &Domain) -> String {
        match d {
            Domain::District(code) => (self.district)(code),
            Domain::Municipality => MUNICIPALITY_NAME.into(),
        }
    }

    /// A question's indicator label, or an index's code.
    pub fn key(&self, k: &IndicatorKey) -> String {
        match k {
            IndicatorKey::Question(code) => (self.indicator)(code),
            IndicatorKey::Index(i) => i.to_string(),
        }
    }
}

/// A date as a fractional year on the x axis.
pub fn date_x(d: chrono::NaiveDate) -> f64 {
    f64::from(d.year()) + f64::from(d.ordinal0()) / 365.0
}
