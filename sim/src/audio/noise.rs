//! Line noise (hiss) and clicks: cheap deterministic generators.

/// A tiny deterministic PRNG (xorshift64*) for per-sample noise; seeded from the call's ChaCha.
#[derive(Debug, Clone)]
pub struct NoiseRng(u64);

impl NoiseRng {
    /// New generator; a zero seed is replaced by a fixed non-zero constant.
    pub fn new(seed: u64) -> Self {
        NoiseRng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// Next uniform value in [-1, 1) as f32.
    #[inline]
    pub fn next_f32(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40; // 24 bits
        (v as f32 / (1u64 << 23) as f32) - 1.0
    }
}

/// Band-limited line hiss: white noise through a one-pole low-pass (about 3 kHz corner).
#[derive(Debug, Clone)]
pub struct Hiss {
    rng: NoiseRng,
    state: f32,
    amplitude: f32,
}

impl Hiss {
    /// Hiss at roughly `level_dbfs` RMS (e.g. -60.0), seeded deterministically.
    pub fn new(seed: u64, level_dbfs: f64) -> Self {
        // White uniform noise in [-1,1) has RMS 1/sqrt(3); the low-pass (a=0.6) keeps ~0.67 of it.
        let rms_target = super::level::FULL_SCALE * super::level::db_to_gain(level_dbfs);
        let amplitude = (rms_target / (0.577 * 0.67)) as f32;
        Hiss {
            rng: NoiseRng::new(seed),
            state: 0.0,
            amplitude,
        }
    }

    /// Next hiss sample (linear, 16-bit scale, not clamped).
    #[inline]
    pub fn next_sample(&mut self) -> f32 {
        let w = self.rng.next_f32();
        self.state += 0.6 * (w - self.state);
        self.state * self.amplitude
    }

    /// Add hiss to `buf` in place, saturating.
    pub fn add_to(&mut self, buf: &mut [i16]) {
        for s in buf.iter_mut() {
            let v = *s as f32 + self.next_sample();
            *s = v.clamp(-32768.0, 32767.0) as i16;
        }
    }
}

/// A handset/line click: a sharp decaying transient of `len_samples` at `peak` amplitude.
pub fn click(len_samples: usize, peak: i16, seed: u64) -> Vec<i16> {
    let mut rng = NoiseRng::new(seed);
    let len = len_samples.max(8);
    (0..len)
        .map(|i| {
            let env = (-(i as f32) / (len as f32 / 5.0)).exp();
            let polarity = if i < 3 { 1.0 } else { rng.next_f32() };
            (peak as f32 * env * polarity) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::level::rms_dbfs;

    #[test]
    fn hiss_level_is_close_to_requested() {
        let mut h = Hiss::new(7, -50.0);
        let mut buf = vec![0i16; 16000];
        h.add_to(&mut buf);
        let level = rms_dbfs(&buf);
        assert!((level + 50.0).abs() < 3.0, "hiss at {level} dBFS");
    }

    #[test]
    fn click_is_short_and_loud_at_start() {
        let c = click(80, 12000, 3);
        assert_eq!(c.len(), 80);
        assert!(c[0] > 10000);
        assert!(c[79].abs() < 1000);
    }
}
