#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Read};

use calamine::Data;
use serde_json::{json, Value};

use super::*;

/// The workbooks a spreadsheet program reads and saves, as the end-to-end
/// tests use them.
#[path = "../../../../tests/common/workbook.rs"]
mod workbook;

use workbook::{cells as grid, sheet, workbook};

/// A catalogue with every column filled somewhere: a same-day and a
/// plain procedure, a group, documents, steps, fees, compliance inputs
/// with times and both kinds of costs, two cases (one with an online
/// time limit, its own documents and plan; one plain, same-day).
fn sample() -> CatalogueFile {
    serde_json::from_value(json!({
        "format": "motcua-catalogue/1",
        "agencies": [
            {"code": "H53", "name": "UBND tỉnh", "level": "province", "parent_code": null, "address": ""},
            {"code": "H53.50", "name": "UBND huyện", "level": "district", "parent_code": "H53", "address": "1 Đường A\nẤp 2"},
        ],
        "procedures": [
            {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "agency_code": "H53.50",
             "duration": {"amount": 0, "unit": "same_day", "cutoff": "15:00"},
             "fees": {"amount_vnd": 0, "note": ""},
             "required_documents": [
                {"code": "TK", "name": "Tờ khai", "original": 1, "copies": 0, "optional": false},
                {"code": "GCS", "name": "Giấy chứng sinh", "original": 1, "copies": 2, "optional": true}],
             "legal_basis": "Luật Hộ tịch 2014", "result": "Giấy khai sinh",
             "service_level": "partly_online", "supplement_policy": "pause",
             "steps": [], "members": [], "compliance": null},
            {"code": "2.000720", "name": "=HYPERLINK(\"http://x\")", "field": "+84 Hộ kinh doanh", "agency_code": "H53.50",
             "duration": {"amount": 3, "unit": "working_days"},
             "fees": {"amount_vnd": 100000, "note": "-Lệ phí"},
             "required_documents": [{"code": "GDN", "name": "@Giấy đề nghị", "original": 1, "copies": 0, "optional": false}],
             "legal_basis": "", "result": "Giấy chứng nhận",
             "service_level": "fully_online", "supplement_policy": "restart",
             "steps": [
                {"name": "Thẩm định", "agency_code": "H53.50", "role": "officer", "share_percent": 60},
                {"name": "Ký", "agency_code": "H53", "role": "officer", "share_percent": 40}],
             "members": [],
             "compliance": {"documents": [{"code": "GDN", "minutes": 30}], "visits": 2,
                "travel_minutes": 60, "wait_minutes": 20, "collect_minutes": 10,
                "outside_services": [{"name": "Chứng thực", "amount_vnd": 4000}, {"name": "Bưu điện", "amount_vnd": 25000}],
                "other_costs": [{"name": "Ảnh", "amount_vnd": 10000}]},
             "cases": [
                {"code": "ca-nhan", "name": "=Cá nhân", "duration": {"amount": 5, "unit": "working_days"},
                 "online_duration": {"amount": 3, "unit": "working_hours"},
                 "fees": {"amount_vnd": 50000, "note": "-Lệ phí"},
                 "required_documents": [
                    {"code": "GDN", "name": "Giấy đề nghị", "original": 1, "copies": 0, "optional": false},
                    {"code": "CC", "name": "Căn cước", "original": 0, "copies": 1, "optional": true}],
                 "steps": [
                    {"name": "Thẩm định", "agency_code": "H53.50", "role": "officer", "share_percent": 80},
                    {"name": "Ký", "agency_code": "H53", "role": "officer", "share_percent": 20}]},
                {"code": "8", "name": "Nhóm", "duration": {"amount": 0, "unit": "same_day", "cutoff": "10:30"},
                 "fees": {"amount_vnd": 0, "note": ""}, "required_documents": [], "steps": []}]},
            {"code": "LT.1", "name": "Liên thông", "field": "Hộ tịch", "agency_code": "H53.50",
             "duration": {"amount": 10, "unit": "working_days"},
             "fees": {"amount_vnd": 0, "note": ""},
             "required_documents": [], "legal_basis": "", "result": "",
             "service_level": "not_online", "supplement_policy": "pause",
             "steps": [], "members": ["1.001193", "2.000720"], "compliance": null}
        ]
    }))
    .unwrap()
}

fn invalid_fields(r: Result<Workbook, SheetError>) -> Vec<(String, String)> {
    match r {
        Err(SheetError::Invalid(errors)) => {
            errors.into_iter().map(|e| (e.field, e.message)).collect()
        }
        other => panic!("expected invalid cells, got {other:?}"),
    }
}

fn changed(
    bytes: &[u8],
    change: impl FnOnce(&mut workbook::Sheets),
) -> Result<Workbook, SheetError> {
    let mut sheets = grid(bytes);
    change(&mut sheets);
    read(&workbook(&sheets))
}

fn as_json(file: &CatalogueFile) -> Value {
    let mut v = serde_json::to_value(file).unwrap();
    v["exported_at"] = Value::Null;
    v
}

/// Written and read back, the workbook is the file it was made from, and
/// it is the same again once saved by another program.
#[test]
fn a_catalogue_reads_back_as_written() {
    let file = sample();
    let bytes = to_xlsx(&file).unwrap();
    assert_eq!(as_json(&read(&bytes).unwrap().file), as_json(&file));
    let resaved = workbook(&grid(&bytes));
    assert_eq!(as_json(&read(&resaved).unwrap().file), as_json(&file));
    let names: Vec<String> = grid(&bytes).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, TABLES.map(|t| t.name.to_string()));
}

/// Text a spreadsheet would run (`=`, `+`, `-`, `@`) is written as text
/// cells: no formula anywhere in the workbook, and the text reads back.
#[test]
fn formula_looking_text_stays_text() {
    let bytes = to_xlsx(&sample()).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let mut xml = String::new();
        part.read_to_string(&mut xml).unwrap();
        assert!(
            !xml.contains("<f>") && !xml.contains("<f "),
            "{}",
            part.name().unwrap()
        );
    }
    let back = read(&bytes).unwrap().file;
    assert_eq!(back.procedures[1].name, "=HYPERLINK(\"http://x\")");
    assert_eq!(back.procedures[1].field, "+84 Hộ kinh doanh");
    assert_eq!(
        back.procedures[1].required_documents[0].name,
        "@Giấy đề nghị"
    );
}

#[test]
fn what_is_not_a_workbook_is_refused() {
    assert!(matches!(
        read(b"{\"format\": \"motcua-catalogue/1\"}"),
        Err(SheetError::Unreadable(_))
    ));
    let bytes = to_xlsx(&sample()).unwrap();
    assert!(matches!(
        read(&bytes[..bytes.len() / 2]),
        Err(SheetError::Unreadable(_))
    ));
}

/// A sheet or a column missing, an unknown column: named, and nothing
/// else read.
#[test]
fn missing_sheets_and_columns_are_named() {
    let bytes = to_xlsx(&sample()).unwrap();
    let r = changed(&bytes, |s| {
        s.retain(|(n, _)| n != "steps");
        let fees = sheet(s, "fees");
        fees[0][1] = Data::String("amount".into());
        sheet(s, "agencies").clear();
    });
    assert_eq!(
        invalid_fields(r),
        [
            (
                "agencies row 1".into(),
                "no header row (the sheet is empty)".into()
            ),
            ("steps".into(), "no such sheet in the workbook".into()),
            (
                "fees row 1: B".into(),
                "\"amount\" is not a column of this sheet (procedure_code, amount_vnd, note)"
                    .into()
            ),
            (
                "fees row 1: amount_vnd".into(),
                "column missing from the header".into()
            ),
        ]
    );
}

/// Cells that do not read as their column's kind, and rows naming a
/// procedure the workbook lacks: each named by sheet, row and column.
#[test]
fn bad_cells_are_named_by_sheet_row_and_column() {
    let bytes = to_xlsx(&sample()).unwrap();
    let r = changed(&bytes, |s| {
        let procedures = sheet(s, "procedures");
        procedures[3][4] = Data::String("ten".into());
        procedures[2][5] = Data::String("weeks".into());
        sheet(s, "documents")[1][0] = Data::String("9.999999".into());
        sheet(s, "documents")[2][4] = Data::Float(1.5);
        sheet(s, "steps")[2][5] = Data::Float(-40.0);
        sheet(s, "compliance_costs")[1][0] = Data::String("1.001193".into());
    });
    assert_eq!(
        invalid_fields(r),
        [
            (
                "procedures row 3: duration_unit".into(),
                "\"weeks\" is not one of: working_days, working_hours, calendar_days, same_day"
                    .into()
            ),
            (
                "procedures row 4: duration_amount".into(),
                "not a number".into()
            ),
            (
                "documents row 2: procedure_code".into(),
                "\"9.999999\" is not in the procedures sheet".into()
            ),
            (
                "documents row 3: original".into(),
                "not a whole number".into()
            ),
            (
                "steps row 3: share_percent".into(),
                "must not be negative".into()
            ),
            (
                "compliance_costs row 2: procedure_code".into(),
                "the procedure has no row in the compliance sheet".into()
            ),
        ]
    );
}

/// A cell far out (XFD1048576) is refused without a grid that large.
#[test]
fn far_away_cells_are_refused_not_allocated() {
    let bytes = to_xlsx(&sample()).unwrap();
    let r = changed(&bytes, |s| {
        let agencies = sheet(s, "agencies");
        agencies[1].resize(16_384, Data::Empty);
        agencies[1][16_383] = Data::String("far".into());
    });
    assert_eq!(
        invalid_fields(r),
        [(
            "agencies row 2: XFD".to_string(),
            "a cell outside the header's columns".to_string()
        )]
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("agencies").unwrap();
    ws.write_string(0, 0, "code").unwrap();
    ws.write_string(1_048_575, 16_383, "far").unwrap();
    let r = read(&book.save_to_buffer().unwrap());
    let fields = invalid_fields(r);
    assert!(
        fields.contains(&("agencies".into(), "more than 100000 rows".into())),
        "{fields:?}"
    );
}

/// The choices offered in the sheets are the words the enums take.
#[test]
fn the_choices_are_the_enums_words() {
    for table in TABLES {
        for (column, kind) in table.columns {
            let Kind::Choice(words) = kind else { continue };
            for word in *words {
                let v = Value::String((*word).to_string());
                let ok = match *column {
                    "level" => serde_json::from_value::<motcua_domain::AgencyLevel>(v).is_ok(),
                    "duration_unit" | "online_duration_unit" => {
                        serde_json::from_value::<motcua_domain::DurationUnit>(v).is_ok()
                    }
                    "service_level" => {
                        serde_json::from_value::<motcua_domain::ServiceLevel>(v).is_ok()
                    }
                    "supplement_policy" => {
                        serde_json::from_value::<motcua_domain::SupplementPolicy>(v).is_ok()
                    }
                    "role" => serde_json::from_value::<motcua_domain::Role>(v).is_ok(),
                    "optional" | "kind" | "representation_allowed" | "any_desk" => true,
                    other => panic!("{other} has no enum to check"),
                };
                assert!(ok, "{column}: {word}");
            }
        }
    }
    assert_eq!(motcua_domain::AgencyLevel::ALL.len(), 4);
    assert_eq!(motcua_domain::DurationUnit::ALL.len(), 4);
    assert_eq!(motcua_domain::ServiceLevel::ALL.len(), 3);
    assert_eq!(motcua_domain::Role::ALL.len(), 4);
}

/// What a spreadsheet makes of what is typed: a cut-off typed as a time,
/// a code typed as a number, `TRUE` for yes, a blank policy, a list
/// with spaces.
#[test]
fn typed_cells_read_as_meant() {
    let bytes = to_xlsx(&sample()).unwrap();
    let file = changed(&bytes, |s| {
        let procedures = sheet(s, "procedures");
        let quarter_to_four =
            calamine::ExcelDateTime::new(0.625, calamine::ExcelDateTimeType::TimeDelta, false);
        procedures[1][6] = Data::DateTime(quarter_to_four);
        // 2.000720 restarts the clock; left blank, the default (pause).
        procedures[2][8] = Data::Empty;
        procedures[3][11] = Data::String(" 1.001193 ;2.000720; ".into());
        sheet(s, "documents")[1][6] = Data::Bool(true);
        sheet(s, "agencies")[1][0] = Data::Float(53.0);
    })
    .unwrap()
    .file;
    let birth = &file.procedures[0];
    assert_eq!(birth.duration.cutoff.as_deref(), Some("15:00"));
    assert_eq!(
        file.procedures[1].supplement_policy,
        motcua_domain::SupplementPolicy::Pause
    );
    assert!(birth.required_documents[0].optional);
    assert_eq!(file.procedures[2].members, ["1.001193", "2.000720"]);
    assert_eq!(file.agencies[0].code.as_deref(), Some("53"));
}

/// The cases of a procedure: their rows at the end of the workbook, an
/// unknown procedure or case refused by sheet, row and column.
#[test]
fn case_rows_name_their_procedure_and_case() {
    let bytes = to_xlsx(&sample()).unwrap();
    let sheets = grid(&bytes);
    let rows = |name: &str| sheets.iter().find(|(n, _)| n == name).unwrap().1.len() - 1;
    assert_eq!(
        [rows("cases"), rows("case_documents"), rows("case_steps")],
        [2, 2, 2]
    );
    let r = changed(&bytes, |s| {
        sheet(s, "cases")[2][0] = Data::String("9.999999".into());
        sheet(s, "case_documents")[1][1] = Data::String("ca-nhan ".into());
        sheet(s, "case_documents")[2][1] = Data::String("to-chuc".into());
        sheet(s, "case_steps")[1][0] = Data::String("1.001193".into());
        sheet(s, "case_steps")[2][1] = Data::Empty;
        sheet(s, "cases")[1][8] = Data::String("weeks".into());
    });
    assert_eq!(
        invalid_fields(r),
        [
            (
                "cases row 2: online_duration_unit".into(),
                "\"weeks\" is not one of: working_days, working_hours, calendar_days, same_day"
                    .into()
            ),
            (
                "cases row 3: procedure_code".into(),
                "\"9.999999\" is not in the procedures sheet".into()
            ),
            (
                "case_documents row 3: case_code".into(),
                "\"to-chuc\" is not a case of 2.000720 in the cases sheet".into()
            ),
            (
                "case_steps row 2: case_code".into(),
                "\"ca-nhan\" is not a case of 1.001193 in the cases sheet".into()
            ),
            ("case_steps row 3: case_code".into(), "is required".into()),
        ]
    );
    // Online columns left blank: no online time limit; cases read in
    // their order, not their rows'.
    let file = changed(&bytes, |s| {
        let cases = sheet(s, "cases");
        cases[1][7..10].fill(Data::Empty);
        cases[1][2] = Data::Float(3.0);
    })
    .unwrap()
    .file;
    let cases = &file.procedures[1].cases;
    assert_eq!(
        [cases[0].code.as_str(), cases[1].code.as_str()],
        ["8", "ca-nhan"]
    );
    assert!(cases[1].online_duration.is_none());
    assert_eq!(cases[1].steps.len(), 2);
}

/// What the administrators' checks find in a case is named by the row of
/// `cases`, `case_documents` or `case_steps` it came from.
#[test]
fn a_case_problem_is_named_by_its_row() {
    let mut file = sample();
    let case = &mut file.procedures[1].cases[0];
    case.duration.amount = 0;
    case.required_documents[1].name = " ".into();
    case.steps[1].role = motcua_domain::Role::Supervisor;
    let book = read(&to_xlsx(&file).unwrap()).unwrap();
    let input = book.file.procedures[1].clone();
    let errors = match crate::catalogue::check("2.000720", input) {
        Err(AdminError::Invalid(errors)) => errors,
        other => panic!("{other:?}"),
    };
    let errors: Vec<FieldError> = errors
        .into_iter()
        .map(|e| FieldError::new(format!("procedures[1].{}", e.field), e.message))
        .collect();
    let fields: Vec<String> = book.rename(errors).into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "cases row 2: duration",
            "case_documents row 3: name",
            "case_steps row 3: role",
        ]
    );
}
