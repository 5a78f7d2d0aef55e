//! Which agencies' dossiers a staff member may see: the one answer every
//! route asks (the dossier view, lists, worklists, breaches, the tracking
//! book, guidance slips and refusals).
//!
//! | role | sees the dossiers of | acts on dossiers |
//! |---|---|---|
//! | clerk | their own agency (as receiving desk or handler) | as the receiving desk |
//! | officer | their own agency | as the handling agency |
//! | supervisor | their agency and every agency below it | assigns within it |
//! | admin | every agency, read only (support and audit) | never |
//!
//! A dossier is an agency's when the agency received it or handles it
//! now. Lists never show a dossier its reader could not open. What each
//! role may *do* is decided by the operation (intake, routing, the clock);
//! administrators run the catalogue, the calendar, the accounts and the
//! mail, and take no part in handling a dossier.

use motcua_domain::Role;
use motcua_store::{agencies, DbConnection, StoreResult};

use crate::auth::Staff;
use crate::error::ApiError;

/// The agencies a staff member sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    Agencies(Vec<String>),
}

impl Reach {
    pub fn of(conn: &mut DbConnection, staff: &Staff) -> StoreResult<Reach> {
        Ok(match staff.role {
            Role::Admin => Reach::All,
            Role::Supervisor => {
                Reach::Agencies(agencies::with_descendants(conn, staff.agency.as_str())?)
            }
            Role::Clerk | Role::Officer => Reach::Agencies(vec![staff.agency.to_string()]),
        })
    }

    pub fn contains(&self, agency: &str) -> bool {
        match self {
            Reach::All => true,
            Reach::Agencies(list) => list.iter().any(|a| a == agency),
        }
    }

    /// The agencies as a list (all of them for [`Reach::All`]).
    pub fn agencies(self, conn: &mut DbConnection) -> StoreResult<Vec<String>> {
        Ok(match self {
            Reach::All => agencies::list(conn)?
                .into_iter()
                .map(|a| a.code.to_string())
                .collect(),
            Reach::Agencies(list) => list,
        })
    }

    /// Narrows to `wanted` when a filter names an agency: 403 when it is
    /// outside the reach.
    pub fn only(&self, wanted: &str) -> Result<Reach, ApiError> {
        if self.contains(wanted) {
            Ok(Reach::Agencies(vec![wanted.to_string()]))
        } else {
            Err(ApiError::forbidden(format!(
                "agency {wanted} is not within your reach"
            )))
        }
    }

    /// Narrows to `wanted` and the agencies below it.
    pub fn at_and_below(&self, conn: &mut DbConnection, wanted: &str) -> Result<Reach, ApiError> {
        self.only(wanted)?;
        Ok(Reach::Agencies(agencies::with_descendants(conn, wanted)?))
    }
}

/// May the staff member see a dossier received by `receiving` and handled
/// by `handling`?
pub fn may_view(
    conn: &mut DbConnection,
    staff: &Staff,
    receiving: &str,
    handling: &str,
) -> StoreResult<bool> {
    let own = staff.agency.as_str();
    Ok(match staff.role {
        Role::Admin => true,
        Role::Clerk | Role::Officer => own == receiving || own == handling,
        Role::Supervisor => {
            supervises(conn, staff, receiving)? || supervises(conn, staff, handling)?
        }
    })
}

/// Does a supervisor's reach include `agency` (their own or one below)?
pub fn supervises(conn: &mut DbConnection, staff: &Staff, agency: &str) -> StoreResult<bool> {
    if staff.role != Role::Supervisor {
        return Ok(false);
    }
    Ok(agencies::with_ancestors(conn, agency)?
        .iter()
        .any(|a| a == staff.agency.as_str()))
}
