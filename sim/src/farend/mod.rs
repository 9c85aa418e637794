//! The far end of the simulator: destinations (IRS lines) and their call audio. See
//! `.hh/FAREND_API.md` for the contract with the platform.

use std::sync::Arc;

pub use crate::audio::AudioBank;

/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;
/// One frame of G.711 mu-law bytes.
pub type UlawFrame = [u8; FRAME_SAMPLES];

/// Per-run far-end configuration.
#[derive(Debug, Clone)]
pub struct FarEndConfig {
    /// Master seed.
    pub seed: u64,
    /// >= 1.0; 60.0 makes a 30 min hold last 30 s.
    pub time_scale: f64,
    /// Treat the line as open regardless of business hours.
    pub ignore_business_hours: bool,
    /// Media ms the agent waits for a reply.
    pub agent_patience_ms: u64,
    /// PPS voice challenge after pickup.
    pub voice_challenge: bool,
}

/// Destination catalog.
#[derive(Debug, Default)]
pub struct DestinationCatalog {
    models: Vec<Arc<DestinationModel>>,
}

impl DestinationCatalog {
    /// IRS presets.
    pub fn irs_presets() -> DestinationCatalog {
        let mk = |id: &str, name: &str, number: &str| {
            Arc::new(DestinationModel {
                id: id.into(),
                name: name.into(),
                number: number.into(),
                time_zone: "America/New_York".into(),
            })
        };
        DestinationCatalog {
            models: vec![
                mk("irs-individual", "IRS individual", "+18008291040"),
                mk("irs-business", "IRS business", "+18008294933"),
                mk("irs-pps", "IRS PPS", "+18668604259"),
            ],
        }
    }
    /// Lookup by E.164 number.
    pub fn lookup(&self, e164: &str) -> Option<Arc<DestinationModel>> {
        self.models.iter().find(|m| m.number == e164).cloned()
    }
    /// All destinations.
    pub fn all(&self) -> Vec<Arc<DestinationModel>> {
        self.models.clone()
    }
}

/// A destination.
#[derive(Debug)]
pub struct DestinationModel {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E.164 number.
    pub number: String,
    /// IANA time zone.
    pub time_zone: String,
}

impl DestinationModel {
    /// Start a call.
    pub fn start_call(
        self: &Arc<Self>,
        _bank: Arc<AudioBank>,
        _cfg: &FarEndConfig,
        _call_seed: u64,
        _now: jiff::Timestamp,
    ) -> FarEndCall {
        FarEndCall {
            samples: 0,
            truth: CallTruth::default(),
        }
    }
}

/// One simulated call.
#[derive(Debug)]
pub struct FarEndCall {
    samples: u64,
    truth: CallTruth,
}

impl FarEndCall {
    /// Advance one frame.
    pub fn next_frame(&mut self) -> FarEndFrame {
        self.samples += FRAME_SAMPLES as u64;
        FarEndFrame {
            ulaw: [0xFF; FRAME_SAMPLES],
            events: Vec::new(),
            label: AudioLabel::Ringback,
        }
    }
    /// DTMF digit.
    pub fn on_dtmf(&mut self, _digit: char) {}
    /// Transferred.
    pub fn on_transferred(&mut self) {}
    /// Queue answered.
    pub fn on_queue_answered(&mut self) {}
    /// Media samples.
    pub fn media_samples(&self) -> u64 {
        self.samples
    }
    /// Truth.
    pub fn truth(&self) -> &CallTruth {
        &self.truth
    }
    /// Finished.
    pub fn is_finished(&self) -> bool {
        false
    }
}

/// One frame.
#[derive(Debug, Clone)]
pub struct FarEndFrame {
    /// Audio.
    pub ulaw: UlawFrame,
    /// Events.
    pub events: Vec<FarEndEvent>,
    /// Label.
    pub label: AudioLabel,
}

/// Label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioLabel {
    /// Ringback.
    Ringback,
    /// Silence.
    Silence,
    /// IVR.
    IvrPrompt,
    /// Music.
    Music,
    /// Announcement.
    Announcement,
    /// Agent.
    AgentSpeech,
    /// Challenge.
    ChallengeSpeech,
    /// Noise.
    Noise,
}

/// Events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FarEndEvent {
    /// Answered.
    Answered,
    /// Busy.
    Busy,
    /// No answer.
    NoAnswer,
    /// Prompt.
    IvrPrompt {
        /// Id.
        prompt_id: String,
    },
    /// Accepted.
    DtmfAccepted {
        /// Id.
        prompt_id: String,
        /// Digits.
        digits: String,
    },
    /// Rejected.
    DtmfRejected {
        /// Id.
        prompt_id: String,
    },
    /// Hold.
    HoldStarted,
    /// Announcement.
    AnnouncementStarted {
        /// Id.
        id: String,
    },
    /// Pickup.
    AgentPickedUp,
    /// Speech.
    AgentSpeechStarted,
    /// Challenge.
    ChallengeStarted,
    /// Hangup.
    HungUp {
        /// Reason.
        reason: FarEndHangupReason,
    },
}

/// Hangup reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FarEndHangupReason {
    /// Closed.
    Closed,
    /// Too busy.
    TooBusy,
    /// Courtesy.
    CourtesyDisconnect,
    /// IVR failed.
    IvrFailed,
    /// Gave up.
    AgentGaveUp,
    /// Finished.
    AgentFinished,
}

/// Truth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallTruth {
    /// Answered.
    pub answered_at_samples: Option<u64>,
    /// Hold.
    pub hold_started_at_samples: Option<u64>,
    /// Pickup.
    pub agent_picked_up_at_samples: Option<u64>,
    /// Speech.
    pub agent_speech_started_at_samples: Option<u64>,
    /// Transfer.
    pub transferred_at_samples: Option<u64>,
    /// Hangup.
    pub hangup: Option<(u64, FarEndHangupReason)>,
    /// Drawn hold.
    pub drawn_hold_ms: Option<u64>,
}
