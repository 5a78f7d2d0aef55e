//! Checks a value against the limits its schema states, before anything
//! reads it:
//!
//! - every text (field values and object keys, known fields or not) passes
//!   [`motcua_domain::text::normalize`]: control characters refused, NFC;
//! - `maxLength` / `minLength` (in characters), `minimum` / `maximum`,
//!   `maxItems` / `minItems`;
//! - dates and times (`format: date` or `date-time`) fall within
//!   [`YEARS`], so that no arithmetic on them can overflow.
//!
//! Types and required fields are left to serde, which names them with
//! their path when it deserializes the checked value.

use chrono::Datelike;
use motcua_domain::text;
use motcua_intake::FieldError;
use serde_json::Value;

use super::spec::Spec;

/// Years a date or time given to the desk may fall in. The calendar
/// itself knows holidays for 2000 to 2100 and checks that range where it
/// counts working time.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// The errors of one value, named by their path (`applicant.name`,
/// `documents[2].code`).
#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Vec<FieldError>,
}

impl Findings {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        let field = if path.is_empty() { "body" } else { path };
        self.errors.push(FieldError::new(field, message));
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Checks and normalises one text; `None` when it was refused.
pub fn text_at(findings: &mut Findings, path: &str, s: &str) -> Option<String> {
    match text::normalize(s) {
        Ok(t) => Some(t.into_owned()),
        Err(e) => {
            findings.push(path, e.to_string());
            None
        }
    }
}

/// Checks a text against a string schema's limits.
pub fn string_limits(findings: &mut Findings, path: &str, s: &str, schema: &Value) {
    let n = s.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
        if n > max {
            findings.push(path, format!("must be at most {max} characters"));
        }
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
        if n < min {
            findings.push(path, format!("must be at least {min} characters"));
        }
    }
    match schema.get("format").and_then(Value::as_str) {
        // Parsed as serde will parse them (chrono's `FromStr`, which
        // accepts signed years of more than four digits).
        Some("date-time") => {
            if let Ok(t) = s.parse::<chrono::DateTime<chrono::FixedOffset>>() {
                year_in_range(findings, path, t.year());
            }
        }
        Some("date") => {
            if let Ok(d) = s.parse::<chrono::NaiveDate>() {
                year_in_range(findings, path, d.year());
            }
        }
        _ => {}
    }
}

fn year_in_range(findings: &mut Findings, path: &str, year: i32) {
    if !YEARS.contains(&year) {
        findings.push(
            path,
            format!(
                "must fall in the years {} to {}",
                YEARS.start(),
                YEARS.end()
            ),
        );
    }
}

/// Checks a number against a schema's bounds.
pub fn number_limits(findings: &mut Findings, path: &str, n: &serde_json::Number, schema: &Value) {
    let below = |bound: &Value| match (n.as_i64(), bound.as_i64()) {
        (Some(a), Some(b)) => a < b,
        _ => match (n.as_f64(), bound.as_f64()) {
            (Some(a), Some(b)) => a < b,
            _ => false,
        },
    };
    let above = |bound: &Value| match (n.as_i64(), bound.as_i64()) {
        (Some(a), Some(b)) => a > b,
        _ => match (n.as_u64(), bound.as_u64()) {
            (Some(a), Some(b)) => a > b,
            _ => match (n.as_f64(), bound.as_f64()) {
                (Some(a), Some(b)) => a > b,
                _ => false,
            },
        },
    };
    if let Some(min) = schema.get("minimum") {
        if below(min) {
            findings.push(path, format!("must be at least {min}"));
        }
    }
    if let Some(max) = schema.get("maximum") {
        if above(max) {
            findings.push(path, format!("must be at most {max}"));
        }
    }
}

/// The alternatives of a `oneOf` / `anyOf` that are not `null`.
fn alternatives(schema: &Value) -> Vec<&Value> {
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .filter(|s| s.get("type").and_then(Value::as_str) != Some("null"))
        .collect()
}

/// Walks `value` with its `schema` (`None` for parts no schema describes:
/// only the text rules apply there), normalising texts in place.
pub fn walk(
    spec: &Spec,
    schema: Option<&Value>,
    value: &mut Value,
    path: &str,
    findings: &mut Findings,
) {
    let schema = schema.map(|s| spec.resolve(s));
    if let Some(s) = schema {
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for part in all {
                walk(spec, Some(part), value, path, findings);
            }
        }
        let alts = alternatives(s);
        if !alts.is_empty() && !value.is_null() {
            // The first alternative the value meets; else the first's
            // findings.
            let mut first: Option<(Value, Findings)> = None;
            for alt in alts {
                let mut v = value.clone();
                let mut f = Findings::default();
                walk(spec, Some(alt), &mut v, path, &mut f);
                if f.errors.is_empty() {
                    *value = v;
                    return;
                }
                first.get_or_insert((v, f));
            }
            if let Some((_, f)) = first {
                findings.errors.extend(f.errors);
            }
            return;
        }
    }
    match value {
        Value::String(s) => {
            if let Some(t) = text_at(findings, path, s) {
                if let Some(sc) = schema {
                    string_limits(findings, path, &t, sc);
                }
                *s = t;
            }
        }
        Value::Number(n) => {
            if let Some(sc) = schema {
                number_limits(findings, path, n, sc);
            }
        }
        Value::Array(items) => {
            if let Some(sc) = schema {
                let n = items.len() as u64;
                if let Some(max) = sc.get("maxItems").and_then(Value::as_u64) {
                    if n > max {
                        findings.push(path, format!("must have at most {max} items"));
                    }
                }
                if let Some(min) = sc.get("minItems").and_then(Value::as_u64) {
                    if n < min {
                        findings.push(path, format!("must have at least {min} items"));
                    }
                }
            }
            let item_schema = schema.and_then(|s| s.get("items"));
            for (i, item) in items.iter_mut().enumerate() {
                walk(spec, item_schema, item, &format!("{path}[{i}]"), findings);
            }
        }
        Value::Object(map) => {
            let props = schema.and_then(|s| s.get("properties"));
            let old = std::mem::take(map);
            for (key, mut v) in old {
                let Some(key) = text_at(findings, &join(path, "(key)"), &key) else {
                    continue;
                };
                let p = join(path, &key);
                walk(
                    spec,
                    props.and_then(|ps| ps.get(&key)),
                    &mut v,
                    &p,
                    findings,
                );
                map.insert(key, v);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Spec {
        Spec::new(json!({
            "paths": {},
            "components": {"schemas": {
                "Input": {"type": "object", "properties": {
                    "name": {"type": "string", "maxLength": 6},
                    "n": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
                    "when": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 2}},
                    "child": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Child"}]}
                }},
                "Child": {"type": "object", "properties": {"note": {"type": "string", "maxLength": 3}}}
            }}
        }))
    }

    fn run(v: Value) -> (Value, Vec<String>) {
        let s = spec();
        let mut v = v;
        let mut f = Findings::default();
        let schema = s.component("Input").cloned();
        walk(&s, schema.as_ref(), &mut v, "", &mut f);
        (
            v,
            f.errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        )
    }

    #[test]
    fn accepts_values_within_their_limits_and_normalises_text() {
        let (v, errors) = run(
            json!({"name": "Nguye\u{0302}\u{0303}n", "n": 3, "tags": ["a"],
            "child": {"note": "ok"}, "unknown": "x"}),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(v["name"], "Nguy\u{1EC5}n");
    }

    #[test]
    fn names_every_value_beyond_its_limits() {
        let (_, errors) = run(
            json!({"name": "too long", "n": 11, "tags": ["abc", "b", "c"],
            "child": {"note": "long"}, "when": "+262142-12-31T09:00:00Z", "x": "a\u{0}b"}),
        );
        assert_eq!(
            errors,
            [
                "name: must be at most 6 characters",
                "n: must be at most 10",
                "tags: must have at most 2 items",
                "tags[0]: must be at most 2 characters",
                "child.note: must be at most 3 characters",
                "when: must fall in the years 1900 to 2199",
                "x: contains the control character U+0000; only tab and newline are allowed",
            ]
        );
    }

    #[test]
    fn numbers_beyond_i64_are_compared_too() {
        let (_, errors) = run(json!({"n": 18446744073709551615_u64}));
        assert_eq!(errors, ["n: must be at most 10"]);
        let (_, errors) = run(json!({"n": -1e300}));
        assert_eq!(errors, ["n: must be at least 0"]);
    }
}
