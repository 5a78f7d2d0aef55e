//! Catalogue workbooks as a spreadsheet program sees them: every sheet's
//! cells read (calamine), changed, and saved again (rust_xlsxwriter), so
//! the tests edit a workbook the way an administrator would.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// The media type of a workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every sheet's name and cells, row by row.
pub type Sheets = Vec<(String, Vec<Vec<Data>>)>;

pub fn cells(bytes: &[u8]) -> Sheets {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    book.worksheets()
        .into_iter()
        .map(|(name, range)| (name, range.rows().map(<[Data]>::to_vec).collect()))
        .collect()
}

/// How many cells of the workbook hold a formula.
pub fn formulas(bytes: &[u8]) -> usize {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    names
        .iter()
        .map(|n| {
            let f = book.worksheet_formula(n).unwrap();
            f.used_cells().filter(|(_, _, v)| !v.is_empty()).count()
        })
        .sum()
}

/// The sheets saved as a workbook: text as text, numbers as numbers,
/// TRUE and FALSE as such, a date or time as a number shown as a time.
pub fn workbook(sheets: &Sheets) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let time = rust_xlsxwriter::Format::new().set_num_format("hh:mm");
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in (0u32..).zip(rows) {
            for (c, cell) in (0u16..).zip(row) {
                match cell {
                    Data::String(s) => drop(ws.write_string(r, c, s).unwrap()),
                    Data::Float(f) => drop(ws.write_number(r, c, *f).unwrap()),
                    Data::Int(i) => drop(ws.write_number(r, c, *i as f64).unwrap()),
                    Data::Bool(b) => drop(ws.write_boolean(r, c, *b).unwrap()),
                    Data::DateTime(t) => drop(
                        ws.write_number_with_format(r, c, t.as_f64(), &time)
                            .unwrap(),
                    ),
                    _ => {}
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The rows of the sheet `name`.
pub fn sheet<'a>(sheets: &'a mut Sheets, name: &str) -> &'a mut Vec<Vec<Data>> {
    &mut sheets.iter_mut().find(|(n, _)| n == name).unwrap().1
}

/// The position of the column `name` in the sheet's header.
pub fn column(rows: &[Vec<Data>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|c| *c == Data::String(name.into()))
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The position of the first row whose first cell is `key`.
pub fn row(rows: &[Vec<Data>], key: &str) -> usize {
    rows.iter()
        .position(|r| r[0] == Data::String(key.into()))
        .unwrap_or_else(|| panic!("no row {key}"))
}
