//! Hold, agent pickup, ground truth and determinism of far-end calls.

mod farend_common;
use farend_common::*;

use std::collections::HashMap;
use std::sync::Arc;

use rand::SeedableRng;
use ringcentral_sim::audio::AudioBank;
use ringcentral_sim::farend::{
    AudioLabel, DestinationCatalog, DestinationModel, FRAME_SAMPLES, FarEndEvent,
    FarEndHangupReason, presets,
};

fn run_to_end(
    m: &Arc<DestinationModel>,
    bank: Arc<AudioBank>,
    seed: u64,
    call_seed: u64,
    scale: f64,
    max_frames: usize,
) -> (
    Vec<ringcentral_sim::farend::FarEndFrame>,
    ringcentral_sim::farend::CallTruth,
) {
    let mut call = m.start_call(bank, &cfg(seed, scale), call_seed, a_weekday_noon());
    let frames = drive(&mut call, max_frames, |_| false);
    (frames, call.truth().clone())
}

#[test]
fn same_seed_gives_identical_frames_and_different_seeds_differ() {
    let m = model("+18008291040");
    let (a, ta) = run_to_end(&m, synth_bank(), 11, 5, 60.0, 4_000);
    let (b, tb) = run_to_end(&m, synth_bank(), 11, 5, 60.0, 4_000);
    assert_eq!(a.len(), b.len());
    for (fa, fb) in a.iter().zip(&b) {
        assert_eq!(fa.ulaw, fb.ulaw);
        assert_eq!(fa.events, fb.events);
        assert_eq!(fa.label, fb.label);
    }
    assert_eq!(ta, tb);
    let quick = model("+15550100001");
    let hold_of = |seed: u64, cs: u64| {
        let mut call = quick.start_call(synth_bank(), &cfg(seed, 60.0), cs, a_weekday_noon());
        drive(&mut call, 20_000, |f| {
            has_event(f, |e| *e == FarEndEvent::HoldStarted)
        });
        call.truth().drawn_hold_ms.unwrap()
    };
    let holds: std::collections::HashSet<u64> = (0..6u64).map(|cs| hold_of(11, cs)).collect();
    assert!(
        holds.len() >= 5,
        "hold times should differ by call seed: {holds:?}"
    );
    assert_ne!(hold_of(11, 5), hold_of(12, 5), "and by config seed");
}

#[test]
fn hold_time_distribution_matches_the_configured_log_normal() {
    for (number, mean_min) in [
        ("+18008291040", 13.0),
        ("+18008294933", 15.0),
        ("+18668604259", 25.0),
    ] {
        let m = model(number);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
        let mut v: Vec<f64> = (0..40_000)
            .map(|_| m.draw_hold_ms(&mut rng) as f64 / 60_000.0)
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let median = v[v.len() / 2];
        let sigma = m.spec().queue.hold_sigma;
        let want_median = mean_min * (-sigma * sigma / 2.0f64).exp();
        assert!(
            (mean / mean_min - 1.0).abs() < 0.06,
            "{number}: mean {mean:.2} min, want {mean_min}"
        );
        assert!(
            (median / want_median - 1.0).abs() < 0.06,
            "{number}: median {median:.2}, want {want_median:.2}"
        );
        // Heavy tail: the 99th percentile is far above the mean.
        assert!(v[v.len() * 99 / 100] > 3.5 * mean_min);
    }
}

#[test]
fn hold_time_is_divided_by_time_scale() {
    let m = model("+18008291040");
    let mut c1 = m.start_call(synth_bank(), &cfg(3, 1.0), 9, a_weekday_noon());
    let mut c60 = m.start_call(synth_bank(), &cfg(3, 60.0), 9, a_weekday_noon());
    drive(&mut c1, 20_000, |f| {
        has_event(f, |e| *e == FarEndEvent::HoldStarted)
    });
    drive(&mut c60, 20_000, |f| {
        has_event(f, |e| *e == FarEndEvent::HoldStarted)
    });
    let h1 = c1.truth().drawn_hold_ms.unwrap();
    let h60 = c60.truth().drawn_hold_ms.unwrap();
    assert!(
        (h1 as f64 / 60.0 - h60 as f64).abs() <= 1.0,
        "{h1} vs {h60}"
    );
}

/// A line that always answers after a long, nearly fixed hold, for loop tests.
fn long_hold_line(hold_min: u64) -> Arc<DestinationModel> {
    let mut spec = presets::irs_individual();
    spec.ivr.steps.clear();
    spec.queue.level_of_service = 1.0;
    spec.queue.hold_mean_ms = hold_min * 60_000;
    spec.queue.hold_sigma = 0.01;
    spec.number = "+15550100099".into();
    let mut cat = DestinationCatalog::default();
    cat.add(spec).unwrap()
}

#[test]
fn announcements_recur_during_a_long_hold() {
    let m = long_hold_line(15);
    let mut call = m.start_call(synth_bank(), &cfg(21, 1.0), 1, a_weekday_noon());
    let frames = drive(&mut call, 20 * 60 * 50, |f| {
        has_event(f, |e| *e == FarEndEvent::AgentPickedUp)
    });
    let mut seen: HashMap<String, usize> = HashMap::new();
    for f in &frames {
        for e in &f.events {
            if let FarEndEvent::AnnouncementStarted { id } = e {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    assert!(
        seen.values().any(|&n| n >= 2),
        "some announcement repeats: {seen:?}"
    );
    assert!(
        seen.keys().any(|k| k.starts_with("ann.es.")),
        "Spanish follows English: {seen:?}"
    );
    assert!(
        seen.keys().any(|k| k.starts_with("wait.")),
        "estimated wait announced: {seen:?}"
    );
    let music = frames
        .iter()
        .filter(|f| f.label == AudioLabel::Music)
        .count();
    let ann = frames
        .iter()
        .filter(|f| f.label == AudioLabel::Announcement)
        .count();
    assert!(
        music > ann,
        "mostly music: music {music} frames, announcements {ann}"
    );
    // Intervals between English announcement starts are 30-90 s of music plus clips.
    let starts: Vec<usize> = frames
        .iter()
        .enumerate()
        .filter(|(_, f)| has_event(f, |e| matches!(e, FarEndEvent::AnnouncementStarted { id } if id.starts_with("ann.en."))))
        .map(|(i, _)| i)
        .collect();
    for w in starts.windows(2) {
        let gap_s = (w[1] - w[0]) as f64 * 0.02;
        assert!((30.0..130.0).contains(&gap_s), "gap {gap_s}");
    }
}

fn check_agent_onset(bank: Arc<AudioBank>, seeds: std::ops::Range<u64>) {
    let m = model("+15550100001");
    for seed in seeds {
        let mut call = m.start_call(bank.clone(), &cfg(seed, 60.0), seed, a_weekday_noon());
        let frames = drive(&mut call, 20_000, |f| {
            has_event(f, |e| *e == FarEndEvent::AgentSpeechStarted)
        });
        if call.truth().agent_speech_started_at_samples.is_none() {
            // Too busy / courtesy disconnect (LOS 1 on this line: must not happen).
            panic!("seed {seed}: no agent speech, truth {:?}", call.truth());
        }
        let t = call.truth().clone();
        let onset = t.agent_speech_started_at_samples.unwrap() as usize;
        let k = frames.len() - 1;
        assert!(has_event(&frames[k], |e| *e == FarEndEvent::AgentSpeechStarted));
        assert_eq!(
            onset / FRAME_SAMPLES,
            k,
            "event is on the frame containing the onset"
        );
        assert_eq!(frames[k].label, AudioLabel::AgentSpeech);
        let picked = t.agent_picked_up_at_samples.unwrap() as usize;
        assert!(
            onset >= picked + 800,
            "at least 100 ms of silence after pickup"
        );
        assert!(has_event(&frames[picked / FRAME_SAMPLES], |e| *e
            == FarEndEvent::AgentPickedUp));
        // Energy: quiet before the onset, speech right after it.
        let more = drive(&mut call, 20, |_| false);
        let mut all = frames;
        all.extend(more);
        let audio = pcm(&all);
        let before = rms_db(&audio[onset - 400..onset]);
        let after = rms_db(&audio[onset..onset + 800]);
        assert!(
            after > before + 10.0,
            "seed {seed}: before {before:.1} dB, after {after:.1} dB"
        );
        assert!(after > -50.0, "seed {seed}: speech level {after:.1}");
        // No frame between pickup+click and the onset frame is labelled speech.
        for f in &all[picked / FRAME_SAMPLES + 1..k] {
            assert!(
                matches!(f.label, AudioLabel::Silence | AudioLabel::Noise),
                "{:?}",
                f.label
            );
        }
    }
}

#[test]
fn agent_speech_started_is_on_the_frame_where_agent_energy_begins() {
    check_agent_onset(synth_bank(), 0..12);
    if let Some(bank) = asset_bank() {
        check_agent_onset(bank, 100..112);
    }
}

#[test]
fn agent_gives_up_after_patience_when_nobody_answers() {
    let m = model("+15550100001");
    let mut call = m.start_call(synth_bank(), &cfg(8, 60.0), 3, a_weekday_noon());
    let frames = drive(&mut call, 50_000, |_| false);
    let t = call.truth();
    let (at, reason) = t.hangup.unwrap();
    assert_eq!(reason, FarEndHangupReason::AgentGaveUp);
    let speech_start = t.agent_speech_started_at_samples.unwrap();
    assert!(
        at - speech_start >= 3_000 * 8,
        "waited at least the patience"
    );
    // Two speech runs: greeting, then "Hello? Is anyone there?" after >= patience of silence.
    let mut runs = Vec::new();
    let mut in_run = false;
    for (i, f) in frames.iter().enumerate() {
        let s = f.label == AudioLabel::AgentSpeech;
        if s && !in_run {
            runs.push(i);
        }
        in_run = s;
    }
    assert!(runs.len() >= 2, "greeting and anyone-there: {runs:?}");
    let last_greeting_frame = frames[..runs[runs.len() - 1]]
        .iter()
        .rposition(|f| f.label == AudioLabel::AgentSpeech)
        .unwrap();
    let gap_ms = (runs[runs.len() - 1] - last_greeting_frame) * 20;
    assert!(gap_ms >= 3_000, "silence gap {gap_ms} ms");
    assert!(call.is_finished());
}

#[test]
fn transferred_and_answered_call_stays_up_with_the_agent_talking() {
    let m = model("+15550100001");
    let mut call = m.start_call(synth_bank(), &cfg(8, 60.0), 3, a_weekday_noon());
    drive(&mut call, 50_000, |f| {
        has_event(f, |e| *e == FarEndEvent::AgentSpeechStarted)
    });
    call.on_transferred();
    let more = drive(&mut call, 25, |_| false);
    call.on_queue_answered();
    let more2 = drive(&mut call, 5 * 60 * 50, |_| false);
    assert!(
        !call.is_finished(),
        "call stays up: {:?}",
        call.truth().hangup
    );
    assert!(call.truth().transferred_at_samples.is_some());
    let speech = more
        .iter()
        .chain(&more2)
        .filter(|f| f.label == AudioLabel::AgentSpeech)
        .count();
    assert!(speech > 50 * 20, "agent keeps talking: {speech} frames");
}

#[test]
fn voice_challenge_comes_before_the_agent_greeting() {
    let m = model("+15550100001");
    let mut c = cfg(9, 60.0);
    c.voice_challenge = true;
    let mut call = m.start_call(synth_bank(), &c, 1, a_weekday_noon());
    let frames = drive(&mut call, 50_000, |f| {
        has_event(f, |e| *e == FarEndEvent::ChallengeStarted)
    });
    assert_eq!(frames.last().unwrap().label, AudioLabel::ChallengeSpeech);
    assert!(call.truth().challenge_started_at_samples.is_some());
    assert!(call.truth().agent_speech_started_at_samples.is_none());
    call.on_transferred();
    call.on_queue_answered();
    drive(&mut call, 3_000, |f| {
        has_event(f, |e| *e == FarEndEvent::AgentSpeechStarted)
    });
    assert!(call.truth().agent_speech_started_at_samples.is_some());
    // Unanswered challenge: repeated once, then the agent hangs up.
    let mut call = m.start_call(synth_bank(), &c, 2, a_weekday_noon());
    drive(&mut call, 50_000, |_| false);
    assert_eq!(
        call.truth().hangup.unwrap().1,
        FarEndHangupReason::AgentGaveUp
    );
}

#[test]
fn test_lines_busy_no_answer_and_too_busy() {
    let (f, _) = run_to_end(&model("+15550100002"), synth_bank(), 1, 1, 60.0, 10_000);
    assert!(has_event(f.last().unwrap(), |e| *e == FarEndEvent::Busy));
    let (f, t) = run_to_end(&model("+15550100003"), synth_bank(), 1, 1, 60.0, 10_000);
    assert!(has_event(f.last().unwrap(), |e| *e == FarEndEvent::NoAnswer));
    assert!(t.answered_at_samples.is_none());
    assert!(f.len() >= 60 * 50, "rang for a minute");
    let (_, t) = run_to_end(&model("+15550100004"), synth_bank(), 1, 1, 60.0, 10_000);
    assert_eq!(t.hangup.unwrap().1, FarEndHangupReason::TooBusy);
    assert!(t.hold_started_at_samples.is_none());
}

#[test]
fn service_level_splits_outcomes_as_configured() {
    // PPS: LOS 0.6 -> 20% too busy, 25% of the rest courtesy-disconnected.
    let m = model("+18668604259");
    let q = &m.spec().queue;
    assert!((q.too_busy_probability() - 0.2).abs() < 1e-9);
    let answered = (1.0 - q.too_busy_probability()) * (1.0 - q.courtesy_disconnect_probability());
    assert!((answered - 0.6).abs() < 1e-9);
}
