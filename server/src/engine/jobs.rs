//! Job lifecycle: start (validate, reserve lines, create, schedule), stop, finish, and the
//! operator commands (ConfirmLive, TransferLeg, HangupLeg).

use holdhunter_proto::v1::Destination;

use super::machine::LegEvent;
use super::model::{
    DetectionPhase, EventKind, JobEndCause, JobRecord, JobState, LegEndReason, LegRecord, LegState,
    StreamEvent, now_ms,
};
use super::{Engine, LegInput, LegPatch, operator_detection};
use crate::error::{Error, Result};
use crate::store::{Cas, JobSnapshot, LineRecord, QueueRecord, Reservation};

/// A validated StartJob request (field checks done by the API layer).
#[derive(Debug, Clone)]
pub struct StartJob {
    /// Destination id.
    pub destination_id: String,
    /// Legs wanted (already defaulted), 1..=100; ignored when `line_ids` is set.
    pub line_count: u32,
    /// Queue id; empty = default queue.
    pub queue_id: String,
    /// Pool; empty = any.
    pub pool: String,
    /// Exact lines.
    pub line_ids: Vec<String>,
    /// Winners, 1..=line_count.
    pub max_transfers: u32,
    /// Max duration, ms.
    pub max_duration_ms: u64,
    /// Idempotency key, may be empty.
    pub request_id: String,
}

impl Engine {
    /// Starts a job; returns its snapshot. Errors: destination / queue / line not found, no
    /// default queue, lines unavailable or in use, store unavailable.
    pub async fn start_job(&self, req: StartJob, destination: Destination) -> Result<JobSnapshot> {
        let queue = self.resolve_queue(&req.queue_id).await?;
        let job_id = format!("job_{}", uuid::Uuid::now_v7().simple());
        if !req.request_id.is_empty() {
            let owner = self
                .store()
                .claim_request_id(&req.request_id, &job_id)
                .await?;
            if owner != job_id {
                return self
                    .store()
                    .load_job(&owner)
                    .await?
                    .ok_or(Error::JobNotFound(owner));
            }
        }
        let result = self.create_job(&job_id, &req, &destination, &queue).await;
        if result.is_err() && !req.request_id.is_empty() {
            let _ = self.store().forget_request_id(&req.request_id).await;
        }
        result
    }

    async fn resolve_queue(&self, queue_id: &str) -> Result<QueueRecord> {
        let (queues, default) = self.store().queues().await?;
        let wanted = if queue_id.is_empty() {
            default.ok_or(Error::NoDefaultQueue)?
        } else {
            queue_id.to_owned()
        };
        queues
            .into_iter()
            .find(|q| q.queue_id == wanted)
            .ok_or(Error::QueueNotFound(wanted))
    }

    async fn create_job(
        &self,
        job_id: &str,
        req: &StartJob,
        destination: &Destination,
        queue: &QueueRecord,
    ) -> Result<JobSnapshot> {
        let lines = self.store().lines().await?;
        let reservation = if !req.line_ids.is_empty() {
            for id in &req.line_ids {
                let (line, _) = lines
                    .iter()
                    .find(|(l, _)| &l.line_id == id)
                    .ok_or_else(|| Error::LineNotFound(id.clone()))?;
                if !line.enabled {
                    return Err(Error::LineInUse {
                        line_id: id.clone(),
                        why: "disabled".into(),
                    });
                }
            }
            Reservation::Exact(req.line_ids.clone())
        } else {
            let candidates: Vec<String> = lines
                .iter()
                .filter(|(l, _)| {
                    l.enabled
                        && l.device_status != "Missing"
                        && l.device_status != "Offline"
                        && (req.pool.is_empty() || l.pool == req.pool)
                })
                .map(|(l, _)| l.line_id.clone())
                .collect();
            Reservation::AnyOf {
                candidates,
                count: req.line_count,
            }
        };
        let reserved = self.store().reserve_lines(job_id, &reservation).await?;
        let result = self
            .write_job(job_id, req, destination, queue, &lines, &reserved)
            .await;
        if result.is_err() {
            let _ = self.store().release_lines(job_id, &reserved).await;
        }
        result
    }

    async fn write_job(
        &self,
        job_id: &str,
        req: &StartJob,
        destination: &Destination,
        queue: &QueueRecord,
        lines: &[(LineRecord, Option<String>)],
        reserved: &[String],
    ) -> Result<JobSnapshot> {
        let now = now_ms();
        let legs: Vec<LegRecord> = reserved
            .iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let (line, _) = lines.iter().find(|(l, _)| &l.line_id == id)?;
                Some(LegRecord::queued(i as u32 + 1, line, now))
            })
            .collect();
        let job = JobRecord {
            job_id: job_id.to_owned(),
            state: JobState::Hunting,
            end_cause: None,
            destination_id: destination.destination_id.clone(),
            destination_number: destination.phone_number.clone(),
            queue_id: queue.queue_id.clone(),
            queue_extension_number: queue.extension_number.clone(),
            line_count: legs.len() as u32,
            max_transfers: req.max_transfers,
            transfers: 0,
            max_duration_ms: req.max_duration_ms,
            created_at_ms: now,
            updated_at_ms: now,
            ended_at_ms: None,
            winner_leg_ids: Vec::new(),
            pool: req.pool.clone(),
            status_message: format!("hunting on {} lines", legs.len()),
            request_id: req.request_id.clone(),
        };
        let event = StreamEvent {
            kind: EventKind::JobState,
            time_ms: now,
            leg_id: None,
            leg: None,
            job_state: JobState::Hunting,
            message: format!(
                "job started: {} legs to {}",
                legs.len(),
                destination.phone_number
            ),
            transfers: 0,
        };
        self.store().create_job(&job, &legs, &event).await?;
        for leg in &legs {
            let due = now + (i64::from(leg.index) - 1) * self.config().stagger_ms as i64;
            self.store().schedule_dial(job_id, &leg.leg_id, due).await?;
        }
        metrics::counter!("hh_jobs_started_total").increment(1);
        tracing::info!(job_id, legs = legs.len(), destination = %destination.destination_id, queue = %queue.queue_id, "job started");
        self.store()
            .load_job(job_id)
            .await?
            .ok_or_else(|| Error::JobNotFound(job_id.to_owned()))
    }

    /// The job or NOT_FOUND.
    pub async fn job(&self, job_id: &str) -> Result<JobSnapshot> {
        self.store()
            .load_job(job_id)
            .await?
            .ok_or_else(|| Error::JobNotFound(job_id.to_owned()))
    }

    /// CAS loop on the job record; `change` returns false to leave it as is.
    /// Returns `(before, after, written)`.
    pub async fn update_job(
        &self,
        job_id: &str,
        change: impl Fn(&mut JobRecord, &JobSnapshot) -> bool,
    ) -> Result<(JobRecord, JobRecord, bool)> {
        for _ in 0..64 {
            let snap = self.job(job_id).await?;
            let mut next = snap.job.clone();
            if !change(&mut next, &snap) || next == snap.job {
                return Ok((snap.job.clone(), snap.job, false));
            }
            next.updated_at_ms = now_ms();
            match self.store().cas_job(&next, snap.job_version, None).await? {
                Cas::Written(_) => return Ok((snap.job, next, true)),
                Cas::Conflict => continue,
            }
        }
        Err(Error::Internal(format!(
            "job {job_id}: too much write contention"
        )))
    }

    /// Makes a hunting job terminal, then hangs up its legs and publishes the job event.
    pub async fn finish_job(
        &self,
        job_id: &str,
        state: JobState,
        cause: JobEndCause,
        message: String,
    ) -> Result<JobRecord> {
        let (_, after, written) = self
            .update_job(job_id, |job, _| {
                if job.state.is_terminal() {
                    return false;
                }
                job.state = state;
                job.end_cause = Some(cause);
                job.ended_at_ms = Some(now_ms());
                job.status_message = message.clone();
                true
            })
            .await?;
        if written {
            metrics::counter!("hh_jobs_finished_total", "state" => format!("{state:?}"))
                .increment(1);
            tracing::info!(job_id, ?state, ?cause, %message, "job finished");
            self.close_job(job_id).await?;
        }
        Ok(after)
    }

    /// Second half of finishing (idempotent; also run by the tick after a crash): hang up
    /// every live leg, free lines and schedule entries, publish the terminal job event,
    /// retire the job.
    pub async fn close_job(&self, job_id: &str) -> Result<()> {
        let snap = self.job(job_id).await?;
        let reason = if snap.job.state == JobState::Transferred {
            LegEndReason::LostRace
        } else {
            LegEndReason::Stopped
        };
        let hangups = snap
            .legs
            .iter()
            .filter(|(l, _)| !l.state.is_terminal())
            .map(|(l, _)| {
                let engine = self.clone();
                let leg_id = l.leg_id.clone();
                async move {
                    let _ = engine.store().unschedule(job_id, &leg_id).await;
                    engine
                        .apply(job_id, &leg_id, &LegInput::event(LegEvent::Hangup(reason)))
                        .await
                }
            });
        for r in futures::future::join_all(hangups).await {
            r?;
        }
        self.store().release_lines(job_id, &[]).await?;
        let snap = self.job(job_id).await?;
        let event = StreamEvent {
            kind: EventKind::JobState,
            time_ms: now_ms(),
            leg_id: None,
            leg: None,
            job_state: snap.job.state,
            message: snap.job.status_message.clone(),
            transfers: snap.job.transfers,
        };
        self.store().publish(job_id, &event).await?;
        self.store().retire_job(&snap.job).await
    }

    /// Recounts TRANSFERRED legs; finishes the job TRANSFERRED when it has its winners.
    pub async fn count_transfers(&self, job_id: &str) -> Result<()> {
        let (_, after, _) = self
            .update_job(job_id, |job, snap| {
                let winners: Vec<String> = snap
                    .legs
                    .iter()
                    .filter(|(l, _)| l.state == LegState::Transferred)
                    .map(|(l, _)| l.leg_id.clone())
                    .collect();
                job.transfers = winners.len() as u32;
                job.winner_leg_ids = winners;
                true
            })
            .await?;
        if after.state == JobState::Hunting && after.transfers >= after.max_transfers {
            let message = format!(
                "{} transferred to queue {}",
                after.winner_leg_ids.join(", "),
                after.queue_id
            );
            self.finish_job(
                job_id,
                JobState::Transferred,
                JobEndCause::Transferred,
                message,
            )
            .await?;
        } else {
            self.check_job(job_id).await?;
        }
        Ok(())
    }

    /// Finishes a hunting job whose legs are all terminal.
    pub async fn check_job(&self, job_id: &str) -> Result<()> {
        let snap = self.job(job_id).await?;
        if snap.job.state != JobState::Hunting
            || snap.legs.iter().any(|(l, _)| !l.state.is_terminal())
        {
            return Ok(());
        }
        let transferred = snap
            .legs
            .iter()
            .filter(|(l, _)| l.state == LegState::Transferred)
            .count();
        let all_provider = !snap.legs.is_empty()
            && snap
                .legs
                .iter()
                .all(|(l, _)| l.state == LegState::Ended(LegEndReason::ProviderError));
        let (state, cause, message) = if transferred > 0 {
            (
                JobState::Transferred,
                JobEndCause::Transferred,
                format!("{transferred} legs transferred"),
            )
        } else if all_provider {
            (
                JobState::Failed,
                JobEndCause::ProviderError,
                "RingCentral rejected every call-out".to_owned(),
            )
        } else {
            (
                JobState::Exhausted,
                JobEndCause::AllLegsEnded,
                "every leg ended without a live agent".to_owned(),
            )
        };
        self.finish_job(job_id, state, cause, message).await?;
        Ok(())
    }

    /// StopJob: finishes a hunting job STOPPED; a finished job is returned as is.
    pub async fn stop_job(&self, job_id: &str) -> Result<JobSnapshot> {
        self.job(job_id).await?;
        self.finish_job(
            job_id,
            JobState::Stopped,
            JobEndCause::StoppedByUser,
            "stopped by user".into(),
        )
        .await?;
        self.job(job_id).await
    }

    async fn active_leg(&self, job_id: &str, leg_id: &str) -> Result<(JobRecord, LegRecord)> {
        let (job, leg, _) = self.store().load_leg(job_id, leg_id).await?;
        if job.state.is_terminal() {
            return Err(Error::JobNotActive(job_id.to_owned()));
        }
        Ok((job, leg))
    }

    /// ConfirmLive: the leg goes LIVE (from IVR or HOLD) and competes for the transfer.
    pub async fn confirm_live(&self, job_id: &str, leg_id: &str) -> Result<LegRecord> {
        let (job, leg) = self.active_leg(job_id, leg_id).await?;
        if !matches!(
            leg.state,
            LegState::Ivr
                | LegState::Hold
                | LegState::Live
                | LegState::NeedsHuman
                | LegState::Transferring
        ) {
            return Err(Error::LegNotActive {
                leg_id: leg_id.to_owned(),
                state: leg.state.name().to_owned(),
            });
        }
        if job.winner_leg_ids.len() as u32 >= job.max_transfers {
            return Err(Error::JobSatisfied(job_id.to_owned()));
        }
        let input = LegInput {
            events: vec![LegEvent::Detected(DetectionPhase::Live)],
            sequence: None,
            patch: LegPatch {
                detection: Some(operator_detection(
                    DetectionPhase::Live,
                    "OPERATOR_CONFIRMED",
                    "an operator confirmed a live human",
                )),
                ..LegPatch::default()
            },
        };
        self.apply(job_id, leg_id, &input).await
    }

    /// TransferLeg: like ConfirmLive but refuses when no slot is free.
    pub async fn transfer_leg(&self, job_id: &str, leg_id: &str) -> Result<LegRecord> {
        let snap = self.job(job_id).await?;
        let transferring = snap
            .legs
            .iter()
            .filter(|(l, _)| matches!(l.state, LegState::Transferring | LegState::Transferred))
            .count() as u32;
        if snap.job.state.is_terminal() {
            return Err(Error::JobNotActive(job_id.to_owned()));
        }
        if transferring >= snap.job.max_transfers {
            return Err(Error::JobSatisfied(job_id.to_owned()));
        }
        self.confirm_live(job_id, leg_id).await
    }

    /// HangupLeg: ends one leg STOPPED.
    pub async fn hangup_leg(&self, job_id: &str, leg_id: &str) -> Result<LegRecord> {
        let (_, leg) = self.active_leg(job_id, leg_id).await?;
        if leg.state.is_terminal() {
            return Err(Error::LegNotActive {
                leg_id: leg_id.to_owned(),
                state: leg.state.name().to_owned(),
            });
        }
        self.store().unschedule(job_id, leg_id).await?;
        self.apply(
            job_id,
            leg_id,
            &LegInput::event(LegEvent::Hangup(LegEndReason::Stopped)),
        )
        .await
    }
}
