//! `holdhunter.v1.JobService`.

use holdhunter_proto::v1 as pb;
use holdhunter_proto::v1::job_service_server::JobService;
use tonic::{Request, Response, Status};

use super::convert;
use super::watch::{self, WatchStream, parse_stream_id};
use crate::engine::Engine;
use crate::engine::jobs::StartJob;
use crate::error::{Error, Result};

/// The JobService handlers.
#[derive(Clone)]
pub struct JobApi {
    /// Engine.
    pub engine: Engine,
}

fn validate_start(req: &pb::StartJobRequest, engine: &Engine) -> Result<StartJob> {
    let cfg = engine.config();
    if req.destination_id.is_empty() {
        return Err(Error::invalid(
            "destination_id",
            "required, e.g. \"irs-pps\"",
        ));
    }
    if !req.pool.is_empty() && !req.line_ids.is_empty() {
        return Err(Error::invalid(
            "pool",
            "pool and line_ids are mutually exclusive",
        ));
    }
    let line_count = if req.line_ids.is_empty() {
        match req.line_count {
            0 => cfg.default_line_count,
            n if n > 100 => {
                return Err(Error::invalid(
                    "line_count",
                    "must be 1..=100 (0 means the default, 6)",
                ));
            }
            n => n,
        }
    } else {
        let n = req.line_ids.len() as u32;
        if n > 100 {
            return Err(Error::invalid("line_ids", "at most 100 lines"));
        }
        if req.line_count != 0 && req.line_count != n {
            return Err(Error::invalid(
                "line_count",
                "must be 0 or the number of line_ids",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = req.line_ids.iter().find(|id| !seen.insert(id.as_str())) {
            return Err(Error::invalid(
                "line_ids",
                format!("line {dup} is listed twice"),
            ));
        }
        n
    };
    let max_transfers = match req.max_transfers {
        0 => 1,
        n if n > line_count => {
            return Err(Error::invalid("max_transfers", "must be 1..=line_count"));
        }
        n => n,
    };
    let max_duration_ms = match &req.max_duration {
        None => cfg.default_max_duration_s * 1000,
        Some(d) => {
            let ms = d.seconds.saturating_mul(1000) + i64::from(d.nanos / 1_000_000);
            let min_ms = if cfg.allow_short_max_duration {
                1_000
            } else {
                60_000
            };
            if ms < min_ms || ms > 12 * 3_600_000 {
                return Err(Error::invalid(
                    "max_duration",
                    "must be 1 minute ..= 12 hours",
                ));
            }
            ms as u64
        }
    };
    if req.request_id.len() > 64 || !req.request_id.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(Error::invalid(
            "request_id",
            "at most 64 printable ASCII characters",
        ));
    }
    Ok(StartJob {
        destination_id: req.destination_id.clone(),
        line_count,
        queue_id: req.queue_id.clone(),
        pool: req.pool.clone(),
        line_ids: req.line_ids.clone(),
        max_transfers,
        max_duration_ms,
        request_id: req.request_id.clone(),
    })
}

fn require(field: &str, v: &str) -> Result<()> {
    if v.is_empty() {
        Err(Error::invalid(field, "required"))
    } else {
        Ok(())
    }
}

#[tonic::async_trait]
impl JobService for JobApi {
    async fn start_job(
        &self,
        req: Request<pb::StartJobRequest>,
    ) -> Result<Response<pb::StartJobResponse>, Status> {
        let req = req.into_inner();
        let spec = validate_start(&req, &self.engine)?;
        let destination =
            crate::destinations::get(self.engine.store(), &spec.destination_id).await?;
        let snap = self.engine.start_job(spec, destination).await?;
        Ok(Response::new(pb::StartJobResponse {
            job: Some(convert::snapshot(&snap)),
        }))
    }

    async fn stop_job(
        &self,
        req: Request<pb::StopJobRequest>,
    ) -> Result<Response<pb::StopJobResponse>, Status> {
        let req = req.into_inner();
        require("job_id", &req.job_id)?;
        let snap = self.engine.stop_job(&req.job_id).await?;
        Ok(Response::new(pb::StopJobResponse {
            job: Some(convert::snapshot(&snap)),
        }))
    }

    async fn get_job(
        &self,
        req: Request<pb::GetJobRequest>,
    ) -> Result<Response<pb::GetJobResponse>, Status> {
        let req = req.into_inner();
        require("job_id", &req.job_id)?;
        let job = match self.engine.store().load_job(&req.job_id).await? {
            Some(snap) => convert::snapshot(&snap),
            None => match self.engine.store().job_summary(&req.job_id).await? {
                Some(summary) => convert::job(&summary, &[]),
                None => return Err(Error::JobNotFound(req.job_id).into()),
            },
        };
        Ok(Response::new(pb::GetJobResponse { job: Some(job) }))
    }

    async fn list_jobs(
        &self,
        req: Request<pb::ListJobsRequest>,
    ) -> Result<Response<pb::ListJobsResponse>, Status> {
        let req = req.into_inner();
        let page_size = match req.page_size {
            0 => 50,
            n if n > 500 => return Err(Error::invalid("page_size", "must be 1..=500").into()),
            n => n as usize,
        };
        let states: Vec<_> = req
            .states
            .iter()
            .filter_map(|s| convert::job_state_from(*s))
            .collect();
        let mut offset: u64 = if req.page_token.is_empty() {
            0
        } else {
            req.page_token
                .parse()
                .map_err(|_| Error::invalid("page_token", "malformed"))?
        };
        let store = self.engine.store();
        let mut jobs = Vec::new();
        let mut exhausted = false;
        while jobs.len() < page_size {
            let ids = store.list_job_ids(offset, 100).await?;
            if ids.is_empty() {
                exhausted = true;
                break;
            }
            for id in ids {
                offset += 1;
                let record = match store.load_job(&id).await? {
                    Some(s) => Some(s.job),
                    None => store.job_summary(&id).await?,
                };
                let Some(record) = record else {
                    store.unindex_job(&id).await?;
                    offset -= 1;
                    continue;
                };
                if states.is_empty() || states.contains(&record.state) {
                    jobs.push(convert::job(&record, &[]));
                    if jobs.len() == page_size {
                        break;
                    }
                }
            }
        }
        Ok(Response::new(pb::ListJobsResponse {
            jobs,
            next_page_token: if exhausted {
                String::new()
            } else {
                offset.to_string()
            },
        }))
    }

    type WatchJobStream = WatchStream;

    async fn watch_job(
        &self,
        req: Request<pb::WatchJobRequest>,
    ) -> Result<Response<Self::WatchJobStream>, Status> {
        let req = req.into_inner();
        require("job_id", &req.job_id)?;
        if !req.resume_token.is_empty() && parse_stream_id(&req.resume_token).is_none() {
            return Err(Error::InvalidResumeToken(req.resume_token).into());
        }
        if self.engine.is_shutting_down() {
            return Err(Error::ShuttingDown.into());
        }
        let engine = self.engine.clone();
        let snap = engine.job(&req.job_id).await?;
        let conn = engine.store().dedicated_connection().await?;
        let job_id = req.job_id.clone();
        let resume = if req.resume_token.is_empty() {
            None
        } else {
            let first = engine.store().first_event_id(&job_id).await?;
            let too_old = match (
                first.as_deref().and_then(parse_stream_id),
                parse_stream_id(&req.resume_token),
            ) {
                (Some(first), Some(token)) => token < first && (first.0, first.1) != (0, 0),
                _ => false,
            };
            (!too_old).then(|| req.resume_token.clone())
        };
        Ok(Response::new(watch::watch_stream(
            engine, job_id, snap, resume, conn,
        )))
    }

    async fn confirm_live(
        &self,
        req: Request<pb::ConfirmLiveRequest>,
    ) -> Result<Response<pb::ConfirmLiveResponse>, Status> {
        let req = req.into_inner();
        require("job_id", &req.job_id)?;
        require("leg_id", &req.leg_id)?;
        let leg = self.engine.confirm_live(&req.job_id, &req.leg_id).await?;
        Ok(Response::new(pb::ConfirmLiveResponse {
            leg: Some(convert::leg(&leg)),
        }))
    }

    async fn transfer_leg(
        &self,
        req: Request<pb::TransferLegRequest>,
    ) -> Result<Response<pb::TransferLegResponse>, Status> {
        let req = req.into_inner();
        require("job_id", &req.job_id)?;
        require("leg_id", &req.leg_id)?;
        let leg = self.engine.transfer_leg(&req.job_id, &req.leg_id).await?;
        Ok(Response::new(pb::TransferLegResponse {
            leg: Some(convert::leg(&leg)),
        }))
    }

    async fn hangup_leg(
        &self,
        req: Request<pb::HangupLegRequest>,
    ) -> Result<Response<pb::HangupLegResponse>, Status> {
        let req = req.into_inner();
        require("job_id", &req.job_id)?;
        require("leg_id", &req.leg_id)?;
        let leg = self.engine.hangup_leg(&req.job_id, &req.leg_id).await?;
        Ok(Response::new(pb::HangupLegResponse {
            leg: Some(convert::leg(&leg)),
        }))
    }
}
