//! Loads an operator's recordings of the destinations' lines from disk:
//! - the known messages ("too busy", "closed"), for the detector
//!   ([`holdhunter_detect::KnownMessages`]): speech lining up with one is never an agent, and
//!   the far end's hang-up after it ends the leg `TOO_BUSY`, `COURTESY_DISCONNECT` or `CLOSED`
//!   instead of `REMOTE_HANGUP`;
//! - the hold recordings (announcements, wait-time messages, IVR prompts, hold music), which
//!   every destination's loop library learns before its first leg listens
//!   ([`HoldRecording`], [`super::loops::LoopStore`]): a line's first hunt then already
//!   knows its loop, where otherwise an announcement heard for the first time is new speech
//!   that only the cues, not the library, tell from an agent.
//!
//! The directory holds WAV recordings (8 kHz, mono, 16-bit PCM, as telephone audio is
//! decoded) and a `manifest.tsv` in the simulator's asset format (`sim/assets/build-assets.sh`
//! writes one): tab-separated rows `id kind lang voice minutes f0_hz file text`, `#` comments.
//! Rows of kind `too_busy` or `closed` are known messages; rows of kind `announcement`,
//! `wait_estimate`, `ivr_prompt`, `music` or `music_vocal` are hold recordings (column 1 the
//! name, column 7 the file relative to the directory); every other row (an agent's voice,
//! a challenge prompt) is ignored.

use std::path::Path;

use anyhow::Context;
use holdhunter_detect::{KnownMessages, MessageKind, RecordingPrint};

/// Name of the manifest inside the directory.
pub const MANIFEST: &str = "manifest.tsv";

/// A recording the line plays on hold, learned into every destination's loop library.
#[derive(Debug, Clone)]
pub struct HoldRecording {
    /// Its name (manifest column 1).
    pub name: String,
    /// Its fingerprint (landmarks, and speech marks for a spoken recording: announcement,
    /// wait-time message, IVR prompt), made once at load.
    pub print: RecordingPrint,
}

/// What a recordings directory holds.
#[derive(Debug)]
pub struct KnownRecordings {
    /// The known messages; `None` when the manifest lists none.
    pub messages: Option<KnownMessages>,
    /// The hold recordings, in manifest order.
    pub hold: Vec<HoldRecording>,
}

/// Whether a manifest kind is a hold recording, and whether it speaks (`None`: it is not one).
fn hold_kind(kind: &str) -> Option<bool> {
    match kind {
        "announcement" | "wait_estimate" | "ivr_prompt" => Some(true),
        "music" | "music_vocal" => Some(false),
        _ => None,
    }
}

/// Read every known message and hold recording listed in `dir/manifest.tsv`.
///
/// Errors (each names the file or line): no manifest, a row with fewer than 7 columns, a
/// listed WAV that cannot be read or is not 8 kHz mono 16-bit PCM, a recording too short or
/// silent to fingerprint, or no known message and no hold recording at all.
pub fn load(dir: &Path) -> anyhow::Result<KnownRecordings> {
    let manifest = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&manifest).with_context(|| {
        format!(
            "media.known_messages_dir: cannot read {} (a manifest of the recordings is needed)",
            manifest.display()
        )
    })?;
    let mut known = KnownMessages::new();
    let mut hold = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        anyhow::ensure!(
            cols.len() >= 7,
            "media.known_messages_dir: {} line {}: {} columns, expected id kind lang voice \
             minutes f0_hz file text",
            manifest.display(),
            n + 1,
            cols.len()
        );
        let (name, path) = (cols[0], dir.join(cols[6]));
        if let Some(speaks) = hold_kind(cols[1]) {
            let pcm = read_telephone_wav(&path).with_context(|| {
                format!(
                    "media.known_messages_dir: hold recording {name} ({})",
                    path.display()
                )
            })?;
            let print = RecordingPrint::of(&pcm, speaks);
            anyhow::ensure!(
                !print.entries.is_empty(),
                "media.known_messages_dir: hold recording {name} ({}) is silent or too short \
                 to recognise",
                path.display()
            );
            hold.push(HoldRecording {
                name: name.to_owned(),
                print,
            });
            continue;
        }
        let Some(kind) = MessageKind::parse(cols[1]) else {
            continue;
        };
        let pcm = read_telephone_wav(&path).with_context(|| {
            format!(
                "media.known_messages_dir: known message {name} ({})",
                path.display()
            )
        })?;
        anyhow::ensure!(
            known.add(name, kind, &pcm) > 0,
            "media.known_messages_dir: known message {name} ({}) is silent or too short to \
             recognise",
            path.display()
        );
    }
    anyhow::ensure!(
        !known.is_empty() || !hold.is_empty(),
        "media.known_messages_dir: {} lists no recording of kind too_busy, closed, \
         announcement, wait_estimate, ivr_prompt, music or music_vocal",
        manifest.display()
    );
    Ok(KnownRecordings {
        messages: (!known.is_empty()).then_some(known),
        hold,
    })
}

/// Samples of an 8 kHz mono 16-bit PCM WAV file.
fn read_telephone_wav(path: &Path) -> anyhow::Result<Vec<i16>> {
    let reader = hound::WavReader::open(path)?;
    let spec = reader.spec();
    anyhow::ensure!(
        spec.sample_rate == 8000
            && spec.channels == 1
            && spec.bits_per_sample == 16
            && spec.sample_format == hound::SampleFormat::Int,
        "must be 8 kHz mono 16-bit PCM, is {} Hz, {} channel(s), {} bit",
        spec.sample_rate,
        spec.channels,
        spec.bits_per_sample
    );
    Ok(reader.into_samples::<i16>().collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, samples: &[i16], rate_hz: u32) {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: rate_hz,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for &x in samples {
            w.write_sample(x).unwrap();
        }
        w.finalize().unwrap();
    }

    fn tone(ms: usize) -> Vec<i16> {
        // A spoken-like chirp: enough spectral peaks to fingerprint.
        (0..ms * 8)
            .map(|i| {
                let t = i as f64 / 8000.0;
                let f = 300.0 + 900.0 * (t * 1.7).fract();
                ((t * f * std::f64::consts::TAU).sin() * 8000.0) as i16
            })
            .collect()
    }

    fn manifest(rows: &[(&str, &str, &str)]) -> String {
        let mut s = String::from("# id\tkind\tlang\tvoice\tminutes\tf0_hz\tfile\ttext\n");
        for (id, kind, file) in rows {
            s.push_str(&format!(
                "{id}\t{kind}\ten\tivr\t-\t190\t{file}\tSome text.\n"
            ));
        }
        s
    }

    #[test]
    fn loads_known_messages_and_hold_recordings_and_ignores_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        write_wav(&dir.path().join("busy.wav"), &tone(2000), 8000);
        write_wav(&dir.path().join("closed.wav"), &tone(1500), 8000);
        write_wav(&dir.path().join("ann.wav"), &tone(3000), 8000);
        write_wav(&dir.path().join("music.wav"), &tone(4000), 8000);
        std::fs::write(
            dir.path().join(MANIFEST),
            manifest(&[
                ("busy.en", "too_busy", "busy.wav"),
                ("closed.en", "closed", "closed.wav"),
                ("ann.en.x", "announcement", "ann.wav"),
                ("music.x", "music", "music.wav"),
                (
                    "agent.x.greeting",
                    "agent_greeting",
                    "missing-but-ignored.wav",
                ),
                ("challenge.x", "challenge", "missing-but-ignored.wav"),
            ]),
        )
        .unwrap();
        let known = load(dir.path()).unwrap();
        assert_eq!(known.messages.as_ref().map(|m| m.len()), Some(2));
        let names: Vec<&str> = known.hold.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["ann.en.x", "music.x"]);
        let (ann, music) = (&known.hold[0].print, &known.hold[1].print);
        assert!(!ann.entries.is_empty() && !music.entries.is_empty());
        // 3 s of sound: every 20 ms frame of the announcement speaks; music never does.
        assert!(
            ann.speech_frames.len() >= 145,
            "{}",
            ann.speech_frames.len()
        );
        assert!(music.speech_frames.is_empty());

        // Hold recordings alone are enough.
        std::fs::write(
            dir.path().join(MANIFEST),
            manifest(&[("ann.en.x", "announcement", "ann.wav")]),
        )
        .unwrap();
        let known = load(dir.path()).unwrap();
        assert!(known.messages.is_none());
        assert_eq!(known.hold.len(), 1);
    }

    /// The error of loading `dir` with a manifest of `rows`.
    fn load_error(dir: &Path, rows: &[(&str, &str, &str)]) -> String {
        std::fs::write(dir.join(MANIFEST), manifest(rows)).unwrap();
        format!("{:#}", load(dir).unwrap_err())
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = format!("{:#}", load(dir.path()).unwrap_err());
        assert!(err.contains("manifest.tsv"), "{err}");

        let err = load_error(dir.path(), &[("busy.en", "too_busy", "nope.wav")]);
        assert!(err.contains("busy.en") && err.contains("nope.wav"), "{err}");

        write_wav(&dir.path().join("wide.wav"), &tone(1000), 16000);
        let err = load_error(dir.path(), &[("busy.en", "too_busy", "wide.wav")]);
        assert!(
            err.contains("must be 8 kHz mono 16-bit PCM, is 16000 Hz"),
            "{err}"
        );

        write_wav(&dir.path().join("quiet.wav"), &[0; 8000], 8000);
        let err = load_error(dir.path(), &[("busy.en", "too_busy", "quiet.wav")]);
        assert!(err.contains("silent or too short"), "{err}");

        let err = load_error(dir.path(), &[("ann.en.x", "announcement", "quiet.wav")]);
        assert!(
            err.contains("hold recording ann.en.x") && err.contains("silent or too short"),
            "{err}"
        );

        let err = load_error(dir.path(), &[("music.x", "music", "gone.wav")]);
        assert!(err.contains("music.x") && err.contains("gone.wav"), "{err}");

        let err = load_error(dir.path(), &[("agent.x", "agent_greeting", "quiet.wav")]);
        assert!(err.contains("no recording of kind"), "{err}");

        std::fs::write(dir.path().join(MANIFEST), "busy.en\ttoo_busy\n").unwrap();
        let err = format!("{:#}", load(dir.path()).unwrap_err());
        assert!(err.contains("line 1: 2 columns"), "{err}");
    }
}
