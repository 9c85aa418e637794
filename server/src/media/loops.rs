//! Persistent loop libraries: one [`LoopLibrary`] per destination, shared by every leg of
//! every job on this replica, stored in Redis as a set of landmark hashes (decimal u64) under
//! `hh:loops:{<destination_id>}:v<FINGERPRINT_VERSION>` so every replica and every restart
//! starts from what any leg has heard. Loaded at first use (SSCAN), new hashes flushed with
//! SADD every `media.loop_flush_interval_ms`; loads from other replicas' flushes are not
//! merged back live (a new job's first use after restart picks them up).
//!
//! Known hold recordings (an operator's recordings of the line, see [`super::known`]) are
//! learned into every library right after it is loaded, each under its own source; they are
//! not persisted (they are on disk), and a leg learns none of what they already hold.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use holdhunter_detect::{FINGERPRINT_VERSION, LoopLibrary};
use tokio::sync::OnceCell;

use super::known::HoldRecording;
use crate::error::Result;
use crate::store::Store;

/// Hashes per SADD / SSCAN batch.
const BATCH: usize = 10_000;
/// Hashes kept for a retry after a failed flush, per destination.
const MAX_PENDING: usize = 1_000_000;

/// Redis key of a destination's loop library.
pub fn loop_key(destination_id: &str) -> String {
    format!("hh:loops:{{{destination_id}}}:v{FINGERPRINT_VERSION}")
}

struct Entry {
    library: OnceCell<Arc<LoopLibrary>>,
    /// Drained but not yet written (a flush failed).
    pending: Mutex<Vec<u64>>,
}

/// Loop libraries of this replica, by destination id.
#[derive(Clone)]
pub struct LoopStore {
    store: Store,
    /// Learned into every library at first use.
    hold: Arc<[HoldRecording]>,
    entries: Arc<Mutex<HashMap<String, Arc<Entry>>>>,
}

impl LoopStore {
    /// An empty cache over `store`.
    pub fn new(store: Store) -> Self {
        Self::with_hold_recordings(store, Vec::new())
    }

    /// An empty cache over `store` whose libraries all learn `hold` at first use.
    pub fn with_hold_recordings(store: Store, hold: Vec<HoldRecording>) -> Self {
        LoopStore {
            store,
            hold: hold.into(),
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn entry(&self, destination_id: &str) -> Arc<Entry> {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(destination_id.to_owned())
            .or_insert_with(|| {
                Arc::new(Entry {
                    library: OnceCell::new(),
                    pending: Mutex::new(Vec::new()),
                })
            })
            .clone()
    }

    /// The destination's library, loaded from Redis on first use (concurrent first users
    /// wait for one load). A failed load gives an empty library (logged; detection still
    /// works, it only forgets earlier calls) and is not retried for this process.
    pub async fn library(&self, destination_id: &str) -> Arc<LoopLibrary> {
        let entry = self.entry(destination_id);
        entry
            .library
            .get_or_init(|| async {
                let library = Arc::new(LoopLibrary::new());
                match self.load_into(destination_id, &library).await {
                    Ok(n) => {
                        tracing::info!(destination_id, hashes = n, "loop library loaded");
                        metrics::counter!("hh_loop_hashes_loaded_total").increment(n as u64);
                    }
                    Err(e) => tracing::warn!(destination_id, error = %e, "loop library not loaded; starting empty"),
                }
                if !self.hold.is_empty() {
                    let (lib, hold) = (library.clone(), self.hold.clone());
                    let learned = tokio::task::spawn_blocking(move || {
                        hold.iter().map(|r| lib.learn_print(&r.print)).sum::<usize>()
                    })
                    .await
                    .unwrap_or(0);
                    tracing::info!(
                        destination_id,
                        recordings = self.hold.len(),
                        entries = learned,
                        "loop library learned the known hold recordings"
                    );
                }
                library
            })
            .await
            .clone()
    }

    async fn load_into(&self, destination_id: &str, library: &LoopLibrary) -> Result<usize> {
        let key = loop_key(destination_id);
        let mut conn = self.store.conn();
        let mut cursor: u64 = 0;
        let mut loaded = 0;
        loop {
            let (next, batch): (u64, Vec<u64>) = redis::cmd("SSCAN")
                .arg(&key)
                .arg(cursor)
                .arg("COUNT")
                .arg(BATCH)
                .query_async(&mut conn)
                .await?;
            loaded += library.extend(batch);
            if next == 0 {
                return Ok(loaded);
            }
            cursor = next;
        }
    }

    /// Writes every library's new hashes to Redis. Returns how many were written; hashes of a
    /// failed write are kept and retried by the next flush.
    pub async fn flush(&self) -> usize {
        let entries: Vec<(String, Arc<Entry>)> = {
            let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let mut written = 0;
        for (destination_id, entry) in entries {
            let Some(library) = entry.library.get() else {
                continue;
            };
            let mut hashes =
                std::mem::take(&mut *entry.pending.lock().unwrap_or_else(|e| e.into_inner()));
            hashes.extend(library.drain_new_hashes());
            if hashes.is_empty() {
                continue;
            }
            match self.write(&destination_id, &hashes).await {
                Ok(()) => {
                    written += hashes.len();
                    metrics::counter!("hh_loop_hashes_persisted_total")
                        .increment(hashes.len() as u64);
                }
                Err(e) => {
                    tracing::warn!(%destination_id, hashes = hashes.len(), error = %e, "loop library flush failed; will retry");
                    hashes.truncate(MAX_PENDING);
                    *entry.pending.lock().unwrap_or_else(|e| e.into_inner()) = hashes;
                }
            }
        }
        written
    }

    async fn write(&self, destination_id: &str, hashes: &[u64]) -> Result<()> {
        let key = loop_key(destination_id);
        let mut conn = self.store.conn();
        for chunk in hashes.chunks(BATCH) {
            redis::cmd("SADD")
                .arg(&key)
                .arg(chunk)
                .query_async::<()>(&mut conn)
                .await?;
        }
        Ok(())
    }
}
