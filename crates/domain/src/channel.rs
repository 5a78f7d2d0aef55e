//! Receiving channels as the national portal numbers them (docs/statuses.md, Channels).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 1 — in person at the counter.
    Counter,
    /// 2 — online, through a portal.
    Online,
    /// 3 — by the public postal service.
    Post,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Online, Channel::Post];

    pub fn code(self) -> i32 {
        match self {
            Channel::Counter => 1,
            Channel::Online => 2,
            Channel::Post => 3,
        }
    }

    pub fn from_code(code: i32) -> Result<Channel, DomainError> {
        Channel::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "channel",
                value: code.to_string(),
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Post => "post",
        }
    }
}
