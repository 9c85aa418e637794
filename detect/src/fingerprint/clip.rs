//! Fingerprint a whole clip at once, e.g. to seed a library with a known recording (a challenge
//! prompt for [`DetectorConfig::challenge_library`](crate::DetectorConfig), see
//! [`LoopLibrary::learn_clip`](super::LoopLibrary::learn_clip)).

use super::landmark::{LandmarkHasher, PEAKS_PER_FRAME, ZONE_FRAMES, pick_peaks};
use crate::classify::ClassifierConfig;
use crate::features::{FRAME_SAMPLES, FeatureExtractor};

/// Landmark keys (as `u64`) of 8 kHz linear PCM, deduplicated and sorted. Frames below the
/// default silence level (−50 dBFS) contribute no peaks, as in [`LegDetector`](crate::LegDetector).
pub fn fingerprint_clip(pcm: &[i16]) -> Vec<u64> {
    let mut out: Vec<u64> = fingerprint_clip_entries(pcm)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Landmark keys of 8 kHz linear PCM with their anchor frame (20 ms frames from the clip's
/// start), in time order.
pub fn fingerprint_clip_entries(pcm: &[i16]) -> Vec<(u64, u64)> {
    let silence_dbfs = ClassifierConfig::default().silence_dbfs;
    let mut extractor = FeatureExtractor::new();
    let mut hasher = LandmarkHasher::new();
    let mut out = Vec::new();
    let mut peaks = [0u16; PEAKS_PER_FRAME];
    for (i, frame) in pcm.chunks(FRAME_SAMPLES).enumerate() {
        let features = extractor.push(frame);
        let n = if features.energy_dbfs < silence_dbfs {
            0
        } else {
            pick_peaks(extractor.power_spectrum(), &mut peaks)
        };
        let anchor = (i as u64).saturating_sub(ZONE_FRAMES as u64);
        out.extend(
            hasher
                .push(&peaks[..n])
                .iter()
                .map(|k| (k.key() as u64, anchor)),
        );
    }
    out
}

/// 20 ms frames (from the clip's start) at or above the default silence level (−50 dBFS): where
/// a spoken recording speaks, as [`LoopLibrary::learn_recording`](super::LoopLibrary::learn_recording)
/// marks it.
pub fn sounding_frames(pcm: &[i16]) -> Vec<u64> {
    let silence_dbfs = ClassifierConfig::default().silence_dbfs;
    let mut extractor = FeatureExtractor::new();
    pcm.chunks(FRAME_SAMPLES)
        .enumerate()
        .filter(|(_, frame)| extractor.push(frame).energy_dbfs >= silence_dbfs)
        .map(|(i, _)| i as u64)
        .collect()
}
