//! A small cascade formant synthesizer (Klatt-style resonators) driven by a list of phones.

use crate::audio::noise::NoiseRng;

const RATE: f32 = 8000.0;

/// One phone: a stretch of constant targets; formants glide between phones.
#[derive(Debug, Clone, Copy)]
pub struct Phone {
    /// Length in samples.
    pub len: usize,
    /// Voicing amplitude 0..1.
    pub voiced: f32,
    /// Frication/aspiration amplitude 0..1.
    pub noise: f32,
    /// Formant targets F1..F3 in Hz.
    pub formants: [f32; 3],
    /// Centre of the frication noise band in Hz.
    pub noise_hz: f32,
    /// F0 at the start and end of the phone in Hz (linear glide).
    pub f0_hz: (f32, f32),
    /// Vibrato depth as a fraction of F0 (0 for speech, ~0.02 for singing).
    pub vibrato: f32,
}

impl Phone {
    /// A silent phone (pause) of `len` samples.
    pub fn pause(len: usize) -> Phone {
        Phone {
            len,
            voiced: 0.0,
            noise: 0.0,
            formants: [500.0, 1500.0, 2500.0],
            noise_hz: 3000.0,
            f0_hz: (120.0, 120.0),
            vibrato: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Resonator {
    a: f32,
    b: f32,
    c: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    fn set(&mut self, f_hz: f32, bw_hz: f32) {
        let t = 1.0 / RATE;
        let c = -(-2.0 * std::f32::consts::PI * bw_hz * t).exp();
        let b = 2.0
            * (-std::f32::consts::PI * bw_hz * t).exp()
            * (2.0 * std::f32::consts::PI * f_hz * t).cos();
        self.a = 1.0 - b - c;
        self.b = b;
        self.c = c;
    }
    #[inline]
    fn run(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.y1 + self.c * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// Render phones to linear samples (unnormalised float, roughly within +-1).
pub fn render(phones: &[Phone], seed: u64) -> Vec<f32> {
    let total: usize = phones.iter().map(|p| p.len).sum();
    let mut out = Vec::with_capacity(total);
    let mut rng = NoiseRng::new(seed);
    let mut tract = [Resonator::default(); 3];
    let mut fric = Resonator::default();
    let bandwidths = [70.0, 100.0, 140.0];
    let mut cur_f = phones
        .first()
        .map(|p| p.formants)
        .unwrap_or([500.0, 1500.0, 2500.0]);
    let mut cur_voiced = 0.0f32;
    let mut cur_noise = 0.0f32;
    let mut phase = 0.0f32;
    let mut vib_phase = 0.0f32;
    let mut tilt = 0.0f32;
    let mut tilt2 = 0.0f32;
    for p in phones {
        for i in 0..p.len {
            if i % 32 == 0 {
                // Glide formants (about 15 ms time constant) and refresh coefficients.
                for k in 0..3 {
                    cur_f[k] += 0.6 * (p.formants[k] - cur_f[k]);
                    tract[k].set(cur_f[k], bandwidths[k]);
                }
                fric.set(p.noise_hz, 1200.0);
            }
            // Amplitude smoothing (~5 ms) avoids clicks at phone boundaries.
            cur_voiced += 0.006 * (p.voiced - cur_voiced);
            cur_noise += 0.01 * (p.noise - cur_noise);
            let frac = i as f32 / p.len.max(1) as f32;
            let mut f0 = p.f0_hz.0 + (p.f0_hz.1 - p.f0_hz.0) * frac;
            if p.vibrato > 0.0 {
                vib_phase += 5.5 / RATE;
                f0 *= 1.0 + p.vibrato * (2.0 * std::f32::consts::PI * vib_phase).sin();
            }
            phase += f0 / RATE;
            // Glottal source: a pulse per period, low-passed twice for spectral tilt.
            let pulse = if phase >= 1.0 {
                phase -= 1.0;
                1.0
            } else {
                0.0
            };
            tilt += 0.35 * (pulse - tilt);
            tilt2 += 0.5 * (tilt - tilt2);
            let source = tilt2 * 6.0 * cur_voiced + rng.next_f32() * 0.02 * cur_voiced;
            let mut v = source;
            for r in tract.iter_mut() {
                v = r.run(v);
            }
            let f = fric.run(rng.next_f32()) * cur_noise * 0.5;
            out.push(v + f);
        }
    }
    out
}

/// Convert float samples to i16 with the active-speech RMS at `target_dbfs`.
pub fn to_i16_normalized(samples: &[f32], target_dbfs: f64) -> Vec<i16> {
    let mut v: Vec<i16> = {
        let peak = samples.iter().fold(0f32, |m, &s| m.max(s.abs())).max(1e-9);
        samples
            .iter()
            .map(|&s| (s / peak * 16000.0) as i16)
            .collect()
    };
    crate::audio::level::normalize_active_rms(&mut v, target_dbfs);
    v
}
