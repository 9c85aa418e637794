//! Landmark hashes (Wang 2003, "Shazam" style): an anchor peak paired with later peaks in a
//! target zone, hash = (anchor bin, target bin, Δt in frames).
//!
//! Peaks are picked per frequency band ([`BANDS_HZ`]): in each band the strongest bin that is
//! a local maximum over ±2 bins and stands ≥ 6 dB above the band's mean. One peak per band
//! keeps formant and consonant structure in the hashes instead of only the strongest low
//! pitch harmonics (which every voice shares). A hash already emitted in the last
//! [`SUPPRESS_FRAMES`] frames is not emitted again, so a held vowel or note yields one hash
//! per pair, not a run of identical hashes that would line up with any other held sound.
//!
//! Hashes of an anchor are complete [`ZONE_FRAMES`] frames after it, so a hash always describes
//! audio 100–120 ms old. A repeat of a recording arrives with a different alignment to our
//! 20 ms frames (0–159 samples), which can move a Δt by one frame: lookups also try Δt ± 1
//! ([`Landmark::variants`]).

use crate::features::{BIN_HZ, SPECTRUM_BINS};

/// Version of the hash scheme and of the packed library entry. Persisted libraries must be
/// keyed by it (e.g. a Redis set `hh:loops:{destination}:v2`): entries of different versions
/// never match. v2: per-band peak pairs, (source, frame) occurrences.
pub const FINGERPRINT_VERSION: u32 = 2;

/// Reserved library key of a speech mark ([`LoopLibrary::mark_speech`](super::LoopLibrary::mark_speech)):
/// the mix of a packed value outside the 24-bit landmark space of this version, so no
/// landmark key ([`Landmark::key`], a bijective mix of that space) ever equals it.
pub const SPEECH_MARK_KEY: u32 = mix32((FINGERPRINT_VERSION ^ 0x80) << 24);
/// Reserved library key of a music mark ([`LoopLibrary::mark_music`](super::LoopLibrary::mark_music)),
/// outside the landmark space as [`SPEECH_MARK_KEY`] is, and distinct from it.
pub const MUSIC_MARK_KEY: u32 = mix32((FINGERPRINT_VERSION ^ 0x81) << 24);
/// Frames after the anchor in which target peaks are taken (5 × 20 ms = 100 ms).
pub const ZONE_FRAMES: usize = 5;
/// Frequency bands (Hz) in which one peak each is picked per frame.
pub const BANDS_HZ: [(f32, f32); 5] = [
    (250.0, 550.0),
    (550.0, 950.0),
    (950.0, 1500.0),
    (1500.0, 2200.0),
    (2200.0, 3400.0),
];
/// Peaks per frame (one per band at most).
pub const PEAKS_PER_FRAME: usize = BANDS_HZ.len();
/// Targets paired with one anchor peak (nearest in time first).
const FAN_OUT: usize = 3;
/// Largest frequency distance between anchor and target, in bins (≈ 1 kHz).
const MAX_BIN_DISTANCE: i32 = 64;
/// A peak must exceed the band's mean power by this factor (6 dB).
const PEAK_PROMINENCE: f32 = 4.0;
/// Peaks weaker than this below the frame's strongest peak are ignored (35 dB).
const PEAK_RANGE: f32 = 3.2e-4;
/// A hash emitted within this many anchor frames is not emitted again.
pub const SUPPRESS_FRAMES: usize = 6;
const RING: usize = ZONE_FRAMES + 1;
/// Most landmarks produced for one anchor frame.
pub const MAX_LANDMARKS_PER_FRAME: usize = PEAKS_PER_FRAME * FAN_OUT;

/// One landmark: an anchor peak and one target peak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Landmark {
    /// Anchor peak bin.
    pub anchor_bin: u8,
    /// Target peak bin.
    pub target_bin: u8,
    /// Frames from anchor to target (1..=ZONE_FRAMES).
    pub dt: u8,
}

impl Landmark {
    /// The 32-bit library key of this landmark (a bijective mix of the packed fields, so keys
    /// spread over shards and buckets).
    pub fn key(&self) -> u32 {
        let packed =
            (self.anchor_bin as u32) | (self.target_bin as u32) << 8 | (self.dt as u32) << 16;
        mix32(packed ^ (FINGERPRINT_VERSION << 24))
    }

    /// Keys of this landmark with Δt moved by 0, −1 and +1 frame (those within the zone), for
    /// lookups that tolerate another frame alignment. Exact key first; returns the count.
    pub fn variants(&self, out: &mut [u32; 3]) -> usize {
        out[0] = self.key();
        let mut n = 1;
        for d in [-1i8, 1] {
            let dt = self.dt as i8 + d;
            if dt >= 1 && dt <= ZONE_FRAMES as i8 {
                out[n] = Landmark {
                    dt: dt as u8,
                    ..*self
                }
                .key();
                n += 1;
            }
        }
        n
    }
}

/// Bijective 32-bit mixer (lowbias32).
const fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

/// Pick landmark peaks (one per band, see the module docs) from a power spectrum of
/// [`SPECTRUM_BINS`] values. Writes bins into `out` (low band first); returns the count.
pub fn pick_peaks(power: &[f32], out: &mut [u16; PEAKS_PER_FRAME]) -> usize {
    debug_assert_eq!(power.len(), SPECTRUM_BINS);
    let mut best = [(0usize, 0f32); PEAKS_PER_FRAME];
    let mut frame_max = 0f32;
    for (b, &(lo_hz, hi_hz)) in BANDS_HZ.iter().enumerate() {
        let lo = ((lo_hz / BIN_HZ) as usize).max(2);
        let hi = ((hi_hz / BIN_HZ) as usize).min(SPECTRUM_BINS - 3);
        let mut sum = 0f32;
        for &p in &power[lo..=hi] {
            sum += p;
        }
        let floor = PEAK_PROMINENCE * sum / (hi - lo + 1) as f32;
        for k in lo..=hi {
            let v = power[k];
            if v > best[b].1
                && v > floor
                && v > power[k - 1]
                && v >= power[k + 1]
                && v > power[k - 2]
                && v >= power[k + 2]
            {
                best[b] = (k, v);
            }
        }
        frame_max = frame_max.max(best[b].1);
    }
    let min_power = (frame_max * PEAK_RANGE).max(1e-11);
    let mut n = 0;
    for &(bin, v) in &best {
        if bin > 0 && v >= min_power {
            out[n] = bin as u16;
            n += 1;
        }
    }
    n
}

#[derive(Clone, Copy, Default)]
struct FramePeaks {
    bins: [u16; PEAKS_PER_FRAME],
    len: usize,
}

/// Turns per-frame peaks into pair landmarks. Fixed-size state, no allocation.
pub struct LandmarkHasher {
    ring: [FramePeaks; RING],
    frames: u64,
    recent: [[u32; MAX_LANDMARKS_PER_FRAME]; SUPPRESS_FRAMES],
    recent_len: [usize; SUPPRESS_FRAMES],
    out: [Landmark; MAX_LANDMARKS_PER_FRAME],
}

impl Default for LandmarkHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl LandmarkHasher {
    /// New hasher with an empty peak history.
    pub fn new() -> Self {
        LandmarkHasher {
            ring: [FramePeaks::default(); RING],
            frames: 0,
            recent: [[0; MAX_LANDMARKS_PER_FRAME]; SUPPRESS_FRAMES],
            recent_len: [0; SUPPRESS_FRAMES],
            out: [Landmark::default(); MAX_LANDMARKS_PER_FRAME],
        }
    }

    /// Forget peak history (after a media gap), so no landmark spans the gap.
    pub fn reset(&mut self) {
        self.ring = [FramePeaks::default(); RING];
        self.recent_len = [0; SUPPRESS_FRAMES];
    }

    /// Add the current frame's landmark peaks ([`pick_peaks`]; pass none for silent frames)
    /// and return the landmarks whose anchor is [`ZONE_FRAMES`] frames old.
    pub fn push(&mut self, peaks: &[u16]) -> &[Landmark] {
        let slot = (self.frames as usize) % RING;
        let anchor_index = self.frames;
        self.frames += 1;
        let mut fp = FramePeaks::default();
        for &bin in peaks.iter().take(PEAKS_PER_FRAME) {
            fp.bins[fp.len] = bin;
            fp.len += 1;
        }
        self.ring[slot] = fp;
        let recent_slot = (anchor_index as usize) % SUPPRESS_FRAMES;
        self.recent_len[recent_slot] = 0;
        if self.frames < RING as u64 {
            return &[];
        }
        let anchor = self.ring[(slot + 1) % RING];
        let mut n = 0;
        for &anchor_bin in &anchor.bins[..anchor.len] {
            let mut count = 0;
            let mut taken = [0u16; FAN_OUT];
            'zone: for dt in 1..=ZONE_FRAMES {
                let frame = self.ring[(slot + 1 + dt) % RING];
                for &bin in &frame.bins[..frame.len] {
                    let df = (bin as i32 - anchor_bin as i32).abs();
                    // A held partial pairs with itself, and a held target recurs at every
                    // Δt: both only say "something is held"; keep the nearest of each.
                    if df > MAX_BIN_DISTANCE
                        || df <= 1
                        || taken[..count]
                            .iter()
                            .any(|&b| (b as i32 - bin as i32).abs() <= 1)
                    {
                        continue;
                    }
                    taken[count] = bin;
                    let lm = Landmark {
                        anchor_bin: bin_u8(anchor_bin),
                        target_bin: bin_u8(bin),
                        dt: dt as u8,
                    };
                    count += 1;
                    let key = lm.key();
                    let seen = (0..SUPPRESS_FRAMES)
                        .any(|s| self.recent[s][..self.recent_len[s]].contains(&key))
                        || self.out[..n].contains(&lm);
                    if !seen {
                        self.out[n] = lm;
                        n += 1;
                    }
                    if count == FAN_OUT {
                        break 'zone;
                    }
                }
            }
        }
        for i in 0..n {
            self.recent[recent_slot][i] = self.out[i].key();
        }
        self.recent_len[recent_slot] = n;
        &self.out[..n]
    }
}

fn bin_u8(bin: u16) -> u8 {
    bin.min(255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landmarks_appear_once_the_zone_is_complete_and_repeats_are_suppressed() {
        let mut h = LandmarkHasher::new();
        for i in 0..ZONE_FRAMES {
            assert!(h.push(&[50 + i as u16, 80]).is_empty());
        }
        let out = h.push(&[60, 90]).to_vec();
        assert!(!out.is_empty());
        assert!(out.len() <= MAX_LANDMARKS_PER_FRAME);
        assert!(out.iter().all(|k| (1..=ZONE_FRAMES as u8).contains(&k.dt)));
        // A steady spectrum: the same pairs recur and are emitted only once.
        let mut h = LandmarkHasher::new();
        let mut total = 0;
        for _ in 0..40 {
            total += h.push(&[50, 80]).len();
        }
        // Unsuppressed: 2 per frame (≈ 70); suppressed: once per SUPPRESS_FRAMES.
        assert!(total <= 2 * (40 / SUPPRESS_FRAMES + 1), "{total}");
    }

    #[test]
    fn variants_include_the_exact_key_and_differ() {
        let lm = Landmark {
            anchor_bin: 40,
            target_bin: 50,
            dt: 1,
        };
        let mut out = [0u32; 3];
        assert_eq!(lm.variants(&mut out), 2);
        assert_eq!(out[0], lm.key());
        assert_ne!(out[0], out[1]);
        let lm = Landmark { dt: 3, ..lm };
        assert_eq!(lm.variants(&mut out), 3);
    }

    #[test]
    fn peaks_are_picked_per_band() {
        let mut power = vec![1e-9f32; SPECTRUM_BINS];
        // A strong low harmonic and a weaker formant peak higher up.
        power[30] = 1.0;
        power[100] = 1e-2;
        let mut out = [0u16; PEAKS_PER_FRAME];
        let n = pick_peaks(&power, &mut out);
        assert_eq!(&out[..n], &[30, 100]);
    }
}
