//! Dossier codes stay gap-free and unique under concurrency, on both
//! backends (docs/dossier-code.md, Numbering without gaps or repeats).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::{birth_registration, Backend, TestServer};

const INTAKES: usize = 200;

fn two_hundred_concurrent_intakes_get_codes_0001_to_0200(backend: Backend) {
    let s = Arc::new(TestServer::start(backend));
    let token = Arc::new(s.login("clerk"));
    let barrier = Arc::new(std::sync::Barrier::new(INTAKES));
    let threads: Vec<_> = (0..INTAKES)
        .map(|_| {
            let (s, token, barrier) = (s.clone(), token.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let r = s.post("/api/v1/dossiers", Some(&token), &birth_registration());
                assert_eq!(r.status, 201, "{}", r.text);
                r.json["code"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let codes: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let distinct: BTreeSet<_> = codes.iter().cloned().collect();
    assert_eq!(distinct.len(), INTAKES, "duplicate codes");
    // Group by local day (a run across local midnight splits in two) and
    // check each day's numbers run 1..=n with no gap.
    let mut by_day: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for code in &codes {
        let mut parts = code.rsplitn(3, '-');
        let seq: u32 = parts.next().unwrap().parse().unwrap();
        let day = parts.next().unwrap().to_string();
        assert_eq!(parts.next().unwrap(), "H53.50.05.13");
        by_day.entry(day).or_default().push(seq);
    }
    let mut total = 0;
    for seqs in by_day.values_mut() {
        seqs.sort_unstable();
        let expected: Vec<u32> = (1..=seqs.len() as u32).collect();
        assert_eq!(*seqs, expected);
        total += seqs.len();
    }
    assert_eq!(total, INTAKES);
    if by_day.len() == 1 {
        assert!(distinct.iter().next().unwrap().ends_with("-0001"));
        assert!(distinct.iter().last().unwrap().ends_with("-0200"));
    }
    // Tracking-book entries are gap-free too.
    let mut conn = s.conn();
    let mut entries: Vec<i64> = codes
        .iter()
        .map(|c| {
            motcua_store::dossiers::find_by_code(&mut conn, c)
                .unwrap()
                .unwrap()
                .book_entry
        })
        .collect();
    entries.sort_unstable();
    assert_eq!(entries, (1..=INTAKES as i64).collect::<Vec<_>>());
}

on_both_backends!(two_hundred_concurrent_intakes_get_codes_0001_to_0200);
