//! Slow features over the last 0.5–2 s of frames (Scheirer & Slaney style speech/music cues).

use super::frame::FrameFeatures;

/// Frames in the modulation and low-energy windows (1 s).
const MOD_FRAMES: usize = 50;
/// Frames in the pause and noise-floor windows (2 s).
const LONG_FRAMES: usize = 100;
/// Frames in the pitch-stability window (0.5 s).
const PITCH_FRAMES: usize = 25;
/// Frames in the held-partials window (0.2 s).
const PARTIAL_FRAMES: usize = 10;
/// Envelope modulation frequencies summed for the syllabic measure, in Hz (1 s window ⇒ 1 Hz bins).
const MOD_LO_HZ: usize = 2;
const MOD_HI_HZ: usize = 8;
/// A pitch step smaller than this (semitones per frame) counts as a held note.
const FLAT_PITCH_SEMITONES: f32 = 0.25;
/// A frame more than this below the loudest frame of the last 2 s is a dip (dB).
const DIP_DB: f32 = 20.0;
/// A pause is at least this many consecutive dip frames (60 ms).
const PAUSE_MIN_FRAMES: usize = 3;

/// Slow features; all ratios are 0..1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ContextFeatures {
    /// Depth of 2–8 Hz (syllabic, peak near 4 Hz) modulation of the amplitude envelope over the
    /// last 1 s, relative to its mean. Speech ≈ 0.3–0.8, sustained music or tones < 0.2.
    pub modulation_4hz: f32,
    /// Share of the last 1 s of frames whose RMS is below half the mean RMS (pauses).
    pub low_energy_ratio: f32,
    /// Among consecutive voiced frame pairs of the last 0.5 s, the share whose pitch moved less
    /// than 0.25 semitone (music holds notes; speech glides).
    pub pitch_flat_ratio: f32,
    /// Mean share of spectral peaks held on one bin ≥ 80 ms, over the last 0.2 s.
    pub held_partial_ratio: f32,
    /// Mean spectral flux over the last 0.2 s (speech ≈ 0.35–0.4, music ≈ 0.1–0.2).
    pub mean_flux: f32,
    /// Share of voiced frames in the last 1 s.
    pub voiced_ratio: f32,
    /// Number of pauses (≥ 60 ms, ≥ 20 dB below the loudest frame) in the last 2 s.
    pub pause_count: u8,
    /// Lowest frame energy of the last 2 s, in dBFS.
    pub noise_floor_dbfs: f32,
}

/// Maintains [`ContextFeatures`] from a stream of [`FrameFeatures`] (fixed-size rings, no
/// allocation per frame).
pub struct ContextTracker {
    amplitude: [f32; MOD_FRAMES],
    energy_db: [f32; LONG_FRAMES],
    pitch_hz: [f32; PITCH_FRAMES],
    held: [f32; PARTIAL_FRAMES],
    flux: [f32; PARTIAL_FRAMES],
    voiced: [bool; MOD_FRAMES],
    cos: [[f32; MOD_FRAMES]; MOD_HI_HZ - MOD_LO_HZ + 1],
    sin: [[f32; MOD_FRAMES]; MOD_HI_HZ - MOD_LO_HZ + 1],
    frames: u64,
    voicing_threshold: f32,
}

impl ContextTracker {
    /// New tracker; frames with voicing ≥ `voicing_threshold` and a pitch count as voiced.
    pub fn new(voicing_threshold: f32) -> Self {
        let mut cos = [[0f32; MOD_FRAMES]; MOD_HI_HZ - MOD_LO_HZ + 1];
        let mut sin = cos;
        for (i, hz) in (MOD_LO_HZ..=MOD_HI_HZ).enumerate() {
            for n in 0..MOD_FRAMES {
                let phase = std::f32::consts::TAU * hz as f32 * n as f32 / MOD_FRAMES as f32;
                cos[i][n] = phase.cos();
                sin[i][n] = phase.sin();
            }
        }
        ContextTracker {
            amplitude: [0.0; MOD_FRAMES],
            energy_db: [super::frame::ENERGY_FLOOR_DBFS; LONG_FRAMES],
            pitch_hz: [0.0; PITCH_FRAMES],
            held: [0.0; PARTIAL_FRAMES],
            flux: [0.0; PARTIAL_FRAMES],
            voiced: [false; MOD_FRAMES],
            cos,
            sin,
            frames: 0,
            voicing_threshold,
        }
    }

    /// Forget all history.
    pub fn reset(&mut self) {
        *self = ContextTracker::new(self.voicing_threshold);
    }

    /// Add one frame and return the updated context.
    pub fn push(&mut self, f: &FrameFeatures) -> ContextFeatures {
        let t = self.frames as usize;
        self.frames += 1;
        let voiced = f.voicing >= self.voicing_threshold && f.pitch_hz > 0.0;
        self.amplitude[t % MOD_FRAMES] = 10f32.powf(f.energy_dbfs / 20.0);
        self.energy_db[t % LONG_FRAMES] = f.energy_dbfs;
        self.pitch_hz[t % PITCH_FRAMES] = if voiced { f.pitch_hz } else { 0.0 };
        self.held[t % PARTIAL_FRAMES] = if f.peak_count > 0 {
            f.stable_partials as f32 / f.peak_count as f32
        } else {
            0.0
        };
        self.flux[t % PARTIAL_FRAMES] = f.spectral_flux;
        self.voiced[t % MOD_FRAMES] = voiced;

        let mut ctx = ContextFeatures::default();
        // Syllabic modulation: DFT of the (circular) 1 s envelope; magnitudes ignore rotation.
        let dc: f32 = self.amplitude.iter().sum();
        if dc > 1e-6 {
            let mut mod_power = 0f32;
            for (c, s) in self.cos.iter().zip(self.sin.iter()) {
                let mut re = 0f32;
                let mut im = 0f32;
                for ((a, cv), sv) in self.amplitude.iter().zip(c).zip(s) {
                    re += a * cv;
                    im += a * sv;
                }
                mod_power += re * re + im * im;
            }
            ctx.modulation_4hz = (2.0 * mod_power.sqrt() / dc).min(2.0);
            let half_mean = 0.5 * dc / MOD_FRAMES as f32;
            let low = self.amplitude.iter().filter(|&&a| a < half_mean).count();
            ctx.low_energy_ratio = low as f32 / MOD_FRAMES as f32;
        }

        // Pitch stability over consecutive voiced frames, in time order.
        let mut pairs = 0u32;
        let mut flat = 0u32;
        let start = (t + 1) % PITCH_FRAMES;
        let mut prev = 0f32;
        for i in 0..PITCH_FRAMES {
            let p = self.pitch_hz[(start + i) % PITCH_FRAMES];
            if p > 0.0 && prev > 0.0 {
                pairs += 1;
                if (12.0 * (p / prev).log2()).abs() < FLAT_PITCH_SEMITONES {
                    flat += 1;
                }
            }
            prev = p;
        }
        ctx.pitch_flat_ratio = if pairs >= 3 {
            flat as f32 / pairs as f32
        } else {
            0.0
        };
        ctx.held_partial_ratio = self.held.iter().sum::<f32>() / PARTIAL_FRAMES as f32;
        ctx.mean_flux = self.flux.iter().sum::<f32>() / PARTIAL_FRAMES as f32;
        ctx.voiced_ratio = self.voiced.iter().filter(|&&v| v).count() as f32 / MOD_FRAMES as f32;

        // Pauses and noise floor over 2 s, in time order.
        let loudest = self.energy_db.iter().copied().fold(f32::MIN, f32::max);
        ctx.noise_floor_dbfs = self.energy_db.iter().copied().fold(f32::MAX, f32::min);
        let dip_below = loudest - DIP_DB;
        let start = (t + 1) % LONG_FRAMES;
        let mut run = 0usize;
        let mut seen_sound = false;
        let mut pauses = 0u8;
        for i in 0..LONG_FRAMES {
            let e = self.energy_db[(start + i) % LONG_FRAMES];
            if e < dip_below {
                run += 1;
            } else {
                if run >= PAUSE_MIN_FRAMES && seen_sound {
                    pauses = pauses.saturating_add(1);
                }
                run = 0;
                seen_sound = true;
            }
        }
        ctx.pause_count = pauses;
        ctx
    }
}
