//! Call queues (synced from RingCentral, one default) and custom destinations.

use std::collections::HashMap;

use prost::Message;
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::Result;

const QUEUES: &str = "hh:queues";
const DEFAULT_QUEUE: &str = "hh:queues:default";
const DESTINATIONS: &str = "hh:destinations";

/// A RingCentral call queue as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRecord {
    /// RingCentral call queue id.
    pub queue_id: String,
    /// Extension number (transfer target).
    pub extension_number: String,
    /// Name.
    pub name: String,
    /// RingCentral status, e.g. `Enabled`.
    pub status: String,
    /// Last sync, epoch ms.
    pub synced_at_ms: i64,
}

impl Store {
    /// Every queue and the default queue id.
    pub async fn queues(&self) -> Result<(Vec<QueueRecord>, Option<String>)> {
        let (data, default): (HashMap<String, String>, Option<String>) = redis::pipe()
            .cmd("HGETALL")
            .arg(QUEUES)
            .cmd("GET")
            .arg(DEFAULT_QUEUE)
            .query_async(&mut self.conn())
            .await?;
        let mut queues = data
            .values()
            .map(|j| serde_json::from_str::<QueueRecord>(j))
            .collect::<Result<Vec<_>, _>>()?;
        queues.sort_by(|a, b| a.extension_number.cmp(&b.extension_number));
        Ok((queues, default))
    }

    /// Upserts queues.
    pub async fn put_queues(&self, queues: &[QueueRecord]) -> Result<()> {
        if queues.is_empty() {
            return Ok(());
        }
        let mut cmd = redis::cmd("HSET");
        cmd.arg(QUEUES);
        for q in queues {
            cmd.arg(&q.queue_id).arg(serde_json::to_string(q)?);
        }
        cmd.query_async::<()>(&mut self.conn()).await?;
        Ok(())
    }

    /// Sets the default queue id.
    pub async fn set_default_queue(&self, queue_id: &str) -> Result<()> {
        redis::cmd("SET")
            .arg(DEFAULT_QUEUE)
            .arg(queue_id)
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// Custom destinations (protobuf-encoded `holdhunter.v1.Destination`).
    pub async fn custom_destinations(&self) -> Result<Vec<holdhunter_proto::v1::Destination>> {
        let data: HashMap<String, Vec<u8>> = redis::cmd("HGETALL")
            .arg(DESTINATIONS)
            .query_async(&mut self.conn())
            .await?;
        data.values()
            .map(|b| {
                holdhunter_proto::v1::Destination::decode(b.as_slice())
                    .map_err(|e| crate::error::Error::Internal(format!("stored destination: {e}")))
            })
            .collect()
    }

    /// Upserts a custom destination.
    pub async fn put_destination(&self, d: &holdhunter_proto::v1::Destination) -> Result<()> {
        redis::cmd("HSET")
            .arg(DESTINATIONS)
            .arg(&d.destination_id)
            .arg(d.encode_to_vec())
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }
}
