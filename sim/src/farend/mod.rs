//! The far end of the RingCentral simulator: simulated destinations (IRS lines) and their call
//! audio. Contract with the platform: `.hh/FAREND_API.md`.
//!
//! The far end is pure and deterministic: no tokio, no wall clock, no I/O besides loading the
//! [`AudioBank`] once. Time advances only through [`FarEndCall::next_frame`] (20 ms, 160
//! samples of G.711 mu-law at 8 kHz). All randomness comes from ChaCha8 seeded by
//! (`FarEndConfig::seed`, `call_seed`).
//!
//! Time scale: drawn hold times (and the PPS "minutes into the call" wait) are divided by
//! `time_scale`; announcement intervals (30-90 s) are divided too but kept at >= 8 s so the
//! music/announcement loop still repeats within short holds; clips, rings, IVR timeouts and
//! the agent's patience are never scaled.

pub mod calendar;
pub mod call;
pub mod catalog;
pub mod config;
pub mod events;
pub mod model;
pub mod presets;
pub mod segment;
pub mod spec;

pub use crate::audio::AudioBank;
pub use calendar::{BusinessHours, federal_holiday, federal_holidays};
pub use call::FarEndCall;
pub use catalog::DestinationCatalog;
pub use config::FarEndConfig;
pub use events::{AudioLabel, CallTruth, FarEndEvent, FarEndFrame, FarEndHangupReason};
pub use model::{DestinationModel, call_rng};
pub use spec::{
    AgentSpec, DestinationSpec, HoldLoopSpec, IvrInput, IvrPlan, IvrStep, QueueSpec, RingSpec,
};

/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;

/// One frame of G.711 mu-law bytes.
pub type UlawFrame = [u8; FRAME_SAMPLES];
