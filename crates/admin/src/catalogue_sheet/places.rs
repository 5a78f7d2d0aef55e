//! Where each row of a [`crate::catalogue_file::CatalogueFile`] read from
//! a workbook came from, so that a problem the checks name by the file's
//! positions (`procedures[3].required_documents[1].name`) is told by the
//! sheet and row an administrator can find (`documents row 9: name`).

use motcua_domain::FieldError;

use super::cells::cell_name;
use super::{
    AGENCIES, CASES, CASE_DOCUMENTS, CASE_STEPS, COMPLIANCE, COMPLIANCE_COSTS,
    COMPLIANCE_DOCUMENTS, DOCUMENTS, FEES, PROCEDURES, STEPS,
};

/// The rows (as a spreadsheet numbers them) of a workbook's agencies and
/// procedures, in the file's order.
#[derive(Debug, Default)]
pub struct Places {
    pub agencies: Vec<u32>,
    pub procedures: Vec<ProcedurePlaces>,
}

/// The rows one procedure came from, each list in the procedure's order.
#[derive(Debug, Default)]
pub struct ProcedurePlaces {
    pub row: u32,
    pub documents: Vec<u32>,
    pub steps: Vec<u32>,
    pub fees: Option<u32>,
    pub compliance: Option<u32>,
    pub compliance_documents: Vec<u32>,
    pub outside_services: Vec<u32>,
    pub other_costs: Vec<u32>,
    pub cases: Vec<CasePlaces>,
}

/// The rows one case came from.
#[derive(Debug, Default)]
pub struct CasePlaces {
    pub row: u32,
    pub documents: Vec<u32>,
    pub steps: Vec<u32>,
}

/// `list[i].rest` as (`list`, `i`, `rest`); `rest` is empty for `list[i]`.
fn indexed(field: &str) -> Option<(&str, usize, &str)> {
    let (list, after) = field.split_once('[')?;
    let (i, rest) = after.split_once(']')?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    Some((list, i.parse().ok()?, rest))
}

impl Places {
    /// Each problem's field named by sheet and row where it came from one.
    pub fn rename_all(&self, errors: Vec<FieldError>) -> Vec<FieldError> {
        errors
            .into_iter()
            .map(|e| FieldError {
                field: self.rename(&e.field).unwrap_or(e.field),
                message: e.message,
            })
            .collect()
    }

    /// A field of the file (`procedures[3].duration`) as its sheet, row
    /// and column; `None` for one that names no row (`format`).
    pub fn rename(&self, field: &str) -> Option<String> {
        let (list, i, rest) = indexed(field)?;
        match list {
            "agencies" => Some(cell_name(AGENCIES.name, *self.agencies.get(i)?, rest)),
            "procedures" => Some(self.procedures.get(i)?.rename(rest)),
            _ => None,
        }
    }
}

/// Row `k` of `rows` of `sheet`, at `column`.
fn listed(sheet: &str, rows: &[u32], k: usize, column: &str) -> Option<String> {
    rows.get(k).map(|row| cell_name(sheet, *row, column))
}

impl ProcedurePlaces {
    fn rename(&self, rest: &str) -> String {
        let here = |column: &str| cell_name(PROCEDURES.name, self.row, column);
        let found = match rest.split_once('.') {
            Some(("compliance", column)) => self.compliance_place(column),
            Some(("fees", column)) => self.fees.map(|row| cell_name(FEES.name, row, column)),
            Some(("duration", column)) => Some(here(&format!("duration_{column}"))),
            _ => match indexed(rest) {
                Some(("required_documents", k, column)) => {
                    listed(DOCUMENTS.name, &self.documents, k, column)
                }
                Some(("steps", k, column)) => listed(STEPS.name, &self.steps, k, column),
                Some(("cases", k, column)) => self.cases.get(k).map(|c| c.rename(column)),
                // `members[2]`: one cell of this row.
                _ => None,
            },
        };
        found.unwrap_or_else(|| here(rest))
    }

    /// `compliance.visits`, `compliance.documents[0].code`,
    /// `compliance.outside_services[1].name`...
    fn compliance_place(&self, column: &str) -> Option<String> {
        let (sheet, rows, k, column) = match indexed(column) {
            Some(("documents", k, "code")) => (
                COMPLIANCE_DOCUMENTS.name,
                &self.compliance_documents,
                k,
                "document_code",
            ),
            Some(("documents", k, c)) => {
                (COMPLIANCE_DOCUMENTS.name, &self.compliance_documents, k, c)
            }
            Some(("outside_services", k, c)) => {
                (COMPLIANCE_COSTS.name, &self.outside_services, k, c)
            }
            Some(("other_costs", k, c)) => (COMPLIANCE_COSTS.name, &self.other_costs, k, c),
            _ => {
                return self
                    .compliance
                    .map(|row| cell_name(COMPLIANCE.name, row, column))
            }
        };
        rows.get(k).map(|row| cell_name(sheet, *row, column))
    }
}

impl CasePlaces {
    /// `code`, `duration.cutoff`, `online_duration`, `fees.amount_vnd`,
    /// `required_documents[1].name`, `steps[0].role`...
    fn rename(&self, rest: &str) -> String {
        let column = match rest {
            "code" => "case_code".to_string(),
            "fees.amount_vnd" => "fee_vnd".to_string(),
            "fees.note" => "fee_note".to_string(),
            _ if rest.contains("duration") => rest.replace('.', "_"),
            _ => {
                let found = match indexed(rest) {
                    Some(("required_documents", k, column)) => {
                        listed(CASE_DOCUMENTS.name, &self.documents, k, column)
                    }
                    Some(("steps", k, column)) => listed(CASE_STEPS.name, &self.steps, k, column),
                    _ => None,
                };
                return found.unwrap_or_else(|| cell_name(CASES.name, self.row, rest));
            }
        };
        cell_name(CASES.name, self.row, &column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_positions_become_sheet_rows() {
        let places = Places {
            agencies: vec![2, 3],
            procedures: vec![ProcedurePlaces {
                row: 5,
                documents: vec![7, 9],
                steps: vec![4],
                fees: Some(6),
                compliance: Some(2),
                compliance_documents: vec![3],
                outside_services: vec![8],
                other_costs: vec![10],
                cases: vec![CasePlaces {
                    row: 3,
                    documents: vec![2, 4],
                    steps: vec![5],
                }],
            }],
        };
        let cases = [
            ("agencies[1].name", "agencies row 3: name"),
            ("procedures[0].duration", "procedures row 5: duration"),
            (
                "procedures[0].duration.cutoff",
                "procedures row 5: duration_cutoff",
            ),
            ("procedures[0].members[1]", "procedures row 5: members[1]"),
            (
                "procedures[0].required_documents[1].name",
                "documents row 9: name",
            ),
            ("procedures[0].required_documents[0]", "documents row 7"),
            (
                "procedures[0].steps[0].agency_code",
                "steps row 4: agency_code",
            ),
            ("procedures[0].steps", "procedures row 5: steps"),
            ("procedures[0].fees.amount_vnd", "fees row 6: amount_vnd"),
            (
                "procedures[0].compliance.visits",
                "compliance row 2: visits",
            ),
            (
                "procedures[0].compliance.documents[0].code",
                "compliance_documents row 3: document_code",
            ),
            (
                "procedures[0].compliance.other_costs[0].name",
                "compliance_costs row 10: name",
            ),
            ("procedures[0].cases", "procedures row 5: cases"),
            ("procedures[0].cases[0].code", "cases row 3: case_code"),
            ("procedures[0].cases[0].duration", "cases row 3: duration"),
            (
                "procedures[0].cases[0].online_duration.cutoff",
                "cases row 3: online_duration_cutoff",
            ),
            (
                "procedures[0].cases[0].fees.amount_vnd",
                "cases row 3: fee_vnd",
            ),
            (
                "procedures[0].cases[0].required_documents[1].name",
                "case_documents row 4: name",
            ),
            (
                "procedures[0].cases[0].required_documents[0]",
                "case_documents row 2",
            ),
            (
                "procedures[0].cases[0].steps[0].role",
                "case_steps row 5: role",
            ),
            ("procedures[0].cases[0].steps", "cases row 3: steps"),
            (
                "procedures[0].cases[1].name",
                "procedures row 5: cases[1].name",
            ),
        ];
        for (field, named) in cases {
            assert_eq!(places.rename(field).as_deref(), Some(named), "{field}");
        }
        assert_eq!(places.rename("format"), None);
        assert_eq!(places.rename("procedures[4].name"), None);
    }
}
