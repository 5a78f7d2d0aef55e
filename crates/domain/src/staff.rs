//! The staff member acting, as the rules need them: who, in which role, at
//! which agency.

use crate::{AgencyCode, Role};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub agency: AgencyCode,
}
