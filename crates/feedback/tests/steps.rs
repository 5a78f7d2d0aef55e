//! The feedback operations on a real SQLite file and a real PostgreSQL
//! database: each step's due time is its working days on the desk's
//! calendar (checked across Tết), the steps past their limit are recorded
//! once (by the scan or when taken late), only the agency's officers and
//! the supervisors above it act, and a refused step writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/common/db.rs"]
mod db;

use chrono::{DateTime, Duration, Utc};
use db::{Backend, ScratchDb};
use motcua_calendar::{CalendarSettings, WorkingCalendar};
use motcua_domain::feedback::Step;
use motcua_domain::{AgencyCode, FeedbackStatus, NewFeedback, Role, StaffMember};
use motcua_feedback::send::{self, About};
use motcua_feedback::steps::{self, Decision};
use motcua_feedback::{scan, FeedbackError};
use motcua_intake::PinHasher;
use motcua_notify::DeskMail;
use motcua_store::generate::{self, PROVINCE};
use motcua_store::users::{self, User};
use motcua_store::{count_rows, Database, PooledConnection};

const AGENCY: &str = "GEN.001";
const OTHER: &str = "GEN.002";

struct Desk {
    conn: PooledConnection,
    calendar: WorkingCalendar,
    mail: DeskMail,
    pins: PinHasher,
    _db: Database,
    _scratch: ScratchDb,
}

fn staff(conn: &mut PooledConnection, name: &str, role: Role, agency: &str) -> StaffMember {
    let user = User {
        id: format!(
            "00000000-0000-7000-8000-{:012}",
            name.len() * 1000 + role as usize
        ),
        username: name.into(),
        full_name: name.into(),
        role,
        agency: AgencyCode::parse(agency).unwrap(),
        email: None,
        active: true,
    };
    users::insert(conn, &user, "!").unwrap();
    StaffMember {
        user_id: user.id,
        name: user.full_name,
        role,
        agency: user.agency,
    }
}

impl Desk {
    fn new(backend: Backend) -> Desk {
        let scratch = ScratchDb::new(backend);
        let db = Database::connect(&scratch.url, 2).unwrap();
        db.migrate().unwrap();
        let mut conn = db.get().unwrap();
        generate::prepare(&mut conn, 2).unwrap();
        Desk {
            conn,
            calendar: WorkingCalendar::for_years(CalendarSettings::default(), 2025..=2027, &[]),
            mail: DeskMail::new("https://motcua.example.vn"),
            pins: PinHasher::new(b"test key"),
            _db: db,
            _scratch: scratch,
        }
    }

    fn send(&mut self, email: Option<&str>, at: DateTime<Utc>) -> String {
        let new = NewFeedback::new(
            "Nguyễn Văn An",
            email,
            Some("0912345678"),
            "Chờ lâu",
            "Nội dung",
        )
        .unwrap();
        let about = About::Agency {
            agency: AGENCY.into(),
            procedure: None,
        };
        let sent = send::send(
            &mut self.conn,
            &self.calendar,
            &self.mail,
            &self.pins,
            new,
            about,
            at,
        )
        .unwrap();
        sent.feedback.reference
    }

    fn rows(&mut self, table: &str) -> i64 {
        if table == "outbox" {
            let counts = motcua_notify::outbox::count_by_status(&mut self.conn).unwrap();
            return counts.iter().map(|(_, n)| n).sum();
        }
        count_rows(&mut self.conn, table).unwrap()
    }

    /// Working seconds of a whole number of days on the desk's calendar.
    fn days(&self, n: i64) -> i64 {
        n * i64::from(self.calendar.settings().office_hours.day_length())
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn each_step_is_due_its_working_days_and_missed_ones_are_breaches(backend: Backend) {
    let mut d = Desk::new(backend);
    let officer = staff(&mut d.conn, "officer", Role::Officer, AGENCY);
    // Friday 13 February 2026, 10:00 in Vietnam: the eve of the Tết break.
    let sent_at = utc("2026-02-13T03:00:00Z");
    let reference = d.send(Some("an@example.vn"), sent_at);
    let f = motcua_store::feedback::get(&mut d.conn, &reference)
        .unwrap()
        .unwrap();
    let due = f.step_due_at.unwrap();
    // Two working days, and none of the Tết days off among them.
    assert_eq!(d.calendar.working_seconds_between(sent_at, due), d.days(2));
    assert!(due > utc("2026-02-22T00:00:00Z"), "due {due} falls in Tết");
    assert!(d.calendar.is_working_day(d.calendar.local_date(due)));
    assert_eq!(d.rows("outbox"), 1, "the receipt mail");

    // Scanned a second before the limit: nothing; after it: once.
    assert!(scan::scan(&mut d.conn, due - Duration::seconds(1))
        .unwrap()
        .is_empty());
    let late = due + Duration::minutes(5);
    let recorded = scan::scan(&mut d.conn, late).unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].step, recorded[0].due_at), (Step::Accept, due));
    assert!(scan::scan(&mut d.conn, late + Duration::hours(1))
        .unwrap()
        .is_empty());
    // Accepted late: the breach it already has is not recorded again.
    let f = steps::decide(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &officer,
        &reference,
        Decision::Accept,
        late,
    )
    .unwrap();
    assert_eq!(d.rows("feedback_breaches"), 1);
    let answer_due = f.step_due_at.unwrap();
    assert_eq!(
        d.calendar.working_seconds_between(late, answer_due),
        d.days(15)
    );

    // Asking for information more than 5 working days after acceptance
    // is allowed, and its breach recorded at once.
    let asked = d.calendar.add_working_seconds(late, d.days(5) + 60);
    let f = steps::request_information(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &officer,
        &reference,
        "Quầy số mấy?",
        asked,
    )
    .unwrap();
    assert_eq!(f.status, FeedbackStatus::InformationRequested);
    assert_eq!(f.step_due_at, None);
    assert_eq!(d.rows("feedback_breaches"), 2);
    // Nothing is owed while the citizen is asked: the scan records nothing.
    assert!(scan::scan(&mut d.conn, asked + Duration::days(60))
        .unwrap()
        .is_empty());
    // The reply restarts the answer's 15 working days.
    let replied = asked + Duration::days(20);
    let f = steps::give_information(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &reference,
        "Quầy 3",
        replied,
    )
    .unwrap();
    assert_eq!(f.status, FeedbackStatus::Accepted);
    assert_eq!(
        d.calendar
            .working_seconds_between(replied, f.step_due_at.unwrap()),
        d.days(15)
    );
    // Each step mailed the citizen.
    assert_eq!(d.rows("outbox"), 4);
}

fn only_the_agency_acts_and_a_refused_step_writes_nothing(backend: Backend) {
    let mut d = Desk::new(backend);
    let clerk = staff(&mut d.conn, "clerk", Role::Clerk, AGENCY);
    let stranger = staff(&mut d.conn, "stranger", Role::Officer, OTHER);
    let above = staff(&mut d.conn, "above", Role::Supervisor, PROVINCE);
    let admin = staff(&mut d.conn, "admin", Role::Admin, PROVINCE);
    let now = utc("2026-12-08T02:00:00Z");
    let reference = d.send(None, now);
    let (events, outbox) = (d.rows("events"), d.rows("outbox"));
    assert_eq!(outbox, 0, "no address, no mail");
    for who in [&clerk, &stranger, &admin] {
        let r = steps::decide(
            &mut d.conn,
            &d.calendar,
            &d.mail,
            who,
            &reference,
            Decision::Accept,
            now,
        );
        assert!(
            matches!(r, Err(FeedbackError::Forbidden(_))),
            "{} acted: {r:?}",
            who.name
        );
    }
    let r = steps::answer(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &above,
        &reference,
        "Sớm",
        now,
    );
    assert!(matches!(r, Err(FeedbackError::Conflict(_))), "{r:?}");
    let refuse = |reason: &str| Decision::Refuse {
        reason: reason.into(),
    };
    let r = steps::decide(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &above,
        &reference,
        refuse(" "),
        now,
    );
    assert!(matches!(r, Err(FeedbackError::Invalid(_))), "{r:?}");
    let r = steps::publish(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &above,
        "PA-000000-0000",
        "x",
        now,
    );
    assert!(matches!(r, Err(FeedbackError::NotFound(_))), "{r:?}");
    assert_eq!((d.rows("events"), d.rows("outbox")), (events, outbox));

    // A supervisor above the agency refuses it: it ends there.
    let f = steps::decide(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &above,
        &reference,
        refuse("Trùng nội dung"),
        now,
    )
    .unwrap();
    assert_eq!(f.status, FeedbackStatus::Refused);
    assert_eq!((f.closed_at, f.step_due_at), (Some(now), None));
    assert_eq!(d.rows("events"), events + 1);
    let r = steps::decide(
        &mut d.conn,
        &d.calendar,
        &d.mail,
        &above,
        &reference,
        Decision::Accept,
        now,
    );
    assert!(matches!(r, Err(FeedbackError::Conflict(_))), "{r:?}");
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name(super::Backend::Sqlite)
                }
                #[test]
                fn postgres() {
                    super::$name(super::Backend::Postgres)
                }
            }
        )*
    };
}

both_backends!(
    each_step_is_due_its_working_days_and_missed_ones_are_breaches,
    only_the_agency_acts_and_a_refused_step_writes_nothing,
);
