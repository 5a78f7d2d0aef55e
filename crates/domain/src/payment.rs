//! How a fee or charge was paid. The national index for serving citizens
//! and businesses measures the share of payments made online, so every
//! payment records its channel (docs/measures.md, Service index).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentChannel {
    /// Through the online payment platform (the national portal's or a
    /// bank's), without coming to the desk.
    Online,
    /// In cash or by card at the desk.
    Counter,
    /// By a bank transfer the desk checked.
    Transfer,
}

impl PaymentChannel {
    pub const ALL: [PaymentChannel; 3] = [
        PaymentChannel::Online,
        PaymentChannel::Counter,
        PaymentChannel::Transfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentChannel::Online => "online",
            PaymentChannel::Counter => "counter",
            PaymentChannel::Transfer => "transfer",
        }
    }

    pub fn parse(s: &str) -> Result<PaymentChannel, DomainError> {
        PaymentChannel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "payment channel",
                value: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_reads_back_as_itself() {
        for c in PaymentChannel::ALL {
            assert_eq!(PaymentChannel::parse(c.as_str()).ok(), Some(c));
        }
        assert!(PaymentChannel::parse("cash").is_err());
    }
}
