//! Levels: RMS in dBFS, gain, normalisation, and speech onset by short-time energy.

/// Full scale of a 16-bit sample, as used for dBFS.
pub const FULL_SCALE: f64 = 32768.0;

/// Convert decibels to a linear amplitude factor.
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// RMS level of `samples` in dBFS (full-scale sine is about -3 dBFS); -120.0 for silence/empty.
pub fn rms_dbfs(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return -120.0;
    }
    let sum: f64 = samples.iter().map(|&s| (s as f64) * (s as f64)).sum();
    let rms = (sum / samples.len() as f64).sqrt();
    if rms < 1e-9 {
        -120.0
    } else {
        (20.0 * (rms / FULL_SCALE).log10()).max(-120.0)
    }
}

/// Multiply `samples` by `gain_db` decibels in place, saturating at the 16-bit range.
pub fn apply_gain_db(samples: &mut [i16], gain_db: f64) {
    let g = db_to_gain(gain_db);
    for s in samples.iter_mut() {
        *s = ((*s as f64) * g).round().clamp(-32768.0, 32767.0) as i16;
    }
}

/// Scale `samples` so their active-speech RMS (10 ms windows above -50 dBFS) is `target_dbfs`.
/// Peaks are limited to -1 dBFS. Silence is left untouched.
pub fn normalize_active_rms(samples: &mut [i16], target_dbfs: f64) {
    let mut sum = 0f64;
    let mut n = 0usize;
    for w in samples.chunks(80) {
        if rms_dbfs(w) > -50.0 {
            sum += w.iter().map(|&s| (s as f64) * (s as f64)).sum::<f64>();
            n += w.len();
        }
    }
    if n == 0 {
        return;
    }
    let rms_db = 20.0 * (((sum / n as f64).sqrt()) / FULL_SCALE).log10();
    let peak = samples.iter().map(|&s| (s as i32).abs()).max().unwrap_or(0) as f64;
    let mut gain_db = target_dbfs - rms_db;
    if peak > 0.0 {
        let peak_room_db = 20.0 * ((FULL_SCALE * db_to_gain(-1.0)) / peak).log10();
        gain_db = gain_db.min(peak_room_db);
    }
    apply_gain_db(samples, gain_db);
}

/// Window length of the onset detector: 5 ms at 8 kHz.
pub const ONSET_WINDOW_SAMPLES: usize = 40;

/// Sample index of the first voiced sample of a speech clip, by short-time energy.
///
/// The clip is cut in 5 ms windows; the threshold is the louder of -50 dBFS and 30 dB below
/// the loudest window. The onset is the first sample, inside the first window above the
/// threshold (or the window before it), whose magnitude reaches the threshold RMS.
/// Returns `None` when nothing reaches the threshold.
pub fn speech_onset(samples: &[i16]) -> Option<usize> {
    let window_power = |w: &[i16]| -> f64 {
        w.iter().map(|&s| (s as f64) * (s as f64)).sum::<f64>() / w.len().max(1) as f64
    };
    let peak_power = samples
        .chunks(ONSET_WINDOW_SAMPLES)
        .map(window_power)
        .fold(0f64, f64::max);
    if peak_power <= 0.0 {
        return None;
    }
    let abs_floor = (FULL_SCALE * db_to_gain(-50.0)).powi(2);
    let threshold_power = abs_floor.max(peak_power * db_to_gain(-30.0).powi(2));
    let first = samples
        .chunks(ONSET_WINDOW_SAMPLES)
        .position(|w| window_power(w) >= threshold_power)?;
    let threshold_amp = threshold_power.sqrt();
    let from = first.saturating_sub(1) * ONSET_WINDOW_SAMPLES;
    let to = ((first + 1) * ONSET_WINDOW_SAMPLES).min(samples.len());
    let idx = samples[from..to]
        .iter()
        .position(|&s| (s as f64).abs() >= threshold_amp)
        .map(|i| from + i)
        .unwrap_or(first * ONSET_WINDOW_SAMPLES);
    Some(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rms_of_full_scale_square_is_zero_dbfs() {
        let sq: Vec<i16> = (0..800)
            .map(|i| if i % 2 == 0 { 32767 } else { -32767 })
            .collect();
        assert!(rms_dbfs(&sq).abs() < 0.01);
        assert_eq!(rms_dbfs(&[0; 100]), -120.0);
    }

    #[test]
    fn gain_changes_level_by_db() {
        let mut s: Vec<i16> = (0..800)
            .map(|i| ((i as f64 * 0.3).sin() * 8000.0) as i16)
            .collect();
        let before = rms_dbfs(&s);
        apply_gain_db(&mut s, -6.0);
        assert!((rms_dbfs(&s) - (before - 6.0)).abs() < 0.1);
    }

    #[test]
    fn onset_finds_first_loud_sample_after_silence() {
        let mut s = vec![0i16; 1000];
        s.extend((0..800).map(|i| ((i as f64 * 0.5).sin() * 10000.0) as i16));
        let onset = speech_onset(&s).unwrap();
        assert!((1000..1010).contains(&onset), "onset {onset}");
        assert_eq!(speech_onset(&[0; 500]), None);
    }
}
