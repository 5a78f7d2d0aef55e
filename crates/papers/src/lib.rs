//! The papers the desk prints (A5/A4 pages in Vietnamese): one template
//! environment, built once, for all of them. The data of each paper is
//! built where its rule lives (the receipt in `intake`, the control slip
//! in `routing`, the apology letter in `sla`...); this crate only lays it
//! out, so a change of the page's look is made in one folder
//! (`crates/papers/templates/`) and every paper renders without building
//! an environment per request.

use std::sync::OnceLock;

use minijinja::{Environment, Value};

/// A printable paper and its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// Giấy tiếp nhận hồ sơ và hẹn trả kết quả (the receipt).
    Receipt,
    /// The written refusal of an online submission.
    Refusal,
    /// Phiếu kiểm soát quá trình giải quyết hồ sơ (the control slip).
    ControlSlip,
    /// The notice of a stop or a withdrawal.
    EndNotice,
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả (the apology letter).
    Apology,
    /// Báo cáo kết quả giải quyết thủ tục hành chính (the results report),
    /// A4 landscape.
    ResultsReport,
}

impl Paper {
    pub const ALL: [Paper; 6] = [
        Paper::Receipt,
        Paper::Refusal,
        Paper::ControlSlip,
        Paper::EndNotice,
        Paper::Apology,
        Paper::ResultsReport,
    ];

    fn template(self) -> (&'static str, &'static str) {
        match self {
            Paper::Receipt => ("receipt.html", include_str!("../templates/receipt.html")),
            Paper::Refusal => ("refusal.html", include_str!("../templates/refusal.html")),
            Paper::ControlSlip => (
                "control_slip.html",
                include_str!("../templates/control_slip.html"),
            ),
            Paper::EndNotice => (
                "end_notice.html",
                include_str!("../templates/end_notice.html"),
            ),
            Paper::Apology => ("apology.html", include_str!("../templates/apology.html")),
            Paper::ResultsReport => (
                "results_report.html",
                include_str!("../templates/results_report.html"),
            ),
        }
    }
}

fn environment() -> Result<&'static Environment<'static>, minijinja::Error> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    if let Some(env) = ENV.get() {
        return Ok(env);
    }
    let mut env = Environment::new();
    for paper in Paper::ALL {
        let (name, source) = paper.template();
        env.add_template(name, source)?;
    }
    Ok(ENV.get_or_init(|| env))
}

/// Renders `paper` with `ctx` (the values its template prints, e.g.
/// `context! { s => slip }`).
pub fn render(paper: Paper, ctx: Value) -> Result<String, minijinja::Error> {
    environment()?.get_template(paper.template().0)?.render(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let env = environment().unwrap();
        for paper in Paper::ALL {
            assert!(env.get_template(paper.template().0).is_ok(), "{paper:?}");
        }
    }
}
