//! One simulated call: a deterministic state machine that queues audio segments and renders
//! 20 ms G.711 frames with events and ground-truth labels.

use std::collections::VecDeque;
use std::sync::Arc;

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::config::FarEndConfig;
use super::events::{AudioLabel, CallTruth, FarEndEvent, FarEndFrame, FarEndHangupReason};
use super::model::{DestinationModel, call_rng};
use super::segment::Segment;
use super::spec::IvrInput;
use super::{FRAME_SAMPLES, UlawFrame};
use crate::audio::noise::Hiss;
use crate::audio::ulaw::{ULAW_SILENCE, encode_ulaw};
use crate::audio::{AudioBank, Clip, ClipKind, Language};

const SAMPLES_PER_MS: u64 = 8;
/// Rates at which an agent says a clip again ([`Clip::spoken_again`]): ±5 % in pitch and tempo.
const AGENT_RATE_RANGE: std::ops::RangeInclusive<f64> = 0.95..=1.05;
/// Mixed into the call seed for the agent-voice stream.
const VOICE_STREAM: u64 = 0x766f_6963_6521;
const RING_CYCLE_MS: u64 = 6_000;
const NO_ANSWER_RING_MS: u64 = 60_000;

fn ms(v: u64) -> usize {
    (v * SAMPLES_PER_MS) as usize
}

/// What to do when the segment queue runs empty.
#[derive(Debug, Clone, PartialEq)]
enum Next {
    Answer,
    Busy,
    NoAnswer,
    IvrStep(usize),
    IvrPrompt(usize),
    IvrWait,
    IvrTimeout,
    Queue,
    HoldLoop,
    AgentWait,
    AnyoneThere,
    ChallengeWait { repeats: u32 },
    Conversation,
    HangUp(FarEndHangupReason),
}

/// A preemptive action at a given sample (hold end, courtesy disconnect).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Deadline {
    AgentPickup,
    CourtesyDisconnect,
}

/// Draws made once at call start (so DTMF timing never shifts them).
#[derive(Debug)]
struct CallPlan {
    open: bool,
    busy: bool,
    no_answer: bool,
    rings: u32,
    too_busy: bool,
    courtesy_at_fraction: Option<f64>,
    hold_samples: u64,
    voice: Option<String>,
    agent_gain: f32,
    agent_noise: Hiss,
    click: Option<Arc<Clip>>,
    pickup_silence_ms: u64,
    hello_only: bool,
    music: Option<Arc<Clip>>,
}

/// One call to a destination. Time advances only through [`FarEndCall::next_frame`].
#[derive(Debug)]
pub struct FarEndCall {
    model: Arc<DestinationModel>,
    bank: Arc<AudioBank>,
    cfg: FarEndConfig,
    rng: ChaCha8Rng,
    plan: CallPlan,
    hiss: Hiss,
    samples: u64,
    queue: VecDeque<Segment>,
    next: Next,
    deadline: Option<(u64, Deadline)>,
    truth: CallTruth,
    finished: bool,
    frame_events: Vec<FarEndEvent>,
    pending_dtmf: VecDeque<char>,
    // IVR
    ivr_step: usize,
    ivr_attempt: u32,
    ivr_digits: String,
    ivr_collecting: bool,
    // hold loop
    music_pos: usize,
    announcement_breaks: u32,
    announcement_cursor: usize,
    // agent
    /// Draws for varying the agent's clips (its own stream: see `push_agent_speech`).
    voice_rng: ChaCha8Rng,
    agent_phase: bool,
    transferred: bool,
    queue_answered: bool,
    conversation_since: Option<u64>,
    talk_cursor: usize,
}

impl FarEndCall {
    pub(crate) fn new(
        model: Arc<DestinationModel>,
        bank: Arc<AudioBank>,
        cfg: &FarEndConfig,
        call_seed: u64,
        now: jiff::Timestamp,
    ) -> FarEndCall {
        let mut rng = call_rng(cfg.seed, call_seed);
        let spec = model.spec();
        let scale = cfg.time_scale.max(1.0);
        let open = cfg.ignore_business_hours || model.is_open_at(now);
        let busy = rng.random_bool(spec.ring.busy_probability);
        let no_answer = rng.random_bool(spec.ring.no_answer_probability);
        let rings =
            rng.random_range(spec.ring.rings_min..=spec.ring.rings_max.max(spec.ring.rings_min));
        let too_busy = rng.random_bool(spec.queue.too_busy_probability());
        let courtesy = rng.random_bool(spec.queue.courtesy_disconnect_probability());
        let courtesy_at_fraction = courtesy.then(|| rng.random_range(0.3..0.95));
        let hold_ms_unscaled = model.draw_hold_ms(&mut rng);
        let hold_samples = ((hold_ms_unscaled as f64 / scale) * SAMPLES_PER_MS as f64) as u64;
        let voices: Vec<&String> = if spec.agent.voices.is_empty() {
            bank.agent_voices().iter().collect()
        } else {
            spec.agent.voices.iter().collect()
        };
        let voice = voices.choose(&mut rng).map(|v| v.to_string());
        let agent_gain_db = rng.random_range(spec.agent.gain_db.0..=spec.agent.gain_db.1);
        let noisy = rng.random_bool(spec.agent.noisy_probability);
        let snr = rng.random_range(spec.agent.noisy_snr_db.0..=spec.agent.noisy_snr_db.1);
        // An ordinary line gets room noise at the same relative point of the room range (one
        // draw either way, so the rest of the call's draws do not move).
        let snr = if noisy {
            snr
        } else {
            let (lo, hi) = spec.agent.noisy_snr_db;
            let (rlo, rhi) = spec.agent.room_snr_db;
            let u = if hi > lo { (snr - lo) / (hi - lo) } else { 0.5 };
            rlo + u * (rhi - rlo)
        };
        // Speech clips sit around -20 dBFS active RMS.
        let agent_noise = Hiss::new(rng.random(), -20.0 + agent_gain_db - snr);
        let click = if rng.random_bool(spec.agent.click_probability) {
            bank.of_kind(ClipKind::Click).choose(&mut rng).cloned()
        } else {
            None
        };
        let pickup_silence_ms =
            rng.random_range(spec.agent.pickup_silence_ms.0..=spec.agent.pickup_silence_ms.1);
        let hello_only = rng.random_bool(spec.agent.hello_only_probability);
        let vocal = rng.random_bool(spec.hold_loop.vocal_music_probability);
        let music = pick_music(&bank, &spec.hold_loop.music_ids, vocal, &mut rng);
        let hiss_db = rng.random_range(spec.line_hiss_dbfs.0..=spec.line_hiss_dbfs.1);
        let hiss = Hiss::new(rng.random(), hiss_db);
        let music_pos = music
            .as_ref()
            .map(|m| rng.random_range(0..m.samples.len().max(1)))
            .unwrap_or(0);
        let announcement_cursor = rng.random_range(0..spec.hold_loop.announcement_ids.len().max(1));
        let next = if busy {
            Next::Busy
        } else if no_answer {
            Next::NoAnswer
        } else {
            Next::Answer
        };
        let mut call = FarEndCall {
            plan: CallPlan {
                open,
                busy,
                no_answer,
                rings,
                too_busy,
                courtesy_at_fraction,
                hold_samples,
                voice,
                agent_gain: crate::audio::level::db_to_gain(agent_gain_db) as f32,
                agent_noise,
                click,
                pickup_silence_ms,
                hello_only,
                music,
            },
            model,
            bank,
            cfg: cfg.clone(),
            rng,
            hiss,
            samples: 0,
            queue: VecDeque::new(),
            next,
            deadline: None,
            truth: CallTruth::default(),
            finished: false,
            frame_events: Vec::new(),
            pending_dtmf: VecDeque::new(),
            ivr_step: 0,
            ivr_attempt: 0,
            ivr_digits: String::new(),
            ivr_collecting: false,
            music_pos,
            announcement_breaks: 0,
            announcement_cursor,
            voice_rng: call_rng(cfg.seed ^ VOICE_STREAM, call_seed),
            agent_phase: false,
            transferred: false,
            queue_answered: false,
            conversation_since: None,
            talk_cursor: 0,
        };
        call.start_ringing();
        call
    }

    fn start_ringing(&mut self) {
        let ring = self.bank.clip("tone.ringback").cloned();
        let busy_tone = self.bank.clip("tone.busy").cloned();
        let ring_samples = if self.plan.busy {
            0
        } else if self.plan.no_answer {
            ms(NO_ANSWER_RING_MS)
        } else {
            let tail_ms = self.rng.random_range(2_200..3_500);
            ms((self.plan.rings as u64 - 1) * RING_CYCLE_MS + tail_ms)
        };
        if let Some(r) = ring.filter(|_| ring_samples > 0) {
            self.queue
                .push_back(Segment::looped(&r, 0, ring_samples, AudioLabel::Ringback));
        }
        if self.plan.busy {
            if let Some(b) = busy_tone {
                self.queue
                    .push_back(Segment::looped(&b, 0, ms(3_000), AudioLabel::Ringback));
            }
        }
    }

    /// Advance one frame (20 ms of media, 160 samples). The far end rings from frame 0.
    /// After the call finished, frames are digital silence with no events.
    pub fn next_frame(&mut self) -> FarEndFrame {
        let frame_start = self.samples;
        let mut pcm = [0i16; FRAME_SAMPLES];
        let mut counts = [0usize; 8];
        let live_at_start = !self.finished;
        if live_at_start {
            self.process_dtmf();
            self.process_queue_answered();
        }
        let mut pos = 0usize;
        let mut guard = 0u32;
        while pos < FRAME_SAMPLES && !self.finished {
            let now = frame_start + pos as u64;
            self.samples = now;
            if let Some((at, action)) = self.deadline
                && at <= now
            {
                self.deadline = None;
                self.queue.clear();
                self.run_deadline(action);
                continue;
            }
            if self.queue.is_empty() {
                guard += 1;
                debug_assert!(guard < 64, "far-end state machine made no progress");
                if guard >= 64 {
                    self.hang_up(FarEndHangupReason::AgentFinished);
                    break;
                }
                self.advance();
                continue;
            }
            let deadline_room = self
                .deadline
                .map(|(at, _)| (at - now) as usize)
                .unwrap_or(usize::MAX);
            let seg = self.queue.front_mut().expect("non-empty queue");
            if seg.pos == 0 && !seg.start_events.is_empty() {
                let evs = std::mem::take(&mut seg.start_events);
                for ev in evs {
                    self.emit(ev, now);
                }
                continue;
            }
            let n = (FRAME_SAMPLES - pos)
                .min(seg.len - seg.pos)
                .min(deadline_room);
            if n > 0 {
                seg.render(&mut pcm[pos..pos + n]);
                if seg.agent_room {
                    self.plan.agent_noise.add_to(&mut pcm[pos..pos + n]);
                }
                let label_idx = label_index(seg.label);
                let mut onset_ev = None;
                match seg.onset {
                    Some(on) if on >= seg.pos + n => counts[label_index(AudioLabel::Silence)] += n,
                    Some(on) if on >= seg.pos => {
                        counts[label_index(AudioLabel::Silence)] += on - seg.pos;
                        counts[label_idx] += seg.pos + n - on;
                        onset_ev = seg.onset_event.take().map(|e| (e, on - seg.pos));
                    }
                    _ => counts[label_idx] += n,
                }
                seg.pos += n;
                let done = seg.pos >= seg.len;
                if done {
                    self.queue.pop_front();
                }
                if let Some((ev, off)) = onset_ev {
                    self.emit(ev, now + off as u64);
                }
                pos += n;
            } else if seg.pos >= seg.len {
                self.queue.pop_front();
            }
        }
        self.samples = frame_start + FRAME_SAMPLES as u64;
        let mut ulaw: UlawFrame = [ULAW_SILENCE; FRAME_SAMPLES];
        if !live_at_start {
            return FarEndFrame {
                ulaw,
                events: std::mem::take(&mut self.frame_events),
                label: AudioLabel::Silence,
            };
        }
        // Samples after a hang-up stay digital silence; no hiss on a dead line.
        pcm[pos..].fill(0);
        self.hiss.add_to(&mut pcm[..pos]);
        for (o, &s) in ulaw.iter_mut().zip(pcm.iter()) {
            *o = encode_ulaw(s);
        }
        let label = if counts[label_index(AudioLabel::AgentSpeech)] > 0 {
            AudioLabel::AgentSpeech
        } else if counts[label_index(AudioLabel::ChallengeSpeech)] > 0 {
            AudioLabel::ChallengeSpeech
        } else if counts.iter().all(|&c| c == 0) {
            AudioLabel::Silence
        } else {
            let mut best = 0;
            for i in 1..counts.len() {
                if counts[i] > counts[best] {
                    best = i;
                }
            }
            LABELS[best]
        };
        FarEndFrame {
            ulaw,
            events: std::mem::take(&mut self.frame_events),
            label,
        }
    }

    /// A DTMF digit from the caller ('0'-'9', '*', '#'); handled at the next frame.
    pub fn on_dtmf(&mut self, digit: char) {
        if !self.finished {
            self.pending_dtmf.push_back(digit);
        }
    }

    /// The caller's leg was transferred to a call queue.
    pub fn on_transferred(&mut self) {
        if !self.transferred {
            self.transferred = true;
            self.truth.transferred_at_samples = Some(self.samples);
        }
    }

    /// The queue agent answered the transferred call: the far-end agent now talks to a human
    /// and no longer gives up.
    pub fn on_queue_answered(&mut self) {
        if !self.queue_answered {
            self.queue_answered = true;
            self.truth.queue_answered_at_samples = Some(self.samples);
        }
    }

    /// Media time so far, in samples (8 kHz).
    pub fn media_samples(&self) -> u64 {
        self.samples
    }

    /// Ground truth so far.
    pub fn truth(&self) -> &CallTruth {
        &self.truth
    }

    /// True once the far end hung up (or the call was busy / not answered).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The destination this call goes to.
    pub fn destination(&self) -> &Arc<DestinationModel> {
        &self.model
    }

    /// The agent voice drawn for this call (`agent-linda`, ...), if the bank has voices.
    pub fn agent_voice(&self) -> Option<&str> {
        self.plan.voice.as_deref()
    }

    // ----- events ------------------------------------------------------------------------

    fn emit(&mut self, ev: FarEndEvent, at: u64) {
        match &ev {
            FarEndEvent::Answered => self.truth.answered_at_samples = Some(at),
            FarEndEvent::HoldStarted => {
                self.truth.hold_started_at_samples = Some(at);
                self.truth.drawn_hold_ms = Some(self.plan.hold_samples / SAMPLES_PER_MS);
                let pickup_at = at + self.plan.hold_samples;
                self.deadline = Some(match self.plan.courtesy_at_fraction {
                    Some(f) => (
                        at + (self.plan.hold_samples as f64 * f) as u64,
                        Deadline::CourtesyDisconnect,
                    ),
                    None => (pickup_at, Deadline::AgentPickup),
                });
            }
            FarEndEvent::AgentPickedUp => self.truth.agent_picked_up_at_samples = Some(at),
            FarEndEvent::AgentSpeechStarted => {
                if self.truth.agent_speech_started_at_samples.is_some() {
                    return;
                }
                self.truth.agent_speech_started_at_samples = Some(at);
            }
            FarEndEvent::ChallengeStarted => {
                if self.truth.challenge_started_at_samples.is_some() {
                    return;
                }
                self.truth.challenge_started_at_samples = Some(at);
            }
            FarEndEvent::HungUp { reason } => {
                self.truth.hangup = Some((at, *reason));
                self.finished = true;
                self.queue.clear();
                self.deadline = None;
            }
            FarEndEvent::Busy | FarEndEvent::NoAnswer => {
                self.finished = true;
                self.queue.clear();
            }
            _ => {}
        }
        self.frame_events.push(ev);
    }

    fn hang_up(&mut self, reason: FarEndHangupReason) {
        let at = self.samples;
        self.emit(FarEndEvent::HungUp { reason }, at);
    }

    // ----- state machine -----------------------------------------------------------------

    fn push_clip(&mut self, clip: Option<Arc<Clip>>, label: AudioLabel) -> Option<Arc<Clip>> {
        if let Some(c) = &clip {
            self.queue.push_back(Segment::clip(c, label));
        }
        clip
    }

    fn push_silence(&mut self, ms_: u64, label: AudioLabel) {
        self.queue.push_back(Segment::silence(ms(ms_), label));
    }

    fn advance(&mut self) {
        let now = self.samples;
        let model = self.model.clone();
        let spec = model.spec();
        match std::mem::replace(
            &mut self.next,
            Next::HangUp(FarEndHangupReason::AgentFinished),
        ) {
            Next::Busy => self.emit(FarEndEvent::Busy, now),
            Next::NoAnswer => self.emit(FarEndEvent::NoAnswer, now),
            Next::Answer => {
                self.emit(FarEndEvent::Answered, now);
                {
                    let d = self.rng.random_range(200..500);
                    self.push_silence(d, AudioLabel::Silence);
                }
                if self.plan.open {
                    self.next = Next::IvrStep(0);
                } else {
                    for id in &spec.closed_message_ids {
                        let c = self.bank.clip(id).cloned();
                        if self.push_clip(c, AudioLabel::Announcement).is_some() {
                            self.push_silence(400, AudioLabel::Silence);
                        }
                    }
                    self.next = Next::HangUp(FarEndHangupReason::Closed);
                }
            }
            Next::IvrStep(i) => {
                let Some(step) = spec.ivr.steps.get(i) else {
                    self.next = Next::Queue;
                    return;
                };
                self.ivr_step = i;
                self.ivr_attempt = 0;
                if step.music_before_ms > 0 {
                    let scaled =
                        (step.music_before_ms as f64 / self.cfg.time_scale.max(1.0)) as u64;
                    let wait = scaled.max(step.music_before_ms.min(5_000));
                    self.push_music(ms(wait));
                }
                self.next = Next::IvrPrompt(i);
            }
            Next::IvrPrompt(i) => {
                let step = &spec.ivr.steps[i];
                self.ivr_step = i;
                self.ivr_digits.clear();
                self.ivr_collecting = !matches!(step.input, IvrInput::None);
                let clip = self.bank.clip(&step.prompt_id).cloned();
                self.emit(
                    FarEndEvent::IvrPrompt {
                        prompt_id: step.prompt_id.clone(),
                    },
                    now,
                );
                self.push_clip(clip, AudioLabel::IvrPrompt);
                self.next = if matches!(step.input, IvrInput::None) {
                    self.push_silence(300, AudioLabel::Silence);
                    Next::IvrStep(i + 1)
                } else {
                    Next::IvrWait
                };
            }
            Next::IvrWait => {
                let timeout = spec.ivr.steps[self.ivr_step].timeout_ms;
                self.push_silence(timeout, AudioLabel::Silence);
                self.next = Next::IvrTimeout;
            }
            Next::IvrTimeout => self.ivr_timeout(),
            Next::Queue => self.enter_queue(),
            Next::HoldLoop => self.hold_loop(),
            Next::AgentWait => {
                if self.queue_answered {
                    self.start_conversation();
                } else {
                    self.push_agent_silence(self.cfg.agent_patience_ms);
                    self.next = Next::AnyoneThere;
                }
            }
            Next::AnyoneThere => {
                if self.queue_answered {
                    self.start_conversation();
                    return;
                }
                if let Some(c) = self.voice_clip(ClipKind::AgentAnyoneThere, 0) {
                    self.push_agent_speech(&c, Some(FarEndEvent::AgentSpeechStarted));
                }
                self.push_agent_silence(self.cfg.agent_patience_ms.min(2_500));
                self.next = Next::HangUp(FarEndHangupReason::AgentGaveUp);
            }
            Next::ChallengeWait { repeats } => {
                if self.queue_answered {
                    self.start_conversation();
                } else if repeats == 0 {
                    self.push_agent_silence(self.cfg.agent_patience_ms);
                    self.push_challenge();
                    self.next = Next::ChallengeWait { repeats: 1 };
                } else {
                    self.push_agent_silence(self.cfg.agent_patience_ms);
                    self.next = Next::HangUp(FarEndHangupReason::AgentGaveUp);
                }
            }
            Next::Conversation => self.conversation_turn(),
            Next::HangUp(reason) => self.hang_up(reason),
        }
    }

    fn process_dtmf(&mut self) {
        while let Some(d) = self.pending_dtmf.pop_front() {
            if !self.ivr_collecting {
                continue;
            }
            let step = self.model.spec().ivr.steps[self.ivr_step].clone();
            match &step.input {
                IvrInput::None => {}
                IvrInput::Menu { accept } => {
                    let key = d.to_string();
                    if accept.contains(&key) {
                        self.ivr_accept(key);
                    } else {
                        self.ivr_reject();
                    }
                }
                IvrInput::Digits {
                    min_len, max_len, ..
                } => {
                    if d == '#' {
                        if self.ivr_digits.len() >= *min_len {
                            let digits = std::mem::take(&mut self.ivr_digits);
                            self.ivr_accept(digits);
                        } else {
                            self.ivr_reject();
                        }
                    } else if d.is_ascii_digit() {
                        self.ivr_digits.push(d);
                        if self.ivr_digits.len() >= *max_len {
                            let digits = std::mem::take(&mut self.ivr_digits);
                            self.ivr_accept(digits);
                        }
                    } else {
                        self.ivr_reject();
                    }
                }
            }
        }
    }

    fn ivr_accept(&mut self, digits: String) {
        let prompt_id = self.model.spec().ivr.steps[self.ivr_step].prompt_id.clone();
        self.emit(
            FarEndEvent::DtmfAccepted { prompt_id, digits },
            self.samples,
        );
        self.ivr_collecting = false;
        self.queue.clear();
        {
            let d = self.rng.random_range(300..700);
            self.push_silence(d, AudioLabel::Silence);
        }
        self.next = Next::IvrStep(self.ivr_step + 1);
    }

    fn ivr_reject(&mut self) {
        let prompt_id = self.model.spec().ivr.steps[self.ivr_step].prompt_id.clone();
        self.emit(FarEndEvent::DtmfRejected { prompt_id }, self.samples);
        self.ivr_collecting = false;
        self.ivr_digits.clear();
        self.queue.clear();
        let invalid = self.model.spec().ivr.invalid_id.clone();
        self.ivr_retry(&invalid);
    }

    fn ivr_timeout(&mut self) {
        self.ivr_collecting = false;
        let step = self.model.spec().ivr.steps[self.ivr_step].clone();
        if let IvrInput::Digits {
            min_len, optional, ..
        } = step.input
        {
            if self.ivr_digits.is_empty() && optional {
                self.next = Next::IvrStep(self.ivr_step + 1);
                return;
            }
            if self.ivr_digits.len() >= min_len {
                let digits = std::mem::take(&mut self.ivr_digits);
                self.ivr_accept(digits);
                return;
            }
        }
        self.ivr_digits.clear();
        let no_input = self.model.spec().ivr.no_input_id.clone();
        self.ivr_retry(&no_input);
    }

    fn ivr_retry(&mut self, message_id: &str) {
        self.ivr_attempt += 1;
        let retries = self.model.spec().ivr.steps[self.ivr_step].retries;
        let msg = self.bank.clip(message_id).cloned();
        self.push_clip(msg, AudioLabel::IvrPrompt);
        self.push_silence(300, AudioLabel::Silence);
        if self.ivr_attempt > retries {
            let bye = self.bank.clip(&self.model.spec().ivr.goodbye_id).cloned();
            self.push_clip(bye, AudioLabel::IvrPrompt);
            self.push_silence(300, AudioLabel::Silence);
            self.next = Next::HangUp(FarEndHangupReason::IvrFailed);
        } else {
            let attempt = self.ivr_attempt;
            self.next = Next::IvrPrompt(self.ivr_step);
            // IvrPrompt resets nothing but digits; keep the attempt count.
            debug_assert_eq!(attempt, self.ivr_attempt);
        }
    }

    fn enter_queue(&mut self) {
        if self.plan.too_busy {
            let ids = self.model.spec().queue.too_busy_ids.clone();
            let clip = ids
                .choose(&mut self.rng)
                .and_then(|id| self.bank.clip(id).cloned());
            if let Some(c) = clip {
                let id = c.id.clone();
                self.queue.push_back(
                    Segment::clip(&c, AudioLabel::Announcement)
                        .with_start_event(FarEndEvent::AnnouncementStarted { id }),
                );
            }
            if let Some(es) = self.bank.clip("busy.es").cloned() {
                self.queue
                    .push_back(Segment::clip(&es, AudioLabel::Announcement));
            }
            self.push_silence(300, AudioLabel::Silence);
            self.next = Next::HangUp(FarEndHangupReason::TooBusy);
            return;
        }
        let intro = self
            .model
            .spec()
            .hold_loop
            .intro_id
            .as_ref()
            .and_then(|id| self.bank.clip(id).cloned());
        match intro {
            Some(c) => {
                let id = c.id.clone();
                self.queue.push_back(
                    Segment::clip(&c, AudioLabel::Announcement)
                        .with_start_event(FarEndEvent::HoldStarted)
                        .with_start_event(FarEndEvent::AnnouncementStarted { id }),
                );
            }
            None => self.emit(FarEndEvent::HoldStarted, self.samples),
        }
        self.next = Next::HoldLoop;
    }

    fn push_music(&mut self, len: usize) {
        match self.plan.music.clone() {
            Some(m) => {
                self.queue
                    .push_back(Segment::looped(&m, self.music_pos, len, AudioLabel::Music));
                self.music_pos = (self.music_pos + len) % m.samples.len().max(1);
            }
            None => self
                .queue
                .push_back(Segment::silence(len, AudioLabel::Silence)),
        }
    }

    fn hold_loop(&mut self) {
        let hl = self.model.spec().hold_loop.clone();
        let (lo, hi) = hl.announcement_interval_ms;
        let interval = self.rng.random_range(lo..=hi.max(lo));
        let scaled = (interval as f64 / self.cfg.time_scale.max(1.0)) as u64;
        let music_ms = scaled.max(hl.min_scaled_interval_ms.min(interval));
        self.push_music(ms(music_ms));
        self.announcement_breaks += 1;
        if !hl.announcement_ids.is_empty() {
            let id = &hl.announcement_ids[self.announcement_cursor % hl.announcement_ids.len()];
            self.announcement_cursor += 1;
            if let Some(en) = self.bank.clip(id).cloned() {
                self.push_announcement(&en);
                let es_id = id.replacen(".en.", ".es.", 1);
                if self.rng.random_bool(hl.spanish_probability)
                    && let Some(es) = self.bank.clip(&es_id).cloned()
                {
                    self.push_silence(400, AudioLabel::Silence);
                    self.push_announcement(&es);
                }
            }
        }
        if hl.wait_estimate_every > 0 && self.announcement_breaks % hl.wait_estimate_every == 0 {
            // Remaining hold in real (unscaled) minutes, with the IRS's usual error.
            let remaining_samples = self
                .deadline
                .map(|(at, _)| at.saturating_sub(self.samples))
                .unwrap_or(0);
            let real_min = remaining_samples as f64 / (SAMPLES_PER_MS as f64 * 60_000.0)
                * self.cfg.time_scale.max(1.0)
                * self.rng.random_range(0.7..1.5);
            let minutes = (real_min.round() as u32).max(5);
            if let Some(c) = self.bank.wait_estimate(Language::English, minutes).cloned() {
                self.push_silence(300, AudioLabel::Silence);
                self.push_announcement(&c);
            }
        }
        self.next = Next::HoldLoop;
    }

    fn push_announcement(&mut self, clip: &Arc<Clip>) {
        self.queue.push_back(
            Segment::clip(clip, AudioLabel::Announcement).with_start_event(
                FarEndEvent::AnnouncementStarted {
                    id: clip.id.clone(),
                },
            ),
        );
    }

    fn run_deadline(&mut self, action: Deadline) {
        match action {
            Deadline::CourtesyDisconnect => {
                let ids = self.model.spec().queue.too_busy_ids.clone();
                if let Some(c) = ids
                    .choose(&mut self.rng)
                    .and_then(|id| self.bank.clip(id).cloned())
                {
                    self.push_announcement(&c);
                }
                self.push_silence(300, AudioLabel::Silence);
                self.next = Next::HangUp(FarEndHangupReason::CourtesyDisconnect);
            }
            Deadline::AgentPickup => {
                self.agent_phase = true;
                self.emit(FarEndEvent::AgentPickedUp, self.samples);
                if let Some(c) = self.plan.click.clone() {
                    self.queue.push_back(Segment::clip(&c, AudioLabel::Noise));
                }
                self.push_agent_silence(self.plan.pickup_silence_ms);
                if self.cfg.voice_challenge && !self.model.spec().agent.challenge_ids.is_empty() {
                    self.push_challenge();
                    self.next = Next::ChallengeWait { repeats: 0 };
                } else {
                    self.push_greeting();
                    self.next = Next::AgentWait;
                }
            }
        }
    }

    fn voice_clip(&mut self, kind: ClipKind, index: usize) -> Option<Arc<Clip>> {
        let voice = self.plan.voice.clone()?;
        let clips = self.bank.voice_clips(&voice, kind);
        if clips.is_empty() {
            return self.bank.of_kind(kind).first().cloned();
        }
        Some(clips[index % clips.len()].clone())
    }

    fn push_greeting(&mut self) {
        let kind = if self.plan.hello_only {
            ClipKind::AgentHello
        } else {
            ClipKind::AgentGreeting
        };
        let pick = self.rng.random_range(0..8);
        if let Some(c) = self.voice_clip(kind, pick) {
            self.push_agent_speech(&c, Some(FarEndEvent::AgentSpeechStarted));
        }
    }

    fn push_challenge(&mut self) {
        let ids = self.model.spec().agent.challenge_ids.clone();
        if let Some(c) = ids
            .choose(&mut self.rng)
            .and_then(|id| self.bank.clip(id).cloned())
        {
            self.queue.push_back(
                Segment::clip(&c, AudioLabel::ChallengeSpeech)
                    .with_onset_event(Some(FarEndEvent::ChallengeStarted)),
            );
        }
    }

    fn push_agent_speech(&mut self, clip: &Arc<Clip>, onset_event: Option<FarEndEvent>) {
        // Never the same waveform twice (see `Clip::spoken_again`); drawn from the call's
        // own voice stream, so the rest of the call's draws stay as they were.
        let rate = self.voice_rng.random_range(AGENT_RATE_RANGE);
        let clip = Arc::new(clip.spoken_again(rate));
        let mut seg = Segment::clip(&clip, AudioLabel::AgentSpeech).with_onset_event(onset_event);
        seg.gain = self.plan.agent_gain;
        seg.agent_room = true;
        self.queue.push_back(seg);
    }

    fn push_agent_silence(&mut self, ms_: u64) {
        let mut seg = Segment::silence(ms(ms_), AudioLabel::Silence);
        seg.agent_room = true;
        self.queue.push_back(seg);
    }

    /// After the queue agent answers: switch to conversation as soon as the agent is not
    /// mid-sentence.
    fn process_queue_answered(&mut self) {
        if !self.queue_answered || !self.agent_phase || self.conversation_since.is_some() {
            return;
        }
        let speaking = self
            .queue
            .front()
            .is_some_and(|s| s.clip.as_ref().is_some_and(|c| c.kind.is_speech()));
        if !speaking {
            self.queue.clear();
            self.start_conversation();
        }
    }

    fn start_conversation(&mut self) {
        self.conversation_since = Some(self.samples);
        if self.truth.agent_speech_started_at_samples.is_none() {
            // Challenge calls: the agent greets the human who answered the challenge.
            let d = self.rng.random_range(500..1_200);
            self.push_agent_silence(d);
            if let Some(c) = self.voice_clip(ClipKind::AgentGreeting, 0) {
                self.push_agent_speech(&c, Some(FarEndEvent::AgentSpeechStarted));
            }
        }
        self.next = Next::Conversation;
    }

    fn conversation_turn(&mut self) {
        let since = self.conversation_since.unwrap_or(self.samples);
        let max = self.model.spec().agent.conversation_max_ms * SAMPLES_PER_MS;
        if self.samples.saturating_sub(since) >= max {
            self.hang_up(FarEndHangupReason::AgentFinished);
            return;
        }
        // The human answers (silence on this leg), then the agent talks.
        let d = self.rng.random_range(800..3_000);
        self.push_agent_silence(d);
        let i = self.talk_cursor;
        self.talk_cursor += 1;
        if let Some(c) = self.voice_clip(ClipKind::AgentTalk, i) {
            self.push_agent_speech(&c, None);
        }
        self.next = Next::Conversation;
    }
}

const LABELS: [AudioLabel; 8] = [
    AudioLabel::Ringback,
    AudioLabel::Silence,
    AudioLabel::IvrPrompt,
    AudioLabel::Music,
    AudioLabel::Announcement,
    AudioLabel::AgentSpeech,
    AudioLabel::ChallengeSpeech,
    AudioLabel::Noise,
];

fn label_index(l: AudioLabel) -> usize {
    match l {
        AudioLabel::Ringback => 0,
        AudioLabel::Silence => 1,
        AudioLabel::IvrPrompt => 2,
        AudioLabel::Music => 3,
        AudioLabel::Announcement => 4,
        AudioLabel::AgentSpeech => 5,
        AudioLabel::ChallengeSpeech => 6,
        AudioLabel::Noise => 7,
    }
}

fn pick_music(
    bank: &AudioBank,
    ids: &[String],
    vocal: bool,
    rng: &mut ChaCha8Rng,
) -> Option<Arc<Clip>> {
    if !ids.is_empty() {
        return ids.choose(rng).and_then(|id| bank.clip(id).cloned());
    }
    let vocal_clips = bank.of_kind(ClipKind::MusicVocal);
    let plain = bank.of_kind(ClipKind::Music);
    let pool = if vocal && !vocal_clips.is_empty() {
        vocal_clips
    } else if !plain.is_empty() {
        plain
    } else {
        vocal_clips
    };
    pool.choose(rng).cloned()
}
