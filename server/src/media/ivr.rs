//! IVR navigation by prompt: the destination's IVR plan is data (`holdhunter.v1.IvrPlan`:
//! steps of prompt name, expected words, DTMF digits, fallback ms). Pure, in media time
//! (8 kHz samples), fed with the detector's segment events and frame classes.
//!
//! A step with digits is a menu: its digits are sent when a prompt ended (detector
//! `SpeechEnd`, i.e. >= 300 ms of non-speech after speech) and the line then stayed quiet
//! (neither speech nor music) until `menu_quiet_ms` after the prompt's last speech frame: an
//! IVR waits in silence for a key, while an information message runs straight into the next
//! prompt or into music. A step without digits ("wait") is passed when a prompt ends. Each
//! step also has a timer fallback (`fallback_ms`, counted from the end of the previous step;
//! 0 means 8000), so a prompt that was not recognised still gets its digits.

use holdhunter_detect::{FrameClass, SegmentEvent, SegmentKind};
use holdhunter_proto::v1::IvrStep;

/// Samples per media ms at 8 kHz.
const SAMPLES_PER_MS: u64 = 8;
/// Loud (speech or music) frames in a row that cancel a pending menu step.
const LOUD_FRAMES_CANCEL: u32 = 3;
/// Speech shorter than this is not a prompt (a click, a ring burst, a word of noise), ms.
pub const MIN_PROMPT_MS: u64 = 400;
/// Fallback used when a step's `fallback_ms` is 0 (proto: "0 means 8000").
pub const DEFAULT_FALLBACK_MS: u32 = 8_000;

/// How a step was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTrigger {
    /// The prompt was recognised (prompt ended, then quiet).
    Prompt,
    /// The step's timer fallback elapsed.
    Fallback,
}

impl StepTrigger {
    /// `prompt` or `fallback` (metric label).
    pub fn as_str(self) -> &'static str {
        match self {
            StepTrigger::Prompt => "prompt",
            StepTrigger::Fallback => "fallback",
        }
    }
}

/// A step to take now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepAction {
    /// 0-based index in the plan.
    pub index: usize,
    /// Digits to send (may be empty: a "wait" step).
    pub digits: String,
    /// Why now.
    pub trigger: StepTrigger,
    /// Human-readable description, e.g. `step 1/2 'language': prompt ended, sent 1`.
    pub text: String,
}

/// Walks one leg through an IVR plan.
#[derive(Debug, Clone)]
pub struct IvrNavigator {
    steps: Vec<IvrStep>,
    next: usize,
    /// Media sample where the current step began (end of the previous step).
    step_since: u64,
    /// Media sample of the last speech of a prompt that ended, while a menu step waits.
    armed_at: Option<u64>,
    loud_run: u32,
    menu_quiet_samples: u64,
    /// Media sample when the last step was taken (or 0 with an empty plan).
    done_at: Option<u64>,
}

impl IvrNavigator {
    /// A navigator for `steps`, starting at media sample 0.
    pub fn new(steps: Vec<IvrStep>, menu_quiet_ms: u32) -> Self {
        let done_at = steps.is_empty().then_some(0);
        IvrNavigator {
            steps,
            next: 0,
            step_since: 0,
            armed_at: None,
            loud_run: 0,
            menu_quiet_samples: menu_quiet_ms as u64 * SAMPLES_PER_MS,
            done_at,
        }
    }

    /// Steps in the plan.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True for an empty plan.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Media sample at which the plan was completed (`Some(0)` for an empty plan).
    pub fn done_at(&self) -> Option<u64> {
        self.done_at
    }

    /// Feeds one segment event (in media order).
    pub fn on_segment(&mut self, event: &SegmentEvent) -> Option<StepAction> {
        let step = self.steps.get(self.next)?;
        match event.kind {
            SegmentKind::SpeechEnd if event.duration_samples < MIN_PROMPT_MS * SAMPLES_PER_MS => {
                None
            }
            SegmentKind::SpeechEnd if step.digits.is_empty() => {
                Some(self.take(event.at_samples.max(self.step_since), StepTrigger::Prompt))
            }
            SegmentKind::SpeechEnd => {
                self.armed_at = Some(event.at_samples);
                self.loud_run = 0;
                None
            }
            SegmentKind::SpeechStart | SegmentKind::MusicStart => {
                self.armed_at = None;
                None
            }
            SegmentKind::MusicEnd => None,
        }
    }

    /// Called after every frame with the media time after it and its class.
    pub fn on_frame(&mut self, now_samples: u64, class: FrameClass) -> Option<StepAction> {
        let step = self.steps.get(self.next)?;
        if let Some(at) = self.armed_at {
            if matches!(class, FrameClass::Speech | FrameClass::Music) {
                self.loud_run += 1;
                if self.loud_run >= LOUD_FRAMES_CANCEL {
                    self.armed_at = None;
                }
            } else {
                self.loud_run = 0;
                if now_samples.saturating_sub(at) >= self.menu_quiet_samples {
                    return Some(self.take(now_samples, StepTrigger::Prompt));
                }
            }
        }
        let fallback_ms = if step.fallback_ms == 0 {
            DEFAULT_FALLBACK_MS
        } else {
            step.fallback_ms
        };
        if now_samples.saturating_sub(self.step_since) >= fallback_ms as u64 * SAMPLES_PER_MS {
            return Some(self.take(now_samples, StepTrigger::Fallback));
        }
        None
    }

    fn take(&mut self, now_samples: u64, trigger: StepTrigger) -> StepAction {
        let index = self.next;
        let step = &self.steps[index];
        let why = match trigger {
            StepTrigger::Prompt => "prompt ended",
            StepTrigger::Fallback => "timer fallback",
        };
        let what = if step.digits.is_empty() {
            "nothing to send".to_owned()
        } else {
            format!("sent {}", step.digits)
        };
        let text = format!(
            "IVR step {}/{} '{}': {why} at {} ms, {what}",
            index + 1,
            self.steps.len(),
            step.prompt,
            now_samples / SAMPLES_PER_MS
        );
        let action = StepAction {
            index,
            digits: step.digits.clone(),
            trigger,
            text,
        };
        self.next += 1;
        self.step_since = now_samples;
        self.armed_at = None;
        self.loud_run = 0;
        if self.next == self.steps.len() {
            self.done_at = Some(now_samples);
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(prompt: &str, digits: &str, fallback_ms: u32) -> IvrStep {
        IvrStep {
            prompt: prompt.into(),
            expect: String::new(),
            digits: digits.into(),
            fallback_ms,
        }
    }

    fn end(at_ms: u64) -> SegmentEvent {
        SegmentEvent {
            kind: SegmentKind::SpeechEnd,
            at_samples: at_ms * 8,
            duration_samples: 8_000,
        }
    }

    fn start(kind: SegmentKind, at_ms: u64) -> SegmentEvent {
        SegmentEvent {
            kind,
            at_samples: at_ms * 8,
            duration_samples: 480,
        }
    }

    /// Feeds frames of `class` from `from_ms` to `to_ms`; returns the first action.
    fn frames(
        nav: &mut IvrNavigator,
        from_ms: u64,
        to_ms: u64,
        class: FrameClass,
    ) -> Option<(u64, StepAction)> {
        let mut t = from_ms;
        while t < to_ms {
            t += 20;
            if let Some(a) = nav.on_frame(t * 8, class) {
                return Some((t, a));
            }
        }
        None
    }

    #[test]
    fn menu_digits_go_after_prompt_end_and_quiet() {
        let mut nav = IvrNavigator::new(vec![step("language", "1", 8_000)], 800);
        assert!(frames(&mut nav, 0, 3_000, FrameClass::Speech).is_none());
        assert!(nav.on_segment(&end(3_000)).is_none());
        let (t, a) = frames(&mut nav, 3_300, 5_000, FrameClass::Silence).unwrap();
        assert_eq!(t, 3_800);
        assert_eq!(
            (a.index, a.digits.as_str(), a.trigger),
            (0, "1", StepTrigger::Prompt)
        );
        assert!(a.text.contains("'language'"), "{}", a.text);
        assert_eq!(nav.done_at(), Some(3_800 * 8));
        assert!(frames(&mut nav, 5_000, 60_000, FrameClass::Silence).is_none());
    }

    #[test]
    fn a_message_running_into_music_or_a_prompt_sends_nothing() {
        let mut nav = IvrNavigator::new(vec![step("service", "3", 60_000)], 800);
        nav.on_segment(&end(2_000));
        // Music begins 300 ms after the message.
        assert!(frames(&mut nav, 2_300, 2_360, FrameClass::Silence).is_none());
        assert!(frames(&mut nav, 2_360, 8_000, FrameClass::Music).is_none());
        nav.on_segment(&end(9_000));
        assert!(
            nav.on_segment(&start(SegmentKind::SpeechStart, 9_300))
                .is_none()
        );
        assert!(frames(&mut nav, 9_300, 12_000, FrameClass::Speech).is_none());
        nav.on_segment(&end(12_000));
        let (t, a) = frames(&mut nav, 12_300, 14_000, FrameClass::Noise).unwrap();
        assert_eq!((t, a.digits.as_str()), (12_800, "3"));
    }

    #[test]
    fn timer_fallback_counts_from_the_previous_step() {
        let mut nav = IvrNavigator::new(vec![step("a", "1", 0), step("b", "2", 5_000)], 800);
        let (t, a) = frames(&mut nav, 0, 20_000, FrameClass::Music).unwrap();
        assert_eq!(
            (t, a.trigger),
            (DEFAULT_FALLBACK_MS as u64, StepTrigger::Fallback)
        );
        let (t, a) = frames(&mut nav, t, 20_000, FrameClass::Music).unwrap();
        assert_eq!(
            (t, a.digits.as_str(), a.trigger),
            (13_000, "2", StepTrigger::Fallback)
        );
        assert!(nav.done_at().is_some());
    }

    #[test]
    fn a_wait_step_passes_on_the_next_prompt_end() {
        let mut nav = IvrNavigator::new(
            vec![step("info", "", 30_000), step("menu", "9", 30_000)],
            800,
        );
        let a = nav.on_segment(&end(4_000)).unwrap();
        assert_eq!((a.index, a.digits.as_str()), (0, ""));
        nav.on_segment(&end(7_000));
        let (t, a) = frames(&mut nav, 7_300, 9_000, FrameClass::Silence).unwrap();
        assert_eq!((t, a.index, a.digits.as_str()), (7_800, 1, "9"));
    }

    #[test]
    fn an_empty_plan_is_done_at_once() {
        let mut nav = IvrNavigator::new(Vec::new(), 800);
        assert_eq!(nav.done_at(), Some(0));
        assert!(nav.on_segment(&end(100)).is_none());
        assert!(nav.on_frame(8_000, FrameClass::Silence).is_none());
    }
}
