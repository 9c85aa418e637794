//! [`DetectorConfig`]: every threshold of a [`LegDetector`](super::LegDetector), with units.

use std::sync::Arc;

use crate::classify::ClassifierConfig;
use crate::fingerprint::{KnownMessages, LoopLibrary};

/// Configuration of one [`LegDetector`](super::LegDetector). `Default` holds the tuned values.
/// Durations are media time in ms (converted to 20 ms frames, rounded up).
#[derive(Debug, Clone)]
pub struct DetectorConfig {
    /// Frame classifier thresholds (silence level, voicing, tones).
    pub classifier: ClassifierConfig,
    /// Window over which music is counted to enter HOLD, ms.
    pub hold_window_ms: u32,
    /// Music within `hold_window_ms` needed to enter HOLD from IVR, ms.
    pub hold_music_ms: u32,
    /// Allow LIVE straight from IVR (without hold music first). Off: IVR prompts are speech too.
    pub allow_live_from_ivr: bool,
    /// After an IVR plan is done ([`LegDetector::set_ivr_pending`](super::LegDetector::set_ivr_pending)
    /// cleared), no LIVE until the IVR's closing message has ended (a speech segment that
    /// started after the plan, then `segment_end_silence_ms` without speech), hold music has
    /// played for `post_ivr_music_ms`, or at most this much media has passed, ms: the IVR's own
    /// message after the last menu ("please hold while we transfer your call") is not an agent.
    /// 0 = no settling.
    pub post_ivr_settle_ms: u32,
    /// Music after the IVR plan that ends the settling early, ms.
    pub post_ivr_music_ms: u32,
    /// Non-speech needed before a speech onset opens a LIVE candidate, ms.
    pub onset_quiet_ms: u32,
    /// Speech frames after the onset before LIVE may be declared, ms (the confirm window).
    pub live_confirm_speech_ms: u32,
    /// After this long without a decision a candidate is dropped as unconfirmed, ms.
    pub live_max_decision_ms: u32,
    /// Non-speech inside a candidate, before it is confirmed, that drops it, ms.
    pub live_abort_silence_ms: u32,
    /// Evidence score (sum of cue weights, see [`LiveEvidence`](super::LiveEvidence)) at or
    /// above which a candidate is LIVE.
    pub live_score_threshold: f32,
    /// Share of a candidate's informative landmarks that the loop library matches at one
    /// consistent time offset (±1 frame) at or above which the speech is a recording heard
    /// before (0..1). See `LiveEvidence::library_consistent_hits`.
    pub recorded_match_ratio: f32,
    /// Aligned landmark matches also needed to call the speech a recording (an absolute count:
    /// a few landmarks line up by chance).
    pub recorded_min_aligned: u32,
    /// Informative landmarks since the onset needed before the library's answer counts either
    /// way; no decision is made before that (up to `library_wait_ms`).
    pub min_library_hashes: u32,
    /// Longest wait for `min_library_hashes` after the onset, ms (sparse or quiet speech).
    pub library_wait_ms: u32,
    /// Add this leg's IVR/HOLD audio to the loop library (never audio after LIVE).
    pub learn: bool,
    /// Delay before heard audio is added to the library, ms. Must exceed
    /// `live_max_decision_ms`, so a candidate is never matched against itself and an agent's
    /// speech is never learned; 5 s also keeps the first seconds of a missed agent (whose
    /// leg is dropped within a few seconds) out of the library.
    pub insert_delay_ms: u32,
    /// Speech needed to report a [`SegmentKind::SpeechStart`](super::SegmentKind), ms.
    pub segment_start_ms: u32,
    /// Non-speech after speech that ends a segment ([`SegmentKind::SpeechEnd`](super::SegmentKind)), ms.
    pub segment_end_silence_ms: u32,
    /// Music within the last 600 ms needed to report [`SegmentKind::MusicStart`](super::SegmentKind), ms.
    pub music_start_ms: u32,
    /// Least media time between two verdicts that only update confidence, ms.
    pub verdict_interval_ms: u32,
    /// Fingerprints of known anti-automation challenge prompts ("please repeat the following
    /// phrase"). Speech matching it moves the leg to NEEDS_HUMAN from any phase. Load it with
    /// [`LoopLibrary::learn_clip`] (one source per prompt): only matches that line up in time
    /// with one prompt over ≥ 40 landmarks of a 2 s window count, because other prompts in the
    /// same IVR voice share words with it.
    pub challenge_library: Option<Arc<LoopLibrary>>,
    /// The destination's recorded messages that end a call without an agent ("too busy",
    /// "closed"). Speech lining up with one is never LIVE; the detector reports it once per
    /// hearing ([`Cause::KnownMessage`](super::Cause::KnownMessage)).
    pub known_messages: Option<Arc<KnownMessages>>,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            classifier: ClassifierConfig::default(),
            hold_window_ms: 5000,
            hold_music_ms: 2500,
            allow_live_from_ivr: false,
            post_ivr_settle_ms: 20_000,
            post_ivr_music_ms: 1000,
            onset_quiet_ms: 100,
            live_confirm_speech_ms: 140,
            live_max_decision_ms: 1500,
            live_abort_silence_ms: 240,
            live_score_threshold: 2.5,
            recorded_match_ratio: 0.3,
            recorded_min_aligned: 20,
            min_library_hashes: 40,
            library_wait_ms: 260,
            learn: true,
            insert_delay_ms: 5000,
            segment_start_ms: 60,
            segment_end_silence_ms: 300,
            music_start_ms: 400,
            verdict_interval_ms: 500,
            challenge_library: None,
            known_messages: None,
        }
    }
}

/// Convert ms of media time to 20 ms frames, rounding up.
pub(crate) fn ms_to_frames(ms: u32) -> usize {
    (ms as usize).div_ceil(20)
}
