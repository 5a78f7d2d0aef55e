//! Timestamps are stored as UTC `TIMESTAMP` without zone on both backends
//! (the multi-connection cannot carry `Timestamptz`); these convert at the
//! repository boundary so the rest of the code only sees `DateTime<Utc>`.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Now, truncated to microseconds, the precision both databases keep, so
/// a value read back equals the value written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
