//! One audio clip of the bank and its metadata.

/// What a clip is, which decides where the far end plays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClipKind {
    /// IVR menu prompt, "invalid option", "goodbye".
    IvrPrompt,
    /// Instrumental hold music.
    Music,
    /// Hold music with a sung / vocal line.
    MusicVocal,
    /// Recorded hold announcement ("your call is important", callback offer, ...).
    Announcement,
    /// "Your estimated wait time is N minutes" (see [`Clip::wait_minutes`]).
    WaitEstimate,
    /// "Due to high call volume we cannot take your call, please call back later".
    TooBusy,
    /// Closed-hours message.
    Closed,
    /// Agent greeting with name and ID number.
    AgentGreeting,
    /// Agent's short "Hello?".
    AgentHello,
    /// Agent's "Hello? Is anyone there?" before giving up.
    AgentAnyoneThere,
    /// Agent talking to a human after the transfer.
    AgentTalk,
    /// PPS voice challenge ("please repeat the following phrase", "what is 4 plus 1").
    Challenge,
    /// Call-progress tone (ringback, busy); always synthesized.
    Tone,
    /// Handset/line click; always synthesized.
    Click,
}

impl ClipKind {
    /// Parse the catalog/manifest spelling (`ivr_prompt`, `music_vocal`, ...).
    pub fn parse(s: &str) -> Option<ClipKind> {
        Some(match s {
            "ivr_prompt" => ClipKind::IvrPrompt,
            "music" => ClipKind::Music,
            "music_vocal" => ClipKind::MusicVocal,
            "announcement" => ClipKind::Announcement,
            "wait_estimate" => ClipKind::WaitEstimate,
            "too_busy" => ClipKind::TooBusy,
            "closed" => ClipKind::Closed,
            "agent_greeting" => ClipKind::AgentGreeting,
            "agent_hello" => ClipKind::AgentHello,
            "agent_anyone_there" => ClipKind::AgentAnyoneThere,
            "agent_talk" => ClipKind::AgentTalk,
            "challenge" => ClipKind::Challenge,
            "tone" => ClipKind::Tone,
            "click" => ClipKind::Click,
            _ => return None,
        })
    }

    /// True for clips that carry speech (everything but music, tones and clicks).
    pub fn is_speech(self) -> bool {
        !matches!(
            self,
            ClipKind::Music | ClipKind::MusicVocal | ClipKind::Tone | ClipKind::Click
        )
    }
}

/// Spoken language of a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English.
    English,
    /// Spanish.
    Spanish,
    /// No speech (music, tones).
    None,
}

impl Language {
    /// Parse `en` / `es` / anything else (none).
    pub fn parse(s: &str) -> Language {
        match s {
            "en" => Language::English,
            "es" => Language::Spanish,
            _ => Language::None,
        }
    }
}

/// Where a clip's samples came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipOrigin {
    /// Read from the asset cache built by `sim/assets/build-assets.sh`.
    Recorded,
    /// Synthesized in Rust (fallback, tones, clicks).
    Synthesized,
}

/// One clip: 8 kHz 16-bit mono samples plus what the far end needs to know about them.
#[derive(Debug, Clone)]
pub struct Clip {
    /// Catalog id, e.g. `agent.linda.greeting`, `ann.es.important`, `music.cold-day`.
    pub id: String,
    /// What the clip is.
    pub kind: ClipKind,
    /// Spoken language.
    pub language: Language,
    /// Voice id (`agent-linda`, `ivr`, ...); agent clips of one call share a voice.
    pub voice: String,
    /// For [`ClipKind::WaitEstimate`]: the minutes it announces.
    pub wait_minutes: Option<u32>,
    /// Text (or description) of the clip.
    pub text: String,
    /// Linear samples at 8 kHz.
    pub samples: Vec<i16>,
    /// Index of the first voiced sample (energy onset, see `level::speech_onset`); `None` if
    /// the clip never rises above the onset threshold.
    pub onset_sample: Option<usize>,
    /// Recorded or synthesized.
    pub origin: ClipOrigin,
}

/// Lobes of the Lanczos kernel used by [`Clip::spoken_again`].
pub const LANCZOS_A: usize = 8;

/// Lanczos kernel: sinc(x)·sinc(x/a) for |x| < a, else 0.
fn lanczos(x: f64, a: f64) -> f64 {
    if x.abs() < 1e-12 {
        return 1.0;
    }
    if x.abs() >= a {
        return 0.0;
    }
    let px = std::f64::consts::PI * x;
    a * px.sin() * (px / a).sin() / (px * px)
}

impl Clip {
    /// Length in samples (8 kHz).
    pub fn len_samples(&self) -> usize {
        self.samples.len()
    }

    /// Length in ms.
    pub fn duration_ms(&self) -> u64 {
        self.samples.len() as u64 / 8
    }

    /// This clip spoken again a little faster or slower, higher or lower: resampled by `rate`
    /// (1.04 = 4 % faster and 4 % higher) with a Lanczos kernel (a = [`LANCZOS_A`]; band-limited,
    /// so no aliasing tones), onset moved with it. A person never says a sentence twice with
    /// the same waveform, so a simulated agent's clip is varied on every use: a loop library
    /// that learned one call's agent must not recognise the next call's agent as a recording
    /// (recordings do repeat sample for sample).
    pub fn spoken_again(&self, rate: f64) -> Clip {
        let rate = rate.clamp(0.5, 2.0);
        let n = self.samples.len() as isize;
        let out_len = ((n as f64) / rate).floor() as usize;
        // Speeding up (rate > 1) lowers the cutoff to the new Nyquist.
        let cutoff = (1.0 / rate).min(1.0);
        let a = LANCZOS_A as f64;
        let reach = (a / cutoff).ceil() as isize;
        let samples = (0..out_len)
            .map(|i| {
                let x = i as f64 * rate;
                let centre = x.floor() as isize;
                let (mut acc, mut norm) = (0.0, 0.0);
                for j in centre - reach + 1..=centre + reach {
                    let d = (x - j as f64) * cutoff;
                    let w = lanczos(d, a);
                    norm += w;
                    if (0..n).contains(&j) {
                        acc += w * self.samples[j as usize] as f64;
                    }
                }
                (acc / norm.max(1e-9)).round().clamp(-32768.0, 32767.0) as i16
            })
            .collect();
        Clip {
            samples,
            onset_sample: self
                .onset_sample
                .map(|o| ((o as f64 / rate) as usize).min(out_len.saturating_sub(1))),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine_clip(hz: f64, len: usize, onset: usize) -> Clip {
        Clip {
            id: "agent.test.hello".into(),
            kind: ClipKind::AgentHello,
            language: Language::English,
            voice: "agent-test".into(),
            wait_minutes: None,
            text: "hello".into(),
            samples: (0..len)
                .map(|i| {
                    if i < onset {
                        0
                    } else {
                        (8000.0 * (2.0 * std::f64::consts::PI * hz * i as f64 / 8000.0).sin())
                            as i16
                    }
                })
                .collect(),
            onset_sample: Some(onset),
            origin: ClipOrigin::Synthesized,
        }
    }

    /// Upward zero crossings per second over the voiced part.
    fn pitch_hz(c: &Clip) -> f64 {
        let s = &c.samples[c.onset_sample.unwrap() + 100..c.samples.len() - 100];
        let ups = s.windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count();
        ups as f64 * 8000.0 / s.len() as f64
    }

    #[test]
    fn spoken_again_moves_pitch_tempo_and_onset_together() {
        let c = sine_clip(1000.0, 16_000, 4000);
        let same = c.spoken_again(1.0);
        assert_eq!(same.samples, c.samples, "rate 1 is the clip itself");
        let faster = c.spoken_again(1.05);
        assert_eq!(faster.samples.len(), (16_000.0 / 1.05) as usize);
        assert!(
            (pitch_hz(&faster) - 1050.0).abs() < 5.0,
            "{}",
            pitch_hz(&faster)
        );
        assert_eq!(faster.onset_sample, Some((4000.0 / 1.05) as usize));
        let slower = c.spoken_again(0.95);
        assert!(
            (pitch_hz(&slower) - 950.0).abs() < 5.0,
            "{}",
            pitch_hz(&slower)
        );
        // Band-limited: no sample runs past full scale, the level is kept.
        let rms = |s: &[i16]| {
            (s.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
        };
        let voiced =
            |c: &Clip| rms(&c.samples[c.onset_sample.unwrap() + 100..c.samples.len() - 100]);
        assert!((voiced(&faster) / voiced(&c) - 1.0).abs() < 0.02);
        assert_ne!(faster.samples[4000..5000], slower.samples[4000..5000]);
    }
}
