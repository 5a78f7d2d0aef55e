//! Reading a JSON file (`motcua-dossiers/1`): each dossier read on its
//! own, so that one of the wrong shape (a number where a text goes, a
//! field not in the format) is named by its row and the others still
//! read, every problem listed at once.

use motcua_domain::FieldError;
use serde_json::Value;

use super::format::{DossierRow, Parsed, Place, Placed, FORMAT, MAX_DOSSIERS};
use super::Problems;

/// The file's dossiers, or every problem found reading them.
pub fn read(bytes: &[u8]) -> Result<Parsed, Vec<FieldError>> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| vec![FieldError::new("file", format!("not a JSON document: {e}"))])?;
    let Value::Object(mut top) = value else {
        return Err(vec![FieldError::new(
            "file",
            "must be a JSON object with \"format\" and \"dossiers\"",
        )]);
    };
    let mut problems = Problems::default();
    match top.remove("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        _ => problems.push("format", format!("must be \"{FORMAT}\"")),
    }
    let batch = match top.remove("batch") {
        None | Some(Value::Null) => None,
        Some(Value::String(b)) => Some(b),
        Some(_) => {
            problems.push("batch", "must be a text");
            None
        }
    };
    let list = match top.remove("dossiers") {
        Some(Value::Array(list)) => list,
        _ => {
            problems.push("dossiers", "must be an array of dossiers");
            Vec::new()
        }
    };
    for key in top.keys() {
        problems.push(key, "is not a field of the format");
    }
    if list.len() > MAX_DOSSIERS {
        problems.push(
            "dossiers",
            format!(
                "{} dossiers; at most {MAX_DOSSIERS} in one file",
                list.len()
            ),
        );
        return Err(problems.into_list());
    }
    let mut rows = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        let place = Place::Json(i + 1);
        match serde_json::from_value::<DossierRow>(item) {
            Ok(row) => {
                let history_places = (1..=row.history.len())
                    .map(|h| format!("{}: history {h}", place.name()))
                    .collect();
                rows.push(Placed {
                    place,
                    row,
                    history_places,
                });
            }
            Err(e) => problems.push(&place.name(), e.to_string()),
        }
    }
    Ok(Parsed {
        batch,
        rows,
        local_times: false,
        problems: problems.into_list(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_row_is_named_and_the_others_read() {
        let file = br#"{"format": "motcua-dossiers/1", "dossiers": [
            {"code": "A-1", "procedure_code": "P", "applicant": {"name": "An", "id_number": "001122334455"},
             "receiving_agency": "X", "status": "received", "received_at": "t", "due_at": "t"},
            {"code": 7},
            {"code": "A-3", "extra": 1}
        ], "other": true}"#;
        let parsed = read(file).unwrap();
        let fields: Vec<&str> = parsed.problems.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["other", "row 2", "row 3"]);
        assert_eq!(parsed.rows.len(), 1);
    }

    #[test]
    fn not_json_is_refused_without_a_panic() {
        assert!(read(b"\xff\x00").is_err());
        assert!(read(b"[1, 2]").is_err());
        assert!(!read(br#"{"format": "x"}"#).unwrap().problems.is_empty());
    }
}
