//! IVR behaviour and business hours of the far-end destination models.

mod farend_common;
use farend_common::*;

use ringcentral_sim::farend::{AudioLabel, FarEndEvent, FarEndHangupReason};

#[test]
fn individual_line_accepts_the_documented_path_and_reaches_hold() {
    let m = model("+18008291040");
    assert_eq!(m.dtmf_path(), vec!["1", "2", "1", "3", "2", ""]);
    let mut call = m.start_call(synth_bank(), &cfg(1, 60.0), 7, a_weekday_noon());
    let frames = drive(&mut call, 20_000, |f| {
        has_event(f, |e| *e == FarEndEvent::HoldStarted)
    });
    let accepted: Vec<String> = frames
        .iter()
        .flat_map(|f| &f.events)
        .filter_map(|e| match e {
            FarEndEvent::DtmfAccepted { digits, .. } => Some(digits.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(accepted, vec!["1", "2", "1", "3", "2"]);
    assert!(call.truth().hold_started_at_samples.is_some());
    assert!(call.truth().answered_at_samples.unwrap() > 0, "rings first");
    assert_eq!(frames[0].label, AudioLabel::Ringback);
    assert!(frames.iter().any(|f| f.label == AudioLabel::IvrPrompt));
    // No DTMF was rejected and no prompt repeated.
    assert!(
        !frames
            .iter()
            .any(|f| has_event(f, |e| matches!(e, FarEndEvent::DtmfRejected { .. })))
    );
}

#[test]
fn wrong_digit_repeats_the_prompt_then_disconnects() {
    let m = model("+18008291040");
    let mut call = m.start_call(synth_bank(), &cfg(2, 60.0), 1, a_weekday_noon());
    let mut prompts = Vec::new();
    let mut rejected = 0;
    let mut hangup = None;
    for _ in 0..10_000 {
        let f = call.next_frame();
        for e in &f.events {
            match e {
                FarEndEvent::IvrPrompt { prompt_id } => {
                    prompts.push(prompt_id.clone());
                    call.on_dtmf('7');
                }
                FarEndEvent::DtmfRejected { prompt_id } => {
                    assert_eq!(prompt_id, "ivr.welcome-language");
                    rejected += 1;
                }
                FarEndEvent::HungUp { reason } => hangup = Some(*reason),
                _ => {}
            }
        }
        if call.is_finished() {
            break;
        }
    }
    assert_eq!(
        prompts,
        vec!["ivr.welcome-language", "ivr.welcome-language"]
    );
    assert_eq!(rejected, 2);
    assert_eq!(hangup, Some(FarEndHangupReason::IvrFailed));
    assert_eq!(
        call.truth().hangup.unwrap().1,
        FarEndHangupReason::IvrFailed
    );
    // After the hang-up, frames are silent and event-free.
    let after = call.next_frame();
    assert!(after.events.is_empty() && after.ulaw.iter().all(|&b| b == 0xFF));
}

#[test]
fn missing_digit_repeats_the_prompt_then_disconnects() {
    let m = model("+18008294933");
    let mut call = m.start_call(synth_bank(), &cfg(3, 60.0), 1, a_weekday_noon());
    let mut prompts = 0;
    for _ in 0..20_000 {
        let f = call.next_frame();
        prompts += f
            .events
            .iter()
            .filter(|e| matches!(e, FarEndEvent::IvrPrompt { .. }))
            .count();
        if call.is_finished() {
            break;
        }
    }
    assert_eq!(prompts, 2, "prompt played, repeated once");
    assert_eq!(
        call.truth().hangup.unwrap().1,
        FarEndHangupReason::IvrFailed
    );
    // It waited the 6 s timeout twice: well over 12 s of media.
    assert!(call.media_samples() > 12 * 8000);
}

#[test]
fn a_wrong_digit_then_the_right_one_goes_on() {
    let m = model("+18668604259");
    let mut call = m.start_call(synth_bank(), &cfg(4, 60.0), 1, a_weekday_noon());
    let mut first = true;
    let mut accepted = Vec::new();
    for _ in 0..30_000 {
        let f = call.next_frame();
        for e in &f.events {
            match e {
                FarEndEvent::IvrPrompt { prompt_id } if prompt_id == "ivr.pps.welcome" => {
                    call.on_dtmf(if first { '9' } else { '1' });
                    first = false;
                }
                FarEndEvent::IvrPrompt { prompt_id } if prompt_id == "ivr.pps.second" => {
                    call.on_dtmf('3')
                }
                FarEndEvent::DtmfAccepted { prompt_id, .. } => accepted.push(prompt_id.clone()),
                _ => {}
            }
        }
        if call.truth().hold_started_at_samples.is_some() || call.is_finished() {
            break;
        }
    }
    assert_eq!(accepted, vec!["ivr.pps.welcome", "ivr.pps.second"]);
    // PPS asks its second selection minutes into the call (scaled by 60: 2.5 s, min 5 s).
    assert!(call.truth().hold_started_at_samples.is_some());
}

#[test]
fn business_hours_in_new_york() {
    let m = model("+18008291040");
    let at = |s: &str| -> jiff::Timestamp {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .in_tz("America/New_York")
            .unwrap()
            .timestamp()
    };
    assert!(m.is_open_at(at("2025-11-25T07:00:00")), "Tuesday opening");
    assert!(m.is_open_at(at("2025-11-25T18:59:59")));
    assert!(!m.is_open_at(at("2025-11-25T06:59:59")));
    assert!(!m.is_open_at(at("2025-11-25T19:00:00")), "closes at 19:00");
    assert!(!m.is_open_at(at("2025-11-29T12:00:00")), "Saturday");
    assert!(!m.is_open_at(at("2025-11-30T12:00:00")), "Sunday");
    assert!(
        !m.is_open_at(at("2025-11-27T12:00:00")),
        "Thanksgiving 2025"
    );
    assert!(
        m.is_open_at(at("2025-11-28T12:00:00")),
        "day after Thanksgiving is open"
    );
    assert!(
        !m.is_open_at(at("2025-07-04T12:00:00")),
        "July 4th on a Friday"
    );
    assert!(
        !m.is_open_at(at("2026-07-03T12:00:00")),
        "July 4th 2026 observed Friday"
    );
    assert!(
        !m.is_open_at(at("2027-07-05T12:00:00")),
        "July 4th 2027 observed Monday"
    );
    assert!(!m.is_open_at(at("2025-12-25T12:00:00")), "Christmas");
    // 7:30 in New York is 12:30 UTC in winter: same instant, line open.
    assert!(m.is_open_at("2025-12-02T12:30:00Z".parse().unwrap()));
    assert!(!m.is_open_at("2025-12-02T11:30:00Z".parse().unwrap()));
}

#[test]
fn closed_line_answers_plays_the_hours_and_hangs_up() {
    let m = model("+18008291040");
    let mut c = cfg(5, 60.0);
    c.ignore_business_hours = false;
    let saturday: jiff::Timestamp = "2025-11-29T17:00:00Z".parse().unwrap();
    let mut call = m.start_call(synth_bank(), &c, 1, saturday);
    let frames = drive(&mut call, 10_000, |_| false);
    assert!(
        frames
            .iter()
            .any(|f| has_event(f, |e| *e == FarEndEvent::Answered))
    );
    assert!(frames.iter().any(|f| f.label == AudioLabel::Announcement));
    assert_eq!(call.truth().hangup.unwrap().1, FarEndHangupReason::Closed);
    assert!(call.truth().hold_started_at_samples.is_none());
    // Same call on a weekday is open: the IVR runs, no Closed hang-up.
    let mut open_call = m.start_call(synth_bank(), &c, 1, a_weekday_noon());
    let frames = drive(&mut open_call, 1_500, |_| false);
    assert!(frames.iter().any(|f| f.label == AudioLabel::IvrPrompt));
    assert_ne!(
        open_call.truth().hangup.map(|h| h.1),
        Some(FarEndHangupReason::Closed)
    );
}
