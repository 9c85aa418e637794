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

impl Clip {
    /// Length in samples (8 kHz).
    pub fn len_samples(&self) -> usize {
        self.samples.len()
    }

    /// Length in ms.
    pub fn duration_ms(&self) -> u64 {
        self.samples.len() as u64 / 8
    }
}
