//! The bank of audio clips shared by all simulated calls (loaded once, shared via `Arc`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use super::catalog::{self, CatalogEntry};
use super::clip::{Clip, ClipKind, ClipOrigin, Language};
use super::level::speech_onset;
use super::resample::resample_to_telephone;
use super::synthesis::{music, seed_from_id, speech, tones};
use super::wav::read_wav;

/// Environment variable naming the asset cache dir (default `<workspace>/target/sim-assets`).
pub const ASSETS_ENV: &str = "HH_SIM_ASSETS";

/// Length of synthesized music loops in seconds (real excerpts are 30-40 s).
const SYNTH_MUSIC_S: f64 = 20.0;

/// Where the bank's clips came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankOrigin {
    /// The asset cache at this dir (clips missing from it were synthesized).
    Assets(PathBuf),
    /// Everything synthesized in Rust.
    Synthesized,
}

/// All clips the far end plays. Lookup by id, by kind, and by agent voice.
#[derive(Debug)]
pub struct AudioBank {
    clips: Vec<Arc<Clip>>,
    by_id: HashMap<String, Arc<Clip>>,
    by_kind: HashMap<ClipKind, Vec<Arc<Clip>>>,
    agent_voices: Vec<String>,
    origin: BankOrigin,
}

/// The default asset cache dir: `$HH_SIM_ASSETS`, else `<workspace>/target/sim-assets`.
pub fn default_asset_dir() -> PathBuf {
    match std::env::var_os(ASSETS_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/sim-assets"),
    }
}

impl AudioBank {
    /// Load the bank from an asset cache dir built by `sim/assets/build-assets.sh`.
    ///
    /// `None`, a missing dir, or a dir without `manifest.tsv` synthesizes every clip in Rust
    /// (deterministic, well under a second). Catalog clips absent from the cache are
    /// synthesized too. Errors: an unreadable manifest or a listed WAV that cannot be parsed.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Arc<AudioBank>> {
        let catalog = catalog::catalog();
        let manifest = dir.map(|d| d.join("manifest.tsv")).filter(|m| m.is_file());
        let (mut clips, origin) = match (dir, manifest) {
            (Some(dir), Some(manifest)) => {
                let text = std::fs::read_to_string(&manifest)
                    .with_context(|| format!("reading {}", manifest.display()))?;
                let entries = catalog::parse_entries(&text)
                    .with_context(|| format!("parsing {}", manifest.display()))?;
                let mut clips = Vec::with_capacity(entries.len());
                for e in &entries {
                    clips.push(load_recorded(dir, e)?);
                }
                let have: std::collections::HashSet<String> =
                    clips.iter().map(|c| c.id.clone()).collect();
                let missing: Vec<CatalogEntry> = catalog
                    .into_iter()
                    .filter(|e| !have.contains(&e.id))
                    .collect();
                clips.extend(synthesize_all(&missing));
                (clips, BankOrigin::Assets(dir.to_path_buf()))
            }
            _ => (synthesize_all(&catalog), BankOrigin::Synthesized),
        };
        clips.extend(procedural_clips());
        Ok(Arc::new(AudioBank::from_clips(clips, origin)))
    }

    /// Load from [`default_asset_dir`] (falls back to synthesis when it is missing).
    pub fn load_default() -> anyhow::Result<Arc<AudioBank>> {
        AudioBank::load(Some(&default_asset_dir()))
    }

    /// Build a bank from clips (ids must be unique; later duplicates replace earlier ones).
    pub fn from_clips(clips: Vec<Clip>, origin: BankOrigin) -> AudioBank {
        let clips: Vec<Arc<Clip>> = clips.into_iter().map(Arc::new).collect();
        let mut by_id = HashMap::new();
        let mut by_kind: HashMap<ClipKind, Vec<Arc<Clip>>> = HashMap::new();
        for c in &clips {
            by_id.insert(c.id.clone(), c.clone());
            by_kind.entry(c.kind).or_default().push(c.clone());
        }
        let mut agent_voices: Vec<String> = by_kind
            .get(&ClipKind::AgentGreeting)
            .into_iter()
            .flatten()
            .map(|c| c.voice.clone())
            .filter(|v| {
                by_kind
                    .get(&ClipKind::AgentAnyoneThere)
                    .is_some_and(|a| a.iter().any(|c| &c.voice == v))
            })
            .collect();
        agent_voices.sort();
        agent_voices.dedup();
        AudioBank {
            clips,
            by_id,
            by_kind,
            agent_voices,
            origin,
        }
    }

    /// Where the clips came from.
    pub fn origin(&self) -> &BankOrigin {
        &self.origin
    }

    /// True when every clip was synthesized (no asset cache).
    pub fn is_synthesized(&self) -> bool {
        self.origin == BankOrigin::Synthesized
    }

    /// All clips.
    pub fn clips(&self) -> &[Arc<Clip>] {
        &self.clips
    }

    /// A clip by catalog id.
    pub fn clip(&self, id: &str) -> Option<&Arc<Clip>> {
        self.by_id.get(id)
    }

    /// All clips of a kind (empty slice if none).
    pub fn of_kind(&self, kind: ClipKind) -> &[Arc<Clip>] {
        self.by_kind.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Clips of a kind in a language.
    pub fn of_kind_in(&self, kind: ClipKind, language: Language) -> Vec<&Arc<Clip>> {
        self.of_kind(kind)
            .iter()
            .filter(|c| c.language == language)
            .collect()
    }

    /// Agent voices that have at least a greeting and a "Hello? Is anyone there?".
    pub fn agent_voices(&self) -> &[String] {
        &self.agent_voices
    }

    /// Clips of `kind` spoken by `voice`.
    pub fn voice_clips(&self, voice: &str, kind: ClipKind) -> Vec<&Arc<Clip>> {
        self.of_kind(kind)
            .iter()
            .filter(|c| c.voice == voice)
            .collect()
    }

    /// The wait-estimate clip in `language` announcing the minutes closest to `minutes`.
    pub fn wait_estimate(&self, language: Language, minutes: u32) -> Option<&Arc<Clip>> {
        self.of_kind(ClipKind::WaitEstimate)
            .iter()
            .filter(|c| c.language == language)
            .min_by_key(|c| (c.wait_minutes.unwrap_or(0) as i64 - minutes as i64).abs())
    }

    /// Total samples held (memory is about 2 bytes per sample).
    pub fn total_samples(&self) -> usize {
        self.clips.iter().map(|c| c.samples.len()).sum()
    }
}

fn make_clip(e: &CatalogEntry, samples: Vec<i16>, origin: ClipOrigin) -> Clip {
    let onset_sample = speech_onset(&samples);
    Clip {
        id: e.id.clone(),
        kind: e.kind,
        language: e.language,
        voice: e.voice.clone(),
        wait_minutes: e.wait_minutes,
        text: e.text.clone(),
        samples,
        onset_sample,
        origin,
    }
}

fn load_recorded(dir: &Path, e: &CatalogEntry) -> anyhow::Result<Clip> {
    let wav = read_wav(&dir.join(&e.source))?;
    let samples = if wav.rate_hz == 8000 {
        wav.samples
    } else {
        resample_to_telephone(&wav.samples, wav.rate_hz)
    };
    Ok(make_clip(e, samples, ClipOrigin::Recorded))
}

/// Synthesize one catalog clip in Rust.
pub fn synthesize_entry(e: &CatalogEntry) -> Clip {
    let seed = seed_from_id(&e.id);
    let samples = match e.kind {
        ClipKind::Music | ClipKind::MusicVocal => {
            let secs = catalog::music_duration_s(&e.source)
                .unwrap_or(SYNTH_MUSIC_S)
                .min(SYNTH_MUSIC_S);
            music::hold_music(seed, secs, e.kind == ClipKind::MusicVocal)
        }
        _ => {
            let mut voice = speech::Voice::from_f0(e.f0_hz);
            if e.language == Language::Spanish {
                voice.syllable_rate = 5.0;
            }
            speech::babble(&e.text, voice, seed)
        }
    };
    make_clip(e, samples, ClipOrigin::Synthesized)
}

fn synthesize_all(entries: &[CatalogEntry]) -> Vec<Clip> {
    if entries.is_empty() {
        return Vec::new();
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let chunk = entries.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(synthesize_entry).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("synthesis thread panicked"))
            .collect()
    })
}

/// Tones and clicks, always synthesized: `tone.ringback`, `tone.busy`, `click.1`..`click.3`.
fn procedural_clips() -> Vec<Clip> {
    let tone = |id: &str, samples: Vec<i16>, kind: ClipKind| Clip {
        id: id.to_string(),
        kind,
        language: Language::None,
        voice: String::new(),
        wait_minutes: None,
        text: id.to_string(),
        onset_sample: speech_onset(&samples),
        samples,
        origin: ClipOrigin::Synthesized,
    };
    let mut v = vec![
        tone("tone.ringback", tones::ringback_cycle(), ClipKind::Tone),
        tone("tone.busy", tones::busy_cycle(), ClipKind::Tone),
    ];
    for (i, (len, peak)) in [(24usize, 9000i16), (48, 14000), (80, 6000)]
        .iter()
        .enumerate()
    {
        v.push(tone(
            &format!("click.{}", i + 1),
            super::noise::click(*len, *peak, 100 + i as u64),
            ClipKind::Click,
        ));
    }
    v
}
