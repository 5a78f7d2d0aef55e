//! Time as the one-stop desk counts it (DESIGN.md §4): office hours, days
//! off, and statutory durations turned into due times.
//!
//! The calendar is pure: it takes its settings and day tables as values and
//! never touches the database, so it is unit- and property-tested alone and
//! is cheap enough to call on every request.

pub mod calendar;
pub mod settings;

pub use calendar::WorkingCalendar;
pub use settings::{CalendarSettings, CountFrom, OfficeHours, SettingsError};
