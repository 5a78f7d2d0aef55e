//! `GET /api/v1/feed`: every change of a dossier's status, due time,
//! holder or result, in an order a reader follows with a cursor and never
//! misses a change in, even one committed late on PostgreSQL (see
//! `motcua_store::feed` and docs/feed.md). Read by subscribers with their
//! own token, within their agencies, and by administrators, all of it.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::{Role, Status};
use motcua_store::feed::{self, FeedItem};
use motcua_store::{agencies, subscribers};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{authenticate, bearer};
use crate::error::{ApiError, Problem};
use crate::routes::feed_national::NationalItem;
use crate::routes::subscribers::{token_hash, TOKEN_PREFIX};
use crate::state::AppState;

/// Items in a page unless the reader asks for another number.
const DEFAULT_LIMIT: i64 = 100;
/// The most items in one page.
const MAX_LIMIT: i64 = 1000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The cursor: the `next` of the page read before (0, or none, from
    /// the beginning).
    #[param(minimum = 0, maximum = 9_007_199_254_740_991_i64, example = 0)]
    pub after: Option<i64>,
    /// Items in the page, 1 to 1000 (100 unless given).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
    /// `desk` or `national` (the national portal's fields); the
    /// subscriber's own format unless given.
    #[param(max_length = 16, example = "national")]
    pub format: Option<String>,
}

/// The shapes the feed's items come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The desk's own fields ([`FeedItemDto`]).
    Desk,
    /// The national portal's status synchronisation
    /// ([`crate::routes::feed_national::NationalItem`]).
    National,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "desk" => Some(Format::Desk),
            "national" => Some(Format::National),
            _ => None,
        }
    }

    /// The format a request names in `format`, or `default` when it names
    /// none; a 422 for any other.
    pub fn chosen(sent: Option<&str>, default: Format) -> Result<Format, ApiError> {
        match sent.map(str::trim) {
            None | Some("") => Ok(default),
            Some(f) => Format::parse(f)
                .ok_or_else(|| ApiError::invalid_field("format", "must be desk or national")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Desk => "desk",
            Format::National => "national",
        }
    }
}

/// Late: ended after the appointment (its verdict), or still open and
/// running past it when the change was recorded.
pub(crate) fn is_late(i: &FeedItem) -> bool {
    match (&i.verdict, i.ended_at) {
        (Some(v), _) => v == "late",
        (None, Some(_)) => false,
        (None, None) => {
            !i.paused
                && Status::from_code(i.status_code).is_ok_and(Status::is_open)
                && i.recorded_at > i.due_at
        }
    }
}

/// One change of a dossier: the dossier as the change left it.
#[derive(Serialize, ToSchema)]
pub struct FeedItemDto {
    /// Stable for this change: a receiver that has seen it drops it.
    #[schema(example = "1842")]
    pub event_id: String,
    /// Where the reader is after this item.
    #[schema(example = 1842)]
    pub position: i64,
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub dossier_code: String,
    /// The procedure's code in the national catalogue.
    #[schema(example = "1.001193")]
    pub procedure_code: String,
    /// The agency handling it now.
    #[schema(example = "H53.50.05")]
    pub agency: String,
    /// The desk that received it.
    pub receiving_agency: String,
    /// The national status code, 1 to 10.
    #[schema(minimum = 1, maximum = 10, example = 4)]
    pub status_code: i32,
    pub status: Status,
    pub received_at: DateTime<Utc>,
    /// The appointment (moves with pauses and an extension).
    pub due_at: DateTime<Utc>,
    /// The clock is paused while the citizen supplements the dossier.
    pub paused: bool,
    /// Sent to the next agency and not yet acknowledged there.
    pub in_transit: bool,
    /// The officer it is assigned to, if any.
    pub handler: Option<String>,
    /// When processing ended (processed or stopped).
    pub ended_at: Option<DateTime<Utc>>,
    /// `early`, `on_time` or `late`, once processing ended.
    pub verdict: Option<String>,
    /// Late: ended after the appointment, or still open past it when the
    /// change was recorded.
    pub late: bool,
    pub returned_at: Option<DateTime<Utc>>,
    /// When the change was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl FeedItemDto {
    pub(crate) fn of(i: FeedItem) -> Result<FeedItemDto, ApiError> {
        let status = Status::from_code(i.status_code)
            .map_err(|e| ApiError::from(motcua_store::StoreError::Corrupt(e.to_string())))?;
        let late = is_late(&i);
        Ok(FeedItemDto {
            event_id: i.event_id.to_string(),
            position: i.position,
            dossier_code: i.code,
            procedure_code: i.procedure_code,
            agency: i.handling_agency,
            receiving_agency: i.receiving_agency,
            status_code: i.status_code,
            status,
            received_at: i.received_at,
            due_at: i.due_at,
            paused: i.paused,
            in_transit: i.in_transit,
            handler: i.assigned_to,
            ended_at: i.ended_at,
            verdict: i.verdict,
            late,
            returned_at: i.returned_at,
            recorded_at: i.recorded_at,
        })
    }
}

/// An item in the format read.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum FeedEntry {
    Desk(FeedItemDto),
    National(NationalItem),
}

#[derive(Serialize, ToSchema)]
pub struct FeedPage {
    /// `desk` or `national`: the shape of the items.
    #[schema(example = "desk")]
    pub format: String,
    pub items: Vec<FeedEntry>,
    /// The cursor to read on from (`after=`); the same as sent when there
    /// was nothing new.
    #[schema(example = 1842)]
    pub next: i64,
    /// Fewer items than asked: nothing more for now.
    pub caught_up: bool,
}

/// Who reads: the agencies they may see (`None`: all) and their format.
async fn reader_scope(
    state: &web::Data<AppState>,
    req: &HttpRequest,
) -> Result<(Option<Vec<String>>, Format), ApiError> {
    let token = bearer(req)?
        .ok_or_else(|| ApiError::unauthorized("send an Authorization: Bearer <token> header"))?;
    if token.starts_with(TOKEN_PREFIX) {
        let hash = token_hash(token);
        return state
            .with_conn(move |conn| {
                let s = subscribers::by_token_hash(conn, &hash)?
                    .ok_or_else(|| ApiError::unauthorized("the subscriber token is invalid"))?;
                if !s.active {
                    return Err(ApiError::unauthorized("this subscriber is disabled"));
                }
                let format = Format::parse(&s.format).unwrap_or(Format::Desk);
                Ok((
                    Some(agencies::with_descendants(conn, &s.agency_code)?),
                    format,
                ))
            })
            .await;
    }
    let staff = authenticate(req)
        .await?
        .ok_or_else(|| ApiError::unauthorized("send an Authorization: Bearer <token> header"))?;
    staff.require(&[Role::Admin])?;
    Ok((None, Format::Desk))
}

#[utoipa::path(get, path = "/api/v1/feed", tag = "feed",
    security(("bearer" = [])),
    params(FeedQuery),
    responses((status = 200, description = "The changes after the cursor, in order", body = FeedPage),
        (status = 401, description = "No token, an invalid one, or a disabled subscriber", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Staff other than administrators", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cursor or limit out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/feed")]
pub async fn read(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let (scope, own_format) = reader_scope(&state, &req).await?;
    let q = query.into_inner();
    let format = Format::chosen(q.format.as_deref(), own_format)?;
    let after = q.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::invalid_field("after", "must be 0 or more"));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let items = state
        .with_conn(move |conn| {
            // Rows committed since the last read get their positions first.
            feed::sequence(conn)?;
            Ok(feed::after(conn, after, limit, scope.as_deref())?)
        })
        .await?;
    let caught_up = i64::try_from(items.len()).unwrap_or(i64::MAX) < limit;
    let next = items.last().map_or(after, |i| i.position);
    let items = match format {
        Format::Desk => items
            .into_iter()
            .map(|i| FeedItemDto::of(i).map(FeedEntry::Desk))
            .collect::<Result<Vec<_>, _>>()?,
        Format::National => {
            let calendar = state.calendar();
            items
                .iter()
                .map(|i| FeedEntry::National(NationalItem::of(i, &calendar)))
                .collect()
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(FeedPage {
            format: format.as_str().to_string(),
            items,
            next,
            caught_up,
        }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(read);
}
