//! LegDetector behaviour on synthetic calls: hold loop with a repeated announcement, a live
//! agent, the shared loop library, segment events, gaps and the NEEDS_HUMAN paths.
mod support;

use std::sync::Arc;

use holdhunter_detect::fingerprint::{MUSIC_MARK_KEY, SPEECH_MARK_KEY};
use holdhunter_detect::{
    Cause, DetectorConfig, KnownMessages, LegDetector, LoopLibrary, MessageKind, Phase,
    SegmentEvent, SegmentKind, Verdict,
};
use support::*;

const MS: u64 = 8; // samples per ms

/// Feed PCM through G.711 in 20 ms frames; collect verdicts.
fn feed(leg: &mut LegDetector, pcm: &[i16]) -> Vec<Verdict> {
    to_ulaw(pcm)
        .chunks(160)
        .filter_map(|f| leg.push_ulaw(f))
        .collect()
}

fn ivr_prompt() -> Vec<i16> {
    concat(&[&speech(2500, VOICE_RECORDED, -20.0, 100), &silence(600)])
}

fn announcement() -> Vec<i16> {
    speech(3000, VOICE_RECORDED, -20.0, 200)
}

/// One cycle of the hold loop: music, a short gap, the announcement, a short gap.
fn hold_cycle(music_seed: u64) -> Vec<i16> {
    concat(&[
        &chord_music(8000, -22.0, music_seed),
        &silence(300),
        &announcement(),
        &silence(300),
    ])
}

/// The agent's line: background noise at −62 dBFS, a click, then the greeting over the noise.
/// Returns the audio and the offset (samples) where the greeting starts.
fn agent_pickup(seed: u64) -> (Vec<i16>, u64) {
    let mut lead = white_noise(400, -62.0, seed + 1);
    for s in &mut lead[1600..1616] {
        *s = 12000;
    }
    let mut greeting = speech(3000, VOICE_AGENT, -18.0, seed);
    mix_into(&mut greeting, &white_noise(3000, -62.0, seed + 2));
    let onset = lead.len() as u64;
    (concat(&[&lead, &greeting]), onset)
}

fn codes(verdicts: &[Verdict]) -> Vec<&'static str> {
    verdicts.iter().map(|v| v.cause.code()).collect()
}

#[test]
fn repeated_announcement_stays_hold_and_agent_goes_live_within_300_ms() {
    let library = Arc::new(LoopLibrary::new());
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
    let mut verdicts = feed(&mut leg, &ivr_prompt());
    for seed in [1, 2, 3, 4] {
        verdicts.extend(feed(&mut leg, &hold_cycle(seed)));
    }
    verdicts.extend(feed(&mut leg, &chord_music(3000, -22.0, 5)));
    assert_eq!(leg.phase(), Phase::Hold, "{:#?}", verdicts);
    assert!(
        verdicts.iter().all(|v| v.phase != Phase::Live),
        "{:#?}",
        verdicts
    );
    assert!(
        codes(&verdicts).contains(&"RECORDED_IN_LOOP_LIBRARY"),
        "repeats of the announcement are recognised: {:#?}",
        verdicts
    );

    let before = leg.media_samples();
    let (pickup, onset_offset) = agent_pickup(300);
    let live: Vec<_> = feed(&mut leg, &pickup)
        .into_iter()
        .filter(|v| v.phase == Phase::Live)
        .collect();
    assert_eq!(live.len(), 1, "{live:#?}");
    let onset = before + onset_offset;
    let latency_ms = (live[0].at_samples - onset) / MS;
    assert!(live[0].at_samples > onset, "{live:#?}");
    assert!(
        latency_ms <= 300,
        "LIVE {latency_ms} ms after onset: {}",
        live[0].cause
    );
    let reported = live[0].onset_samples.expect("LIVE carries its onset");
    assert!(
        reported.abs_diff(onset) <= 150 * MS,
        "onset {reported} vs {onset}"
    );
    assert!(live[0].confidence > 0.5 && live[0].confidence <= 1.0);
    let text = live[0].cause.to_string();
    assert!(text.starts_with("NEW_SPEECH_AFTER_MUSIC: "), "{text}");
    assert!(text.contains("not in loop library"), "{text}");
    assert_eq!(leg.phase(), Phase::Live);
}

#[test]
fn ivr_prompts_never_go_live() {
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::new(LoopLibrary::new()));
    let mut verdicts = Vec::new();
    for seed in 0..5 {
        verdicts.extend(feed(
            &mut leg,
            &speech(3000, VOICE_RECORDED, -20.0, 400 + seed),
        ));
        verdicts.extend(feed(&mut leg, &silence(800)));
    }
    let (pickup, _) = agent_pickup(301);
    verdicts.extend(feed(&mut leg, &pickup));
    assert_eq!(leg.phase(), Phase::Ivr, "{verdicts:#?}");
}

/// A loop library that knows the line: one earlier leg heard the menu, the IVR's closing
/// message and four cycles of [`hold_cycle`].
fn library_of_the_loop() -> Arc<LoopLibrary> {
    let library = Arc::new(LoopLibrary::new());
    let mut earlier = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
    feed(&mut earlier, &ivr_prompt());
    feed(&mut earlier, &closing_message());
    for seed in [1, 2, 3, 4] {
        feed(&mut earlier, &hold_cycle(seed));
    }
    library
}

#[test]
fn a_pending_ivr_plan_allows_hold_but_never_live() {
    let mut leg = LegDetector::new(DetectorConfig::default(), library_of_the_loop());
    leg.set_ivr_pending(true);
    let mut verdicts = feed(&mut leg, &ivr_prompt());
    verdicts.extend(feed(&mut leg, &hold_cycle(1)));
    // Music between two menus is hold as far as the user can tell...
    assert_eq!(leg.phase(), Phase::Hold, "{verdicts:#?}");
    // ...but the second menu, and even pickup-like audio, is not an agent while it is pending.
    verdicts.extend(feed(&mut leg, &ivr_prompt()));
    let (pickup, _) = agent_pickup(302);
    verdicts.extend(feed(&mut leg, &pickup));
    assert_eq!(leg.phase(), Phase::Hold, "{verdicts:#?}");
    assert!(
        !verdicts.iter().any(|v| v.phase == Phase::Live),
        "{verdicts:#?}"
    );

    // Plan done: the IVR's own closing message right after the last menu, in two sentences,
    // is not an agent...
    leg.set_ivr_pending(false);
    let mut verdicts = feed(&mut leg, &silence(1000));
    verdicts.extend(feed(&mut leg, &closing_message()));
    assert!(
        !verdicts.iter().any(|v| v.phase == Phase::Live),
        "{verdicts:#?}"
    );
    // ...but once it has ended, the next speech may be (an agent answering without any hold
    // music in between, as on a short queue).
    let mut verdicts = feed(&mut leg, &silence(2000));
    let (pickup, _) = agent_pickup(303);
    verdicts.extend(feed(&mut leg, &pickup));
    assert_eq!(leg.phase(), Phase::Live, "{verdicts:#?}");
}

#[test]
fn hold_music_after_the_ivr_plan_ends_the_settling() {
    let mut leg = LegDetector::new(DetectorConfig::default(), library_of_the_loop());
    leg.set_ivr_pending(true);
    let mut verdicts = feed(&mut leg, &ivr_prompt());
    verdicts.extend(feed(&mut leg, &hold_cycle(1)));
    verdicts.extend(feed(&mut leg, &ivr_prompt()));
    leg.set_ivr_pending(false);
    // Music straight after the last menu, no closing message: the music ends the settling.
    verdicts.extend(feed(&mut leg, &chord_music(6000, -22.0, 2)));
    verdicts.extend(feed(&mut leg, &silence(400)));
    let (pickup, _) = agent_pickup(303);
    verdicts.extend(feed(&mut leg, &pickup));
    assert_eq!(leg.phase(), Phase::Live, "{verdicts:#?}");
}

/// The IVR's message after the last menu: two sentences 400 ms apart, in the recorded voice.
fn closing_message() -> Vec<i16> {
    concat(&[
        &speech(1800, VOICE_RECORDED, -20.0, 401),
        &silence(400),
        &speech(2200, VOICE_RECORDED, -20.0, 402),
    ])
}

#[test]
fn settling_after_the_ivr_plan_holds_until_the_closing_message_ends() {
    let cfg = DetectorConfig {
        allow_live_from_ivr: true,
        ..DetectorConfig::default()
    };
    let mut leg = LegDetector::new(cfg.clone(), Arc::new(LoopLibrary::new()));
    leg.set_ivr_pending(true);
    leg.set_ivr_pending(false);
    // The first speech after the plan is taken for the IVR's closing message.
    let mut verdicts = feed(&mut leg, &silence(600));
    let (pickup, _) = agent_pickup(305);
    verdicts.extend(feed(&mut leg, &pickup));
    assert!(
        !verdicts.iter().any(|v| v.phase == Phase::Live),
        "{verdicts:#?}"
    );
    // Without a plan (no settling) the same audio is LIVE: the settling, not the audio, held it.
    let mut free = LegDetector::new(cfg, Arc::new(LoopLibrary::new()));
    let mut verdicts = feed(&mut free, &silence(600));
    verdicts.extend(feed(&mut free, &agent_pickup(305).0));
    assert_eq!(free.phase(), Phase::Live, "{verdicts:#?}");
}

/// A leg's call up to and through one announcement: IVR prompt, music, announcement, music.
fn heard_on_hold(leg: &mut LegDetector) -> Vec<Verdict> {
    let mut v = feed(leg, &ivr_prompt());
    v.extend(feed(leg, &chord_music(6000, -22.0, 21)));
    v.extend(feed(leg, &silence(300)));
    v.extend(feed(leg, &announcement()));
    v.extend(feed(leg, &silence(300)));
    v.extend(feed(leg, &chord_music(5000, -22.0, 22)));
    v
}

#[test]
fn announcement_heard_on_one_leg_is_recorded_on_another() {
    let library = Arc::new(LoopLibrary::new());
    let mut first = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
    let first_verdicts = heard_on_hold(&mut first);
    assert!(!codes(&first_verdicts).contains(&"RECORDED_IN_LOOP_LIBRARY"));
    assert!(
        first_verdicts.iter().all(|v| v.phase != Phase::Live),
        "{first_verdicts:#?}"
    );
    assert!(!library.is_empty());

    // A second leg, with different music before it, shifted by 7 samples (another alignment).
    let mut second = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
    let mut verdicts = feed(&mut second, &silence(1));
    verdicts.extend(feed(&mut second, &ivr_prompt()));
    verdicts.extend(feed(&mut second, &chord_music(6000, -22.0, 31)));
    verdicts.extend(feed(
        &mut second,
        &concat(&[&silence(300), &announcement()]),
    ));
    assert!(
        codes(&verdicts).contains(&"RECORDED_IN_LOOP_LIBRARY"),
        "{verdicts:#?}"
    );
    assert!(verdicts.iter().all(|v| v.phase != Phase::Live));

    // A leg with an empty library cannot call it recorded.
    let mut alone = LegDetector::new(DetectorConfig::default(), Arc::new(LoopLibrary::new()));
    let mut verdicts = feed(&mut alone, &ivr_prompt());
    verdicts.extend(feed(&mut alone, &chord_music(6000, -22.0, 31)));
    verdicts.extend(feed(&mut alone, &concat(&[&silence(300), &announcement()])));
    assert!(
        !codes(&verdicts).contains(&"RECORDED_IN_LOOP_LIBRARY"),
        "{verdicts:#?}"
    );
}

#[test]
fn library_export_import_round_trip_recognises_the_announcement() {
    let job_one = Arc::new(LoopLibrary::new());
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::clone(&job_one));
    heard_on_hold(&mut leg);
    let persisted = job_one.drain_new_hashes(); // e.g. SADD loop:{dest}:v1 ...
    assert_eq!(persisted.len(), job_one.len());
    assert!(job_one.drain_new_hashes().is_empty());

    let job_two = Arc::new(LoopLibrary::new());
    assert_eq!(job_two.extend(persisted.iter().copied()), persisted.len());
    assert!(job_two.drain_new_hashes().is_empty(), "imports are not new");
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::clone(&job_two));
    let mut verdicts = feed(&mut leg, &ivr_prompt());
    verdicts.extend(feed(&mut leg, &chord_music(6000, -22.0, 41)));
    verdicts.extend(feed(&mut leg, &concat(&[&silence(300), &announcement()])));
    assert!(
        codes(&verdicts).contains(&"RECORDED_IN_LOOP_LIBRARY"),
        "{verdicts:#?}"
    );
}

#[test]
fn speech_segments_end_after_300_ms_of_silence() {
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::new(LoopLibrary::new()));
    let prompt = speech(1500, VOICE_RECORDED, -20.0, 500);
    let last_loud = prompt.iter().rposition(|&s| s.abs() > 300).unwrap() as u64;
    feed(&mut leg, &prompt);
    let events: Vec<SegmentEvent> = leg.take_segment_events();
    assert_eq!(
        events.first().map(|e| e.kind),
        Some(SegmentKind::SpeechStart),
        "{events:?}"
    );
    assert!(events[0].at_samples <= 200 * MS, "{events:?}");
    assert!(events.iter().all(|e| e.kind != SegmentKind::SpeechEnd) || last_loud < 1100 * MS);

    let mut end = None;
    for i in 0..40u64 {
        feed(&mut leg, &silence(20));
        if let Some(e) = leg
            .take_segment_events()
            .into_iter()
            .find(|e| e.kind == SegmentKind::SpeechEnd)
        {
            end = Some((i, e));
            break;
        }
    }
    let (_, e) = end.expect("SpeechEnd within 800 ms of silence");
    assert!(
        e.at_samples.abs_diff(last_loud) <= 120 * MS,
        "{e:?} vs {last_loud}"
    );
    // Reported once 300 ms of non-speech followed the end.
    assert!(leg.media_samples() >= e.at_samples + 300 * MS, "{e:?}");
    assert!(e.duration_samples >= 1000 * MS, "{e:?}");

    feed(&mut leg, &chord_music(2000, -22.0, 9));
    let events = leg.take_segment_events();
    assert!(
        events.iter().any(|e| e.kind == SegmentKind::MusicStart),
        "{events:?}"
    );
}

#[test]
fn gaps_advance_media_time() {
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::new(LoopLibrary::new()));
    feed(&mut leg, &silence(100));
    leg.push_pcm(&[0i16; 80]);
    assert_eq!(leg.media_samples(), 880);
    leg.on_gap(480);
    assert_eq!(leg.media_samples(), 1360);
    feed(&mut leg, &silence(20));
    assert_eq!(leg.media_samples(), 1520);
}

#[test]
fn known_challenge_prompt_needs_a_human() {
    let challenge = speech(2500, VOICE_RECORDED, -20.0, 999);
    let challenge_library = Arc::new(LoopLibrary::new());
    challenge_library.learn_clip(&challenge);
    let cfg = DetectorConfig {
        challenge_library: Some(challenge_library),
        ..Default::default()
    };
    let mut leg = LegDetector::new(cfg, Arc::new(LoopLibrary::new()));
    let verdicts = feed(&mut leg, &ivr_prompt());
    assert_eq!(
        leg.phase(),
        Phase::Ivr,
        "other prompts are not the challenge: {verdicts:#?}"
    );
    let verdicts = feed(&mut leg, &concat(&[&silence(1), &challenge]));
    let needs: Vec<_> = verdicts
        .iter()
        .filter(|v| v.phase == Phase::NeedsHuman)
        .collect();
    assert_eq!(needs.len(), 1, "{verdicts:#?}");
    assert!(
        needs[0]
            .cause
            .to_string()
            .starts_with("CHALLENGE_RECOGNIZED: ")
    );
    assert_eq!(leg.phase(), Phase::NeedsHuman);
}

#[test]
fn server_hooks_set_hold_and_needs_human() {
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::new(LoopLibrary::new()));
    let v = leg.mark_hold().expect("IVR -> HOLD");
    assert_eq!((v.phase, v.cause.code()), (Phase::Hold, "HOLD_MARKED"));
    assert!(leg.mark_hold().is_none());
    let v = leg.flag_needs_human("IVR plan: PPS voice challenge prompt");
    assert_eq!(v.phase, Phase::NeedsHuman);
    assert_eq!(
        v.cause.to_string(),
        "NEEDS_HUMAN_FLAGGED: IVR plan: PPS voice challenge prompt"
    );
}

#[test]
fn same_audio_gives_same_verdicts() {
    let run = || {
        let mut leg = LegDetector::new(DetectorConfig::default(), Arc::new(LoopLibrary::new()));
        let mut v = feed(&mut leg, &ivr_prompt());
        v.extend(feed(&mut leg, &hold_cycle(1)));
        v.extend(feed(&mut leg, &hold_cycle(2)));
        v.extend(feed(&mut leg, &agent_pickup(300).0));
        v
    };
    assert_eq!(run(), run());
}

/// A detector on `library` for a leg already on hold ([`LegDetector::mark_hold`]).
fn on_hold(library: Arc<LoopLibrary>) -> LegDetector {
    let mut leg = LegDetector::new(DetectorConfig::default(), library);
    leg.mark_hold();
    leg
}

/// The first decision on speech (a verdict with an onset) among `verdicts`.
fn first_speech_decision(verdicts: &[Verdict]) -> &Verdict {
    verdicts
        .iter()
        .find(|v| v.onset_samples.is_some())
        .unwrap_or_else(|| panic!("no decision on the speech: {verdicts:#?}"))
}

/// No LIVE among `verdicts`, and the first decision on speech is a recording the library knows.
fn assert_recorded_never_live(verdicts: &[Verdict]) {
    assert!(
        verdicts.iter().all(|v| v.phase != Phase::Live),
        "{verdicts:#?}"
    );
    assert_eq!(
        first_speech_decision(verdicts).cause.code(),
        "RECORDED_IN_LOOP_LIBRARY",
        "{verdicts:#?}"
    );
}

/// The first words of a new announcement played right after music the library knows are
/// learned too: the recognition window still holds the music's alignment there, but the
/// announcement's own landmarks do not line up with it.
#[test]
fn an_announcement_right_after_known_music_is_learned_from_its_first_words() {
    let library = Arc::new(LoopLibrary::new());
    let music = chord_music(10_000, -22.0, 41);
    let new_announcement = speech(3000, VOICE_RECORDED, -20.0, 410);
    let mut earlier = on_hold(Arc::clone(&library));
    feed(&mut earlier, &music);
    feed(&mut earlier, &silence(6000));
    // The music again, now known, then the announcement 100 ms after it, heard for the first
    // time; then long enough for everything heard to be learned. (Its IVR plan is pending, so
    // it cannot take the announcement for an agent and stop learning.)
    let mut second = on_hold(Arc::clone(&library));
    second.set_ivr_pending(true);
    let heard = concat(&[&music, &silence(100), &new_announcement, &silence(6000)]);
    feed(&mut second, &heard);
    // A third leg hears the same: its first decision on the announcement is "recorded".
    let mut third = on_hold(Arc::clone(&library));
    let verdicts = feed(
        &mut third,
        &concat(&[&music, &silence(100), &new_announcement]),
    );
    assert_eq!(
        first_speech_decision(&verdicts).cause.code(),
        "RECORDED_IN_LOOP_LIBRARY",
        "{verdicts:#?}"
    );
}

/// Feed two legs the same audio, `lag_ms` apart in time (the second starts later), frame by
/// frame in wall order as a hunt's legs are fed. Returns each leg's verdicts.
fn feed_lagged(
    first: &mut LegDetector,
    second: &mut LegDetector,
    pcm: &[i16],
    lag_ms: u32,
) -> (Vec<Verdict>, Vec<Verdict>) {
    let lag = samples(lag_ms);
    let padded_first = concat(&[pcm, &silence(lag_ms)]);
    let padded_second = concat(&[&silence(lag_ms), pcm]);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (fa, fb) in padded_first.chunks(160).zip(padded_second.chunks(160)) {
        a.extend(feed(first, fa));
        b.extend(feed(second, fb));
    }
    assert_eq!(padded_first.len(), pcm.len() + lag);
    (a, b)
}

/// A recording two legs hear a second apart is recognised on the later leg although nobody
/// has learned it yet (the insert delay is 5 s): the same waveform on two legs is never a
/// person. A leg never matches its own unlearned audio.
#[test]
fn a_recording_another_leg_is_hearing_right_now_is_recorded() {
    let heard = concat(&[
        &chord_music(6000, -22.0, 51),
        &silence(300),
        &speech(3000, VOICE_RECORDED, -20.0, 510),
        &silence(300),
    ]);
    let library = Arc::new(LoopLibrary::new());
    let mut first = on_hold(Arc::clone(&library));
    // The first leg's plan is pending, so it keeps listening whatever it hears.
    first.set_ivr_pending(true);
    let mut second = on_hold(Arc::clone(&library));
    // The announcement starts 6.3 s in: when the second leg hears it, the first leg heard it
    // only 1 s before, and learns it 5 s after hearing it.
    let (_, verdicts) = feed_lagged(&mut first, &mut second, &heard, 1000);
    assert!(library.recent_len() > 0);
    assert_recorded_never_live(&verdicts);

    // Alone, the same leg hears it for the first time: not recorded.
    let mut alone = on_hold(Arc::new(LoopLibrary::new()));
    let verdicts = feed(&mut alone, &heard);
    assert!(
        !codes(&verdicts).contains(&"RECORDED_IN_LOOP_LIBRARY"),
        "{verdicts:#?}"
    );

    // Ended legs withdraw what they had not learned.
    drop(first);
    drop(second);
    assert_eq!(library.recent_len(), 0);
}

/// Once its plan is done, a leg waits in the queue: 1 s of music after the IVR's closing
/// message is enough for HOLD (not the usual 2.5 s), and an agent who answers then is LIVE.
#[test]
fn a_leg_whose_plan_is_done_is_on_hold_after_a_second_of_music() {
    let heard_after_plan = concat(&[
        &closing_message(),
        &silence(300),
        &chord_music(1300, -22.0, 1),
        &silence(500),
    ]);
    let mut leg = LegDetector::new(DetectorConfig::default(), library_of_the_loop());
    leg.set_ivr_pending(true);
    let mut verdicts = feed(&mut leg, &ivr_prompt());
    leg.set_ivr_pending(false);
    verdicts.extend(feed(&mut leg, &heard_after_plan));
    assert_eq!(leg.phase(), Phase::Hold, "{verdicts:#?}");
    assert!(codes(&verdicts).contains(&"IVR_PLAN_DONE"), "{verdicts:#?}");
    let (pickup, _) = agent_pickup(306);
    verdicts.extend(feed(&mut leg, &pickup));
    assert_eq!(leg.phase(), Phase::Live, "{verdicts:#?}");

    // Without a plan, the same audio leaves the leg in IVR (too little music for hold).
    let mut no_plan = LegDetector::new(DetectorConfig::default(), library_of_the_loop());
    let mut verdicts = feed(&mut no_plan, &ivr_prompt());
    verdicts.extend(feed(&mut no_plan, &heard_after_plan));
    verdicts.extend(feed(&mut no_plan, &agent_pickup(306).0));
    assert_eq!(no_plan.phase(), Phase::Ivr, "{verdicts:#?}");
}

/// An earlier leg (still walking its IVR plan, so it decides nothing) hears `audio`, then 6 s
/// of quiet (the insert delay), so `library` learns it.
fn learned_by_an_earlier_leg(library: &Arc<LoopLibrary>, audio: &[i16]) {
    let mut earlier = on_hold(Arc::clone(library));
    earlier.set_ivr_pending(true);
    feed(&mut earlier, &concat(&[audio, &silence(6000)]));
}

/// The first LIVE verdict among `verdicts` (the agent's).
fn the_agent_live(verdicts: &[Verdict]) -> &Verdict {
    verdicts
        .iter()
        .find(|v| v.phase == Phase::Live)
        .unwrap_or_else(|| panic!("the agent is not LIVE: {verdicts:#?}"))
}

/// The agent's LIVE verdict comes at most `max_ms` after media sample `onset`, and its cause
/// tells `cue`.
fn assert_live_within(verdicts: &[Verdict], onset: u64, max_ms: u64, cue: &str) {
    let live = the_agent_live(verdicts);
    let text = live.cause.to_string();
    assert!(text.contains(cue), "{text}");
    assert!(
        (live.at_samples - onset) / MS <= max_ms,
        "LIVE {} ms after the onset: {text}\n{verdicts:#?}",
        (live.at_samples - onset) / MS
    );
}

/// An agent who picks up in the middle of a known announcement cuts it off: the line goes
/// quiet where the library knows the announcement goes on speaking. That is a pickup even
/// with no other cue (same floor, same level as the announcement), while the announcement's
/// own pauses are not (the library has no speech there either).
#[test]
fn an_agent_cutting_off_a_known_announcement_is_live() {
    let library = Arc::new(LoopLibrary::new());
    let music = chord_music(8000, -22.0, 61);
    let announcement = speech(4000, VOICE_RECORDED, -20.0, 610);
    learned_by_an_earlier_leg(&library, &concat(&[&music, &silence(300), &announcement]));

    // The whole announcement again: recorded, never LIVE.
    let mut again = on_hold(Arc::clone(&library));
    let verdicts = feed(
        &mut again,
        &concat(&[&music, &silence(300), &announcement, &silence(1000)]),
    );
    assert!(
        verdicts.iter().all(|v| v.phase != Phase::Live),
        "{verdicts:#?}"
    );

    // Cut off after 2 s, 500 ms of quiet, then the agent at the announcement's level.
    let mut leg = on_hold(Arc::clone(&library));
    let cut = samples(2000);
    feed(
        &mut leg,
        &concat(&[&music, &silence(300), &announcement[..cut], &silence(500)]),
    );
    let onset = leg.media_samples();
    let seed = 301;
    let verdicts = feed(&mut leg, &speech(2000, VOICE_AGENT, -20.0, seed));
    assert_live_within(&verdicts, onset, 400, "known recording cut for");
}

/// An agent who picks up in the middle of a known announcement and speaks at once (the line
/// quiet for only 60 ms, as where the announcement pauses between words: no cut is measured)
/// talks over it: new speech that does not line up with the announcement where the library's
/// copy of it speaks. That is a pickup, with the announcement's level and floor, inside its
/// block of speech judged not live: without the cue, this agent is not LIVE within the 1.5 s
/// decision window. The copy pauses between phrases (150–350 ms), and the cue waits for
/// 200 ms of its speech: LIVE within 700 ms.
#[test]
fn an_agent_talking_over_a_known_announcement_is_live() {
    let library = Arc::new(LoopLibrary::new());
    let music = chord_music(8000, -22.0, 62);
    let announcement = speech(5000, VOICE_RECORDED, -20.0, 620);
    learned_by_an_earlier_leg(&library, &concat(&[&music, &silence(300), &announcement]));

    let mut leg = on_hold(Arc::clone(&library));
    feed(
        &mut leg,
        &concat(&[
            &music,
            &silence(300),
            &announcement[..samples(2000)],
            &silence(60),
        ]),
    );
    let onset = leg.media_samples();
    let verdicts = feed(&mut leg, &speech(2000, VOICE_AGENT, -20.0, 302));
    assert_live_within(&verdicts, onset, 700, "the recording before speaks under");
}

/// An agent on a noisy line who picks up during known music: the line's noise has landmarks of
/// its own, none lining up with the music, but it is quiet, not other audio replacing the
/// music, so the whole of it counts as the music cut off.
#[test]
fn a_noisy_line_after_known_music_is_the_music_cut_off() {
    let library = Arc::new(LoopLibrary::new());
    let music = chord_music(12000, -22.0, 63);
    learned_by_an_earlier_leg(&library, &music);

    let mut leg = on_hold(Arc::clone(&library));
    feed(&mut leg, &music[..samples(7000)]);
    let mut line = white_noise(2560, -42.0, 64);
    mix_into(
        &mut line[samples(560)..],
        &speech(2000, VOICE_AGENT, -20.0, 303),
    );
    let verdicts = feed(&mut leg, &line);
    let text = the_agent_live(&verdicts).cause.to_string();
    let cut_ms: u32 = text
        .split("known recording cut for ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("no cut measured: {text}"));
    assert!(cut_ms >= 400, "the line's noise replaced the music: {text}");
}

/// An agent who only says "hello?" and waits for an answer: a short utterance, then quiet with
/// no music coming back, is LIVE even with no other cue (the line's floor and level unchanged),
/// once the quiet has lasted 500 ms.
#[test]
fn a_hello_then_waiting_for_an_answer_is_live() {
    let library = library_of_the_loop();
    let mut leg = on_hold(Arc::clone(&library));
    // Well after the known announcement (no music, no block right before the hello).
    feed(&mut leg, &hold_cycle(1));
    feed(&mut leg, &silence(2000));
    let (text, after_onset_ms) = hello_then_quiet(&mut leg, VOICE_AGENT);
    assert!(
        (800..=1300).contains(&after_onset_ms),
        "LIVE {after_onset_ms} ms after the onset: {text}"
    );
}

/// Feed a 400 ms "hello" in `voice`, then 1.5 s of quiet: the LIVE verdict's cause text
/// (which must tell of the quiet) and its media time after the hello's onset, ms.
fn hello_then_quiet(leg: &mut LegDetector, voice: Voice) -> (String, u64) {
    let onset = leg.media_samples();
    let hello = speech(400, voice, -20.0, 71);
    let verdicts = feed(leg, &concat(&[&hello, &silence(1500)]));
    let live = verdicts
        .iter()
        .find(|v| v.phase == Phase::Live)
        .unwrap_or_else(|| panic!("the agent is not LIVE: {verdicts:#?}"));
    let text = live.cause.to_string();
    assert!(text.contains("ms of quiet"), "{text}");
    (text, (live.at_samples - onset) / MS)
}

/// A "hello?" right after the loop's announcement (inside its block of speech judged not live,
/// on the loop's own floor and level: every cue of the recording going on after a pause), then
/// waiting: LIVE once the quiet has lasted 700 ms, where a recording would have spoken again.
#[test]
fn a_hello_inside_a_block_then_waiting_long_is_live() {
    let library = library_of_the_loop();
    let mut leg = on_hold(Arc::clone(&library));
    feed(&mut leg, &hold_cycle(1));
    feed(&mut leg, &hold_cycle(2));
    feed(
        &mut leg,
        &concat(&[&chord_music(8000, -22.0, 3), &silence(300)]),
    );
    feed(&mut leg, &announcement());
    feed(&mut leg, &silence(300));
    let (text, after_onset_ms) = hello_then_quiet(&mut leg, VOICE_RECORDED);
    assert!(
        text.contains("inside a speech block judged not live"),
        "{text}"
    );
    assert!(
        (1000..=1300).contains(&after_onset_ms),
        "LIVE {after_onset_ms} ms after the onset: {text}"
    );
}

/// A LIVE verdict on a recording heard for the first time, reported wrong
/// ([`LegDetector::resume_hold`]): the leg goes on holding with what it measured, the rest of
/// the same recording is not taken for an agent again (it is judged as a block of speech the
/// library does not know: half the novelty credit), and the next time the loop plays it, it
/// is recognised. What it learns speaks where it spoke (speech marks), as what a leg learns
/// as it hears it does.
#[test]
fn a_leg_resuming_hold_after_a_false_live_learns_the_recording() {
    let library = library_of_the_loop();
    let mut leg = on_hold(Arc::clone(&library));
    feed(&mut leg, &hold_cycle(1));
    // A new announcement, in another voice and louder than the loop's, after a gap.
    let music = chord_music(8000, -22.0, 1);
    let new_announcement = speech(6000, VOICE_AGENT, -16.0, 93);
    let mut verdicts = feed(&mut leg, &concat(&[&music, &silence(600)]));
    let mut live_at = None;
    for frame in to_ulaw(&new_announcement).chunks(160) {
        if let Some(v) = leg.push_ulaw(frame) {
            if v.phase == Phase::Live && live_at.is_none() {
                live_at = Some(v.at_samples);
                library.drain_new_entries();
                assert!(leg.resume_hold() > 0, "nothing learned");
                assert_eq!(leg.phase(), Phase::Hold);
                let learned = library.drain_new_entries();
                // The speech declared LIVE (its frames hashed by then) and the music still
                // queued before it.
                let marks = |key| learned.iter().filter(|e| e.key == key).count();
                let (speech, music) = (marks(SPEECH_MARK_KEY), marks(MUSIC_MARK_KEY));
                assert!(
                    speech >= 3 && music >= 25,
                    "{speech} speech and {music} music marks among {} entries learned",
                    learned.len()
                );
            }
            verdicts.push(v);
        }
    }
    let live_at = live_at.unwrap_or_else(|| panic!("not taken for an agent: {verdicts:#?}"));
    let lives = verdicts.iter().filter(|v| v.phase == Phase::Live).count();
    let texts: Vec<String> = verdicts
        .iter()
        .map(|v| format!("{} {}", v.at_samples, v.cause))
        .collect();
    assert_eq!(lives, 1, "the rest of it taken again: {texts:#?}");
    assert!(
        verdicts
            .iter()
            .any(|v| v.at_samples > live_at && v.onset_samples.is_some()),
        "the rest of the announcement was not judged at all: {verdicts:#?}"
    );
    // The loop plays it again, long after: recorded.
    feed(&mut leg, &silence(6000));
    let verdicts = feed(
        &mut leg,
        &concat(&[&music, &silence(600), &new_announcement]),
    );
    assert_recorded_never_live(&verdicts);
}

/// Speech over a music bed (sung music, an announcement over its music) is judged music, and
/// music opens no block of speech: an agent right after it is weighed after music, without the
/// penalties of a block of recorded speech going on.
#[test]
fn an_agent_right_after_speech_over_music_is_not_inside_a_block() {
    let library = library_of_the_loop();
    // Every decision reported (no rate limit on HOLD verdicts).
    let cfg = DetectorConfig {
        verdict_interval_ms: 0,
        ..DetectorConfig::default()
    };
    let mut leg = LegDetector::new(cfg, Arc::clone(&library));
    leg.mark_hold();
    feed(&mut leg, &hold_cycle(1));
    // Music long enough to end the announcement's block.
    feed(&mut leg, &chord_music(3000, -22.0, 1));
    let mut sung = chord_music(2000, -24.0, 5);
    mix_into(&mut sung, &speech(2000, VOICE_RECORDED, -20.0, 81));
    let sung = concat(&[&sung, &chord_music(700, -24.0, 5)]);
    let (pickup, _) = agent_pickup(83);
    let verdicts = feed(&mut leg, &concat(&[&sung, &pickup]));
    assert_live_after_music_outside_a_block(&verdicts, "SPEECH_OVER_MUSIC");
}

/// The agent is LIVE among `verdicts`, weighed after music and not inside a block of speech
/// judged not live, and the verdicts before it include one with cause `judged_before` (what
/// the audio before the agent was taken for).
fn assert_live_after_music_outside_a_block(verdicts: &[Verdict], judged_before: &str) {
    let live_at = verdicts
        .iter()
        .position(|v| v.phase == Phase::Live)
        .unwrap_or_else(|| panic!("the agent is not LIVE: {verdicts:#?}"));
    assert!(
        codes(&verdicts[..live_at]).contains(&judged_before),
        "no {judged_before} before the agent: {verdicts:#?}"
    );
    let text = verdicts[live_at].cause.to_string();
    assert!(text.contains("after music"), "{text}");
    assert!(!text.contains("inside a speech block"), "{text}");
}

/// A line click counts for a pickup when it comes before the first word; a transient right
/// against the onset (within 80 ms) is the speech's own start (a plosive, a clip's edit).
#[test]
fn a_transient_right_against_the_onset_is_no_click() {
    let live_text = |click_ms: usize| {
        let mut leg = on_hold(library_of_the_loop());
        feed(&mut leg, &hold_cycle(1));
        feed(&mut leg, &chord_music(3000, -22.0, 1));
        let mut lead = white_noise(400, -62.0, 91);
        let at = click_ms * MS as usize;
        for s in &mut lead[at..at + 16] {
            *s = 12000;
        }
        let mut greeting = speech(2000, VOICE_AGENT, -18.0, 93);
        mix_into(&mut greeting, &white_noise(2000, -62.0, 92));
        let verdicts = feed(&mut leg, &concat(&[&lead, &greeting]));
        let live = verdicts
            .iter()
            .find(|v| v.phase == Phase::Live)
            .unwrap_or_else(|| panic!("the agent is not LIVE: {verdicts:#?}"));
        live.cause.to_string()
    };
    let early = live_text(200);
    assert!(early.contains(", click"), "{early}");
    // 40 ms before the greeting (checked: with no clear window, this reads as a click).
    let against = live_text(360);
    assert!(!against.contains(", click"), "{against}");
}

/// A hold loop (IVR prompt, 4 cycles, music), then `tail`, on a detector knowing `known`.
fn hold_then(known: Option<Arc<KnownMessages>>, tail: &[i16]) -> Vec<Verdict> {
    let cfg = DetectorConfig {
        known_messages: known,
        ..Default::default()
    };
    let mut leg = LegDetector::new(cfg, Arc::new(LoopLibrary::new()));
    let mut verdicts = feed(&mut leg, &ivr_prompt());
    for seed in [1, 2, 3, 4] {
        verdicts.extend(feed(&mut leg, &hold_cycle(seed)));
    }
    verdicts.extend(feed(&mut leg, &chord_music(3000, -22.0, 5)));
    verdicts.extend(feed(&mut leg, tail));
    verdicts
}

#[test]
fn a_known_too_busy_message_is_never_live_and_is_named() {
    // A message no leg heard before, with its own room and level: on its first hearing it
    // reads as an agent (the premise), unless the destination's known messages hold it.
    let (message, _) = agent_pickup(300);
    let unknown = hold_then(None, &message);
    assert!(
        unknown.iter().any(|v| v.phase == Phase::Live),
        "premise: {unknown:#?}"
    );

    let mut known = KnownMessages::new();
    assert!(known.add("busy.en", MessageKind::TooBusy, &message) > 0);
    let verdicts = hold_then(Some(Arc::new(known)), &message);
    assert!(
        verdicts.iter().all(|v| v.phase != Phase::Live),
        "{verdicts:#?}"
    );
    let named: Vec<_> = verdicts
        .iter()
        .filter(|v| v.cause.code() == "KNOWN_MESSAGE")
        .collect();
    assert_eq!(named.len(), 1, "reported once per hearing: {verdicts:#?}");
    assert_eq!(named[0].phase, Phase::Hold);
    let text = named[0].cause.to_string();
    assert!(
        text.starts_with("KNOWN_MESSAGE: busy.en (too_busy), "),
        "{text}"
    );
    assert!(
        codes(&verdicts).contains(&"RECORDED_KNOWN_MESSAGE"),
        "the speech is judged a recording: {verdicts:#?}"
    );
}

#[test]
fn other_speech_is_not_a_known_message() {
    // The loop's own announcement and an agent are not the known message: the agent still
    // goes LIVE and nothing is named.
    let mut known = KnownMessages::new();
    known.add(
        "closed.en",
        MessageKind::Closed,
        &speech(4000, VOICE_RECORDED, -20.0, 4242),
    );
    let (pickup, _) = agent_pickup(300);
    let verdicts = hold_then(Some(Arc::new(known)), &pickup);
    assert!(
        !codes(&verdicts).contains(&"KNOWN_MESSAGE"),
        "{verdicts:#?}"
    );
    assert!(
        verdicts.iter().any(|v| v.phase == Phase::Live),
        "{verdicts:#?}"
    );
}

#[test]
fn what_the_loop_plays_anyway_is_no_known_message() {
    // A "known message" that is in fact the loop's own announcement (as the IVR's welcome can
    // open a "closed" message word for word): once the loop library knows it, hearing it again
    // names no known message, and it is still judged a recording.
    let mut known = KnownMessages::new();
    known.add("closed.en", MessageKind::Closed, &announcement());
    let cfg = DetectorConfig {
        known_messages: Some(Arc::new(known)),
        ..Default::default()
    };
    let mut leg = LegDetector::new(cfg, library_of_the_loop());
    leg.mark_hold();
    let verdicts = feed(&mut leg, &hold_cycle(6));
    assert!(
        !codes(&verdicts).contains(&"KNOWN_MESSAGE"),
        "{verdicts:#?}"
    );
    assert!(
        verdicts.iter().all(|v| v.phase != Phase::Live),
        "{verdicts:#?}"
    );
}

#[test]
fn no_known_message_is_named_while_the_ivr_plan_is_walked() {
    let (message, _) = agent_pickup(300);
    let mut known = KnownMessages::new();
    known.add("closed.en", MessageKind::Closed, &message);
    let cfg = DetectorConfig {
        known_messages: Some(Arc::new(known)),
        ..Default::default()
    };
    let mut leg = LegDetector::new(cfg, Arc::new(LoopLibrary::new()));
    leg.set_ivr_pending(true);
    let verdicts = feed(&mut leg, &message);
    assert!(
        !codes(&verdicts).contains(&"KNOWN_MESSAGE"),
        "{verdicts:#?}"
    );
    leg.set_ivr_pending(false);
    let verdicts = feed(&mut leg, &concat(&[&silence(1000), &message]));
    assert!(codes(&verdicts).contains(&"KNOWN_MESSAGE"), "{verdicts:#?}");
}

/// What a leg hears after a stretch of the known hold loop: `tail` 400 ms after the loop's
/// music. The library learned the music and the announcement that follows it from an earlier
/// leg. Returns the verdicts on the whole.
fn after_known_music(tail: &[i16]) -> Vec<Verdict> {
    let library = Arc::new(LoopLibrary::new());
    let music = chord_music(8000, -22.0, 61);
    // (Its IVR plan is pending, so it cannot take the announcement for an agent and stop
    // learning.)
    let mut earlier = on_hold(Arc::clone(&library));
    earlier.set_ivr_pending(true);
    feed(
        &mut earlier,
        &concat(&[&music, &silence(400), &loop_announcement(), &silence(6000)]),
    );
    let mut leg = on_hold(library);
    feed(&mut leg, &concat(&[&music, &silence(400), tail]))
}

fn loop_announcement() -> Vec<i16> {
    speech(2000, VOICE_RECORDED, -20.0, 610)
}

/// The loop's announcement with a second voice over it: its landmarks line up with the
/// library's copy only in part, too few for the outright veto.
fn noisy_announcement() -> Vec<i16> {
    let mut a = loop_announcement();
    mix_into(&mut a, &speech(2000, VOICE_AGENT, -30.0, 611));
    a
}

#[test]
fn a_recording_going_on_after_known_music_is_never_live() {
    let verdicts = after_known_music(&noisy_announcement());
    assert!(
        verdicts.iter().all(|v| v.phase != Phase::Live),
        "{verdicts:#?}"
    );
    assert!(
        codes(&verdicts).contains(&"RECORDED_GOING_ON"),
        "{verdicts:#?}"
    );
    // An agent after the same music lines up with nothing and goes live.
    let (pickup, _) = agent_pickup(62);
    let verdicts = after_known_music(&pickup);
    assert!(
        verdicts.iter().any(|v| v.phase == Phase::Live),
        "{verdicts:#?}"
    );
}

/// Known hold recordings ([`LoopLibrary::learn_recording`], an operator's recordings of the
/// line) make the line's first hearing a repeat: on the first leg ever, the announcement is
/// recorded (with an empty library it is not), and an agent after the music is still LIVE.
#[test]
fn known_hold_recordings_make_a_first_hearing_recorded() {
    let music = chord_music(8000, -22.0, 71);
    let announcement = speech(4000, VOICE_RECORDED, -20.0, 710);
    let heard = concat(&[&music, &silence(300), &announcement, &silence(1000)]);

    let cold = feed(&mut on_hold(Arc::new(LoopLibrary::new())), &heard);
    assert_ne!(
        first_speech_decision(&cold).cause.code(),
        "RECORDED_IN_LOOP_LIBRARY",
        "an empty library knows nothing: {cold:#?}"
    );

    let library = Arc::new(LoopLibrary::new());
    assert!(library.learn_recording(&music, false) > 0);
    assert!(library.learn_recording(&announcement, true) > 0);
    assert!(
        library.drain_new_hashes().is_empty(),
        "recordings are not persisted"
    );
    assert_recorded_never_live(&feed(&mut on_hold(Arc::clone(&library)), &heard));

    let mut leg = on_hold(Arc::clone(&library));
    feed(&mut leg, &music);
    let (pickup, _) = agent_pickup(303);
    let verdicts = feed(&mut leg, &pickup);
    assert!(
        verdicts.iter().any(|v| v.phase == Phase::Live),
        "the agent after the known music is LIVE: {verdicts:#?}"
    );
}

/// A sung line in a music track the library knows as music (a known hold recording that does
/// not speak) is that music: its speech-like frames neither open nor extend a block of speech,
/// so an agent right after it is weighed after music, not as the announcement before going on.
#[test]
fn a_sung_line_of_known_music_extends_no_block() {
    let announcement = speech(2000, VOICE_RECORDED, -20.0, 720);
    // Short enough that the agent's first word comes within 1.5 s of its decision.
    let mut sung = chord_music(1000, -24.0, 72);
    mix_into(&mut sung, &speech(1000, VOICE_RECORDED, -20.0, 721));
    let library = Arc::new(LoopLibrary::new());
    assert!(library.learn_recording(&announcement, true) > 0);
    assert!(library.learn_recording(&sung, false) > 0);
    let cfg = DetectorConfig {
        verdict_interval_ms: 0,
        ..DetectorConfig::default()
    };
    let mut leg = LegDetector::new(cfg, library);
    leg.mark_hold();
    let (pickup, _) = agent_pickup(723);
    let verdicts = feed(
        &mut leg,
        &concat(&[&announcement, &silence(500), &sung, &pickup]),
    );
    // The announcement was recognised.
    assert_live_after_music_outside_a_block(&verdicts, "RECORDED_IN_LOOP_LIBRARY");
}

/// The gap after music is the quiet right before the first word: a track's own pause, then a
/// held note (read as a tone) and a short quiet, is a gap of that short quiet, not of the
/// whole stretch since the last music frame.
#[test]
fn the_gap_after_music_is_the_quiet_right_before_the_onset() {
    let gap_text = |tail: &[i16]| {
        let mut leg = on_hold(library_of_the_loop());
        feed(&mut leg, &hold_cycle(1));
        feed(&mut leg, &chord_music(3000, -22.0, 1));
        let mut greeting = speech(2000, VOICE_AGENT, -18.0, 731);
        mix_into(&mut greeting, &white_noise(2000, -62.0, 732));
        let verdicts = feed(&mut leg, &concat(&[tail, &greeting]));
        let decision = first_speech_decision(&verdicts).cause.to_string();
        let at = decision
            .find("after music + ")
            .unwrap_or_else(|| panic!("not after music: {decision}"));
        let ms: u32 = decision[at + 14..]
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no gap in {decision}"));
        ms
    };
    let quiet = white_noise(500, -62.0, 733);
    assert!(
        gap_text(&quiet) >= 460,
        "a plain quiet gap is measured whole"
    );
    let held_note = sine(300, 440.0, -26.0);
    let short = white_noise(100, -62.0, 734);
    let gap = gap_text(&concat(&[&quiet, &held_note, &short]));
    // The greeting's own lead-in adds to the 100 ms; the whole stretch would be ≥ 860 ms.
    assert!(
        gap < 300,
        "gap {gap} ms: only the quiet after the held note counts"
    );
}

/// What the library knows of a music track tells its own pause from music cut off: the same
/// line (a known track, 400 ms of the line's quiet, then speech the library never heard) is
/// LIVE when the library's copy of the track plays on through that quiet (the music was cut:
/// a pickup), and stays on hold when the copy pauses there too and plays on after it (the
/// track's own pause, and the loop's next clip starting as it ends). After the cut, LIVE comes
/// on fewer landmarks than the library otherwise waits for.
#[test]
fn a_music_tracks_own_pause_is_no_gap_and_music_cut_off_is() {
    // The loop's announcement (known), its music, then another announcement in the same
    // voice, which the library never heard.
    let known = speech(2000, VOICE_RECORDED, -20.0, 740);
    let opening = chord_music(4000, -22.0, 741);
    let pause = silence(400);
    let rest = chord_music(3000, -22.0, 743);
    let voice = speech(2000, VOICE_RECORDED, -20.0, 744);
    let line = concat(&[&known, &silence(300), &opening, &pause, &voice]);
    let verdicts_with = |copy: &[i16]| {
        let library = Arc::new(LoopLibrary::new());
        assert!(library.learn_recording(&known, true) > 0);
        assert!(library.learn_recording(copy, false) > 0);
        let cfg = DetectorConfig {
            verdict_interval_ms: 0,
            ..DetectorConfig::default()
        };
        let mut leg = LegDetector::new(cfg, library);
        leg.mark_hold();
        feed(&mut leg, &line)
    };

    // The copy plays through the line's quiet: the track was cut off.
    let plays_through = concat(&[&opening, &chord_music(400, -22.0, 746), &rest]);
    let cut = verdicts_with(&plays_through);
    let live = cut
        .iter()
        .find(|v| v.phase == Phase::Live)
        .unwrap_or_else(|| panic!("music cut off, then new speech, is not LIVE: {cut:#?}"));
    let text = live.cause.to_string();
    let cut_ms: u32 = text
        .split("known recording cut for ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no music cut in {text}"));
    assert!(cut_ms >= 300, "cut {cut_ms} ms: {text}");
    assert!(!text.contains("own pause"), "{text}");
    // After the cut, the decision waits for half the landmarks (novelty counts from there).
    let Cause::NewSpeech(evidence) = &live.cause else {
        panic!("LIVE for another cause: {text}");
    };
    let min_hashes = DetectorConfig::default().min_library_hashes;
    assert!(
        evidence.library_hashes < min_hashes,
        "waited for {} landmarks after the cut (all {min_hashes} asked): {text}",
        evidence.library_hashes
    );

    // The copy pauses there too: the gap is the track's.
    let with_its_pause = concat(&[&opening, &silence(400), &rest]);
    let paused = verdicts_with(&with_its_pause);
    assert!(
        paused.iter().all(|v| v.phase != Phase::Live),
        "speech at the end of the track's own pause is LIVE: {paused:#?}"
    );
    let voice_at = (line.len() - voice.len()) as u64;
    let on_voice = paused
        .iter()
        .find(|v| {
            v.onset_samples
                .is_some_and(|o| o + samples(100) as u64 >= voice_at)
        })
        .unwrap_or_else(|| panic!("no decision on the new speech: {paused:#?}"));
    let text = on_voice.cause.to_string();
    assert!(text.contains("the music track's own pause"), "{text}");
}

/// A track that repeats a phrase is recognised at each repeat in turn. When the line falls
/// quiet where an earlier recognised copy pauses, the quiet is the track's own pause, even if
/// the copy recognised last plays on there (seed 3, `irs-business` call 83: 220 ms of "cut"
/// at the later repeat's offset, then the loop's next announcement taken for an agent). The
/// gap then weighs as the track's pause and no cut is counted (with the last offset alone: a
/// 400 ms cut and no pause).
#[test]
fn a_pause_of_a_copy_recognised_before_the_last_is_the_tracks_own() {
    let known = speech(2000, VOICE_RECORDED, -20.0, 760);
    let opening = chord_music(3000, -22.0, 761);
    let phrase = chord_music(1500, -22.0, 762);
    // The place that pauses after the opening plays the phrase with another middle, so the
    // phrase's repeat further on (which plays on where the line is quiet) takes the lead
    // there; both line up again with the phrase's end.
    let pausing = concat(&[
        &opening,
        &phrase[..samples(600)],
        &chord_music(300, -22.0, 763),
        &phrase[samples(900)..],
        &silence(400),
        &chord_music(3000, -22.0, 764),
    ]);
    // One track: the phrase comes back later on.
    let track = concat(&[&pausing, &phrase, &chord_music(3000, -22.0, 765)]);
    let voice = speech(2000, VOICE_RECORDED, -20.0, 766);
    let line = concat(&[
        &known,
        &silence(300),
        &opening,
        &phrase,
        &silence(400),
        &voice,
    ]);
    let library = Arc::new(LoopLibrary::new());
    assert!(library.learn_recording(&known, true) > 0);
    assert!(library.learn_recording(&track, false) > 0);
    let cfg = DetectorConfig {
        verdict_interval_ms: 0,
        ..DetectorConfig::default()
    };
    let mut leg = LegDetector::new(cfg, library);
    leg.mark_hold();
    let verdicts = feed(&mut leg, &line);
    let voice_at = (line.len() - voice.len()) as u64;
    let on_voice = verdicts
        .iter()
        .find(|v| {
            v.onset_samples
                .is_some_and(|o| o + samples(100) as u64 >= voice_at)
        })
        .unwrap_or_else(|| panic!("no decision on the new speech: {verdicts:#?}"));
    let text = on_voice.cause.to_string();
    assert!(text.contains("the music track's own pause"), "{text}");
    let (Cause::NewSpeech(evidence) | Cause::RecordedSpeech(evidence)) = &on_voice.cause else {
        panic!("no evidence in {text}");
    };
    assert_eq!(evidence.recording_cut_ms, Some(0), "{text}");
}

/// A voice whose first frames hold their partials as a music bed does (here a chord under its
/// first 240 ms), after a known music track fell silent for 800 ms: a bed starting with the
/// voice after such a silence is doubtful, so the detector listens on instead of rejecting the
/// speech as music, and the voice is LIVE from its own onset (rejected as a bed, the talker's
/// next words would have to wait for a pause to be heard again).
#[test]
fn a_bed_heard_after_the_known_music_fell_silent_is_listened_through() {
    let opening = chord_music(4000, -22.0, 751);
    let library = Arc::new(LoopLibrary::new());
    let copy = concat(&[&opening, &chord_music(3000, -22.0, 752)]);
    assert!(library.learn_recording(&copy, false) > 0);
    let cfg = DetectorConfig {
        verdict_interval_ms: 0,
        ..DetectorConfig::default()
    };
    let mut leg = LegDetector::new(cfg, library);
    leg.mark_hold();
    let mut voice = speech(2500, VOICE_AGENT, -20.0, 753);
    let first_word = voice
        .iter()
        .position(|s| s.abs() > 1000)
        .expect("the voice speaks");
    mix_into(&mut voice[first_word..], &chord_music(240, -24.0, 754));
    let line = concat(&[&opening, &silence(800), &voice]);
    let verdicts = feed(&mut leg, &line);
    let voice_at = (line.len() - voice.len()) as u64;
    let live = verdicts
        .iter()
        .find(|v| v.phase == Phase::Live)
        .unwrap_or_else(|| panic!("the voice is not LIVE: {verdicts:#?}"));
    let onset = live.onset_samples.expect("LIVE has an onset");
    assert!(
        onset < voice_at + samples(150) as u64,
        "LIVE from a later word ({} ms after the voice began): {verdicts:#?}",
        onset.saturating_sub(voice_at) / MS
    );
    assert!(
        verdicts
            .iter()
            .all(|v| v.cause.code() != "SPEECH_OVER_MUSIC"),
        "the voice was taken for speech over music: {verdicts:#?}"
    );
}
