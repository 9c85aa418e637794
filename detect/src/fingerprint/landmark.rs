//! Landmark hashes (Wang 2003, "Shazam" style) made of three spectral peaks: an anchor peak and
//! two later peaks within the next [`ZONE_FRAMES`] frames (80 ms). A triplet carries enough
//! bits (three 8-bit bins, two 3-bit time steps) that a library of millions of hashes still
//! rarely matches new audio by chance.
//!
//! Hashes of an anchor are complete [`ZONE_FRAMES`] frames after it, so a hash always describes
//! audio 80–100 ms old. A repeat of a recording arrives with a different alignment to our
//! 20 ms frames, so lookups also try each time step ±1 frame ([`TripletKey::variants`]).

use crate::features::SpectralPeak;

/// Version of the hash scheme. Persisted libraries must be keyed by it (e.g. a Redis set
/// `loop:{destination}:v1`): hashes of different versions never match.
pub const FINGERPRINT_VERSION: u32 = 1;
/// Frames after the anchor in which target peaks are taken (4 × 20 ms = 80 ms).
pub const ZONE_FRAMES: usize = 4;
/// Peaks per frame used for landmarks (strongest first).
const PEAKS_PER_FRAME: usize = 3;
/// Targets paired with one anchor (nearest in time first); triplets = pairs of targets.
const FAN_OUT: usize = 4;
/// Largest frequency distance between anchor and target, in bins (1 kHz).
const MAX_BIN_DISTANCE: i32 = 64;
const RING: usize = ZONE_FRAMES + 1;
/// Most triplets produced for one anchor frame.
pub const MAX_TRIPLETS_PER_FRAME: usize = PEAKS_PER_FRAME * FAN_OUT * (FAN_OUT - 1) / 2;

/// The un-hashed content of a triplet landmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TripletKey {
    /// Anchor peak bin.
    pub anchor_bin: u8,
    /// First target bin.
    pub first_bin: u8,
    /// Second target bin.
    pub second_bin: u8,
    /// Frames from anchor to the first target (1..=ZONE_FRAMES).
    pub first_dt: u8,
    /// Frames from anchor to the second target (first_dt..=ZONE_FRAMES).
    pub second_dt: u8,
}

impl TripletKey {
    /// The stored 64-bit hash (splitmix64 finalizer of the packed fields and the version).
    pub fn hash(&self) -> u64 {
        let packed = (self.anchor_bin as u64)
            | (self.first_bin as u64) << 8
            | (self.second_bin as u64) << 16
            | (self.first_dt as u64) << 24
            | (self.second_dt as u64) << 28
            | (FINGERPRINT_VERSION as u64) << 40;
        mix64(packed)
    }

    /// Hashes of this key with each time step moved by −1, 0 or +1 frame (at most 9), for
    /// lookups that tolerate a different frame alignment. Exact key first.
    pub fn variants(&self, out: &mut [u64; 9]) -> usize {
        out[0] = self.hash();
        let mut n = 1;
        for d1 in -1i8..=1 {
            for d2 in -1i8..=1 {
                if d1 == 0 && d2 == 0 {
                    continue;
                }
                let a = self.first_dt as i8 + d1;
                let b = self.second_dt as i8 + d2;
                if a < 1 || b < a || b > ZONE_FRAMES as i8 {
                    continue;
                }
                let key = TripletKey {
                    first_dt: a as u8,
                    second_dt: b as u8,
                    ..*self
                };
                out[n] = key.hash();
                n += 1;
            }
        }
        n
    }
}

fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Clone, Copy, Default)]
struct FramePeaks {
    bins: [u16; PEAKS_PER_FRAME],
    len: usize,
}

/// Turns per-frame spectral peaks into triplet landmarks. Fixed-size state, no allocation.
pub struct LandmarkHasher {
    ring: [FramePeaks; RING],
    frames: u64,
    out: [TripletKey; MAX_TRIPLETS_PER_FRAME],
}

impl Default for LandmarkHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl LandmarkHasher {
    /// New hasher with an empty peak history.
    pub fn new() -> Self {
        let zero = TripletKey {
            anchor_bin: 0,
            first_bin: 0,
            second_bin: 0,
            first_dt: 0,
            second_dt: 0,
        };
        LandmarkHasher {
            ring: [FramePeaks::default(); RING],
            frames: 0,
            out: [zero; MAX_TRIPLETS_PER_FRAME],
        }
    }

    /// Forget peak history (after a media gap), so no landmark spans the gap.
    pub fn reset(&mut self) {
        self.ring = [FramePeaks::default(); RING];
    }

    /// Add the current frame's peaks (strongest first; pass none for silent frames) and return
    /// the triplets whose anchor is [`ZONE_FRAMES`] frames old.
    pub fn push(&mut self, peaks: &[SpectralPeak]) -> &[TripletKey] {
        let slot = (self.frames as usize) % RING;
        self.frames += 1;
        let mut fp = FramePeaks::default();
        for p in peaks.iter().take(PEAKS_PER_FRAME) {
            fp.bins[fp.len] = p.bin;
            fp.len += 1;
        }
        self.ring[slot] = fp;
        if self.frames < RING as u64 {
            return &[];
        }
        let anchor = self.ring[(slot + 1) % RING];
        let mut n = 0;
        for &anchor_bin in &anchor.bins[..anchor.len] {
            // Targets nearest in time first, then by strength (peaks are sorted by power).
            let mut targets = [(0u8, 0u16); FAN_OUT];
            let mut count = 0;
            'zone: for dt in 1..=ZONE_FRAMES {
                let frame = self.ring[(slot + 1 + dt) % RING];
                for &bin in &frame.bins[..frame.len] {
                    if (bin as i32 - anchor_bin as i32).abs() <= MAX_BIN_DISTANCE {
                        targets[count] = (dt as u8, bin);
                        count += 1;
                        if count == FAN_OUT {
                            break 'zone;
                        }
                    }
                }
            }
            for i in 0..count {
                for j in i + 1..count {
                    let (a, b) = order(targets[i], targets[j]);
                    self.out[n] = TripletKey {
                        anchor_bin: bin_u8(anchor_bin),
                        first_bin: bin_u8(a.1),
                        second_bin: bin_u8(b.1),
                        first_dt: a.0,
                        second_dt: b.0,
                    };
                    n += 1;
                }
            }
        }
        &self.out[..n]
    }
}

fn order(a: (u8, u16), b: (u8, u16)) -> ((u8, u16), (u8, u16)) {
    if a <= b { (a, b) } else { (b, a) }
}

fn bin_u8(bin: u16) -> u8 {
    bin.min(255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peaks(bins: &[u16]) -> Vec<SpectralPeak> {
        bins.iter()
            .map(|&bin| SpectralPeak {
                bin,
                power: 1.0,
                age_frames: 1,
            })
            .collect()
    }

    #[test]
    fn triplets_appear_once_the_zone_is_complete() {
        let mut h = LandmarkHasher::new();
        for i in 0..ZONE_FRAMES {
            assert!(h.push(&peaks(&[50 + i as u16, 80])).is_empty());
        }
        let out = h.push(&peaks(&[60, 90])).to_vec();
        assert!(!out.is_empty());
        assert!(
            out.iter()
                .all(|k| k.first_dt >= 1 && k.second_dt >= k.first_dt)
        );
        assert!(out.len() <= MAX_TRIPLETS_PER_FRAME);
    }

    #[test]
    fn variants_include_the_exact_hash_and_differ() {
        let key = TripletKey {
            anchor_bin: 40,
            first_bin: 50,
            second_bin: 60,
            first_dt: 2,
            second_dt: 3,
        };
        let mut out = [0u64; 9];
        let n = key.variants(&mut out);
        assert_eq!(out[0], key.hash());
        // (3, 2) would put the second target before the first: skipped.
        assert_eq!(n, 8);
        let mut unique = out[..n].to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), n);
    }
}
