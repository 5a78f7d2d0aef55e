//! One webhook post: the body a receiver gets, and the HTTP request that
//! carries it, signed.

use motcua_calendar::WorkingCalendar;
use motcua_store::deliveries::Claimed;
use serde::Serialize;
use utoipa::ToSchema;

use super::changes::ChangeKind;
use super::signature::{self, DELIVERY_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER};
use super::WebhookSettings;
use crate::routes::feed::{FeedEntry, FeedItemDto, Format};
use crate::routes::feed_national::NationalItem;

/// What a webhook receives: one change of a dossier.
#[derive(Serialize, ToSchema)]
pub struct WebhookBody {
    /// The feed item's event id: a post with an id already seen is a
    /// repeat, to drop.
    #[schema(example = "1842")]
    pub event_id: String,
    /// The row of the desk's delivery queue (differs between repeats only
    /// when an administrator retried it).
    #[schema(example = "77")]
    pub delivery_id: String,
    /// The subscriber's name.
    pub subscriber: String,
    /// What changed since the dossier's item before.
    pub changes: Vec<ChangeKind>,
    /// `desk` or `national`: the shape of `item`.
    pub format: String,
    /// The dossier as the change left it, as the feed shows it.
    pub item: FeedEntry,
}

/// The body of `claimed`'s post in its subscriber's format.
pub fn body(
    claimed: &Claimed,
    changes: Vec<ChangeKind>,
    calendar: &WorkingCalendar,
) -> Result<Vec<u8>, crate::error::ApiError> {
    let format = Format::parse(&claimed.subscriber.format).unwrap_or(Format::Desk);
    let item = match format {
        Format::Desk => FeedEntry::Desk(FeedItemDto::of(claimed.item.clone())?),
        Format::National => FeedEntry::National(NationalItem::of(&claimed.item, calendar)),
    };
    let body = WebhookBody {
        event_id: claimed.item.event_id.to_string(),
        delivery_id: claimed.delivery_id.to_string(),
        subscriber: claimed.subscriber.name.clone(),
        changes,
        format: format.as_str().to_string(),
        item,
    };
    serde_json::to_vec(&body).map_err(|_| crate::error::ApiError::internal())
}

/// How a post ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// 2xx.
    Delivered(u16),
    /// Another status, or no answer (refused, timed out, reset).
    Failed { status: Option<u16>, error: String },
}

/// The webhooks' HTTP client: connections kept open per receiver, a
/// deadline on each post, and no redirects followed (a post goes where
/// the administrator said, nowhere else).
#[derive(Clone)]
pub struct Poster {
    client: reqwest::Client,
}

/// Characters of a failure kept on the row.
const ERROR_CHARS: usize = 500;

impl Poster {
    pub fn new(settings: &WebhookSettings) -> Result<Poster, reqwest::Error> {
        motcua_files::storage::install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(std::time::Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("motcua-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Poster { client })
    }

    /// Posts `body` to `url`, signed with `secret` at `timestamp`.
    pub async fn post(
        &self,
        url: &str,
        secret: &str,
        ids: (i64, i64),
        timestamp: i64,
        body: Vec<u8>,
    ) -> Attempt {
        let (delivery_id, event_id) = ids;
        let signed = match signature::sign(secret, timestamp, &body) {
            Ok(s) => s,
            Err(e) => {
                return Attempt::Failed {
                    status: None,
                    error: e.to_string(),
                }
            }
        };
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signed)
            .header(EVENT_ID_HEADER, event_id.to_string())
            .header(DELIVERY_HEADER, delivery_id.to_string())
            .body(body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => Attempt::Delivered(r.status().as_u16()),
            Ok(r) => Attempt::Failed {
                status: Some(r.status().as_u16()),
                error: format!("the receiver answered {}", r.status()),
            },
            Err(e) => Attempt::Failed {
                status: None,
                error: describe(&e),
            },
        }
    }
}

/// A client error with its causes, bounded.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer in time".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        "the post failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(ERROR_CHARS).collect()
}
