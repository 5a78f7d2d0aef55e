//! Reading: the cells of each sheet of [`super::TABLES`], bounded. A
//! workbook is a zip archive of XML: the archive's unpacked size is
//! checked before anything is unpacked (the zip reader then holds each
//! part to its declared size), and cells are streamed one by one, never
//! into a grid as wide as the cells' positions (one cell at XFD1048576
//! would ask for billions). Each sheet's first row with text is its
//! header; a cell outside the header's columns, a header that is not a
//! column of the sheet or a column missing is refused, named by sheet,
//! row and column.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use motcua_domain::FieldError;

use super::{SheetError, Table, TABLES};

/// The most bytes a workbook may unpack to: a catalogue of thousands of
/// procedures takes a few megabytes.
pub const MAX_UNPACKED: u128 = 64 * 1024 * 1024;
/// The most parts (files) in the archive.
const MAX_PARTS: usize = 1000;
/// The most rows a sheet may have, the header included.
pub const MAX_ROWS: u32 = 100_000;
/// The most columns a sheet may spread over (its own, and empty ones
/// between them).
const MAX_COLUMNS: u32 = 64;
/// The most problems listed; the rest are counted.
const MAX_ERRORS: usize = 500;

/// How a problem names a cell: `procedures row 4: duration_amount`, or
/// `procedures row 4` for the whole row.
pub fn cell_name(sheet: &str, row: u32, column: &str) -> String {
    if column.is_empty() {
        format!("{sheet} row {row}")
    } else {
        format!("{sheet} row {row}: {column}")
    }
}

/// Problems found while reading, each named by sheet, row and column.
#[derive(Debug, Default)]
pub struct Errors {
    list: Vec<FieldError>,
    more: usize,
}

impl Errors {
    /// A problem of a cell (`procedures row 4: duration_amount`), of a
    /// row (`column` empty) or of a sheet (`row` 0).
    pub fn push(&mut self, sheet: &str, row: u32, column: &str, message: impl Into<String>) {
        let field = match row {
            0 => sheet.to_string(),
            _ => cell_name(sheet, row, column),
        };
        if self.list.len() < MAX_ERRORS {
            self.list.push(FieldError::new(field, message));
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn into_error(mut self) -> SheetError {
        if self.more > 0 {
            self.list.push(FieldError::new(
                "workbook",
                format!("{} more problems not listed", self.more),
            ));
        }
        SheetError::Invalid(self.list)
    }
}

/// One row of a sheet: its number as a spreadsheet shows it (from 1)
/// and its cells in the order of the table's columns.
#[derive(Debug)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Data>,
}

/// The data rows of every sheet, in the order of [`TABLES`]; a sheet
/// that does not read has none, its problems in `errors`.
pub fn sheets(bytes: &[u8], errors: &mut Errors) -> Result<Vec<Vec<Row>>, SheetError> {
    let limits = Limits {
        unpacked: MAX_UNPACKED,
        rows: MAX_ROWS,
    };
    read_sheets(bytes, &TABLES, &[], limits, errors)
}

/// How large a workbook may be: what it unpacks to, and the rows of a
/// sheet (its header included).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub unpacked: u128,
    pub rows: u32,
}

/// The data rows of each of `tables`, in their order, within `limits`;
/// a sheet named in `optional` may be missing (it has no rows then).
/// Shared by the catalogue and the dossier import's workbooks.
pub fn read_sheets(
    bytes: &[u8],
    tables: &[&Table],
    optional: &[&str],
    limits: Limits,
    errors: &mut Errors,
) -> Result<Vec<Vec<Row>>, SheetError> {
    unpacked_size(bytes, limits.unpacked)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| SheetError::Unreadable(format!("not an XLSX workbook: {e}")))?;
    let names = book.sheet_names();
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        if !names.iter().any(|n| n == table.name) {
            if !optional.contains(&table.name) {
                errors.push(table.name, 0, "", "no such sheet in the workbook");
            }
            out.push(Vec::new());
            continue;
        }
        let cells = read_cells(&mut book, table, limits.rows, errors)?;
        out.push(rows(table, cells, errors));
    }
    Ok(out)
}

/// Checks what the archive unpacks to, by the sizes its directory
/// declares (the zip reader fails a part that unpacks to more than its
/// declared size).
fn unpacked_size(bytes: &[u8], max_unpacked: u128) -> Result<(), SheetError> {
    let not_zip = |e: zip::result::ZipError| {
        SheetError::Unreadable(format!("not an XLSX file (a zip archive): {e}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_zip)?;
    if archive.len() > MAX_PARTS {
        return Err(SheetError::Unreadable(format!(
            "{} parts in the archive; a workbook has far fewer",
            archive.len()
        )));
    }
    let mut total = 0u128;
    for i in 0..archive.len() {
        total += u128::from(archive.by_index_raw(i).map_err(not_zip)?.size());
    }
    if total > max_unpacked {
        return Err(SheetError::Unreadable(format!(
            "it unpacks to more than {} MiB",
            max_unpacked / (1024 * 1024)
        )));
    }
    Ok(())
}

/// The sheet's cells that hold something, by row then column (0-based).
fn read_cells(
    book: &mut Xlsx<Cursor<&[u8]>>,
    table: &Table,
    max_rows: u32,
    errors: &mut Errors,
) -> Result<BTreeMap<u32, BTreeMap<u32, Data>>, SheetError> {
    let unreadable = |e: calamine::XlsxError| {
        SheetError::Unreadable(format!("the sheet {} does not read: {e}", table.name))
    };
    let mut reader = book
        .worksheet_cells_reader(table.name)
        .map_err(unreadable)?;
    let mut cells: BTreeMap<u32, BTreeMap<u32, Data>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= max_rows {
            errors.push(table.name, 0, "", format!("more than {max_rows} rows"));
            break;
        }
        let row_cells = cells.entry(row).or_default();
        // Far wider than a sheet's columns: refused once the header is
        // known, so one such cell a row is enough to name.
        if col >= MAX_COLUMNS && row_cells.keys().any(|&c| c >= MAX_COLUMNS) {
            continue;
        }
        row_cells.insert(col, value);
    }
    Ok(cells)
}

/// The column letters of a 0-based index (`A`, `Z`, `AA`).
pub fn letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + u8::try_from(col % 26).unwrap_or(0));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The cells read into rows: the first row is the header, naming each
/// column.
fn rows(table: &Table, cells: BTreeMap<u32, BTreeMap<u32, Data>>, errors: &mut Errors) -> Vec<Row> {
    let sheet = table.name;
    let mut cells = cells.into_iter();
    let Some((header_row, header)) = cells.next() else {
        errors.push(sheet, 1, "", "no header row (the sheet is empty)");
        return Vec::new();
    };
    let header_number = header_row + 1;
    // The table's column of each of the sheet's columns.
    let mut columns: BTreeMap<u32, usize> = BTreeMap::new();
    // Under a heading that is not a column, the cells are not named again.
    let headed: Vec<u32> = header.keys().copied().collect();
    for (col, value) in header {
        let name = match &value {
            Data::String(s) => s.trim().to_string(),
            other => other.to_string(),
        };
        match table.index(&name) {
            Some(i) if columns.values().any(|&j| j == i) => {
                errors.push(sheet, header_number, &name, "column listed twice")
            }
            Some(i) => {
                columns.insert(col, i);
            }
            None => errors.push(
                sheet,
                header_number,
                &letters(col),
                format!(
                    "{name:?} is not a column of this sheet ({})",
                    table
                        .columns
                        .iter()
                        .map(|(c, _)| *c)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    for (i, (name, _)) in table.columns.iter().enumerate() {
        if !columns.values().any(|&j| j == i) && !super::ADDED_LATER.contains(name) {
            errors.push(sheet, header_number, name, "column missing from the header");
        }
    }
    let mut out = Vec::new();
    for (row, values) in cells {
        let number = row + 1;
        let mut cells = vec![Data::Empty; table.columns.len()];
        for (col, value) in values {
            match columns.get(&col) {
                Some(&i) => cells[i] = value,
                None if headed.contains(&col) => {}
                None => errors.push(
                    sheet,
                    number,
                    &letters(col),
                    "a cell outside the header's columns",
                ),
            }
        }
        out.push(Row { number, cells });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::letters;

    #[test]
    fn columns_are_lettered_as_a_spreadsheet_does() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(27), "AB");
        assert_eq!(letters(16383), "XFD");
    }
}
