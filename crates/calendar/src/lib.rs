//! Time as the one-stop desk counts it (docs/time.md): office hours, days
//! off, and statutory durations turned into due times.
//!
//! This crate is pure: it takes its settings and day tables as values and
//! never touches the database (`cargo tree -p motcua-calendar -e normal`
//! shows no diesel, no store, no libpq or libsqlite3), so it is unit- and
//! property-tested alone and is cheap enough to call on every request. The
//! workflow that stores clocks and scans for breaches is in `motcua-sla`.
//!
//! - [`lunar`]: the Vietnamese lunar calendar (UTC+7), for lunar holidays;
//! - [`holidays`]: the public holidays as data-driven rules, with
//!   compensatory days;
//! - [`year_table`]: each year's decided extra days off and make-up working
//!   days;
//! - [`calendar`]: the working-time calendar combining them, and due times;
//! - [`clock`]: a dossier's clock ledger and the due time derived from it.

pub mod calendar;
pub mod clock;
pub mod format;
pub mod holidays;
pub mod lunar;
pub mod settings;
pub mod year_table;

pub use calendar::{DayInfo, DayKind, WorkingCalendar};
pub use clock::{
    derive as derive_clock, ClockEntry, ClockState, DueCause, DueStep, Judge, Verdict,
};
pub use format::format_local;
pub use holidays::{
    default_days_off, AdjacentDay, DayOff, DayOffKind, HolidayDate, HolidayRule, HolidayRules,
};
pub use lunar::{lunar_to_solar, solar_to_lunar, LunarDate};
pub use settings::{CalendarSettings, CountFrom, OfficeHours, SettingsError};
pub use year_table::{YearAdjustments, YearDecision, YearTableError};
