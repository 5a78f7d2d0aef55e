//! The counter hall's queue (docs/queue.md): the hall's layout (service
//! areas and the counters that call from them), a ticket's life
//! (waiting → called → done or no-show, with recalls in between) and the
//! waiting and service times the hall is judged by.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DomainError, FieldError};

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Taken at the kiosk, not called yet.
    Waiting,
    /// Called to a counter (and maybe recalled): being served.
    Called,
    /// Served.
    Done,
    /// Called but the citizen did not come (skipped).
    NoShow,
}

/// What a clerk does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketAction {
    /// Call it to a counter (the next in line).
    Call,
    /// Announce it again.
    Recall,
    /// The citizen was served.
    Finish,
    /// The citizen did not come.
    Skip,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 4] = [
        TicketStatus::Waiting,
        TicketStatus::Called,
        TicketStatus::Done,
        TicketStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Done => "done",
            TicketStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Result<TicketStatus, DomainError> {
        TicketStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "ticket status",
                value: s.to_string(),
            })
    }

    /// The status after `action`, or `None` when the action does not
    /// apply: only a waiting ticket is called, only a called one is
    /// recalled, finished or skipped, and a finished ticket stays as it is.
    pub fn after(self, action: TicketAction) -> Option<TicketStatus> {
        use TicketAction::*;
        use TicketStatus::*;
        match (self, action) {
            (Waiting, Call) => Some(Called),
            (Called, Recall) => Some(Called),
            (Called, Finish) => Some(Done),
            (Called, Skip) => Some(NoShow),
            _ => None,
        }
    }

    /// Served or given up on: nothing more happens to it.
    pub fn is_finished(self) -> bool {
        matches!(self, TicketStatus::Done | TicketStatus::NoShow)
    }
}

/// The number a ticket shows and the board announces: the area's letter
/// and the day's number, three digits at least (`A-023`).
pub fn ticket_label(area: &str, number: i32) -> String {
    format!("{area}-{number:03}")
}

/// The most areas and counters a hall has.
pub const MAX_AREAS: usize = 26;
pub const MAX_COUNTERS: usize = 99;
/// The most fields one area serves.
pub const MAX_AREA_FIELDS: usize = 50;

/// A service area of the hall as an administrator enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// One capital letter A to Z: the prefix of its tickets.
    #[schema(example = "A", min_length = 1, max_length = 1)]
    pub letter: String,
    #[schema(example = "Tư pháp - Hộ tịch", min_length = 1, max_length = 200)]
    pub name: String,
    /// The catalogue's fields (lĩnh vực) served here: a kiosk asking for a
    /// field or a procedure of one of them gets a ticket of this area. A
    /// field belongs to one area at most.
    #[schema(example = json!(["Hộ tịch"]), max_items = 50)]
    #[serde(default)]
    pub fields: Vec<String>,
}

/// A counter (quầy) of the hall as an administrator enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Counter {
    /// 1 to 99, as painted above the counter.
    #[schema(example = 1, minimum = 1, maximum = 99)]
    pub number: i32,
    #[schema(example = "Quầy 1", min_length = 1, max_length = 100)]
    pub name: String,
    /// The letters of the areas whose tickets it calls.
    #[schema(example = json!(["A"]), min_items = 1, max_items = 26)]
    pub areas: Vec<String>,
}

/// The hall of an agency's desk: its areas and counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hall {
    /// In the order the kiosk shows them.
    #[schema(max_items = 26)]
    pub areas: Vec<Area>,
    #[schema(max_items = 99)]
    pub counters: Vec<Counter>,
}

fn is_letter(s: &str) -> bool {
    s.len() == 1 && s.bytes().all(|b| b.is_ascii_uppercase())
}

impl Hall {
    /// Trims the names and checks the whole layout, every problem named
    /// by its path (`areas[1].letter`, `counters[0].areas[2]`).
    pub fn checked(mut self) -> Result<Hall, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.areas.len() > MAX_AREAS {
            errors.push(FieldError::new("areas", "at most 26 areas"));
        }
        if self.counters.len() > MAX_COUNTERS {
            errors.push(FieldError::new("counters", "at most 99 counters"));
        }
        let mut letters = BTreeSet::new();
        let mut fields = BTreeSet::new();
        for (i, a) in self.areas.iter_mut().enumerate() {
            a.name = a.name.trim().to_string();
            if !is_letter(&a.letter) {
                errors.push(FieldError::new(
                    format!("areas[{i}].letter"),
                    "must be one capital letter A to Z",
                ));
            } else if !letters.insert(a.letter.clone()) {
                errors.push(FieldError::new(
                    format!("areas[{i}].letter"),
                    format!("area {} is given twice", a.letter),
                ));
            }
            if a.name.is_empty() || a.name.chars().count() > 200 {
                errors.push(FieldError::new(
                    format!("areas[{i}].name"),
                    "must be 1 to 200 characters",
                ));
            }
            if a.fields.len() > MAX_AREA_FIELDS {
                errors.push(FieldError::new(
                    format!("areas[{i}].fields"),
                    "at most 50 fields",
                ));
            }
            for (j, f) in a.fields.iter_mut().enumerate() {
                *f = f.trim().to_string();
                if f.is_empty() || f.chars().count() > 200 {
                    errors.push(FieldError::new(
                        format!("areas[{i}].fields[{j}]"),
                        "must be 1 to 200 characters",
                    ));
                } else if !fields.insert(f.clone()) {
                    errors.push(FieldError::new(
                        format!("areas[{i}].fields[{j}]"),
                        format!("the field {f:?} is served by another area already"),
                    ));
                }
            }
        }
        let mut numbers = BTreeSet::new();
        for (i, c) in self.counters.iter_mut().enumerate() {
            c.name = c.name.trim().to_string();
            if !(1..=99).contains(&c.number) {
                errors.push(FieldError::new(
                    format!("counters[{i}].number"),
                    "must be 1 to 99",
                ));
            } else if !numbers.insert(c.number) {
                errors.push(FieldError::new(
                    format!("counters[{i}].number"),
                    format!("counter {} is given twice", c.number),
                ));
            }
            if c.name.is_empty() || c.name.chars().count() > 100 {
                errors.push(FieldError::new(
                    format!("counters[{i}].name"),
                    "must be 1 to 100 characters",
                ));
            }
            if c.areas.is_empty() {
                errors.push(FieldError::new(
                    format!("counters[{i}].areas"),
                    "must name at least one area",
                ));
            }
            let mut seen = BTreeSet::new();
            for (j, l) in c.areas.iter().enumerate() {
                if !letters.contains(l) {
                    errors.push(FieldError::new(
                        format!("counters[{i}].areas[{j}]"),
                        format!("no area {l:?} in this hall"),
                    ));
                } else if !seen.insert(l) {
                    errors.push(FieldError::new(
                        format!("counters[{i}].areas[{j}]"),
                        format!("area {l} is given twice"),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The area serving `field`, if any.
    pub fn area_for_field(&self, field: &str) -> Option<&Area> {
        self.areas
            .iter()
            .find(|a| a.fields.iter().any(|f| f == field))
    }

    pub fn area(&self, letter: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.letter == letter)
    }

    pub fn counter(&self, number: i32) -> Option<&Counter> {
        self.counters.iter().find(|c| c.number == number)
    }
}

/// Average and 90th percentile of a set of durations in seconds, as the
/// hall's waiting and service times are reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Spread {
    /// How many durations.
    #[schema(example = 38)]
    pub count: u32,
    /// Their mean, in minutes (one decimal); none without durations.
    #[schema(example = 12.5)]
    pub average_minutes: Option<f64>,
    /// The 90th percentile (nearest rank), in minutes (one decimal): nine
    /// in ten waited no longer.
    #[schema(example = 24.0)]
    pub p90_minutes: Option<f64>,
}

fn minutes(seconds: f64) -> f64 {
    (seconds / 6.0).round() / 10.0
}

impl Spread {
    /// Negative durations (a clock set back) count as zero.
    pub fn of(mut seconds: Vec<i64>) -> Spread {
        for s in seconds.iter_mut() {
            *s = (*s).max(0);
        }
        seconds.sort_unstable();
        let count = u32::try_from(seconds.len()).unwrap_or(u32::MAX);
        if seconds.is_empty() {
            return Spread {
                count,
                average_minutes: None,
                p90_minutes: None,
            };
        }
        let sum: f64 = seconds.iter().map(|&s| s as f64).sum();
        let mean = sum / seconds.len() as f64;
        // Nearest rank: the smallest value with at least 90 % at or below.
        let rank = (seconds.len() * 9).div_ceil(10).max(1);
        let p90 = seconds[rank - 1];
        Spread {
            count,
            average_minutes: Some(minutes(mean)),
            p90_minutes: Some(minutes(p90 as f64)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn area(letter: &str, fields: &[&str]) -> Area {
        Area {
            letter: letter.into(),
            name: format!("Khu {letter}"),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn labels_pad_the_number() {
        assert_eq!(ticket_label("A", 23), "A-023");
        assert_eq!(ticket_label("B", 1234), "B-1234");
    }

    #[test]
    fn a_hall_names_each_problem() {
        let hall = Hall {
            areas: vec![
                area("A", &["Hộ tịch"]),
                area("a", &[]),
                area("A", &["Hộ tịch"]),
            ],
            counters: vec![
                Counter {
                    number: 1,
                    name: " Quầy 1 ".into(),
                    areas: vec!["A".into(), "C".into()],
                },
                Counter {
                    number: 1,
                    name: "".into(),
                    areas: vec![],
                },
            ],
        };
        let errors = hall.checked().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "areas[1].letter",
                "areas[2].letter",
                "areas[2].fields[0]",
                "counters[0].areas[1]",
                "counters[1].number",
                "counters[1].name",
                "counters[1].areas",
            ]
        );
    }

    #[test]
    fn a_good_hall_finds_areas_by_field() {
        let hall = Hall {
            areas: vec![area("A", &[" Hộ tịch "]), area("B", &["Đất đai"])],
            counters: vec![Counter {
                number: 2,
                name: " Quầy 2".into(),
                areas: vec!["B".into(), "A".into()],
            }],
        }
        .checked()
        .unwrap();
        assert_eq!(hall.area_for_field("Hộ tịch").unwrap().letter, "A");
        assert!(hall.area_for_field("Xây dựng").is_none());
        assert_eq!(hall.counter(2).unwrap().name, "Quầy 2");
    }

    #[test]
    fn spread_is_mean_and_nearest_rank() {
        let s = Spread::of((1..=10).map(|m| m * 60).collect());
        assert_eq!(s.count, 10);
        assert_eq!(s.average_minutes, Some(5.5));
        assert_eq!(s.p90_minutes, Some(9.0));
        assert_eq!(Spread::of(vec![90]).p90_minutes, Some(1.5));
        assert_eq!(Spread::of(vec![]).average_minutes, None);
        assert_eq!(Spread::of(vec![-60, 60]).average_minutes, Some(0.5));
    }

    fn action() -> impl Strategy<Value = TicketAction> {
        prop_oneof![
            Just(TicketAction::Call),
            Just(TicketAction::Recall),
            Just(TicketAction::Finish),
            Just(TicketAction::Skip),
        ]
    }

    proptest! {
        /// Whatever clerks press, a ticket is called once, finished at
        /// most once, and never moves after it is finished.
        #[test]
        fn a_ticket_lives_forward(actions in proptest::collection::vec(action(), 0..20)) {
            let mut status = TicketStatus::Waiting;
            let (mut calls, mut finishes) = (0, 0);
            for a in actions {
                let Some(next) = status.after(a) else { continue };
                prop_assert!(!status.is_finished());
                if a == TicketAction::Call { calls += 1; }
                if next.is_finished() { finishes += 1; }
                prop_assert!(status != TicketStatus::Waiting || next == TicketStatus::Called);
                status = next;
            }
            prop_assert!(calls <= 1);
            prop_assert!(finishes <= 1);
            prop_assert!(!status.is_finished() || calls == 1);
        }

        /// The 90th percentile lies between the smallest and the largest
        /// duration, and at least nine in ten are at or below it.
        #[test]
        fn p90_bounds(seconds in proptest::collection::vec(0i64..100_000, 1..200)) {
            let s = Spread::of(seconds.clone());
            let p90 = s.p90_minutes.unwrap();
            let min = *seconds.iter().min().unwrap() as f64 / 60.0;
            let max = *seconds.iter().max().unwrap() as f64 / 60.0;
            // Rounded to a tenth of a minute.
            prop_assert!(p90 >= min - 0.051 && p90 <= max + 0.051);
            let at_or_below = seconds.iter().filter(|&&x| x as f64 / 60.0 <= p90 + 0.051).count();
            prop_assert!(at_or_below * 10 >= seconds.len() * 9);
        }
    }
}
