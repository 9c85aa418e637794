//! When speech on hold comes "after music": the music read as such, or a known music track's
//! sung line read as speech. The gap after the music is weighed then: the loop's next clip
//! follows its music within 60 ms; a person is connected, then speaks.
mod support;

use std::sync::Arc;

use holdhunter_detect::{DetectorConfig, FrameClass, LegDetector, LoopLibrary, Phase, Verdict};
use support::*;

/// Feed PCM through G.711 in 20 ms frames; collect verdicts.
fn feed(leg: &mut LegDetector, pcm: &[i16]) -> Vec<Verdict> {
    to_ulaw(pcm)
        .chunks(160)
        .filter_map(|f| leg.push_ulaw(f))
        .collect()
}

/// A detector on `library` for a leg already on hold.
fn on_hold(library: Arc<LoopLibrary>) -> LegDetector {
    let mut leg = LegDetector::new(DetectorConfig::default(), library);
    leg.mark_hold();
    leg
}

/// The decision on the speech that began at media sample `onset` or later.
fn decision_from(verdicts: &[Verdict], onset: u64) -> &Verdict {
    verdicts
        .iter()
        .find(|v| v.onset_samples.is_some_and(|o| o + 160 >= onset))
        .unwrap_or_else(|| panic!("no decision on the speech: {verdicts:#?}"))
}

/// The first sample at or after `from_ms` of `speech` from which a detector reads 100 ms of
/// voiced speech on end (five frames of speech, voicing ≥ 0.8): inside a vowel, not a
/// fricative's noise or a pause.
fn voiced_from(speech: &[i16], from_ms: usize) -> usize {
    let mut probe = on_hold(Arc::new(LoopLibrary::new()));
    feed(&mut probe, speech);
    let frames = probe.recent_frames();
    let voiced = |i: usize| {
        frames
            .get(i)
            .is_some_and(|r| r.class == FrameClass::Speech && r.voicing >= 0.8)
    };
    (0..frames.len())
        .find(|&i| frames[i].start_samples >= from_ms as u64 * 8 && (i..i + 5).all(voiced))
        .map(|i| frames[i].start_samples as usize)
        .expect("the speech is voiced for 100 ms after from_ms")
}

/// A leg hears a known recording (the bank's 6 s seed-710 voice, learned as music when
/// `music`, else as speech) stop, then 40 ms later the next clip: speech the library does not
/// know, louder than the recording, from its first syllable. Returns the decision on that clip.
fn next_clip_after_known_recording(music: bool) -> Verdict {
    let library = Arc::new(LoopLibrary::new());
    let recording = speech(6000, VOICE_RECORDED, -22.0, 710);
    library.learn_recording(&recording, !music);

    let mut leg = on_hold(Arc::clone(&library));
    let end = voiced_from(&recording, 4500) + 2400;
    let mut verdicts = feed(&mut leg, &concat(&[&recording[..end], &silence(40)]));
    let onset = leg.media_samples();
    let clip = speech(2500, VOICE_AGENT, -14.0, 711);
    let clip = &clip[voiced_from(&clip, 0)..];
    verdicts.extend(feed(&mut leg, &concat(&[clip, &silence(1000)])));
    decision_from(&verdicts, onset).clone()
}

/// A music track with a sung line reads as speech frame by frame. Known as a music track (an
/// operator's recording of the line's music), it is still music where it lines up, so a new
/// clip that follows it comes after music and its gap after the music is weighed (here 40 ms
/// of silence and the track's own pause before the cut). Read as speech only, that clip was
/// taken live on its first words ("NEW_SPEECH_AFTER_SILENCE"), as on seed 3, `irs-business`
/// call 50. (Its later phrases are a first hearing of unknown speech, another matter.)
#[test]
fn a_known_tracks_sung_line_is_music_before_the_next_clip() {
    let decision = next_clip_after_known_recording(true);
    let text = decision.cause.to_string();
    assert_ne!(decision.phase, Phase::Live, "{text}");
    assert!(text.contains("after music + "), "{text}");
}

/// The same track learned as a spoken recording is speech, not music: the clip after it does
/// not come after music (the rule above reads the library's marks, not the line's audio).
#[test]
fn a_known_spoken_recording_is_no_music_before_the_next_clip() {
    let text = next_clip_after_known_recording(false).cause.to_string();
    assert!(!text.contains("after music"), "{text}");
}
