//! The lateness forecast: for an open dossier, the probability that it
//! ends after its appointment, learned from the finished dossiers of the
//! same procedure (docs/forecast.md).
//!
//! Each step of a procedure has a histogram of the working time its legs
//! took (handed on, or ended), for each officer who did enough of them and
//! for everyone. An open dossier has spent `elapsed` in its step and has
//! `remaining` working time before its appointment; the time its step
//! still needs is the histogram beyond `elapsed` (legs that took longer
//! than it has run so far), then each later step adds its own
//! histogram. The probability is the share of that sum beyond
//! `remaining`. Everything here is in working seconds; the caller turns
//! instants into them with the desk's calendar.

use std::collections::HashMap;

use serde::Serialize;

/// A working hour, in working seconds.
const HOUR: i64 = 3600;

/// The upper edges of the histogram's bins, in working hours: hours for
/// two days, half-days to ten days, days to sixty; beyond, one open bin.
fn edges() -> impl Iterator<Item = i64> {
    (1..=16)
        .chain((20..=80).step_by(4))
        .chain((88..=480).step_by(8))
        .map(|h| h * HOUR)
}

/// How many bins a histogram has (the last one open-ended).
pub fn bin_count() -> usize {
    edges().count() + 1
}

/// The bin a duration falls in.
pub fn bin_of(seconds: i64) -> usize {
    edges().position(|e| seconds < e).unwrap_or(bin_count() - 1)
}

/// A bin's representative duration: its middle (the open bin: a quarter
/// beyond its start).
fn middle(bin: usize) -> i64 {
    let upper: Vec<i64> = edges().collect();
    let lower = if bin == 0 { 0 } else { upper[bin - 1] };
    match upper.get(bin) {
        Some(u) => (lower + u) / 2,
        None => lower + lower / 4,
    }
}

/// The histogram of `durations`.
pub fn histogram(durations: impl IntoIterator<Item = i64>) -> Vec<u32> {
    let mut bins = vec![0u32; bin_count()];
    for d in durations {
        bins[bin_of(d.max(0))] += 1;
    }
    bins
}

/// A step's times, for one officer or for everyone (officer "").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepKey {
    pub procedure: String,
    pub step: i32,
    pub officer: String,
}

/// Fewer finished legs than this and a histogram is not trusted: an
/// officer's falls back to everyone's, everyone's gives no forecast.
pub const MIN_SAMPLES: u32 = 10;

/// The histograms of every step of the procedures forecast.
#[derive(Debug, Clone, Default)]
pub struct Model {
    steps: HashMap<StepKey, Vec<u32>>,
}

/// A dossier's probability of ending late and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    pub probability: f64,
    /// The median working time its step and the later ones still need.
    pub expected_seconds: i64,
    /// Finished legs of its step the estimate rests on.
    pub samples: u32,
    /// Whether the officer's own history was used.
    pub officer_history: bool,
}

/// A discrete distribution: (working seconds, weight), weights sum to 1.
type Dist = Vec<(i64, f64)>;

/// The points a distribution is kept to after each sum, so a long plan
/// costs no more than a short one.
const POINTS: usize = 64;

impl Model {
    pub fn new(steps: HashMap<StepKey, Vec<u32>>) -> Model {
        Model { steps }
    }

    /// The histogram of `step` for `officer`, or for everyone when the
    /// officer's has too few legs; with whether it is the officer's.
    fn histogram(&self, procedure: &str, step: i32, officer: &str) -> Option<(&Vec<u32>, bool)> {
        let key = |officer: &str| StepKey {
            procedure: procedure.to_string(),
            step,
            officer: officer.to_string(),
        };
        let trusted = |h: &&Vec<u32>| h.iter().sum::<u32>() >= MIN_SAMPLES;
        if !officer.is_empty() {
            if let Some(h) = self.steps.get(&key(officer)).filter(trusted) {
                return Some((h, true));
            }
        }
        self.steps.get(&key("")).filter(trusted).map(|h| (h, false))
    }

    /// The steps after `step` the procedure's history knows.
    fn later_steps(&self, procedure: &str, step: i32) -> Vec<i32> {
        let mut steps: Vec<i32> = self
            .steps
            .keys()
            .filter(|k| k.procedure == procedure && k.step > step && k.officer.is_empty())
            .map(|k| k.step)
            .collect();
        steps.sort_unstable();
        steps.dedup();
        steps
    }

    /// The risk of a dossier at `step` of `procedure`, done by `officer`
    /// ("" if nobody is assigned), `elapsed` into its step with
    /// `remaining` before its appointment (negative: already past it).
    /// `None` when the step's history is too thin to say.
    pub fn risk(
        &self,
        procedure: &str,
        step: i32,
        officer: &str,
        elapsed: i64,
        remaining: i64,
    ) -> Option<Risk> {
        let (current, officer_history) = self.histogram(procedure, step, officer)?;
        let samples = current.iter().sum::<u32>();
        let mut total = beyond(current, elapsed);
        for later in self.later_steps(procedure, step) {
            if let Some((h, _)) = self.histogram(procedure, later, "") {
                total = compress(convolve(&total, &from_histogram(h)));
            }
        }
        let late: f64 = total
            .iter()
            .filter(|(t, _)| *t > remaining)
            .map(|(_, w)| w)
            .sum();
        Some(Risk {
            probability: (late.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
            expected_seconds: median(&total),
            samples,
            officer_history,
        })
    }
}

fn from_histogram(h: &[u32]) -> Dist {
    let n = f64::from(h.iter().sum::<u32>().max(1));
    h.iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| (middle(i), f64::from(*c) / n))
        .collect()
}

/// The time a step still needs after `elapsed`: its legs that took longer,
/// less what has run. A dossier that has run longer than every leg seen
/// starts the step's distribution again (nothing better is known).
fn beyond(h: &[u32], elapsed: i64) -> Dist {
    let longer: Vec<(usize, u32)> = h
        .iter()
        .enumerate()
        .filter(|(i, c)| **c > 0 && middle(*i) > elapsed)
        .map(|(i, c)| (i, *c))
        .collect();
    let n: u32 = longer.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return from_histogram(h);
    }
    longer
        .into_iter()
        .map(|(i, c)| (middle(i) - elapsed, f64::from(c) / f64::from(n)))
        .collect()
}

fn convolve(a: &Dist, b: &Dist) -> Dist {
    a.iter()
        .flat_map(|(x, p)| b.iter().map(move |(y, q)| (x + y, p * q)))
        .collect()
}

/// Keeps a distribution to [`POINTS`] points: sorted, and merged into
/// groups of equal weight, each at its weighted mean.
fn compress(mut d: Dist) -> Dist {
    d.sort_by_key(|(t, _)| *t);
    if d.len() <= POINTS {
        return d;
    }
    let step = 1.0 / POINTS as f64;
    let mut out = Vec::with_capacity(POINTS);
    let (mut weight, mut sum) = (0.0, 0.0);
    for (t, w) in d {
        weight += w;
        sum += t as f64 * w;
        if weight >= step {
            out.push(((sum / weight).round() as i64, weight));
            (weight, sum) = (0.0, 0.0);
        }
    }
    if weight > 0.0 {
        out.push(((sum / weight).round() as i64, weight));
    }
    out
}

fn median(d: &Dist) -> i64 {
    let mut sorted = d.clone();
    sorted.sort_by_key(|(t, _)| *t);
    let mut acc = 0.0;
    for (t, w) in &sorted {
        acc += w;
        if acc >= 0.5 {
            return *t;
        }
    }
    sorted.last().map_or(0, |(t, _)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 8 * HOUR;

    fn model(steps: &[(i32, &str, Vec<i64>)]) -> Model {
        Model::new(
            steps
                .iter()
                .map(|(step, officer, times)| {
                    (
                        StepKey {
                            procedure: "P".into(),
                            step: *step,
                            officer: officer.to_string(),
                        },
                        histogram(times.iter().copied()),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn every_duration_has_one_bin_and_bins_keep_order() {
        assert_eq!(bin_of(0), 0);
        assert_eq!(bin_of(HOUR - 1), 0);
        assert_eq!(bin_of(HOUR), 1);
        assert_eq!(bin_of(10_000 * DAY), bin_count() - 1);
        let mids: Vec<i64> = (0..bin_count()).map(middle).collect();
        assert!(mids.windows(2).all(|w| w[0] < w[1]), "{mids:?}");
    }

    #[test]
    fn the_longer_a_step_has_run_and_the_less_time_is_left_the_likelier_late() {
        // Step 0 takes one day nine times in ten, five days once; step 1
        // always one day.
        let mut slow = vec![DAY; 18];
        slow.extend([5 * DAY; 2]);
        let m = model(&[(0, "", slow), (1, "", vec![DAY; 20])]);
        // Fresh, with three days left: only the slow tenth is late.
        let fresh = m.risk("P", 0, "", 0, 3 * DAY).unwrap();
        assert!((fresh.probability - 0.1).abs() < 0.01, "{fresh:?}");
        assert_eq!(fresh.samples, 20);
        // Two days into step 0, only the slow legs are left: late.
        let stuck = m.risk("P", 0, "", 2 * DAY, DAY).unwrap();
        assert_eq!(stuck.probability, 1.0, "{stuck:?}");
        // Plenty of time: never late.
        assert_eq!(m.risk("P", 0, "", 0, 30 * DAY).unwrap().probability, 0.0);
        // Past the appointment already: late whatever happens.
        assert_eq!(m.risk("P", 1, "", 0, -DAY).unwrap().probability, 1.0);
    }

    #[test]
    fn an_officer_with_enough_history_is_judged_by_it_and_thin_history_gives_nothing() {
        let m = model(&[
            (0, "", vec![DAY; 30]),
            (0, "slow", vec![4 * DAY; 12]),
            (0, "new", vec![4 * DAY; 3]),
        ]);
        let slow = m.risk("P", 0, "slow", 0, 2 * DAY).unwrap();
        assert!(slow.officer_history);
        assert_eq!(slow.probability, 1.0);
        // Three legs are too few: everyone's history instead.
        let new = m.risk("P", 0, "new", 0, 2 * DAY).unwrap();
        assert!(!new.officer_history);
        assert_eq!(new.probability, 0.0);
        assert_eq!(
            model(&[(0, "", vec![DAY; 5])]).risk("P", 0, "", 0, DAY),
            None
        );
    }
}
