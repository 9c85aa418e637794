//! Fingerprint a whole clip at once, e.g. to seed a library with a known recording (a challenge
//! prompt for [`DetectorConfig::challenge_library`](crate::DetectorConfig)).

use super::landmark::LandmarkHasher;
use crate::classify::ClassifierConfig;
use crate::features::{FRAME_SAMPLES, FeatureExtractor};

/// Landmark hashes of 8 kHz linear PCM, deduplicated and sorted. Frames below the default
/// silence level (−50 dBFS) contribute no peaks, as in [`LegDetector`](crate::LegDetector).
pub fn fingerprint_clip(pcm: &[i16]) -> Vec<u64> {
    let silence_dbfs = ClassifierConfig::default().silence_dbfs;
    let mut extractor = FeatureExtractor::new();
    let mut hasher = LandmarkHasher::new();
    let mut out = Vec::new();
    for frame in pcm.chunks(FRAME_SAMPLES) {
        let features = extractor.push(frame);
        let peaks = if features.energy_dbfs < silence_dbfs {
            &[][..]
        } else {
            extractor.peaks()
        };
        out.extend(hasher.push(peaks).iter().map(|k| k.hash()));
    }
    out.sort_unstable();
    out.dedup();
    out
}
