//! The legs a dossier travels: the receiving desk first, then the
//! procedure's process plan (or, without one, its own agency alone).

use motcua_domain::{Procedure, Role};

/// One stop on the dossier's way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// 0 is the receiving desk; 1.. are the plan's steps.
    pub index: i32,
    pub name: String,
    pub agency: String,
    pub role: Role,
    /// Percent of the statutory time; 0 for the desk, which must hand the
    /// dossier on within one working day.
    pub share_percent: u32,
}

/// The legs of a dossier received at `receiving_agency` under `p`.
pub fn legs(p: &Procedure, receiving_agency: &str) -> Vec<Leg> {
    let mut out = vec![Leg {
        index: 0,
        name: "Tiếp nhận hồ sơ".into(),
        agency: receiving_agency.to_string(),
        role: Role::Clerk,
        share_percent: 0,
    }];
    if p.steps.is_empty() {
        out.push(Leg {
            index: 1,
            name: "Giải quyết hồ sơ".into(),
            agency: p.agency.to_string(),
            role: Role::Officer,
            share_percent: 100,
        });
    } else {
        out.extend(p.steps.iter().enumerate().map(|(i, s)| Leg {
            index: i as i32 + 1,
            name: s.name.clone(),
            agency: s.agency_code.clone(),
            role: s.role,
            share_percent: s.share_percent,
        }));
    }
    out
}
