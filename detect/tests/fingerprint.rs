//! Loop-library recognition: a repeat of a recording lines up on one time offset; other
//! speech does not.

mod support;

use holdhunter_detect::LoopLibrary;
use holdhunter_detect::features::FeatureExtractor;
use holdhunter_detect::fingerprint::{
    LandmarkHasher, LibraryEntry, OffsetVotes, PEAKS_PER_FRAME, ZONE_FRAMES, pick_peaks,
    vote_landmark,
};
use holdhunter_detect::ulaw::decode_ulaw;
use support::*;

/// Best aligned votes and informative landmarks of `pcm` against `lib`.
fn aligned(lib: &LoopLibrary, pcm: &[i16]) -> (u32, u32) {
    let source = lib.register_leg();
    let mut ex = FeatureExtractor::new();
    let mut hasher = LandmarkHasher::new();
    let mut votes = OffsetVotes::cumulative();
    let (mut tags, mut offsets) = (Vec::new(), Vec::new());
    let mut peaks = [0u16; PEAKS_PER_FRAME];
    for (i, frame) in pcm.chunks_exact(160).enumerate() {
        let f = ex.push(frame);
        let n = if f.energy_dbfs < -50.0 {
            0
        } else {
            pick_peaks(ex.power_spectrum(), &mut peaks)
        };
        let landmarks = hasher.push(&peaks[..n]).to_vec();
        let Some(anchor) = (i as u64).checked_sub(ZONE_FRAMES as u64) else {
            continue;
        };
        let here = LibraryEntry::tag_of(source, anchor);
        offsets.clear();
        let mut informative = 0;
        for lm in &landmarks {
            let mut v = [0u32; 3];
            let count = lm.variants(&mut v);
            informative += vote_landmark(lib, &v[..count], here, &mut tags, &mut offsets).1 as u32;
        }
        votes.add_frame(anchor, &offsets, informative);
    }
    (votes.best_votes(), votes.landmarks())
}

/// `pcm` delayed by `shift` samples, scaled by `gain_db`, through G.711 μ-law.
fn replay(pcm: &[i16], shift: usize, gain_db: f32) -> Vec<i16> {
    let gain = 10f32.powf(gain_db / 20.0);
    let scaled: Vec<i16> = pcm
        .iter()
        .map(|&s| (s as f32 * gain).clamp(-32768.0, 32767.0) as i16)
        .collect();
    let mut out = vec![0i16; shift];
    out.extend(to_ulaw(&scaled).into_iter().map(decode_ulaw));
    out
}

#[test]
fn a_repeat_lines_up_and_other_speech_does_not() {
    let recording = speech(3000, VOICE_RECORDED, -20.0, 7);
    let lib = LoopLibrary::new();
    lib.learn_clip(&recording);
    // Library noise: other recordings and music.
    lib.learn_clip(&speech(3000, VOICE_RECORDED, -20.0, 8));
    lib.learn_clip(&chord_music(6000, -22.0, 9));

    for (shift, gain_db) in [(0, 0.0), (37, 6.0), (101, -6.0), (159, 3.0)] {
        let (votes, n) = aligned(&lib, &replay(&recording, shift, gain_db));
        assert!(
            votes >= 20 && votes as f32 >= 0.3 * n as f32,
            "repeat shift {shift} gain {gain_db}: {votes}/{n}"
        );
    }
    // Another voice saying other words; the same voice saying other words.
    for (name, other) in [
        ("agent", speech(3000, VOICE_AGENT, -20.0, 11)),
        ("same voice", speech(3000, VOICE_RECORDED, -20.0, 12)),
    ] {
        let (votes, n) = aligned(&lib, &replay(&other, 53, -3.0));
        assert!(
            (votes as f32) < 0.15 * n as f32,
            "{name} lines up: {votes}/{n}"
        );
    }
}
