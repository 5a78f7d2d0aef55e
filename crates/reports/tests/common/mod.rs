//! What every line of the results report must satisfy, shared by the
//! reports' tests.
#![allow(dead_code)]

use motcua_reports::results::Counts;

/// To handle = carried over + received + handed in = handled + withdrawn
/// plus still open; received, handled and open split into their parts
/// without remainder; stopped and passed on are parts of handled.
pub fn adds_up(c: &Counts) {
    assert_eq!(c.to_handle, c.carried_over + c.received + c.handed_in);
    assert_eq!(c.to_handle, c.handled + c.withdrawn + c.open);
    assert_eq!(
        c.received,
        c.received_counter + c.received_online + c.received_post
    );
    assert_eq!(
        c.handled,
        c.handled_early + c.handled_on_time + c.handled_late
    );
    assert_eq!(c.open, c.open_within_time + c.open_overdue);
    assert!(c.stopped + c.passed_on <= c.handled);
    assert!(c.received_represented <= c.received);
    assert!(c.returned_counter + c.returned_post + c.returned_online + c.stopped <= c.handled);
}
