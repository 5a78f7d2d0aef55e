//! Time as the one-stop desk counts it (DESIGN.md §4): office hours, days
//! off, and statutory durations turned into due times.
//!
//! The calendar is pure: it takes its settings and day tables as values and
//! never touches the database, so it is unit- and property-tested alone and
//! is cheap enough to call on every request.
//!
//! - [`lunar`]: the Vietnamese lunar calendar (UTC+7), for lunar holidays;
//! - [`holidays`]: the public holidays as data-driven rules, with
//!   compensatory days;
//! - [`year_table`]: each year's decided extra days off and make-up working
//!   days;
//! - [`calendar`]: the working-time calendar combining them, and due times;
//! - [`clock`]: a dossier's clock ledger and the due time derived from it.

pub mod apology;
pub mod breach_scan;
pub mod calendar;
pub mod clock;
pub mod error;
pub mod holidays;
pub mod ledger;
pub mod lunar;
pub mod ops;
pub mod settings;
pub mod year_table;

pub use calendar::{DayInfo, DayKind, WorkingCalendar};
pub use clock::{derive as derive_clock, ClockEntry, ClockState, DueCause, DueStep, Verdict};
pub use error::ClockError;
pub use holidays::{
    default_days_off, AdjacentDay, DayOff, DayOffKind, HolidayDate, HolidayRule, HolidayRules,
};
pub use lunar::{lunar_to_solar, solar_to_lunar, LunarDate};
pub use settings::{CalendarSettings, CountFrom, OfficeHours, SettingsError};
pub use year_table::{YearAdjustments, YearDecision, YearTableError};
