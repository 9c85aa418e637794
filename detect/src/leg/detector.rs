//! [`LegDetector`]: one leg's IVR → HOLD → LIVE state machine over 20 ms frames.
//!
//! Per frame: decode, features, class, landmark hashes (looked up in the shared loop library,
//! and queued for insertion `insert_delay_ms` later), segment events, then the phase logic:
//!
//! - IVR → HOLD when music fills `hold_music_ms` of the last `hold_window_ms` (or
//!   [`LegDetector::mark_hold`]).
//! - On HOLD, a speech onset after `onset_quiet_ms` of non-speech opens a candidate. Once it
//!   holds `live_confirm_speech_ms` of speech, its [`LiveEvidence`] is scored every frame: a
//!   library match rejects it as recorded, a music bed rejects it, a score ≥
//!   `live_score_threshold` declares LIVE, and `live_max_decision_ms` without a decision drops it.
//! - NEEDS_HUMAN when speech matches the configured challenge library, or on
//!   [`LegDetector::flag_needs_human`].

use std::collections::VecDeque;
use std::sync::Arc;

use super::config::{DetectorConfig, ms_to_frames};
use super::evidence::{CopySpeech, LiveEvidence, Rejection, SpeechTail};
use super::segment::{SegmentEvent, SegmentKind, Segmenter};
use super::verdict::{Cause, Phase, Verdict};
use crate::classify::{FrameClass, FrameClassifier};
use crate::features::frame::STABLE_PARTIAL_FRAMES;
use crate::features::{ContextTracker, FRAME_SAMPLES, FeatureExtractor};
use crate::fingerprint::{
    FRAME_BITS, KnownMessage, KnownMessages, LandmarkHasher, LibraryEntry, LoopLibrary,
    MAX_LANDMARKS_PER_FRAME, OffsetVotes, PEAKS_PER_FRAME, ZONE_FRAMES, pick_peaks, vote_landmark,
};
use crate::ulaw::decode_ulaw;

/// Frames of history kept (≈ 5 s).
const RECORD_FRAMES: usize = 256;
/// Pre-onset context scanned for music, gap, floor and click (2 s).
const PRE_ONSET_FRAMES: u64 = 100;
/// How far from a candidate's onset the place where the recording before resumes speaking is
/// looked for, frames (200 ms).
const SLOT_SEARCH_FRAMES: u64 = 10;
/// Frames without speech in a recording's copy before a frame with speech that make that
/// frame where the recording resumes speaking (100 ms: a pause between words or phrases).
const SLOT_PAUSE_FRAMES: u64 = 5;
/// Music frames in the [`PRE_ONSET_FRAMES`] before an onset from which it comes after music
/// (300 ms).
const AFTER_MUSIC_FRAMES: u32 = 15;
/// Loop statistics use frames this old, so a pending onset's gap is not yet part of them (2 s).
const LOOP_STATS_DELAY_FRAMES: u64 = 100;
/// Energies below this are treated as this (dBFS) when comparing noise floors: below it a line
/// is silent whatever the codec does.
const FLOOR_CLAMP_DBFS: f32 = -90.0;
/// Per-frame decay of the loop-coverage sums (time constant ≈ 10 s).
const COVERAGE_DECAY: f32 = 0.998;
/// Challenge prompts are recognised over this many frames of anchors (2 s).
const CHALLENGE_WINDOW_FRAMES: usize = 100;
/// Loop audio is recognised over this many frames of anchors (1 s).
const RECOGNISE_WINDOW_FRAMES: usize = 50;
/// Aligned votes in the recognition window that mark audio as a known recording.
const RECOGNISE_MIN_VOTES: u32 = 20;
/// Aligned share of the window's landmarks that marks audio as a known recording.
const RECOGNISE_MIN_RATIO: f32 = 0.25;
/// A frame is not learned when audio within this many frames after it was recognised at an
/// offset the frame lines up with (1 s).
const LEARN_SKIP_FRAMES: u64 = 50;
/// Neighbours (frames either side) whose alignment also marks a frame as a known repeat.
const LEARN_ALIGN_FRAMES: u64 = 2;
/// Landmarks of a candidate are those anchored this many frames after its onset and later:
/// earlier anchors' 64 ms analysis windows still hold the audio before the onset (music at
/// another position than when the recording was learned), which makes them novel mixtures
/// that would dilute the aligned share of a known recording.
const CANDIDATE_SKIP_FRAMES: u64 = 2;

/// Informative landmarks on a frame, none lining up with the recording recognised before it,
/// that make the frame other audio replacing that recording (`recording_cut_frames`).
const REPLACED_MIN_LANDMARKS: u32 = 2;

/// Frames after a recording's last frame that lined up which are still its own fading tail
/// (quiet landmarks that line up no more), not audio replacing it (`recording_cut_frames`).
const RECORDING_TAIL_FRAMES: u64 = 5;

/// Audio replacing a recording is at most this far below the loop's recorded speech, dB
/// (quieter frames with landmarks are a line's noise or a tail, `recording_cut_frames`).
const REPLACING_BELOW_SPEECH_DB: f32 = 15.0;

/// The same floor before the loop's recorded speech is measured, dBFS.
const REPLACING_MIN_DBFS: f32 = -35.0;

/// After other audio replaced a recording, the quiet where its copy plays on counts as a cut
/// from this many frames (400 ms): a pause inside that audio is shorter.
const SILENCED_AFTER_OTHER_AUDIO_FRAMES: u32 = 20;
/// Speech within this many frames after speech judged not live belongs to the same block (1.5 s).
const BLOCK_FRAMES: u64 = 75;
/// Frames right before a speech onset where a transient is the speech's own start, not a
/// click (80 ms). A hold loop's clips often start on a plosive or a breath that reads as a
/// click; a person's line clicks when it connects, and they speak after (the simulator's
/// agents: 100–600 ms later). Session 8, detect_eval: "click" fired on half the pickups and on
/// half the false transfers alike; counting only clicks ≥ 80 ms before the onset, seed 1 (100
/// calls) went from 9 to 6 false transfers and seed 2 (30 calls) from 5 to 4, misses unchanged,
/// p50 +10–12 ms.
const CLICK_CLEAR_FRAMES: usize = 4;
/// Non-speech that ends a block of speech judged not live (700 ms).
const BLOCK_END_FRAMES: u32 = 35;
/// Share of the window's landmarks aligned on one challenge-prompt offset that recognises it
/// (challenge prompts: 0.55–0.85 over their best 2 s; other IVR-voice prompts ≤ 0.1).
const CHALLENGE_MATCH_RATIO: f32 = 0.25;
/// Aligned challenge votes needed in the 2 s window (a long stretch of one prompt, not a
/// shared word: challenges 500+, other prompts ≤ 90; `HH_DIAG=2` in detect_eval).
const CHALLENGE_MIN_ALIGNED: u32 = 200;
/// Aligned challenge votes that keep a candidate from being declared LIVE.
const CHALLENGE_VETO_VOTES: u32 = 8;
/// Window over which speech is matched against the known messages (500 ms): short, so that
/// a message is recognised within its first words, not diluted by the music before it.
const MESSAGE_WINDOW_FRAMES: usize = 25;
/// Aligned votes on one known message in that window that recognise it (as
/// `recorded_min_aligned` for the loop library).
const MESSAGE_MIN_ALIGNED: u32 = 20;
/// Most distinct offsets recognised before an onset that its cut and its track pause are
/// measured against ([`LegDetector::recognised_offsets`]).
const RECOGNISED_OFFSETS: usize = 3;
/// Share of the window's informative landmarks aligned on that message that recognises it.
const MESSAGE_MATCH_RATIO: f32 = 0.3;
/// A known message recognised again within this many frames is the same hearing (5 s).
const MESSAGE_REPORT_FRAMES: u64 = 250;
/// How long the same known message must keep being recognised before it is named (1 s):
/// other recordings in the same voice share words with it and line up for a moment (session
/// 9, detect_eval seed 1: 3835 reports of a message while another recording played with a
/// single frame's recognition, against 172 while a message played). A message is 4–9 s long
/// and lines up all along. Vetoing a candidate needs no run: no agent lines up at all.
const MESSAGE_REPORT_RUN_FRAMES: u64 = 50;
/// Frames without recognition that do not break that run (200 ms: a pause between words).
const MESSAGE_RUN_GAP_FRAMES: u64 = 10;

/// What the detector remembers about one frame (the last ≈ 5 s are kept for causes and logs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameRecord {
    /// Frame index (0-based, gaps count as one frame).
    pub frame: u64,
    /// Media sample where the frame starts.
    pub start_samples: u64,
    /// Class of the frame.
    pub class: FrameClass,
    /// Frame energy, dBFS.
    pub energy_dbfs: f32,
    /// Voicing strength, 0..1.
    pub voicing: f32,
    /// Pitch, Hz (0 when unvoiced).
    pub pitch_hz: f32,
    /// Share of spectral peaks held ≥ 80 ms, 0..1.
    pub held_partial_ratio: f32,
    /// Spectral flux, 0..1.
    pub spectral_flux: f32,
    /// Spectral tilt, dB.
    pub spectral_tilt_db: f32,
    /// Landmark hashes anchored on this frame (filled 80 ms later).
    pub library_hashes: u16,
    /// Of those, found in the loop library.
    pub library_hits: u16,
    /// Of those, found in the challenge library.
    pub challenge_hits: u16,
    /// The loop library recognised the audio of the second up to this frame as a repeat
    /// of a known recording (aligned matches).
    pub recognised: bool,
    /// When `recognised`: the time offset (frames, wrapping: this leg's frame minus the
    /// library's) at which that second lined up.
    pub recognised_offset: Option<u32>,
    /// This record stands for lost media ([`LegDetector::on_gap`]).
    pub lost: bool,
}

impl FrameRecord {
    const EMPTY: FrameRecord = FrameRecord {
        frame: u64::MAX,
        start_samples: 0,
        class: FrameClass::Silence,
        energy_dbfs: -100.0,
        voicing: 0.0,
        pitch_hz: 0.0,
        held_partial_ratio: 0.0,
        spectral_flux: 0.0,
        spectral_tilt_db: 0.0,
        library_hashes: 0,
        library_hits: 0,
        challenge_hits: 0,
        recognised: false,
        recognised_offset: None,
        lost: true,
    };
}

/// Cues fixed at the onset of a candidate.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    onset_frame: u64,
    onset_samples: u64,
    /// Voiced speech frames.
    speech_frames: u32,
    /// Speech-class frames (voiced or not), for level and tilt means.
    speech_class_frames: u32,
    non_speech_run: u32,
    /// Silence or noise frames since the last speech frame, while no music came back.
    quiet_run: u32,
    /// Music came after the candidate's speech.
    music_after: bool,
    coverage: f32,
    after_music: bool,
    gap_frames: u32,
    click: bool,
    after_recorded: bool,
    after_library: bool,
    /// `after_recorded`, in a block of unknown speech (`LegDetector::unknown_block`).
    after_unknown: bool,
    floor_energies: [f32; 32],
    floor_len: usize,
    speech_energy_sum: f32,
    speech_tilt_sum: f32,
    held_sum: f32,
    flux_sum: f32,
    sounding_frames: u32,
    tail: Option<SpeechTail>,
    /// See `LegDetector::recording_cut_frames`.
    recording_cut_frames: Option<u32>,
    /// The last place recognised before the onset (`LegDetector::recognised_offsets`).
    running_offset: Option<u32>,
    /// Where the last candidate judged a known recording lined up, when it was decided in the
    /// 2 s before the onset and is another recording than `running_offset`'s.
    vetoed_offset: Option<u32>,
    /// See `LegDetector::track_pause`.
    track_pause: bool,
    /// Frames from the onset to where the copy of the recording recognised before it starts
    /// speaking again after its own pause (None: no such place within
    /// [`SLOT_SEARCH_FRAMES`]). See [`LegDetector::copy_resumes_near`].
    copy_resumes_frames: Option<i32>,
}

/// Detects the moment a live agent starts speaking on one leg. Feed it every 20 ms frame in
/// media order; it never reads a clock. See the module docs for the phase logic.
pub struct LegDetector {
    cfg: DetectorConfig,
    library: Arc<LoopLibrary>,
    extractor: FeatureExtractor,
    context: ContextTracker,
    classifier: FrameClassifier,
    hasher: LandmarkHasher,
    segmenter: Segmenter,
    events: Vec<SegmentEvent>,
    records: Vec<FrameRecord>,
    frame: u64,
    consumed_samples: u64,
    pcm: [i16; FRAME_SAMPLES],
    pcm_len: usize,
    phase: Phase,
    last_class: FrameClass,
    pending_inserts: VecDeque<(u64, LibraryEntry)>,
    /// Landmarks of the audio that was declared LIVE, not learned, with their anchor frames
    /// (see `learn_false_live`).
    quarantine: Vec<(u64, LibraryEntry)>,
    /// Anchor frame of the last insert decision and whether it was skipped.
    learn_skip: (u64, bool),
    source: u32,
    /// Library offsets voted by each recent anchor frame (ring of `RECORD_FRAMES`).
    frame_offsets: Vec<(u64, Vec<u32>, u32)>,
    /// Challenge-library offsets voted by each recent anchor frame (ring of `RECORD_FRAMES`;
    /// empty without a challenge library).
    challenge_frame_offsets: Vec<(u64, Vec<u32>, u32)>,
    window_votes: OffsetVotes,
    candidate_votes: OffsetVotes,
    challenge_votes: OffsetVotes,
    /// Challenge-library votes of the candidate's own landmarks (since its onset): what keeps
    /// it from LIVE while it lines up with a challenge prompt. The 2 s window of
    /// `challenge_votes` would also count the announcement before a pickup, which shares the
    /// IVR voice's words (detect_eval seed 1 `irs-business` call 42: an agent's "hello" after
    /// a cut announcement held 1.1 s by the announcement's challenge votes).
    candidate_challenge_votes: OffsetVotes,
    /// Offsets voted on the known messages, over the last `MESSAGE_WINDOW_FRAMES`.
    message_votes: OffsetVotes,
    message_offsets: Vec<u32>,
    /// The same over every landmark, those the loop library knows too (the veto).
    message_veto_votes: OffsetVotes,
    message_veto_offsets: Vec<u32>,
    /// Last known message reported: (frame, library source).
    message_reported: Option<(u64, u32)>,
    /// The known message recognised lately: (library source, first frame, last frame).
    message_run: Option<(u32, u64, u64)>,
    tag_scratch: Vec<u32>,
    landmark_offsets: Vec<u32>,
    hold_music: Vec<bool>,
    hold_music_count: usize,
    coverage_hits: f32,
    coverage_total: f32,
    loop_floor_dbfs: Option<f32>,
    loop_speech_dbfs: Option<f32>,
    loop_speech_tilt_db: Option<f32>,
    candidate: Option<Candidate>,
    non_speech_run: u32,
    recorded_segment: bool,
    library_segment: bool,
    /// Mean level of the speech in the current block judged not live, dBFS.
    block_speech_dbfs: Option<f32>,
    /// The current block judged not live holds speech the library did not recognise and that
    /// was not music: a candidate left unconfirmed, or a LIVE verdict reported wrong
    /// ([`LegDetector::resume_hold`]).
    unknown_block: bool,
    last_recorded_frame: Option<u64>,
    /// Last anchor frame the loop library recognised, with the offset it recognised there
    /// (see [`LegDetector::copy_mute_now`]).
    last_recognised: Option<(u64, u32)>,
    /// Frame of the last decision that judged a candidate a known recording (in the loop
    /// library, or the recording before going on), with the offset it lined up at.
    last_vetoed: Option<(u64, u32)>,
    /// Last frame of speech the loop library recognised (a RECORDED_IN_LOOP_LIBRARY veto).
    last_library_frame: Option<u64>,
    last_verdict_frame: Option<u64>,
    last_confidence: f32,
    /// The leg's IVR plan still has steps to take: no LIVE ([`LegDetector::set_ivr_pending`]).
    ivr_pending: bool,
    /// Settling after the plan (None: not settling).
    post_ivr: Option<Settling>,
    /// Music frames since the IVR plan was done (None: no plan done, or counted out): at
    /// `post_ivr_music_ms` a leg still in IVR moves to HOLD.
    music_since_plan: Option<u32>,
    /// Frame the IVR plan was last done ([`LegDetector::set_ivr_pending`] to false): a menu
    /// prompt cut off by the plan's own digits (barge-in) is no recording cut by a pickup.
    plan_done_frame: Option<u64>,
    frames: Frames,
}

/// The settling after a leg's IVR plan is done: the IVR's own closing message ("please hold
/// while we transfer your call") is not an agent. See [`LegDetector::set_ivr_pending`].
#[derive(Debug, Clone, Copy)]
struct Settling {
    /// Frame the plan was done.
    since: u64,
    /// A speech segment started since then (the closing message).
    message_started: bool,
}

/// Config durations converted to frames.
#[derive(Debug, Clone, Copy)]
struct Frames {
    hold_window: usize,
    hold_music: usize,
    onset_quiet: u32,
    confirm: u32,
    max_decision: u64,
    abort: u32,
    insert_delay: u64,
    verdict_interval: u64,
    library_wait: u64,
    post_ivr_settle: u64,
    post_ivr_music: u32,
}

/// A leg that ends withdraws what it heard but had not learned yet (see
/// [`LoopLibrary::add_recent`]): it is neither learned nor matched any more.
impl Drop for LegDetector {
    fn drop(&mut self) {
        for (_, e) in self.pending_inserts.drain(..) {
            self.library.remove_recent(e);
        }
    }
}

/// Two time offsets (listening tag − library tag, wrapping) are the same place within one
/// frame either way: another alignment of the 20 ms frames moves an anchor by one frame.
fn within_a_frame(a: u32, b: u32) -> bool {
    a.wrapping_sub(b).wrapping_add(1) <= 2
}

impl LegDetector {
    /// New detector for one leg, sharing `library` with every leg of the same destination.
    pub fn new(cfg: DetectorConfig, library: Arc<LoopLibrary>) -> Self {
        let frames = Frames {
            hold_window: ms_to_frames(cfg.hold_window_ms).max(1),
            hold_music: ms_to_frames(cfg.hold_music_ms).max(1),
            onset_quiet: ms_to_frames(cfg.onset_quiet_ms) as u32,
            confirm: ms_to_frames(cfg.live_confirm_speech_ms).max(1) as u32,
            max_decision: ms_to_frames(cfg.live_max_decision_ms).max(1) as u64,
            abort: ms_to_frames(cfg.live_abort_silence_ms).max(1) as u32,
            post_ivr_settle: ms_to_frames(cfg.post_ivr_settle_ms) as u64,
            post_ivr_music: ms_to_frames(cfg.post_ivr_music_ms) as u32,
            insert_delay: (ms_to_frames(cfg.insert_delay_ms) as u64)
                .max(ms_to_frames(cfg.live_max_decision_ms) as u64 + ZONE_FRAMES as u64 + 2),
            verdict_interval: ms_to_frames(cfg.verdict_interval_ms) as u64,
            library_wait: ms_to_frames(cfg.library_wait_ms) as u64,
        };
        let segmenter = Segmenter::new(
            ms_to_frames(cfg.segment_start_ms) as u32,
            ms_to_frames(cfg.segment_end_silence_ms) as u32,
            ms_to_frames(cfg.music_start_ms) as u32,
        );
        let insert_capacity = (frames.insert_delay as usize + 2) * MAX_LANDMARKS_PER_FRAME;
        LegDetector {
            extractor: FeatureExtractor::new(),
            context: ContextTracker::new(cfg.classifier.voicing_threshold),
            classifier: FrameClassifier::new(cfg.classifier),
            hasher: LandmarkHasher::new(),
            segmenter,
            events: Vec::with_capacity(8),
            records: vec![FrameRecord::EMPTY; RECORD_FRAMES],
            frame: 0,
            consumed_samples: 0,
            pcm: [0; FRAME_SAMPLES],
            pcm_len: 0,
            phase: Phase::Ivr,
            last_class: FrameClass::Silence,
            pending_inserts: VecDeque::with_capacity(insert_capacity),
            quarantine: Vec::new(),
            learn_skip: (u64::MAX, false),
            source: library.register_leg(),
            frame_offsets: (0..RECORD_FRAMES)
                .map(|_| (u64::MAX, Vec::with_capacity(64), 0))
                .collect(),
            challenge_frame_offsets: (0..RECORD_FRAMES)
                .map(|_| (u64::MAX, Vec::new(), 0))
                .collect(),
            window_votes: OffsetVotes::sliding(RECOGNISE_WINDOW_FRAMES),
            candidate_votes: OffsetVotes::cumulative(),
            candidate_challenge_votes: OffsetVotes::cumulative(),
            challenge_votes: OffsetVotes::sliding(CHALLENGE_WINDOW_FRAMES),
            message_votes: OffsetVotes::sliding(MESSAGE_WINDOW_FRAMES),
            message_offsets: Vec::with_capacity(256),
            message_veto_votes: OffsetVotes::sliding(MESSAGE_WINDOW_FRAMES),
            message_veto_offsets: Vec::with_capacity(256),
            message_reported: None,
            message_run: None,
            tag_scratch: Vec::with_capacity(256),
            landmark_offsets: Vec::with_capacity(4096),
            hold_music: vec![false; frames.hold_window],
            hold_music_count: 0,
            coverage_hits: 0.0,
            coverage_total: 0.0,
            loop_floor_dbfs: None,
            loop_speech_dbfs: None,
            loop_speech_tilt_db: None,
            candidate: None,
            non_speech_run: u32::MAX / 2,
            recorded_segment: false,
            library_segment: false,
            block_speech_dbfs: None,
            unknown_block: false,
            last_recorded_frame: None,
            last_recognised: None,
            last_vetoed: None,
            last_library_frame: None,
            last_verdict_frame: None,
            last_confidence: 0.0,
            ivr_pending: false,
            post_ivr: None,
            music_since_plan: None,
            plan_done_frame: None,
            frames,
            cfg,
            library,
        }
    }

    /// Feed G.711 mu-law bytes, normally one 20 ms frame (160 bytes). Other lengths are
    /// buffered into 160-sample frames. Returns a verdict when the phase changes, or when the
    /// confidence of the current phase changes materially (at most every
    /// `verdict_interval_ms` of media time); with several in one call, the last.
    pub fn push_ulaw(&mut self, frame: &[u8]) -> Option<Verdict> {
        let mut verdict = None;
        for &code in frame {
            self.pcm[self.pcm_len] = decode_ulaw(code);
            self.pcm_len += 1;
            if self.pcm_len == FRAME_SAMPLES {
                self.pcm_len = 0;
                if let Some(v) = self.process_frame() {
                    verdict = Some(v);
                }
            }
        }
        verdict
    }

    /// Feed 16-bit linear PCM at 8 kHz, normally one 20 ms frame (160 samples); as
    /// [`LegDetector::push_ulaw`].
    pub fn push_pcm(&mut self, frame: &[i16]) -> Option<Verdict> {
        let mut verdict = None;
        for &s in frame {
            self.pcm[self.pcm_len] = s;
            self.pcm_len += 1;
            if self.pcm_len == FRAME_SAMPLES {
                self.pcm_len = 0;
                if let Some(v) = self.process_frame() {
                    verdict = Some(v);
                }
            }
        }
        verdict
    }

    /// Tell the detector that `samples` of media were lost (e.g. from RTP sequence numbers or
    /// timestamps). Media time advances; audio history is reset so no feature or landmark spans
    /// the gap; a pending candidate is dropped; a partial frame is discarded.
    pub fn on_gap(&mut self, samples: u64) {
        self.consumed_samples += self.pcm_len as u64 + samples;
        self.pcm_len = 0;
        self.extractor.reset();
        self.context.reset();
        self.classifier.reset();
        self.hasher.reset();
        self.candidate = None;
        let gap_frames = samples.div_ceil(FRAME_SAMPLES as u64);
        let record = FrameRecord {
            frame: self.frame,
            start_samples: self.consumed_samples - samples,
            ..FrameRecord::EMPTY
        };
        self.records[(self.frame as usize) % RECORD_FRAMES] = record;
        // Silence for the segmenter: a long gap ends the current speech segment.
        let feed = gap_frames.min(self.frames.hold_window as u64 + 1);
        for i in 0..feed {
            let start = record.start_samples + i * FRAME_SAMPLES as u64;
            self.segmenter
                .push(self.frame, start, FrameClass::Silence, &mut self.events);
        }
        self.note_hold_music(false);
        self.non_speech_run = self.non_speech_run.saturating_add(gap_frames as u32);
        self.frame += 1;
    }

    /// Current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Media time so far: samples fed (8 kHz) plus samples reported lost.
    pub fn media_samples(&self) -> u64 {
        self.consumed_samples + self.pcm_len as u64
    }

    /// Class of the last complete frame.
    pub fn last_class(&self) -> FrameClass {
        self.last_class
    }

    /// The loop library this leg reads and feeds.
    pub fn library(&self) -> &Arc<LoopLibrary> {
        &self.library
    }

    /// Take the speech/music segment events reported since the last call (media order).
    pub fn take_segment_events(&mut self) -> Vec<SegmentEvent> {
        std::mem::take(&mut self.events)
    }

    /// The last ≈ 5 s of frame records, oldest first (for logging a decision's context).
    pub fn recent_frames(&self) -> Vec<FrameRecord> {
        let first = self.frame.saturating_sub(RECORD_FRAMES as u64);
        (first..self.frame)
            .map(|f| self.records[(f as usize) % RECORD_FRAMES])
            .filter(|r| r.frame != u64::MAX)
            .collect()
    }

    /// Server hook: the IVR plan is done and the leg is queued. Moves IVR → HOLD.
    pub fn mark_hold(&mut self) -> Option<Verdict> {
        if self.phase != Phase::Ivr {
            return None;
        }
        Some(self.change_phase(Phase::Hold, 1.0, Cause::HoldMarked, None))
    }

    /// Server hook: while `pending`, the leg's IVR plan still has menus to answer, so no speech
    /// can be an agent: no candidate opens and no LIVE verdict is given. Hold music still
    /// moves the leg IVR → HOLD (real lines play minutes of music between two menus, e.g. the
    /// IRS PPS line, `reference/irs-lines.md`). Off by default (a leg without a plan).
    ///
    /// Clearing it starts the settling: no LIVE until the IVR's closing message has ended (a
    /// speech segment that started after the plan was done, then
    /// [`DetectorConfig::segment_end_silence_ms`] without speech), hold music has played for
    /// [`DetectorConfig::post_ivr_music_ms`], or [`DetectorConfig::post_ivr_settle_ms`] of
    /// media has passed, whichever comes first. Once `post_ivr_music_ms` of music has played
    /// after the plan, a leg still in IVR moves to HOLD ([`Cause::IvrPlanDone`]): the plan is
    /// done and the queue's music plays.
    pub fn set_ivr_pending(&mut self, pending: bool) {
        if self.ivr_pending && !pending {
            self.music_since_plan = Some(0);
            self.plan_done_frame = Some(self.frame);
        }
        if self.ivr_pending && !pending && self.cfg.post_ivr_settle_ms > 0 {
            self.post_ivr = Some(Settling {
                since: self.frame,
                message_started: false,
            });
        }
        if pending {
            self.post_ivr = None;
            self.music_since_plan = None;
        }
        self.ivr_pending = pending;
    }

    /// Advance the settling after the IVR plan with frame `t` of class `class` and the segment
    /// events this frame produced (every frame, in any phase).
    fn update_settling(&mut self, t: u64, class: FrameClass, new_events: usize) {
        if class == FrameClass::Music
            && let Some(music) = self.music_since_plan.as_mut()
        {
            *music += 1;
        }
        let music_heard = self
            .music_since_plan
            .is_some_and(|m| m >= self.frames.post_ivr_music);
        let Some(settling) = self.post_ivr.as_mut() else {
            return;
        };
        let mut message_over = false;
        for e in &self.events[self.events.len() - new_events..] {
            match e.kind {
                SegmentKind::SpeechStart => settling.message_started = true,
                SegmentKind::SpeechEnd => message_over |= settling.message_started,
                _ => {}
            }
        }
        if message_over
            || music_heard
            || t.saturating_sub(settling.since) >= self.frames.post_ivr_settle
        {
            self.post_ivr = None;
        }
    }

    /// Server hook: the last LIVE verdict was wrong (the user who took the transfer heard a
    /// recording). Adds the landmarks heard from that onset up to the verdict (≈ 0.2–1.5 s,
    /// held back so an agent is never learned) and everything still queued to the loop
    /// library, so the recording is recognised next time. Returns how many entries were new.
    ///
    /// The frames learned this way get speech and music marks, as the frames a leg learns while
    /// hearing them do ([`LoopLibrary::speaks_at`]): a recording learned after a LIVE verdict
    /// reported wrong speaks where it spoke. Without them its copy read as mute there, so the
    /// next leg that heard the same recording to its pause, then other words where the copy
    /// speaks (the next wait-time estimate: the same "The estimated hold time is currently",
    /// another number), measured no place where the copy resumes.
    pub fn learn_false_live(&mut self) -> usize {
        let mut added = 0;
        let mut learned = std::mem::take(&mut self.quarantine);
        learned.extend(self.pending_inserts.drain(..).inspect(|&(_, e)| {
            self.library.remove_recent(e);
        }));
        let mut marked = u64::MAX;
        for (anchor, e) in learned {
            added += self.library.insert_entry(e) as usize;
            if anchor != marked {
                marked = anchor;
                self.mark_learned(anchor, e);
            }
        }
        added
    }

    /// Set the speech or music mark of the frame `entry` was learned on (anchor frame
    /// `anchor`), by the class that frame was read as; nothing for other classes or a frame
    /// no longer recorded.
    fn mark_learned(&self, anchor: u64, entry: LibraryEntry) {
        match self.record(anchor).map(|r| r.class) {
            Some(FrameClass::Speech) => {
                self.library.mark_speech(entry.tag);
            }
            Some(FrameClass::Music) => {
                self.library.mark_music(entry.tag);
            }
            _ => {}
        }
    }

    /// Hook for a verdict reported wrong: the last LIVE (or NEEDS_HUMAN) verdict was not an
    /// agent (or a challenge) and the leg is still on hold. Learns the audio that was declared LIVE ([`LegDetector::learn_false_live`]) and
    /// moves back to HOLD keeping what the leg measured (loop floor, speech level, coverage):
    /// the speech in progress is judged as a block of recorded speech, so the rest of the
    /// same recording is not taken for an agent again. Returns how many library entries were
    /// new. No-op (0) in IVR or HOLD.
    pub fn resume_hold(&mut self) -> usize {
        if matches!(self.phase, Phase::Ivr | Phase::Hold) {
            return 0;
        }
        let added = self.learn_false_live();
        self.change_phase(Phase::Hold, 1.0, Cause::HoldMarked, None);
        self.judge_as_block(self.frame.saturating_sub(1), true);
        added
    }

    /// Frame `t` belongs to a block of speech judged not live (a new block starts a new level
    /// and is not unknown); `unknown`: that speech was not recognised and was not music (see
    /// `unknown_block`).
    fn judge_as_block(&mut self, t: u64, unknown: bool) {
        if !self.recorded_segment {
            self.block_speech_dbfs = None;
            self.unknown_block = false;
        }
        self.unknown_block |= unknown;
        self.recorded_segment = true;
        self.last_recorded_frame = Some(t);
    }

    /// Server hook: a human must take this leg (e.g. the IVR plan knows the current prompt is
    /// an anti-automation voice challenge). Moves any phase to NEEDS_HUMAN.
    pub fn flag_needs_human(&mut self, reason: impl Into<String>) -> Verdict {
        let cause = Cause::NeedsHumanFlagged {
            reason: reason.into(),
        };
        self.change_phase(Phase::NeedsHuman, 1.0, cause, None)
    }

    fn change_phase(
        &mut self,
        phase: Phase,
        confidence: f32,
        cause: Cause,
        onset_samples: Option<u64>,
    ) -> Verdict {
        self.phase = phase;
        self.candidate = None;
        self.last_verdict_frame = Some(self.frame);
        self.last_confidence = confidence;
        Verdict {
            phase,
            confidence,
            cause,
            at_samples: self.consumed_samples,
            onset_samples,
        }
    }

    fn rate_limited_verdict(
        &mut self,
        confidence: f32,
        cause: Cause,
        onset: Option<u64>,
    ) -> Option<Verdict> {
        if let Some(last) = self.last_verdict_frame
            && self.frame < last + self.frames.verdict_interval
        {
            return None;
        }
        self.last_verdict_frame = Some(self.frame);
        self.last_confidence = confidence;
        Some(Verdict {
            phase: self.phase,
            confidence,
            cause,
            at_samples: self.consumed_samples,
            onset_samples: onset,
        })
    }

    fn record(&self, frame: u64) -> Option<&FrameRecord> {
        let r = &self.records[(frame as usize) % RECORD_FRAMES];
        (r.frame == frame).then_some(r)
    }

    fn loop_coverage(&self) -> f32 {
        if self.coverage_total < 50.0 {
            0.0
        } else {
            self.coverage_hits / self.coverage_total
        }
    }

    fn note_hold_music(&mut self, is_music: bool) {
        let slot = (self.frame as usize) % self.frames.hold_window;
        if self.hold_music[slot] {
            self.hold_music_count -= 1;
        }
        self.hold_music[slot] = is_music;
        if is_music {
            self.hold_music_count += 1;
        }
    }

    fn process_frame(&mut self) -> Option<Verdict> {
        let features = self.extractor.push(&self.pcm);
        let ctx = self.context.push(&features);
        let class = self.classifier.classify(&features, &ctx);
        let t = self.frame;
        let start_samples = self.consumed_samples;
        self.last_class = class;
        self.records[(t as usize) % RECORD_FRAMES] = FrameRecord {
            frame: t,
            start_samples,
            class,
            energy_dbfs: features.energy_dbfs,
            voicing: features.voicing,
            pitch_hz: features.pitch_hz,
            held_partial_ratio: if features.peak_count > 0 {
                features.stable_partials as f32 / features.peak_count as f32
            } else {
                0.0
            },
            spectral_flux: features.spectral_flux,
            spectral_tilt_db: features.spectral_tilt_db,
            library_hashes: 0,
            library_hits: 0,
            challenge_hits: 0,
            recognised: false,
            recognised_offset: None,
            lost: false,
        };

        self.fingerprint(t, class);
        let events_before = self.events.len();
        self.segmenter
            .push(t, start_samples, class, &mut self.events);
        self.update_settling(t, class, self.events.len() - events_before);
        self.note_hold_music(class == FrameClass::Music);
        self.update_loop_stats(t);

        self.consumed_samples += FRAME_SAMPLES as u64;
        self.frame += 1;

        if class == FrameClass::Speech && self.post_ivr.is_some() && !self.recorded_segment {
            // The IVR's closing message is speech judged not live: what follows it after a
            // short pause (its next sentence, its Spanish half) is judged as the same block.
            self.judge_as_block(t, false);
        }
        // Speech-like frames where the recording the library is recognising does not speak
        // (a sung line, a music track's attack) are music: they extend no block of speech.
        if class == FrameClass::Speech
            && (self.recorded_segment || self.library_segment)
            && !self.copy_mute_now(t)
        {
            if self.recorded_segment {
                self.last_recorded_frame = Some(t);
                let e = self.records[(t as usize) % RECORD_FRAMES].energy_dbfs;
                self.block_speech_dbfs =
                    Some(self.block_speech_dbfs.map_or(e, |b| b + 0.1 * (e - b)));
            }
            if self.library_segment {
                self.last_library_frame = Some(t);
            }
        }
        let verdict = self.decide(t, class);
        if class == FrameClass::Speech {
            self.non_speech_run = 0;
        } else {
            self.non_speech_run = self.non_speech_run.saturating_add(1);
            if self.non_speech_run >= BLOCK_END_FRAMES {
                self.recorded_segment = false;
                self.unknown_block = false;
                self.library_segment = false;
            }
        }
        verdict
    }

    /// Landmarks of the anchor frame `t − ZONE_FRAMES`: look up (offset votes), queue for
    /// learning, and insert what is old enough and was not recognised.
    fn fingerprint(&mut self, t: u64, class: FrameClass) {
        let mut bins = [0u16; PEAKS_PER_FRAME];
        let n_peaks = if class == FrameClass::Silence {
            0
        } else {
            pick_peaks(self.extractor.power_spectrum(), &mut bins)
        };
        let produced = self.hasher.push(&bins[..n_peaks]);
        let mut keys = [crate::fingerprint::Landmark::default(); MAX_LANDMARKS_PER_FRAME];
        let n = produced.len();
        keys[..n].copy_from_slice(produced);
        if t >= ZONE_FRAMES as u64 {
            let anchor = t - ZONE_FRAMES as u64;
            let learn = self.cfg.learn && matches!(self.phase, Phase::Ivr | Phase::Hold);
            let here = LibraryEntry::tag_of(self.source, anchor);
            let mut hits = 0u16;
            let mut informative = 0u32;
            let mut challenge_hits = 0u16;
            let mut challenge_informative = 0u32;
            let mut message_informative = 0u32;
            let mut message_veto_informative = 0u32;
            self.message_offsets.clear();
            self.message_veto_offsets.clear();
            let mut variants = [0u32; 3];
            let slot = (anchor as usize) % RECORD_FRAMES;
            let mut offsets = std::mem::take(&mut self.frame_offsets[slot].1);
            offsets.clear();
            self.landmark_offsets.clear();
            for key in &keys[..n] {
                let count = key.variants(&mut variants);
                let (found, info) = vote_landmark(
                    &self.library,
                    &variants[..count],
                    here,
                    &mut self.tag_scratch,
                    &mut offsets,
                );
                hits += found as u16;
                informative += info as u32;
                if let Some(challenge) = &self.cfg.challenge_library {
                    let (found, info) = vote_landmark(
                        challenge,
                        &variants[..count],
                        here,
                        &mut self.tag_scratch,
                        &mut self.landmark_offsets,
                    );
                    challenge_hits += found as u16;
                    challenge_informative += info as u32;
                }
                if let Some(known) = &self.cfg.known_messages {
                    let start = self.message_veto_offsets.len();
                    let (_, info) = vote_landmark(
                        known.library(),
                        &variants[..count],
                        here,
                        &mut self.tag_scratch,
                        &mut self.message_veto_offsets,
                    );
                    message_veto_informative += info as u32;
                    // What this destination's lines play anyway (its prompts and
                    // announcements, in the loop library) names no known message: only the
                    // rest votes for naming one. Other recordings in the same voice share
                    // words, and the IVR's welcome may open its "closed" message word for word.
                    // Known hold recordings count too, though whole they share more of a
                    // message's words than what legs hear: fewer messages are named, never a
                    // wrong one (detect_eval seed 1: 73 namings of 91 messages played, none
                    // elsewhere; not counting them named 102, and 13 elsewhere).
                    if !found {
                        self.message_offsets
                            .extend_from_slice(&self.message_veto_offsets[start..]);
                        message_informative += info as u32;
                    }
                }
                if learn {
                    let entry = LibraryEntry {
                        key: variants[0],
                        tag: here,
                    };
                    // Other legs see it at once; it is learned after the insert delay.
                    self.library.add_recent(entry);
                    self.pending_inserts.push_back((anchor, entry));
                }
            }
            self.window_votes.add_frame(anchor, &offsets, informative);
            if self.cfg.known_messages.is_some() {
                self.message_votes
                    .add_frame(anchor, &self.message_offsets, message_informative);
                self.message_veto_votes.add_frame(
                    anchor,
                    &self.message_veto_offsets,
                    message_veto_informative,
                );
            }
            // The candidate's own landmarks (from onset + 2 frames) vote for it.
            let in_candidate = self
                .candidate
                .is_some_and(|c| anchor >= c.onset_frame + CANDIDATE_SKIP_FRAMES);
            if self.cfg.challenge_library.is_some() {
                self.challenge_votes.add_frame(
                    anchor,
                    &self.landmark_offsets,
                    challenge_informative,
                );
                if in_candidate {
                    self.candidate_challenge_votes.add_frame(
                        anchor,
                        &self.landmark_offsets,
                        challenge_informative,
                    );
                }
                let ring = &mut self.challenge_frame_offsets[slot];
                ring.0 = anchor;
                ring.1.clear();
                ring.1.extend_from_slice(&self.landmark_offsets);
                ring.2 = challenge_informative;
            }
            if in_candidate {
                self.candidate_votes
                    .add_frame(anchor, &offsets, informative);
            }
            self.frame_offsets[slot] = (anchor, offsets, informative);
            let recognised = self.window_votes.best_votes() >= RECOGNISE_MIN_VOTES
                && self.window_votes.aligned_ratio() >= RECOGNISE_MIN_RATIO;
            if self.records[slot].frame == anchor {
                let r = &mut self.records[slot];
                r.library_hashes = n as u16;
                r.library_hits = hits;
                r.challenge_hits = challenge_hits;
                r.recognised = recognised;
                r.recognised_offset = if recognised {
                    self.window_votes.best_offset()
                } else {
                    None
                };
                if let Some(o) = r.recognised_offset {
                    self.last_recognised = Some((anchor, o));
                }
                if matches!(self.phase, Phase::Ivr | Phase::Hold)
                    && matches!(r.class, FrameClass::Music | FrameClass::Speech)
                {
                    self.coverage_hits =
                        self.coverage_hits * COVERAGE_DECAY + recognised as u32 as f32;
                    self.coverage_total = self.coverage_total * COVERAGE_DECAY + 1.0;
                }
            }
        }
        while let Some(&(anchor, entry)) = self.pending_inserts.front() {
            if anchor + self.frames.insert_delay > t {
                break;
            }
            self.pending_inserts.pop_front();
            self.library.remove_recent(entry);
            if self.learn_skip.0 != anchor {
                self.learn_skip = (anchor, self.is_known_repeat(anchor, t));
                if !self.learn_skip.1 {
                    // What the recording does next: see `recording_cut_frames`.
                    self.mark_learned(anchor, entry);
                }
            }
            if !self.learn_skip.1 {
                self.library.insert_entry(entry);
            }
        }
    }

    /// Learn only audio the library does not know (repeats add nothing): anchor frame `anchor`
    /// is a known repeat when, within the [`LEARN_SKIP_FRAMES`] after it (the recognition
    /// window lags the start of a repeat), the library recognised the audio at an offset that
    /// the landmarks of this frame or of its neighbours (±[`LEARN_ALIGN_FRAMES`]; a frame of a
    /// repeat may miss all its own landmarks) line up with (±1 frame). The window's verdict
    /// alone is not enough: new audio right before or after a recognised stretch (the first
    /// words of an announcement after known music) shares the window but not its alignment,
    /// and must be learned, or its onset is never recognised.
    fn is_known_repeat(&self, anchor: u64, t: u64) -> bool {
        let last = (anchor + LEARN_SKIP_FRAMES).min(t.saturating_sub(ZONE_FRAMES as u64));
        let (frame, _, _) = &self.frame_offsets[(anchor as usize) % RECORD_FRAMES];
        if *frame != anchor {
            // The frame's offsets are gone (an insert delay longer than the ring): fall back
            // to the window's verdict alone.
            return (anchor..=last).any(|f| self.record(f).is_some_and(|r| r.recognised));
        }
        // The offsets recognised in the second after the anchor: one or two in practice (the
        // recording's, and the one before it while the window catches up).
        let mut recognised = [0u32; 8];
        let mut n = 0;
        let mut overflow = false;
        for f in anchor..=last {
            if let Some(best) = self.record(f).and_then(|r| r.recognised_offset)
                && !recognised[..n].contains(&best)
            {
                if n == recognised.len() {
                    overflow = true;
                    break;
                }
                recognised[n] = best;
                n += 1;
            }
        }
        if overflow {
            // More alignments than the array holds (rare): collect them all.
            let mut all: Vec<u32> = (anchor..=last)
                .filter_map(|f| self.record(f).and_then(|r| r.recognised_offset))
                .collect();
            all.sort_unstable();
            all.dedup();
            return self.lines_up_near(anchor, t, &all);
        }
        self.lines_up_near(anchor, t, &recognised[..n])
    }

    /// Whether the landmarks of frame `anchor` or of its ±[`LEARN_ALIGN_FRAMES`] neighbours
    /// voted for one of `recognised` (offsets, ±1 frame).
    fn lines_up_near(&self, anchor: u64, t: u64, recognised: &[u32]) -> bool {
        if recognised.is_empty() {
            return false;
        }
        let near = anchor.saturating_sub(LEARN_ALIGN_FRAMES)
            ..=(anchor + LEARN_ALIGN_FRAMES).min(t.saturating_sub(ZONE_FRAMES as u64));
        near.into_iter().any(|g| self.votes_for(g, recognised))
    }

    /// Whether the landmarks of anchor frame `g` (still in the ring) voted for one of
    /// `offsets` (±1 frame).
    fn votes_for(&self, g: u64, offsets: &[u32]) -> bool {
        let (frame, voted, _) = &self.frame_offsets[(g as usize) % RECORD_FRAMES];
        *frame == g
            && voted
                .iter()
                .any(|&o| offsets.iter().any(|&best| within_a_frame(o, best)))
    }

    /// Update the hold loop's floor and recorded-speech profile from frames old enough that no
    /// pending onset's gap is among them.
    fn update_loop_stats(&mut self, t: u64) {
        if !matches!(self.phase, Phase::Ivr | Phase::Hold) || t < LOOP_STATS_DELAY_FRAMES {
            return;
        }
        let Some(r) = self.record(t - LOOP_STATS_DELAY_FRAMES).copied() else {
            return;
        };
        if r.lost {
            return;
        }
        let ema = |old: Option<f32>, new: f32, alpha: f32| {
            Some(old.map_or(new, |o| o + alpha * (new - o)))
        };
        match r.class {
            FrameClass::Silence => {
                // Minimum tracking: falls fast, rises slowly (decay tails are not the floor).
                let e = r.energy_dbfs.max(FLOOR_CLAMP_DBFS);
                let alpha = match self.loop_floor_dbfs {
                    Some(old) if e < old => 0.2,
                    _ => 0.01,
                };
                self.loop_floor_dbfs = ema(self.loop_floor_dbfs, e, alpha);
            }
            FrameClass::Speech => {
                self.loop_speech_dbfs = ema(self.loop_speech_dbfs, r.energy_dbfs, 0.02);
                self.loop_speech_tilt_db = ema(self.loop_speech_tilt_db, r.spectral_tilt_db, 0.02);
            }
            FrameClass::Music | FrameClass::Tone | FrameClass::Noise => {}
        }
    }

    fn decide(&mut self, t: u64, class: FrameClass) -> Option<Verdict> {
        if let Some(v) = self.check_challenge() {
            return Some(v);
        }
        if let Some(v) = self.check_known_message(t) {
            return Some(v);
        }
        match self.phase {
            Phase::Live | Phase::NeedsHuman => None,
            Phase::Ivr => {
                if self
                    .music_since_plan
                    .is_some_and(|m| m >= self.frames.post_ivr_music)
                {
                    self.music_since_plan = None;
                    // The menus are answered and music follows: that is the queue's music, and
                    // 1 s of it is enough (a short queue may answer before the usual 2.5 s).
                    // Quiet alone is not: an IVR also waits in silence for optional input, and
                    // a "too busy" message may come after it.
                    return Some(self.change_phase(Phase::Hold, 0.9, Cause::IvrPlanDone, None));
                }
                if self.hold_music_count >= self.frames.hold_music {
                    let cause = Cause::HoldMusic {
                        music_ms: (self.hold_music_count * 20) as u32,
                        loop_coverage: self.loop_coverage(),
                    };
                    return Some(self.change_phase(
                        Phase::Hold,
                        self.hold_confidence(),
                        cause,
                        None,
                    ));
                }
                if self.cfg.allow_live_from_ivr {
                    return self.track_candidate(t, class);
                }
                None
            }
            Phase::Hold => {
                if let Some(v) = self.track_candidate(t, class) {
                    return Some(v);
                }
                let confidence = self.hold_confidence();
                if self.candidate.is_none() && (confidence - self.last_confidence).abs() >= 0.15 {
                    let cause = Cause::HoldMusic {
                        music_ms: (self.hold_music_count * 20) as u32,
                        loop_coverage: self.loop_coverage(),
                    };
                    return self.rate_limited_verdict(confidence, cause, None);
                }
                None
            }
        }
    }

    fn hold_confidence(&self) -> f32 {
        let music = self.hold_music_count as f32 / self.frames.hold_window as f32;
        (0.5 + 0.5 * music.max(self.loop_coverage()) * 1.5).clamp(0.5, 0.99)
    }

    fn check_challenge(&mut self) -> Option<Verdict> {
        self.cfg.challenge_library.as_ref()?;
        if self.phase == Phase::NeedsHuman || self.last_class != FrameClass::Speech {
            return None;
        }
        let hits = self.challenge_votes.best_votes();
        let hashes = self.challenge_votes.landmarks();
        if hits >= CHALLENGE_MIN_ALIGNED && hits as f32 >= CHALLENGE_MATCH_RATIO * hashes as f32 {
            let cause = Cause::ChallengeRecognized {
                matched: hits,
                looked_up: hashes,
            };
            let confidence = (0.5 + hits as f32 / hashes as f32).min(0.99);
            return Some(self.change_phase(Phase::NeedsHuman, confidence, cause, None));
        }
        None
    }

    /// The known message the last `MESSAGE_WINDOW_FRAMES` line up with, if any, by `votes`
    /// (`message_votes` to name one, `message_veto_votes` to veto LIVE).
    fn known_message(&self, t: u64, votes: &OffsetVotes) -> Option<&KnownMessage> {
        let known = self.cfg.known_messages.as_deref()?;
        self.message_in(known, t, votes)
    }

    /// [`LegDetector::known_message`] in `known` (borrowed apart from `self`).
    fn message_in<'a>(
        &self,
        known: &'a KnownMessages,
        t: u64,
        votes: &OffsetVotes,
    ) -> Option<&'a KnownMessage> {
        let best = votes.best_votes();
        if best < MESSAGE_MIN_ALIGNED
            || (best as f32) < MESSAGE_MATCH_RATIO * votes.landmarks() as f32
        {
            return None;
        }
        let offset = votes.best_offset()?;
        let anchor = t.saturating_sub(ZONE_FRAMES as u64);
        known.message_of_tag(self.copy_tag(anchor, offset))
    }

    /// Report a known message once per hearing (phase unchanged). Not while the IVR plan is
    /// being walked: the IVR's welcome may open the "closed" message word for word (detect_eval:
    /// 14 of 30 reports on 40 calls were the welcome), and "too busy" comes after the menus.
    fn check_known_message(&mut self, t: u64) -> Option<Verdict> {
        if matches!(self.phase, Phase::Live | Phase::NeedsHuman) || self.ivr_pending {
            self.message_run = None;
            return None;
        }
        // A handle of our own, so the message can be read while `self` is updated.
        let known = Arc::clone(self.cfg.known_messages.as_ref()?);
        let message = self.message_in(&known, t, &self.message_votes)?;
        let source = message.source();
        let since = match self.message_run {
            Some((s, first, last)) if s == source && t <= last + MESSAGE_RUN_GAP_FRAMES => first,
            _ => t,
        };
        self.message_run = Some((source, since, t));
        if t < since + MESSAGE_REPORT_RUN_FRAMES {
            return None;
        }
        if self
            .message_reported
            .is_some_and(|(f, s)| s == source && t < f + MESSAGE_REPORT_FRAMES)
        {
            self.message_reported = Some((t, source));
            return None;
        }
        self.message_reported = Some((t, source));
        let matched = self.message_votes.best_votes();
        let looked_up = self.message_votes.landmarks();
        let confidence = (0.5 + matched as f32 / looked_up.max(1) as f32).min(0.99);
        self.last_verdict_frame = Some(self.frame);
        Some(Verdict {
            phase: self.phase,
            confidence,
            cause: Cause::KnownMessage {
                name: message.name.clone(),
                kind: message.kind,
                matched,
                looked_up,
            },
            at_samples: self.consumed_samples,
            onset_samples: None,
        })
    }

    fn track_candidate(&mut self, t: u64, class: FrameClass) -> Option<Verdict> {
        if self.ivr_pending || self.post_ivr.is_some() {
            // A menu prompt of a plan still being walked, or the IVR's own message right
            // after it, is never an agent.
            self.candidate = None;
            return None;
        }
        if self.candidate.is_none() {
            if class == FrameClass::Speech && self.non_speech_run >= self.frames.onset_quiet {
                let cand = self.open_candidate(t);
                self.candidate_votes.reset();
                self.candidate_challenge_votes.reset();
                let last = (t + 1).saturating_sub(ZONE_FRAMES as u64);
                for f in cand.onset_frame + CANDIDATE_SKIP_FRAMES..last {
                    let slot = (f as usize) % RECORD_FRAMES;
                    let (frame, offsets, informative) = &self.frame_offsets[slot];
                    if *frame == f {
                        self.candidate_votes.add_frame(f, offsets, *informative);
                    }
                    let (frame, offsets, informative) = &self.challenge_frame_offsets[slot];
                    if *frame == f {
                        self.candidate_challenge_votes
                            .add_frame(f, offsets, *informative);
                    }
                }
                self.candidate = Some(cand);
            } else {
                return None;
            }
        }
        let r = *self.record(t)?;
        let mut cand = self.candidate?;
        let voiced = r.voicing >= self.cfg.classifier.voicing_threshold && r.pitch_hz > 0.0;
        if class == FrameClass::Speech && voiced {
            cand.speech_frames += 1;
        }
        if class == FrameClass::Speech {
            cand.speech_class_frames += 1;
            cand.non_speech_run = 0;
            cand.quiet_run = 0;
            cand.speech_energy_sum += r.energy_dbfs;
            cand.speech_tilt_sum += r.spectral_tilt_db;
        } else {
            cand.non_speech_run += 1;
            if class == FrameClass::Music {
                cand.music_after = true;
            } else {
                cand.quiet_run += 1;
            }
            if class == FrameClass::Silence && cand.floor_len < cand.floor_energies.len() {
                cand.floor_energies[cand.floor_len] = r.energy_dbfs.max(FLOOR_CLAMP_DBFS);
                cand.floor_len += 1;
            }
        }
        // Partials can only count as held 80 ms after they start: judge the bed after that.
        if class != FrameClass::Silence && t >= cand.onset_frame + STABLE_PARTIAL_FRAMES as u64 {
            cand.held_sum += r.held_partial_ratio;
            cand.flux_sum += r.spectral_flux;
            cand.sounding_frames += 1;
        }
        self.candidate = Some(cand);

        // Confirm window: enough voiced speech, and enough frames past the held-partial horizon
        // to tell speech from a music (bed) that just started.
        if cand.speech_frames < self.frames.confirm || cand.sounding_frames < 4 {
            if cand.non_speech_run >= self.frames.abort {
                self.candidate = None;
            }
            return None;
        }
        // Speech lining up with a known challenge prompt is never LIVE: keep listening until
        // NEEDS_HUMAN is certain (`check_challenge`) or the candidate times out.
        if self.cfg.challenge_library.is_some()
            && self.candidate_challenge_votes.best_votes() >= CHALLENGE_VETO_VOTES
            && self.candidate_challenge_votes.best_votes() as f32
                >= CHALLENGE_MATCH_RATIO * self.candidate_challenge_votes.landmarks() as f32
        {
            return None;
        }
        let mut evidence = self.evidence(&cand, t);
        evidence.compute_score(self.cfg.min_library_hashes);
        let elapsed = t + 1 - cand.onset_frame;
        // Let the library speak before deciding: enough landmarks, unless speech is sparse.
        // After a known recording was cut off, half as many (novelty counts from there).
        if evidence.library_hashes < evidence.novelty_hashes(self.cfg.min_library_hashes)
            && elapsed < self.frames.library_wait
            && cand.non_speech_run < self.frames.abort
        {
            return None;
        }
        let rejection = if self.known_message(t, &self.message_veto_votes).is_some() {
            Some(Rejection::KnownMessage)
        } else if evidence.library_consistent_hits >= self.cfg.recorded_min_aligned
            && evidence.consistent_ratio() >= self.cfg.recorded_match_ratio
        {
            Some(Rejection::InLoopLibrary)
        } else if evidence.recording_goes_on() {
            Some(Rejection::RecordingGoesOn)
        } else if evidence.music_bed() {
            // After the line fell silent where the known recording plays on, a voice whose
            // held partials read as a bed for its first frames is likelier than a bed that
            // starts with it: listen on until the bed is certain or the decision time is up.
            if evidence.recording_silenced()
                && elapsed < self.frames.max_decision
                && cand.non_speech_run < self.frames.abort
            {
                return None;
            }
            Some(Rejection::MusicBed)
        } else if evidence.score >= self.cfg.live_score_threshold
            && evidence.consistent_ratio() < self.cfg.recorded_match_ratio
        {
            // Speech lining up with a recording as a repeat does is never LIVE, even with
            // too few aligned landmarks yet for the veto: it waits for them.
            None
        } else if elapsed >= self.frames.max_decision
            || cand.non_speech_run >= self.frames.abort * 3
        {
            Some(Rejection::Unconfirmed)
        } else {
            return None;
        };
        let onset = Some(cand.onset_samples);
        match rejection {
            None => {
                // Never learn the agent: set queued landmarks from the onset on aside (see
                // `learn_false_live`).
                let first = cand.onset_frame.saturating_sub(2);
                self.quarantine.clear();
                self.quarantine.extend(
                    self.pending_inserts
                        .iter()
                        .filter(|&&(anchor, _)| anchor >= first),
                );
                for (_, e) in &self.quarantine {
                    self.library.remove_recent(*e);
                }
                self.pending_inserts.retain(|&(anchor, _)| anchor < first);
                let confidence =
                    1.0 / (1.0 + (-(evidence.score - self.cfg.live_score_threshold + 1.0)).exp());
                Some(self.change_phase(Phase::Live, confidence, Cause::NewSpeech(evidence), onset))
            }
            Some(rejection) => {
                self.candidate = None;
                // Music under the speech (sung music, an announcement over its bed) opens no
                // block of speech: what follows is weighed after music. With a block, agents
                // right after sung music met the block penalties (session 8, detect_eval seed
                // 1: 2 of 10 misses, `irs-individual` call 48 and `irs-business` call 23).
                // Speech the library recognised at a place where its copy does not speak
                // (sung music, a music track's attack read as speech) is music too.
                let recognised_at = match rejection {
                    Rejection::InLoopLibrary => self.candidate_votes.best_offset(),
                    Rejection::RecordingGoesOn => self.recording_before(&cand),
                    _ => None,
                };
                if let Some(o) = recognised_at {
                    self.last_vetoed = Some((t, o));
                }
                let music = rejection == Rejection::MusicBed
                    || recognised_at.is_some_and(|o| self.copy_mute_over(cand.onset_frame, t, o));
                if rejection != Rejection::TooShort && !music {
                    self.judge_as_block(t, rejection == Rejection::Unconfirmed);
                }
                if !music
                    && matches!(
                        rejection,
                        Rejection::InLoopLibrary | Rejection::RecordingGoesOn
                    )
                {
                    self.library_segment = true;
                    self.last_library_frame = Some(t);
                }
                evidence.rejection = Some(rejection);
                let p_live =
                    1.0 / (1.0 + (-(evidence.score - self.cfg.live_score_threshold + 1.0)).exp());
                let confidence = (1.0 - p_live).clamp(0.5, 0.99);
                self.rate_limited_verdict(confidence, Cause::RecordedSpeech(evidence), onset)
            }
        }
    }

    fn open_candidate(&self, t: u64) -> Candidate {
        // Onset: back up over voiced frames that led into the first speech frame.
        let mut onset = t;
        for f in (t.saturating_sub(4)..t).rev() {
            match self.record(f) {
                Some(r)
                    if !r.lost
                        && r.voicing >= self.cfg.classifier.voicing_threshold
                        && r.class != FrameClass::Silence
                        && r.class != FrameClass::Tone =>
                {
                    onset = f
                }
                _ => break,
            }
        }
        let mut music_frames = 0u32;
        let mut last_music: Option<u64> = None;
        // Frames between the last music (or 2 s back) and the onset, newest first.
        let mut gap = [(0f32, false); 32];
        let mut gap_len = 0usize;
        // The gap is the run of non-speech right before the onset: pauses of earlier speech
        // belong to that speech's channel (a recording's pauses carry the loop's floor).
        let mut in_gap = true;
        // Quiet (silence, noise, a click) right before the onset, frames: the gap after the
        // music is at most that (a music track's held notes or sung line, read as tone or
        // speech, after its own pause are still the track).
        let mut quiet_run = 0u32;
        let mut in_quiet = true;
        let mut tail_from: Option<u64> = None;
        for f in (t.saturating_sub(PRE_ONSET_FRAMES)..onset).rev() {
            let Some(r) = self.record(f) else { break };
            if r.lost {
                break;
            }
            if in_quiet && matches!(r.class, FrameClass::Silence | FrameClass::Noise) {
                quiet_run += 1;
            } else {
                in_quiet = false;
            }
            // A sung line or a held note of a known music track, read as speech or a tone, is
            // still that track playing.
            let class = if self.known_track_plays(f, t) {
                FrameClass::Music
            } else {
                r.class
            };
            match class {
                FrameClass::Music => {
                    music_frames += 1;
                    last_music.get_or_insert(f);
                }
                FrameClass::Speech => {
                    // Only speech the gap follows directly: music in between ended that speech.
                    if in_gap && last_music.is_none() {
                        tail_from = Some(f);
                    }
                    in_gap = false;
                }
                FrameClass::Silence | FrameClass::Noise
                    if in_gap && last_music.is_none() && gap_len < gap.len() =>
                {
                    gap[gap_len] = (
                        r.energy_dbfs.max(FLOOR_CLAMP_DBFS),
                        r.class == FrameClass::Silence,
                    );
                    gap_len += 1;
                }
                _ => {}
            }
        }
        let gap_frames = last_music.map_or(0, |m| ((onset - m - 1) as u32).min(quiet_run));
        let after_music = music_frames >= AFTER_MUSIC_FRAMES;
        let places = self.recognised_offsets(t, onset);
        let mut cand = self.new_candidate(t, onset, after_music, gap_frames, &places);
        // A track that repeats a phrase lines up at each repeat's offset in turn: its own
        // pause may be where only an earlier of them places it.
        cand.track_pause = places
            .iter()
            .flatten()
            .any(|&o| self.track_pause(onset, quiet_run, o));
        if let Some(f) = tail_from {
            // How the speech before the gap ended: its last frame vs the loudest of the three
            // before it, and vs the level of the speech it belongs to.
            let energy = |g: u64| self.record(g).map_or(-100.0, |r| r.energy_dbfs);
            let last = energy(f);
            let before = (1..=3)
                .map(|i| energy(f.saturating_sub(i)))
                .fold(f32::MIN, f32::max);
            cand.tail = Some(SpeechTail {
                decay_db: before - last,
                level_vs_speech_db: self
                    .block_speech_dbfs
                    .or(self.loop_speech_dbfs)
                    .map(|l| last - l),
            });
        }
        // The floor is measured on silent frames only (quiet music or noise would fake it).
        for &(energy, silent) in &gap[..gap_len] {
            if silent && cand.floor_len < cand.floor_energies.len() {
                cand.floor_energies[cand.floor_len] = energy;
                cand.floor_len += 1;
            }
        }
        // Click: one or two frames ≥ 20 dB above the gap's median level.
        if gap_len >= 3 {
            let mut sorted = [0f32; 32];
            for (dst, &(e, _)) in sorted.iter_mut().zip(&gap[..gap_len]) {
                *dst = e;
            }
            sorted[..gap_len].sort_by(f32::total_cmp);
            let median = sorted[gap_len / 2];
            let loud = gap[..gap_len]
                .iter()
                .filter(|&&(e, _)| e >= median + 20.0)
                .count();
            // A transient right against the onset is the speech's own start (a plosive, a
            // breath, a clip's edit): a line click comes before the first word.
            let against_onset = gap[..gap_len.min(CLICK_CLEAR_FRAMES)]
                .iter()
                .any(|&(e, _)| e >= median + 20.0);
            cand.click = (1..=2).contains(&loud) && !against_onset;
        }
        cand
    }

    /// A candidate opened at `onset`; `places`: [`LegDetector::recognised_offsets`] there.
    fn new_candidate(
        &self,
        t: u64,
        onset: u64,
        after_music: bool,
        gap_frames: u32,
        places: &[Option<u32>; RECOGNISED_OFFSETS],
    ) -> Candidate {
        let onset_samples = self.record(onset).map_or(0, |r| r.start_samples);
        // The last place recognised: `places` lists it first.
        let running_offset = places[0];
        // Speech judged not live up to 1.5 s before the onset: the same block.
        let in_block =
            |last: Option<u64>| last.is_some_and(|f| t.saturating_sub(f) <= BLOCK_FRAMES);
        Candidate {
            onset_frame: onset,
            onset_samples,
            speech_frames: 0,
            speech_class_frames: 0,
            non_speech_run: 0,
            quiet_run: 0,
            music_after: false,
            coverage: self.loop_coverage(),
            after_music,
            gap_frames,
            click: false,
            after_recorded: in_block(self.last_recorded_frame),
            after_library: in_block(self.last_library_frame),
            after_unknown: self.unknown_block && in_block(self.last_recorded_frame),
            floor_energies: [0.0; 32],
            floor_len: 0,
            speech_energy_sum: 0.0,
            speech_tilt_sum: 0.0,
            held_sum: 0.0,
            flux_sum: 0.0,
            sounding_frames: 0,
            tail: None,
            // A track that repeats a phrase is recognised at each repeat in turn, and where one
            // copy plays on another may pause as the line did (seed 3, `irs-business` call 83:
            // a pause of the track counted as 220 ms of cut at the later repeat's offset): the
            // least cut over the offsets recognised before the onset, of those that lined up
            // until the line went quiet (an earlier place that other audio replaced since
            // tells nothing of the quiet).
            recording_cut_frames: places.iter().flatten().fold(
                None,
                |least: Option<u32>, &offset| match self.recording_cut_frames(t, onset, offset) {
                    Some((cut, replaced)) if least.is_none() || !replaced => {
                        Some(least.map_or(cut, |l| l.min(cut)))
                    }
                    _ => least,
                },
            ),
            running_offset,
            // The line's recognition lags a new clip by up to a second: where the candidate
            // before was judged a known recording is that recording's place even while the
            // window still names the one before it (seed 3, `irs-pps` call 46: the start of
            // `music.vocal.cold-day` judged known, its quiet sung line next taken live while
            // the window named `wait.en.45`).
            // Only another recording than the window's: another place in the same one (a
            // track that repeats a phrase) adds a chance for an agent's landmarks to line up,
            // and nothing the window does not know (seed 3, `irs-pps` call 137: 200 ms later).
            vetoed_offset: self.last_vetoed.and_then(|(at, o)| {
                let here = LibraryEntry::tag_of(self.source, onset);
                let source_of = |o: u32| here.wrapping_sub(o) >> FRAME_BITS;
                (t.saturating_sub(at) <= PRE_ONSET_FRAMES
                    && running_offset.is_none_or(|r| source_of(r) != source_of(o)))
                .then_some(o)
            }),
            track_pause: false,
            // With the operator's recordings, every take of a recording is known beforehand:
            // the slot would only cost agents whose first word falls where the copy resumes
            // (seed 3 `--known-recordings`: 2 of 399 agents missed, `irs-business` call 91
            // and `irs-individual` call 197, both picking up in an announcement's pause).
            copy_resumes_frames: if self.library.holds_operator_recordings() {
                None
            } else {
                places
                    .iter()
                    .flatten()
                    .filter_map(|&o| self.copy_resumes_near(onset, o))
                    .min_by_key(|d| d.abs())
            },
        }
    }

    /// The recording before `cand` that its landmarks line up with more: the window's place
    /// (`running_offset`) or the vetoed candidate's (`vetoed_offset`). None when neither is
    /// known.
    fn recording_before(&self, cand: &Candidate) -> Option<u32> {
        [cand.running_offset, cand.vetoed_offset]
            .into_iter()
            .flatten()
            .max_by_key(|&o| self.candidate_votes.votes_at(o))
    }

    /// Frame `f` (looked up by frame `t`) is a known music track playing, whatever it was read
    /// as: it sounds (speech or a tone: a sung line, a held note), the recording recognised
    /// there is a music track whose copy in the library plays music at that place
    /// ([`LoopLibrary::plays_music_at`]), and the landmarks of `f` or of its neighbours line
    /// up with it (the recognition window lags a new clip by up to a second: the first words
    /// of an announcement after the track are not the track).
    ///
    /// Seed 3, `irs-business` call 50: `music.vocal.cold-day`, read as speech throughout, then
    /// 60 ms of silence, then `ann.en.representatives` lining up 16 % in its first 320 ms:
    /// not "after music", so the 60 ms gap did not count against it, and it was taken live.
    fn known_track_plays(&self, f: u64, t: u64) -> bool {
        let Some(r) = self.record(f) else {
            return false;
        };
        let Some(o) = r.recognised_offset else {
            return false;
        };
        matches!(r.class, FrameClass::Speech | FrameClass::Tone)
            && self.library.plays_music_at(self.copy_tag(f, o))
            && self.lines_up_near(f, t, &[o])
    }

    /// The `quiet_run` frames right before `onset` are the own pause of the music track
    /// recognised at `offset`: its copy in the library plays no music on ≥ 80 % of them, and
    /// plays music again within 500 ms after the onset (so the copy is known there, and the
    /// track goes on after its pause). Speech starting as a track's pause ends is the loop's
    /// next clip, not a pickup, whatever the pause's length. False for a run under 100 ms.
    fn track_pause(&self, onset: u64, quiet_run: u32, offset: u32) -> bool {
        if quiet_run < 5 {
            return false;
        }
        let copy_plays = |f: u64| self.library.plays_music_at(self.copy_tag(f, offset));
        let playing = (onset - quiet_run as u64..onset)
            .filter(|&f| copy_plays(f))
            .count() as u32;
        playing * 5 <= quiet_run && (onset..onset + 25).any(copy_plays)
    }

    /// Whether the library's copy of the recording at `offset` (a listening tag minus a
    /// library tag, as [`OffsetVotes`] count them) is silent of speech at frame `f` ±1 frame:
    /// that recording does not speak there (music, a pause, or beyond its end).
    fn copy_mute_at(&self, f: u64, offset: u32) -> bool {
        (f.saturating_sub(1)..=f + 1).all(|g| !self.library.speaks_at(self.copy_tag(g, offset)))
    }

    /// Frames from `onset` to the nearest frame within ±[`SLOT_SEARCH_FRAMES`] where the
    /// library's copy of the recording at `offset` starts speaking after ≥
    /// [`SLOT_PAUSE_FRAMES`] frames without speech ([`LoopLibrary::speaks_at`]): where that
    /// recording's next words begin, if it went on (negative: before the onset). None when
    /// it does not start speaking there.
    fn copy_resumes_near(&self, onset: u64, offset: u32) -> Option<i32> {
        let speaks = |f: u64| self.library.speaks_at(self.copy_tag(f, offset));
        (onset.saturating_sub(SLOT_SEARCH_FRAMES)..=onset + SLOT_SEARCH_FRAMES)
            .filter(|&f| {
                f >= SLOT_PAUSE_FRAMES
                    && speaks(f)
                    && (f - SLOT_PAUSE_FRAMES..f).all(|g| !speaks(g))
            })
            .map(|f| (f as i64 - onset as i64) as i32)
            .min_by_key(|d| d.abs())
    }

    /// The library tag, in the copy of the recording recognised at `offset` (a listening tag
    /// minus a library tag, as [`OffsetVotes`] count them), of this leg's frame `f`: where
    /// that copy is when the line is at `f`.
    fn copy_tag(&self, f: u64, offset: u32) -> u32 {
        LibraryEntry::tag_of(self.source, f).wrapping_sub(offset)
    }

    /// [`LegDetector::copy_mute_at`] on every frame from `from` to `to` (inclusive).
    fn copy_mute_over(&self, from: u64, to: u64, offset: u32) -> bool {
        (from..=to).step_by(3).all(|f| self.copy_mute_at(f, offset))
    }

    /// The recording the library recognised within the last second (its anchors are looked
    /// up 100 ms late) does not speak at frame `t`, as its copy runs on: what sounds like
    /// speech now is that recording's music. False when nothing was recognised.
    fn copy_mute_now(&self, t: u64) -> bool {
        self.last_recognised
            .is_some_and(|(anchor, o)| t.saturating_sub(anchor) <= 50 && self.copy_mute_at(t, o))
    }

    /// First frame of the 2 s before frame `t` in which recognised recordings count: none
    /// heard before the IVR plan was done (the plan's digits cut its last menu prompt off
    /// (barge-in), as a pickup would).
    fn recognition_window_start(&self, t: u64) -> u64 {
        t.saturating_sub(PRE_ONSET_FRAMES)
            .max(self.plan_done_frame.unwrap_or(0))
    }

    /// The distinct time offsets the library recognised in the 2 s before `onset` (after the
    /// IVR plan was done) in the recording recognised last, the last one first (the running
    /// offset: what the line was playing, music or speech; None when nothing was recognised):
    /// the places of a track that repeats a phrase. At most [`RECOGNISED_OFFSETS`];
    /// offsets within a frame of one already taken are the same. Other recordings are not
    /// taken: one heard before the last (an announcement before the music) is mute where the
    /// line went quiet and would hide every cut.
    fn recognised_offsets(&self, t: u64, onset: u64) -> [Option<u32>; RECOGNISED_OFFSETS] {
        let mut out = [None; RECOGNISED_OFFSETS];
        let mut n = 0;
        let here = LibraryEntry::tag_of(self.source, onset);
        let source_of = |o: u32| here.wrapping_sub(o) >> FRAME_BITS;
        let mut source = None;
        for f in (self.recognition_window_start(t)..onset).rev() {
            let Some(o) = self.record(f).and_then(|r| r.recognised_offset) else {
                continue;
            };
            if *source.get_or_insert(source_of(o)) != source_of(o) {
                continue;
            }
            if !out[..n].iter().flatten().any(|&p| within_a_frame(o, p)) {
                out[n] = Some(o);
                n += 1;
                if n == RECOGNISED_OFFSETS {
                    break;
                }
            }
        }
        out
    }

    /// Frames between the last frame of this leg that lined up with `offset`, the recording
    /// recognised before `onset` ([`LegDetector::recognised_offsets`]), and the onset where the
    /// line was quiet (silence, noise, a tone, a click) while that recording, as the library
    /// learned it, speaks or plays music ([`LoopLibrary::sounds_at`]): the known recording
    /// went on but the line did not carry it, so it was cut off (a pickup). None when nothing
    /// of a known recording lined up in the 2 s before the onset. A recording's own pauses are
    /// marked neither, and count nothing; nor does other audio where it sounds (the next clip
    /// of a block may differ from the one the library heard next). When other audio replaced
    /// the recording before the onset (a frame read as speech or music with ≥
    /// [`REPLACED_MIN_LANDMARKS`] informative landmarks, none lining up, at most 15 dB below
    /// the loop's recorded speech, after the recording's 100 ms tail), only the quiet after it
    /// counts, and only from 400 ms (a pause inside that audio is shorter). Returns the cut and
    /// whether other audio replaced the recording.
    fn recording_cut_frames(&self, t: u64, onset: u64, offset: u32) -> Option<(u32, bool)> {
        let window = self.recognition_window_start(t);
        // Anchors up to `t − ZONE_FRAMES` have their landmarks looked up.
        let looked_up = onset.min((t + 1).saturating_sub(ZONE_FRAMES as u64));
        // The recording's last frame: one lining up with it after another did within 40 ms
        // (a voice's frame lines up with any offset now and then, alone).
        let aligned = (window..looked_up).rev().find(|&f| {
            self.votes_for(f, &[offset])
                && (f.saturating_sub(2)..f).any(|g| self.votes_for(g, &[offset]))
        })?;
        // Audio, not a line's noise read as speech: within 15 dB of the loop's recorded
        // speech (−35 dBFS before it is measured).
        let replacing_dbfs = self
            .loop_speech_dbfs
            .map_or(REPLACING_MIN_DBFS, |l| l - REPLACING_BELOW_SPEECH_DB);
        // Other audio with landmarks of its own (none lining up) replaced the recording before
        // the onset: count only the quiet after it, and only a long one (a pause inside that
        // audio is short). Audio, not quiet: a frame the cut below would count as quiet (the
        // noise of an agent's line, with landmarks of its own: seed 3 `irs-individual` call
        // 92, a noise frame 100 ms before the agent's first word left 80 ms of a 560 ms cut)
        // replaces nothing. The recording's own fading tail (its first 100 ms after the last
        // frame that lined up) lines up no more either, and replaces nothing.
        let replaced = (aligned + 1 + RECORDING_TAIL_FRAMES..onset)
            .rev()
            .find(|&f| {
                let (frame, _, informative) = &self.frame_offsets[(f as usize) % RECORD_FRAMES];
                *frame == f
                    && *informative >= REPLACED_MIN_LANDMARKS
                    && !self.votes_for(f, &[offset])
                    && self.record(f).is_some_and(|r| {
                        r.energy_dbfs >= replacing_dbfs
                            && matches!(r.class, FrameClass::Speech | FrameClass::Music)
                    })
            });
        let from = replaced.map_or(aligned + 1, |f| f + 1);
        // Cut where its copy sounds, speech or music, as the library marked it (not by the
        // class of the last frame that lined up: a sung track reads as speech, a fading one
        // as a tone).
        let cut = (from..onset)
            .filter(|&f| {
                let Some(class) = self.record(f).map(|r| r.class) else {
                    return false;
                };
                let known = self.copy_tag(f, offset);
                match class {
                    FrameClass::Silence | FrameClass::Noise => self.library.sounds_at(known),
                    // A tone where the copy plays music is the track's own held note (or the
                    // loop fading it out for its next clip), not the line gone quiet.
                    FrameClass::Tone => self.library.speaks_at(known),
                    _ => false,
                }
            })
            .count() as u32;
        if replaced.is_some() && cut < SILENCED_AFTER_OTHER_AUDIO_FRAMES {
            return Some((0, true));
        }
        Some((cut, replaced.is_some()))
    }

    /// Where the recording recognised before the onset (`offset`, the running offset) speaks
    /// in its library copy during the candidate (±1 frame, as [`LegDetector::copy_mute_at`]),
    /// the line's own landmarks there: (frames, informative landmarks) over the candidate's
    /// looked-up anchors (from onset + 2 frames to `t` − [`ZONE_FRAMES`]). The copy's music
    /// (marked music, or a sung line a leg marked speech where it marked music too) does not
    /// count: a clip replaces the music.
    fn copy_speech_under(&self, cand: &Candidate, t: u64, offset: u32) -> (u32, u32) {
        let last = (t + 1).saturating_sub(ZONE_FRAMES as u64);
        let mut frames = 0;
        let mut landmarks = 0;
        for f in cand.onset_frame + CANDIDATE_SKIP_FRAMES..last {
            let (frame, _, informative) = &self.frame_offsets[(f as usize) % RECORD_FRAMES];
            if *frame != f {
                continue;
            }
            let known = self.copy_tag(f, offset);
            if !self.copy_mute_at(f, offset) && !self.library.plays_music_at(known) {
                frames += 1;
                landmarks += informative;
            }
        }
        (frames, landmarks)
    }

    fn evidence(&mut self, cand: &Candidate, t: u64) -> LiveEvidence {
        let mut hits = 0u32;
        for f in cand.onset_frame + CANDIDATE_SKIP_FRAMES..=t {
            if let Some(r) = self.record(f) {
                hits += r.library_hits as u32;
            }
        }
        let consistent = self.candidate_votes.best_votes();
        let hashes = self.candidate_votes.landmarks();
        let floor_change_db = if cand.floor_len > 0 {
            let mut sorted = cand.floor_energies;
            sorted[..cand.floor_len].sort_by(f32::total_cmp);
            // Low percentile: the floor, not decay tails or breaths.
            let floor = sorted[cand.floor_len / 4];
            self.loop_floor_dbfs.map(|l| floor - l)
        } else {
            None
        };
        let speech = cand.speech_class_frames.max(1) as f32;
        let sounding = cand.sounding_frames.max(1) as f32;
        let level = cand.speech_energy_sum / speech;
        let tilt = cand.speech_tilt_sum / speech;
        LiveEvidence {
            elapsed_ms: ((t + 1 - cand.onset_frame) * 20) as u32,
            voiced_ms: cand.speech_frames * 20,
            library_hashes: hashes,
            library_hits: hits,
            library_consistent_hits: consistent,
            loop_coverage: cand.coverage,
            after_music: cand.after_music,
            gap_ms: cand.gap_frames * 20,
            held_partial_ratio: cand.held_sum / sounding,
            mean_flux: cand.flux_sum / sounding,
            floor_change_db,
            click: cand.click,
            level_change_db: self.loop_speech_dbfs.map(|l| level - l),
            tilt_change_db: self.loop_speech_tilt_db.map(|l| tilt - l),
            after_recorded_speech: cand.after_recorded,
            after_library_match: cand.after_library,
            after_unknown_speech: cand.after_unknown,
            block_level_change_db: if cand.after_recorded {
                self.block_speech_dbfs.map(|b| level - b)
            } else {
                None
            },
            speech_tail: cand.tail,
            recording_cut_ms: cand.recording_cut_frames.map(|f| f * 20),
            track_pause: cand.track_pause,
            running_votes: self
                .recording_before(cand)
                .map(|o| self.candidate_votes.votes_at(o)),
            copy_speech: cand.running_offset.map(|o| {
                let (frames, landmarks) = self.copy_speech_under(cand, t, o);
                CopySpeech {
                    ms: frames * 20,
                    landmarks,
                }
            }),
            copy_resumes_ms: cand.copy_resumes_frames.map(|f| f * 20),
            quiet_after_ms: if cand.music_after {
                0
            } else {
                cand.quiet_run * 20
            },
            score: 0.0,
            rejection: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A leg on hold that has heard `frames` frames of digital silence.
    fn after_silence(frames: usize) -> LegDetector {
        let mut leg = LegDetector::new(DetectorConfig::default(), Arc::new(LoopLibrary::new()));
        leg.mark_hold();
        let silent = [0xFFu8; 160];
        for _ in 0..frames {
            leg.push_ulaw(&silent);
        }
        leg
    }

    /// Where the last candidate judged a known recording lined up is kept for 2 s
    /// ([`PRE_ONSET_FRAMES`]) and weighed as the recording going on (seed 3, `irs-pps` call 46:
    /// the line's recognition still named the announcement before the track).
    #[test]
    fn a_vetoed_recording_is_the_recording_before_for_2_s() {
        let mut leg = after_silence(300);
        let t = leg.frame - 1;
        let offset = 0x0010_0000;
        leg.last_vetoed = Some((t - PRE_ONSET_FRAMES, offset));
        assert_eq!(leg.open_candidate(t).vetoed_offset, Some(offset));
        leg.last_vetoed = Some((t - PRE_ONSET_FRAMES - 1, offset));
        assert_eq!(leg.open_candidate(t).vetoed_offset, None);
    }
}
