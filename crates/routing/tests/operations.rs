//! The desk's operations below the HTTP layer, each on a real SQLite file
//! and a real PostgreSQL database: intake at the counter and online,
//! handovers and their leg verdicts, supplements, the one extension, the
//! end of processing, the return, interlinked groups, the breach scan and
//! the calendar edit. Each test checks what the operation writes, which
//! mail it puts in the outbox and to whom, and that a refused operation
//! writes and sends nothing. The clock is the test clock (a Tuesday
//! morning in Vietnam, moved on by the tests), never the wall clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDate;
use common::*;
use motcua_calendar::clock::Verdict;
use motcua_calendar::CalendarSettings;
use motcua_domain::throttle::{Bucket, Policy};
use motcua_domain::{Channel, Status, SubmittedDocument};
use motcua_intake::{online, IntakeError};
use motcua_notify::Kind;
use motcua_routing::handover::Destination;
use motcua_routing::ClockError;
use motcua_sla::breach_scan::{self, ScanResult};
use motcua_sla::calendars::{self, CalendarHandle};
use motcua_sla::ops::calendar_edit::{self, DaySetting};
use motcua_sla::ops::finish;
use motcua_store::events::Actor;
use motcua_store::{dossiers, guidance, handovers, lookup, submissions, throttle, DbConnection};
use motcua_store::{Connection, InstrumentationEvent};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn document(code: &str, original: u32, copies: u32) -> SubmittedDocument {
    SubmittedDocument {
        code: code.into(),
        original,
        copies,
    }
}

#[track_caller]
fn assert_forbidden<T: std::fmt::Debug>(r: Result<T, ClockError>) {
    assert!(matches!(r, Err(ClockError::Forbidden(_))), "{r:?}");
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: Result<T, ClockError>) -> String {
    match r {
        Err(ClockError::Conflict(m)) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[track_caller]
fn assert_invalid<T>(r: Result<T, ClockError>, field: &str) {
    assert!(
        matches!(&r, Err(ClockError::Invalid { field: f, .. }) if f == field),
        "expected {field} to be invalid, got {:?}",
        r.err()
    );
}

// ---------------------------------------------------------------- intake

fn a_complete_intake_is_logged_and_mails_the_receipt_only_to_an_applicant_with_an_address(
    backend: Backend,
) {
    let mut d = Desk::new(backend);
    let received = d.intake(MARRIAGE, Some(APPLICANT_EMAIL));
    let code = received.dossier.code.clone();
    assert_eq!(code, format!("{COMMUNE}-261208-0001"));
    let dossier = d.dossier(&code);
    assert_eq!(dossier.status, Status::Received);
    assert_eq!(dossier.channel, Channel::Counter);
    assert_eq!(dossier.handling_agency, COMMUNE);
    // Three working days from Tuesday 09:00: Friday 09:00.
    assert_close(dossier.due_at, d.local("2026-12-11T09:00:00"));
    assert_eq!(dossier.original_due_at, dossier.due_at);
    assert_eq!(d.event_kinds(&code), ["dossier.received"]);

    let mail = d.outbox();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let receipt = &mail[0];
    assert_eq!(receipt.kind, Kind::DossierReceived.as_str());
    assert_eq!(receipt.recipient, APPLICANT_EMAIL);
    assert_eq!(receipt.dossier_id.as_deref(), Some(dossier.id.as_str()));
    assert_eq!(receipt.data["code"], code.as_str());
    assert!(
        receipt.data["appointment_at"]
            .as_str()
            .unwrap()
            .contains("11/12/2026"),
        "{}",
        receipt.data
    );
    assert_eq!(
        receipt.data["lookup_url"],
        format!("http://desk.test/?code={code}").as_str()
    );
    assert!(
        !receipt.data.to_string().contains(&received.pin),
        "the receipt mail never carries the PIN"
    );

    // Without an address: a dossier, and no mail.
    let second = d.intake(MARRIAGE, None);
    assert_eq!(second.dossier.code, format!("{COMMUNE}-261208-0002"));
    assert_eq!(d.count("dossiers"), 2);
    assert_eq!(d.outbox().len(), 1);
}

fn an_incomplete_intake_keeps_its_guidance_slip_and_issues_nothing(backend: Backend) {
    let mut d = Desk::new(backend);
    let clerk = d.clerk.clone();
    // One copy of the identity papers where two are required.
    let req = d.request(
        MARRIAGE,
        Some(APPLICANT_EMAIL),
        vec![document("TK", 1, 0), document("GTTT", 0, 1)],
    );
    let err = motcua_intake::receive(&mut d.conn, &d.calendar, &d.pins, &d.mail, &clerk, &req)
        .unwrap_err();
    let IntakeError::Incomplete {
        slip_id: Some(slip_id),
        missing,
    } = err
    else {
        panic!("expected an incomplete dossier, got {err:?}");
    };
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(
        (
            missing[0].code.as_str(),
            missing[0].copies_required,
            missing[0].copies_given
        ),
        ("GTTT", 2, 1)
    );
    // The slip was committed although the intake failed.
    let slip = guidance::get(&mut d.conn, &slip_id).unwrap().unwrap();
    assert_eq!(slip.agency_code, COMMUNE);
    assert_eq!(slip.issued_by, clerk.user_id);
    assert_eq!(slip.missing, serde_json::json!(missing));
    assert_eq!(d.count("dossiers"), 0);
    assert_eq!(d.count("clock_entries"), 0);
    assert!(d.outbox().is_empty(), "no mail without a dossier");

    // A paper outside the published list is refused outright: no slip.
    let req = d.request(
        MARRIAGE,
        Some(APPLICANT_EMAIL),
        vec![
            document("TK", 1, 0),
            document("GTTT", 0, 2),
            document("SHK", 1, 0),
        ],
    );
    let err = motcua_intake::receive(&mut d.conn, &d.calendar, &d.pins, &d.mail, &clerk, &req)
        .unwrap_err();
    assert!(matches!(err, IntakeError::Invalid(_)), "{err:?}");
    assert_eq!(d.count("guidance_slips"), 1);

    // No dossier number was drawn for either: the next one is the day's first.
    let received = d.intake(MARRIAGE, None);
    assert!(
        received.dossier.code.ends_with("-0001"),
        "{}",
        received.dossier.code
    );
}

fn only_a_clerk_of_the_receiving_desk_logs_a_dossier(backend: Backend) {
    let mut d = Desk::new(backend);
    let complete = d.complete_documents(MARRIAGE);
    let incomplete = vec![document("TK", 1, 0)];
    let strangers = [
        d.district_clerk.clone(),
        d.police_clerk.clone(),
        d.officer.clone(),
    ];
    for staff in &strangers {
        for documents in [complete.clone(), incomplete.clone()] {
            let req = d.request(MARRIAGE, Some(APPLICANT_EMAIL), documents);
            let err =
                motcua_intake::receive(&mut d.conn, &d.calendar, &d.pins, &d.mail, staff, &req)
                    .unwrap_err();
            assert!(
                matches!(err, IntakeError::Forbidden(_)),
                "{}: {err:?}",
                staff.name
            );
        }
    }
    // Naming the commune as the receiving agency does not help.
    let mut req = d.request(MARRIAGE, Some(APPLICANT_EMAIL), complete);
    req.agency = Some(COMMUNE.into());
    let district_clerk = d.district_clerk.clone();
    let err = motcua_intake::receive(
        &mut d.conn,
        &d.calendar,
        &d.pins,
        &d.mail,
        &district_clerk,
        &req,
    )
    .unwrap_err();
    assert!(matches!(err, IntakeError::Forbidden(_)), "{err:?}");
    // A stranger learns nothing and leaves nothing: no slip, no dossier,
    // no event, no mail.
    assert_eq!(d.count("guidance_slips"), 0);
    assert_eq!(d.count("dossiers"), 0);
    assert_eq!(d.count("events"), 0);
    assert!(d.outbox().is_empty());
}

fn an_online_submission_accepted_starts_its_clock_at_acceptance(backend: Backend) {
    let mut d = Desk::new(backend);
    let clerk = d.clerk.clone();
    let documents = d.complete_documents(MARRIAGE);
    let req = d.request(MARRIAGE, Some(APPLICANT_EMAIL), documents);
    let submitted = online::submit(&mut d.conn, &d.pins, &req, "203.0.113.7").unwrap();
    assert!(submitted.missing.is_empty());
    let id = submitted.submission.id.clone();
    assert_eq!(submitted.submission.agency_code, COMMUNE);
    assert_eq!(submitted.submission.status_code, Status::Submitted.code());

    // Only the desk it is addressed to decides it.
    let district_clerk = d.district_clerk.clone();
    let err = online::accept(
        &mut d.conn,
        &d.calendar,
        &d.pins,
        &d.mail,
        &district_clerk,
        &id,
    )
    .unwrap_err();
    assert!(matches!(err, IntakeError::Forbidden(_)), "{err:?}");

    // Accepted the next morning: the clock starts then, not at filing.
    d.at("2026-12-09T10:00:00");
    let accepted = online::accept(&mut d.conn, &d.calendar, &d.pins, &d.mail, &clerk, &id).unwrap();
    assert!(
        accepted.pin.is_empty(),
        "no new PIN: the citizen keeps theirs"
    );
    let dossier = d.dossier(&accepted.dossier.code);
    assert_eq!(dossier.channel, Channel::Online);
    assert_eq!(dossier.status, Status::Received);
    assert_close(dossier.received_at, d.local("2026-12-09T10:00:00"));
    assert_close(dossier.due_at, d.local("2026-12-14T10:00:00"));
    assert_eq!(dossier.pin_hash, submitted.submission.pin_hash);
    let s = submissions::get(&mut d.conn, &id).unwrap().unwrap();
    assert_eq!(s.status_code, Status::Received.code());
    assert_eq!(s.dossier_id.as_deref(), Some(dossier.id.as_str()));
    assert_eq!(s.decided_by.as_deref(), Some(clerk.user_id.as_str()));

    let receipts = d.mail_of(Kind::DossierReceived);
    assert_eq!(recipients(&receipts), [APPLICANT_EMAIL]);
    assert_eq!(receipts[0].dossier_id.as_deref(), Some(dossier.id.as_str()));

    // Decided once: neither accepted again nor refused.
    let err = online::accept(&mut d.conn, &d.calendar, &d.pins, &d.mail, &clerk, &id).unwrap_err();
    assert!(matches!(err, IntakeError::Conflict(_)), "{err:?}");
    let err = online::refuse(&mut d.conn, &d.calendar, &d.mail, &clerk, &id, "Trùng").unwrap_err();
    assert!(matches!(err, IntakeError::Conflict(_)), "{err:?}");
    assert_eq!(d.count("dossiers"), 1);
    assert_eq!(d.outbox().len(), 1);
}

fn an_incomplete_submission_is_not_accepted_but_refused_in_writing(backend: Backend) {
    let mut d = Desk::new(backend);
    let clerk = d.clerk.clone();
    let req = d.request(MARRIAGE, Some(APPLICANT_EMAIL), vec![document("TK", 1, 0)]);
    let submitted = online::submit(&mut d.conn, &d.pins, &req, "203.0.113.7").unwrap();
    assert_eq!(submitted.missing.len(), 1);
    let id = submitted.submission.id.clone();

    let err = online::accept(&mut d.conn, &d.calendar, &d.pins, &d.mail, &clerk, &id).unwrap_err();
    let IntakeError::Incomplete { slip_id, missing } = err else {
        panic!("expected an incomplete submission, got {err:?}");
    };
    assert_eq!(slip_id, None, "the citizen is not at the desk: no slip");
    assert_eq!(missing[0].code, "GTTT");
    // Nothing was kept.
    assert_eq!(d.count("dossiers"), 0);
    assert_eq!(d.count("guidance_slips"), 0);
    assert!(d.outbox().is_empty());
    let s = submissions::get(&mut d.conn, &id).unwrap().unwrap();
    assert_eq!(s.status_code, Status::Submitted.code());

    let err = online::refuse(&mut d.conn, &d.calendar, &d.mail, &clerk, &id, "  ").unwrap_err();
    assert!(matches!(err, IntakeError::Invalid(_)), "{err:?}");
    assert!(d.outbox().is_empty());

    let reason = "Thiếu bản sao giấy tờ tùy thân của hai bên";
    let notice = online::refuse(&mut d.conn, &d.calendar, &d.mail, &clerk, &id, reason).unwrap();
    assert_eq!(notice.reason, reason);
    assert_eq!(notice.decided_by, clerk.name);
    let s = submissions::get(&mut d.conn, &id).unwrap().unwrap();
    assert_eq!(s.status_code, Status::Refused.code());
    assert_eq!(s.refusal_reason.as_deref(), Some(reason));
    let refused = d.mail_of(Kind::Refused);
    assert_eq!(recipients(&refused), [APPLICANT_EMAIL]);
    assert_eq!(refused[0].data["reason"], reason);
    assert_eq!(refused[0].data["code"], id.as_str());

    // Refused once.
    let err = online::refuse(&mut d.conn, &d.calendar, &d.mail, &clerk, &id, reason).unwrap_err();
    assert!(matches!(err, IntakeError::Conflict(_)), "{err:?}");
    assert_eq!(d.outbox().len(), 1);

    // A procedure that cannot be filed online takes no submission.
    let documents = d.complete_documents(RESIDENCE);
    let req = d.request(RESIDENCE, None, documents);
    let err = online::submit(&mut d.conn, &d.pins, &req, "203.0.113.7").unwrap_err();
    assert!(matches!(err, IntakeError::Invalid(_)), "{err:?}");
    assert_eq!(d.count("submissions"), 1);
}

// ------------------------------------------------------------- handovers

fn a_handover_mails_the_receiving_officers_and_holds_the_dossier_until_acknowledged(
    backend: Backend,
) {
    let mut d = Desk::new(backend);
    let (clerk, officer, police) = (d.clerk.clone(), d.officer.clone(), d.police.clone());
    let code = d.intake(RESIDENCE, Some(APPLICANT_EMAIL)).dossier.code;

    // The desk's leg is the clerk's.
    assert_forbidden(d.send(&officer, &code, Destination::Next, ""));
    assert_eq!(d.count("events"), 1);

    d.at("2026-12-08T10:00:00");
    let sent = d.send_on(&clerk, &code);
    assert_eq!(sent.dossier.status, Status::Processing);
    assert_eq!(sent.dossier.handling_agency, POLICE);
    assert_eq!(sent.dossier.current_step, 1);
    assert!(sent.dossier.in_transit);
    let h = &sent.handover;
    assert_eq!(
        (
            h.from_agency.as_str(),
            h.to_agency.as_str(),
            h.direction.as_str()
        ),
        (COMMUNE, POLICE, "forward")
    );
    // Handed on the day of receipt: on time; the desk had until the close
    // of the day (09:00-11:30, 13:30-17:00: six working hours).
    assert_eq!(h.leg_verdict, "on_time");
    assert!((h.leg_budget_seconds - 6 * 3600).abs() <= 1, "{h:?}");
    assert!((h.leg_used_seconds - 3600).abs() <= 1, "{h:?}");

    // Only the active police officer with an address is told: not the
    // retired one, not the police clerk, not the commune's officers.
    let arrived = d.mail_of(Kind::HandoverArrived);
    assert_eq!(recipients(&arrived), ["dung@ca.test"]);
    assert_eq!(arrived[0].data["from_agency"], COMMUNE);
    assert_eq!(
        arrived[0].dossier_id.as_deref(),
        Some(sent.dossier.id.as_str())
    );

    // In transit: neither sent again nor decided, and only the police
    // acknowledge it.
    assert_conflict(d.send(&police, &code, Destination::Next, ""));
    assert_forbidden(d.send(&clerk, &code, Destination::Next, ""));
    assert_conflict(d.processed(&police, &code));
    assert_forbidden(d.acknowledge(&officer, &code));
    let dossier = d.dossier(&code);
    assert_eq!(
        (dossier.status, dossier.verdict),
        (Status::Processing, None)
    );
    assert!(d.mail_of(Kind::ResultReady).is_empty());

    let acknowledged = d.acknowledge(&police, &code).unwrap();
    assert!(!acknowledged.in_transit);
    assert_eq!(acknowledged.handling_agency, POLICE);
    let last = handovers::for_dossier(&mut d.conn, &acknowledged.id)
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.received_by.as_deref(), Some(police.user_id.as_str()));
    assert!(last.received_at.is_some());
    assert_conflict(d.acknowledge(&police, &code));
    assert_eq!(d.mail_of(Kind::HandoverArrived).len(), 1);
    assert_eq!(
        d.event_kinds(&code),
        [
            "dossier.received",
            "dossier.sent",
            "dossier.handover_received"
        ]
    );
}

fn each_leg_is_judged_against_its_own_share_of_the_time(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer, police) = (d.clerk.clone(), d.officer.clone(), d.police.clone());
    // Five working days: due Tuesday 15 December, 09:00.
    let code = d.intake(RESIDENCE, None).dossier.code;

    // The desk hands it on the next day: its leg is late.
    d.at("2026-12-09T10:00:00");
    assert_eq!(d.send_on(&clerk, &code).handover.leg_verdict, "late");
    d.acknowledge(&police, &code).unwrap();

    // Sending back needs an earlier step and a reason.
    assert_invalid(
        d.send(&police, &code, Destination::Back { step: 1 }, "Sai"),
        "step",
    );
    assert_invalid(
        d.send(&police, &code, Destination::Back { step: 0 }, " "),
        "note",
    );

    // The police have 60 % of the five days (three working days, to
    // Monday 10:00) and hand on after one: early.
    d.at("2026-12-10T10:00:00");
    let sent = d.send_on(&police, &code);
    let h = &sent.handover;
    assert_eq!(h.leg_verdict, "early");
    assert!((h.leg_budget_seconds - 3 * 8 * 3600).abs() <= 1, "{h:?}");
    assert_eq!((h.from_step, h.to_step), (1, 2));
    assert_eq!(sent.dossier.handling_agency, COMMUNE);
    // The commune officer with an address is told; the one without is not.
    let arrived = d.mail_of(Kind::HandoverArrived);
    assert_eq!(recipients(&arrived), ["binh@xa.test", "dung@ca.test"]);
    assert_eq!(arrived[1].recipient, "binh@xa.test");

    // The police no longer hold it.
    assert_forbidden(d.send(&police, &code, Destination::Next, ""));
    d.acknowledge(&officer, &code).unwrap();
    // The last step ends with the decision, not a handover.
    let m = assert_conflict(d.send(&officer, &code, Destination::Next, ""));
    assert!(m.contains("last step"), "{m}");
    let finished = d.processed(&officer, &code).unwrap();
    assert_eq!(finished.verdict, Verdict::Early);
    let legs: Vec<String> = handovers::for_dossier(&mut d.conn, &finished.dossier.id)
        .unwrap()
        .into_iter()
        .map(|h| h.leg_verdict)
        .collect();
    assert_eq!(legs, ["late", "early"]);
}

/// A dossier sent back to the desk starts a new desk leg there, and the
/// desk "hands the dossier on the day it received it" (docs/desk.md, Leg
/// verdicts) counting from when it acknowledged it, not from the
/// dossier's first receipt: a desk handing a returned dossier on within
/// the hour is on time.
fn a_desk_leg_after_a_send_back_counts_from_its_own_start(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, police) = (d.clerk.clone(), d.police.clone());
    let code = d.intake(RESIDENCE, None).dossier.code;
    d.at("2026-12-08T10:00:00");
    d.send_on(&clerk, &code);
    d.acknowledge(&police, &code).unwrap();
    d.at("2026-12-10T10:00:00");
    let back = d
        .send(
            &police,
            &code,
            Destination::Back { step: 0 },
            "Thiếu chữ ký của người khai",
        )
        .unwrap();
    assert_eq!(back.handover.direction, "back");
    assert_eq!(
        (
            back.dossier.handling_agency.as_str(),
            back.dossier.current_step
        ),
        (COMMUNE, 0)
    );
    d.acknowledge(&clerk, &code).unwrap();
    d.at("2026-12-10T10:30:00");
    let again = d.send_on(&clerk, &code);
    assert!(
        again.handover.leg_budget_seconds > 0,
        "{:?}",
        again.handover
    );
    assert_eq!(again.handover.leg_verdict, "on_time");
}

// ------------------------------------------------------------ the clock

fn a_supplement_request_pauses_the_clock_and_the_wait_moves_the_appointment(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer, police) = (d.clerk.clone(), d.officer.clone(), d.police.clone());
    let code = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    let needed = [item("GTTT", "Bản sao căn cước công dân còn hạn")];

    // Checked before anything is written.
    assert_invalid(d.ask_supplement(&officer, &code, "Thiếu", &[]), "items");
    assert_invalid(
        d.ask_supplement(&officer, &code, "Thiếu", &[item("GTTT", " ")]),
        "items[0].name",
    );
    assert_invalid(d.ask_supplement(&officer, &code, " ", &needed), "reason");
    assert_forbidden(d.ask_supplement(&police, &code, "Thiếu", &needed));
    assert_forbidden(d.ask_supplement(&clerk, &code, "Thiếu", &needed));
    assert_eq!(d.dossier(&code).status, Status::Received);
    assert!(d.mail_of(Kind::SupplementRequested).is_empty());

    let asked_at = d.at("2026-12-09T09:00:00");
    let reason = "Giấy tờ tùy thân đã hết hạn";
    let out = d.ask_supplement(&officer, &code, reason, &needed).unwrap();
    assert!(!out.counts_late);
    assert_eq!(out.request.number, 1);
    assert_eq!(out.dossier.status, Status::SupplementRequested);
    assert_close(out.dossier.paused_since.unwrap(), asked_at);
    let asked = d.mail_of(Kind::SupplementRequested);
    assert_eq!(recipients(&asked), [APPLICANT_EMAIL]);
    assert_eq!(
        asked[0].data["items"],
        serde_json::json!(["Bản sao căn cước công dân còn hạn"])
    );
    assert_eq!(asked[0].data["reason"], reason);

    // The citizen comes back a working day later; the desk logs it.
    d.at("2026-12-10T09:00:00");
    assert_forbidden(d.log_supplement(&officer, &code));
    let got = d.log_supplement(&clerk, &code).unwrap();
    assert!(
        (got.shift_seconds - 8 * 3600).abs() <= 1,
        "{}",
        got.shift_seconds
    );
    assert_eq!(got.dossier.status, Status::Processing);
    assert_eq!(got.dossier.paused_since, None);
    // The appointment moved by the day waited; the printed one did not.
    assert_close(got.dossier.due_at, d.local("2026-12-14T09:00:00"));
    assert_close(got.dossier.original_due_at, d.local("2026-12-11T09:00:00"));
    let m = assert_conflict(d.log_supplement(&clerk, &code));
    assert!(m.contains("not waiting for a supplement"), "{m}");

    // Processed on the moved appointment's day, before its hour: on time,
    // though after the printed appointment.
    d.at("2026-12-14T08:00:00");
    assert_eq!(
        d.processed(&officer, &code).unwrap().verdict,
        Verdict::OnTime
    );
}

fn a_second_supplement_request_makes_the_dossier_late(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer) = (d.clerk.clone(), d.officer.clone());
    let twice = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    let once = d.intake(MARRIAGE, None).dossier.code;
    let needed = [item("GTTT", "Bản sao căn cước công dân")];

    d.at("2026-12-08T10:00:00");
    for code in [&twice, &once] {
        let out = d.ask_supplement(&officer, code, "Thiếu", &needed).unwrap();
        assert!(!out.counts_late);
    }
    d.at("2026-12-08T11:00:00");
    d.log_supplement(&clerk, &twice).unwrap();
    d.log_supplement(&clerk, &once).unwrap();

    d.at("2026-12-09T09:00:00");
    let out = d
        .ask_supplement(&officer, &twice, "Còn thiếu", &needed)
        .unwrap();
    assert!(out.counts_late);
    assert_eq!(out.request.number, 2);
    assert_eq!(out.dossier.supplement_requests, 2);
    d.at("2026-12-09T10:00:00");
    d.log_supplement(&clerk, &twice).unwrap();

    // Both end two days before the appointment: only the one asked twice
    // is late.
    d.at("2026-12-09T11:00:00");
    assert_eq!(
        d.processed(&officer, &twice).unwrap().verdict,
        Verdict::Late
    );
    assert_eq!(
        d.processed(&officer, &once).unwrap().verdict,
        Verdict::Early
    );
    assert_eq!(d.dossier(&twice).verdict.map(|v| v.as_str()), Some("late"));
    // Each request was mailed (the second applicant gave no address).
    assert_eq!(d.mail_of(Kind::SupplementRequested).len(), 2);
}

fn the_appointment_is_extended_once_to_a_later_working_day(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer) = (d.clerk.clone(), d.officer.clone());
    let code = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    let other = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    let wednesday = d.local("2026-12-16T09:00:00");
    let reason = "Chờ kết quả xác minh";

    assert_forbidden(d.extend(&clerk, &code, reason, wednesday));
    assert_invalid(d.extend(&officer, &code, " ", wednesday), "reason");
    // Not before the current appointment (Friday 09:00), not on a Saturday.
    let thursday = d.local("2026-12-10T16:00:00");
    assert_invalid(d.extend(&officer, &code, reason, thursday), "new_due_at");
    let saturday = d.local("2026-12-12T09:00:00");
    assert_invalid(d.extend(&officer, &code, reason, saturday), "new_due_at");
    assert!(d.mail_of(Kind::Extended).is_empty());
    assert_eq!(d.dossier(&code).clock_version, 1);

    let e = d.extend(&officer, &code, reason, wednesday).unwrap();
    assert!(!e.extension.late_notice, "three working days ahead");
    assert_close(e.extension.previous_due_at, d.local("2026-12-11T09:00:00"));
    assert_eq!(e.dossier.due_at, wednesday);
    assert_close(e.dossier.original_due_at, d.local("2026-12-11T09:00:00"));
    assert_eq!(e.dossier.clock_version, 2);
    let extended = d.mail_of(Kind::Extended);
    assert_eq!(recipients(&extended), [APPLICANT_EMAIL]);
    assert_eq!(extended[0].data["reason"], reason);
    assert!(
        extended[0].data["new_appointment_at"]
            .as_str()
            .unwrap()
            .contains("16/12/2026"),
        "{}",
        extended[0].data
    );

    // Once only.
    let later = d.local("2026-12-18T09:00:00");
    let m = assert_conflict(d.extend(&officer, &code, reason, later));
    assert!(m.contains("already extended"), "{m}");
    assert_eq!(d.dossier(&code).due_at, wednesday);
    assert_eq!(d.mail_of(Kind::Extended).len(), 1);

    // Less than a working day before the appointment: accepted, flagged.
    d.at("2026-12-10T11:00:00");
    let e = d.extend(&officer, &other, reason, wednesday).unwrap();
    assert!(e.extension.late_notice);

    // The verdict keeps to the original appointment: processed before the
    // new one but after the printed one, the dossier is late.
    d.at("2026-12-14T09:00:00");
    assert_eq!(d.processed(&officer, &code).unwrap().verdict, Verdict::Late);
}

// --------------------------------------------------- the end of processing

fn processing_ends_with_a_verdict_against_the_appointment_and_tells_the_citizen(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer, police) = (d.clerk.clone(), d.officer.clone(), d.police.clone());
    // All due Friday 09:00.
    let early = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier;
    let on_time = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier;
    let late = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier;
    let unmailed = d.intake(MARRIAGE, None).dossier;

    assert_forbidden(d.processed(&clerk, &early.code));
    assert_forbidden(d.processed(&police, &early.code));
    // The mail is part of the change: rolled back with it, nothing is sent.
    let rolled_back: Result<(), ClockError> = d.conn.write_tx(|conn| {
        let f = finish::processed(conn, &d.calendar, &d.mail, &officer, &early.code, "x")?;
        assert_eq!(f.dossier.status, Status::Processed);
        Err(ClockError::Conflict("the caller gave up".into()))
    });
    assert!(rolled_back.is_err());
    assert_eq!(d.dossier(&early.code).status, Status::Received);
    assert!(d.mail_of(Kind::ResultReady).is_empty());

    d.at("2026-12-09T09:00:00");
    assert_eq!(
        d.processed(&officer, &early.code).unwrap().verdict,
        Verdict::Early
    );
    d.at("2026-12-11T08:00:00");
    assert_eq!(
        d.processed(&officer, &on_time.code).unwrap().verdict,
        Verdict::OnTime
    );
    d.at("2026-12-11T10:00:00");
    let f = d.processed(&officer, &late.code).unwrap();
    assert_eq!(f.verdict, Verdict::Late);
    assert_eq!(f.dossier.status, Status::Processed);
    assert_eq!(f.dossier.verdict.map(|v| v.as_str()), Some("late"));
    assert_eq!(f.dossier.result_note, "Đã cấp giấy chứng nhận");
    assert_close(f.dossier.ended_at.unwrap(), d.local("2026-12-11T10:00:00"));
    assert_eq!(
        d.processed(&officer, &unmailed.code).unwrap().verdict,
        Verdict::Late
    );

    let ready = d.mail_of(Kind::ResultReady);
    let about: Vec<_> = ready
        .iter()
        .map(|m| m.dossier_id.clone().unwrap())
        .collect();
    assert_eq!(
        about,
        [early.id.clone(), on_time.id.clone(), late.id.clone()]
    );
    assert_eq!(recipients(&ready), [APPLICANT_EMAIL; 3]);

    // Ended once.
    let again = d.processed(&officer, &early.code);
    assert!(
        matches!(
            again,
            Err(ClockError::Transition {
                from: Status::Processed,
                ..
            })
        ),
        "{again:?}"
    );
    assert_eq!(d.mail_of(Kind::ResultReady).len(), 3);
}

fn a_stop_while_waiting_for_the_citizen_is_judged_at_the_pause(backend: Backend) {
    let mut d = Desk::new(backend);
    let officer = d.officer.clone();
    let waiting = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    let running = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;

    assert_invalid(d.stop(&officer, &waiting, "  "), "reason");
    d.at("2026-12-09T09:00:00");
    d.ask_supplement(&officer, &waiting, "Thiếu", &[item("GTTT", "Bản sao")])
        .unwrap();

    // The citizen never came back; the appointment passed long ago.
    d.at("2026-12-15T09:00:00");
    let reason = "Công dân không bổ sung hồ sơ";
    let f = d.stop(&officer, &waiting, reason).unwrap();
    assert_eq!(
        f.verdict,
        Verdict::Early,
        "ended at the pause, on Wednesday"
    );
    assert_eq!(f.dossier.status, Status::Stopped);
    assert_eq!(f.dossier.result_note, reason);
    // A running dossier stopped after its appointment is late.
    assert_eq!(
        d.stop(&officer, &running, reason).unwrap().verdict,
        Verdict::Late
    );

    let stopped = d.mail_of(Kind::Stopped);
    assert_eq!(stopped.len(), 2);
    assert_eq!(stopped[0].data["reason"], reason);
    assert!(d.mail_of(Kind::ResultReady).is_empty());
}

fn the_desk_returns_the_result_and_a_refused_return_writes_nothing(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer, district_clerk) =
        (d.clerk.clone(), d.officer.clone(), d.district_clerk.clone());
    let code = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    let open = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    d.at("2026-12-08T10:00:00");
    d.processed(&officer, &code).unwrap();
    let events_before = d.count("events");

    assert_invalid(
        d.return_result(&clerk, &code, "Lê Văn Tâm", "fax"),
        "method",
    );
    assert_invalid(
        d.return_result(&clerk, &code, " ", "counter"),
        "collected_by",
    );
    assert_forbidden(d.return_result(&district_clerk, &code, "Lê Văn Tâm", "counter"));
    assert_forbidden(d.return_result(&officer, &code, "Lê Văn Tâm", "counter"));
    // Not before the result is ready.
    let r = d.return_result(&clerk, &open, "Lê Văn Tâm", "counter");
    assert!(
        matches!(
            r,
            Err(ClockError::Transition {
                from: Status::Received,
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(d.count("events"), events_before);
    assert_eq!(d.dossier(&code).status, Status::Processed);
    assert!(d.mail_of(Kind::Returned).is_empty());

    d.at("2026-12-09T09:00:00");
    let back = d
        .return_result(&clerk, &code, "Lê Văn Tâm", "post")
        .unwrap();
    assert_eq!(back.status, Status::Returned);
    assert_eq!(back.returned_to.as_deref(), Some("Lê Văn Tâm"));
    assert_eq!(back.return_method.map(|m| m.as_str()), Some("post"));
    assert_close(back.returned_at.unwrap(), d.local("2026-12-09T09:00:00"));
    let returned = d.mail_of(Kind::Returned);
    assert_eq!(recipients(&returned), [APPLICANT_EMAIL]);
    assert_eq!(returned[0].dossier_id.as_deref(), Some(back.id.as_str()));
    assert!(
        returned[0].data["returned_at"]
            .as_str()
            .unwrap()
            .contains("09/12/2026"),
        "{}",
        returned[0].data
    );
    let r = d.return_result(&clerk, &code, "Lê Văn Tâm", "counter");
    assert!(matches!(r, Err(ClockError::Transition { .. })), "{r:?}");
    assert_eq!(d.mail_of(Kind::Returned).len(), 1);
}

// ------------------------------------------------------------------ groups

/// Logs a group at the commune desk and sends its members on: the first
/// to the commune's officers, the second to the police; both
/// acknowledged. Returns the group's code and its members' codes.
fn group_under_way(d: &mut Desk) -> (String, [String; 2]) {
    let (clerk, officer, police) = (d.clerk.clone(), d.officer.clone(), d.police.clone());
    let group = d.intake(GROUP, Some(APPLICANT_EMAIL)).dossier;
    let mut members = dossiers::children(&mut d.conn, &group.id).unwrap();
    members.sort_by(|a, b| a.code.cmp(&b.code));
    let members = [members[0].code.clone(), members[1].code.clone()];
    assert_eq!(
        members,
        [format!("{}-1", group.code), format!("{}-2", group.code)]
    );
    d.at("2026-12-08T10:00:00");
    assert_eq!(
        d.send_on(&clerk, &members[0]).dossier.handling_agency,
        COMMUNE
    );
    assert_eq!(d.dossier(&group.code).status, Status::Processing);
    assert_eq!(
        d.send_on(&clerk, &members[1]).dossier.handling_agency,
        POLICE
    );
    d.acknowledge(&officer, &members[0]).unwrap();
    d.acknowledge(&police, &members[1]).unwrap();
    (group.code, members)
}

fn a_group_ends_with_its_last_member_and_the_citizen_gets_one_result_mail(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer, police) = (d.clerk.clone(), d.officer.clone(), d.police.clone());
    let (group, [birth, residence]) = group_under_way(&mut d);
    let group_id = d.dossier(&group).id;
    // One receipt, for the group.
    let receipts = d.mail_of(Kind::DossierReceived);
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].dossier_id.as_deref(), Some(group_id.as_str()));

    // The group is not decided while a member is open.
    let m = assert_conflict(d.processed(&officer, &group));
    assert!(m.contains(&birth) && m.contains(&residence), "{m}");
    // Each member is decided by its own agency.
    assert_forbidden(d.processed(&officer, &residence));

    d.at("2026-12-08T11:00:00");
    d.processed(&officer, &birth).unwrap();
    assert_eq!(d.dossier(&group).status, Status::Processing);
    assert!(
        d.mail_of(Kind::ResultReady).is_empty(),
        "members mail no citizen"
    );

    d.at("2026-12-09T09:00:00");
    d.processed(&police, &residence).unwrap();
    let g = d.dossier(&group);
    assert_eq!(g.status, Status::Processed);
    assert_eq!(g.verdict.map(|v| v.as_str()), Some("early"));
    let ready = d.mail_of(Kind::ResultReady);
    assert_eq!(recipients(&ready), [APPLICANT_EMAIL], "one mail: {ready:?}");
    assert_eq!(ready[0].dossier_id.as_deref(), Some(group_id.as_str()));
    assert_eq!(ready[0].data["code"], group.as_str());

    // The desk returns the group with its members, in one mail.
    let back = d
        .return_result(&clerk, &group, "Lê Văn Tâm", "counter")
        .unwrap();
    assert_eq!(back.status, Status::Returned);
    for m in [&birth, &residence] {
        assert_eq!(d.dossier(m).status, Status::Returned);
    }
    let returned = d.mail_of(Kind::Returned);
    assert_eq!(returned.len(), 1);
    assert_eq!(returned[0].dossier_id.as_deref(), Some(group_id.as_str()));
    // No mail about a member ever went to the citizen.
    let citizen_mail = d
        .outbox()
        .into_iter()
        .filter(|m| m.recipient == APPLICANT_EMAIL)
        .collect::<Vec<_>>();
    assert!(
        citizen_mail
            .iter()
            .all(|m| m.dossier_id.as_deref() == Some(group_id.as_str())),
        "{citizen_mail:?}"
    );
}

fn a_group_whose_members_all_stop_stops_with_their_reasons(backend: Backend) {
    let mut d = Desk::new(backend);
    let (officer, police) = (d.officer.clone(), d.police.clone());
    let (group, [birth, residence]) = group_under_way(&mut d);
    d.at("2026-12-08T11:00:00");
    d.stop(&officer, &birth, "Thiếu giấy chứng sinh").unwrap();
    assert_eq!(d.dossier(&group).status, Status::Processing);
    assert!(d.mail_of(Kind::Stopped).is_empty());
    d.stop(&police, &residence, "Chỗ ở không hợp pháp").unwrap();

    let g = d.dossier(&group);
    assert_eq!(g.status, Status::Stopped);
    let stopped = d.mail_of(Kind::Stopped);
    assert_eq!(recipients(&stopped), [APPLICANT_EMAIL]);
    assert_eq!(stopped[0].dossier_id.as_deref(), Some(g.id.as_str()));
    let reason = stopped[0].data["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("{birth}: Thiếu giấy chứng sinh"))
            && reason.contains(&format!("{residence}: Chỗ ở không hợp pháp")),
        "{reason}"
    );
    assert!(d.mail_of(Kind::ResultReady).is_empty());
}

/// docs/desk.md: "when the last member ends, the group ends too". A
/// member withdrawn by the citizen ends (7) too: a group whose last open
/// member is withdrawn ends with its processed members' result, and its
/// citizen gets the result mail.
fn a_group_ends_when_its_last_open_member_is_withdrawn(backend: Backend) {
    let mut d = Desk::new(backend);
    let (clerk, officer) = (d.clerk.clone(), d.officer.clone());
    let (group, [birth, residence]) = group_under_way(&mut d);
    d.processed(&officer, &birth).unwrap();
    motcua_routing::lifecycle::withdraw(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &clerk,
        &residence,
        "Công dân rút phần đăng ký thường trú",
    )
    .unwrap();
    assert_eq!(d.dossier(&group).status, Status::Processed);
    assert_eq!(d.mail_of(Kind::ResultReady).len(), 1);
}

// ------------------------------------------------------------ the scan

fn the_breach_scan_records_each_breach_once_per_clock_state_and_mails_officers_once(
    backend: Backend,
) {
    let mut d = Desk::new(backend);
    let officer = d.officer.clone();
    let day = 8 * 3600;
    // Both due Friday 09:00; the second waits for the citizen.
    let running = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    let paused = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier.code;
    d.at("2026-12-08T10:00:00");
    d.ask_supplement(&officer, &paused, "Thiếu", &[item("GTTT", "Bản sao")])
        .unwrap();
    let scan = |d: &mut Desk| {
        let now = d.now();
        breach_scan::scan(&mut d.conn, &d.calendar, &d.mail, now, day).unwrap()
    };

    // Thursday 10:00: a working day or less left.
    d.at("2026-12-10T10:00:00");
    assert_eq!(
        scan(&mut d),
        ScanResult {
            overdue: 0,
            due_soon: 1
        }
    );
    let due_soon = d.mail_of(Kind::DueSoon);
    assert_eq!(
        recipients(&due_soon),
        ["binh@xa.test"],
        "officers of the holder with an address"
    );
    assert_eq!(due_soon[0].dossier_id, Some(d.dossier(&running).id));
    assert_eq!(scan(&mut d), ScanResult::default());
    d.at("2026-12-10T11:00:00");
    assert_eq!(scan(&mut d), ScanResult::default());

    // Friday 10:00: overdue, recorded and mailed once.
    d.at("2026-12-11T10:00:00");
    assert_eq!(
        scan(&mut d),
        ScanResult {
            overdue: 1,
            due_soon: 0
        }
    );
    assert_eq!(scan(&mut d), ScanResult::default());
    assert_eq!(recipients(&d.mail_of(Kind::Overdue)), ["binh@xa.test"]);
    assert_eq!(d.mail_of(Kind::DueSoon).len(), 1);
    assert_eq!(d.count("breaches"), 2);

    // Extended, the dossier has a new clock state: overdue again is
    // recorded again, once. The paused one is never recorded.
    let wednesday = d.local("2026-12-16T09:00:00");
    d.extend(&officer, &running, "Chờ xác minh", wednesday)
        .unwrap();
    d.at("2026-12-16T10:00:00");
    assert_eq!(
        scan(&mut d),
        ScanResult {
            overdue: 1,
            due_soon: 0
        }
    );
    assert_eq!(scan(&mut d), ScanResult::default());
    assert_eq!(d.mail_of(Kind::Overdue).len(), 2);
    assert_eq!(d.count("breaches"), 3);
}

// --------------------------------------------------------- the calendar

fn a_calendar_edit_moves_open_appointments_and_tells_their_citizens(backend: Backend) {
    let mut d = Desk::new(backend);
    let officer = d.officer.clone();
    let handle = CalendarHandle::load(&mut d.conn, CalendarSettings::default()).unwrap();
    d.calendar = (*handle.current()).clone();
    // All due Friday 09:00.
    let mailed = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier;
    let unmailed = d.intake(MARRIAGE, None).dossier;
    let closed = d.intake(MARRIAGE, Some(APPLICANT_EMAIL)).dossier;
    d.processed(&officer, &closed.code).unwrap();
    let mails_before = d.outbox().len();
    let admin = Actor {
        id: Some("u-admin".into()),
        name: "Quản trị hệ thống".into(),
    };
    let thursday = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    let edit = |d: &mut Desk, setting: Option<&DaySetting>| {
        calendar_edit::edit_day(&mut d.conn, &handle, &d.mail, &admin, thursday, setting)
    };
    let setting = |kind: &str, reason: &str| DaySetting {
        kind: kind.into(),
        reason: reason.into(),
    };

    assert_invalid(edit(&mut d, Some(&setting("holiday", "Nghỉ"))), "kind");
    assert_invalid(edit(&mut d, Some(&setting("day_off", " "))), "reason");
    let r = edit(&mut d, None);
    assert!(
        matches!(r, Err(ClockError::Missing(_))),
        "nothing to remove"
    );
    assert_eq!(calendars::stored_version(&mut d.conn).unwrap(), 0);

    let edited = edit(&mut d, Some(&setting("day_off", "Quyết định nghỉ bù"))).unwrap();
    assert_eq!(
        edited.moved_dossiers,
        [mailed.code.clone(), unmailed.code.clone()]
    );
    assert!(!handle.current().is_working_day(thursday), "put in force");
    assert_eq!(calendars::stored_version(&mut d.conn).unwrap(), 1);
    let moved = d.dossier(&mailed.code);
    assert_close(moved.due_at, d.local("2026-12-14T09:00:00"));
    assert_eq!(moved.clock_version, 2);
    assert_eq!(d.dossier(&closed.code).due_at, closed.due_at);
    assert!(d
        .event_kinds(&mailed.code)
        .contains(&"dossier.due_recomputed".to_string()));
    let told = d.mail_of(Kind::AppointmentMoved);
    assert_eq!(recipients(&told), [APPLICANT_EMAIL]);
    assert_eq!(told[0].dossier_id.as_deref(), Some(mailed.id.as_str()));
    assert!(
        told[0].data["new_appointment_at"]
            .as_str()
            .unwrap()
            .contains("14/12/2026"),
        "{}",
        told[0].data
    );
    assert_eq!(d.outbox().len(), mails_before + 1);

    // Removing the edit moves them back, and says so.
    let edited = edit(&mut d, None).unwrap();
    assert_eq!(edited.moved_dossiers.len(), 2);
    assert!(handle.current().is_working_day(thursday));
    assert_close(
        d.dossier(&mailed.code).due_at,
        d.local("2026-12-11T09:00:00"),
    );
    assert_eq!(d.mail_of(Kind::AppointmentMoved).len(), 2);
}

// ------------------------------------------------------- public look-up

/// Runs `f` on a connection of its own that counts the statements it
/// sends; returns what `f` returned and the count.
fn counting<T>(d: &Desk, f: impl FnOnce(&mut DbConnection) -> T) -> (T, usize) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let mut conn = DbConnection::open(d.database_url()).unwrap();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    let out = f(&mut conn);
    (out, count.load(Ordering::SeqCst))
}

fn the_public_look_up_reads_the_lock_and_the_dossier_in_one_statement(backend: Backend) {
    let mut d = Desk::new(backend);
    let marriage = d.intake(MARRIAGE, None).dossier;
    let group = d.intake(GROUP, None).dossier;
    let now = motcua_store::time::now();
    let buckets = [
        format!("pin-code:{}", marriage.code),
        "pin-address:192.0.2.9".to_string(),
    ];
    let keys = [buckets[0].as_str(), buckets[1].as_str()];

    let (unknown, statements) = counting(&d, |c| lookup::find(c, keys, "H53.50-000000-0000", now));
    let unknown = unknown.unwrap();
    assert_eq!(statements, 1, "an unknown code");
    assert!(unknown.found.is_none() && unknown.locked_until.is_none());

    let (seen, statements) = counting(&d, |c| lookup::find(c, keys, &marriage.code, now));
    assert_eq!(statements, 1, "a dossier");
    let found = seen.unwrap().found.unwrap();
    assert_eq!(found.dossier.id, marriage.id);
    assert_eq!(found.agency_name, "Ủy ban nhân dân xã An Trường");
    assert_eq!(found.pin.key, marriage.code, "keyed with the code");
    assert_eq!(found.pin.hash, marriage.pin_hash);
    assert!(!found.has_parts);
    let (seen, _) = counting(&d, |c| lookup::find(c, keys, &group.code, now));
    assert!(seen.unwrap().found.unwrap().has_parts, "a group has parts");

    // Wrong PINs lock the code's bucket: the same statement says so, for
    // the dossier and for any code looked up from that bucket.
    let bucket = Bucket::new("pin-code", &marriage.code, Policy::PIN_CODE);
    for _ in 0..Policy::PIN_CODE.free {
        throttle::record(&mut d.conn, std::slice::from_ref(&bucket), now).unwrap();
    }
    let (seen, statements) = counting(&d, |c| lookup::find(c, keys, &marriage.code, now));
    assert_eq!(statements, 1, "a locked bucket");
    let seen = seen.unwrap();
    let until = seen.locked_until.expect("the bucket is locked");
    assert!(until > now);
    assert!(seen.found.is_some());
    let later = until + chrono::Duration::seconds(1);
    let (seen, _) = counting(&d, |c| lookup::find(c, keys, &marriage.code, later));
    assert!(seen.unwrap().locked_until.is_none(), "the lock has passed");
}

on_both_backends!(
    a_complete_intake_is_logged_and_mails_the_receipt_only_to_an_applicant_with_an_address,
    an_incomplete_intake_keeps_its_guidance_slip_and_issues_nothing,
    only_a_clerk_of_the_receiving_desk_logs_a_dossier,
    an_online_submission_accepted_starts_its_clock_at_acceptance,
    an_incomplete_submission_is_not_accepted_but_refused_in_writing,
    a_handover_mails_the_receiving_officers_and_holds_the_dossier_until_acknowledged,
    each_leg_is_judged_against_its_own_share_of_the_time,
    a_supplement_request_pauses_the_clock_and_the_wait_moves_the_appointment,
    a_second_supplement_request_makes_the_dossier_late,
    the_appointment_is_extended_once_to_a_later_working_day,
    processing_ends_with_a_verdict_against_the_appointment_and_tells_the_citizen,
    a_stop_while_waiting_for_the_citizen_is_judged_at_the_pause,
    the_desk_returns_the_result_and_a_refused_return_writes_nothing,
    a_group_ends_with_its_last_member_and_the_citizen_gets_one_result_mail,
    a_group_whose_members_all_stop_stops_with_their_reasons,
    the_breach_scan_records_each_breach_once_per_clock_state_and_mails_officers_once,
    a_calendar_edit_moves_open_appointments_and_tells_their_citizens,
    a_group_ends_when_its_last_open_member_is_withdrawn,
    a_desk_leg_after_a_send_back_counts_from_its_own_start,
    the_public_look_up_reads_the_lock_and_the_dossier_in_one_statement,
);
