//! Writing: a [`CatalogueFile`] as the workbook of [`super::TABLES`], a
//! header row on each sheet (frozen, with a filter), text cells formatted
//! as text, numbers as numbers, the words of a choice offered as a list.

use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};

use super::cells::MAX_ROWS;
use motcua_domain::{ProcessStep, RequiredDocument};

use super::{Kind, SheetError, Table, OTHER_COST, OUTSIDE_SERVICE, TABLES};
use crate::catalogue::DurationDto;
use crate::catalogue_file::CatalogueFile;

/// One cell to write.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Number(f64),
    Blank,
}

fn text(s: &str) -> Value {
    if s.is_empty() {
        Value::Blank
    } else {
        Value::Text(s.to_string())
    }
}

fn maybe(s: Option<&str>) -> Value {
    s.map_or(Value::Blank, text)
}

/// Amounts of đồng go up to 10¹², which an `f64` holds exactly.
#[allow(clippy::cast_precision_loss)]
fn number(n: i64) -> Value {
    Value::Number(n as f64)
}

fn count(n: u32) -> Value {
    Value::Number(f64::from(n))
}

/// A list's position, from 1.
fn order(i: usize) -> Value {
    number(i64::try_from(i).map_or(i64::MAX, |i| i + 1))
}

/// A document's cells after its owner's and its order.
fn document(d: &RequiredDocument) -> [Value; 5] {
    [
        text(&d.code),
        text(&d.name),
        count(d.original),
        count(d.copies),
        text(if d.optional { "yes" } else { "no" }),
    ]
}

/// A step's cells after its owner's and its order.
fn step(s: &ProcessStep) -> [Value; 4] {
    [
        text(&s.name),
        text(&s.agency_code),
        text(s.role.as_str()),
        count(s.share_percent),
    ]
}

/// A time limit's amount, unit and cut-off; blank cells for none.
fn duration(d: Option<&DurationDto>) -> [Value; 3] {
    match d {
        Some(d) => [
            count(d.amount),
            text(d.unit.as_str()),
            maybe(d.cutoff.as_deref()),
        ],
        None => [Value::Blank, Value::Blank, Value::Blank],
    }
}

/// `owner` cells, then `rest`.
fn row(owner: &[&Value], rest: impl IntoIterator<Item = Value>) -> Vec<Value> {
    owner.iter().map(|v| (*v).clone()).chain(rest).collect()
}

/// The workbook's bytes. Exports carry `service_level`, so the older
/// `online_allowed` has no column.
pub fn to_xlsx(file: &CatalogueFile) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    for (table, rows) in TABLES.iter().zip(rows(file)) {
        sheet(book.add_worksheet(), table, &rows)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The rows of each sheet, in the order of [`TABLES`].
fn rows(file: &CatalogueFile) -> [Vec<Vec<Value>>; 11] {
    let mut t: [Vec<Vec<Value>>; 11] = Default::default();
    for a in &file.agencies {
        t[0].push(vec![
            maybe(a.code.as_deref()),
            text(&a.name),
            text(a.level.as_str()),
            maybe(a.parent_code.as_deref()),
            text(&a.address),
        ]);
    }
    for p in &file.procedures {
        let code = maybe(p.code.as_deref());
        t[1].push(vec![
            code.clone(),
            text(&p.name),
            text(&p.field),
            text(&p.agency_code),
            count(p.duration.amount),
            text(p.duration.unit.as_str()),
            maybe(p.duration.cutoff.as_deref()),
            maybe(p.service_level.map(|l| l.as_str())),
            text(p.supplement_policy.as_str()),
            text(&p.legal_basis),
            text(&p.result),
            text(&p.members.join("; ")),
            text(if p.representation_allowed {
                "yes"
            } else {
                "no"
            }),
            text(if p.any_desk { "yes" } else { "no" }),
        ]);
        for (i, d) in p.required_documents.iter().enumerate() {
            t[2].push(row(&[&code, &order(i)], document(d)));
        }
        for (i, s) in p.steps.iter().enumerate() {
            t[3].push(row(&[&code, &order(i)], step(s)));
        }
        for (i, c) in p.cases.iter().enumerate() {
            let case = text(&c.code);
            let (fee, note) = c.fees.as_ref().map_or((Value::Blank, Value::Blank), |f| {
                (number(f.amount_vnd), text(&f.note))
            });
            let cells = [text(&c.name)]
                .into_iter()
                .chain(duration(Some(&c.duration)))
                .chain(duration(c.online_duration.as_ref()))
                .chain([fee, note]);
            t[8].push(row(&[&code, &case, &order(i)], cells));
            for (k, d) in c.required_documents.iter().enumerate() {
                t[9].push(row(&[&code, &case, &order(k)], document(d)));
            }
            for (k, s) in c.steps.iter().enumerate() {
                t[10].push(row(&[&code, &case, &order(k)], step(s)));
            }
        }
        if let Some(f) = &p.fees {
            t[4].push(vec![code.clone(), number(f.amount_vnd), text(&f.note)]);
        }
        let Some(c) = &p.compliance else {
            continue;
        };
        t[5].push(vec![
            code.clone(),
            count(c.visits),
            count(c.travel_minutes),
            count(c.wait_minutes),
            count(c.collect_minutes),
        ]);
        for (i, d) in c.documents.iter().enumerate() {
            t[6].push(vec![
                code.clone(),
                order(i),
                text(&d.code),
                count(d.minutes),
            ]);
        }
        for (kind, items) in [
            (OUTSIDE_SERVICE, &c.outside_services),
            (OTHER_COST, &c.other_costs),
        ] {
            for (i, item) in items.iter().enumerate() {
                t[7].push(vec![
                    code.clone(),
                    text(kind),
                    order(i),
                    text(&item.name),
                    number(item.amount_vnd),
                ]);
            }
        }
    }
    t
}

/// Whether a spreadsheet would take a text typed in for a formula.
fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@'])
}

fn width(name: &str, kind: Kind) -> f64 {
    match (name, kind) {
        ("name" | "legal_basis" | "result" | "address" | "note", _) => 40.0,
        (_, Kind::Number) => 12.0,
        _ => 18.0,
    }
}

fn sheet(ws: &mut Worksheet, table: &Table, rows: &[Vec<Value>]) -> Result<(), XlsxError> {
    ws.set_name(table.name)?;
    let as_text = Format::new().set_num_format("@");
    let head = as_text.clone().set_bold();
    // Shown and kept as text even when the cell is edited again.
    let quoted = as_text.clone().set_quote_prefix();
    let mut last = 0;
    for (col, (name, kind)) in (0u16..).zip(table.columns) {
        last = col;
        ws.write_string_with_format(0, col, *name, &head)?;
        ws.set_column_width(col, width(name, *kind))?;
        if !matches!(kind, Kind::Number) {
            ws.set_column_format(col, &as_text)?;
        }
        if let Kind::Choice(words) = kind {
            let list = DataValidation::new().allow_list_strings(words)?;
            ws.add_data_validation(1, col, MAX_ROWS - 1, col, &list)?;
        }
    }
    let mut at = 0;
    for (row, values) in (1u32..).zip(rows) {
        at = row;
        for (col, value) in (0u16..).zip(values) {
            match value {
                Value::Text(s) if looks_like_formula(s) => {
                    ws.write_string_with_format(row, col, s, &quoted)?
                }
                Value::Text(s) => ws.write_string_with_format(row, col, s, &as_text)?,
                Value::Number(n) => ws.write_number(row, col, *n)?,
                Value::Blank => ws,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, at, last)?;
    Ok(())
}
