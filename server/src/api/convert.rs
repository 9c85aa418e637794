//! Domain → `holdhunter.v1` conversions (the only place that knows both).

use holdhunter_proto::v1 as pb;

use crate::engine::model::{
    Detection, DetectionPhase, DetectionSource, EventKind, JobEndCause, JobRecord, JobState,
    LegEndReason, LegRecord, LegState, StreamEvent, now_ms,
};
use crate::store::{JobSnapshot, LineRecord, QueueRecord};

/// Epoch ms → protobuf Timestamp.
pub fn ts(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: (ms.rem_euclid(1000) * 1_000_000) as i32,
    }
}

fn job_state(s: JobState) -> pb::JobState {
    match s {
        JobState::Hunting => pb::JobState::Hunting,
        JobState::Transferred => pb::JobState::Transferred,
        JobState::Stopped => pb::JobState::Stopped,
        JobState::Exhausted => pb::JobState::Exhausted,
        JobState::Failed => pb::JobState::Failed,
    }
}

/// Proto job state → domain (None for UNSPECIFIED).
pub fn job_state_from(v: i32) -> Option<JobState> {
    match pb::JobState::try_from(v).ok()? {
        pb::JobState::Hunting => Some(JobState::Hunting),
        pb::JobState::Transferred => Some(JobState::Transferred),
        pb::JobState::Stopped => Some(JobState::Stopped),
        pb::JobState::Exhausted => Some(JobState::Exhausted),
        pb::JobState::Failed => Some(JobState::Failed),
        pb::JobState::Unspecified => None,
    }
}

fn end_cause(c: JobEndCause) -> pb::JobEndCause {
    match c {
        JobEndCause::Transferred => pb::JobEndCause::Transferred,
        JobEndCause::StoppedByUser => pb::JobEndCause::StoppedByUser,
        JobEndCause::AllLegsEnded => pb::JobEndCause::AllLegsEnded,
        JobEndCause::MaxDuration => pb::JobEndCause::MaxDuration,
        JobEndCause::ProviderError => pb::JobEndCause::ProviderError,
    }
}

fn leg_state(s: LegState) -> (pb::LegState, pb::LegEndReason) {
    let none = pb::LegEndReason::Unspecified;
    match s {
        LegState::Queued => (pb::LegState::Queued, none),
        LegState::Dialing => (pb::LegState::Dialing, none),
        LegState::Ringing => (pb::LegState::Ringing, none),
        LegState::Ivr => (pb::LegState::Ivr, none),
        LegState::Hold => (pb::LegState::Hold, none),
        LegState::Live => (pb::LegState::Live, none),
        LegState::NeedsHuman => (pb::LegState::NeedsHuman, none),
        LegState::Transferring => (pb::LegState::Transferring, none),
        LegState::Transferred => (pb::LegState::Transferred, none),
        LegState::Ended(r) => (pb::LegState::Ended, end_reason(r)),
    }
}

fn end_reason(r: LegEndReason) -> pb::LegEndReason {
    match r {
        LegEndReason::Stopped => pb::LegEndReason::Stopped,
        LegEndReason::RemoteHangup => pb::LegEndReason::RemoteHangup,
        LegEndReason::CourtesyDisconnect => pb::LegEndReason::CourtesyDisconnect,
        LegEndReason::TooBusy => pb::LegEndReason::TooBusy,
        LegEndReason::NoAnswer => pb::LegEndReason::NoAnswer,
        LegEndReason::Busy => pb::LegEndReason::Busy,
        LegEndReason::ProviderError => pb::LegEndReason::ProviderError,
        LegEndReason::Lost => pb::LegEndReason::Lost,
        LegEndReason::LostRace => pb::LegEndReason::LostRace,
        LegEndReason::IvrFailed => pb::LegEndReason::IvrFailed,
        LegEndReason::Closed => pb::LegEndReason::Closed,
    }
}

fn detection(d: &Detection) -> pb::Detection {
    pb::Detection {
        phase: match d.phase {
            DetectionPhase::Ivr => pb::DetectionPhase::Ivr,
            DetectionPhase::Hold => pb::DetectionPhase::Hold,
            DetectionPhase::Live => pb::DetectionPhase::Live,
            DetectionPhase::NeedsHuman => pb::DetectionPhase::NeedsHuman,
        } as i32,
        confidence: d.confidence,
        cause: d.cause.clone(),
        detail: d.detail.clone(),
        media_ms: d.media_ms,
        source: match d.source {
            DetectionSource::Detector => pb::DetectionSource::Detector,
            DetectionSource::Operator => pb::DetectionSource::Operator,
            DetectionSource::Telephony => pb::DetectionSource::Telephony,
        } as i32,
    }
}

/// A leg.
pub fn leg(l: &LegRecord) -> pb::Leg {
    let (state, reason) = leg_state(l.state);
    pb::Leg {
        leg_id: l.leg_id.clone(),
        index: l.index,
        state: state as i32,
        state_since: Some(ts(l.state_since_ms)),
        line_id: l.line_id.clone(),
        extension_id: l.extension_id.clone(),
        extension_number: l.extension_number.clone(),
        telephony_session_id: l.telephony_session_id.clone().unwrap_or_default(),
        party_id: l.party_id.clone().unwrap_or_default(),
        hold_started_at: l.hold_started_at_ms.map(ts),
        hold_ms: l.hold_ms(now_ms()),
        detection: l.detection.as_ref().map(detection),
        end_reason: reason as i32,
        provider_error_code: l.provider_error_code.clone().unwrap_or_default(),
        winner: l.winner,
        ivr_step: l.ivr_step.clone(),
        party_status: l.party_status.clone(),
    }
}

/// A job (with legs when given).
pub fn job(j: &JobRecord, legs: &[LegRecord]) -> pb::Job {
    pb::Job {
        job_id: j.job_id.clone(),
        state: job_state(j.state) as i32,
        end_cause: j
            .end_cause
            .map(end_cause)
            .unwrap_or(pb::JobEndCause::Unspecified) as i32,
        destination_id: j.destination_id.clone(),
        destination_number: j.destination_number.clone(),
        queue_id: j.queue_id.clone(),
        line_count: j.line_count,
        max_transfers: j.max_transfers,
        transfers: j.transfers,
        max_duration: Some(prost_types::Duration {
            seconds: (j.max_duration_ms / 1000) as i64,
            nanos: ((j.max_duration_ms % 1000) * 1_000_000) as i32,
        }),
        created_at: Some(ts(j.created_at_ms)),
        updated_at: Some(ts(j.updated_at_ms)),
        ended_at: j.ended_at_ms.map(ts),
        legs: legs.iter().map(leg).collect(),
        winner_leg_ids: j.winner_leg_ids.clone(),
        pool: j.pool.clone(),
        status_message: j.status_message.clone(),
    }
}

/// A snapshot as a job with legs.
pub fn snapshot(s: &JobSnapshot) -> pb::Job {
    let legs: Vec<LegRecord> = s.legs.iter().map(|(l, _)| l.clone()).collect();
    job(&s.job, &legs)
}

/// A stream event.
pub fn event(e: &StreamEvent) -> pb::JobEvent {
    pb::JobEvent {
        kind: match e.kind {
            EventKind::LegState => pb::JobEventKind::LegState,
            EventKind::Detection => pb::JobEventKind::Detection,
            EventKind::JobState => pb::JobEventKind::JobState,
            EventKind::TransferRequested => pb::JobEventKind::TransferRequested,
            EventKind::TransferSucceeded => pb::JobEventKind::TransferSucceeded,
            EventKind::TransferFailed => pb::JobEventKind::TransferFailed,
            EventKind::IvrStep => pb::JobEventKind::IvrStep,
            EventKind::Note => pb::JobEventKind::Note,
        } as i32,
        time: Some(ts(e.time_ms)),
        leg_id: e.leg_id.clone().unwrap_or_default(),
        leg: e.leg.as_ref().map(leg),
        job_state: job_state(e.job_state) as i32,
        message: e.message.clone(),
        transfers: e.transfers,
    }
}

/// A line.
pub fn line(l: &LineRecord, owner: Option<&str>) -> pb::Line {
    pb::Line {
        line_id: l.line_id.clone(),
        extension_id: l.extension_id.clone(),
        extension_number: l.extension_number.clone(),
        name: l.name.clone(),
        device_name: l.device_name.clone(),
        device_type: l.device_type.clone(),
        device_status: match l.device_status.as_str() {
            "Online" => pb::DeviceStatus::Online,
            "Offline" => pb::DeviceStatus::Offline,
            "Missing" => pb::DeviceStatus::Missing,
            _ => pb::DeviceStatus::Unspecified,
        } as i32,
        phone_number: l.phone_number.clone(),
        enabled: l.enabled,
        pool: l.pool.clone(),
        in_use_by_job_id: owner.unwrap_or_default().to_owned(),
        synced_at: Some(ts(l.synced_at_ms)),
    }
}

/// A call queue.
pub fn queue(q: &QueueRecord, default: Option<&str>) -> pb::CallQueue {
    pb::CallQueue {
        queue_id: q.queue_id.clone(),
        extension_number: q.extension_number.clone(),
        name: q.name.clone(),
        status: q.status.clone(),
        is_default: default == Some(q.queue_id.as_str()),
        synced_at: Some(ts(q.synced_at_ms)),
    }
}
