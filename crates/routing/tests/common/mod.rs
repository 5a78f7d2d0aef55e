//! The desk the operation tests work on: one scratch database per test
//! (a SQLite file or a PostgreSQL database, `tests/common/db.rs` of the
//! workspace), migrated, with a commune desk, the commune police, a
//! district desk, their staff and a few procedures, a test clock set on
//! an ordinary Tuesday morning, the working calendar and the desk's mail.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/common/db.rs"]
mod db;

pub use db::{Backend, ScratchDb};

use chrono::{DateTime, NaiveDateTime, Utc};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use motcua_domain::Dossier;
use motcua_domain::{
    Agency, AgencyCode, AgencyLevel, Procedure, ProcedureCode, ProcessStep, RequiredDocument, Role,
    StaffMember, StatutoryDuration, SubmittedDocument, SupplementPolicy,
};
use motcua_intake::{ApplicantInput, IntakeRequest, PinHasher, ReceivedDossier};
use motcua_notify::outbox::{self, OutboxFilter, OutboxRow};
use motcua_notify::{DeskMail, Kind};
use motcua_routing::handover::{self, Destination, Sent};
use motcua_routing::{lifecycle, ClockError};
use motcua_sla::ops::extension::{self, Extended};
use motcua_sla::ops::finish::{self, Finished};
use motcua_sla::ops::supplement::{self, NeededItem, SupplementOutcome, SupplementReceived};
use motcua_store::dossiers;
use motcua_store::time::Clock;
use motcua_store::users::{self, User};
use motcua_store::{agencies, events, procedures, Database, PooledConnection};

pub const DISTRICT: &str = "H53.50";
pub const COMMUNE: &str = "H53.50.05.13";
pub const POLICE: &str = "H53.50.05.13.01";

/// Received at the commune desk, decided by the commune's officers (no
/// plan): three working days.
pub const MARRIAGE: &str = "1.000894";
/// Received at the commune desk, checked by the police (60 %), signed by
/// the commune (40 %): five working days.
pub const RESIDENCE: &str = "1.004222";
/// Group member decided at the commune: one working day.
pub const BIRTH: &str = "1.001193";
/// Group member decided by the police: five working days.
pub const CHILD_RESIDENCE: &str = "1.004230";
/// Interlinked group of BIRTH and CHILD_RESIDENCE: ten working days.
pub const GROUP: &str = "LT.KS-TT";

pub const APPLICANT_EMAIL: &str = "tam.le@example.vn";

/// Tuesday 8 December 2026, 09:00 in Vietnam.
pub const START: &str = "2026-12-08T09:00:00";

pub struct Desk {
    pub backend: Backend,
    pub db: Database,
    pub conn: PooledConnection,
    pub clock: Clock,
    pub calendar: WorkingCalendar,
    pub mail: DeskMail,
    pub pins: PinHasher,
    /// Counter clerk of the commune (with an address: never mailed
    /// handovers).
    pub clerk: StaffMember,
    /// Commune officer with an address.
    pub officer: StaffMember,
    /// Commune officer without an address.
    pub officer_unmailed: StaffMember,
    /// Police officer with an address.
    pub police: StaffMember,
    /// Police clerk with an address.
    pub police_clerk: StaffMember,
    /// Clerk of the district desk.
    pub district_clerk: StaffMember,
    _scratch: ScratchDb,
}

pub fn calendar() -> WorkingCalendar {
    WorkingCalendar::for_years(
        CalendarSettings::default(),
        2024..=2027,
        &YearAdjustments::vn_public_servants().unwrap(),
    )
}

fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn agency(c: &str, name: &str, level: AgencyLevel, parent: Option<&str>) -> Agency {
    Agency {
        code: code(c),
        name: name.into(),
        level,
        parent: parent.map(code),
        address: format!("Trụ sở {name}"),
    }
}

fn doc(c: &str, name: &str, original: u32, copies: u32) -> RequiredDocument {
    RequiredDocument {
        code: c.into(),
        name: name.into(),
        original,
        copies,
        optional: false,
    }
}

fn procedure(
    c: &str,
    name: &str,
    agency: &str,
    duration: StatutoryDuration,
    documents: Vec<RequiredDocument>,
) -> Procedure {
    Procedure {
        code: ProcedureCode::parse(c).unwrap(),
        version: 1,
        name: name.into(),
        field: "Hộ tịch".into(),
        agency: code(agency),
        duration,
        fee_vnd: 0,
        fee_note: "Miễn lệ phí".into(),
        required_documents: documents,
        legal_basis: "Luật Hộ tịch 2014".into(),
        result: "Kết quả".into(),
        service_level: motcua_domain::ServiceLevel::PartlyOnline,
        supplement_policy: SupplementPolicy::Pause,
        steps: Vec::new(),
        members: Vec::new(),
        compliance: None,
        cases: Vec::new(),
        representation_allowed: true,
        any_desk: false,
    }
}

fn step(name: &str, agency: &str, share_percent: u32) -> ProcessStep {
    ProcessStep {
        name: name.into(),
        agency_code: agency.into(),
        role: Role::Officer,
        share_percent,
    }
}

pub fn procedures() -> Vec<Procedure> {
    let marriage = procedure(
        MARRIAGE,
        "Đăng ký kết hôn",
        COMMUNE,
        StatutoryDuration::working_days(3),
        vec![
            doc("TK", "Tờ khai đăng ký kết hôn", 1, 0),
            doc("GTTT", "Giấy tờ tùy thân của hai bên", 0, 2),
        ],
    );
    let residence = Procedure {
        service_level: motcua_domain::ServiceLevel::NotOnline,
        steps: vec![
            step("Thẩm định hồ sơ", POLICE, 60),
            step("Ký xác nhận", COMMUNE, 40),
        ],
        ..procedure(
            RESIDENCE,
            "Đăng ký thường trú",
            COMMUNE,
            StatutoryDuration::working_days(5),
            vec![doc("TKTT", "Tờ khai thay đổi thông tin cư trú", 1, 0)],
        )
    };
    let birth = procedure(
        BIRTH,
        "Đăng ký khai sinh",
        COMMUNE,
        StatutoryDuration::working_days(1),
        vec![doc("TK", "Tờ khai đăng ký khai sinh", 1, 0)],
    );
    let child_residence = procedure(
        CHILD_RESIDENCE,
        "Đăng ký thường trú cho trẻ em",
        POLICE,
        StatutoryDuration::working_days(5),
        vec![doc("TKTT", "Tờ khai thay đổi thông tin cư trú", 1, 0)],
    );
    let group = Procedure {
        members: vec![
            ProcedureCode::parse(BIRTH).unwrap(),
            ProcedureCode::parse(CHILD_RESIDENCE).unwrap(),
        ],
        ..procedure(
            GROUP,
            "Liên thông đăng ký khai sinh, đăng ký thường trú",
            COMMUNE,
            StatutoryDuration::working_days(10),
            vec![
                doc("TK", "Tờ khai đăng ký khai sinh", 1, 0),
                doc("TKTT", "Tờ khai thay đổi thông tin cư trú", 1, 0),
            ],
        )
    };
    vec![marriage, residence, birth, child_residence, group]
}

fn staff(
    conn: &mut motcua_store::DbConnection,
    username: &str,
    name: &str,
    role: Role,
    agency: &str,
    email: Option<&str>,
    active: bool,
) -> StaffMember {
    let user = User {
        id: format!("u-{username}"),
        username: username.into(),
        full_name: name.into(),
        role,
        agency: code(agency),
        email: email.map(str::to_string),
        active,
    };
    users::insert(conn, &user, "not-a-real-hash").unwrap();
    StaffMember {
        user_id: user.id,
        name: user.full_name,
        role,
        agency: user.agency,
    }
}

impl Desk {
    pub fn new(backend: Backend) -> Desk {
        let scratch = ScratchDb::new(backend);
        let db = Database::connect(&scratch.url, 2).unwrap();
        db.migrate().unwrap();
        let calendar = calendar();
        let clock = Clock::starting_at(calendar.to_utc(START.parse().unwrap()));
        clock.install();
        let mut conn = db.get().unwrap();
        for a in [
            agency(
                DISTRICT,
                "Ủy ban nhân dân huyện Càng Long",
                AgencyLevel::District,
                None,
            ),
            agency(
                COMMUNE,
                "Ủy ban nhân dân xã An Trường",
                AgencyLevel::Commune,
                Some(DISTRICT),
            ),
            agency(
                POLICE,
                "Công an xã An Trường",
                AgencyLevel::Commune,
                Some(COMMUNE),
            ),
        ] {
            agencies::insert(&mut conn, &a).unwrap();
        }
        for p in procedures() {
            p.validate_plan().unwrap();
            procedures::insert(&mut conn, &p).unwrap();
        }
        let c = &mut conn;
        let clerk = staff(
            c,
            "clerk",
            "Nguyễn Thị Lan",
            Role::Clerk,
            COMMUNE,
            Some("lan@xa.test"),
            true,
        );
        let officer = staff(
            c,
            "officer",
            "Trần Văn Bình",
            Role::Officer,
            COMMUNE,
            Some("binh@xa.test"),
            true,
        );
        let officer_unmailed = staff(
            c,
            "officer2",
            "Đỗ Văn Cường",
            Role::Officer,
            COMMUNE,
            None,
            true,
        );
        let police = staff(
            c,
            "police",
            "Võ Minh Dũng",
            Role::Officer,
            POLICE,
            Some("dung@ca.test"),
            true,
        );
        staff(
            c,
            "police.old",
            "Hồ Văn Em",
            Role::Officer,
            POLICE,
            Some("em@ca.test"),
            false,
        );
        let police_clerk = staff(
            c,
            "police.clerk",
            "Mai Thị Giang",
            Role::Clerk,
            POLICE,
            Some("giang@ca.test"),
            true,
        );
        let district_clerk = staff(
            c,
            "clerk.huyen",
            "Phạm Thị Hoa",
            Role::Clerk,
            DISTRICT,
            Some("hoa@huyen.test"),
            true,
        );
        Desk {
            backend,
            db,
            conn,
            clock,
            calendar,
            mail: DeskMail::new("http://desk.test"),
            pins: PinHasher::new(b"operations-test-key"),
            clerk,
            officer,
            officer_unmailed,
            police,
            police_clerk,
            district_clerk,
            _scratch: scratch,
        }
    }

    /// A local time in Vietnam, e.g. `2026-12-09T10:00:00`.
    pub fn local(&self, s: &str) -> DateTime<Utc> {
        let t: NaiveDateTime = s.parse().unwrap();
        self.calendar.to_utc(t)
    }

    pub fn now(&self) -> DateTime<Utc> {
        motcua_store::time::now()
    }

    /// Moves the test clock on to a local time (never back).
    pub fn at(&self, s: &str) -> DateTime<Utc> {
        let target = self.local(s);
        let by = target - self.clock.now();
        assert!(
            by >= chrono::Duration::zero(),
            "the clock never goes back: {s}"
        );
        self.clock.advance(by);
        self.now()
    }

    /// The documents a procedure requires, all handed in.
    pub fn complete_documents(&mut self, procedure: &str) -> Vec<SubmittedDocument> {
        procedures::get(&mut self.conn, procedure)
            .unwrap()
            .unwrap()
            .required_documents
            .iter()
            .map(|r| SubmittedDocument {
                code: r.code.clone(),
                original: r.original,
                copies: r.copies,
            })
            .collect()
    }

    pub fn request(
        &self,
        procedure: &str,
        email: Option<&str>,
        documents: Vec<SubmittedDocument>,
    ) -> IntakeRequest {
        IntakeRequest {
            procedure: procedure.into(),
            applicant: ApplicantInput {
                name: "Lê Văn Tâm".into(),
                id_number: "084190000123".into(),
                phone: None,
                email: email.map(str::to_string),
                address: Some("Ấp 2, xã An Trường".into()),
            },
            documents,
            channel: motcua_domain::Channel::Counter,
            agency: None,
            note: None,
            case: None,
            paper_receipt: None,
            representative: None,
            post: None,
        }
    }

    /// A complete dossier logged by the commune clerk now.
    pub fn intake(&mut self, procedure: &str, email: Option<&str>) -> ReceivedDossier {
        let documents = self.complete_documents(procedure);
        let req = self.request(procedure, email, documents);
        motcua_intake::receive(
            &mut self.conn,
            &self.calendar,
            &self.pins,
            &self.mail,
            &self.clerk,
            &req,
        )
        .unwrap()
    }

    /// The scratch database's URL, for a connection of a test's own.
    pub fn database_url(&self) -> &str {
        &self._scratch.url
    }

    pub fn dossier(&mut self, code: &str) -> Dossier {
        dossiers::find_by_code(&mut self.conn, code)
            .unwrap()
            .unwrap()
    }

    /// The kinds of the dossier's events, oldest first.
    pub fn event_kinds(&mut self, code: &str) -> Vec<String> {
        let d = self.dossier(code);
        events::for_dossier(&mut self.conn, &d.id)
            .unwrap()
            .into_iter()
            .map(|e| e.kind.as_str().to_string())
            .collect()
    }

    /// Every message in the outbox, oldest first.
    pub fn outbox(&mut self) -> Vec<OutboxRow> {
        let filter = OutboxFilter {
            limit: 1000,
            ..OutboxFilter::default()
        };
        let (mut rows, total) = outbox::list(&mut self.conn, &filter).unwrap();
        assert_eq!(rows.len() as i64, total);
        rows.reverse();
        rows
    }

    /// The messages of one kind, oldest first.
    pub fn mail_of(&mut self, kind: Kind) -> Vec<OutboxRow> {
        self.outbox()
            .into_iter()
            .filter(|m| m.kind == kind.as_str())
            .collect()
    }

    pub fn count(&mut self, table: &str) -> i64 {
        motcua_store::count_rows(&mut self.conn, table).unwrap()
    }

    // The operations under test, called as the API calls them.

    pub fn send(
        &mut self,
        staff: &StaffMember,
        code: &str,
        to: Destination,
        note: &str,
    ) -> Result<Sent, ClockError> {
        handover::send(
            &mut self.conn,
            &self.calendar,
            &self.mail,
            staff,
            code,
            to,
            note,
        )
    }

    /// Sends the dossier on to the next step.
    pub fn send_on(&mut self, staff: &StaffMember, code: &str) -> Sent {
        self.send(staff, code, Destination::Next, "").unwrap()
    }

    pub fn acknowledge(&mut self, staff: &StaffMember, code: &str) -> Result<Dossier, ClockError> {
        handover::receive(&mut self.conn, staff, code)
    }

    pub fn processed(&mut self, staff: &StaffMember, code: &str) -> Result<Finished, ClockError> {
        finish::processed(
            &mut self.conn,
            &self.calendar,
            &self.mail,
            staff,
            code,
            "Đã cấp giấy chứng nhận",
        )
    }

    pub fn stop(
        &mut self,
        staff: &StaffMember,
        code: &str,
        reason: &str,
    ) -> Result<Finished, ClockError> {
        finish::stopped(
            &mut self.conn,
            &self.calendar,
            &self.mail,
            staff,
            code,
            reason,
        )
    }

    pub fn ask_supplement(
        &mut self,
        staff: &StaffMember,
        code: &str,
        reason: &str,
        items: &[NeededItem],
    ) -> Result<SupplementOutcome, ClockError> {
        supplement::request(
            &mut self.conn,
            &self.calendar,
            &self.mail,
            staff,
            code,
            reason,
            items,
        )
    }

    pub fn log_supplement(
        &mut self,
        staff: &StaffMember,
        code: &str,
    ) -> Result<SupplementReceived, ClockError> {
        supplement::receive(
            &mut self.conn,
            &self.calendar,
            staff,
            code,
            "Đã nộp bổ sung",
        )
    }

    pub fn extend(
        &mut self,
        staff: &StaffMember,
        code: &str,
        reason: &str,
        new_due: DateTime<Utc>,
    ) -> Result<Extended, ClockError> {
        extension::extend(
            &mut self.conn,
            &self.calendar,
            &self.mail,
            staff,
            code,
            reason,
            new_due,
        )
    }

    pub fn return_result(
        &mut self,
        staff: &StaffMember,
        code: &str,
        collected_by: &str,
        method: &str,
    ) -> Result<Dossier, ClockError> {
        lifecycle::returned(
            &mut self.conn,
            &self.calendar,
            &self.mail,
            staff,
            code,
            collected_by,
            method,
        )
    }
}

/// One thing the citizen must bring.
pub fn item(code: &str, name: &str) -> NeededItem {
    NeededItem {
        code: Some(code.into()),
        name: name.into(),
        note: None,
    }
}

/// Two instants within two seconds of each other (the test clock runs on
/// at the real pace between two steps of a test).
#[track_caller]
pub fn assert_close(actual: DateTime<Utc>, expected: DateTime<Utc>) {
    assert!(
        (actual - expected).num_milliseconds().abs() < 2000,
        "{actual} is not {expected}"
    );
}

/// The recipients of some messages, sorted.
pub fn recipients(rows: &[OutboxRow]) -> Vec<String> {
    let mut r: Vec<String> = rows.iter().map(|m| m.recipient.clone()).collect();
    r.sort();
    r
}
