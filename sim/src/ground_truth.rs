//! Ground truth per call, for tests and benchmarks (sim-only; never visible on RingCentral
//! paths). Media times are ms of far-end media since the far end started ringing (frame 0);
//! wall times are RFC 3339 timestamps taken when the simulator produced that frame or handled
//! that request.

use jiff::Timestamp;
use serde::Serialize;

use crate::farend::{CallTruth, FarEndHangupReason};

/// A moment of the call in both clocks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Moment {
    /// Far-end media time, ms (samples / 8).
    pub media_ms: u64,
    /// Wall-clock time.
    pub wall: Timestamp,
}

/// Phase of a simulated call, as the simulator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CallPhase {
    /// Call-out accepted; the hold line's device is being rung.
    Setup,
    /// The far end is ringing.
    Ringing,
    /// The far end answered (IVR, hold, agent).
    Answered,
    /// Transferred; ringing in the call queue / at the target.
    QueueRinging,
    /// A queue agent answered the transferred call.
    QueueAnswered,
    /// The session is over.
    Ended,
}

/// One far-end event on the timeline.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    /// Media ms of the frame in which it happened.
    pub media_ms: u64,
    /// Wall time that frame was produced.
    pub wall: Timestamp,
    /// `Debug` rendering of the far end's `FarEndEvent`, or a platform event.
    pub event: String,
}

/// A DTMF digit the far end received.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DtmfTruth {
    /// The digit.
    pub digit: char,
    /// Media ms when it was delivered to the far end.
    pub media_ms: u64,
}

/// Who ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EndedBy {
    /// The far end hung up (or never answered / was busy).
    FarEnd,
    /// `DELETE …/telephony/sessions/{id}`.
    Api,
    /// An invalid or unreachable number.
    Network,
    /// The simulator's `max_call_ms` safety cap or shutdown.
    Simulator,
}

/// Ground truth of one call.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallGroundTruth {
    /// `telephonySessionId`.
    pub telephony_session_id: String,
    /// `from.deviceId` of the call-out.
    pub from_device_id: String,
    /// Hold-line extension id.
    pub from_extension_id: String,
    /// Dialed number (`to.phoneNumber`).
    pub to: String,
    /// Far-end destination id (e.g. `irs-pps`), `None` for unknown numbers.
    pub destination_id: Option<String>,
    /// Far-end destination name.
    pub destination_name: Option<String>,
    /// Current phase.
    pub phase: CallPhase,
    /// Seed of this call's far end.
    pub call_seed: u64,
    /// Time scale of this call's far end.
    pub time_scale: f64,
    /// Media pace of this call (x real time).
    pub media_pace: f64,
    /// Call-out accepted.
    pub created_at: Timestamp,
    /// Hold line's device auto-answered.
    pub device_answered_at: Option<Timestamp>,
    /// Far end started ringing (media 0).
    pub far_end_started_at: Option<Timestamp>,
    /// Far end answered (IVR).
    pub answered: Option<Moment>,
    /// Hold started.
    pub hold_started: Option<Moment>,
    /// The far-end agent's line opened.
    pub agent_picked_up: Option<Moment>,
    /// First voiced sample of the agent: THE ground truth for detection latency.
    pub agent_speech_started: Option<Moment>,
    /// Voice challenge started.
    pub challenge_started: Option<Moment>,
    /// Transfer request accepted (wall).
    pub transfer_requested_at: Option<Timestamp>,
    /// Far-end media ms at the transfer.
    pub transfer_media_ms: Option<u64>,
    /// Transfer target, as requested (e.g. `extensionNumber=5001`).
    pub transfer_target: Option<String>,
    /// The call queue / target started ringing (wall).
    pub queue_ringing_at: Option<Timestamp>,
    /// A queue agent answered (wall).
    pub queue_answered_at: Option<Timestamp>,
    /// Session ended (wall).
    pub ended_at: Option<Timestamp>,
    /// Who ended it.
    pub ended_by: Option<EndedBy>,
    /// The far end's hang-up reason, if it hung up.
    pub far_end_hangup_reason: Option<String>,
    /// The far-end agent hung up (after picking up) before the call was transferred or hung
    /// up through the API.
    pub agent_hung_up_first: bool,
    /// Media ms so far.
    pub media_ms: u64,
    /// Hold drawn by the far end, media ms (after time scale).
    pub drawn_hold_ms: Option<u64>,
    /// DTMF digits delivered to the far end.
    pub dtmf: Vec<DtmfTruth>,
    /// Far-end events in order.
    pub timeline: Vec<TimelineEvent>,
}

impl CallGroundTruth {
    /// A fresh record.
    pub fn new(
        telephony_session_id: String,
        from_device_id: String,
        from_extension_id: String,
        to: String,
    ) -> Self {
        CallGroundTruth {
            telephony_session_id,
            from_device_id,
            from_extension_id,
            to,
            destination_id: None,
            destination_name: None,
            phase: CallPhase::Setup,
            call_seed: 0,
            time_scale: 1.0,
            media_pace: 1.0,
            created_at: Timestamp::now(),
            device_answered_at: None,
            far_end_started_at: None,
            answered: None,
            hold_started: None,
            agent_picked_up: None,
            agent_speech_started: None,
            challenge_started: None,
            transfer_requested_at: None,
            transfer_media_ms: None,
            transfer_target: None,
            queue_ringing_at: None,
            queue_answered_at: None,
            ended_at: None,
            ended_by: None,
            far_end_hangup_reason: None,
            agent_hung_up_first: false,
            media_ms: 0,
            drawn_hold_ms: None,
            dtmf: Vec::new(),
            timeline: Vec::new(),
        }
    }

    /// Refreshes the fields that mirror the far end's own [`CallTruth`] (sample-exact media
    /// times; the wall time is kept from when the event was first seen).
    pub fn absorb(&mut self, t: &CallTruth, media_samples: u64) {
        self.media_ms = media_samples / 8;
        self.drawn_hold_ms = t.drawn_hold_ms;
        let fix = |slot: &mut Option<Moment>, samples: Option<u64>| {
            if let (Some(m), Some(s)) = (slot.as_mut(), samples) {
                m.media_ms = s / 8;
            }
        };
        fix(&mut self.answered, t.answered_at_samples);
        fix(&mut self.hold_started, t.hold_started_at_samples);
        fix(&mut self.agent_picked_up, t.agent_picked_up_at_samples);
        fix(
            &mut self.agent_speech_started,
            t.agent_speech_started_at_samples,
        );
        if let Some((_, reason)) = t.hangup {
            self.far_end_hangup_reason = Some(hangup_reason_name(reason).to_string());
        }
    }

    /// Marks the end.
    pub fn end(&mut self, by: EndedBy) {
        if self.ended_at.is_none() {
            self.ended_at = Some(Timestamp::now());
            self.ended_by = Some(by);
        }
        self.phase = CallPhase::Ended;
    }
}

/// Stable name of a far-end hang-up reason.
pub fn hangup_reason_name(r: FarEndHangupReason) -> &'static str {
    match r {
        FarEndHangupReason::Closed => "Closed",
        FarEndHangupReason::TooBusy => "TooBusy",
        FarEndHangupReason::CourtesyDisconnect => "CourtesyDisconnect",
        FarEndHangupReason::IvrFailed => "IvrFailed",
        FarEndHangupReason::AgentGaveUp => "AgentGaveUp",
        FarEndHangupReason::AgentFinished => "AgentFinished",
    }
}
