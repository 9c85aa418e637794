//! Live-agent detection on G.711 mu-law call audio, in media time.
//!
//! Hold Hunter waits on hold and must notice, within 300 ms, the moment a live agent starts
//! speaking on a call that is otherwise IVR prompts, hold music and recorded announcements.
//! This crate is pure computation: no I/O, no clock (time is counted in 8 kHz samples), no
//! async runtime. One [`LegDetector`] per leg; one [`LoopLibrary`] per destination shared by
//! every leg and job through `Arc` (persist it with [`LoopLibrary::drain_new_hashes`] and load
//! it back with [`LoopLibrary::extend`]).
//!
//! ```
//! use std::sync::Arc;
//! use holdhunter_detect::{DetectorConfig, LegDetector, LoopLibrary, Phase};
//!
//! let library = Arc::new(LoopLibrary::new());
//! let mut leg = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
//! let silence = [0xFFu8; 160]; // one 20 ms G.711 mu-law frame
//! assert!(leg.push_ulaw(&silence).is_none());
//! assert_eq!(leg.phase(), Phase::Ivr);
//! assert_eq!(leg.media_samples(), 160);
//! ```
//!
//! Modules: [`ulaw`] (G.711 decode), [`features`] (per-frame and slow features), [`classify`]
//! (speech / music / tone / silence / noise), [`fingerprint`] (landmark hashes, loop library),
//! [`leg`] (the state machine, verdicts, segment events).

pub mod classify;
pub mod features;
pub mod fingerprint;
pub mod leg;
pub mod ulaw;

pub use classify::{ClassifierConfig, FrameClass, FrameClassifier};
pub use features::{FRAME_SAMPLES, SAMPLE_RATE_HZ};
pub use fingerprint::{
    FINGERPRINT_VERSION, KnownMessages, LibraryEntry, LoopLibrary, MessageKind, RecordingPrint,
    fingerprint_clip, fingerprint_clip_entries,
};
pub use leg::evidence::Rejection;
pub use leg::{
    Cause, DetectorConfig, FrameRecord, LegDetector, LiveEvidence, Phase, SegmentEvent,
    SegmentKind, Verdict,
};
