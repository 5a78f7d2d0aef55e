//! Identifiers printed on paper: agency codes, procedure codes and the
//! dossier code `{agency}-{yyMMdd}-{NNNN}` (docs/dossier-code.md, Format).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An agency code of the national agency-identifier scheme, such as
/// `000.00.11.H53` or `H53.50.05.13`. Treated as an opaque string of
/// `[A-Z0-9.]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.')
            && !s.starts_with('.')
            && !s.ends_with('.');
        if ok {
            Ok(AgencyCode(s.to_string()))
        } else {
            Err(DomainError::InvalidAgencyCode(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AgencyCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AgencyCode::parse(&s)
    }
}

impl From<AgencyCode> for String {
    fn from(c: AgencyCode) -> String {
        c.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A procedure code as published in the national procedure database
/// (e.g. `1.001193`), or a local code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= 60
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if ok {
            Ok(ProcedureCode(s.to_string()))
        } else {
            Err(DomainError::InvalidProcedureCode(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ProcedureCode::parse(&s)
    }
}

impl From<ProcedureCode> for String {
    fn from(c: ProcedureCode) -> String {
        c.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The dossier code: receiving agency, local date of receipt and a daily
/// sequence number per agency, e.g. `H53.50.05.13-261008-0975`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DossierCode {
    pub agency: AgencyCode,
    pub date: NaiveDate,
    pub sequence: u32,
}

/// Largest daily sequence the four-digit (or wider) number may reach. The
/// format pads to four digits; a fifth digit appears past 9999 rather than
/// wrapping, so codes never repeat.
pub const MAX_DAILY_SEQUENCE: u32 = 999_999;

impl DossierCode {
    pub fn new(agency: AgencyCode, date: NaiveDate, sequence: u32) -> Result<Self, DomainError> {
        if sequence == 0 || sequence > MAX_DAILY_SEQUENCE {
            return Err(DomainError::invalid(
                "sequence",
                format!("must be between 1 and {MAX_DAILY_SEQUENCE}"),
            ));
        }
        Ok(DossierCode {
            agency,
            date,
            sequence,
        })
    }

    /// The `yyMMdd` part of the code for a local date.
    pub fn day_key(date: NaiveDate) -> String {
        date.format("%y%m%d").to_string()
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::InvalidDossierCode(s.to_string());
        let mut parts = s.rsplitn(3, '-');
        let seq = parts.next().ok_or_else(bad)?;
        let day = parts.next().ok_or_else(bad)?;
        let agency = parts.next().ok_or_else(bad)?;
        if seq.len() < 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if day.len() != 6 || !day.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let date = NaiveDate::parse_from_str(&format!("20{day}"), "%Y%m%d").map_err(|_| bad())?;
        let sequence: u32 = seq.parse().map_err(|_| bad())?;
        let agency = AgencyCode::parse(agency).map_err(|_| bad())?;
        DossierCode::new(agency, date, sequence).map_err(|_| bad())
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:04}",
            self.agency,
            Self::day_key(self.date),
            self.sequence
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn formats_like_the_national_example() {
        let code = DossierCode::new(
            AgencyCode::parse("H53.50.05.13").unwrap(),
            date(2026, 10, 8),
            975,
        )
        .unwrap();
        assert_eq!(code.to_string(), "H53.50.05.13-261008-0975");
    }

    #[test]
    fn pads_to_four_digits_and_grows_past_9999() {
        let a = AgencyCode::parse("000.00.11.H53").unwrap();
        let d = date(2026, 1, 2);
        assert_eq!(
            DossierCode::new(a.clone(), d, 1).unwrap().to_string(),
            "000.00.11.H53-260102-0001"
        );
        assert_eq!(
            DossierCode::new(a, d, 12345).unwrap().to_string(),
            "000.00.11.H53-260102-12345"
        );
    }

    #[test]
    fn rejects_sequence_zero_and_bad_agencies() {
        let a = AgencyCode::parse("H53").unwrap();
        assert!(DossierCode::new(a, date(2026, 1, 1), 0).is_err());
        for bad in ["", "h53", "H53-1", ".H53", "H53.", "H 53"] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn parse_rejects_malformed_codes() {
        for bad in [
            "H53-261008",
            "H53-261308-0001",
            "H53-261008-001",
            "H53-261008-0000",
            "h53-261008-0001",
            "H53-26100a-0001",
            "-261008-0001",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    proptest! {
        #[test]
        fn parse_inverts_display(
            agency in "[A-Z0-9]{1,3}(\\.[A-Z0-9]{1,3}){0,4}",
            days in 0i64..36_500,
            seq in 1u32..=MAX_DAILY_SEQUENCE,
        ) {
            let d = date(2000, 1, 1) + chrono::Duration::days(days);
            let code = DossierCode::new(AgencyCode::parse(&agency).unwrap(), d, seq).unwrap();
            let text = code.to_string();
            prop_assert_eq!(DossierCode::parse(&text).unwrap(), code);
        }
    }
}
