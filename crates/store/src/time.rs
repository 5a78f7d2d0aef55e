//! Timestamps are stored as UTC `TIMESTAMP` without zone on both backends
//! (the multi-connection cannot carry `Timestamptz`); these convert at the
//! repository boundary so the rest of the code only sees `DateTime<Utc>`.
//!
//! "Now" comes from a [`Clock`]. A server runs on the system clock; a test
//! gives its server a clock that starts at an instant it chooses (before
//! office hours, on the eve of Tết) and runs on from there, so that what a
//! test expects never depends on the hour it runs. The clock is set per
//! thread: a server sets it on each of its workers and on the threads that
//! run its database work and background jobs, and every `now()` below them
//! reads it. Threads without one read the system clock.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};

pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Where "now" comes from.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system's clock.
    #[default]
    System,
    /// A clock that read `start` at the real moment `since` and has run at
    /// the real pace since; tests move it on with [`Clock::advance`].
    Set(Arc<Mutex<SetClock>>),
}

#[derive(Debug)]
pub struct SetClock {
    start: DateTime<Utc>,
    since: Instant,
}

impl Clock {
    /// A clock that reads `at` now and runs on from there.
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        Clock::Set(Arc::new(Mutex::new(SetClock {
            start: at,
            since: Instant::now(),
        })))
    }

    /// Now on this clock, truncated to microseconds, the precision both
    /// databases keep, so a value read back equals the value written.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now().trunc_subsecs(6),
            Clock::Set(set) => {
                let set = set.lock().unwrap_or_else(PoisonError::into_inner);
                let run = Duration::from_std(set.since.elapsed()).unwrap_or(Duration::zero());
                (set.start + run).trunc_subsecs(6)
            }
        }
    }

    /// Moves a set clock on by `by` (the system clock cannot be moved).
    pub fn advance(&self, by: Duration) {
        if let Clock::Set(set) = self {
            let mut set = set.lock().unwrap_or_else(PoisonError::into_inner);
            set.start += by;
        }
    }

    /// Makes this the clock of the current thread (see the module
    /// documentation); the system clock clears it.
    pub fn install(&self) {
        let clock = match self {
            Clock::System => None,
            set => Some(set.clone()),
        };
        THREAD_CLOCK.with(|c| *c.borrow_mut() = clock);
    }

    /// Runs `f` with this clock on the current thread, restoring the one
    /// before afterwards (threads of a shared pool serve other clocks too).
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        let before = THREAD_CLOCK.with(|c| c.borrow().clone());
        self.install();
        let out = f();
        THREAD_CLOCK.with(|c| *c.borrow_mut() = before);
        out
    }
}

thread_local! {
    static THREAD_CLOCK: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

/// The current thread's clock, to hand to threads it starts.
pub fn current() -> Clock {
    THREAD_CLOCK.with(|c| c.borrow().clone().unwrap_or_default())
}

/// Now, on the current thread's clock (the system's when none is set),
/// truncated to microseconds.
pub fn now() -> DateTime<Utc> {
    THREAD_CLOCK.with(|c| match &*c.borrow() {
        Some(clock) => clock.now(),
        None => Utc::now().trunc_subsecs(6),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_runs_on_from_its_instant_and_only_where_installed() {
        let at = Utc::now() - Duration::days(400);
        let clock = Clock::starting_at(at);
        let inside = clock.scope(now);
        assert!(
            inside >= at.trunc_subsecs(6) && inside < at + Duration::seconds(5),
            "{inside}"
        );
        clock.advance(Duration::hours(2));
        assert!(clock.now() >= at + Duration::hours(2));
        // Outside its scope, and on other threads, the system clock.
        let near_system = |t: DateTime<Utc>| (t - Utc::now()).num_seconds().abs() < 5;
        assert!(near_system(now()));
        assert!(near_system(std::thread::spawn(now).join().unwrap()));
        clock.install();
        assert!(!near_system(now()));
        Clock::System.install();
        assert!(near_system(now()));
    }
}
