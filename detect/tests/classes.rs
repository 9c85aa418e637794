//! Each frame class is recognised on short synthetic clips, and the VAD never calls tones or
//! music voice.
mod support;

use holdhunter_detect::classify::{ClassifierConfig, FrameClass, FrameClassifier};
use holdhunter_detect::features::{ContextTracker, FeatureExtractor};
use holdhunter_detect::ulaw::decode_frame;
use support::*;

/// Class histogram over a clip sent through G.711 (encode, then decode as a leg would),
/// skipping the first 0.5 s of warm-up.
fn classes(pcm: &[i16]) -> std::collections::HashMap<FrameClass, usize> {
    let ulaw = to_ulaw(pcm);
    let mut fx = FeatureExtractor::new();
    let cfg = ClassifierConfig::default();
    let mut ctx = ContextTracker::new(cfg.voicing_threshold);
    let mut classifier = FrameClassifier::new(cfg);
    let mut hist = std::collections::HashMap::new();
    let mut frame = [0i16; 160];
    for (i, chunk) in ulaw.chunks_exact(160).enumerate() {
        decode_frame(chunk, &mut frame);
        let f = fx.push(&frame);
        let c = ctx.push(&f);
        let class = classifier.classify(&f, &c);
        if i >= 25 {
            *hist.entry(class).or_insert(0) += 1;
        }
    }
    hist
}

fn share(hist: &std::collections::HashMap<FrameClass, usize>, class: FrameClass) -> f32 {
    let total: usize = hist.values().sum();
    *hist.get(&class).unwrap_or(&0) as f32 / total.max(1) as f32
}

#[test]
fn sine_tone_is_tone_not_speech() {
    for hz in [350.0, 440.0, 1004.0] {
        let hist = classes(&sine(3000, hz, -15.0));
        assert!(share(&hist, FrameClass::Tone) > 0.95, "{hz} Hz: {hist:?}");
        assert_eq!(share(&hist, FrameClass::Speech), 0.0, "{hz} Hz: {hist:?}");
    }
}

#[test]
fn ringback_and_dtmf_are_tones() {
    let hist = classes(&dual_tone(3000, 440.0, 480.0, -15.0));
    assert!(share(&hist, FrameClass::Tone) > 0.95, "{hist:?}");
    let hist = classes(&dual_tone(2000, 770.0, 1336.0, -12.0));
    assert!(share(&hist, FrameClass::Tone) > 0.95, "{hist:?}");
}

#[test]
fn chord_music_is_music() {
    for seed in 1..=3 {
        let hist = classes(&chord_music(8000, -20.0, seed));
        assert!(
            share(&hist, FrameClass::Music) > 0.8,
            "seed {seed}: {hist:?}"
        );
        assert!(
            share(&hist, FrameClass::Speech) < 0.1,
            "seed {seed}: {hist:?}"
        );
    }
}

#[test]
fn white_noise_is_noise() {
    let hist = classes(&white_noise(3000, -25.0, 7));
    assert!(share(&hist, FrameClass::Noise) > 0.95, "{hist:?}");
}

#[test]
fn silence_and_quiet_line_are_silence() {
    let hist = classes(&silence(2000));
    assert_eq!(share(&hist, FrameClass::Silence), 1.0, "{hist:?}");
    let hist = classes(&white_noise(2000, -65.0, 3));
    assert_eq!(share(&hist, FrameClass::Silence), 1.0, "{hist:?}");
}

#[test]
fn synthetic_speech_is_speech() {
    for (seed, voice) in [(11, VOICE_AGENT), (12, VOICE_RECORDED), (13, VOICE_AGENT)] {
        let hist = classes(&speech(6000, voice, -20.0, seed));
        let sounding: usize = hist
            .iter()
            .filter(|(c, _)| **c != FrameClass::Silence)
            .map(|(_, n)| n)
            .sum();
        let speech = *hist.get(&FrameClass::Speech).unwrap_or(&0);
        assert!(
            speech as f32 > 0.8 * sounding as f32,
            "seed {seed}: {hist:?}"
        );
        assert!(
            share(&hist, FrameClass::Tone) < 0.02,
            "seed {seed}: {hist:?}"
        );
    }
}
