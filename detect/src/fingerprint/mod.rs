//! Hold-loop fingerprinting: spectral-peak landmark hashes and the shared [`LoopLibrary`] of
//! hashes already heard on a destination's lines.

pub mod clip;
pub mod landmark;
pub mod library;

pub use clip::{fingerprint_clip, fingerprint_clip_entries};
pub use landmark::{FINGERPRINT_VERSION, LandmarkHasher, TripletKey, ZONE_FRAMES};
pub use library::{LEG_TIMELINE_FRAMES, LoopLibrary, UNKNOWN_TAG};
