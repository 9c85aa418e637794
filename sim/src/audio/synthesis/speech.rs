//! Speech-like babble: vowel-consonant syllables at about 4 per second with word and phrase
//! pauses, a declining F0 contour per phrase, following the rhythm of a text.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::formant::{Phone, render, to_i16_normalized};

/// Vowel formant targets (F1, F2, F3 in Hz), a rough average-adult set.
const VOWELS: [[f32; 3]; 8] = [
    [730.0, 1090.0, 2440.0], // a
    [530.0, 1840.0, 2480.0], // e
    [270.0, 2290.0, 3010.0], // i
    [570.0, 840.0, 2410.0],  // o
    [300.0, 870.0, 2240.0],  // u
    [660.0, 1720.0, 2410.0], // ae
    [490.0, 1350.0, 1690.0], // er
    [520.0, 1190.0, 2390.0], // uh
];

/// Parameters of a synthetic voice.
#[derive(Debug, Clone, Copy)]
pub struct Voice {
    /// Mean fundamental frequency in Hz (male ~100-130, female ~190-240).
    pub f0_hz: f32,
    /// Syllables per second (about 4).
    pub syllable_rate: f32,
    /// Formant scale (shorter vocal tract > 1.0 for female voices).
    pub formant_scale: f32,
}

impl Voice {
    /// A voice from its mean F0; formants scale with it (female voices above 165 Hz).
    pub fn from_f0(f0_hz: f64) -> Voice {
        let f0 = if f0_hz > 0.0 { f0_hz as f32 } else { 150.0 };
        Voice {
            f0_hz: f0,
            syllable_rate: 4.2,
            formant_scale: if f0 > 165.0 { 1.15 } else { 1.0 },
        }
    }
}

fn syllables_in(word: &str) -> usize {
    let mut count = 0;
    let mut prev_vowel = false;
    for c in word.chars() {
        let v = "aeiouyáéíóúAEIOUY".contains(c);
        if v && !prev_vowel {
            count += 1;
        }
        prev_vowel = v;
    }
    if word.chars().any(|c| c.is_ascii_digit()) {
        count += 2;
    }
    count.max(1)
}

/// Phones for `text` spoken by `voice`; `seed` varies formant choices.
pub fn phones_for_text(text: &str, voice: Voice, seed: u64) -> Vec<Phone> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ms = |ms: f32| (ms * 8.0) as usize;
    let mut phones = vec![Phone::pause(ms(rng.random_range(150.0..300.0)))];
    let mut phrase: Vec<(usize, char)> = Vec::new(); // (syllables, trailing punctuation)
    let mut phrases: Vec<Vec<(usize, char)>> = Vec::new();
    for word in text.split_whitespace() {
        let punct = word
            .chars()
            .last()
            .filter(|c| ",.?!:;".contains(*c))
            .unwrap_or(' ');
        phrase.push((syllables_in(word), punct));
        if punct != ' ' {
            phrases.push(std::mem::take(&mut phrase));
        }
    }
    if !phrase.is_empty() {
        phrases.push(phrase);
    }
    let syllable_ms = 1000.0 / voice.syllable_rate;
    for words in phrases {
        let n_syl: usize = words.iter().map(|w| w.0).sum();
        let question = words.last().map(|w| w.1 == '?').unwrap_or(false);
        let mut k = 0usize;
        for (wi, &(syl, punct)) in words.iter().enumerate() {
            for s in 0..syl {
                let pos = k as f32 / n_syl.max(1) as f32;
                // Declination 1.15 -> 0.85 of mean F0; questions rise at the end.
                let mut f0 = voice.f0_hz * (1.15 - 0.3 * pos);
                if question && pos > 0.7 {
                    f0 = voice.f0_hz * (0.95 + 0.8 * (pos - 0.7));
                }
                let stressed = s == 0 && rng.random_bool(0.6);
                if stressed {
                    f0 *= 1.12;
                }
                let jitter = rng.random_range(0.97..1.03);
                // Consonant onset: fricative, stop (closure + burst) or nasal.
                let cons_ms = syllable_ms * rng.random_range(0.25..0.4);
                match rng.random_range(0..4) {
                    0 => phones.push(Phone {
                        len: ms(cons_ms),
                        voiced: 0.0,
                        noise: rng.random_range(0.15..0.35),
                        formants: [400.0, 1600.0, 2600.0],
                        noise_hz: rng.random_range(2200.0..3600.0),
                        f0_hz: (f0, f0),
                        vibrato: 0.0,
                    }),
                    1 => {
                        phones.push(Phone::pause(ms(cons_ms * 0.6)));
                        phones.push(Phone {
                            len: ms(cons_ms * 0.4),
                            voiced: 0.0,
                            noise: 0.5,
                            formants: [400.0, 1800.0, 2600.0],
                            noise_hz: rng.random_range(1200.0..3000.0),
                            f0_hz: (f0, f0),
                            vibrato: 0.0,
                        });
                    }
                    2 => phones.push(Phone {
                        len: ms(cons_ms),
                        voiced: 0.35,
                        noise: 0.0,
                        formants: [250.0, 1200.0, 2300.0],
                        noise_hz: 3000.0,
                        f0_hz: (f0, f0),
                        vibrato: 0.0,
                    }),
                    _ => {}
                }
                let v = VOWELS[rng.random_range(0..VOWELS.len())];
                let amp = if stressed { 1.0 } else { 0.75 };
                let vowel_ms =
                    syllable_ms * rng.random_range(0.55..0.8) * if stressed { 1.2 } else { 1.0 };
                phones.push(Phone {
                    len: ms(vowel_ms),
                    voiced: amp,
                    noise: 0.02,
                    formants: [
                        v[0] * voice.formant_scale * jitter,
                        v[1] * voice.formant_scale * jitter,
                        v[2] * voice.formant_scale,
                    ],
                    noise_hz: 3000.0,
                    f0_hz: (f0, f0 * 0.97),
                    vibrato: 0.0,
                });
                k += 1;
            }
            let last_word = wi + 1 == words.len();
            let pause = match punct {
                '.' | '?' | '!' => rng.random_range(380.0..600.0),
                ',' | ';' | ':' => rng.random_range(200.0..320.0),
                _ if last_word => 300.0,
                _ if rng.random_bool(0.5) => rng.random_range(60.0..180.0),
                _ => 0.0,
            };
            if pause > 0.0 {
                phones.push(Phone::pause(ms(pause)));
            }
        }
    }
    phones.push(Phone::pause(ms(200.0)));
    phones
}

/// Speech-like babble for `text` (8 kHz, active RMS -20 dBFS).
pub fn babble(text: &str, voice: Voice, seed: u64) -> Vec<i16> {
    let phones = phones_for_text(text, voice, seed);
    to_i16_normalized(&render(&phones, seed ^ 0x5eed), -20.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::level::{rms_dbfs, speech_onset};

    #[test]
    fn babble_has_speech_rhythm_and_onset_after_leading_pause() {
        let s = babble(
            "Thank you for calling the Internal Revenue Service. How can I help you?",
            Voice::from_f0(120.0),
            1,
        );
        let secs = s.len() as f64 / 8000.0;
        assert!((3.0..9.0).contains(&secs), "duration {secs}");
        let onset = speech_onset(&s).unwrap();
        assert!((1000..3000).contains(&onset), "onset {onset}");
        // Energy modulates: count 50 ms windows below -45 dBFS (pauses/closures) vs above.
        let quiet = s.chunks(400).filter(|w| rms_dbfs(w) < -40.0).count();
        let loud = s.chunks(400).filter(|w| rms_dbfs(w) > -30.0).count();
        assert!(quiet >= 3 && loud >= 20, "quiet {quiet} loud {loud}");
        assert_eq!(
            s,
            babble(
                "Thank you for calling the Internal Revenue Service. How can I help you?",
                Voice::from_f0(120.0),
                1
            )
        );
    }
}
