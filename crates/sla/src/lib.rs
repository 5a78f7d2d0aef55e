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
//! - [`calendar`]: the working-time calendar combining them, and due times.

pub mod calendar;
pub mod holidays;
pub mod lunar;
pub mod settings;
pub mod year_table;

pub use calendar::{DayInfo, DayKind, WorkingCalendar};
pub use holidays::{
    default_days_off, AdjacentDay, DayOff, DayOffKind, HolidayDate, HolidayRule, HolidayRules,
};
pub use lunar::{lunar_to_solar, solar_to_lunar, LunarDate};
pub use settings::{CalendarSettings, CountFrom, OfficeHours, SettingsError};
pub use year_table::{YearAdjustments, YearTableError};
