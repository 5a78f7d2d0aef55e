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
