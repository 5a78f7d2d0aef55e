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
        service_level -> Text,
        compliance -> Nullable<Text>,
        documents -> Text,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        supplement_policy -> Text,
        steps -> Text,
        members -> Text,
        cases -> Text,
        representation_allowed -> Bool,
        any_desk -> Bool,
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
        clock_version -> Integer,
        paused_since -> Nullable<Timestamp>,
        supplement_requests -> Integer,
        ended_at -> Nullable<Timestamp>,
        verdict -> Nullable<Text>,
        result_note -> Text,
        procedure_name -> Text,
        parent_id -> Nullable<Text>,
        current_step -> Integer,
        in_transit -> Bool,
        payment_amount_vnd -> Nullable<BigInt>,
        returned_at -> Nullable<Timestamp>,
        returned_to -> Nullable<Text>,
        return_method -> Nullable<Text>,
        assigned_to -> Nullable<Text>,
        payment_channel -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        case_code -> Nullable<Text>,
        representative -> Nullable<Text>,
        postal_inbound_code -> Nullable<Text>,
        postal_return_address -> Nullable<Text>,
        postal_outbound_code -> Nullable<Text>,
        postal_dispatched_at -> Nullable<Timestamp>,
        postal_delivered_at -> Nullable<Timestamp>,
        postal_failed_at -> Nullable<Timestamp>,
        postal_failure -> Nullable<Text>,
        received_for -> Nullable<Text>,
        imported_at -> Nullable<Timestamp>,
        import_batch -> Nullable<Text>,
        import_digest -> Nullable<Text>,
    }
}

diesel::table! {
    postal_notices (notice_id) {
        notice_id -> Text,
        dossier_id -> Text,
        tracking_code -> Text,
        outcome -> Text,
        happened_at -> Timestamp,
        received_at -> Timestamp,
    }
}

diesel::table! {
    reserved_codes (code) {
        code -> Text,
        agency_code -> Text,
        day -> Text,
        reserved_by -> Text,
        reserved_at -> Timestamp,
        dossier_id -> Nullable<Text>,
        used_at -> Nullable<Timestamp>,
        voided_at -> Nullable<Timestamp>,
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

diesel::table! {
    clock_entries (dossier_id, seq) {
        dossier_id -> Text,
        seq -> Integer,
        kind -> Text,
        at -> Timestamp,
        new_due_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    supplement_requests (id) {
        id -> Text,
        dossier_id -> Text,
        number -> Integer,
        reason -> Text,
        items -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        received_by -> Nullable<Text>,
        received_at -> Nullable<Timestamp>,
        received_note -> Nullable<Text>,
    }
}

diesel::table! {
    extensions (dossier_id) {
        dossier_id -> Text,
        reason -> Text,
        previous_due_at -> Timestamp,
        new_due_at -> Timestamp,
        late_notice -> Bool,
        requested_by -> Text,
        requested_at -> Timestamp,
    }
}

diesel::table! {
    breaches (id) {
        id -> BigInt,
        dossier_id -> Text,
        kind -> Text,
        clock_version -> Integer,
        due_at -> Timestamp,
        detected_at -> Timestamp,
        agency_code -> Text,
        procedure_code -> Text,
    }
}

diesel::table! {
    calendar_adjustments (day) {
        day -> Date,
        kind -> Text,
        reason -> Text,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    handovers (id) {
        id -> Text,
        dossier_id -> Text,
        seq -> Integer,
        from_step -> Integer,
        to_step -> Integer,
        from_agency -> Text,
        to_agency -> Text,
        direction -> Text,
        note -> Text,
        sent_by -> Text,
        sent_at -> Timestamp,
        received_by -> Nullable<Text>,
        received_at -> Nullable<Timestamp>,
        leg_started_at -> Timestamp,
        leg_budget_seconds -> BigInt,
        leg_used_seconds -> BigInt,
        leg_verdict -> Text,
        repair -> Nullable<Text>,
        recalled_by -> Nullable<Text>,
        recalled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    submissions (id) {
        id -> Text,
        pin_hash -> Text,
        procedure_code -> Text,
        procedure_version -> Integer,
        agency_code -> Text,
        applicant -> Text,
        documents -> Text,
        status_code -> Integer,
        client_addr -> Text,
        submitted_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        refusal_reason -> Nullable<Text>,
        dossier_id -> Nullable<Text>,
        case_code -> Nullable<Text>,
        representative -> Nullable<Text>,
        postal_return_address -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        ended_reason -> Nullable<Text>,
        client_addr -> Text,
    }
}

diesel::table! {
    throttle (bucket) {
        bucket -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        started_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(dossiers -> procedures (procedure_code));
diesel::joinable!(handovers -> dossiers (dossier_id));
diesel::joinable!(clock_entries -> dossiers (dossier_id));
diesel::joinable!(supplement_requests -> dossiers (dossier_id));
diesel::joinable!(breaches -> dossiers (dossier_id));
diesel::joinable!(events -> dossiers (dossier_id));
diesel::joinable!(users -> agencies (agency_code));

diesel::table! {
    step_times (procedure_code, step, officer) {
        procedure_code -> Text,
        step -> Integer,
        officer -> Text,
        bins -> Text,
        samples -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    frozen_reports (id) {
        id -> Text,
        agency_code -> Text,
        period_name -> Text,
        first_day -> Date,
        last_day -> Date,
        layout -> Text,
        figures -> Text,
        note -> Text,
        frozen_by -> Text,
        frozen_at -> Timestamp,
    }
}

diesel::joinable!(frozen_reports -> users (frozen_by));

diesel::table! {
    report_rollup (scope, month, dim, dim_key) {
        scope -> Text,
        month -> Text,
        dim -> Text,
        dim_key -> Text,
        line -> Text,
    }
}

diesel::table! {
    report_rollup_facts (dossier_id) {
        dossier_id -> Text,
        received_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        facts -> Text,
    }
}

diesel::table! {
    report_rollup_meta (id) {
        id -> Integer,
        through -> Text,
        fingerprint -> Text,
        ready -> Bool,
    }
}

diesel::table! {
    report_rollup_pending (id) {
        id -> BigInt,
        dossier_id -> Text,
    }
}

diesel::table! {
    ratings (dossier_id) {
        dossier_id -> Text,
        scores -> Text,
        overall -> Text,
        comment -> Text,
        channel -> Text,
        recorded_by -> Nullable<Text>,
        rated_at -> Timestamp,
    }
}

diesel::table! {
    feedback (id) {
        id -> Text,
        reference -> Text,
        pin_hash -> Text,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        subject -> Text,
        content -> Text,
        dossier_id -> Nullable<Text>,
        agency_code -> Text,
        procedure_code -> Nullable<Text>,
        status -> Text,
        step_due_at -> Nullable<Timestamp>,
        received_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        refusal_reason -> Nullable<Text>,
        information_request -> Nullable<Text>,
        information_requested_at -> Nullable<Timestamp>,
        information_reply -> Nullable<Text>,
        information_given_at -> Nullable<Timestamp>,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<Text>,
        public_summary -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    feedback_breaches (id) {
        id -> BigInt,
        feedback_id -> Text,
        step -> Text,
        due_at -> Timestamp,
        detected_at -> Timestamp,
        agency_code -> Text,
    }
}

diesel::table! {
    files (id) {
        id -> Text,
        state -> Text,
        name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
        sweep_after -> Nullable<Timestamp>,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_files (dossier_id, file_id) {
        dossier_id -> Text,
        file_id -> Text,
        purpose -> Text,
        document_code -> Nullable<Text>,
        identity_document -> Bool,
        linked_from -> Nullable<Text>,
        attached_by -> Text,
        attached_at -> Timestamp,
    }
}

diesel::table! {
    dossier_digitisation (dossier_id) {
        dossier_id -> Text,
        components_complete -> Bool,
        electronic_result -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    procedure_file_policies (procedure_code) {
        procedure_code -> Text,
        electronic_result -> Bool,
        retention_years -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    feed_items (id) {
        id -> BigInt,
        position -> Nullable<BigInt>,
        dossier_id -> Text,
        code -> Text,
        procedure_code -> Text,
        receiving_agency_code -> Text,
        handling_agency_code -> Text,
        status_code -> Integer,
        received_at -> Timestamp,
        due_at -> Timestamp,
        paused -> Bool,
        in_transit -> Bool,
        assigned_to -> Nullable<Text>,
        ended_at -> Nullable<Timestamp>,
        verdict -> Nullable<Text>,
        returned_at -> Nullable<Timestamp>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    subscribers (id) {
        id -> Text,
        name -> Text,
        agency_code -> Text,
        format -> Text,
        token_hash -> Text,
        active -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        webhook_url -> Nullable<Text>,
        webhook_secret -> Nullable<Text>,
        webhook_kinds -> Nullable<Text>,
        delivered_through -> BigInt,
    }
}

diesel::table! {
    webhook_scopes (agency_code, subscriber_id) {
        agency_code -> Text,
        subscriber_id -> Text,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        subscriber_id -> Text,
        feed_item_id -> BigInt,
        dossier_id -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        dossier_id -> Text,
        amount_vnd -> BigInt,
        channel -> Text,
        receipt_number -> Text,
        recorded_by -> Nullable<Text>,
        gateway_transaction -> Nullable<Text>,
        paid_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::joinable!(payments -> dossiers (dossier_id));
diesel::joinable!(dossier_files -> files (file_id));
diesel::joinable!(deliveries -> subscribers (subscriber_id));
diesel::joinable!(deliveries -> feed_items (feed_item_id));
diesel::joinable!(dossier_digitisation -> dossiers (dossier_id));

diesel::table! {
    queue_areas (agency_code, letter) {
        agency_code -> Text,
        letter -> Text,
        name -> Text,
        fields -> Text,
        position -> Integer,
    }
}

diesel::table! {
    queue_counters (agency_code, number) {
        agency_code -> Text,
        number -> Integer,
        name -> Text,
        areas -> Text,
    }
}

diesel::table! {
    queue_tickets (id) {
        id -> Text,
        agency_code -> Text,
        area -> Text,
        day -> Text,
        number -> Integer,
        field -> Nullable<Text>,
        procedure_code -> Nullable<Text>,
        status -> Text,
        taken_at -> Timestamp,
        called_at -> Nullable<Timestamp>,
        announced_at -> Nullable<Timestamp>,
        calls -> Integer,
        counter_number -> Nullable<Integer>,
        called_by -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    queue_ticket_dossiers (dossier_id) {
        dossier_id -> Text,
        ticket_id -> Text,
        linked_at -> Timestamp,
    }
}

diesel::joinable!(queue_ticket_dossiers -> queue_tickets (ticket_id));
diesel::joinable!(queue_ticket_dossiers -> dossiers (dossier_id));

diesel::allow_tables_to_appear_in_same_query!(
    queue_areas,
    queue_counters,
    queue_tickets,
    queue_ticket_dossiers,
    postal_notices,
    payments,
    feed_items,
    subscribers,
    webhook_scopes,
    deliveries,
    feedback,
    files,
    dossier_files,
    dossier_digitisation,
    procedure_file_policies,
    feedback_breaches,
    ratings,
    report_rollup,
    report_rollup_facts,
    report_rollup_meta,
    report_rollup_pending,
    step_times,
    frozen_reports,
    settings,
    agencies,
    procedures,
    procedure_versions,
    users,
    counters,
    dossiers,
    guidance_slips,
    events,
    clock_entries,
    supplement_requests,
    extensions,
    breaches,
    calendar_adjustments,
    handovers,
    submissions,
    idempotency_keys,
    sessions,
    throttle,
);
