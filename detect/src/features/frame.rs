//! Per-frame features: one call per 20 ms frame, no allocation after construction.

use std::sync::{Arc, OnceLock};

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use super::pitch::{PitchEstimate, estimate_pitch};
use super::{BIN_HZ, FFT_LEN, FRAME_SAMPLES, SPECTRUM_BINS, hz_to_bin};

/// Most spectral peaks kept per frame (strongest first).
pub const MAX_PEAKS: usize = 5;
/// Lowest bin of the analysis band (≈80 Hz).
pub(crate) const BAND_LO_BIN: usize = hz_to_bin(80);
/// Highest bin of the analysis band (≈3700 Hz; G.711 lines pass 300–3400 Hz).
pub(crate) const BAND_HI_BIN: usize = hz_to_bin(3700);
const TILT_SPLIT_BIN: usize = hz_to_bin(1000);
const TILT_LO_BIN: usize = hz_to_bin(100);
const TILT_HI_BIN: usize = hz_to_bin(3400);
/// A peak counts as a held partial once it stayed on the same bin this many frames (80 ms).
pub const STABLE_PARTIAL_FRAMES: u8 = 4;
/// Peaks weaker than this below the frame's strongest peak are ignored (dB).
const PEAK_RANGE_DB: f32 = 30.0;
/// Floor for energies, in dBFS (digital silence).
pub const ENERGY_FLOOR_DBFS: f32 = -100.0;

/// One spectral peak: a local maximum of the power spectrum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpectralPeak {
    /// Spectrum bin (multiply by [`BIN_HZ`](super::BIN_HZ) for Hz).
    pub bin: u16,
    /// Power (linear, relative to a full-scale windowed sine).
    pub power: f32,
    /// Consecutive frames this peak has sat on this bin (1 = new this frame).
    pub age_frames: u8,
}

/// Features of one 20 ms frame. Spectral values describe the 64 ms window ending with the frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameFeatures {
    /// RMS level of the frame's 160 samples, dB relative to full scale (floor −100 dBFS).
    pub energy_dbfs: f32,
    /// Sign changes per sample, 0..1.
    pub zero_crossing_rate: f32,
    /// Power-weighted mean frequency over 80–3700 Hz, in Hz.
    pub spectral_centroid_hz: f32,
    /// Power in 1000–3400 Hz over power in 100–1000 Hz, in dB (speech ≈ −10..−25).
    pub spectral_tilt_db: f32,
    /// Geometric over arithmetic mean of power over 80–3700 Hz, 0..1 (white noise ≈ 0.5–0.6,
    /// a pure tone ≈ 0).
    pub spectral_flatness: f32,
    /// Euclidean distance between this and the previous frame's unit-norm magnitude spectra,
    /// scaled to 0..1.
    pub spectral_flux: f32,
    /// Share of band power within ±2 bins of the two strongest peaks, 0..1 (tones ≈ 1).
    pub peak_concentration: f32,
    /// Number of peaks kept this frame (≤ [`MAX_PEAKS`]).
    pub peak_count: u8,
    /// Peaks that stayed on the same bin ≥ [`STABLE_PARTIAL_FRAMES`] frames (held notes).
    pub stable_partials: u8,
    /// Bin of the strongest peak (0 when there is none).
    pub top_peak_bin: u16,
    /// Pitch in Hz (70–400), 0.0 when unvoiced.
    pub pitch_hz: f32,
    /// Normalized autocorrelation strength at the pitch lag, 0..1.
    pub voicing: f32,
}

fn shared_fft() -> Arc<dyn RealToComplex<f32>> {
    static PLAN: OnceLock<Arc<dyn RealToComplex<f32>>> = OnceLock::new();
    PLAN.get_or_init(|| RealFftPlanner::<f32>::new().plan_fft_forward(FFT_LEN))
        .clone()
}

/// Computes [`FrameFeatures`] frame after frame. Holds the last 64 ms of audio, a shared FFT
/// plan and preallocated buffers: [`FeatureExtractor::push`] never allocates.
pub struct FeatureExtractor {
    history: Vec<f32>,
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    fft_in: Vec<f32>,
    fft_out: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    power: Vec<f32>,
    magnitude: Vec<f32>,
    prev_magnitude: Vec<f32>,
    peaks: [SpectralPeak; MAX_PEAKS],
    peak_len: usize,
    prev_peaks: [SpectralPeak; MAX_PEAKS],
    prev_peak_len: usize,
    power_scale: f32,
}

impl Default for FeatureExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl FeatureExtractor {
    /// New extractor with an all-silent history.
    pub fn new() -> Self {
        let fft = shared_fft();
        let window: Vec<f32> = (0..FFT_LEN)
            .map(|n| 0.5 - 0.5 * (std::f32::consts::TAU * n as f32 / FFT_LEN as f32).cos())
            .collect();
        // Normalize so that a full-scale sine centred on a bin has peak power ≈ 1.
        let window_sum: f32 = window.iter().sum();
        let power_scale = 4.0 / (window_sum * window_sum);
        FeatureExtractor {
            history: vec![0.0; FFT_LEN],
            window,
            fft_in: fft.make_input_vec(),
            fft_out: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            power: vec![0.0; SPECTRUM_BINS],
            magnitude: vec![0.0; SPECTRUM_BINS],
            prev_magnitude: vec![0.0; SPECTRUM_BINS],
            peaks: [SpectralPeak::default(); MAX_PEAKS],
            peak_len: 0,
            prev_peaks: [SpectralPeak::default(); MAX_PEAKS],
            prev_peak_len: 0,
            power_scale,
        }
    }

    /// Forget all history (after a media gap).
    pub fn reset(&mut self) {
        self.history.fill(0.0);
        self.prev_magnitude.fill(0.0);
        self.peak_len = 0;
        self.prev_peak_len = 0;
    }

    /// Spectral peaks of the last frame, strongest first.
    pub fn peaks(&self) -> &[SpectralPeak] {
        &self.peaks[..self.peak_len]
    }

    /// Power spectrum of the last frame ([`SPECTRUM_BINS`] values).
    pub fn power_spectrum(&self) -> &[f32] {
        &self.power
    }

    /// Analyse one frame of 160 linear samples (shorter frames are zero-padded, extra samples
    /// ignored).
    pub fn push(&mut self, frame: &[i16]) -> FrameFeatures {
        let n = frame.len().min(FRAME_SAMPLES);
        self.history.copy_within(FRAME_SAMPLES.., 0);
        let tail = &mut self.history[FFT_LEN - FRAME_SAMPLES..];
        for (dst, &s) in tail.iter_mut().zip(frame[..n].iter()) {
            *dst = s as f32 / 32768.0;
        }
        tail[n..].fill(0.0);

        let mut features = FrameFeatures::default();
        let mut sum_sq = 0f32;
        let mut crossings = 0u32;
        for pair in tail.windows(2) {
            if (pair[0] >= 0.0) != (pair[1] >= 0.0) {
                crossings += 1;
            }
        }
        for &s in tail.iter() {
            sum_sq += s * s;
        }
        features.energy_dbfs = power_to_db(sum_sq / FRAME_SAMPLES as f32);
        features.zero_crossing_rate = crossings as f32 / (FRAME_SAMPLES - 1) as f32;

        self.spectrum();
        self.spectral_shape(&mut features);
        self.find_peaks(&mut features);

        let PitchEstimate { pitch_hz, voicing } = estimate_pitch(&self.history);
        features.pitch_hz = pitch_hz;
        features.voicing = voicing;
        features
    }

    fn spectrum(&mut self) {
        for ((dst, &s), &w) in self.fft_in.iter_mut().zip(&self.history).zip(&self.window) {
            *dst = s * w;
        }
        // Lengths come from the plan itself, so this cannot fail.
        let _ =
            self.fft
                .process_with_scratch(&mut self.fft_in, &mut self.fft_out, &mut self.scratch);
        for (p, c) in self.power.iter_mut().zip(&self.fft_out) {
            *p = c.norm_sqr() * self.power_scale;
        }
    }

    fn spectral_shape(&mut self, f: &mut FrameFeatures) {
        const EPS: f32 = 1e-12;
        let band = &self.power[BAND_LO_BIN..=BAND_HI_BIN];
        let total: f32 = band.iter().sum();
        let weighted: f32 = band
            .iter()
            .enumerate()
            .map(|(i, p)| (i + BAND_LO_BIN) as f32 * p)
            .sum();
        f.spectral_centroid_hz = if total > EPS {
            weighted / total * BIN_HZ
        } else {
            0.0
        };
        let lo: f32 = self.power[TILT_LO_BIN..TILT_SPLIT_BIN].iter().sum();
        let hi: f32 = self.power[TILT_SPLIT_BIN..=TILT_HI_BIN].iter().sum();
        f.spectral_tilt_db = 10.0 * ((hi + EPS) / (lo + EPS)).log10();

        let floor = total / band.len() as f32 * 1e-6 + EPS;
        let log_sum: f32 = band.iter().map(|p| (p + floor).ln()).sum();
        let geometric = (log_sum / band.len() as f32).exp();
        let arithmetic = total / band.len() as f32 + floor;
        f.spectral_flatness = (geometric / arithmetic).clamp(0.0, 1.0);

        let mut norm_sq = 0f32;
        for (m, &p) in self.magnitude.iter_mut().zip(self.power.iter()) {
            *m = p.sqrt();
            norm_sq += p;
        }
        let inv = if norm_sq > EPS {
            1.0 / norm_sq.sqrt()
        } else {
            0.0
        };
        let mut flux_sq = 0f32;
        for (m, prev) in self
            .magnitude
            .iter_mut()
            .zip(self.prev_magnitude.iter_mut())
        {
            *m *= inv;
            let d = *m - *prev;
            flux_sq += d * d;
            *prev = *m;
        }
        f.spectral_flux = (flux_sq.sqrt() / std::f32::consts::SQRT_2).clamp(0.0, 1.0);
    }

    fn find_peaks(&mut self, f: &mut FrameFeatures) {
        self.prev_peaks = self.peaks;
        self.prev_peak_len = self.peak_len;
        self.peak_len = 0;
        let p = &self.power;
        let band_max = p[BAND_LO_BIN..=BAND_HI_BIN]
            .iter()
            .copied()
            .fold(0f32, f32::max);
        if band_max < 1e-10 {
            return;
        }
        let band_total: f32 = p[BAND_LO_BIN..=BAND_HI_BIN].iter().sum();
        let mean = band_total / (BAND_HI_BIN - BAND_LO_BIN + 1) as f32;
        let threshold = (band_max * 10f32.powf(-PEAK_RANGE_DB / 10.0)).max(mean * 2.0);
        let mut peaks = [SpectralPeak::default(); MAX_PEAKS];
        let mut len = 0usize;
        for k in (BAND_LO_BIN + 2)..=(BAND_HI_BIN - 2) {
            let v = p[k];
            if v < threshold || v <= p[k - 1] || v < p[k + 1] || v <= p[k - 2] || v < p[k + 2] {
                continue;
            }
            // Insert into the sorted (descending power) top list.
            let mut pos = len;
            while pos > 0 && peaks[pos - 1].power < v {
                pos -= 1;
            }
            if pos >= MAX_PEAKS {
                continue;
            }
            let end = len.min(MAX_PEAKS - 1);
            let mut i = end;
            while i > pos {
                peaks[i] = peaks[i - 1];
                i -= 1;
            }
            peaks[pos] = SpectralPeak {
                bin: k as u16,
                power: v,
                age_frames: 1,
            };
            len = (len + 1).min(MAX_PEAKS);
        }
        let mut stable = 0u8;
        for peak in peaks[..len].iter_mut() {
            if let Some(prev) = self.prev_peaks[..self.prev_peak_len]
                .iter()
                .find(|q| q.bin == peak.bin)
            {
                peak.age_frames = prev.age_frames.saturating_add(1);
            }
            if peak.age_frames >= STABLE_PARTIAL_FRAMES {
                stable += 1;
            }
        }
        self.peaks = peaks;
        self.peak_len = len;
        f.peak_count = len as u8;
        f.stable_partials = stable;
        f.top_peak_bin = if len > 0 { peaks[0].bin } else { 0 };
        let mut concentrated = 0f32;
        let mut covered = [false; SPECTRUM_BINS];
        for peak in peaks[..len.min(2)].iter() {
            let b = peak.bin as usize;
            for k in b - 2..=b + 2 {
                if !covered[k] {
                    covered[k] = true;
                    concentrated += p[k];
                }
            }
        }
        f.peak_concentration = (concentrated / band_total.max(1e-12)).clamp(0.0, 1.0);
    }
}

/// Convert a mean-square value (full scale sine = 0.5) to dBFS with a −100 dBFS floor.
pub(crate) fn power_to_db(mean_square: f32) -> f32 {
    if mean_square <= 1e-10 {
        ENERGY_FLOOR_DBFS
    } else {
        (10.0 * mean_square.log10()).max(ENERGY_FLOOR_DBFS)
    }
}
