//! The report forms the results report reproduces: the periodic report
//! forms on the handling of administrative procedures of Circular
//! 01/2020/TT-VPCP (docs/measures.md, The forms). Each form is a choice of
//! rows and of scope: by field or by agency, for the agency itself or
//! rolled up with every agency below it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::results::By;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub enum Form {
    /// 06a: the agency's own dossiers, one row per field.
    #[serde(rename = "06a")]
    F06a,
    /// 06b: the agency and every agency below it, one row per field.
    #[serde(rename = "06b")]
    F06b,
    /// 07a: one row for the agency's own dossiers and one per agency
    /// directly below it, each rolled up with every agency below that.
    #[serde(rename = "07a")]
    F07a,
    /// 07b: one row per agency of the tree, each its own dossiers.
    #[serde(rename = "07b")]
    F07b,
}

impl Form {
    /// The form's number as printed on it.
    pub fn number(self) -> &'static str {
        match self {
            Form::F06a => "06a",
            Form::F06b => "06b",
            Form::F07a => "07a",
            Form::F07b => "07b",
        }
    }

    /// What its rows are.
    pub fn by(self) -> By {
        match self {
            Form::F06a | Form::F06b => By::Field,
            Form::F07a => By::Unit,
            Form::F07b => By::Agency,
        }
    }

    /// Whether only the agency's own dossiers are counted, not those of
    /// the agencies below it.
    pub fn own_only(self) -> bool {
        self == Form::F06a
    }

    /// The form's title.
    pub fn title(self) -> &'static str {
        match self {
            Form::F06a => {
                "Tình hình, kết quả giải quyết thủ tục hành chính tại cơ quan, đơn vị trực tiếp giải quyết, theo lĩnh vực"
            }
            Form::F06b => {
                "Tình hình, kết quả giải quyết thủ tục hành chính thuộc phạm vi quản lý, theo lĩnh vực"
            }
            Form::F07a => {
                "Tình hình, kết quả giải quyết thủ tục hành chính thuộc phạm vi quản lý, theo đơn vị trực thuộc"
            }
            Form::F07b => {
                "Tình hình, kết quả giải quyết thủ tục hành chính thuộc phạm vi quản lý, theo từng cơ quan giải quyết"
            }
        }
    }
}

/// The title of a report that follows no form.
pub const GENERIC_TITLE: &str = "Tình hình, kết quả giải quyết thủ tục hành chính";
