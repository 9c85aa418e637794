//! Per-leg detection: the [`LegDetector`] state machine (IVR → HOLD → LIVE / NEEDS_HUMAN), its
//! configuration, verdicts with causes, and speech/music segment events for IVR navigation.

pub mod config;
pub mod detector;
pub mod evidence;
pub mod segment;
pub mod verdict;

pub use config::DetectorConfig;
pub use detector::{FrameRecord, LegDetector};
pub use evidence::LiveEvidence;
pub use segment::{SegmentEvent, SegmentKind};
pub use verdict::{Cause, Phase, Verdict};
