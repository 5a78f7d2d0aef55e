//! Demo data for a first look and for tests (docs/catalogue.md, Sample data): a province, a
//! district and a commune with their offices, five sample procedures and
//! one user per role, and the counter halls of the commune and the
//! district. Durations are illustrative, not legal fact.

use motcua_domain::queue::{Area, Counter, Hall};
use motcua_domain::EventKind;
use motcua_domain::{
    Agency, AgencyCode, AgencyLevel, ComplianceInputs, Procedure, ProcedureCode, RequiredDocument,
    Role, StatutoryDuration, SupplementPolicy,
};
use motcua_store::users::User;
use motcua_store::{agencies, events, procedures, time, users, DbConnection, StoreError};
use serde_json::json;

use crate::auth::password;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo";

pub const PROVINCE: &str = "H53";
pub const CONSTRUCTION_DEPT: &str = "H53.12";
pub const DISTRICT: &str = "H53.50";
pub const DISTRICT_LAND_OFFICE: &str = "H53.50.21";
pub const DISTRICT_SOCIAL_INSURANCE: &str = "H53.50.22";
pub const COMMUNE: &str = "H53.50.05.13";
pub const COMMUNE_POLICE: &str = "H53.50.05.13.01";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid demo data: {0}")]
    Data(String),
    #[error(transparent)]
    Hash(#[from] password::HashError),
}

impl From<motcua_store::DieselError> for DemoError {
    fn from(e: motcua_store::DieselError) -> Self {
        DemoError::Store(e.into())
    }
}

fn code(s: &str) -> Result<AgencyCode, DemoError> {
    AgencyCode::parse(s).map_err(|e| DemoError::Data(e.to_string()))
}

fn agency(
    c: &str,
    name: &str,
    level: AgencyLevel,
    parent: Option<&str>,
    address: &str,
) -> Result<Agency, DemoError> {
    Ok(Agency {
        code: code(c)?,
        name: name.into(),
        level,
        parent: parent.map(code).transpose()?,
        address: address.into(),
    })
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

#[allow(clippy::too_many_arguments)]
fn procedure(
    c: &str,
    name: &str,
    field: &str,
    agency: &str,
    duration: StatutoryDuration,
    fee_vnd: i64,
    fee_note: &str,
    documents: Vec<RequiredDocument>,
    legal_basis: &str,
    result: &str,
) -> Result<Procedure, DemoError> {
    Ok(Procedure {
        code: ProcedureCode::parse(c).map_err(|e| DemoError::Data(e.to_string()))?,
        version: 1,
        name: name.into(),
        field: field.into(),
        agency: code(agency)?,
        duration,
        fee_vnd,
        fee_note: fee_note.into(),
        required_documents: documents,
        legal_basis: legal_basis.into(),
        result: result.into(),
        service_level: motcua_domain::ServiceLevel::PartlyOnline,
        supplement_policy: SupplementPolicy::Pause,
        steps: Vec::new(),
        members: Vec::new(),
        compliance: None,
        cases: Vec::new(),
        representation_allowed: true,
        any_desk: false,
    })
}

/// What registering a household business costs its applicant besides the
/// fee, as a reform report would enter it (docs/catalogue.md).
fn business_compliance() -> ComplianceInputs {
    use motcua_domain::compliance::{CostItem, DocumentTime};
    let time = |code: &str, minutes| DocumentTime {
        code: code.into(),
        minutes,
    };
    ComplianceInputs {
        documents: vec![time("GDN", 60), time("CCCD", 30)],
        visits: 2,
        travel_minutes: 60,
        wait_minutes: 30,
        collect_minutes: 10,
        outside_services: vec![CostItem {
            name: "Chứng thực bản sao căn cước".into(),
            amount_vnd: 2_000,
        }],
        other_costs: Vec::new(),
    }
}

pub fn agencies() -> Result<Vec<Agency>, DemoError> {
    use AgencyLevel::*;
    Ok(vec![
        agency(
            PROVINCE,
            "Ủy ban nhân dân tỉnh Trà Vinh",
            Province,
            None,
            "Trung tâm Phục vụ hành chính công tỉnh, số 1 đường Lê Lợi, TP. Trà Vinh",
        )?,
        agency(
            CONSTRUCTION_DEPT,
            "Sở Xây dựng tỉnh Trà Vinh",
            Department,
            Some(PROVINCE),
            "Trung tâm Phục vụ hành chính công tỉnh, quầy số 12",
        )?,
        agency(
            DISTRICT,
            "Ủy ban nhân dân huyện Càng Long",
            District,
            Some(PROVINCE),
            "Bộ phận Một cửa huyện Càng Long, khóm 6, thị trấn Càng Long",
        )?,
        agency(
            DISTRICT_LAND_OFFICE,
            "Chi nhánh Văn phòng đăng ký đất đai huyện Càng Long",
            District,
            Some(DISTRICT),
            "Bộ phận Một cửa huyện Càng Long, quầy đất đai",
        )?,
        agency(
            DISTRICT_SOCIAL_INSURANCE,
            "Bảo hiểm xã hội huyện Càng Long",
            District,
            Some(DISTRICT),
            "Bộ phận Một cửa huyện Càng Long, quầy bảo hiểm",
        )?,
        agency(
            COMMUNE,
            "Ủy ban nhân dân xã An Trường",
            Commune,
            Some(DISTRICT),
            "Bộ phận Một cửa xã An Trường, ấp 2, xã An Trường",
        )?,
        agency(
            COMMUNE_POLICE,
            "Công an xã An Trường",
            Commune,
            Some(COMMUNE),
            "Trụ sở Công an xã An Trường",
        )?,
    ])
}

pub fn procedures() -> Result<Vec<Procedure>, DemoError> {
    Ok(vec![
        procedure(
            "1.001193", "Đăng ký khai sinh", "Hộ tịch", COMMUNE,
            StatutoryDuration::same_day(15 * 60), 0, "Miễn lệ phí",
            vec![
                doc("TK", "Tờ khai đăng ký khai sinh", 1, 0),
                doc("GCS", "Giấy chứng sinh", 1, 0),
            ],
            "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP",
            "Giấy khai sinh",
        )?,
        procedure(
            "1.000894", "Đăng ký kết hôn", "Hộ tịch", COMMUNE,
            StatutoryDuration::working_days(5), 0, "Miễn lệ phí",
            vec![
                doc("TK", "Tờ khai đăng ký kết hôn", 1, 0),
                doc("GTTT", "Giấy tờ tùy thân của hai bên", 0, 2),
            ],
            "Luật Hộ tịch 2014",
            "Giấy chứng nhận kết hôn",
        )?,
        procedure(
            "1.004222", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", COMMUNE_POLICE,
            StatutoryDuration::working_days(7), 0, "Miễn lệ phí cho trẻ em",
            vec![doc("TKTT", "Tờ khai thay đổi thông tin cư trú", 1, 0)],
            "Luật Cư trú 2020",
            "Xác nhận đăng ký thường trú",
        )?,
        procedure(
            "1.001234", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "Bảo hiểm y tế", DISTRICT_SOCIAL_INSURANCE,
            StatutoryDuration::working_days(5), 0, "Miễn phí",
            vec![doc("TKBH", "Tờ khai tham gia bảo hiểm y tế", 1, 0)],
            "Luật Bảo hiểm y tế",
            "Thẻ bảo hiểm y tế",
        )?,
        procedure(
            "LT.KS-TT-BHYT",
            "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
            "Hộ tịch", COMMUNE,
            StatutoryDuration::working_days(10), 0, "Miễn lệ phí",
            vec![
                doc("TK", "Tờ khai đăng ký khai sinh", 1, 0),
                doc("GCS", "Giấy chứng sinh", 1, 0),
                doc("TKTT", "Tờ khai thay đổi thông tin cư trú", 1, 0),
                doc("TKBH", "Tờ khai tham gia bảo hiểm y tế", 1, 0),
            ],
            "Nghị định 63/2024/NĐ-CP",
            "Giấy khai sinh; xác nhận thường trú; thẻ bảo hiểm y tế",
        )
        .map(|p| Procedure {
            // One visit, three agencies: commune justice, commune police,
            // district social insurance.
            members: ["1.001193", "1.004222", "1.001234"]
                .iter()
                .filter_map(|c| ProcedureCode::parse(c).ok())
                .collect(),
            ..p
        })?,
        procedure(
            "2.000720", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", DISTRICT,
            StatutoryDuration::working_days(3), 100_000, "Lệ phí đăng ký hộ kinh doanh",
            vec![
                doc("GDN", "Giấy đề nghị đăng ký hộ kinh doanh", 1, 0),
                doc("CCCD", "Bản sao giấy tờ pháp lý của cá nhân", 0, 1),
            ],
            "Nghị định 01/2021/NĐ-CP",
            "Giấy chứng nhận đăng ký hộ kinh doanh",
        )
        .map(|p| Procedure {
            // Business registration counts from the complete dossier.
            supplement_policy: SupplementPolicy::Restart,
            compliance: Some(business_compliance()),
            ..p
        })?,
        procedure(
            "1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Hoạt động xây dựng", DISTRICT,
            StatutoryDuration::working_days(15), 75_000, "Lệ phí cấp giấy phép xây dựng",
            vec![
                doc("DDN", "Đơn đề nghị cấp giấy phép xây dựng", 1, 0),
                doc("QSDD", "Giấy tờ chứng minh quyền sử dụng đất", 0, 1),
                doc("BVTK", "Bản vẽ thiết kế xây dựng", 2, 0),
            ],
            "Luật Xây dựng 2014 (sửa đổi 2020); Nghị định 15/2021/NĐ-CP",
            "Giấy phép xây dựng",
        )?,
        procedure(
            "2.000815", "Chứng thực bản sao từ bản chính", "Chứng thực", COMMUNE,
            StatutoryDuration::same_day(15 * 60), 2_000, "2.000 đồng/trang từ trang thứ ba trở đi 1.000 đồng/trang",
            vec![
                doc("BC", "Bản chính giấy tờ cần chứng thực", 1, 0),
                doc("BS", "Bản sao cần chứng thực", 0, 1),
            ],
            "Nghị định 23/2015/NĐ-CP",
            "Bản sao được chứng thực từ bản chính",
        )?,
    ])
}

/// (username, full name, role, agency)
pub const USERS: [(&str, &str, Role, &str); 5] = [
    ("admin", "Quản trị hệ thống", Role::Admin, PROVINCE),
    ("clerk", "Nguyễn Thị Lan", Role::Clerk, COMMUNE),
    ("officer", "Trần Văn Bình", Role::Officer, COMMUNE),
    ("supervisor", "Lê Minh Châu", Role::Supervisor, DISTRICT),
    ("clerk.huyen", "Phạm Thị Hoa", Role::Clerk, DISTRICT),
];

/// Loads the demo data when the database has no agencies yet; returns
/// false (and changes nothing) otherwise. One transaction.
/// The counter halls of the commune and the district (docs/queue.md): an
/// area per group of fields, and counters calling from them.
pub fn halls() -> Vec<(&'static str, Hall)> {
    let area = |letter: &str, name: &str, fields: &[&str]| Area {
        letter: letter.into(),
        name: name.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
    };
    let counter = |number: i32, areas: &[&str]| Counter {
        number,
        name: format!("Quầy {number}"),
        areas: areas.iter().map(|a| a.to_string()).collect(),
    };
    vec![
        (
            COMMUNE,
            Hall {
                areas: vec![
                    area("A", "Tư pháp - Hộ tịch", &["Hộ tịch", "Chứng thực"]),
                    area(
                        "B",
                        "Cư trú - Bảo hiểm y tế",
                        &["Đăng ký, quản lý cư trú", "Bảo hiểm y tế"],
                    ),
                ],
                counters: vec![counter(1, &["A"]), counter(2, &["A", "B"])],
            },
        ),
        (
            DISTRICT,
            Hall {
                areas: vec![area(
                    "A",
                    "Kinh tế - Hạ tầng",
                    &[
                        "Thành lập và hoạt động của hộ kinh doanh",
                        "Hoạt động xây dựng",
                    ],
                )],
                counters: vec![counter(1, &["A"])],
            },
        ),
    ]
}

pub fn load_if_empty(conn: &mut DbConnection) -> Result<bool, DemoError> {
    let agency_list = agencies()?;
    let procedure_list = procedures()?;
    let hash = password::hash(DEMO_PASSWORD)?;
    conn.write_tx(|conn| {
        if agencies::count(conn)? > 0 {
            return Ok(false);
        }
        let actor = motcua_store::events::Actor::system("demo");
        let now = time::now();
        for a in &agency_list {
            agencies::insert(conn, a)?;
        }
        for p in &procedure_list {
            procedures::insert(conn, p)?;
        }
        for (agency, hall) in halls() {
            motcua_store::queue_hall::set(conn, agency, &hall)?;
        }
        for (username, name, role, agency) in USERS {
            let user = User {
                id: uuid::Uuid::now_v7().to_string(),
                username: username.into(),
                full_name: name.into(),
                role,
                agency: code(agency)?,
                // Staff mail (handovers, due soon, the digest) shows in
                // the compose file's mail catcher.
                email: Some(format!("{username}@demo.motcua.local")),
                active: true,
            };
            users::insert(conn, &user, &hash)?;
        }
        events::append(
            conn,
            &events::NewEvent {
                subject_type: "system",
                subject_id: "demo",
                dossier_id: None,
                kind: EventKind::DemoLoaded,
                actor: &actor,
                at: now,
                data: json!({ "agencies": agency_list.len(), "procedures": procedure_list.len(), "users": USERS.len() }),
            },
        )?;
        Ok(true)
    })
}
