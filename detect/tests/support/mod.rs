//! Deterministic synthetic audio for tests and the benchmark (8 kHz, 16-bit linear PCM):
//! tones, noise, chord music and formant-synthesized speech-like syllables with pitch
//! contours. Same seed, same samples.
#![allow(dead_code)]

use holdhunter_detect::ulaw::encode_ulaw;

pub const RATE: f32 = 8000.0;

/// xorshift64* PRNG.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    /// Uniform in [-1, 1).
    pub fn bipolar(&mut self) -> f32 {
        2.0 * self.unit() - 1.0
    }
}

pub fn samples(ms: u32) -> usize {
    (ms as usize) * 8
}

fn db_to_amp(dbfs: f32) -> f32 {
    32768.0 * 10f32.powf(dbfs / 20.0)
}

fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter()
        .map(|&v| v.round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// Scale to an RMS level in dBFS (a full-scale sine is −3 dBFS).
pub fn normalize(x: &mut [f32], rms_dbfs: f32) {
    let rms = (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt();
    if rms > 0.0 {
        let g = db_to_amp(rms_dbfs) / rms;
        x.iter_mut().for_each(|v| *v *= g);
    }
}

pub fn silence(ms: u32) -> Vec<i16> {
    vec![0; samples(ms)]
}

pub fn sine(ms: u32, hz: f32, rms_dbfs: f32) -> Vec<i16> {
    let amp = db_to_amp(rms_dbfs) * std::f32::consts::SQRT_2;
    to_i16(
        &(0..samples(ms))
            .map(|n| amp * (std::f32::consts::TAU * hz * n as f32 / RATE).sin())
            .collect::<Vec<_>>(),
    )
}

pub fn dual_tone(ms: u32, a_hz: f32, b_hz: f32, rms_dbfs: f32) -> Vec<i16> {
    let mut x: Vec<f32> = (0..samples(ms))
        .map(|n| {
            let t = n as f32 / RATE;
            (std::f32::consts::TAU * a_hz * t).sin() + (std::f32::consts::TAU * b_hz * t).sin()
        })
        .collect();
    normalize(&mut x, rms_dbfs);
    to_i16(&x)
}

pub fn white_noise(ms: u32, rms_dbfs: f32, seed: u64) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let mut x: Vec<f32> = (0..samples(ms)).map(|_| rng.bipolar()).collect();
    normalize(&mut x, rms_dbfs);
    to_i16(&x)
}

/// Instrumental music: three-note chords of harmonic tones (5 partials, slow decay), a chord
/// change every 0.5–1 s, and a melody note on top; deterministic from `seed`.
pub fn chord_music(ms: u32, rms_dbfs: f32, seed: u64) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let n = samples(ms);
    let mut x = vec![0f32; n];
    let roots = [196.0f32, 220.0, 246.9, 261.6, 293.7, 329.6];
    let mut start = 0usize;
    while start < n {
        let len = samples(rng.range(500.0, 1000.0) as u32).min(n - start);
        let root = roots[(rng.next_u64() % roots.len() as u64) as usize];
        let melody = root * [2.0f32, 2.52, 3.0][(rng.next_u64() % 3) as usize];
        for (i, ratio) in [1.0f32, 1.26, 1.5, 0.0].iter().enumerate() {
            let f0 = if i == 3 { melody } else { root * ratio };
            let gain = if i == 3 { 0.6 } else { 1.0 };
            for k in 0..len {
                let t = k as f32 / RATE;
                let env = gain * (1.0 - (-t * 40.0).exp()) * (-t * 0.8).exp();
                let mut v = 0.0;
                for h in 1..=5 {
                    let f = f0 * h as f32;
                    if f < 3600.0 {
                        v += (std::f32::consts::TAU * f * t).sin() / h as f32;
                    }
                }
                x[start + k] += env * v;
            }
        }
        start += len;
    }
    normalize(&mut x, rms_dbfs);
    to_i16(&x)
}

/// A synthetic talker: base pitch and formant scale.
#[derive(Clone, Copy, Debug)]
pub struct Voice {
    pub pitch_hz: f32,
    pub formant_scale: f32,
}

pub const VOICE_RECORDED: Voice = Voice {
    pitch_hz: 190.0,
    formant_scale: 1.12,
};
pub const VOICE_AGENT: Voice = Voice {
    pitch_hz: 115.0,
    formant_scale: 0.95,
};

/// Two-pole resonator.
struct Resonator {
    b1: f32,
    b2: f32,
    gain: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    fn new(freq: f32, bw: f32) -> Self {
        let r = (-std::f32::consts::PI * bw / RATE).exp();
        let b1 = 2.0 * r * (std::f32::consts::TAU * freq / RATE).cos();
        Resonator {
            b1,
            b2: -r * r,
            gain: 1.0 - r,
            y1: 0.0,
            y2: 0.0,
        }
    }
    fn retune(&mut self, freq: f32, bw: f32) {
        let r = (-std::f32::consts::PI * bw / RATE).exp();
        self.b1 = 2.0 * r * (std::f32::consts::TAU * freq / RATE).cos();
        self.b2 = -r * r;
        self.gain = 1.0 - r;
    }
    fn run(&mut self, x: f32) -> f32 {
        let y = self.gain * x + self.b1 * self.y1 + self.b2 * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

const VOWELS: [[f32; 3]; 6] = [
    [730.0, 1090.0, 2440.0],
    [270.0, 2290.0, 3010.0],
    [530.0, 1840.0, 2480.0],
    [570.0, 840.0, 2410.0],
    [300.0, 870.0, 2240.0],
    [660.0, 1720.0, 2410.0],
];

/// Speech-like audio: syllables of 120–280 ms (glottal pulse train through three formant
/// resonators gliding between vowels, pitch rising or falling ±20 % with declination), some
/// with a fricative onset, 20–60 ms between syllables and 150–350 ms pauses every 2–4.
pub fn speech(ms: u32, voice: Voice, rms_dbfs: f32, seed: u64) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let n = samples(ms);
    let mut x = vec![0f32; n];
    let mut pos = 0usize;
    let mut syllable = 0u32;
    let mut phrase_len = 2 + (rng.next_u64() % 3) as u32;
    let mut res = [
        Resonator::new(500.0, 80.0),
        Resonator::new(1500.0, 100.0),
        Resonator::new(2500.0, 120.0),
    ];
    while pos < n {
        // Optional fricative onset: differentiated noise.
        if rng.unit() < 0.5 {
            let len = samples(rng.range(40.0, 70.0) as u32).min(n - pos);
            let mut prev = 0.0;
            for k in 0..len {
                let w = rng.bipolar();
                x[pos + k] = 0.08 * (w - prev);
                prev = w;
            }
            pos += len;
        }
        let len = samples(rng.range(120.0, 280.0) as u32).min(n.saturating_sub(pos));
        let v0 = VOWELS[(rng.next_u64() % 6) as usize];
        let v1 = VOWELS[(rng.next_u64() % 6) as usize];
        let declination = 1.0 - 0.04 * (syllable % phrase_len) as f32;
        let p_start = voice.pitch_hz * declination * rng.range(0.85, 1.15);
        let p_end = p_start * rng.range(0.8, 1.2);
        let mut phase = 0f32;
        for k in 0..len {
            let a = k as f32 / len.max(1) as f32;
            if k % 40 == 0 {
                for (i, r) in res.iter_mut().enumerate() {
                    let f = (v0[i] + (v1[i] - v0[i]) * a) * voice.formant_scale;
                    r.retune(f.min(3500.0), 80.0 + 20.0 * i as f32);
                }
            }
            let pitch = p_start + (p_end - p_start) * a;
            phase += pitch / RATE;
            let pulse = if phase >= 1.0 {
                phase -= 1.0;
                1.0
            } else {
                0.0
            } + 0.02 * rng.bipolar();
            let env = (a * 8.0).min(1.0) * ((1.0 - a) * 5.0).min(1.0);
            let y = res.iter_mut().fold(pulse, |s, r| r.run(s) * 4.0);
            x[pos + k] = env * y;
        }
        pos += len;
        syllable += 1;
        let pause = if syllable % phrase_len == 0 {
            phrase_len = 2 + (rng.next_u64() % 3) as u32;
            rng.range(150.0, 350.0)
        } else {
            rng.range(20.0, 60.0)
        };
        pos += samples(pause as u32);
    }
    normalize(&mut x, rms_dbfs);
    to_i16(&x)
}

/// Add `b` into `a` (from the start, up to `a`'s length).
pub fn mix_into(a: &mut [i16], b: &[i16]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x = (*x as i32 + y as i32).clamp(-32768, 32767) as i16;
    }
}

pub fn concat(parts: &[&[i16]]) -> Vec<i16> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

pub fn to_ulaw(pcm: &[i16]) -> Vec<u8> {
    pcm.iter().map(|&s| encode_ulaw(s)).collect()
}
