//! Guidance slips: the written list of what an incomplete dossier lacks,
//! kept so the desk can show what the citizen was told.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::guidance_slips;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct GuidanceSlip {
    pub id: String,
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub documents: serde_json::Value,
    pub missing: serde_json::Value,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = guidance_slips)]
struct Row {
    id: String,
    agency_code: String,
    procedure_code: String,
    procedure_version: i32,
    applicant_name: String,
    applicant_id_number: String,
    documents: String,
    missing: String,
    issued_by: String,
    issued_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, s: &GuidanceSlip) -> StoreResult<()> {
    diesel::insert_into(guidance_slips::table)
        .values((
            guidance_slips::id.eq(&s.id),
            guidance_slips::agency_code.eq(&s.agency_code),
            guidance_slips::procedure_code.eq(&s.procedure_code),
            guidance_slips::procedure_version.eq(s.procedure_version),
            guidance_slips::applicant_name.eq(&s.applicant_name),
            guidance_slips::applicant_id_number.eq(&s.applicant_id_number),
            guidance_slips::documents.eq(s.documents.to_string()),
            guidance_slips::missing.eq(s.missing.to_string()),
            guidance_slips::issued_by.eq(&s.issued_by),
            guidance_slips::issued_at.eq(to_db(s.issued_at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<GuidanceSlip>> {
    let row: Option<Row> = guidance_slips::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?;
    row.map(|r| {
        Ok(GuidanceSlip {
            id: r.id,
            agency_code: r.agency_code,
            procedure_code: r.procedure_code,
            procedure_version: r.procedure_version,
            applicant_name: r.applicant_name,
            applicant_id_number: r.applicant_id_number,
            documents: serde_json::from_str(&r.documents)?,
            missing: serde_json::from_str(&r.missing)?,
            issued_by: r.issued_by,
            issued_at: from_db(r.issued_at),
        })
    })
    .transpose()
}
