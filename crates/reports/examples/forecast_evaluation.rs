//! Measures the lateness forecast honestly (docs/forecast.md): two years
//! of generated history with skewed step times (some steps slower, one
//! officer in four much slower), the model learned from the first
//! eighteen months, and the last months held out. For each held-out
//! dossier, every working day until two working days before its
//! appointment, the forecast is asked; a dossier is flagged when the
//! probability reaches 50 %. Reported: the share of late dossiers flagged
//! at least two working days ahead (recall) and the share of flagged ones
//! that did end late (precision), against the rule "due within two
//! working days" (every dossier still open two working days before its
//! appointment).
//!
//! Time is counted in working hours (8 a day) throughout, as the desk's
//! calendar counts it; the generator uses its own small deterministic
//! random source (xorshift) so the figures are the same on every run.
//!
//! `cargo run --release -p motcua-reports --example forecast_evaluation`

use std::collections::HashMap;

use motcua_reports::forecast::{histogram, Model, StepKey, MIN_SAMPLES};

const HOUR: i64 = 3600;
const DAY: i64 = 8 * HOUR;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn pick(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n - 1)
    }
}

/// A procedure: its time limit and the median days of each step.
struct Procedure {
    code: &'static str,
    limit_days: i64,
    step_days: &'static [f64],
}

const PROCEDURES: [Procedure; 3] = [
    Procedure {
        code: "P1",
        limit_days: 5,
        step_days: &[3.0],
    },
    Procedure {
        code: "P2",
        limit_days: 10,
        step_days: &[1.0, 4.0, 2.0],
    },
    Procedure {
        code: "P3",
        limit_days: 12,
        step_days: &[2.0, 6.0],
    },
];

/// Each step's officers work at these speeds: one in four much slower.
const OFFICER_SPEED: [f64; 4] = [0.8, 1.0, 1.0, 1.9];

struct Leg {
    officer: usize,
    start: i64,
    end: i64,
}

struct Dossier {
    procedure: usize,
    received: i64,
    due: i64,
    legs: Vec<Leg>,
}

impl Dossier {
    fn end(&self) -> i64 {
        self.legs.last().map_or(self.received, |l| l.end)
    }
}

fn generate(rng: &mut Rng, days: i64, per_procedure: usize) -> Vec<Dossier> {
    let mut all = Vec::new();
    for (p, proc_) in PROCEDURES.iter().enumerate() {
        for _ in 0..per_procedure {
            let received = (rng.next() * (days * DAY) as f64) as i64;
            let mut t = received;
            let legs = proc_
                .step_days
                .iter()
                .map(|median| {
                    let officer = rng.pick(OFFICER_SPEED.len());
                    let days = median * OFFICER_SPEED[officer] * (0.45 * rng.normal()).exp();
                    let start = t;
                    t += (days * DAY as f64) as i64;
                    Leg {
                        officer,
                        start,
                        end: t,
                    }
                })
                .collect();
            all.push(Dossier {
                procedure: p,
                received,
                due: received + proc_.limit_days * DAY,
                legs,
            });
        }
    }
    all
}

fn train(history: &[&Dossier]) -> Model {
    let mut legs: HashMap<StepKey, Vec<i64>> = HashMap::new();
    for d in history {
        for (step, leg) in d.legs.iter().enumerate() {
            for officer in [String::new(), format!("o{}", leg.officer)] {
                legs.entry(StepKey {
                    procedure: PROCEDURES[d.procedure].code.to_string(),
                    step: step as i32,
                    officer,
                })
                .or_default()
                .push(leg.end - leg.start);
            }
        }
    }
    Model::new(
        legs.into_iter()
            .filter(|(k, v)| k.officer.is_empty() || v.len() >= MIN_SAMPLES as usize)
            .map(|(k, v)| (k, histogram(v)))
            .collect(),
    )
}

#[derive(Default)]
struct Score {
    late: usize,
    flagged: usize,
    flagged_late: usize,
    /// Working days between the flag and the appointment, for the late
    /// dossiers flagged.
    leads: Vec<f64>,
}

impl Score {
    fn add(&mut self, flagged_at: Option<i64>, late: bool, due: i64) {
        self.late += usize::from(late);
        self.flagged += usize::from(flagged_at.is_some());
        if let (Some(at), true) = (flagged_at, late) {
            self.flagged_late += 1;
            self.leads.push((due - at) as f64 / DAY as f64);
        }
    }
    fn median_lead(&mut self) -> f64 {
        self.leads.sort_by(f64::total_cmp);
        self.leads.get(self.leads.len() / 2).copied().unwrap_or(0.0)
    }
    fn recall(&self) -> f64 {
        100.0 * self.flagged_late as f64 / self.late.max(1) as f64
    }
    fn precision(&self) -> f64 {
        100.0 * self.flagged_late as f64 / self.flagged.max(1) as f64
    }
}

fn main() {
    let mut rng = Rng(0x6d6f_7463_7561);
    // Two years of working days; the model knows what ended in the first
    // eighteen months; the last four are held out.
    let (days, cut, held_out) = (500, 375, 415);
    let dossiers = generate(&mut rng, days, 4000);
    let history: Vec<&Dossier> = dossiers.iter().filter(|d| d.end() < cut * DAY).collect();
    let model = train(&history);
    let thresholds = [0.5, 0.7];
    let mut forecasts: Vec<Score> = thresholds.iter().map(|_| Score::default()).collect();
    let mut rule = Score::default();
    let mut tested = 0;
    for d in dossiers.iter().filter(|d| d.received >= held_out * DAY) {
        tested += 1;
        let late = d.end() > d.due;
        let last_check = d.due - 2 * DAY;
        // The rule: still open two working days before the appointment.
        let open_then = d.end() > last_check && last_check >= d.received;
        rule.add(open_then.then_some(last_check), late, d.due);
        // The forecast, asked every working day until then.
        let mut first_flag: Vec<Option<i64>> = thresholds.iter().map(|_| None).collect();
        let mut t = d.received;
        while t <= last_check && t < d.end() {
            if let Some((step, leg)) = d
                .legs
                .iter()
                .enumerate()
                .find(|(_, l)| l.start <= t && t < l.end)
            {
                let code = PROCEDURES[d.procedure].code;
                let officer = format!("o{}", leg.officer);
                if let Some(r) = model.risk(code, step as i32, &officer, t - leg.start, d.due - t) {
                    for (flag, th) in first_flag.iter_mut().zip(thresholds) {
                        if flag.is_none() && r.probability >= th {
                            *flag = Some(t);
                        }
                    }
                }
            }
            t += DAY;
        }
        for (score, flag) in forecasts.iter_mut().zip(first_flag) {
            score.add(flag, late, d.due);
        }
    }
    println!(
        "history: {} finished dossiers; held out: {tested}, of which {} ended late",
        history.len(),
        rule.late
    );
    println!("| flagged at least two working days ahead | recall | precision | flagged | median warning (working days before the appointment) |");
    println!("|---|---|---|---|---|");
    let mut rows: Vec<(String, &mut Score)> = thresholds
        .iter()
        .zip(forecasts.iter_mut())
        .map(|(th, s)| (format!("forecast, probability ≥ {:.0} %", th * 100.0), s))
        .collect();
    rows.push(("rule: due within two working days".to_string(), &mut rule));
    for (name, s) in rows {
        let lead = s.median_lead();
        println!(
            "| {name} | {:.1} % | {:.1} % | {} | {lead:.1} |",
            s.recall(),
            s.precision(),
            s.flagged
        );
    }
}
