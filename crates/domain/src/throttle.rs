//! Limits on repeated attempts: failed log-ins, wrong PINs, online
//! submissions. Each limit counts attempts in a *bucket* (an account, a
//! client address, a dossier code) and locks the bucket for a while once
//! it has seen too many. The arithmetic is here, pure; the counters live in
//! the database so every server shares them.
//!
//! A bucket allows `free` attempts. The attempt that reaches `free` locks
//! it for `base_lock`; each attempt after that (made once the lock has
//! passed) locks it twice as long as the one before, up to `max_lock`. A
//! bucket starts again from zero once its [`Reset`] says so: after a quiet
//! period (failure counters), or when its window has passed (rates). While a bucket is locked, the desk answers 429 without checking
//! anything, so a locked-out attempt costs no password hash and tells the
//! caller nothing about the secret.

use chrono::{DateTime, Duration, Utc};

/// One bucket an attempt counts in: its key (`kind:subject`, e.g.
/// `pin-code:H53.50-261208-0001`) and how it counts.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub key: String,
    pub policy: Policy,
}

impl Bucket {
    pub fn new(kind: &str, subject: &str, policy: Policy) -> Bucket {
        Bucket {
            key: format!("{kind}:{subject}"),
            policy,
        }
    }
}

/// How one kind of bucket counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts allowed before the first lock (the one that reaches this
    /// number is allowed and sets the lock).
    pub free: u32,
    /// The first lock, in seconds.
    pub base_lock_seconds: i64,
    /// The longest lock, in seconds.
    pub max_lock_seconds: i64,
    /// When the count starts again from zero (never while locked).
    pub reset: Reset,
}

/// When a bucket's count starts again from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// After this many seconds without an attempt: a guesser who keeps
    /// trying keeps the count.
    AfterQuiet(i64),
    /// This many seconds after the bucket's first attempt: a rate, so a
    /// steady client below it is never locked.
    Window(i64),
}

impl Reset {
    /// The longest a bucket may be kept, in seconds (after its lock has
    /// passed).
    pub fn seconds(self) -> i64 {
        match self {
            Reset::AfterQuiet(s) | Reset::Window(s) => s,
        }
    }
}

/// What a bucket holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketState {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// When the count (re)started.
    pub started_at: DateTime<Utc>,
    /// When the last attempt was counted.
    pub updated_at: DateTime<Utc>,
}

impl Policy {
    /// Failed log-ins on one account: five, then one a minute, doubling to
    /// one every fifteen minutes; forgotten after an hour. The owner, from
    /// any address, waits at most fifteen minutes.
    pub const LOGIN_ACCOUNT: Policy = Policy {
        free: 5,
        base_lock_seconds: 60,
        max_lock_seconds: 15 * 60,
        reset: Reset::AfterQuiet(3600),
    };

    /// Failed log-ins from one client address (any accounts): twenty, then
    /// one a minute, doubling to one an hour; forgotten after a day.
    pub const LOGIN_ADDRESS: Policy = Policy {
        free: 20,
        base_lock_seconds: 60,
        max_lock_seconds: 3600,
        reset: Reset::AfterQuiet(24 * 3600),
    };

    /// Wrong PINs for one dossier code or submission reference: five,
    /// then one a minute, doubling to one every fifteen minutes; forgotten
    /// after a day. A citizen who mistypes a few times is never locked.
    pub const PIN_CODE: Policy = Policy {
        free: 5,
        base_lock_seconds: 60,
        max_lock_seconds: 15 * 60,
        reset: Reset::AfterQuiet(24 * 3600),
    };

    /// Wrong PINs from one client address (any codes): thirty, then one a
    /// minute, doubling to one an hour; forgotten after a day.
    pub const PIN_ADDRESS: Policy = Policy {
        free: 30,
        base_lock_seconds: 60,
        max_lock_seconds: 3600,
        reset: Reset::AfterQuiet(24 * 3600),
    };

    /// A rate of `per_minute` attempts a minute: every attempt counts, the
    /// one that reaches the rate locks the bucket for the rest of a minute.
    pub fn per_minute(per_minute: u32) -> Policy {
        Policy {
            free: per_minute.max(1),
            base_lock_seconds: 60,
            max_lock_seconds: 60,
            reset: Reset::Window(60),
        }
    }

    /// True when `state` is locked at `now`.
    pub fn is_locked(state: Option<&BucketState>, now: DateTime<Utc>) -> bool {
        state
            .and_then(|s| s.locked_until)
            .is_some_and(|until| until > now)
    }

    /// The lock set by the attempt that brings the count to `failures`.
    pub fn lock_for(&self, failures: u32) -> Option<Duration> {
        if failures < self.free {
            return None;
        }
        // Doublings beyond 30 exceed any sensible maximum; stop there so
        // the shift cannot overflow.
        let doublings = (failures - self.free).min(30);
        let seconds = self
            .base_lock_seconds
            .saturating_mul(1_i64 << doublings)
            .min(self.max_lock_seconds);
        Some(Duration::seconds(seconds))
    }

    /// The bucket after one more attempt at `now`.
    pub fn after_attempt(&self, before: Option<&BucketState>, now: DateTime<Utc>) -> BucketState {
        let forgotten = before.is_none_or(|s| {
            let since = match self.reset {
                Reset::AfterQuiet(_) => s.updated_at,
                Reset::Window(_) => s.started_at,
            };
            now.signed_duration_since(since) >= Duration::seconds(self.reset.seconds())
                && !Policy::is_locked(Some(s), now)
        });
        let (failures, old_lock, started_at) = match before {
            Some(s) if !forgotten => (s.failures.saturating_add(1), s.locked_until, s.started_at),
            _ => (1, None, now),
        };
        let new_lock = self.lock_for(failures).map(|d| now + d);
        BucketState {
            failures,
            locked_until: match (old_lock, new_lock) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            started_at,
            updated_at: now,
        }
    }

    /// Seconds a refused caller should wait, for `Retry-After` (at least
    /// one).
    pub fn retry_after_seconds(locked_until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
        let ms = locked_until.signed_duration_since(now).num_milliseconds();
        ((ms + 999) / 1000).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn allows_the_free_attempts_then_locks_doubling_to_the_maximum() {
        let p = Policy::LOGIN_ACCOUNT;
        let mut state = None;
        for i in 1..=4 {
            let s = p.after_attempt(state.as_ref(), t(i));
            assert_eq!(s.failures, i as u32);
            assert_eq!(s.locked_until, None, "attempt {i}");
            state = Some(s);
        }
        let fifth = p.after_attempt(state.as_ref(), t(5));
        assert_eq!(fifth.locked_until, Some(t(5 + 60)));
        let sixth = p.after_attempt(Some(&fifth), t(70));
        assert_eq!(sixth.locked_until, Some(t(70 + 120)));
        let mut s = sixth;
        let mut at = 200;
        for _ in 0..10 {
            s = p.after_attempt(Some(&s), t(at));
            at += 1000;
        }
        assert_eq!(
            s.locked_until.unwrap() - s.updated_at,
            Duration::seconds(15 * 60)
        );
    }

    #[test]
    fn forgets_after_a_quiet_period_but_never_while_locked() {
        let p = Policy::PIN_CODE;
        let s = BucketState {
            failures: 4,
            locked_until: None,
            started_at: t(0),
            updated_at: t(0),
        };
        assert_eq!(p.after_attempt(Some(&s), t(24 * 3600)).failures, 1);
        assert_eq!(p.after_attempt(Some(&s), t(24 * 3600 - 1)).failures, 5);
        let locked = BucketState {
            failures: 40,
            locked_until: Some(t(10 * 24 * 3600)),
            started_at: t(0),
            updated_at: t(0),
        };
        let next = p.after_attempt(Some(&locked), t(2 * 24 * 3600));
        assert_eq!(next.failures, 41);
        assert_eq!(next.locked_until, Some(t(10 * 24 * 3600)));
    }

    #[test]
    fn a_steady_client_below_the_rate_is_never_locked() {
        let p = Policy::per_minute(10);
        let mut s = None;
        // Eight a minute, every 7.5 seconds, for ten minutes: a count
        // forgotten only after a quiet minute would reach ten and lock.
        for i in 0..80 {
            let at = t(i * 15 / 2);
            let next = p.after_attempt(s.as_ref(), at);
            assert!(!Policy::is_locked(Some(&next), at), "attempt {i}");
            s = Some(next);
        }
    }

    #[test]
    fn a_rate_allows_that_many_a_minute() {
        let p = Policy::per_minute(3);
        let a = p.after_attempt(None, t(0));
        let b = p.after_attempt(Some(&a), t(1));
        assert!(!Policy::is_locked(Some(&b), t(1)));
        let c = p.after_attempt(Some(&b), t(2));
        assert!(Policy::is_locked(Some(&c), t(2)));
        assert!(!Policy::is_locked(Some(&c), t(62)));
        assert_eq!(p.after_attempt(Some(&c), t(62)).failures, 1);
    }

    #[test]
    fn retry_after_rounds_up_and_is_at_least_one_second() {
        assert_eq!(Policy::retry_after_seconds(t(10), t(0)), 10);
        assert_eq!(
            Policy::retry_after_seconds(t(10), t(9) + Duration::milliseconds(1)),
            1
        );
        assert_eq!(Policy::retry_after_seconds(t(0), t(5)), 1);
    }
}
