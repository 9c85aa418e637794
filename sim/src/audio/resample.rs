//! Resampling to the telephone rate (8 kHz) with a windowed-sinc low-pass interpolator.

/// The telephone sample rate in Hz (G.711).
pub const TELEPHONE_RATE_HZ: u32 = 8000;

/// Resample mono 16-bit `input` from `from_hz` to `to_hz`.
///
/// Band-limits to 0.45 x the lower rate (Hann-windowed sinc, 16 zero crossings each side).
/// Meant for loading assets once, not for the per-frame path.
pub fn resample(input: &[i16], from_hz: u32, to_hz: u32) -> Vec<i16> {
    if from_hz == to_hz || input.is_empty() {
        return input.to_vec();
    }
    let ratio = to_hz as f64 / from_hz as f64;
    let out_len = ((input.len() as f64) * ratio).floor() as usize;
    let cutoff = 0.45 * (from_hz.min(to_hz) as f64) / from_hz as f64; // cycles per input sample
    let half_taps = (16.0 / (2.0 * cutoff)).ceil() as isize;
    let mut out = Vec::with_capacity(out_len);
    for n in 0..out_len {
        let t = n as f64 / ratio;
        let center = t.floor() as isize;
        let mut acc = 0.0;
        let mut norm = 0.0;
        for k in (center - half_taps + 1)..=(center + half_taps) {
            if k < 0 || k as usize >= input.len() {
                continue;
            }
            let x = t - k as f64;
            let sinc = if x.abs() < 1e-12 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * x).sin() / (std::f64::consts::PI * x)
            };
            let w = 0.5 + 0.5 * (std::f64::consts::PI * x / half_taps as f64).cos();
            let h = sinc * w;
            acc += h * input[k as usize] as f64;
            norm += h;
        }
        let v = if norm.abs() > 1e-9 { acc / norm } else { 0.0 };
        out.push(v.round().clamp(-32768.0, 32767.0) as i16);
    }
    out
}

/// Resample to 8 kHz.
pub fn resample_to_telephone(input: &[i16], from_hz: u32) -> Vec<i16> {
    resample(input, from_hz, TELEPHONE_RATE_HZ)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::level::rms_dbfs;

    #[test]
    fn downsample_keeps_in_band_tone_and_removes_out_of_band() {
        let tone = |f: f64| -> Vec<i16> {
            (0..16000)
                .map(|i| {
                    ((2.0 * std::f64::consts::PI * f * i as f64 / 16000.0).sin() * 10000.0) as i16
                })
                .collect()
        };
        let low = resample_to_telephone(&tone(1000.0), 16000);
        assert_eq!(low.len(), 8000);
        assert!((rms_dbfs(&low[100..7900]) - rms_dbfs(&tone(1000.0))).abs() < 0.5);
        let high = resample_to_telephone(&tone(6000.0), 16000);
        assert!(rms_dbfs(&high[100..7900]) < rms_dbfs(&tone(6000.0)) - 30.0);
    }
}
