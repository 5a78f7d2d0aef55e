//! The results report as an XLSX workbook: a title row, the agency, the
//! period and when the figures were taken, the column headings of the
//! periodic report, one row per line of the report and the total, the
//! sheet set to print A4 landscape. Numbers are numbers, so the sheet
//! computes with them; text cells are written as text (a spreadsheet
//! never runs them as formulas).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::results::{Counts, ResultsReport};

/// The workbook's bytes.
pub fn to_xlsx(report: &ResultsReport, as_of: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Báo cáo")?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    let title = Format::new().set_bold().set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let total = Format::new().set_bold().set_border(FormatBorder::Thin);
    let last_col = 2 + Counts::default().columns().len() as u16 - 1;
    sheet.merge_range(0, 0, 0, last_col, &report.title.to_uppercase(), &title)?;
    let form = match report.form {
        Some(f) => format!("Mẫu số {} (Thông tư 01/2020/TT-VPCP)", f.number()),
        None => "Theo cột của mẫu báo cáo định kỳ (Thông tư 01/2020/TT-VPCP)".to_string(),
    };
    let meta = [
        form,
        format!("Đơn vị: {}", report.agency_name),
        format!(
            "Kỳ báo cáo: từ ngày {} đến ngày {} ({})",
            report.period.first.format("%d/%m/%Y"),
            report.period.last.format("%d/%m/%Y"),
            report.period.name
        ),
        format!("Số liệu tính đến: {as_of}"),
    ];
    for (i, text) in meta.iter().enumerate() {
        sheet.merge_range(
            1 + i as u32,
            0,
            1 + i as u32,
            last_col,
            text,
            &Format::new(),
        )?;
    }
    let header_row = 1 + meta.len() as u32 + 1;
    sheet.write_string_with_format(header_row, 0, "Mã", &head)?;
    sheet.write_string_with_format(header_row, 1, "Tên", &head)?;
    for (i, (name, _)) in Counts::default().columns().iter().enumerate() {
        sheet.write_string_with_format(header_row, 2 + i as u16, *name, &head)?;
        sheet.set_column_width(2 + i as u16, 12)?;
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 36)?;
    let lines = report
        .rows
        .iter()
        .map(|r| (r.key.as_str(), r.label.as_str(), &r.counts, &cell))
        .chain([("", "Tổng cộng", &report.total, &total)]);
    for (row, (key, label, counts, format)) in (header_row + 1..).zip(lines) {
        sheet.write_string_with_format(row, 0, key, format)?;
        sheet.write_string_with_format(row, 1, label, format)?;
        for (i, (_, value)) in counts.columns().iter().enumerate() {
            match value {
                Some(v) => sheet.write_number_with_format(row, 2 + i as u16, *v, format)?,
                None => sheet.write_string_with_format(row, 2 + i as u16, "", format)?,
            };
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{By, ResultsRow};
    use chrono::{TimeZone, Utc};
    use motcua_domain::Period;
    use std::io::Read;

    fn part(book: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn the_workbook_has_the_title_the_agency_the_period_the_rows_and_the_total() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 17, 0, 0).unwrap();
        let counts = Counts {
            to_handle: 7,
            received: 7,
            received_counter: 7,
            handled: 4,
            handled_on_time: 3,
            handled_late: 1,
            open: 3,
            open_within_time: 3,
            on_time_rate: Some(75.0),
            ..Counts::default()
        };
        let report = ResultsReport {
            form: Some(crate::Form::F06b),
            title: crate::Form::F06b.title().into(),
            agency: Some("H53.50".into()),
            agency_name: "Ủy ban nhân dân huyện Càng Long".into(),
            period: Period::parse("2026-Q4").unwrap(),
            from: at,
            to: at,
            as_of: at,
            by: By::Procedure,
            agencies: vec!["H53.50".into()],
            rows: vec![ResultsRow {
                key: "1.001193".into(),
                label: "=HYPERLINK(\"x\")".into(),
                counts: counts.clone(),
            }],
            total: counts,
            rolled_up_through: None,
            queue: Vec::new(),
        };
        let book = to_xlsx(&report, "01/01/2027 00:00").unwrap();
        let strings = part(&book, "xl/sharedStrings.xml");
        for text in [
            "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH THUỘC PHẠM VI QUẢN LÝ, THEO LĨNH VỰC",
            "Mẫu số 06b (Thông tư 01/2020/TT-VPCP)",
            "Đơn vị: Ủy ban nhân dân huyện Càng Long",
            "từ ngày 01/10/2026 đến ngày 31/12/2026 (2026-Q4)",
            "Tổng cộng",
            "Đã giải quyết",
        ] {
            assert!(strings.contains(text), "{text} missing");
        }
        let sheet = part(&book, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<v>75</v>"), "the rate is a number");
        assert!(!sheet.contains("<f>"), "no cell is a formula");
        assert!(
            sheet.contains("orientation=\"landscape\""),
            "prints landscape"
        );
    }
}
