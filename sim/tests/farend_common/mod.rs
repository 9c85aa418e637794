// Shared helpers for the far-end integration tests (included with `mod` by each test file).
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use ringcentral_sim::audio::{AudioBank, decode_ulaw};
use ringcentral_sim::farend::{
    DestinationCatalog, DestinationModel, FarEndCall, FarEndConfig, FarEndEvent, FarEndFrame,
    IvrInput,
};

pub fn synth_bank() -> Arc<AudioBank> {
    static BANK: OnceLock<Arc<AudioBank>> = OnceLock::new();
    BANK.get_or_init(|| AudioBank::load(None).expect("synthesized bank"))
        .clone()
}

/// The real-asset bank when the cache was built (sim/assets/build-assets.sh).
pub fn asset_bank() -> Option<Arc<AudioBank>> {
    let dir = ringcentral_sim::audio::default_asset_dir();
    if !dir.join("manifest.tsv").is_file() {
        eprintln!(
            "asset cache {} missing: real-audio checks skipped",
            dir.display()
        );
        return None;
    }
    Some(AudioBank::load(Some(&dir)).expect("asset bank"))
}

pub fn cfg(seed: u64, time_scale: f64) -> FarEndConfig {
    FarEndConfig {
        seed,
        time_scale,
        ignore_business_hours: true,
        agent_patience_ms: 3_000,
        voice_challenge: false,
    }
}

pub fn model(number: &str) -> Arc<DestinationModel> {
    DestinationCatalog::with_test_lines()
        .lookup(number)
        .expect("known number")
}

pub fn a_weekday_noon() -> jiff::Timestamp {
    "2025-11-25T17:00:00Z".parse().unwrap()
}

/// Drive a call like a well-behaved caller: answer every menu with its first accepted key
/// right when the prompt starts; skip optional number entries. Stops at `stop(frame)` or when
/// the call finishes or after `max_frames`.
pub fn drive(
    call: &mut FarEndCall,
    max_frames: usize,
    mut stop: impl FnMut(&FarEndFrame) -> bool,
) -> Vec<FarEndFrame> {
    let model = call.destination().clone();
    let mut frames = Vec::new();
    for _ in 0..max_frames {
        let f = call.next_frame();
        for ev in &f.events {
            if let FarEndEvent::IvrPrompt { prompt_id } = ev {
                let step = model
                    .spec()
                    .ivr
                    .steps
                    .iter()
                    .find(|s| &s.prompt_id == prompt_id);
                if let Some(IvrInput::Menu { accept }) = step.map(|s| &s.input) {
                    call.on_dtmf(accept[0].chars().next().unwrap());
                }
            }
        }
        let done = stop(&f) || call.is_finished();
        frames.push(f);
        if done {
            break;
        }
    }
    frames
}

pub fn has_event(f: &FarEndFrame, pred: impl Fn(&FarEndEvent) -> bool) -> bool {
    f.events.iter().any(pred)
}

pub fn pcm(frames: &[FarEndFrame]) -> Vec<i16> {
    frames
        .iter()
        .flat_map(|f| f.ulaw.iter().map(|&c| decode_ulaw(c)))
        .collect()
}

pub fn rms_db(s: &[i16]) -> f64 {
    ringcentral_sim::audio::level::rms_dbfs(s)
}
