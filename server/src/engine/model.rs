//! Domain records of the hunt engine, stored as JSON in Redis (see `store`). Times are Unix
//! epoch milliseconds (`*_ms`).

use holdhunter_detect::MessageKind;
use serde::{Deserialize, Serialize};

/// Lifecycle of a job; `Hunting` is the only non-terminal state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobState {
    /// Legs are being dialed, navigated or held.
    Hunting,
    /// max_transfers legs were transferred.
    Transferred,
    /// StopJob.
    Stopped,
    /// Every leg ended without a transfer, or max_duration elapsed.
    Exhausted,
    /// The job could not run.
    Failed,
}

impl JobState {
    /// True for every state but `Hunting`.
    pub fn is_terminal(self) -> bool {
        self != JobState::Hunting
    }
}

/// Why a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobEndCause {
    /// max_transfers legs transferred.
    Transferred,
    /// StopJob.
    StoppedByUser,
    /// Every leg ended without a transfer.
    AllLegsEnded,
    /// max_duration elapsed.
    MaxDuration,
    /// Every call-out was rejected by RingCentral.
    ProviderError,
}

/// Why a leg ended (mirrors `holdhunter.v1.LegEndReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LegEndReason {
    /// StopJob, HangupLeg, or the job became terminal.
    Stopped,
    /// The far end hung up without a RingCentral reason.
    RemoteHangup,
    /// Dropped on hold by an overloaded destination.
    CourtesyDisconnect,
    /// "Too busy, call back later".
    TooBusy,
    /// RingCentral reason NoAnswer.
    NoAnswer,
    /// RingCentral reason TargetBusy.
    Busy,
    /// RingCentral rejected a request for the leg.
    ProviderError,
    /// The session vanished (GET session 404) or the call-out outcome is unknown.
    Lost,
    /// Another leg won.
    LostRace,
    /// The phone menu could not be navigated.
    IvrFailed,
    /// Outside business hours.
    Closed,
}

/// States of one leg. `Transferred` and `Ended` are terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LegState {
    /// Waiting for its dial slot.
    Queued,
    /// Call-Out requested.
    Dialing,
    /// The destination is ringing.
    Ringing,
    /// The destination answered; phone menu.
    Ivr,
    /// On hold.
    Hold,
    /// A live human speaks; competing for the transfer.
    Live,
    /// A voice challenge only a human may answer; transferred like a live leg.
    NeedsHuman,
    /// Won; transfer requested.
    Transferring,
    /// Transferred to the call queue.
    Transferred,
    /// Ended with a reason.
    Ended(LegEndReason),
}

impl LegState {
    /// True for `Transferred` and `Ended`.
    pub fn is_terminal(self) -> bool {
        matches!(self, LegState::Transferred | LegState::Ended(_))
    }

    /// True once the destination answered and until the leg is terminal.
    pub fn is_connected(self) -> bool {
        matches!(
            self,
            LegState::Ivr
                | LegState::Hold
                | LegState::Live
                | LegState::NeedsHuman
                | LegState::Transferring
        )
    }

    /// Upper-case name, e.g. `HOLD`, `ENDED`.
    pub fn name(self) -> &'static str {
        match self {
            LegState::Queued => "QUEUED",
            LegState::Dialing => "DIALING",
            LegState::Ringing => "RINGING",
            LegState::Ivr => "IVR",
            LegState::Hold => "HOLD",
            LegState::Live => "LIVE",
            LegState::NeedsHuman => "NEEDS_HUMAN",
            LegState::Transferring => "TRANSFERRING",
            LegState::Transferred => "TRANSFERRED",
            LegState::Ended(_) => "ENDED",
        }
    }
}

/// What the audio detector (or an operator) believes a leg hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DetectionPhase {
    /// Phone menu prompts.
    Ivr,
    /// Hold music and announcements.
    Hold,
    /// A live human speaks.
    Live,
    /// A challenge only a human may answer.
    NeedsHuman,
}

/// Where a detection came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DetectionSource {
    /// The audio detector.
    Detector,
    /// An operator (ConfirmLive / TransferLeg).
    Operator,
    /// RingCentral telephony events or timers.
    Telephony,
}

/// The latest detection on a leg.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Phase.
    pub phase: DetectionPhase,
    /// 0.0 ..= 1.0.
    pub confidence: f32,
    /// Machine-readable cause, e.g. `NEW_SPEECH_AFTER_MUSIC`.
    pub cause: String,
    /// Human-readable detail.
    pub detail: String,
    /// Media time of the decision since the leg's audio started, ms.
    pub media_ms: u64,
    /// Source.
    pub source: DetectionSource,
}

/// One leg as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegRecord {
    /// "leg-1" .. "leg-N".
    pub leg_id: String,
    /// 1-based dial order.
    pub index: u32,
    /// Current state.
    pub state: LegState,
    /// When the current state was entered, epoch ms.
    pub state_since_ms: i64,
    /// Hold line = RingCentral device id used for Call-Out `from.deviceId`.
    pub line_id: String,
    /// The hold line's extension id.
    pub extension_id: String,
    /// The hold line's extension number.
    pub extension_number: String,
    /// Telephony session id once the call-out succeeded.
    pub telephony_session_id: Option<String>,
    /// Our party id (the one transferred).
    pub party_id: Option<String>,
    /// When HOLD was entered, epoch ms.
    pub hold_started_at_ms: Option<i64>,
    /// When HOLD was left, epoch ms.
    pub hold_ended_at_ms: Option<i64>,
    /// Latest detection.
    pub detection: Option<Detection>,
    /// RingCentral errorCode of a failed call-out or transfer.
    pub provider_error_code: Option<String>,
    /// True once admitted as a winner and transferred.
    pub winner: bool,
    /// Last IVR step, for display.
    pub ivr_step: String,
    /// Last RingCentral party status seen for our party or the callee, for display.
    pub party_status: String,
    /// Highest `body.sequence` applied for this leg's session (0 = none).
    pub last_sequence: i64,
    /// Highest `body.sequence` applied for our party.
    #[serde(default)]
    pub last_sequence_ours: i64,
    /// Highest `body.sequence` applied for the callee's party.
    #[serde(default)]
    pub last_sequence_callee: i64,
    /// When LIVE / NEEDS_HUMAN was entered, epoch ms (verdict-to-transfer latency).
    pub live_at_ms: Option<i64>,
    /// The last known message the detector recognised on the leg ("too busy", "closed").
    #[serde(default)]
    pub known_message: Option<KnownMessageHeard>,
}

/// A known message the detector recognised on a leg (a `KNOWN_MESSAGE` verdict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownMessageHeard {
    /// `too_busy` or `closed` (`holdhunter_detect::MessageKind::as_str`).
    pub kind: String,
    /// When it was recognised, epoch ms.
    pub at_ms: i64,
}

/// A far-end hang-up this long after a known message is still its consequence, ms. The
/// simulated IRS lines hang up 300 ms after the message ends; messages last 4-9 s.
pub const KNOWN_MESSAGE_HANGUP_WINDOW_MS: i64 = 20_000;

impl KnownMessageHeard {
    /// Why the leg ended when the far end hangs up at `now_ms` while the leg is in `state`,
    /// with no RingCentral reason: after "too busy" on hold, a courtesy disconnect; before
    /// hold, too busy; after "closed", closed. None when the message was heard more than
    /// [`KNOWN_MESSAGE_HANGUP_WINDOW_MS`] earlier, or its kind is unknown.
    pub fn end_reason(&self, state: LegState, now_ms: i64) -> Option<LegEndReason> {
        if now_ms.saturating_sub(self.at_ms) > KNOWN_MESSAGE_HANGUP_WINDOW_MS {
            return None;
        }
        match MessageKind::parse(&self.kind)? {
            MessageKind::TooBusy if state == LegState::Hold => {
                Some(LegEndReason::CourtesyDisconnect)
            }
            MessageKind::TooBusy => Some(LegEndReason::TooBusy),
            MessageKind::Closed => Some(LegEndReason::Closed),
        }
    }
}

impl LegRecord {
    /// A new QUEUED leg.
    pub fn queued(index: u32, line: &crate::store::LineRecord, now_ms: i64) -> Self {
        LegRecord {
            leg_id: format!("leg-{index}"),
            index,
            state: LegState::Queued,
            state_since_ms: now_ms,
            line_id: line.line_id.clone(),
            extension_id: line.extension_id.clone(),
            extension_number: line.extension_number.clone(),
            telephony_session_id: None,
            party_id: None,
            hold_started_at_ms: None,
            hold_ended_at_ms: None,
            detection: None,
            known_message: None,
            provider_error_code: None,
            winner: false,
            ivr_step: String::new(),
            party_status: String::new(),
            last_sequence: 0,
            last_sequence_ours: 0,
            last_sequence_callee: 0,
            live_at_ms: None,
        }
    }

    /// Last applied `body.sequence` of one party.
    pub fn party_sequence(&self, role: super::machine::PartyRole) -> i64 {
        match role {
            super::machine::PartyRole::Ours => self.last_sequence_ours,
            super::machine::PartyRole::Callee => self.last_sequence_callee,
        }
    }

    /// Records the last applied `body.sequence` of one party.
    pub fn set_party_sequence(&mut self, role: super::machine::PartyRole, seq: i64) {
        match role {
            super::machine::PartyRole::Ours => self.last_sequence_ours = seq,
            super::machine::PartyRole::Callee => self.last_sequence_callee = seq,
        }
    }

    /// Time on hold so far (or in total once past HOLD), ms.
    pub fn hold_ms(&self, now_ms: i64) -> u64 {
        match self.hold_started_at_ms {
            Some(start) => {
                let end = self.hold_ended_at_ms.unwrap_or(now_ms);
                u64::try_from(end - start).unwrap_or(0)
            }
            None => 0,
        }
    }
}

/// One job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// "job_<uuid v7 simple>".
    pub job_id: String,
    /// State.
    pub state: JobState,
    /// Set once terminal.
    pub end_cause: Option<JobEndCause>,
    /// Destination id.
    pub destination_id: String,
    /// E.164 number dialed.
    pub destination_number: String,
    /// Call queue id.
    pub queue_id: String,
    /// The queue's extension number (transfer target).
    pub queue_extension_number: String,
    /// Legs.
    pub line_count: u32,
    /// Winners allowed.
    pub max_transfers: u32,
    /// Transfers so far.
    pub transfers: u32,
    /// Max duration, ms.
    pub max_duration_ms: u64,
    /// Created, epoch ms.
    pub created_at_ms: i64,
    /// Updated, epoch ms.
    pub updated_at_ms: i64,
    /// Ended, epoch ms.
    pub ended_at_ms: Option<i64>,
    /// Winner leg ids in order.
    pub winner_leg_ids: Vec<String>,
    /// Pool the lines came from.
    pub pool: String,
    /// Last decision, human-readable.
    pub status_message: String,
    /// Idempotency key of the StartJob that created it.
    pub request_id: String,
}

/// Kinds of job events (mirrors `holdhunter.v1.JobEventKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    /// A leg changed state.
    LegState,
    /// A leg's detection changed.
    Detection,
    /// The job changed state.
    JobState,
    /// Transfer requested.
    TransferRequested,
    /// Transfer accepted.
    TransferSucceeded,
    /// Transfer failed.
    TransferFailed,
    /// IVR step.
    IvrStep,
    /// Informational.
    Note,
}

/// One entry of a job's event stream (field `e` of the Redis stream entry, JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamEvent {
    /// Kind.
    pub kind: EventKind,
    /// Recorded at, epoch ms.
    pub time_ms: i64,
    /// Leg concerned.
    pub leg_id: Option<String>,
    /// The leg after the change.
    pub leg: Option<LegRecord>,
    /// Job state after the event.
    pub job_state: JobState,
    /// Human-readable cause.
    pub message: String,
    /// Transfers after the event.
    pub transfers: u32,
}

/// Current time, epoch ms.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_message_names_the_far_end_hang_up() {
        let heard = |kind: &str| KnownMessageHeard {
            kind: kind.into(),
            at_ms: 1_000_000,
        };
        let soon = 1_000_000 + 900;
        assert_eq!(
            heard("too_busy").end_reason(LegState::Ivr, soon),
            Some(LegEndReason::TooBusy)
        );
        assert_eq!(
            heard("too_busy").end_reason(LegState::Hold, soon),
            Some(LegEndReason::CourtesyDisconnect)
        );
        assert_eq!(
            heard("closed").end_reason(LegState::Ivr, soon),
            Some(LegEndReason::Closed)
        );
        let late = 1_000_000 + KNOWN_MESSAGE_HANGUP_WINDOW_MS + 1;
        assert_eq!(heard("too_busy").end_reason(LegState::Hold, late), None);
        assert_eq!(heard("welcome").end_reason(LegState::Ivr, soon), None);
    }
}
