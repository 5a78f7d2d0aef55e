//! Background WAL checkpoints for SQLite.
//!
//! In WAL mode a commit appends pages to the `-wal` file, and by default
//! the commit that pushes the log past 1000 pages also copies the log back
//! into the database file and syncs it (an automatic checkpoint), while it
//! still holds the write lock. On the counter that meant one intake in
//! forty waited about 17 ms for the disk, and every writer queued behind
//! it waited too. A pool built here turns automatic checkpoints off on its
//! connections and runs a `PASSIVE` checkpoint from its own thread and
//! connection a few times a second instead: a passive checkpoint never
//! takes the write lock, so writers go on appending while it copies, and
//! the log is reused from its start once a checkpoint has caught up.
//!
//! A log is only reused from its start when a writer finds every frame
//! already copied back and no reader still in it. Under steady traffic
//! (readers always reading, a writer always appending) that moment never
//! comes and the log grows without end: a soak of mixed traffic grew it by
//! 75 MB a second, to 6 GB in 80 seconds. So when a passive checkpoint
//! finds more than [`RESTART_PAGES`] in the log, the thread takes the
//! in-process writer lock (writers queue on it for a few milliseconds
//! instead of sleeping in SQLite's busy handler) and runs a `RESTART`
//! checkpoint, which waits for the readers still in the old log, copies
//! the rest and makes the next commit start the log afresh; the journal
//! size limit then cuts the file back to 64 MiB.
//!
//! The thread ends when the last clone of its [`crate::Database`] is
//! dropped. SQLite checkpoints once more when the last connection closes.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::sql_types::Integer;
use diesel::{QueryableByName, RunQueryDsl};

use crate::connection::DbConnection;
use crate::StoreError;

/// Set on every connection of a pool with a checkpointer: no automatic
/// checkpoints in commits, and a log that shrinks back to 64 MiB when it is
/// reused after a burst.
pub(crate) const POOL_PRAGMAS: &str = "PRAGMA wal_autocheckpoint = 0; \
     PRAGMA journal_size_limit = 67108864;";

/// How often the log is copied back. Short enough that the log stays a
/// few megabytes under a full counter's load, long enough that an idle
/// server does nothing measurable.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// Pages in the log past which the thread forces a restart of the log
/// (4096 pages of 4 KiB: 16 MiB).
pub const RESTART_PAGES: i32 = 4096;

/// What `PRAGMA wal_checkpoint` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct CheckpointReport {
    /// 1 when the checkpoint could not finish (it never blocks).
    #[diesel(sql_type = Integer)]
    pub busy: i32,
    /// Pages in the log.
    #[diesel(sql_type = Integer)]
    pub log: i32,
    /// Pages of the log now copied into the database file.
    #[diesel(sql_type = Integer)]
    pub checkpointed: i32,
}

/// Copies what it can of the log into the database file without waiting
/// for, or blocking, anyone.
pub fn passive(conn: &mut DbConnection) -> Result<CheckpointReport, StoreError> {
    checkpoint(conn, "PRAGMA wal_checkpoint(PASSIVE)")
}

fn checkpoint(conn: &mut DbConnection, pragma: &str) -> Result<CheckpointReport, StoreError> {
    let reports: Vec<CheckpointReport> = diesel::sql_query(pragma).load(conn)?;
    reports
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Corrupt("wal_checkpoint reported nothing".into()))
}

/// Copies the whole log back and makes the next commit reuse it from its
/// start, holding this process's writer lock meanwhile (see the module
/// documentation). Waits for readers, up to the busy timeout.
pub fn restart(conn: &mut DbConnection) -> Result<CheckpointReport, StoreError> {
    let _writer = crate::connection::sqlite_writer();
    checkpoint(conn, "PRAGMA wal_checkpoint(RESTART)")
}

/// One round of the thread: a passive checkpoint, and a restart when the
/// log has grown past `restart_pages`.
pub fn round(conn: &mut DbConnection, restart_pages: i32) -> Result<CheckpointReport, StoreError> {
    let report = passive(conn)?;
    if report.log > restart_pages {
        return restart(conn);
    }
    Ok(report)
}

/// The running checkpoint thread; dropping it stops the thread.
pub(crate) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the SQLite database at `url` every `interval`,
    /// on a connection of its own, restarting the log past `restart_pages`.
    pub(crate) fn spawn(
        url: &str,
        interval: Duration,
        restart_pages: i32,
    ) -> Result<Checkpointer, StoreError> {
        let mut conn = DbConnection::open(url)?;
        conn.batch_execute(POOL_PRAGMAS)?;
        // A restart waits for readers while writers wait for it: half a
        // second at most, then it gives up until the next round.
        conn.batch_execute("PRAGMA busy_timeout = 500;")?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                // Each interval without a stop signal, one checkpoint; the
                // stop signal or the sender's drop ends the loop.
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                    if let Err(e) = round(&mut conn, restart_pages) {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
            })
            .map_err(|e| StoreError::Connection(format!("checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            // A checkpoint in progress finishes first; it never waits on
            // locks, so this is short.
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::Database;

    /// A scratch SQLite file, removed with its log at the end.
    struct ScratchFile(std::path::PathBuf);

    impl Drop for ScratchFile {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = self.0.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }

    fn file_len(path: &std::path::Path) -> u64 {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }

    #[test]
    fn commits_leave_the_log_and_the_thread_copies_it_back() {
        let path = std::env::temp_dir().join(format!("motcua-ckpt-{}.db", uuid::Uuid::now_v7()));
        let _scratch = ScratchFile(path.clone());
        let db = Database::connect(&format!("sqlite://{}", path.display()), 2).unwrap();
        let mut conn = db.get().unwrap();
        // Commits no longer checkpoint themselves...
        let auto: Vec<AutoCheckpoint> = diesel::sql_query("PRAGMA wal_autocheckpoint")
            .load(&mut **conn)
            .unwrap();
        assert_eq!(auto[0].wal_autocheckpoint, 0);
        conn.batch_execute("CREATE TABLE t (b BLOB NOT NULL)")
            .unwrap();
        // ...so 4 MiB written in 2,000 transactions (past the 1,000-page
        // threshold of automatic checkpoints) would stay in the log, were
        // it not for the thread.
        for _ in 0..2000 {
            conn.write_tx(|c| {
                c.batch_execute("INSERT INTO t VALUES (zeroblob(2048))")
                    .map_err(StoreError::from)
            })
            .unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while file_len(&path) < 4 << 20 {
            assert!(
                Instant::now() < deadline,
                "the database file is still {} bytes: nothing was checkpointed",
                file_len(&path)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // Caught up: the next passive checkpoint has nothing left to copy.
        let report = passive(&mut conn).unwrap();
        assert_eq!(report.log, report.checkpointed, "{report:?}");
    }

    /// Under steady traffic (readers always in a read transaction, a
    /// writer always appending) a passive checkpoint never lets the log be
    /// reused, so it grew without end; a restart round makes the next
    /// commit start the log afresh. The test measures the log against the
    /// commits made since the restart, not against the clock, so a slow or
    /// busy machine changes how long it takes, never its verdict.
    #[test]
    fn a_restart_round_reuses_the_log_under_steady_reads_and_writes() {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::sync::Arc;
        let path = std::env::temp_dir().join(format!("motcua-ckpt-{}.db", uuid::Uuid::now_v7()));
        let _scratch = ScratchFile(path.clone());
        let url = format!("sqlite://{}", path.display());
        // Connections as a pool makes them, without the pool's own
        // checkpoint thread: this test is the only one checkpointing.
        let open = || {
            let mut c = DbConnection::open(&url).unwrap();
            c.batch_execute(POOL_PRAGMAS).unwrap();
            c
        };
        open()
            .batch_execute("CREATE TABLE t (b BLOB NOT NULL)")
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let commits = Arc::new(AtomicU64::new(0));
        let mut threads = Vec::new();
        for _ in 0..2 {
            let (mut conn, stop) = (open(), stop.clone());
            threads.push(std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    conn.batch_execute("BEGIN; SELECT count(*) FROM t; COMMIT;")
                        .unwrap();
                }
            }));
        }
        {
            let (mut conn, stop, commits) = (open(), stop.clone(), commits.clone());
            threads.push(std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    conn.write_tx(|c| {
                        c.batch_execute("INSERT INTO t VALUES (zeroblob(8192))")
                            .map_err(StoreError::from)
                    })
                    .unwrap();
                    commits.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        let mut conn = open();
        conn.batch_execute("PRAGMA busy_timeout = 500;").unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        // Three times over, since now and then the log happens to be
        // reused on its own: traffic with passive checkpoints only until
        // the log holds more than a restart's threshold, then rounds until
        // one restarts it (a busy machine may make the first ones give up
        // after their busy timeout), then the log a few commits later.
        //
        // A reader that read the log's header just before the restart
        // finished may still take a read mark in the old log just after
        // it, and the next commit then cannot start the log afresh; it
        // appends, and the thread's next round restarts it again. So a
        // cycle goes on with rounds until one is followed by a reused log,
        // as the thread would, and fails only when none is.
        let mut raced = 0;
        for _ in 0..3 {
            let grown = loop {
                let report = passive(&mut conn).unwrap();
                if report.log > 1024 {
                    break report.log;
                }
                assert!(Instant::now() < deadline, "the log never grew: {report:?}");
                std::thread::sleep(Duration::from_millis(20));
            };
            loop {
                loop {
                    let report = round(&mut conn, 1024).unwrap();
                    if report.busy == 0 && report.log > 1024 {
                        break;
                    }
                    assert!(
                        Instant::now() < deadline,
                        "no restart went through: {report:?}"
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
                // The log starts afresh at the next commit, which may have
                // to wait for the writer lock (other tests share it).
                let since = commits.load(Ordering::Relaxed);
                while commits.load(Ordering::Relaxed) < since + 3 {
                    assert!(Instant::now() < deadline, "the writer stopped");
                    std::thread::yield_now();
                }
                // A checkpoint that finds another in progress reports -1.
                let after = loop {
                    let report = passive(&mut conn).unwrap();
                    if report.log >= 0 {
                        break report;
                    }
                    assert!(Instant::now() < deadline, "no checkpoint went through");
                };
                let made = commits.load(Ordering::Relaxed) - since;
                // An 8 KiB row is a handful of pages (two overflow pages, a
                // leaf, the pages above it): a log that restarted holds only
                // the commits made since, while one that was not reused
                // still holds the `grown` pages of before.
                if u64::try_from(after.log).unwrap() <= (made + 2) * 8 {
                    break;
                }
                raced += 1;
                assert!(
                    Instant::now() < deadline,
                    "no restart was followed by a reused log: it holds {} pages \
                     after {made} commits since the last restart (it held {grown})",
                    after.log
                );
            }
        }
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            t.join().unwrap();
        }
        // A race is the exception: most restarts must be reused at once.
        assert!(
            raced < 30,
            "{raced} restarts were not followed by a reused log"
        );
    }

    #[derive(QueryableByName)]
    struct AutoCheckpoint {
        #[diesel(sql_type = Integer)]
        wal_autocheckpoint: i32,
    }
}
