//! Fingerprint a whole clip at once, e.g. to seed a library with a known recording (a challenge
//! prompt for [`DetectorConfig::challenge_library`](crate::DetectorConfig)).

use super::landmark::{LandmarkHasher, ZONE_FRAMES};
use crate::classify::ClassifierConfig;
use crate::features::{FRAME_SAMPLES, FeatureExtractor};

/// Landmark hashes of 8 kHz linear PCM, deduplicated and sorted. Frames below the default
/// silence level (−50 dBFS) contribute no peaks, as in [`LegDetector`](crate::LegDetector).
pub fn fingerprint_clip(pcm: &[i16]) -> Vec<u64> {
    let mut out: Vec<u64> = fingerprint_clip_entries(pcm)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Landmark hashes of 8 kHz linear PCM with their tags: the anchor frame (20 ms frames from
/// the clip's start), in time order, for [`LoopLibrary::extend_entries`](super::LoopLibrary)
/// so repeats of the clip are recognised by time-consistent matches.
pub fn fingerprint_clip_entries(pcm: &[i16]) -> Vec<(u64, u64)> {
    let silence_dbfs = ClassifierConfig::default().silence_dbfs;
    let mut extractor = FeatureExtractor::new();
    let mut hasher = LandmarkHasher::new();
    let mut out = Vec::new();
    for (i, frame) in pcm.chunks(FRAME_SAMPLES).enumerate() {
        let features = extractor.push(frame);
        let peaks = if features.energy_dbfs < silence_dbfs {
            &[][..]
        } else {
            extractor.peaks()
        };
        let anchor = (i as u64).saturating_sub(ZONE_FRAMES as u64);
        out.extend(hasher.push(peaks).iter().map(|k| (k.hash(), anchor)));
    }
    out
}
