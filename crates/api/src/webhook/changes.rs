//! The kinds of change a feed item records, measured against the dossier's
//! item before it; a subscriber names the kinds its webhook wants.

use motcua_store::feed::FeedItem;
use serde::Serialize;
use utoipa::ToSchema;

/// A kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The dossier's first item: it was received.
    Received,
    /// Its national status code changed.
    Status,
    /// Its appointment moved, or its clock paused or ran on again.
    Due,
    /// Another agency or officer holds it, or it left for one.
    Handler,
    /// Processing ended, its verdict was given, or the result was returned.
    Result,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 5] = [
        ChangeKind::Received,
        ChangeKind::Status,
        ChangeKind::Due,
        ChangeKind::Handler,
        ChangeKind::Result,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Received => "received",
            ChangeKind::Status => "status",
            ChangeKind::Due => "due",
            ChangeKind::Handler => "handler",
            ChangeKind::Result => "result",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What changed from `previous` (the dossier's item before) to `item`.
pub fn changes(item: &FeedItem, previous: Option<&FeedItem>) -> Vec<ChangeKind> {
    let Some(p) = previous else {
        return vec![ChangeKind::Received];
    };
    let mut out = Vec::new();
    if p.status_code != item.status_code {
        out.push(ChangeKind::Status);
    }
    if p.due_at != item.due_at || p.paused != item.paused {
        out.push(ChangeKind::Due);
    }
    if p.handling_agency != item.handling_agency
        || p.in_transit != item.in_transit
        || p.assigned_to != item.assigned_to
    {
        out.push(ChangeKind::Handler);
    }
    if p.ended_at != item.ended_at || p.verdict != item.verdict || p.returned_at != item.returned_at
    {
        out.push(ChangeKind::Result);
    }
    out
}

/// Does a subscriber wanting `wanted` (`None`: every kind) want a change
/// of these kinds?
pub fn wanted(wanted: Option<&[String]>, kinds: &[ChangeKind]) -> bool {
    match wanted {
        None => true,
        Some(w) => kinds.iter().any(|k| w.iter().any(|x| x == k.as_str())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn item() -> FeedItem {
        let t = Utc.with_ymd_and_hms(2026, 12, 8, 2, 0, 0).unwrap();
        FeedItem {
            event_id: 1,
            position: 1,
            dossier_id: "d".into(),
            code: "H53-1".into(),
            procedure_code: "1.001193".into(),
            receiving_agency: "H53.50.05.13".into(),
            handling_agency: "H53.50.05.13".into(),
            status_code: 2,
            received_at: t,
            due_at: t,
            paused: false,
            in_transit: false,
            assigned_to: None,
            ended_at: None,
            verdict: None,
            returned_at: None,
            recorded_at: t,
        }
    }

    #[test]
    fn each_field_counts_as_its_kind() {
        let before = item();
        assert_eq!(changes(&before, None), [ChangeKind::Received]);
        assert_eq!(changes(&before, Some(&before)), []);
        let mut sent = before.clone();
        sent.status_code = 3;
        sent.in_transit = true;
        assert_eq!(
            changes(&sent, Some(&before)),
            [ChangeKind::Status, ChangeKind::Handler]
        );
        let mut paused = before.clone();
        paused.paused = true;
        assert_eq!(changes(&paused, Some(&before)), [ChangeKind::Due]);
        let mut ended = before.clone();
        ended.verdict = Some("on_time".into());
        assert_eq!(changes(&ended, Some(&before)), [ChangeKind::Result]);
        let mut assigned = before.clone();
        assigned.assigned_to = Some("officer".into());
        assert_eq!(changes(&assigned, Some(&before)), [ChangeKind::Handler]);
    }

    #[test]
    fn a_subscriber_wants_a_change_of_any_kind_it_named() {
        let kinds = [ChangeKind::Status, ChangeKind::Handler];
        assert!(wanted(None, &kinds));
        assert!(wanted(Some(&["handler".to_string()]), &kinds));
        assert!(!wanted(Some(&["result".to_string()]), &kinds));
        assert!(!wanted(Some(&["result".to_string()]), &[]));
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ChangeKind::parse("everything"), None);
    }
}
