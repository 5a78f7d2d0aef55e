//! The calendar every handler reads, rebuilt when an administrator edits
//! it. Each server keeps its own copy; the edit bumps a version in the
//! database and the background job reloads on every server when it sees a
//! new one.

use std::sync::{Arc, RwLock};

use chrono::NaiveDate;
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments, YearDecision};
use motcua_store::{calendar, settings, DbConnection, StoreError};

/// Years the calendar knows holidays for; dates outside follow only the
/// weekly pattern and the tables.
pub const CALENDAR_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The settings key holding the calendar's version.
pub const VERSION_KEY: &str = "calendar_version";

pub struct CalendarHandle {
    settings: CalendarSettings,
    shipped: Vec<YearAdjustments>,
    decided: Vec<YearDecision>,
    current: RwLock<(i64, Arc<WorkingCalendar>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarLoadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid calendar table: {0}")]
    Table(String),
}

impl CalendarHandle {
    pub fn load(
        conn: &mut DbConnection,
        settings: CalendarSettings,
    ) -> Result<CalendarHandle, CalendarLoadError> {
        let shipped = YearAdjustments::vn_public_servants()
            .map_err(|e| CalendarLoadError::Table(e.to_string()))?;
        let decided = YearDecision::vn_public_servants()
            .map_err(|e| CalendarLoadError::Table(e.to_string()))?;
        let handle = CalendarHandle {
            settings,
            shipped,
            decided,
            current: RwLock::new((
                -1,
                Arc::new(WorkingCalendar::new(CalendarSettings::default())),
            )),
        };
        handle.reload(conn)?;
        Ok(handle)
    }

    /// The government's decisions for `year`, when the shipped table has
    /// them; `None` for a year that follows the rules alone.
    pub fn decision(&self, year: i32) -> Option<&YearDecision> {
        self.decided.iter().find(|d| d.year == year)
    }

    /// The calendar in force.
    pub fn current(&self) -> Arc<WorkingCalendar> {
        match self.current.read() {
            Ok(g) => g.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    fn version(&self) -> i64 {
        match self.current.read() {
            Ok(g) => g.0,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }

    /// Builds the calendar from the rules, the shipped table and the
    /// administrators' edits as stored now.
    pub fn build(&self, conn: &mut DbConnection) -> Result<WorkingCalendar, StoreError> {
        let edits: Vec<(NaiveDate, bool, String)> = calendar::all(conn)?
            .into_iter()
            .map(|a| (a.day, a.kind == "working_day", a.reason))
            .collect();
        Ok(
            WorkingCalendar::for_years(self.settings.clone(), CALENDAR_YEARS, &self.shipped)
                .with_overrides(&edits),
        )
    }

    /// Reloads when the stored version differs from the one held.
    pub fn reload_if_changed(&self, conn: &mut DbConnection) -> Result<bool, StoreError> {
        let stored = stored_version(conn)?;
        if stored == self.version() {
            return Ok(false);
        }
        self.reload(conn)?;
        Ok(true)
    }

    fn reload(&self, conn: &mut DbConnection) -> Result<(), StoreError> {
        let version = stored_version(conn)?;
        let calendar = Arc::new(self.build(conn)?);
        self.install(version, calendar);
        Ok(())
    }

    /// Puts a freshly built calendar in force.
    pub fn install(&self, version: i64, calendar: Arc<WorkingCalendar>) {
        let mut guard = match self.current.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = (version, calendar);
    }
}

pub fn stored_version(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(settings::get(conn, VERSION_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}
