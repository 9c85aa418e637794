//! Acoustic features of 20 ms frames of 8 kHz linear PCM.
//!
//! - [`frame`]: per-frame measures (energy, zero crossings, spectral shape, peaks, pitch).
//! - [`pitch`]: normalized-autocorrelation pitch and voicing in 70–400 Hz.
//! - [`context`]: slower measures over 0.5–2 s windows (4 Hz modulation, pitch stability,
//!   pauses, noise floor).

pub mod context;
pub mod frame;
pub mod pitch;

pub use context::{ContextFeatures, ContextTracker};
pub use frame::{FeatureExtractor, FrameFeatures, MAX_PEAKS, SpectralPeak};
pub use pitch::{PitchEstimate, estimate_pitch};

/// Sample rate of G.711 telephony audio, in Hz.
pub const SAMPLE_RATE_HZ: u32 = 8000;
/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;
/// Length of the analysis window and FFT, in samples (64 ms; the window slides by one frame).
pub const FFT_LEN: usize = 512;
/// Number of spectrum bins (DC to Nyquist).
pub const SPECTRUM_BINS: usize = FFT_LEN / 2 + 1;
/// Width of one spectrum bin, in Hz.
pub const BIN_HZ: f32 = SAMPLE_RATE_HZ as f32 / FFT_LEN as f32;

/// Convert a frequency in Hz to the nearest spectrum bin.
pub const fn hz_to_bin(hz: u32) -> usize {
    ((hz as usize * FFT_LEN) + (SAMPLE_RATE_HZ as usize / 2)) / SAMPLE_RATE_HZ as usize
}
