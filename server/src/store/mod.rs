//! Redis store. Per-job keys share the hash tag `{<job_id>}` so scripts touching one job work
//! on Redis Cluster; lines live under `{lines}`, the dial schedule under `{sched}`.
//!
//! Key map (all prefixed `hh:`):
//! - `hh:{J}:job` job JSON, `hh:{J}:legs` hash leg id → leg JSON, `hh:{J}:ver` hash of record
//!   versions (`job`, leg ids), `hh:{J}:events` event stream, `hh:{J}:winners` set of admitted
//!   winner leg ids. TTL `engine.job_ttl_s`, refreshed on every write.
//! - `hh:summary:{J}` compact finished-job JSON (TTL `engine.summary_ttl_s`), `hh:jobs:index`
//!   zset job id → created ms, `hh:jobs:active` set of hunting job ids,
//!   `hh:request:<request_id>` → job id (StartJob idempotency).
//! - `hh:{lines}:data` hash line id → line JSON, `hh:{lines}:owner` hash line id → job id.
//! - `hh:queues` hash queue id → JSON, `hh:queues:default`, `hh:destinations` hash id → proto.
//! - `hh:sess:{S}:leg` telephony session → "job leg", `hh:sess:{S}:parked` list of parked
//!   events (TTL `engine.parked_event_ttl_ms`).
//! - `hh:{sched}:dial` zset "job leg" → due ms; `hh:{sched}:claimed` zset → lease expiry ms.
//! - `hh:ratelimit:callout:<user>` zset of call-out times (sliding window).

mod catalog;
mod jobs;
mod lines;
mod schedule;
mod sessions;

use std::time::Duration;

use redis::aio::ConnectionManager;

pub use catalog::QueueRecord;
pub use jobs::{Cas, JobSnapshot, WinnerOutcome};
pub use lines::{LineRecord, Reservation};
pub use sessions::SessionLookup;

use crate::config::EngineConfig;
use crate::error::Result;

/// Handle to Redis; cheap to clone.
#[derive(Clone)]
pub struct Store {
    client: redis::Client,
    conn: ConnectionManager,
    job_ttl_s: u64,
    summary_ttl_s: u64,
    stream_maxlen: u64,
    parked_ttl_ms: u64,
}

impl Store {
    /// Connects (with a timeout) and PINGs. The error names the URL (without password) and
    /// what to do.
    pub async fn connect(
        url: &str,
        timeout: Duration,
        engine: &EngineConfig,
    ) -> anyhow::Result<Store> {
        let shown = redact_url(url);
        let fix = format!("redis unreachable at {shown}: start redis-server or set HH_REDIS_URL");
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("{fix} ({e})"))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(Duration::from_secs(10)))
            .set_number_of_retries(2);
        let conn = tokio::time::timeout(timeout, client.get_connection_manager_with_config(config))
            .await
            .map_err(|_| anyhow::anyhow!("{fix} (timed out)"))?
            .map_err(|e| anyhow::anyhow!("{fix} ({e})"))?;
        let mut ping = conn.clone();
        let pong: String = tokio::time::timeout(timeout, redis::cmd("PING").query_async(&mut ping))
            .await
            .map_err(|_| anyhow::anyhow!("{fix} (PING timed out)"))?
            .map_err(|e| anyhow::anyhow!("{fix} ({e})"))?;
        anyhow::ensure!(pong == "PONG", "{fix} (unexpected PING reply {pong})");
        Ok(Store {
            client,
            conn,
            job_ttl_s: engine.job_ttl_s,
            summary_ttl_s: engine.summary_ttl_s,
            stream_maxlen: engine.event_stream_maxlen,
            parked_ttl_ms: engine.parked_event_ttl_ms,
        })
    }

    /// A multiplexed connection of its own (for blocking `XREAD` in WatchJob), with a
    /// response timeout longer than any `BLOCK` used on it (10 s).
    pub async fn dedicated_connection(&self) -> Result<redis::aio::MultiplexedConnection> {
        let config = redis::AsyncConnectionConfig::new()
            .set_response_timeout(Some(Duration::from_secs(10)))
            .set_connection_timeout(Some(Duration::from_secs(5)));
        Ok(self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?)
    }

    pub(crate) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }
}

/// The URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparseable url>".into(),
    }
}

pub(crate) fn job_key(job_id: &str, suffix: &str) -> String {
    format!("hh:{{{job_id}}}:{suffix}")
}
