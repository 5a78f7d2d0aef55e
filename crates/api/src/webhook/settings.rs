//! How the webhook worker posts and retries.

use std::time::Duration;

/// The worker's settings (`motcua serve --webhook-*`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Run the worker on this server (several servers may all run it).
    pub enabled: bool,
    /// Rows claimed at once, posted side by side.
    pub batch: i64,
    /// Posts in flight at once.
    pub concurrency: usize,
    /// How long a post may take, connection included.
    pub timeout: Duration,
    /// The wait after the first failure; it doubles with each failure.
    pub backoff: Duration,
    /// The longest wait between two attempts.
    pub backoff_max: Duration,
    /// Attempts before a row is failed (and holds its dossier's line until
    /// an administrator retries it).
    pub max_attempts: i32,
    /// How long the worker sleeps when nothing was due.
    pub idle: Duration,
    /// Days a delivered row is kept for the administrators' list (0: all).
    pub keep_days: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            enabled: true,
            batch: 200,
            concurrency: 32,
            timeout: Duration::from_secs(10),
            backoff: Duration::from_secs(5),
            backoff_max: Duration::from_secs(3600),
            // 5 s doubling to an hour: about twelve hours of trying.
            max_attempts: 20,
            idle: Duration::from_millis(500),
            keep_days: 30,
        }
    }
}

impl WebhookSettings {
    /// The wait after failed attempt number `attempt` (1 for the first).
    pub fn backoff_after(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        self.backoff
            .saturating_mul(1u32 << doublings)
            .min(self.backoff_max)
    }

    /// How long a claim leases its rows: past the longest post, so a row
    /// is only claimed again when its server stopped mid-post.
    pub fn lease(&self) -> Duration {
        self.timeout.saturating_mul(2) + Duration::from_secs(30)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_its_ceiling() {
        let s = WebhookSettings::default();
        assert_eq!(s.backoff_after(1), Duration::from_secs(5));
        assert_eq!(s.backoff_after(2), Duration::from_secs(10));
        assert_eq!(s.backoff_after(4), Duration::from_secs(40));
        assert_eq!(s.backoff_after(11), Duration::from_secs(3600));
        assert_eq!(s.backoff_after(i32::MAX), Duration::from_secs(3600));
        assert_eq!(s.backoff_after(0), Duration::from_secs(5));
    }
}
