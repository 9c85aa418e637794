//! Declarative destination specs: everything about a line is data (number, hours, IVR plan,
//! service level, hold-time distribution, hold loop, agent behaviour).

use super::calendar::BusinessHours;

/// A destination (phone line) as data. Build a model with `DestinationModel::from_spec`.
#[derive(Debug, Clone)]
pub struct DestinationSpec {
    /// Stable id (`irs-individual`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// E.164 number (`+18008291040`).
    pub number: String,
    /// IANA time zone for business hours (`America/New_York`).
    pub time_zone: String,
    /// Opening hours.
    pub hours: BusinessHours,
    /// Ringing before answer, busy / no-answer chances.
    pub ring: RingSpec,
    /// The IVR menus before the queue.
    pub ivr: IvrPlan,
    /// Service level and hold-time distribution.
    pub queue: QueueSpec,
    /// Music and announcements during hold.
    pub hold_loop: HoldLoopSpec,
    /// How the agent picks up and talks.
    pub agent: AgentSpec,
    /// Line hiss range in dBFS (drawn per call).
    pub line_hiss_dbfs: (f64, f64),
    /// Closed-hours message clip ids, played in order (`closed.en`, `closed.es`).
    pub closed_message_ids: Vec<String>,
}

/// Ringing before the far end answers.
#[derive(Debug, Clone, PartialEq)]
pub struct RingSpec {
    /// Fewest ringback cycles (6 s each) before answer.
    pub rings_min: u32,
    /// Most ringback cycles before answer.
    pub rings_max: u32,
    /// Chance the line is busy (busy tone, then `Busy`).
    pub busy_probability: f64,
    /// Chance nobody answers (60 s of ringing, then `NoAnswer`).
    pub no_answer_probability: f64,
}

/// An IVR: prompts in order, each expecting input; the last accepted one enters the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct IvrPlan {
    /// Steps in order.
    pub steps: Vec<IvrStep>,
    /// Clip played after a wrong digit before the prompt repeats.
    pub invalid_id: String,
    /// Clip played after no input before the prompt repeats.
    pub no_input_id: String,
    /// Clip played before disconnecting with `IvrFailed`.
    pub goodbye_id: String,
}

/// One IVR prompt and the input it expects.
#[derive(Debug, Clone, PartialEq)]
pub struct IvrStep {
    /// Clip id of the prompt (also the `prompt_id` of events).
    pub prompt_id: String,
    /// Hold music played before this prompt, media ms before time scale (PPS asks its second
    /// selection minutes into the call). Scaled like hold, but at least min(this, 5 s).
    pub music_before_ms: u64,
    /// What the prompt expects.
    pub input: IvrInput,
    /// Silence waited for input after the prompt ends, ms (not scaled).
    pub timeout_ms: u64,
    /// Repeats allowed after a wrong/missing entry; one more failure disconnects (`IvrFailed`).
    pub retries: u32,
}

/// Input an IVR prompt expects.
#[derive(Debug, Clone, PartialEq)]
pub enum IvrInput {
    /// An information message: no input, the IVR goes on when it ends.
    None,
    /// A one-key menu: these keys are accepted (e.g. `["1"]`), any other key is rejected.
    Menu {
        /// Accepted keys, one character each.
        accept: Vec<String>,
    },
    /// A number entry (SSN, EIN): `min_len..=max_len` digits, ended by '#' or by reaching
    /// `max_len`. `optional`: no input at all is fine (the IVR goes on after the timeout).
    Digits {
        /// Fewest digits accepted.
        min_len: usize,
        /// Most digits; reaching it ends the entry.
        max_len: usize,
        /// Skipping the entry is allowed.
        optional: bool,
    },
}

/// Service level and the hold-time distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    /// Level of service: share of calls routed to assistors that get answered (0..=1).
    pub level_of_service: f64,
    /// Share of the unanswered calls turned away with "too busy" before the queue; the rest
    /// are courtesy-disconnected during hold.
    pub too_busy_share: f64,
    /// Mean hold of answered calls, ms (log-normal).
    pub hold_mean_ms: u64,
    /// Log-normal shape sigma (0.9: median = 0.67 x mean, heavy right tail).
    pub hold_sigma: f64,
    /// Hold never exceeds this, ms.
    pub hold_max_ms: u64,
    /// Messages for "too busy" and courtesy disconnects (one is drawn).
    pub too_busy_ids: Vec<String>,
}

impl QueueSpec {
    /// Probability of "too busy" before the queue: (1 - LOS) x too_busy_share.
    pub fn too_busy_probability(&self) -> f64 {
        ((1.0 - self.level_of_service) * self.too_busy_share).clamp(0.0, 1.0)
    }

    /// Probability of a courtesy disconnect for a call that reached the queue, chosen so that
    /// P(answered) = (1 - p_too_busy)(1 - p_courtesy) = LOS.
    pub fn courtesy_disconnect_probability(&self) -> f64 {
        let p_tb = self.too_busy_probability();
        if p_tb >= 1.0 {
            return 0.0;
        }
        ((1.0 - self.level_of_service) * (1.0 - self.too_busy_share) / (1.0 - p_tb)).clamp(0.0, 1.0)
    }
}

/// Music and announcements during hold.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldLoopSpec {
    /// Clip played when hold starts ("please hold while we transfer your call"), if any.
    pub intro_id: Option<String>,
    /// Music clip ids to choose from (one per call, looped); empty = any music in the bank.
    pub music_ids: Vec<String>,
    /// Chance a call gets music with a sung line (when the bank has one).
    pub vocal_music_probability: f64,
    /// Music between announcements, ms, drawn uniformly (before time scale).
    pub announcement_interval_ms: (u64, u64),
    /// Scaled intervals never go below this, ms.
    pub min_scaled_interval_ms: u64,
    /// English announcement ids, cycled in order from a random start; a Spanish counterpart
    /// (`ann.es.X` for `ann.en.X`) may follow.
    pub announcement_ids: Vec<String>,
    /// Chance the Spanish version follows the English one.
    pub spanish_probability: f64,
    /// Every Nth announcement break also says the estimated wait (0 = never).
    pub wait_estimate_every: u32,
}

/// How the agent picks up and talks.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// Voices to draw from; empty = any agent voice in the bank.
    pub voices: Vec<String>,
    /// Chance of a click when the line opens.
    pub click_probability: f64,
    /// Silence after the line opens, before speech, ms (uniform).
    pub pickup_silence_ms: (u64, u64),
    /// Chance the agent only says "Hello?" instead of the full greeting.
    pub hello_only_probability: f64,
    /// Agent level relative to the clip, dB (uniform; quiet to loud).
    pub gain_db: (f64, f64),
    /// Chance of a noisy agent line (room/headset noise).
    pub noisy_probability: f64,
    /// Speech-to-noise ratio of a noisy line, dB (uniform).
    pub noisy_snr_db: (f64, f64),
    /// Speech-to-room-noise ratio of an ordinary line, dB (uniform). A live agent talks from a
    /// headset in a room, on a different channel from the hold loop's studio recordings: the
    /// room's noise floor is under the agent's speech and pauses from the moment the line
    /// opens (`../shared/reference/hold-detection.md`, "a different noise floor"). At the
    /// quiet end it sits below the line hiss and cannot be told apart.
    pub room_snr_db: (f64, f64),
    /// Voice challenge clip ids (used when `FarEndConfig::voice_challenge`).
    pub challenge_ids: Vec<String>,
    /// The agent ends the conversation after this much media time, ms.
    pub conversation_max_ms: u64,
}
