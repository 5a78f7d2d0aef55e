//! A procedure's cases as administrators enter them (docs/catalogue.md,
//! Cases): each checked like the procedure's own documents, time limit,
//! fees and plan, every problem named under `cases[i]`.

use std::collections::HashSet;

use motcua_domain::procedure_case::{ProcedureCase, CASE_CODE_MAX, MAX_CASES};
use motcua_domain::{DomainError, FieldError, Procedure, ProcessStep, RequiredDocument};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalogue::{check_documents, parse_duration, DurationDto, FeesDto};

/// One case of a procedure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// Short code within the procedure, chosen at intake.
    #[schema(example = "co-nhan-cha", max_length = 32)]
    pub code: String,
    #[schema(example = "Đăng ký khai sinh có yếu tố nhận cha", max_length = 500)]
    pub name: String,
    pub duration: DurationDto,
    /// The time limit when filed online, where the law sets another one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_duration: Option<DurationDto>,
    pub fees: Option<FeesDto>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub required_documents: Vec<RequiredDocument>,
    /// The case's process plan; empty: the procedure's own.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub steps: Vec<ProcessStep>,
}

/// A case as an administrator would enter it.
pub fn case_input(c: &ProcedureCase) -> CaseInput {
    CaseInput {
        code: c.code.clone(),
        name: c.name.clone(),
        duration: DurationDto::of(&c.duration),
        online_duration: c.online_duration.as_ref().map(DurationDto::of),
        fees: Some(FeesDto {
            amount_vnd: c.fee_vnd,
            note: c.fee_note.clone(),
        }),
        required_documents: c.required_documents.clone(),
        steps: c.steps.clone(),
    }
}

/// `field` of case `i`, with the name a check gave it.
fn under(i: usize, e: FieldError) -> FieldError {
    FieldError::new(format!("cases[{i}].{}", e.field), e.message)
}

/// Checks the cases of `base` (the procedure as checked so far, for the
/// plan's rules); every problem is added to `errors`.
pub fn check_cases(
    base: &Procedure,
    input: Vec<CaseInput>,
    errors: &mut Vec<FieldError>,
) -> Vec<ProcedureCase> {
    if input.len() > MAX_CASES {
        errors.push(FieldError::new(
            "cases",
            format!("at most {MAX_CASES} cases"),
        ));
    }
    if !input.is_empty() && base.is_group() {
        errors.push(FieldError::new(
            "cases",
            "an interlinked group has no cases of its own: its members may",
        ));
    }
    let mut codes = HashSet::new();
    let mut out = Vec::with_capacity(input.len());
    for (i, c) in input.into_iter().enumerate() {
        let code = c.code.trim().to_string();
        if code.is_empty() || code.chars().count() > CASE_CODE_MAX {
            errors.push(FieldError::new(
                format!("cases[{i}].code"),
                format!("1-{CASE_CODE_MAX} characters"),
            ));
        } else if !codes.insert(code.clone()) {
            errors.push(FieldError::new(
                format!("cases[{i}].code"),
                format!("case {code} is given twice"),
            ));
        }
        if c.name.trim().is_empty() {
            errors.push(FieldError::new(format!("cases[{i}].name"), "is required"));
        }
        let duration = parse_duration(&c.duration)
            .map_err(|e| errors.extend(e.into_iter().map(|e| under(i, e))))
            .ok();
        let online_duration = c.online_duration.as_ref().and_then(|d| {
            parse_duration(d)
                .map_err(|e| {
                    errors.extend(e.into_iter().map(|e| {
                        let field = e.field.replacen("duration", "online_duration", 1);
                        under(i, FieldError::new(field, e.message))
                    }))
                })
                .ok()
        });
        let fees = c.fees.unwrap_or(FeesDto {
            amount_vnd: 0,
            note: String::new(),
        });
        if fees.amount_vnd < 0 {
            errors.push(FieldError::new(
                format!("cases[{i}].fees.amount_vnd"),
                "must not be negative",
            ));
        }
        let mut own = Vec::new();
        let documents = check_documents(c.required_documents, &mut own);
        errors.extend(own.into_iter().map(|e| under(i, e)));
        if !c.steps.is_empty() {
            let plan = Procedure {
                steps: c.steps.clone(),
                ..base.clone()
            };
            if let Err(e) = plan.validate_plan() {
                errors.push(match e {
                    DomainError::Invalid { field, message } => {
                        under(i, FieldError::new(field, message))
                    }
                    other => FieldError::new(format!("cases[{i}].steps"), other.to_string()),
                });
            }
        }
        if let Some(duration) = duration {
            out.push(ProcedureCase {
                code,
                name: c.name.trim().to_string(),
                duration,
                online_duration,
                fee_vnd: fees.amount_vnd,
                fee_note: fees.note,
                required_documents: documents,
                steps: c.steps,
            });
        }
    }
    out
}
