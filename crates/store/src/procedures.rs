//! The procedure catalogue. The `procedures` table holds the current
//! version; every version ever published is kept as a snapshot in
//! `procedure_versions`, so a dossier keeps the version it was received
//! under.

use diesel::prelude::*;
use motcua_domain::{
    search_key, AgencyCode, DurationUnit, Procedure, ProcedureCode, RequiredDocument, ServiceLevel,
    StatutoryDuration, SupplementPolicy,
};

use crate::schema::{procedure_versions, procedures};
use crate::time::{now, to_db};
use crate::{DbConnection, StoreError, StoreResult};

#[derive(Queryable, Selectable)]
#[diesel(table_name = procedures)]
struct Row {
    code: String,
    version: i32,
    name: String,
    field: String,
    agency_code: String,
    duration_amount: i32,
    duration_unit: String,
    cutoff_minute: Option<i32>,
    fee_vnd: i64,
    fee_note: String,
    legal_basis: String,
    result: String,
    service_level: String,
    compliance: Option<String>,
    documents: String,
    supplement_policy: String,
    steps: String,
    members: String,
    cases: String,
    representation_allowed: bool,
    any_desk: bool,
}

impl Row {
    fn into_domain(self) -> StoreResult<Procedure> {
        let documents: Vec<RequiredDocument> = serde_json::from_str(&self.documents)?;
        Ok(Procedure {
            code: ProcedureCode::parse(&self.code)?,
            version: self.version,
            name: self.name,
            field: self.field,
            agency: AgencyCode::parse(&self.agency_code)?,
            duration: StatutoryDuration {
                amount: u32::try_from(self.duration_amount)
                    .map_err(|_| StoreError::Corrupt("negative duration".into()))?,
                unit: DurationUnit::parse(&self.duration_unit)?,
                cutoff_minute: self.cutoff_minute.and_then(|m| u16::try_from(m).ok()),
            },
            fee_vnd: self.fee_vnd,
            fee_note: self.fee_note,
            required_documents: documents,
            legal_basis: self.legal_basis,
            result: self.result,
            service_level: ServiceLevel::parse(&self.service_level)?,
            supplement_policy: SupplementPolicy::parse(&self.supplement_policy)?,
            steps: serde_json::from_str(&self.steps)?,
            members: serde_json::from_str(&self.members)?,
            cases: serde_json::from_str(&self.cases)?,
            representation_allowed: self.representation_allowed,
            any_desk: self.any_desk,
            compliance: self
                .compliance
                .map(|c| serde_json::from_str(&c))
                .transpose()?,
        })
    }
}

/// The compliance cost inputs as stored (NULL when none were entered).
fn compliance_json(p: &Procedure) -> StoreResult<Option<String>> {
    Ok(p.compliance
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?)
}

fn search_text(p: &Procedure) -> String {
    search_key(&format!("{} {} {}", p.code, p.name, p.field))
}

fn snapshot(conn: &mut DbConnection, p: &Procedure) -> StoreResult<()> {
    diesel::insert_into(procedure_versions::table)
        .values((
            procedure_versions::procedure_code.eq(p.code.as_str()),
            procedure_versions::version.eq(p.version),
            procedure_versions::snapshot.eq(serde_json::to_string(p)?),
            procedure_versions::created_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Publishes a new procedure at version 1.
pub fn insert(conn: &mut DbConnection, p: &Procedure) -> StoreResult<Procedure> {
    let mut p = p.clone();
    p.version = 1;
    let t = to_db(now());
    diesel::insert_into(procedures::table)
        .values((
            procedures::code.eq(p.code.as_str()),
            procedures::version.eq(p.version),
            procedures::name.eq(&p.name),
            procedures::field.eq(&p.field),
            procedures::agency_code.eq(p.agency.as_str()),
            procedures::duration_amount.eq(p.duration.amount as i32),
            procedures::duration_unit.eq(p.duration.unit.as_str()),
            procedures::cutoff_minute.eq(p.duration.cutoff_minute.map(i32::from)),
            procedures::fee_vnd.eq(p.fee_vnd),
            procedures::fee_note.eq(&p.fee_note),
            procedures::legal_basis.eq(&p.legal_basis),
            procedures::result.eq(&p.result),
            procedures::service_level.eq(p.service_level.as_str()),
            procedures::compliance.eq(compliance_json(&p)?),
            procedures::documents.eq(serde_json::to_string(&p.required_documents)?),
            procedures::search_text.eq(search_text(&p)),
            procedures::supplement_policy.eq(p.supplement_policy.as_str()),
            procedures::steps.eq(serde_json::to_string(&p.steps)?),
            procedures::members.eq(serde_json::to_string(&p.members)?),
            procedures::cases.eq(serde_json::to_string(&p.cases)?),
            procedures::representation_allowed.eq(p.representation_allowed),
            procedures::any_desk.eq(p.any_desk),
            procedures::created_at.eq(t),
            procedures::updated_at.eq(t),
        ))
        .execute(conn)?;
    snapshot(conn, &p)?;
    Ok(p)
}

/// Publishes a new version of an existing procedure. The version number is
/// the stored one plus one, whatever the caller passed.
pub fn update(conn: &mut DbConnection, p: &Procedure) -> StoreResult<Procedure> {
    let current: i32 = procedures::table
        .find(p.code.as_str())
        .select(procedures::version)
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let mut p = p.clone();
    p.version = current + 1;
    diesel::update(procedures::table.find(p.code.as_str()))
        .set((
            procedures::version.eq(p.version),
            procedures::name.eq(&p.name),
            procedures::field.eq(&p.field),
            procedures::agency_code.eq(p.agency.as_str()),
            procedures::duration_amount.eq(p.duration.amount as i32),
            procedures::duration_unit.eq(p.duration.unit.as_str()),
            procedures::cutoff_minute.eq(p.duration.cutoff_minute.map(i32::from)),
            procedures::fee_vnd.eq(p.fee_vnd),
            procedures::fee_note.eq(&p.fee_note),
            procedures::legal_basis.eq(&p.legal_basis),
            procedures::result.eq(&p.result),
            procedures::service_level.eq(p.service_level.as_str()),
            procedures::compliance.eq(compliance_json(&p)?),
            procedures::documents.eq(serde_json::to_string(&p.required_documents)?),
            procedures::search_text.eq(search_text(&p)),
            procedures::supplement_policy.eq(p.supplement_policy.as_str()),
            procedures::steps.eq(serde_json::to_string(&p.steps)?),
            procedures::members.eq(serde_json::to_string(&p.members)?),
            procedures::cases.eq(serde_json::to_string(&p.cases)?),
            procedures::representation_allowed.eq(p.representation_allowed),
            procedures::any_desk.eq(p.any_desk),
            procedures::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    snapshot(conn, &p)?;
    Ok(p)
}

pub fn get(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Procedure>> {
    procedures::table
        .find(code)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// A procedure as it was published at a given version.
pub fn get_version(
    conn: &mut DbConnection,
    code: &str,
    version: i32,
) -> StoreResult<Option<Procedure>> {
    let snapshot: Option<String> = procedure_versions::table
        .find((code, version))
        .select(procedure_versions::snapshot)
        .get_result(conn)
        .optional()?;
    snapshot
        .map(|s| serde_json::from_str(&s).map_err(StoreError::from))
        .transpose()
}

/// The versions of a procedure published so far, oldest first, each with
/// when it was published.
pub fn versions(
    conn: &mut DbConnection,
    code: &str,
) -> StoreResult<Vec<(i32, chrono::DateTime<chrono::Utc>)>> {
    let rows: Vec<(i32, chrono::NaiveDateTime)> = procedure_versions::table
        .filter(procedure_versions::procedure_code.eq(code))
        .order(procedure_versions::version.asc())
        .select((procedure_versions::version, procedure_versions::created_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(v, at)| (v, crate::time::from_db(at)))
        .collect())
}

/// Filters for the catalogue list.
#[derive(Debug, Clone, Default)]
pub struct ProcedureFilter {
    pub agency: Option<String>,
    /// Free text, matched accent-insensitively against code, name and field.
    pub text: Option<String>,
    /// Only procedures at this online service level.
    pub service_level: Option<ServiceLevel>,
    pub limit: i64,
    pub offset: i64,
}

pub fn list(conn: &mut DbConnection, f: &ProcedureFilter) -> StoreResult<(Vec<Procedure>, i64)> {
    let build = || {
        let mut q = procedures::table.into_boxed();
        if let Some(agency) = &f.agency {
            q = q.filter(procedures::agency_code.eq(agency.clone()));
        }
        if let Some(level) = f.service_level {
            q = q.filter(procedures::service_level.eq(level.as_str()));
        }
        if let Some(text) = &f.text {
            for word in search_key(text).split(' ').filter(|w| !w.is_empty()) {
                let escaped = word
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                q = q.filter(
                    procedures::search_text
                        .like(format!("%{escaped}%"))
                        .escape('\\'),
                );
            }
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .order(procedures::code.asc())
        .limit(f.limit)
        .offset(f.offset)
        .select(Row::as_select())
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(Row::into_domain)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total))
}

/// How many dossiers of procedure `code` were received in `[from, to)`,
/// any version (the `(procedure_code, received_at)` index).
pub fn received_between(
    conn: &mut DbConnection,
    code: &str,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> StoreResult<i64> {
    use crate::schema::dossiers;
    Ok(dossiers::table
        .filter(dossiers::procedure_code.eq(code))
        .filter(dossiers::received_at.ge(to_db(from)))
        .filter(dossiers::received_at.lt(to_db(to)))
        .count()
        .get_result(conn)?)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(procedures::table.count().get_result(conn)?)
}
