//! IRS line presets (facts from shared/reference/irs-lines.md) and simulator test lines.

use super::calendar::BusinessHours;
use super::spec::{
    AgentSpec, DestinationSpec, HoldLoopSpec, IvrInput, IvrPlan, IvrStep, QueueSpec, RingSpec,
};

const MINUTE_MS: u64 = 60_000;

fn menu(prompt_id: &str, accept: &[&str]) -> IvrStep {
    IvrStep {
        prompt_id: prompt_id.into(),
        music_before_ms: 0,
        input: IvrInput::Menu {
            accept: accept.iter().map(|s| s.to_string()).collect(),
        },
        timeout_ms: 6_000,
        retries: 1,
    }
}

fn message(prompt_id: &str) -> IvrStep {
    IvrStep {
        prompt_id: prompt_id.into(),
        music_before_ms: 0,
        input: IvrInput::None,
        timeout_ms: 0,
        retries: 0,
    }
}

fn optional_number(prompt_id: &str, len: usize) -> IvrStep {
    IvrStep {
        prompt_id: prompt_id.into(),
        music_before_ms: 0,
        input: IvrInput::Digits {
            min_len: len,
            max_len: len,
            optional: true,
        },
        timeout_ms: 8_000,
        retries: 1,
    }
}

fn ivr(steps: Vec<IvrStep>) -> IvrPlan {
    IvrPlan {
        steps,
        invalid_id: "ivr.invalid".into(),
        no_input_id: "ivr.noinput".into(),
        goodbye_id: "ivr.goodbye".into(),
    }
}

fn queue(level_of_service: f64, hold_mean_min: u64) -> QueueSpec {
    QueueSpec {
        level_of_service,
        too_busy_share: 0.5,
        hold_mean_ms: hold_mean_min * MINUTE_MS,
        hold_sigma: 0.9,
        hold_max_ms: 180 * MINUTE_MS,
        too_busy_ids: vec!["busy.en".into(), "busy.en.circuits".into()],
    }
}

fn irs_hold_loop() -> HoldLoopSpec {
    HoldLoopSpec {
        intro_id: Some("ivr.hold-intro".into()),
        music_ids: Vec::new(),
        vocal_music_probability: 0.25,
        announcement_interval_ms: (30_000, 90_000),
        min_scaled_interval_ms: 8_000,
        announcement_ids: vec![
            "ann.en.assistors-busy".into(),
            "ann.en.important".into(),
            "ann.en.representatives".into(),
            "ann.en.callback".into(),
            "ann.en.website".into(),
            "ann.en.thankyou".into(),
        ],
        spanish_probability: 0.7,
        wait_estimate_every: 3,
    }
}

fn irs_agent() -> AgentSpec {
    AgentSpec {
        voices: Vec::new(),
        click_probability: 0.5,
        pickup_silence_ms: (100, 600),
        hello_only_probability: 0.2,
        gain_db: (-12.0, 4.0),
        noisy_probability: 0.3,
        noisy_snr_db: (15.0, 30.0),
        room_snr_db: (25.0, 45.0),
        challenge_ids: vec![
            "challenge.phrase".into(),
            "challenge.math".into(),
            "challenge.phrase2".into(),
        ],
        conversation_max_ms: 30 * MINUTE_MS,
    }
}

fn irs_line(
    id: &str,
    name: &str,
    number: &str,
    steps: Vec<IvrStep>,
    q: QueueSpec,
) -> DestinationSpec {
    DestinationSpec {
        id: id.into(),
        name: name.into(),
        number: number.into(),
        time_zone: "America/New_York".into(),
        hours: BusinessHours::irs(),
        ring: RingSpec {
            rings_min: 1,
            rings_max: 3,
            busy_probability: 0.0,
            no_answer_probability: 0.0,
        },
        ivr: ivr(steps),
        queue: q,
        hold_loop: irs_hold_loop(),
        agent: irs_agent(),
        line_hiss_dbfs: (-72.0, -58.0),
        closed_message_ids: vec!["closed.en".into(), "closed.es".into()],
    }
}

/// IRS individuals line, +1 800 829 1040. Menu path (2020, [secondary]): 1 (English) ->
/// message -> 2 (personal income tax) -> 1 -> 3 -> 2 -> SSN (optional). Mean hold 13 min
/// (IRS guidance after filing season), LOS 0.85.
pub fn irs_individual() -> DestinationSpec {
    irs_line(
        "irs-individual",
        "IRS individuals",
        "+18008291040",
        vec![
            menu("ivr.welcome-language", &["1"]),
            message("ivr.ind.changed"),
            menu("ivr.ind.main", &["2"]),
            menu("ivr.ind.topic", &["1"]),
            menu("ivr.ind.account", &["3"]),
            menu("ivr.ind.notice", &["2"]),
            optional_number("ivr.ind.ssn", 9),
        ],
        queue(0.85, 13),
    )
}

/// IRS businesses line, +1 800 829 4933: 1 (English) -> 2 (business income tax) -> EIN
/// (optional). Mean hold 15 min, LOS 0.75.
pub fn irs_business() -> DestinationSpec {
    irs_line(
        "irs-business",
        "IRS businesses",
        "+18008294933",
        vec![
            menu("ivr.welcome-language", &["1"]),
            menu("ivr.bus.main", &["2"]),
            optional_number("ivr.bus.ein", 9),
        ],
        queue(0.75, 15),
    )
}

/// IRS Practitioner Priority Service, +1 866 860 4259: "1" asked early, a second selection
/// (3) asked only minutes into the call (2.5 min of music before it). Mean hold 25 min
/// (2022 PPS), LOS 0.6.
pub fn irs_pps() -> DestinationSpec {
    let mut second = menu("ivr.pps.second", &["3"]);
    second.music_before_ms = 150_000;
    irs_line(
        "irs-pps",
        "IRS Practitioner Priority Service",
        "+18668604259",
        vec![
            menu("ivr.pps.welcome", &["1"]),
            message("ivr.pps.info"),
            second,
        ],
        queue(0.6, 25),
    )
}

/// Simulator test lines (numbers in the 555-01xx fictional range), always open:
/// `+15550100001` quick line (no IVR, LOS 1, mean hold 1 min), `+15550100002` busy,
/// `+15550100003` no answer, `+15550100004` always too busy.
pub fn sim_test_lines() -> Vec<DestinationSpec> {
    let mut quick = irs_line(
        "sim-quick",
        "Sim quick line",
        "+15550100001",
        Vec::new(),
        queue(1.0, 1),
    );
    quick.hours = BusinessHours::always();
    quick.ring.rings_max = 1;
    let mut busy = quick.clone();
    busy.id = "sim-busy".into();
    busy.name = "Sim busy line".into();
    busy.number = "+15550100002".into();
    busy.ring.busy_probability = 1.0;
    let mut no_answer = quick.clone();
    no_answer.id = "sim-no-answer".into();
    no_answer.name = "Sim no-answer line".into();
    no_answer.number = "+15550100003".into();
    no_answer.ring.no_answer_probability = 1.0;
    let mut too_busy = quick.clone();
    too_busy.id = "sim-too-busy".into();
    too_busy.name = "Sim too-busy line".into();
    too_busy.number = "+15550100004".into();
    too_busy.queue.level_of_service = 0.0;
    too_busy.queue.too_busy_share = 1.0;
    vec![quick, busy, no_answer, too_busy]
}
