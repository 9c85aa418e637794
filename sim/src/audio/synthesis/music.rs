//! Synthetic hold music: a repeated 4-chord phrase (pad + bass + plucked arpeggio melody with
//! harmonics), optionally with a sung-vowel line carried by the formant synthesizer.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::formant::{Phone, render};

const RATE: f32 = 8000.0;
const TABLE_LEN: usize = 1024;

fn wavetable(harmonics: &[f32]) -> Vec<f32> {
    (0..TABLE_LEN)
        .map(|i| {
            let x = i as f32 / TABLE_LEN as f32 * 2.0 * std::f32::consts::PI;
            harmonics
                .iter()
                .enumerate()
                .map(|(h, a)| a * (x * (h + 1) as f32).sin())
                .sum()
        })
        .collect()
}

fn midi_hz(note: i32) -> f32 {
    440.0 * 2f32.powf((note - 69) as f32 / 12.0)
}

struct Voice {
    phase: f32,
    step: f32,
}

impl Voice {
    #[inline]
    fn next(&mut self, table: &[f32]) -> f32 {
        let v = table[(self.phase * TABLE_LEN as f32) as usize % TABLE_LEN];
        self.phase += self.step;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        v
    }
}

/// Render `duration_s` seconds of music at 8 kHz (active RMS about -22 dBFS). `vocal` adds a
/// sung-vowel line on the melody (entering after one phrase).
pub fn hold_music(seed: u64, duration_s: f64, vocal: bool) -> Vec<i16> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total = (duration_s * RATE as f64) as usize;
    let key = 57 + rng.random_range(0..7); // A3..D#4
    let bpm: f32 = rng.random_range(84.0..112.0);
    let beat = (60.0 / bpm * RATE) as usize;
    let minor = rng.random_bool(0.4);
    let progression: [[i32; 3]; 4] = if minor {
        [[0, 3, 7], [8, 12, 15], [3, 7, 10], [10, 14, 17]] // i VI III VII
    } else {
        [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]] // I V vi IV
    };
    let pad_table = wavetable(&[1.0, 0.45, 0.25, 0.12, 0.06]);
    let pluck_table = wavetable(&[1.0, 0.6, 0.4, 0.3, 0.2, 0.12, 0.08]);
    let bass_table = wavetable(&[1.0, 0.7, 0.35, 0.2]);
    // A fixed 8-note arpeggio pattern per chord (indices into chord tones, octave offsets).
    let pattern: Vec<(usize, i32)> = (0..8)
        .map(|_| (rng.random_range(0..3), 12 * rng.random_range(0..2)))
        .collect();
    let chord_len = beat * 4;
    let mut out = vec![0f32; total];
    let mut pads: Vec<Voice> = (0..3)
        .map(|_| Voice {
            phase: 0.0,
            step: 0.0,
        })
        .collect();
    let mut bass = Voice {
        phase: 0.0,
        step: 0.0,
    };
    let mut pluck = Voice {
        phase: 0.0,
        step: 0.0,
    };
    let eighth = beat / 2;
    for (n, o) in out.iter_mut().enumerate() {
        let chord_idx = (n / chord_len) % 4;
        let chord = progression[chord_idx];
        let in_chord = n % chord_len;
        if in_chord == 0 {
            for (v, &iv) in pads.iter_mut().zip(&chord) {
                v.step = midi_hz(key + iv) / RATE;
            }
            bass.step = midi_hz(key - 12 + chord[0]) / RATE;
        }
        let in_eighth = n % eighth;
        if in_eighth == 0 {
            let (tone, oct) = pattern[(n / eighth) % 8];
            pluck.step = midi_hz(key + 12 + chord[tone] + oct) / RATE;
        }
        let pad_env =
            (in_chord as f32 / 800.0).min(1.0) * (1.0 - 0.3 * in_chord as f32 / chord_len as f32);
        let pad: f32 = pads.iter_mut().map(|v| v.next(&pad_table)).sum::<f32>() * 0.18 * pad_env;
        let bass_env = (-((in_chord % beat) as f32) / (beat as f32 * 0.8)).exp();
        let b = bass.next(&bass_table) * 0.35 * bass_env;
        let pl_env = (-(in_eighth as f32) / (RATE * 0.12)).exp();
        let p = pluck.next(&pluck_table) * 0.3 * pl_env;
        *o = pad + b + p;
    }
    if vocal {
        // Sung vowels on chord tones: two beats each, entering after the first phrase.
        let mut phones = vec![Phone::pause(chord_len * 4)];
        let vowels: [[f32; 3]; 4] = [
            [730.0, 1090.0, 2440.0],
            [570.0, 840.0, 2410.0],
            [300.0, 870.0, 2240.0],
            [530.0, 1840.0, 2480.0],
        ];
        let mut len = chord_len * 4;
        while len < total {
            let chord = progression[(len / chord_len) % 4];
            let note = key + 12 + chord[rng.random_range(0..3)];
            let hz = midi_hz(note);
            let v = vowels[rng.random_range(0..vowels.len())];
            let sing = if rng.random_bool(0.8) { beat * 2 } else { beat };
            phones.push(Phone {
                len: sing - beat / 4,
                voiced: 1.0,
                noise: 0.01,
                formants: [v[0] * 1.1, v[1] * 1.1, v[2] * 1.1],
                noise_hz: 3000.0,
                f0_hz: (hz, hz),
                vibrato: 0.02,
            });
            phones.push(Phone::pause(beat / 4));
            len += sing;
            if rng.random_bool(0.15) {
                phones.push(Phone::pause(chord_len));
                len += chord_len;
            }
        }
        let voice = render(&phones, seed ^ 0xa11ce);
        let peak_v = voice.iter().fold(0f32, |m, s| m.max(s.abs())).max(1e-9);
        for (o, v) in out.iter_mut().zip(voice) {
            *o += v / peak_v * 0.45;
        }
    }
    // Gentle fade in/out so the loop point does not click.
    let fade = (RATE * 0.05) as usize;
    for i in 0..fade.min(total / 2) {
        let g = i as f32 / fade as f32;
        out[i] *= g;
        out[total - 1 - i] *= g;
    }
    super::formant::to_i16_normalized(&out, -22.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::level::rms_dbfs;

    #[test]
    fn music_is_continuous_and_deterministic() {
        let m = hold_music(3, 6.0, false);
        assert_eq!(m.len(), 48000);
        // Music has no long pauses: every 100 ms window after the fade-in is audible.
        assert!(m[800..47200].chunks(800).all(|w| rms_dbfs(w) > -45.0));
        assert_eq!(m, hold_music(3, 6.0, false));
        // The sung line enters after the first phrase (16 beats).
        let plain = hold_music(3, 15.0, false);
        let vocal = hold_music(3, 15.0, true);
        assert!(plain[..40_000] == vocal[..40_000] || plain != vocal);
        assert!(plain != vocal, "vocal line present");
    }
}
