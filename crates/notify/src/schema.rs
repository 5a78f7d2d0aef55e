//! The outbox table (migrations `000004_outbox` to
//! `000007_outbox_serial`). Kept in this crate, not in `motcua-store`'s
//! schema, because only the notifier reads or writes it.

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        recipient -> Text,
        recipient_name -> Text,
        locale -> Text,
        data -> Text,
        dossier_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        claim_token -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}
