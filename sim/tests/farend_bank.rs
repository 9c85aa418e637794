//! The audio bank: synthesized fallback and the real-asset cache.

mod farend_common;
use farend_common::*;

use std::time::Instant;

use ringcentral_sim::audio::{AudioBank, ClipKind, Language, level};

#[test]
fn fallback_bank_synthesizes_every_kind_quickly_and_deterministically() {
    let missing = std::env::temp_dir().join("hh-sim-assets-that-do-not-exist");
    let t0 = Instant::now();
    let bank = AudioBank::load(Some(&missing)).unwrap();
    let took = t0.elapsed();
    eprintln!(
        "synthesized bank: {} clips, {} samples in {took:?}",
        bank.clips().len(),
        bank.total_samples()
    );
    // < 1 s in release; debug builds of this crate are unoptimised, allow slack on a busy box.
    assert!(took.as_secs_f64() < 10.0, "took {took:?}");
    assert!(bank.is_synthesized());
    for kind in [
        ClipKind::IvrPrompt,
        ClipKind::Music,
        ClipKind::MusicVocal,
        ClipKind::Announcement,
        ClipKind::WaitEstimate,
        ClipKind::TooBusy,
        ClipKind::Closed,
        ClipKind::AgentGreeting,
        ClipKind::AgentHello,
        ClipKind::AgentAnyoneThere,
        ClipKind::AgentTalk,
        ClipKind::Challenge,
        ClipKind::Tone,
        ClipKind::Click,
    ] {
        assert!(!bank.of_kind(kind).is_empty(), "{kind:?}");
    }
    assert!(bank.agent_voices().len() >= 5);
    assert!(
        !bank
            .of_kind_in(ClipKind::Announcement, Language::Spanish)
            .is_empty()
    );
    assert_eq!(
        bank.wait_estimate(Language::English, 44)
            .unwrap()
            .wait_minutes,
        Some(45)
    );
    // Every speech clip has an onset and audible speech; music is continuous.
    for c in bank.clips() {
        if c.kind.is_speech() {
            let on = c
                .onset_sample
                .unwrap_or_else(|| panic!("{} has no onset", c.id));
            assert!(level::rms_dbfs(&c.samples[on..]) > -35.0, "{}", c.id);
        }
    }
    let again = AudioBank::load(None).unwrap();
    for (a, b) in bank.clips().iter().zip(again.clips()) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.samples, b.samples, "{}", a.id);
    }
    // Different voices have different pitch: the greeting clips differ.
    let v = bank.agent_voices();
    let g0 = &bank.voice_clips(&v[0], ClipKind::AgentGreeting)[0].samples;
    let g1 = &bank.voice_clips(&v[1], ClipKind::AgentGreeting)[0].samples;
    assert_ne!(g0, g1);
}

#[test]
fn asset_bank_loads_real_recordings_when_built() {
    let Some(bank) = asset_bank() else { return };
    assert!(!bank.is_synthesized());
    let recorded = bank
        .clips()
        .iter()
        .filter(|c| c.origin == ringcentral_sim::audio::ClipOrigin::Recorded)
        .count();
    assert!(recorded >= 100, "{recorded} recorded clips");
    let ann = bank.clip("ann.en.representatives").unwrap();
    assert!(ann.duration_ms() > 5_000);
    for c in bank.clips().iter().filter(|c| c.kind == ClipKind::Music) {
        assert!(
            c.duration_ms() >= 30_000,
            "{} is a tens-of-seconds excerpt",
            c.id
        );
        assert!(level::rms_dbfs(&c.samples) > -40.0);
    }
    let _ = cfg(0, 1.0);
}
