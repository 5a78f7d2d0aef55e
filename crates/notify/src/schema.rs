//! The outbox table (migration `000004_outbox`). Kept in this crate, not
//! in `motcua-store`'s schema, because only the notifier reads or writes
//! it.

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        recipient_name -> Text,
        locale -> Text,
        data -> Text,
        dossier_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        claim_token -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}
