//! The state a watcher keeps (the job, updated by snapshot and events) and its two renderings:
//! a frame of at most 80 columns redrawn in place on a terminal, and one line per change for
//! pipes and logs.

use holdhunter_proto::v1 as pb;
use holdhunter_proto::v1::watch_job_response::Payload;

use crate::render::json::to_jiff;
use crate::render::text;

/// Frame width in columns.
pub const WIDTH: usize = 80;

/// Connection state shown in the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connecting for the first time.
    Connecting,
    /// Streaming.
    Live,
    /// Lost; retrying (attempt number, short reason).
    Reconnecting(u32, String),
    /// The stream ended with the job.
    Done,
}

/// What a watcher knows about the job.
#[derive(Debug, Clone)]
pub struct JobView {
    /// The job after every message applied so far (`None` before the first snapshot).
    pub job: Option<pb::Job>,
    /// Connection state.
    pub link: Link,
    /// The last few event messages and notes, newest last.
    pub recent: Vec<String>,
}

impl Default for JobView {
    fn default() -> Self {
        Self::new()
    }
}

impl JobView {
    /// An empty view.
    pub fn new() -> Self {
        Self {
            job: None,
            link: Link::Connecting,
            recent: Vec::new(),
        }
    }

    /// The job state (UNSPECIFIED before the snapshot).
    pub fn state(&self) -> pb::JobState {
        self.job
            .as_ref()
            .map(|j| j.state())
            .unwrap_or(pb::JobState::Unspecified)
    }

    /// True once the job is terminal.
    pub fn is_terminal(&self) -> bool {
        !matches!(
            self.state(),
            pb::JobState::Unspecified | pb::JobState::Hunting
        )
    }

    /// Adds a note (e.g. from the demo operator) shown under the table and in the log.
    pub fn note(&mut self, note: String) -> String {
        self.remember(note.clone());
        format!("{} note  {note}", local_time(jiff::Timestamp::now()))
    }

    fn remember(&mut self, message: String) {
        if message.is_empty() {
            return;
        }
        self.recent.push(message);
        let excess = self.recent.len().saturating_sub(3);
        self.recent.drain(..excess);
    }

    /// Applies one stream message; returns the log line(s) describing it.
    pub fn apply(&mut self, response: &pb::WatchJobResponse) -> Vec<String> {
        match &response.payload {
            Some(Payload::Snapshot(job)) => {
                self.job = Some(job.clone());
                vec![snapshot_line(job)]
            }
            Some(Payload::Event(event)) => self.apply_event(event),
            None => Vec::new(),
        }
    }

    fn apply_event(&mut self, event: &pb::JobEvent) -> Vec<String> {
        let job = self.job.get_or_insert_with(pb::Job::default);
        let mut previous_state = None;
        if let Some(leg) = &event.leg {
            match job.legs.iter_mut().find(|l| l.leg_id == leg.leg_id) {
                Some(slot) => {
                    previous_state = Some(slot.state);
                    *slot = leg.clone();
                }
                None => {
                    job.legs.push(leg.clone());
                    job.legs.sort_by_key(|l| l.index);
                }
            }
            if leg.winner && !job.winner_leg_ids.contains(&leg.leg_id) {
                job.winner_leg_ids.push(leg.leg_id.clone());
            }
        }
        if event.job_state != 0 {
            job.state = event.job_state;
        }
        job.transfers = job.transfers.max(event.transfers);
        if !event.message.is_empty() {
            job.status_message = event.message.clone();
        }
        if let Some(time) = &event.time {
            job.updated_at = Some(*time);
            if self.is_terminal_state(event.job_state) {
                if let Some(job) = self.job.as_mut() {
                    job.ended_at.get_or_insert(*time);
                }
            }
        }
        let line = event_line(event, previous_state);
        self.remember(event.message.clone());
        vec![line]
    }

    fn is_terminal_state(&self, state: i32) -> bool {
        !matches!(
            pb::JobState::try_from(state),
            Ok(pb::JobState::Unspecified | pb::JobState::Hunting) | Err(_)
        )
    }

    /// The frame for a terminal at `now`: every line at most [`WIDTH`] columns.
    pub fn frame(&self, now: jiff::Timestamp) -> Vec<String> {
        let mut lines = Vec::new();
        let link = match &self.link {
            Link::Connecting => "connecting…".to_string(),
            Link::Live => "live".to_string(),
            Link::Reconnecting(n, why) => format!("reconnecting… (try {n}: {why})"),
            Link::Done => "ended".to_string(),
        };
        let Some(job) = &self.job else {
            lines.push(text::truncate(
                &format!("Waiting for the job…  [{link}]"),
                WIDTH,
            ));
            return lines;
        };
        let end = job.ended_at.as_ref().and_then(to_jiff).unwrap_or(now);
        let elapsed = job
            .created_at
            .as_ref()
            .and_then(to_jiff)
            .map(|c| text::clock(ms_between(c, end)))
            .unwrap_or_else(|| "-".into());
        lines.push(text::truncate(
            &format!(
                "{}  {}  {} {}  {elapsed}",
                job.job_id,
                text::job_state(job.state),
                job.destination_id,
                job.destination_number
            ),
            WIDTH,
        ));
        lines.push(text::truncate(
            &format!(
                "lines {}  transfers {}/{}  queue {}  winner {}  [{link}]",
                job.line_count,
                job.transfers,
                job.max_transfers.max(1),
                if job.queue_id.is_empty() {
                    "-"
                } else {
                    &job.queue_id
                },
                if job.winner_leg_ids.is_empty() {
                    "-".to_string()
                } else {
                    job.winner_leg_ids.join(",")
                }
            ),
            WIDTH,
        ));
        lines.push(format!(
            "{:<7}  {:<12}  {:>8}  {:>7}  {:>4}  {}",
            "LEG", "STATE", "IN STATE", "HOLD", "CONF", "CAUSE"
        ));
        for leg in &job.legs {
            lines.push(leg_row(leg, now));
        }
        for message in &self.recent {
            lines.push(text::truncate(&format!("› {message}"), WIDTH));
        }
        lines
    }
}

/// One leg as a frame row (≤ 80 columns).
pub fn leg_row(leg: &pb::Leg, now: jiff::Timestamp) -> String {
    let in_state = leg
        .state_since
        .as_ref()
        .and_then(to_jiff)
        .map(|s| text::clock(ms_between(s, now)))
        .unwrap_or_else(|| "-".into());
    let hold_ms = match (leg.state(), leg.hold_started_at.as_ref().and_then(to_jiff)) {
        (pb::LegState::Hold, Some(start)) => ms_between(start, now).max(leg.hold_ms),
        _ => leg.hold_ms,
    };
    let hold = if hold_ms > 0 || leg.hold_started_at.is_some() {
        text::clock(hold_ms)
    } else {
        "-".into()
    };
    let (conf, cause) = leg_cause(leg);
    let head = format!(
        "{:<7}  {:<12}  {:>8}  {:>7}  {:>4}  ",
        text::truncate(
            &format!("{}{}", leg.leg_id, if leg.winner { "*" } else { "" }),
            7
        ),
        text::leg_state(leg.state),
        in_state,
        hold,
        conf
    );
    let room = WIDTH.saturating_sub(head.chars().count());
    format!("{head}{}", text::truncate(&cause, room))
}

/// `(confidence, cause)` for display: the end reason once ended, else the detector's cause,
/// else the last IVR step or party status.
fn leg_cause(leg: &pb::Leg) -> (String, String) {
    let conf = match &leg.detection {
        Some(d) if d.phase != 0 || d.confidence > 0.0 => format!("{:.2}", d.confidence),
        _ => "-".into(),
    };
    if leg.end_reason != 0 {
        let mut end = text::leg_end_reason(leg.end_reason);
        if !leg.provider_error_code.is_empty() {
            end.push(' ');
            end.push_str(&leg.provider_error_code);
        }
        return (conf, end);
    }
    let cause = match &leg.detection {
        Some(d) if !d.cause.is_empty() => d.cause.clone(),
        _ if !leg.ivr_step.is_empty() => leg.ivr_step.clone(),
        _ => leg.party_status.clone(),
    };
    (conf, cause)
}

fn ms_between(from: jiff::Timestamp, to: jiff::Timestamp) -> u64 {
    let ms = to.as_millisecond() - from.as_millisecond();
    u64::try_from(ms).unwrap_or(0)
}

fn local_time(t: jiff::Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%H:%M:%S")
        .to_string()
}

fn event_time(event: &pb::JobEvent) -> String {
    local_time(
        event
            .time
            .as_ref()
            .and_then(to_jiff)
            .unwrap_or_else(jiff::Timestamp::now),
    )
}

fn snapshot_line(job: &pb::Job) -> String {
    let legs: Vec<String> = job
        .legs
        .iter()
        .map(|l| format!("{} {}", l.leg_id, text::leg_state(l.state)))
        .collect();
    format!(
        "{} job   {} {} on {} ({} lines): {}",
        local_time(jiff::Timestamp::now()),
        job.job_id,
        text::job_state(job.state),
        job.destination_id,
        job.line_count,
        legs.join(", ")
    )
}

fn event_line(event: &pb::JobEvent, previous_state: Option<i32>) -> String {
    let time = event_time(event);
    let kind = event.kind();
    let leg_id = if event.leg_id.is_empty() {
        event.leg.as_ref().map(|l| l.leg_id.as_str()).unwrap_or("")
    } else {
        &event.leg_id
    };
    let message = if event.message.is_empty() {
        String::new()
    } else {
        format!("  {}", event.message)
    };
    match (kind, &event.leg) {
        (pb::JobEventKind::LegState, Some(leg)) => {
            let from = previous_state
                .filter(|s| *s != leg.state)
                .map(|s| format!("{}→", text::leg_state(s)))
                .unwrap_or_default();
            let (conf, cause) = leg_cause(leg);
            let cause = if from.is_empty() && !leg.party_status.is_empty() && leg.end_reason == 0 {
                // Same state: the change is in the RingCentral party status.
                format!("party {}", leg.party_status)
            } else {
                cause
            };
            let detail = if cause.is_empty() {
                String::new()
            } else if conf == "-" {
                format!(" {cause}")
            } else {
                format!(" {conf} {cause}")
            };
            format!(
                "{time} {leg_id:<6} {from}{}{detail}{message}",
                text::leg_state(leg.state)
            )
        }
        (pb::JobEventKind::Detection, Some(leg)) => {
            let d = leg.detection.clone().unwrap_or_default();
            let phase = pb::DetectionPhase::try_from(d.phase)
                .map(|p| {
                    p.as_str_name()
                        .trim_start_matches("DETECTION_PHASE_")
                        .to_string()
                })
                .unwrap_or_default();
            format!(
                "{time} {leg_id:<6} detect {phase} {:.2} {}{message}",
                d.confidence, d.cause
            )
        }
        (pb::JobEventKind::JobState, _) => format!(
            "{time} job    {}{message}",
            text::job_state(event.job_state)
        ),
        _ => format!(
            "{time} {leg_id:<6} {}{message}",
            text::event_kind(event.kind).to_ascii_lowercase()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(seconds: i64) -> Option<prost_types::Timestamp> {
        Some(prost_types::Timestamp { seconds, nanos: 0 })
    }

    fn sample_job() -> pb::Job {
        pb::Job {
            job_id: "job_01J9Z3QKXYZ".into(),
            state: pb::JobState::Hunting as i32,
            destination_id: "irs-pps".into(),
            destination_number: "+18668604259".into(),
            line_count: 2,
            created_at: ts(1_000),
            legs: (1..=2)
                .map(|i| pb::Leg {
                    leg_id: format!("leg-{i}"),
                    index: i,
                    state: pb::LegState::Hold as i32,
                    state_since: ts(1_010),
                    hold_started_at: ts(1_010),
                    detection: Some(pb::Detection {
                        phase: pb::DetectionPhase::Hold as i32,
                        confidence: 0.12,
                        cause: "MUSIC_STEADY_WITH_A_VERY_LONG_CAUSE_NAME_THAT_WILL_NOT_FIT".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn frame_fits_80_columns_and_ticks() {
        let mut view = JobView::new();
        view.apply(&pb::WatchJobResponse {
            resume_token: "1".into(),
            payload: Some(Payload::Snapshot(sample_job())),
        });
        let now = jiff::Timestamp::from_second(1_075).unwrap();
        let frame = view.frame(now);
        for line in &frame {
            assert!(line.chars().count() <= WIDTH, "too wide: {line}");
        }
        assert!(
            frame[0].contains("HUNTING") && frame[0].contains("01:15"),
            "{frame:?}"
        );
        assert!(
            frame[3].starts_with("leg-1") && frame[3].contains("01:05"),
            "{frame:?}"
        );
        assert!(frame[3].ends_with('…'), "{}", frame[3]);
    }

    #[test]
    fn events_update_legs_and_job_state() {
        let mut view = JobView::new();
        view.apply(&pb::WatchJobResponse {
            resume_token: "1".into(),
            payload: Some(Payload::Snapshot(sample_job())),
        });
        let mut leg = sample_job().legs[1].clone();
        leg.state = pb::LegState::Transferred as i32;
        leg.winner = true;
        let lines = view.apply(&pb::WatchJobResponse {
            resume_token: "2".into(),
            payload: Some(Payload::Event(pb::JobEvent {
                kind: pb::JobEventKind::LegState as i32,
                time: ts(1_100),
                leg_id: "leg-2".into(),
                leg: Some(leg),
                job_state: pb::JobState::Transferred as i32,
                message: "leg-2 transferred to 5001".into(),
                transfers: 1,
            })),
        });
        assert!(lines[0].contains("HOLD→TRANSFERRED"), "{lines:?}");
        assert!(view.is_terminal());
        let job = view.job.as_ref().unwrap();
        assert_eq!(job.winner_leg_ids, vec!["leg-2".to_string()]);
        assert_eq!(job.transfers, 1);
        assert_eq!(job.legs[1].state(), pb::LegState::Transferred);
    }
}
