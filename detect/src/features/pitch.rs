//! Pitch and voicing by normalized autocorrelation, searched over 70–400 Hz.

use super::SAMPLE_RATE_HZ;

/// Lowest pitch searched, in Hz.
pub const PITCH_MIN_HZ: f32 = 70.0;
/// Highest pitch searched, in Hz.
pub const PITCH_MAX_HZ: f32 = 400.0;
/// Shortest lag searched, in samples (400 Hz).
const MIN_LAG: usize = 20;
/// Longest lag searched, in samples (≈70 Hz).
const MAX_LAG: usize = 114;
/// Samples analysed: 40 ms.
pub const PITCH_WINDOW_SAMPLES: usize = 320;
const CORR_LEN: usize = PITCH_WINDOW_SAMPLES - MAX_LAG;

/// Result of one pitch estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PitchEstimate {
    /// Estimated fundamental in Hz (70–400), or 0.0 when nothing periodic was found.
    pub pitch_hz: f32,
    /// Normalized autocorrelation at the chosen lag, 0..1 (1 = perfectly periodic).
    pub voicing: f32,
}

/// Estimate pitch over the last [`PITCH_WINDOW_SAMPLES`] samples of `samples` (any scale).
/// Returns a zero estimate when fewer samples are given or the window is silent.
///
/// The smallest lag whose correlation reaches 85 % of the best is chosen, which avoids
/// reporting sub-octaves of a periodic signal.
pub fn estimate_pitch(samples: &[f32]) -> PitchEstimate {
    if samples.len() < PITCH_WINDOW_SAMPLES {
        return PitchEstimate::default();
    }
    let raw = &samples[samples.len() - PITCH_WINDOW_SAMPLES..];
    let mean = raw.iter().sum::<f32>() / PITCH_WINDOW_SAMPLES as f32;
    let mut x = [0f32; PITCH_WINDOW_SAMPLES];
    for (dst, &s) in x.iter_mut().zip(raw) {
        *dst = s - mean;
    }
    let head = &x[..CORR_LEN];
    let e0: f32 = head.iter().map(|v| v * v).sum();
    if e0 < 1e-9 {
        return PitchEstimate::default();
    }
    let mut e_lag: f32 = x[MIN_LAG..MIN_LAG + CORR_LEN].iter().map(|v| v * v).sum();
    let mut corr = [0f32; MAX_LAG + 2];
    let mut best = 0f32;
    for lag in MIN_LAG..=MAX_LAG {
        let shifted = &x[lag..lag + CORR_LEN];
        let dot: f32 = head.iter().zip(shifted).map(|(a, b)| a * b).sum();
        let normalized = dot / (e0 * e_lag).sqrt().max(1e-12);
        corr[lag] = normalized;
        best = best.max(normalized);
        // Slide the lagged energy window by one sample.
        let out = x[lag];
        let next = x.get(lag + CORR_LEN).copied().unwrap_or(0.0);
        e_lag = (e_lag - out * out + next * next).max(0.0);
    }
    if best <= 0.0 {
        return PitchEstimate::default();
    }
    let target = 0.85 * best;
    let mut chosen = 0;
    for lag in MIN_LAG..=MAX_LAG {
        let c = corr[lag];
        let left = if lag > MIN_LAG {
            corr[lag - 1]
        } else {
            f32::MIN
        };
        let right = if lag < MAX_LAG {
            corr[lag + 1]
        } else {
            f32::MIN
        };
        if c >= target && c >= left && c >= right {
            chosen = lag;
            break;
        }
    }
    if chosen == 0 {
        return PitchEstimate::default();
    }
    // Parabolic interpolation around the chosen lag.
    let mut lag = chosen as f32;
    if chosen > MIN_LAG && chosen < MAX_LAG {
        let (a, b, c) = (corr[chosen - 1], corr[chosen], corr[chosen + 1]);
        let denom = a - 2.0 * b + c;
        if denom.abs() > 1e-9 {
            lag += (0.5 * (a - c) / denom).clamp(-0.5, 0.5);
        }
    }
    PitchEstimate {
        pitch_hz: SAMPLE_RATE_HZ as f32 / lag,
        voicing: corr[chosen].clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulse_train(pitch_hz: f32, len: usize) -> Vec<f32> {
        // A band-limited harmonic tone (harmonics 1..8) like voiced speech.
        (0..len)
            .map(|n| {
                let t = n as f32 / SAMPLE_RATE_HZ as f32;
                (1..=8)
                    .map(|h| (std::f32::consts::TAU * pitch_hz * h as f32 * t).sin() / h as f32)
                    .sum()
            })
            .collect()
    }

    #[test]
    fn finds_the_fundamental_of_harmonic_tones() {
        for pitch in [85.0f32, 120.0, 180.0, 250.0, 350.0] {
            let est = estimate_pitch(&pulse_train(pitch, 400));
            assert!(
                (est.pitch_hz - pitch).abs() / pitch < 0.02,
                "{pitch}: {est:?}"
            );
            assert!(est.voicing > 0.9, "{pitch}: {est:?}");
        }
    }

    #[test]
    fn noise_and_silence_are_unvoiced() {
        let mut state = 0x1234_5678u32;
        let noise: Vec<f32> = (0..400)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state as f32 / u32::MAX as f32) - 0.5
            })
            .collect();
        assert!(estimate_pitch(&noise).voicing < 0.4);
        assert_eq!(estimate_pitch(&[0.0; 400]), PitchEstimate::default());
    }
}
