//! Phases, verdicts and their causes.

use std::fmt;

use super::evidence::LiveEvidence;
use crate::fingerprint::MessageKind;

/// Where a leg is in its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Answered by the IVR: prompts, menus, tones. Initial phase.
    Ivr,
    /// In the hold queue: music and recorded announcements.
    Hold,
    /// A live agent is speaking: transfer the leg now. Terminal.
    Live,
    /// Speech a human must handle (anti-automation voice challenge). Terminal.
    NeedsHuman,
}

impl Phase {
    /// Upper-case name (`IVR`, `HOLD`, `LIVE`, `NEEDS_HUMAN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Ivr => "IVR",
            Phase::Hold => "HOLD",
            Phase::Live => "LIVE",
            Phase::NeedsHuman => "NEEDS_HUMAN",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a verdict was given: machine-readable ([`Cause::code`]) and human-readable
/// (`Display`, like Asterisk's `AMDCAUSE`, e.g.
/// `NEW_SPEECH_AFTER_MUSIC: 160 ms voiced, not in loop library (0/96 hashes), noise floor changed +38 dB`).
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// Enough music to be on hold.
    HoldMusic {
        /// Music heard within the hold window, ms.
        music_ms: u32,
        /// Share of recent hold audio already in the loop library, 0..1.
        loop_coverage: f32,
    },
    /// The server declared the leg on hold ([`LegDetector::mark_hold`](super::LegDetector::mark_hold)).
    HoldMarked,
    /// The leg's IVR plan is done and hold music followed it (`post_ivr_music_ms`, less than
    /// the usual `hold_music_ms`): the leg waits in the queue.
    IvrPlanDone,
    /// Speech on hold judged recorded or not confirmed as an agent; the leg stays on hold.
    RecordedSpeech(LiveEvidence),
    /// New speech judged to be a live agent.
    NewSpeech(LiveEvidence),
    /// Speech matching a known challenge prompt.
    ChallengeRecognized {
        /// Landmark hashes matching the challenge library.
        matched: u32,
        /// Landmark hashes looked up.
        looked_up: u32,
    },
    /// Speech lining up with one of the destination's known messages
    /// ([`DetectorConfig::known_messages`](super::DetectorConfig::known_messages)); the phase
    /// does not change, and the far end usually hangs up next.
    KnownMessage {
        /// The message's name, e.g. `busy.en`.
        name: String,
        /// What it means.
        kind: MessageKind,
        /// Landmark hashes aligned on the message in the last 500 ms.
        matched: u32,
        /// Landmark hashes looked up in that window.
        looked_up: u32,
    },
    /// The server flagged the leg ([`LegDetector::flag_needs_human`](super::LegDetector::flag_needs_human)).
    NeedsHumanFlagged {
        /// Reason given by the caller.
        reason: String,
    },
}

impl Cause {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Cause::HoldMusic { .. } => "HOLD_MUSIC",
            Cause::HoldMarked => "HOLD_MARKED",
            Cause::IvrPlanDone => "IVR_PLAN_DONE",
            Cause::RecordedSpeech(e) => e.rejection_code(),
            Cause::NewSpeech(e) => e.live_code(),
            Cause::ChallengeRecognized { .. } => "CHALLENGE_RECOGNIZED",
            Cause::KnownMessage { .. } => "KNOWN_MESSAGE",
            Cause::NeedsHumanFlagged { .. } => "NEEDS_HUMAN_FLAGGED",
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.code())?;
        match self {
            Cause::HoldMusic {
                music_ms,
                loop_coverage,
            } => write!(
                f,
                "{music_ms} ms music, {:.0} % of recent audio in loop library",
                loop_coverage * 100.0
            ),
            Cause::HoldMarked => f.write_str("hold declared by the server"),
            Cause::IvrPlanDone => {
                f.write_str("IVR plan done and hold music after it: waiting in the queue")
            }
            Cause::RecordedSpeech(e) | Cause::NewSpeech(e) => write!(f, "{e}"),
            Cause::ChallengeRecognized { matched, looked_up } => {
                write!(
                    f,
                    "{matched}/{looked_up} hashes match a known challenge prompt"
                )
            }
            Cause::KnownMessage {
                name,
                kind,
                matched,
                looked_up,
            } => write!(
                f,
                "{name} ({}), {matched}/{looked_up} hashes aligned",
                kind.as_str()
            ),
            Cause::NeedsHumanFlagged { reason } => f.write_str(reason),
        }
    }
}

/// A decision about a leg.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Phase after this verdict.
    pub phase: Phase,
    /// Confidence in `phase`, 0..1.
    pub confidence: f32,
    /// Why.
    pub cause: Cause,
    /// Media time of the decision: samples (8 kHz) fed so far, gaps included.
    pub at_samples: u64,
    /// Media time where the triggering speech began (LIVE, NEEDS_HUMAN, rejected speech).
    pub onset_samples: Option<u64>,
}
