//! `LineService`, `QueueService` and `DestinationService`.

use holdhunter_proto::v1 as pb;
use holdhunter_proto::v1::destination_service_server::DestinationService;
use holdhunter_proto::v1::line_service_server::LineService;
use holdhunter_proto::v1::queue_service_server::QueueService;
use tonic::{Request, Response, Status};

use super::convert;
use crate::engine::Engine;
use crate::engine::model::now_ms;
use crate::error::{Error, Result};
use crate::store::{LineRecord, QueueRecord};

/// Lines, queues and destinations handlers.
#[derive(Clone)]
pub struct CatalogApi {
    /// Engine (store + RingCentral client).
    pub engine: Engine,
}

impl CatalogApi {
    /// Reads User extensions and their devices from RingCentral and upserts one line per
    /// device; lines not seen are marked `Missing`. Returns (lines, added, updated, missing).
    pub async fn sync_lines(&self) -> Result<(Vec<LineRecord>, u32, u32, u32)> {
        let rc = self.engine.rc();
        let store = self.engine.store();
        let query = ringcentral::ExtensionQuery {
            types: vec!["User".into()],
            ..Default::default()
        };
        let extensions = rc.list_extensions(&query).await?;
        let existing = store.lines().await?;
        let now = now_ms();
        let (mut added, mut updated) = (0, 0);
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for ext in extensions {
            let devices = rc.list_extension_devices(&ext.id).await?;
            for device in devices {
                seen.insert(device.id.clone());
                let previous = existing
                    .iter()
                    .find(|(l, _)| l.line_id == device.id)
                    .map(|(l, _)| l);
                let line = LineRecord {
                    line_id: device.id.clone(),
                    extension_id: ext.id.clone(),
                    extension_number: ext.extension_number.clone().unwrap_or_default(),
                    name: ext.name.clone().unwrap_or_default(),
                    device_name: device.name.clone().unwrap_or_default(),
                    device_type: device.type_.clone().unwrap_or_default(),
                    device_status: if device.is_online() {
                        "Online"
                    } else {
                        "Offline"
                    }
                    .into(),
                    phone_number: device
                        .phone_lines
                        .iter()
                        .find_map(|p| p.phone_info.as_ref()?.phone_number.clone())
                        .unwrap_or_default(),
                    enabled: previous.map(|p| p.enabled).unwrap_or(true),
                    pool: previous.map(|p| p.pool.clone()).unwrap_or_default(),
                    synced_at_ms: now,
                };
                if previous.is_some() {
                    updated += 1;
                } else {
                    added += 1;
                }
                out.push(line);
            }
        }
        let mut missing = 0;
        for (line, _) in existing {
            if !seen.contains(&line.line_id) {
                missing += 1;
                out.push(LineRecord {
                    device_status: "Missing".into(),
                    ..line
                });
            }
        }
        store.put_lines(&out).await?;
        tracing::info!(added, updated, missing, "lines synced from RingCentral");
        Ok((out, added, updated, missing))
    }

    /// Reads call queues from RingCentral; the first one becomes the default if none is set.
    pub async fn sync_queues(&self) -> Result<Vec<QueueRecord>> {
        let now = now_ms();
        let queues: Vec<QueueRecord> = self
            .engine
            .rc()
            .list_call_queues()
            .await?
            .into_iter()
            .map(|q| QueueRecord {
                queue_id: q.id,
                extension_number: q.extension_number.unwrap_or_default(),
                name: q.name.unwrap_or_default(),
                status: q.status.unwrap_or_default(),
                synced_at_ms: now,
            })
            .collect();
        self.engine.store().put_queues(&queues).await?;
        Ok(queues)
    }

    async fn lines_by_id(&self, ids: &[String]) -> Result<Vec<LineRecord>> {
        if ids.is_empty() {
            return Err(Error::invalid("line_ids", "at least one line id"));
        }
        let all = self.engine.store().lines().await?;
        ids.iter()
            .map(|id| {
                all.iter()
                    .find(|(l, _)| &l.line_id == id)
                    .map(|(l, _)| l.clone())
                    .ok_or_else(|| Error::LineNotFound(id.clone()))
            })
            .collect()
    }

    async fn lines_response(&self, ids: &[String]) -> Result<Vec<pb::Line>> {
        let all = self.engine.store().lines().await?;
        Ok(all
            .iter()
            .filter(|(l, _)| ids.contains(&l.line_id))
            .map(|(l, o)| convert::line(l, o.as_deref()))
            .collect())
    }
}

#[tonic::async_trait]
impl LineService for CatalogApi {
    async fn list_lines(
        &self,
        req: Request<pb::ListLinesRequest>,
    ) -> Result<Response<pb::ListLinesResponse>, Status> {
        let req = req.into_inner();
        let page_size = match req.page_size {
            0 => 100,
            n if n > 1000 => return Err(Error::invalid("page_size", "must be 1..=1000").into()),
            n => n as usize,
        };
        let offset: usize = if req.page_token.is_empty() {
            0
        } else {
            req.page_token
                .parse()
                .map_err(|_| Error::invalid("page_token", "malformed"))?
        };
        let all: Vec<pb::Line> = self
            .engine
            .store()
            .lines()
            .await?
            .iter()
            .filter(|(l, o)| {
                (req.pool.is_empty() || l.pool == req.pool) && (!req.free_only || o.is_none())
            })
            .map(|(l, o)| convert::line(l, o.as_deref()))
            .collect();
        let end = (offset + page_size).min(all.len());
        let lines = all.get(offset..end).map(<[_]>::to_vec).unwrap_or_default();
        Ok(Response::new(pb::ListLinesResponse {
            lines,
            next_page_token: if end < all.len() {
                end.to_string()
            } else {
                String::new()
            },
        }))
    }

    async fn sync_lines(
        &self,
        _req: Request<pb::SyncLinesRequest>,
    ) -> Result<Response<pb::SyncLinesResponse>, Status> {
        let (lines, added, updated, missing) = CatalogApi::sync_lines(self).await?;
        let ids: Vec<String> = lines.iter().map(|l| l.line_id.clone()).collect();
        Ok(Response::new(pb::SyncLinesResponse {
            lines: self.lines_response(&ids).await?,
            added,
            updated,
            missing,
        }))
    }

    async fn set_lines_enabled(
        &self,
        req: Request<pb::SetLinesEnabledRequest>,
    ) -> Result<Response<pb::SetLinesEnabledResponse>, Status> {
        let req = req.into_inner();
        let mut lines = self.lines_by_id(&req.line_ids).await?;
        for l in &mut lines {
            l.enabled = req.enabled;
        }
        self.engine.store().put_lines(&lines).await?;
        Ok(Response::new(pb::SetLinesEnabledResponse {
            lines: self.lines_response(&req.line_ids).await?,
        }))
    }

    async fn set_lines_pool(
        &self,
        req: Request<pb::SetLinesPoolRequest>,
    ) -> Result<Response<pb::SetLinesPoolResponse>, Status> {
        let req = req.into_inner();
        if req.pool.len() > 64
            || !req
                .pool
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(Error::invalid(
                "pool",
                "1..=64 characters of [A-Za-z0-9_-] (empty removes)",
            )
            .into());
        }
        let mut lines = self.lines_by_id(&req.line_ids).await?;
        for l in &mut lines {
            l.pool = req.pool.clone();
        }
        self.engine.store().put_lines(&lines).await?;
        Ok(Response::new(pb::SetLinesPoolResponse {
            lines: self.lines_response(&req.line_ids).await?,
        }))
    }
}

#[tonic::async_trait]
impl QueueService for CatalogApi {
    async fn list_queues(
        &self,
        _req: Request<pb::ListQueuesRequest>,
    ) -> Result<Response<pb::ListQueuesResponse>, Status> {
        let (queues, default) = self.engine.store().queues().await?;
        Ok(Response::new(pb::ListQueuesResponse {
            queues: queues
                .iter()
                .map(|q| convert::queue(q, default.as_deref()))
                .collect(),
        }))
    }

    async fn sync_queues(
        &self,
        _req: Request<pb::SyncQueuesRequest>,
    ) -> Result<Response<pb::SyncQueuesResponse>, Status> {
        CatalogApi::sync_queues(self).await?;
        let (queues, default) = self.engine.store().queues().await?;
        Ok(Response::new(pb::SyncQueuesResponse {
            queues: queues
                .iter()
                .map(|q| convert::queue(q, default.as_deref()))
                .collect(),
        }))
    }

    async fn set_default_queue(
        &self,
        req: Request<pb::SetDefaultQueueRequest>,
    ) -> Result<Response<pb::SetDefaultQueueResponse>, Status> {
        let req = req.into_inner();
        if req.queue_id.is_empty() {
            return Err(Error::invalid("queue_id", "required").into());
        }
        let (queues, _) = self.engine.store().queues().await?;
        let queue = queues
            .into_iter()
            .find(|q| q.queue_id == req.queue_id)
            .ok_or_else(|| Error::QueueNotFound(req.queue_id.clone()))?;
        self.engine
            .store()
            .set_default_queue(&queue.queue_id)
            .await?;
        Ok(Response::new(pb::SetDefaultQueueResponse {
            queue: Some(convert::queue(&queue, Some(&queue.queue_id))),
        }))
    }
}

#[tonic::async_trait]
impl DestinationService for CatalogApi {
    async fn list_destinations(
        &self,
        _req: Request<pb::ListDestinationsRequest>,
    ) -> Result<Response<pb::ListDestinationsResponse>, Status> {
        Ok(Response::new(pb::ListDestinationsResponse {
            destinations: crate::destinations::list(self.engine.store()).await?,
        }))
    }

    async fn get_destination(
        &self,
        req: Request<pb::GetDestinationRequest>,
    ) -> Result<Response<pb::GetDestinationResponse>, Status> {
        let req = req.into_inner();
        Ok(Response::new(pb::GetDestinationResponse {
            destination: Some(
                crate::destinations::get(self.engine.store(), &req.destination_id).await?,
            ),
        }))
    }

    async fn upsert_destination(
        &self,
        req: Request<pb::UpsertDestinationRequest>,
    ) -> Result<Response<pb::UpsertDestinationResponse>, Status> {
        let d = req
            .into_inner()
            .destination
            .ok_or_else(|| Error::invalid("destination", "required"))?;
        Ok(Response::new(pb::UpsertDestinationResponse {
            destination: Some(crate::destinations::upsert(self.engine.store(), d).await?),
        }))
    }
}
