//! Frame classifier: speech / music / tone / silence / noise, and a VAD that calls only
//! speech "voice" (tones and music are not voice, unlike webrtc-vad or earshot).

use crate::features::{ContextFeatures, FrameFeatures};

/// What one 20 ms frame most likely contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameClass {
    /// Below the silence level.
    Silence,
    /// Human (live or recorded) speech, including unvoiced consonants inside speech.
    Speech,
    /// Music (instrumental, or sung: held notes and sustained partials).
    Music,
    /// Steady pure or dual tones: ringback, DTMF, SIT, beeps.
    Tone,
    /// Aperiodic sound that is neither: line noise, clicks, background.
    Noise,
}

impl FrameClass {
    /// Short upper-case name for logs and causes.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameClass::Silence => "SILENCE",
            FrameClass::Speech => "SPEECH",
            FrameClass::Music => "MUSIC",
            FrameClass::Tone => "TONE",
            FrameClass::Noise => "NOISE",
        }
    }

    /// The VAD decision: only speech is voice.
    pub fn is_voice(self) -> bool {
        self == FrameClass::Speech
    }
}

impl std::fmt::Display for FrameClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Thresholds of the frame classifier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierConfig {
    /// Frames quieter than this are silence, in dBFS (−50 dBFS ≈ quiet line noise).
    pub silence_dbfs: f32,
    /// Normalized autocorrelation at or above which a frame is voiced (0..1).
    pub voicing_threshold: f32,
    /// Share of band power near the two strongest peaks at or above which a steady frame is a
    /// tone candidate (0..1).
    pub tone_concentration: f32,
    /// Unvoiced frames within this many frames after voiced speech/music inherit its class.
    pub hangover_frames: u8,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig {
            silence_dbfs: -50.0,
            voicing_threshold: 0.5,
            tone_concentration: 0.9,
            hangover_frames: 8,
        }
    }
}

/// Speech-vs-music evidence of a voiced frame in context; positive means speech.
/// Weights were set on real recordings (Asterisk "Allison" prompts, espeak-ng voices, opsound
/// hold music): held partials and spectral flux separate them best.
pub fn speech_music_score(f: &FrameFeatures, c: &ContextFeatures) -> f32 {
    let held = 5.0 * (0.3 - c.held_partial_ratio);
    let flux = 5.0 * (c.mean_flux - 0.26);
    let modulation = 0.8 * (c.modulation_4hz - 0.6).clamp(-0.5, 0.5);
    let pauses = 2.0 * (c.low_energy_ratio - 0.2).clamp(-0.2, 0.3);
    let glide = 0.8 * (0.7 - c.pitch_flat_ratio).clamp(-0.3, 0.3);
    // A single steady peak carrying most of the power is an instrument, not a voice.
    let concentration = if f.peak_concentration > 0.9 {
        -1.0
    } else {
        0.0
    };
    held + flux + modulation + pauses + glide + concentration
}

/// Stateful frame classifier (hangover and tone continuity).
#[derive(Debug, Clone)]
pub struct FrameClassifier {
    cfg: ClassifierConfig,
    tone_run: u8,
    last_voiced_class: FrameClass,
    since_voiced: u8,
}

impl FrameClassifier {
    /// New classifier.
    pub fn new(cfg: ClassifierConfig) -> Self {
        FrameClassifier {
            cfg,
            tone_run: 0,
            last_voiced_class: FrameClass::Noise,
            since_voiced: u8::MAX,
        }
    }

    /// Forget continuity state (after a media gap).
    pub fn reset(&mut self) {
        *self = FrameClassifier::new(self.cfg);
    }

    /// Classify one frame given its features and the context after it was added.
    pub fn classify(&mut self, f: &FrameFeatures, c: &ContextFeatures) -> FrameClass {
        if f.energy_dbfs < self.cfg.silence_dbfs {
            self.tone_run = 0;
            self.since_voiced = self.since_voiced.saturating_add(1);
            return FrameClass::Silence;
        }
        let tonal = f.peak_concentration >= self.cfg.tone_concentration
            && f.spectral_flatness < 0.02
            && f.spectral_flux < 0.15;
        self.tone_run = if tonal {
            self.tone_run.saturating_add(1)
        } else {
            0
        };
        if self.tone_run >= 3 {
            self.since_voiced = self.since_voiced.saturating_add(1);
            return FrameClass::Tone;
        }
        let voiced = f.voicing >= self.cfg.voicing_threshold && f.pitch_hz > 0.0;
        if voiced {
            let class = if speech_music_score(f, c) > 0.0 {
                FrameClass::Speech
            } else {
                FrameClass::Music
            };
            self.last_voiced_class = class;
            self.since_voiced = 0;
            return class;
        }
        self.since_voiced = self.since_voiced.saturating_add(1);
        if self.since_voiced <= self.cfg.hangover_frames {
            self.last_voiced_class
        } else {
            FrameClass::Noise
        }
    }
}
