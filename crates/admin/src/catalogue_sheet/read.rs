//! Reading: the rows of each sheet ([`super::cells`]) as a
//! [`CatalogueFile`]. A cell that does not read as its column's kind (a
//! number that is not one, a word not in the column's list), a row of a
//! document, step, fee, compliance or case sheet naming a procedure the
//! `procedures` sheet lacks and a row of a case's documents or steps
//! naming a case the `cases` sheet lacks are refused here, every one at
//! once; what reads goes to the JSON import's checks.

use std::collections::HashMap;

use calamine::{Data, DataType};
use motcua_domain::compliance::{CostItem, DocumentTime};
use motcua_domain::{AgencyLevel, ComplianceInputs, DurationUnit, ProcessStep, RequiredDocument};
use serde::de::DeserializeOwned;

use super::cells::{self, Errors, Row};
use super::places::{CasePlaces, Places, ProcedurePlaces};
use super::{
    Kind, SheetError, Table, Workbook, AGENCIES, CASES, CASE_DOCUMENTS, CASE_STEPS, COMPLIANCE,
    COMPLIANCE_COSTS, COMPLIANCE_DOCUMENTS, DOCUMENTS, FEES, PROCEDURES, STEPS,
};
use crate::agencies::AgencyInput;
use crate::catalogue::{DurationDto, FeesDto, ProcedureInput};
use crate::catalogue_file::{CatalogueFile, FORMAT};
use crate::procedure_cases::CaseInput;

/// The cells of one row, read by column name; each problem recorded
/// with the sheet, the row and the column.
struct Cells<'a> {
    table: &'a Table,
    row: &'a Row,
    errors: &'a mut Errors,
}

/// The text of a number typed into a text column (`12`, not `12.0`).
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

impl Cells<'_> {
    fn get(&self, column: &str) -> &Data {
        self.table
            .index(column)
            .and_then(|i| self.row.cells.get(i))
            .unwrap_or(&Data::Empty)
    }

    fn fail(&mut self, column: &str, message: impl Into<String>) {
        self.errors
            .push(self.table.name, self.row.number, column, message);
    }

    /// The cell as text, as written (not trimmed); empty when blank.
    fn text(&mut self, column: &str) -> String {
        let problem = match self.get(column) {
            Data::Empty => return String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => return s.clone(),
            Data::Int(i) => return i.to_string(),
            Data::Float(f) => return float_text(*f),
            Data::Bool(b) => return b.to_string(),
            Data::DateTime(_) => "a date or time: write it as text".to_string(),
            Data::Error(e) => format!("the cell holds an error ({e})"),
        };
        self.fail(column, problem);
        String::new()
    }

    /// Whether the cell is blank (or only spaces).
    fn blank(&self, column: &str) -> bool {
        match self.get(column) {
            Data::Empty => true,
            Data::String(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The time limit of the columns `{prefix}_amount`, `{prefix}_unit`
    /// and `{prefix}_cutoff`; the unit required.
    fn duration(&mut self, prefix: &str) -> DurationDto {
        DurationDto {
            amount: self.count(&format!("{prefix}_amount")),
            // A cell that failed stops the read before any import; the
            // row still names what the rows below it belong to.
            unit: self
                .required_choice(&format!("{prefix}_unit"))
                .unwrap_or(DurationUnit::WorkingDays),
            cutoff: self.time_of_day(&format!("{prefix}_cutoff")),
        }
    }

    /// As [`Cells::duration`], or `None` when its three cells are blank.
    fn optional_duration(&mut self, prefix: &str) -> Option<DurationDto> {
        let columns = ["amount", "unit", "cutoff"].map(|c| format!("{prefix}_{c}"));
        if columns.iter().all(|c| self.blank(c)) {
            return None;
        }
        Some(self.duration(prefix))
    }

    /// The text, or `None` when the cell is blank.
    fn optional_text(&mut self, column: &str) -> Option<String> {
        Some(self.text(column)).filter(|t| !t.trim().is_empty())
    }

    /// A time of day `HH:MM`, typed as text or as a time.
    fn time_of_day(&mut self, column: &str) -> Option<String> {
        if let Data::DateTime(t) = self.get(column) {
            let minutes = (t.as_f64().fract() * 1440.0).round();
            return Some(format!(
                "{:02}:{:02}",
                (minutes / 60.0).floor(),
                minutes % 60.0
            ));
        }
        self.optional_text(column)
    }

    /// A whole number, or `None` when the cell is blank or not one (a
    /// problem recorded).
    fn number<T: TryFrom<i64>>(&mut self, column: &str) -> Option<T> {
        let n = match self.get(column) {
            Data::Empty => return None,
            Data::Int(i) => Some(*i),
            // Whole, and well inside what an `f64` holds exactly.
            #[allow(clippy::cast_possible_truncation)]
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Some(*f as i64),
            Data::Float(_) => {
                self.fail(column, "not a whole number");
                return None;
            }
            Data::String(s) if s.trim().is_empty() => return None,
            Data::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        let Some(n) = n else {
            self.fail(column, "not a number");
            return None;
        };
        let fits = T::try_from(n).ok();
        if fits.is_none() {
            let message = if n < 0 {
                "must not be negative"
            } else {
                "too large"
            };
            self.fail(column, message);
        }
        fits
    }

    /// A whole number; blank is 0.
    fn count<T: TryFrom<i64> + Default>(&mut self, column: &str) -> T {
        self.number(column).unwrap_or_default()
    }

    /// A whole number that must be given.
    fn required_number(&mut self, column: &str) -> Option<i64> {
        if self.get(column).is_empty() {
            self.fail(column, "is required");
        }
        self.number(column)
    }

    /// One of the column's words, or `None` when the cell is blank.
    fn choice<T: DeserializeOwned>(&mut self, column: &str) -> Option<T> {
        let text = self.optional_text(column)?;
        let word = text.trim();
        let found = serde_json::from_value(serde_json::Value::String(word.to_string())).ok();
        if found.is_none() {
            let words = match self.table.index(column).map(|i| self.table.columns[i].1) {
                Some(Kind::Choice(words)) => words.join(", "),
                _ => String::new(),
            };
            self.fail(column, format!("{word:?} is not one of: {words}"));
        }
        found
    }

    /// One of the column's words, which must be given.
    fn required_choice<T: DeserializeOwned>(&mut self, column: &str) -> Option<T> {
        if self.optional_text(column).is_none() {
            self.fail(column, "is required");
            return None;
        }
        self.choice(column)
    }

    /// `yes` or `no` (or a spreadsheet's TRUE and FALSE); blank is no.
    fn flag(&mut self, column: &str) -> bool {
        match self.get(column) {
            Data::Bool(b) => *b,
            Data::Int(1) => true,
            Data::Int(0) | Data::Empty => false,
            _ => match self.text(column).trim().to_lowercase().as_str() {
                "yes" | "true" | "1" => true,
                "no" | "false" | "0" | "" => false,
                _ => {
                    self.fail(column, "must be yes or no");
                    false
                }
            },
        }
    }
}

/// The workbook's sheets read in turn: agencies, procedures, then the
/// rows that belong to a procedure, then those of a case.
struct Reading {
    errors: Errors,
    places: Places,
    procedures: Vec<ProcedureInput>,
    index: Index,
}

/// Where the rows of other sheets find what they belong to.
#[derive(Default)]
struct Index {
    /// The position of each procedure code in `procedures`.
    procedures: HashMap<String, usize>,
    /// The position of each case, by its procedure's position and its code.
    cases: HashMap<(usize, String), usize>,
}

/// Rows of one list of a procedure (or of a case, `K` its procedure's
/// and its own position): (order, row, item).
type Listed<T, K = usize> = HashMap<K, Vec<(i64, u32, T)>>;

/// A list's items by their `order`, then by row; with their rows.
fn in_order<T>(mut items: Vec<(i64, u32, T)>) -> (Vec<T>, Vec<u32>) {
    items.sort_by_key(|(order, row, _)| (*order, *row));
    items.into_iter().map(|(_, row, item)| (item, row)).unzip()
}

impl Reading {
    fn cells<'a>(errors: &'a mut Errors, table: &'a Table, row: &'a Row) -> Cells<'a> {
        Cells { table, row, errors }
    }

    fn agencies(&mut self, rows: &[Row]) -> Vec<AgencyInput> {
        let mut out = Vec::new();
        for row in rows {
            let mut c = Self::cells(&mut self.errors, &AGENCIES, row);
            let code = c.optional_text("code");
            let name = c.text("name");
            let parent_code = c.optional_text("parent_code");
            let address = c.text("address");
            // As for a procedure's unit: a failed cell stops the read.
            let level = c.required_choice("level").unwrap_or(AgencyLevel::Commune);
            self.places.agencies.push(row.number);
            out.push(AgencyInput {
                code,
                name,
                level,
                parent_code,
                address,
            });
        }
        out
    }

    fn procedures(&mut self, rows: &[Row]) {
        for row in rows {
            let mut c = Self::cells(&mut self.errors, &PROCEDURES, row);
            let code = c.optional_text("code");
            let duration = c.duration("duration");
            let input = ProcedureInput {
                code: code.clone(),
                name: c.text("name"),
                field: c.text("field"),
                agency_code: c.text("agency_code"),
                duration,
                fees: None,
                required_documents: Vec::new(),
                legal_basis: c.text("legal_basis"),
                result: c.text("result"),
                service_level: c.choice("service_level"),
                online_allowed: None,
                supplement_policy: c.choice("supplement_policy").unwrap_or_default(),
                steps: Vec::new(),
                members: c
                    .text("members")
                    .split(';')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect(),
                compliance: None,
                cases: Vec::new(),
                // Blank (or a workbook from before the column): allowed.
                representation_allowed: c.blank("representation_allowed")
                    || c.flag("representation_allowed"),
                // Blank (or a workbook from before the column): its own desk only.
                any_desk: c.flag("any_desk"),
            };
            if let Some(code) = code {
                // A code listed twice is refused by the import's checks;
                // the rows below it belong to the first.
                self.index
                    .procedures
                    .entry(code.trim().to_string())
                    .or_insert(self.procedures.len());
            }
            self.places.procedures.push(ProcedurePlaces {
                row: row.number,
                ..Default::default()
            });
            self.procedures.push(input);
        }
    }

    /// Reads the rows of a list sheet: each row's owner (by `owner`, a
    /// procedure or a case), its order and its item (`None` when a cell
    /// failed).
    fn listed<T, K: std::hash::Hash + Eq>(
        &mut self,
        table: &Table,
        rows: &[Row],
        owner: fn(&Index, &mut Cells) -> Option<K>,
        mut item: impl FnMut(&mut Cells) -> Option<T>,
    ) -> Listed<T, K> {
        let mut out: Listed<T, K> = HashMap::new();
        for row in rows {
            let mut c = Self::cells(&mut self.errors, table, row);
            let owner = owner(&self.index, &mut c);
            let order = c.required_number("order");
            let item = item(&mut c);
            if let (Some(i), Some(order), Some(item)) = (owner, order, item) {
                out.entry(i).or_default().push((order, row.number, item));
            }
        }
        out
    }

    /// Reads the rows of a sheet of one row a procedure at most (fees,
    /// compliance), each with its row.
    fn single<T>(
        &mut self,
        table: &Table,
        rows: &[Row],
        mut item: impl FnMut(&mut Cells) -> T,
    ) -> HashMap<usize, (u32, T)> {
        let mut out: HashMap<usize, (u32, T)> = HashMap::new();
        for row in rows {
            let mut c = Self::cells(&mut self.errors, table, row);
            let Some(i) = procedure(&self.index, &mut c) else {
                continue;
            };
            let value = item(&mut c);
            match out.get(&i) {
                Some((first, _)) => c.fail(
                    "procedure_code",
                    format!("the procedure has a row here already (row {first})"),
                ),
                None => {
                    out.insert(i, (row.number, value));
                }
            }
        }
        out
    }

    /// Reads the sheets after `procedures` into its procedures.
    fn lists(&mut self, sheets: &mut impl Iterator<Item = Vec<Row>>) {
        let mut next = || sheets.next().unwrap_or_default();
        let documents = self.listed(&DOCUMENTS, &next(), procedure, document);
        let steps = self.listed(&STEPS, &next(), procedure, step);
        let fees = self.single(&FEES, &next(), |c| FeesDto {
            amount_vnd: c.count("amount_vnd"),
            note: c.text("note"),
        });
        let compliance = self.single(&COMPLIANCE, &next(), |c| ComplianceInputs {
            visits: c.count("visits"),
            travel_minutes: c.count("travel_minutes"),
            wait_minutes: c.count("wait_minutes"),
            collect_minutes: c.count("collect_minutes"),
            ..Default::default()
        });
        let times = self.listed(&COMPLIANCE_DOCUMENTS, &next(), procedure, |c| {
            Some(DocumentTime {
                code: c.text("document_code"),
                minutes: c.count("minutes"),
            })
        });
        let costs = self.listed(&COMPLIANCE_COSTS, &next(), procedure, |c| {
            let kind = c.required_choice::<CostKind>("kind")?;
            let item = CostItem {
                name: c.text("name"),
                amount_vnd: c.count("amount_vnd"),
            };
            Some((kind, item))
        });
        // Times and costs are compliance inputs: their procedure needs
        // its row of them.
        for (table, owners) in [
            (&COMPLIANCE_DOCUMENTS, keys_and_rows(&times)),
            (&COMPLIANCE_COSTS, keys_and_rows(&costs)),
        ] {
            for (i, row) in owners {
                if !compliance.contains_key(&i) {
                    self.errors.push(
                        table.name,
                        row,
                        "procedure_code",
                        "the procedure has no row in the compliance sheet",
                    );
                }
            }
        }
        self.gather(documents, steps, fees, compliance, times, costs);
        let cases = self.listed(&CASES, &next(), procedure, |c| Some(case(c)));
        self.gather_cases(cases);
        let documents = self.listed(&CASE_DOCUMENTS, &next(), case_of, document);
        let steps = self.listed(&CASE_STEPS, &next(), case_of, step);
        self.gather_case_lists(documents, steps);
    }

    /// Puts each procedure's cases in, in order, each known by its code
    /// to the rows of its documents and steps.
    fn gather_cases(&mut self, mut cases: Listed<CaseInput>) {
        let all = self.procedures.iter_mut().zip(&mut self.places.procedures);
        for (i, (p, places)) in all.enumerate() {
            let rows;
            (p.cases, rows) = in_order(cases.remove(&i).unwrap_or_default());
            for (k, c) in p.cases.iter().enumerate() {
                // A code listed twice is refused by the import's checks;
                // the rows of its documents and steps go to the first.
                self.index
                    .cases
                    .entry((i, c.code.trim().to_string()))
                    .or_insert(k);
            }
            places.cases = rows
                .into_iter()
                .map(|row| CasePlaces {
                    row,
                    ..Default::default()
                })
                .collect();
        }
    }

    /// Puts each case's documents and steps in, in order.
    fn gather_case_lists(
        &mut self,
        mut documents: Listed<RequiredDocument, (usize, usize)>,
        mut steps: Listed<ProcessStep, (usize, usize)>,
    ) {
        let all = self.procedures.iter_mut().zip(&mut self.places.procedures);
        for (i, (p, places)) in all.enumerate() {
            for (k, (c, at)) in p.cases.iter_mut().zip(&mut places.cases).enumerate() {
                (c.required_documents, at.documents) =
                    in_order(documents.remove(&(i, k)).unwrap_or_default());
                (c.steps, at.steps) = in_order(steps.remove(&(i, k)).unwrap_or_default());
            }
        }
    }

    /// Puts each list read into its procedure, in order, and its rows
    /// into the procedure's places.
    fn gather(
        &mut self,
        mut documents: Listed<RequiredDocument>,
        mut steps: Listed<ProcessStep>,
        mut fees: HashMap<usize, (u32, FeesDto)>,
        mut compliance: HashMap<usize, (u32, ComplianceInputs)>,
        mut times: Listed<DocumentTime>,
        mut costs: Listed<(CostKind, CostItem)>,
    ) {
        let all = self.procedures.iter_mut().zip(&mut self.places.procedures);
        for (i, (p, places)) in all.enumerate() {
            (p.required_documents, places.documents) =
                in_order(documents.remove(&i).unwrap_or_default());
            (p.steps, places.steps) = in_order(steps.remove(&i).unwrap_or_default());
            if let Some((row, f)) = fees.remove(&i) {
                p.fees = Some(f);
                places.fees = Some(row);
            }
            let Some((row, mut inputs)) = compliance.remove(&i) else {
                continue;
            };
            places.compliance = Some(row);
            (inputs.documents, places.compliance_documents) =
                in_order(times.remove(&i).unwrap_or_default());
            let (costs, rows): (Vec<_>, Vec<_>) = in_order(costs.remove(&i).unwrap_or_default());
            for ((kind, item), row) in costs.into_iter().zip(rows) {
                let (list, rows) = match kind {
                    CostKind::OutsideService => {
                        (&mut inputs.outside_services, &mut places.outside_services)
                    }
                    CostKind::Other => (&mut inputs.other_costs, &mut places.other_costs),
                };
                list.push(item);
                rows.push(row);
            }
            p.compliance = Some(inputs);
        }
    }
}

/// The `kind` column of `compliance_costs`.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum CostKind {
    OutsideService,
    Other,
}

/// A row of `documents` or `case_documents`, after its owner and order.
fn document(c: &mut Cells) -> Option<RequiredDocument> {
    Some(RequiredDocument {
        code: c.text("code"),
        name: c.text("name"),
        original: c.count("original"),
        copies: c.count("copies"),
        optional: c.flag("optional"),
    })
}

/// A row of `steps` or `case_steps`, after its owner and order.
fn step(c: &mut Cells) -> Option<ProcessStep> {
    Some(ProcessStep {
        name: c.text("name"),
        agency_code: c.text("agency_code"),
        share_percent: c.count("share_percent"),
        role: c.required_choice("role")?,
    })
}

/// A row of `cases`, its documents and steps read from their sheets.
/// Every case has its fees (blank: none to pay), as the export writes.
fn case(c: &mut Cells) -> CaseInput {
    CaseInput {
        code: c.text("case_code"),
        name: c.text("name"),
        duration: c.duration("duration"),
        online_duration: c.optional_duration("online_duration"),
        fees: Some(FeesDto {
            amount_vnd: c.count("fee_vnd"),
            note: c.text("fee_note"),
        }),
        required_documents: Vec::new(),
        steps: Vec::new(),
    }
}

/// Each procedure and row of a list read.
fn keys_and_rows<T>(listed: &Listed<T>) -> Vec<(usize, u32)> {
    listed
        .iter()
        .flat_map(|(i, items)| items.iter().map(move |(_, row, _)| (*i, *row)))
        .collect()
}

/// Reads a workbook as written by [`super::to_xlsx`] (and as edited in a
/// spreadsheet): every problem of its cells at once, or the catalogue
/// file it holds with where each row came from.
pub fn read(bytes: &[u8]) -> Result<Workbook, SheetError> {
    let mut errors = Errors::default();
    let sheets = cells::sheets(bytes, &mut errors)?;
    // Without its sheets and columns, every cell would fail too.
    if !errors.is_empty() {
        return Err(errors.into_error());
    }
    let mut reading = Reading {
        errors,
        places: Places::default(),
        procedures: Vec::new(),
        index: Index::default(),
    };
    let mut sheets = sheets.into_iter();
    let agencies = reading.agencies(&sheets.next().unwrap_or_default());
    reading.procedures(&sheets.next().unwrap_or_default());
    reading.lists(&mut sheets);
    let Reading {
        errors,
        places,
        procedures,
        ..
    } = reading;
    if !errors.is_empty() {
        return Err(errors.into_error());
    }
    Ok(Workbook {
        file: CatalogueFile {
            format: FORMAT.to_string(),
            exported_at: None,
            agencies,
            procedures,
        },
        places,
    })
}

/// The trimmed code in `column`, or `None` (a problem recorded) when
/// blank.
fn code(c: &mut Cells, column: &str) -> Option<String> {
    let code = c.text(column).trim().to_string();
    if code.is_empty() {
        c.fail(column, "is required");
        return None;
    }
    Some(code)
}

/// The procedure a row of another sheet belongs to, by its code.
fn procedure(index: &Index, c: &mut Cells) -> Option<usize> {
    let code = code(c, "procedure_code")?;
    let found = index.procedures.get(&code).copied();
    if found.is_none() {
        c.fail(
            "procedure_code",
            format!("{code:?} is not in the procedures sheet"),
        );
    }
    found
}

/// The case a row of `case_documents` or `case_steps` belongs to, by its
/// procedure's code and its own: (the procedure's position, the case's).
fn case_of(index: &Index, c: &mut Cells) -> Option<(usize, usize)> {
    let i = procedure(index, c);
    let code = code(c, "case_code")?;
    let i = i?;
    let found = index.cases.get(&(i, code.clone())).map(|&k| (i, k));
    if found.is_none() {
        let procedure = c.text("procedure_code");
        c.fail(
            "case_code",
            format!(
                "{code:?} is not a case of {} in the cases sheet",
                procedure.trim()
            ),
        );
    }
    found
}
