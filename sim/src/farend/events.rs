//! What the far end hands the platform each frame: audio, events, and ground-truth labels.

use super::UlawFrame;

/// One 20 ms frame of far-end audio plus the events that happened in it.
#[derive(Debug, Clone)]
pub struct FarEndFrame {
    /// 160 G.711 mu-law bytes.
    pub ulaw: UlawFrame,
    /// Events whose sample falls inside this frame, in order.
    pub events: Vec<FarEndEvent>,
    /// Ground truth of what the frame contains.
    pub label: AudioLabel,
}

/// Ground-truth label of what a frame contains (for the detector evaluation).
///
/// Rule: the label covering most samples of the frame, except that a frame holding any agent
/// speech sample (at or after the clip's energy onset) is `AgentSpeech`, and likewise for
/// `ChallengeSpeech`. Leading silence of a speech clip counts as `Silence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioLabel {
    /// Ringback tone before the far end answers (or busy tone).
    Ringback,
    /// Nothing but line hiss.
    Silence,
    /// IVR menu prompt (also "invalid option", "goodbye").
    IvrPrompt,
    /// Hold music (with or without a sung line).
    Music,
    /// Recorded announcement: hold messages, wait estimates, too busy, closed.
    Announcement,
    /// The live agent speaking.
    AgentSpeech,
    /// The PPS voice challenge ("please repeat the following phrase").
    ChallengeSpeech,
    /// A click or other non-speech noise.
    Noise,
}

/// Something that happened on the far end, reported in the frame containing its sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FarEndEvent {
    /// The far end picked up (IVR): platform marks the callee party Answered.
    Answered,
    /// Never answered, busy: platform disconnects with reason TargetBusy.
    Busy,
    /// Rang out: platform disconnects with reason NoAnswer.
    NoAnswer,
    /// A menu prompt started.
    IvrPrompt {
        /// Clip id of the prompt (e.g. `ivr.ind.main`).
        prompt_id: String,
    },
    /// The digits entered for a prompt were accepted.
    DtmfAccepted {
        /// Clip id of the prompt.
        prompt_id: String,
        /// Digits accepted (without a terminating '#').
        digits: String,
    },
    /// A wrong digit for a prompt.
    DtmfRejected {
        /// Clip id of the prompt.
        prompt_id: String,
    },
    /// The caller entered the queue: hold starts.
    HoldStarted,
    /// A recorded announcement started during hold.
    AnnouncementStarted {
        /// Clip id (e.g. `ann.en.important`, `wait.en.20`).
        id: String,
    },
    /// The agent's line opened (a click and/or silence may come first).
    AgentPickedUp,
    /// First voiced sample of the agent: GROUND TRUTH for detection latency.
    AgentSpeechStarted,
    /// First voiced sample of the PPS voice challenge.
    ChallengeStarted,
    /// The far end disconnected: platform marks both parties Disconnected.
    HungUp {
        /// Why.
        reason: FarEndHangupReason,
    },
}

/// Why the far end hung up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FarEndHangupReason {
    /// Called outside business hours (closed message played first).
    Closed,
    /// "Due to high call volume ... call back later" before the queue.
    TooBusy,
    /// Courtesy disconnect during hold.
    CourtesyDisconnect,
    /// Wrong or missing digits after the allowed repeats.
    IvrFailed,
    /// The agent greeted, heard nobody, asked "is anyone there?" and hung up.
    AgentGaveUp,
    /// The agent finished the conversation.
    AgentFinished,
}

/// Ground truth of a call, in media samples (8 kHz) since frame 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallTruth {
    /// When the far end answered.
    pub answered_at_samples: Option<u64>,
    /// When hold started.
    pub hold_started_at_samples: Option<u64>,
    /// When the agent's line opened.
    pub agent_picked_up_at_samples: Option<u64>,
    /// The agent's first voiced sample (exact sample, not frame start).
    pub agent_speech_started_at_samples: Option<u64>,
    /// When the platform reported the transfer (`on_transferred`).
    pub transferred_at_samples: Option<u64>,
    /// When and why the far end hung up.
    pub hangup: Option<(u64, FarEndHangupReason)>,
    /// Media ms of hold drawn (after time scale).
    pub drawn_hold_ms: Option<u64>,
    /// First voiced sample of the PPS voice challenge.
    pub challenge_started_at_samples: Option<u64>,
    /// When the queue agent answered (`on_queue_answered`).
    pub queue_answered_at_samples: Option<u64>,
}
