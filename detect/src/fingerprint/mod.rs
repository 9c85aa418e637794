//! Hold-loop fingerprinting: spectral-peak landmark hashes, the shared [`LoopLibrary`] of where
//! each was heard on a destination's lines, and [`OffsetVotes`], the time-offset histogram
//! that recognises a repeat of a recording.

pub mod clip;
pub mod known;
pub mod landmark;
pub mod library;
pub mod matcher;

pub use clip::{fingerprint_clip, fingerprint_clip_entries, sounding_frames};
pub use known::{KnownMessage, KnownMessages, MessageKind};
pub use landmark::{
    FINGERPRINT_VERSION, Landmark, LandmarkHasher, MAX_LANDMARKS_PER_FRAME, MUSIC_MARK_KEY,
    PEAKS_PER_FRAME, SPEECH_MARK_KEY, ZONE_FRAMES, pick_peaks,
};
pub use library::{FRAME_BITS, LibraryEntry, Lookup, LoopLibrary, RecordingPrint};
pub use matcher::{OffsetVotes, vote_landmark};
