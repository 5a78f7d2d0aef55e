//! Diesel table definitions, the same on both backends.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    agencies (code) {
        code -> Text,
        name -> Text,
        level -> Text,
        parent_code -> Nullable<Text>,
        address -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    procedures (code) {
        code -> Text,
        version -> Integer,
        name -> Text,
        field -> Text,
        agency_code -> Text,
        duration_amount -> Integer,
        duration_unit -> Text,
        cutoff_minute -> Nullable<Integer>,
        fee_vnd -> BigInt,
        fee_note -> Text,
        legal_basis -> Text,
        result -> Text,
        online_allowed -> Bool,
        documents -> Text,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    procedure_versions (procedure_code, version) {
        procedure_code -> Text,
        version -> Integer,
        snapshot -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        full_name -> Text,
        role -> Text,
        agency_code -> Text,
        email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    dossiers (id) {
        id -> Text,
        code -> Text,
        pin_hash -> Text,
        procedure_code -> Text,
        procedure_version -> Integer,
        receiving_agency_code -> Text,
        handling_agency_code -> Text,
        status_code -> Integer,
        channel -> Integer,
        applicant_name -> Text,
        applicant_id_number -> Text,
        applicant_phone -> Nullable<Text>,
        applicant_email -> Nullable<Text>,
        applicant_address -> Nullable<Text>,
        documents -> Text,
        fee_vnd -> BigInt,
        book_year -> Integer,
        book_entry -> BigInt,
        received_at -> Timestamp,
        due_at -> Timestamp,
        original_due_at -> Timestamp,
        received_by -> Text,
        note -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    guidance_slips (id) {
        id -> Text,
        agency_code -> Text,
        procedure_code -> Text,
        procedure_version -> Integer,
        applicant_name -> Text,
        applicant_id_number -> Text,
        documents -> Text,
        missing -> Text,
        issued_by -> Text,
        issued_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        subject_type -> Text,
        subject_id -> Text,
        dossier_id -> Nullable<Text>,
        kind -> Text,
        actor_id -> Nullable<Text>,
        actor_name -> Text,
        at -> Timestamp,
        data -> Text,
    }
}

diesel::joinable!(dossiers -> procedures (procedure_code));
diesel::joinable!(events -> dossiers (dossier_id));
diesel::joinable!(users -> agencies (agency_code));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    agencies,
    procedures,
    procedure_versions,
    users,
    counters,
    dossiers,
    guidance_slips,
    events,
);
