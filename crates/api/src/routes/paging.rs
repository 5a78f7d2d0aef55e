//! Page parameters shared by the list endpoints.

use crate::error::ApiError;

/// Checks `limit` (1-500, default 50) and `offset` (not negative, default
/// 0).
pub fn page(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "must be between 1 and 500",
        ));
    }
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid_field("offset", "must not be negative"));
    }
    Ok((limit, offset))
}
