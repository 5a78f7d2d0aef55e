//! Writes dossiers described as the results report reads them
//! ([`ReportDossier`]) into the desk's tables: the dossier, its handovers,
//! its withdrawal event, its supplement requests, its extension, its
//! payment, its rating, a complaint, and the parents of interlinked groups. For tests that check
//! the report's reads and its roll-up on a real database against any
//! history a generator makes. Not used by the server.
//!
//! Needs [`crate::generate::prepare`] (the agencies and the user who
//! receives) and the officers the dossiers name.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::generate::USER_ID;
use crate::reports::ReportDossier;
use crate::schema::{
    dossiers, events, extensions, feedback, handovers, ratings, supplement_requests,
};
use crate::time::to_db;
use crate::{each_backend, DbConnection, StoreResult};

/// Writes `list`, each dossier with the interlinked group it belongs to
/// (a group's parent is written once, held by its first member's agency).
pub fn write(conn: &mut DbConnection, list: &[(ReportDossier, Option<String>)]) -> StoreResult<()> {
    let mut parents: BTreeMap<String, &ReportDossier> = BTreeMap::new();
    for (d, group) in list {
        if let Some(g) = group {
            let first = parents.entry(g.clone()).or_insert(d);
            if d.received_at < first.received_at {
                *first = d;
            }
        }
    }
    conn.write_tx(|conn| -> StoreResult<()> {
        let mut n = 0i64;
        for (g, first) in &parents {
            n += 1;
            dossier(conn, first, &format!("parent-{g}"), g, None, n)?;
        }
        for (d, group) in list {
            n += 1;
            let parent = group.as_ref().map(|g| format!("parent-{g}"));
            dossier(conn, d, &d.id, &d.code, parent.as_deref(), n)?;
            extras(conn, d)?;
        }
        Ok(())
    })
}

/// The dossier's own row (as `id` and `code`, under `parent`).
fn dossier(
    conn: &mut DbConnection,
    d: &ReportDossier,
    id: &str,
    code: &str,
    parent: Option<&str>,
    entry: i64,
) -> StoreResult<()> {
    let holder = d
        .moves
        .last()
        .map_or(d.first_agency.as_str(), |m| m.to_agency.as_str());
    let status = if d.withdrawn_at.is_some() {
        7
    } else {
        d.status_code
    };
    let row = (
        (
            dossiers::id.eq(id),
            dossiers::code.eq(code),
            dossiers::pin_hash.eq(""),
            dossiers::procedure_code.eq(&d.procedure_code),
            dossiers::procedure_version.eq(1),
            dossiers::receiving_agency_code.eq(&d.first_agency),
            dossiers::handling_agency_code.eq(holder),
            dossiers::status_code.eq(status),
            dossiers::channel.eq(d.channel),
            dossiers::applicant_name.eq("Công dân thử"),
            dossiers::applicant_id_number.eq("000000000000"),
            dossiers::documents.eq("[]"),
        ),
        (
            dossiers::fee_vnd.eq(0i64),
            dossiers::book_year.eq(2999),
            dossiers::book_entry.eq(entry),
            dossiers::received_at.eq(to_db(d.received_at)),
            dossiers::due_at.eq(to_db(d.due_at)),
            dossiers::original_due_at.eq(to_db(d.due_at)),
            dossiers::received_by.eq(USER_ID),
            dossiers::created_at.eq(to_db(d.received_at)),
            dossiers::updated_at.eq(to_db(d.received_at)),
            dossiers::procedure_name.eq(&d.procedure_name),
            dossiers::ended_at.eq(d.ended_at.map(to_db)),
            dossiers::verdict.eq(d.verdict.as_deref()),
        ),
        (
            dossiers::parent_id.eq(parent),
            dossiers::assigned_to.eq(d.officer.as_ref().map(|(id, _)| id.as_str())),
            dossiers::supplement_requests
                .eq(i32::try_from(d.supplement_requests.len()).unwrap_or(i32::MAX)),
            dossiers::payment_channel.eq(d.payment_channel.as_deref()),
            dossiers::paid_at.eq(d.paid_at.map(to_db)),
            dossiers::representative.eq(d.represented.then_some(REPRESENTATIVE)),
            dossiers::return_method.eq(d.return_method.as_deref()),
        ),
    );
    each_backend!(conn, |c| diesel::insert_into(dossiers::table)
        .values(row)
        .execute(c))?;
    Ok(())
}

/// The representative of a dossier filed through one.
const REPRESENTATIVE: &str = r#"{"name":"Người thay","id_number":"000000000001","relation":"con","authorisation":{"title":"Giấy ủy quyền","number":null,"issued_on":null,"original":1,"copies":0}}"#;

/// Its handovers, withdrawal, supplement requests and extension.
fn extras(conn: &mut DbConnection, d: &ReportDossier) -> StoreResult<()> {
    let mut started = d.received_at;
    for (i, m) in d.moves.iter().enumerate() {
        let seq = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let row = (
            (
                handovers::id.eq(format!("{}-h{seq}", d.id)),
                handovers::dossier_id.eq(&d.id),
                handovers::seq.eq(seq),
                handovers::from_step.eq(seq - 1),
                handovers::to_step.eq(seq),
                handovers::from_agency.eq(&m.from_agency),
                handovers::to_agency.eq(&m.to_agency),
                handovers::direction.eq("forward"),
                handovers::sent_by.eq(USER_ID),
                handovers::sent_at.eq(to_db(m.at)),
            ),
            (
                handovers::leg_started_at.eq(to_db(started)),
                handovers::leg_budget_seconds.eq(0i64),
                handovers::leg_used_seconds.eq(0i64),
                handovers::leg_verdict.eq(&m.leg_verdict),
            ),
        );
        each_backend!(conn, |c| diesel::insert_into(handovers::table)
            .values(row)
            .execute(c))?;
        started = m.at;
    }
    if let Some(at) = d.withdrawn_at {
        let row = (
            events::subject_type.eq("dossier"),
            events::subject_id.eq(&d.id),
            events::dossier_id.eq(&d.id),
            events::kind.eq("dossier.withdrawn"),
            events::actor_name.eq("Generator"),
            events::at.eq(to_db(at)),
            events::data.eq("{}"),
        );
        each_backend!(conn, |c| diesel::insert_into(events::table)
            .values(row)
            .execute(c))?;
    }
    for (at, number) in &d.supplement_requests {
        let row = (
            supplement_requests::id.eq(format!("{}-s{number}", d.id)),
            supplement_requests::dossier_id.eq(&d.id),
            supplement_requests::number.eq(number),
            supplement_requests::reason.eq("Thiếu"),
            supplement_requests::items.eq("[]"),
            supplement_requests::requested_by.eq(USER_ID),
            supplement_requests::requested_at.eq(to_db(*at)),
        );
        each_backend!(conn, |c| diesel::insert_into(supplement_requests::table)
            .values(row)
            .execute(c))?;
    }
    if let Some(overall) = &d.rating {
        let at = d.ended_at.unwrap_or(d.received_at);
        let row = (
            ratings::dossier_id.eq(&d.id),
            ratings::scores.eq("[2,2,2,2,2,2,2,2,2]"),
            ratings::overall.eq(overall),
            ratings::comment.eq(""),
            ratings::channel.eq("public"),
            ratings::rated_at.eq(to_db(at)),
        );
        each_backend!(conn, |c| diesel::insert_into(ratings::table)
            .values(row)
            .execute(c))?;
    }
    if d.complained {
        let at = to_db(d.ended_at.unwrap_or(d.received_at));
        let row = (
            feedback::id.eq(format!("{}-f", d.id)),
            feedback::reference.eq(format!("F-{}", d.id)),
            feedback::pin_hash.eq(""),
            feedback::name.eq("Công dân thử"),
            feedback::subject.eq("Phản ánh"),
            feedback::content.eq("Phản ánh"),
            feedback::dossier_id.eq(&d.id),
            feedback::agency_code.eq(&d.first_agency),
            feedback::status.eq("accepted"),
            feedback::received_at.eq(at),
            feedback::decided_at.eq(at),
            feedback::updated_at.eq(at),
        );
        each_backend!(conn, |c| diesel::insert_into(feedback::table)
            .values(row)
            .execute(c))?;
    }
    if let Some(at) = d.extended_at {
        let row = (
            extensions::dossier_id.eq(&d.id),
            extensions::reason.eq("Gia hạn"),
            extensions::previous_due_at.eq(to_db(d.due_at)),
            extensions::new_due_at.eq(to_db(d.due_at)),
            extensions::late_notice.eq(false),
            extensions::requested_by.eq(USER_ID),
            extensions::requested_at.eq(to_db(at)),
        );
        each_backend!(conn, |c| diesel::insert_into(extensions::table)
            .values(row)
            .execute(c))?;
    }
    Ok(())
}
