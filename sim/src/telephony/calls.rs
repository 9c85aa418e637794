//! Call-out and the per-call task (REF §2, §4).
//!
//! `POST …/telephony/call-out` answers 201 `{session:{…}}` with one `Setup` party `p-…-1`, then
//! a task per call: the hold line's device auto-answers after `device_answer_ms` (no
//! notification, UNVERIFIED), the far end starts ringing (p-2 Inbound Proceeding, then p-1
//! Proceeding), and one `FarEndCall::next_frame()` runs per 20 ms of media (paced against
//! absolute deadlines, so it doesn't drift), translating far-end events into party changes in
//! the order of the real RC→PSTN capture (REF §4 table).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use rand::Rng;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::config::UnknownNumberPolicy;
use crate::errors::{ApiError, ApiResult};
use crate::farend::{DestinationModel, FarEndConfig, FarEndEvent};
use crate::ground_truth::{CallGroundTruth, CallPhase, DtmfTruth, EndedBy, Moment, TimelineEvent};
use crate::media_ws::{self, MEDIA_BROADCAST_CAPACITY, MediaOut};
use crate::queue::{self, TransferTarget};
use crate::state::{DeviceStatus, SimState, lock};
use crate::telephony::session::{CallSession, Direction, Party, PartyInfo, PartyStatus};
use crate::webhook_delivery;

/// Index of the caller party `p-…-1` (the hold line).
pub const CALLER: usize = 0;
/// Index of the callee party `p-…-2` (the far end, PSTN).
pub const CALLEE: usize = 1;

/// Commands to a call's task.
#[derive(Debug)]
pub enum CallCommand {
    /// A DTMF digit from the media WebSocket.
    Dtmf(char),
    /// p-1 was transferred; the far end must be told and the target rings for `ring_ms`.
    Transferred {
        /// Wall ms until the target answers.
        ring_ms: u64,
    },
    /// The session was ended through the API (parties already Disconnected).
    Hangup,
}

/// Media stream state of a call (under the record's lock).
#[derive(Debug, Default)]
pub struct MediaState {
    /// `start` was sent.
    pub started: bool,
    /// The `stop` message, once sent.
    pub stop_message: Option<String>,
    /// Next `sequenceNumber` (start is 1).
    pub next_seq: u64,
    /// Next media `chunk`.
    pub next_chunk: u64,
}

/// Mutable state of one call.
#[derive(Debug)]
pub struct CallRecord {
    /// The session (parties, sequence).
    pub session: CallSession,
    /// Ground truth.
    pub truth: CallGroundTruth,
    /// The session is over: GET/DELETE answer 404.
    pub ended: bool,
    /// Media stream state.
    pub media: MediaState,
}

/// One call: its record, its task's command channel and its media broadcast.
#[derive(Debug)]
pub struct CallEntry {
    /// `telephonySessionId`.
    pub id: String,
    /// `streamSid` of the media stream.
    pub stream_sid: String,
    /// State.
    pub record: Mutex<CallRecord>,
    /// Commands to the task.
    pub commands: mpsc::UnboundedSender<CallCommand>,
    /// Media fan-out.
    pub media: broadcast::Sender<MediaOut>,
}

/// All calls, live and finished.
#[derive(Debug, Default)]
pub struct CallRegistry {
    by_id: HashMap<String, Arc<CallEntry>>,
    order: Vec<String>,
    /// Calls started so far (call seeds derive from it).
    pub started: u64,
}

impl CallRegistry {
    /// Call by `telephonySessionId`.
    pub fn get(&self, id: &str) -> Option<Arc<CallEntry>> {
        self.by_id.get(id).cloned()
    }

    /// All calls in creation order.
    pub fn all(&self) -> Vec<Arc<CallEntry>> {
        self.order
            .iter()
            .filter_map(|id| self.by_id.get(id).cloned())
            .collect()
    }
}

/// Sets a party's status and publishes the notification (one party per notification).
pub fn set_status(
    state: &SimState,
    rec: &mut CallRecord,
    idx: usize,
    status: PartyStatus,
    reason: Option<&'static str>,
) {
    let p = &mut rec.session.parties[idx];
    p.status = status;
    p.reason = reason;
    let n = rec.session.notification(idx);
    webhook_delivery::publish(state, n);
}

/// Disconnects every live party in `order`, with `reason`, publishing each.
pub fn disconnect_all(
    state: &SimState,
    rec: &mut CallRecord,
    order: &[usize],
    reason: Option<&'static str>,
) {
    for &i in order {
        if i < rec.session.parties.len() && rec.session.parties[i].is_live() {
            set_status(state, rec, i, PartyStatus::Disconnected, reason);
        }
    }
}

/// Sends the media `stop` (once) with `reason`.
pub fn stop_media(entry: &CallEntry, rec: &mut CallRecord, reason: &str) {
    if rec.media.stop_message.is_some() {
        return;
    }
    let seq = rec.media.next_seq.max(2);
    rec.media.next_seq = seq + 1;
    let m = media_ws::stop_message(&entry.stream_sid, seq, &entry.id, reason);
    rec.media.stop_message = Some(m.clone());
    let _ = entry.media.send(MediaOut::Stop(m.into()));
}

fn check_account(state: &SimState, account: &str) -> ApiResult<()> {
    if state.account.matches_account(account) {
        Ok(())
    } else {
        Err(ApiError::not_found("accountId"))
    }
}

/// Parses a JSON request body; 415 for a non-JSON `Content-Type`, 400 CMN-101 for bad JSON.
pub fn json_body(headers: &HeaderMap, body: &Bytes) -> ApiResult<Value> {
    if let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        && !ct.starts_with("application/json")
    {
        return Err(ApiError::unsupported_media_type());
    }
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|_| ApiError::invalid_parameter("body"))
}

fn string_field(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `POST /restapi/v1.0/account/{accountId}/telephony/call-out` (SPEC
/// `createCallOutCallSession`, Heavy) → 201 `{session:{…}}`.
///
/// Errors: 400 CMN-101 (`parameterName` `from.deviceId`, `to`, `to.phoneNumber`) for a
/// missing/invalid field; 404 CMN-102 `from.deviceId` for an unknown device; 400 CMN-101
/// `from.deviceId` for an Offline device (UNVERIFIED code). `to.extensionNumber` (internal
/// calls) is not simulated: 400 CMN-101 `to.extensionNumber`.
pub async fn call_out(
    State(state): State<Arc<SimState>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let v = json_body(&headers, &body)?;
    let from = v.get("from").filter(|f| f.is_object());
    let device_id = string_field(from.and_then(|f| f.get("deviceId")));
    let from_extension = string_field(from.and_then(|f| f.get("extensionId")));
    let device = match (device_id, from_extension) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(ApiError::invalid_parameter("from.deviceId"));
        }
        (Some(d), None) => state
            .account
            .device(&d)
            .ok_or_else(|| ApiError::not_found("from.deviceId"))?,
        // UNVERIFIED 2026-05 description: `from.extensionId` uses that extension's device.
        (None, Some(e)) => e
            .parse::<u64>()
            .ok()
            .and_then(|id| state.account.devices.iter().find(|d| d.extension_id == id))
            .ok_or_else(|| ApiError::not_found("from.extensionId"))?,
    };
    let to = v
        .get("to")
        .filter(|t| t.is_object())
        .ok_or_else(|| ApiError::invalid_parameter("to"))?;
    let to_number = string_field(to.get("phoneNumber"));
    let to_ext = string_field(to.get("extensionNumber"));
    let to_number = match (to_number, to_ext) {
        (Some(n), None) => {
            if !queue::valid_number(&n) {
                return Err(ApiError::invalid_parameter("to.phoneNumber"));
            }
            n
        }
        (None, Some(_)) => return Err(ApiError::invalid_parameter("to.extensionNumber")),
        _ => return Err(ApiError::invalid_parameter("to")),
    };
    if v.get("countryId")
        .is_some_and(|c| !c.is_null() && c.as_u64().is_none() && c.as_str().is_none())
    {
        return Err(ApiError::invalid_parameter("countryId"));
    }
    if state.device_status(&device.id) != Some(DeviceStatus::Online) {
        return Err(ApiError::invalid_parameter("from.deviceId"));
    }
    let extension = state
        .account
        .extension(device.extension_id)
        .expect("device's extension exists");

    let hex = uuid::Uuid::new_v4().simple().to_string();
    let id = format!("s-{hex}");
    let session_id = rand::rng()
        .random_range(10_000_000_000u64..99_999_999_999)
        .to_string();
    let caller = Party {
        id: format!("p-{hex}-1"),
        direction: Direction::Outbound,
        status: PartyStatus::Setup,
        reason: None,
        from: PartyInfo {
            phone_number: Some(device.phone_number.clone()),
            name: Some(extension.name.clone()),
            extension_id: Some(extension.id),
            device_id: Some(device.id.clone()),
        },
        to: PartyInfo {
            phone_number: Some(to_number.clone()),
            ..Default::default()
        },
        owner_extension_id: Some(extension.id),
        queue_call: false,
    };
    let session = CallSession {
        id: id.clone(),
        hex,
        session_id,
        server_id: "10.99.0.1.TAM".into(),
        creation_time: Timestamp::now(),
        account_id: state.account.id,
        parties: vec![caller],
        next_sequence: 2,
    };
    let settings = lock(&state.runtime).clone();
    let destination = state.catalog.lookup(&to_number);
    let (call_index, fault_bits) = {
        let mut reg = lock(&state.calls);
        reg.started += 1;
        (reg.started, 0u64)
    };
    let call_seed = splitmix(settings.seed ^ splitmix(call_index) ^ fault_bits);
    let mut truth = CallGroundTruth::new(
        id.clone(),
        device.id.clone(),
        extension.id.to_string(),
        to_number.clone(),
    );
    truth.destination_id = destination.as_ref().map(|d| d.id.clone());
    truth.destination_name = destination.as_ref().map(|d| d.name.clone());
    truth.call_seed = call_seed;
    truth.time_scale = settings.time_scale;
    truth.media_pace = settings.media_pace;
    let response = json!({ "session": session.rest_json() });
    let (tx, rx) = mpsc::unbounded_channel();
    let (media_tx, _) = broadcast::channel(MEDIA_BROADCAST_CAPACITY);
    let entry = Arc::new(CallEntry {
        id: id.clone(),
        stream_sid: format!("MZ{}", uuid::Uuid::new_v4().simple()),
        record: Mutex::new(CallRecord {
            session,
            truth,
            ended: false,
            media: MediaState {
                started: false,
                stop_message: None,
                next_seq: 2,
                next_chunk: 1,
            },
        }),
        commands: tx,
        media: media_tx,
    });
    {
        let mut reg = lock(&state.calls);
        reg.by_id.insert(id.clone(), entry.clone());
        reg.order.push(id);
    }
    let far_cfg = FarEndConfig {
        seed: settings.seed,
        time_scale: settings.time_scale,
        ignore_business_hours: state.config.ignore_business_hours,
        agent_patience_ms: state.config.agent_patience_ms,
        voice_challenge: state.config.voice_challenge,
    };
    let plan = CallPlan {
        destination,
        far_cfg,
        call_seed,
        media_pace: settings.media_pace,
    };
    tokio::spawn(run_call(state.clone(), entry, rx, plan));
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

/// SplitMix64 step (derives per-call seeds).
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a call task needs to start the far end.
struct CallPlan {
    destination: Option<Arc<DestinationModel>>,
    far_cfg: FarEndConfig,
    call_seed: u64,
    media_pace: f64,
}

enum Wait {
    Elapsed,
    Hangup,
}

async fn wait_or_hangup(
    state: &SimState,
    rx: &mut mpsc::UnboundedReceiver<CallCommand>,
    until: Instant,
) -> Wait {
    let mut shutdown = state.shutdown.clone();
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(until.into()) => return Wait::Elapsed,
            cmd = rx.recv() => match cmd {
                Some(CallCommand::Hangup) | None => return Wait::Hangup,
                Some(_) => {}
            },
            _ = shutdown.changed() => return Wait::Hangup,
        }
    }
}

fn callee_party(rec: &CallRecord) -> Party {
    let caller = &rec.session.parties[CALLER];
    Party {
        id: format!("p-{}-2", rec.session.hex),
        direction: Direction::Inbound,
        status: PartyStatus::Proceeding,
        reason: None,
        from: PartyInfo {
            phone_number: caller.from.phone_number.clone(),
            name: caller.from.name.clone(),
            extension_id: caller.from.extension_id,
            device_id: None,
        },
        to: caller.to.clone(),
        owner_extension_id: None,
        queue_call: false,
    }
}

/// The far end starts ringing: p-2 Inbound Proceeding (account filter), then p-1 Proceeding.
fn start_ringing(state: &SimState, entry: &CallEntry, rec: &mut CallRecord) {
    let p2 = callee_party(rec);
    rec.session.parties.push(p2);
    let n = rec.session.notification(CALLEE);
    webhook_delivery::publish(state, n);
    set_status(state, rec, CALLER, PartyStatus::Proceeding, None);
    rec.truth.phase = CallPhase::Ringing;
    rec.truth.far_end_started_at = Some(Timestamp::now());
    rec.media.started = true;
    let _ = entry.media.send(MediaOut::Text(
        media_ws::start_message(&entry.stream_sid, &entry.id).into(),
    ));
}

/// Which parties are still "ours" (the near end): p-1, or the transfer target p-3.
fn near_end_parties(rec: &CallRecord) -> Vec<usize> {
    (0..rec.session.parties.len())
        .filter(|&i| i != CALLEE)
        .collect()
}

async fn run_call(
    state: Arc<SimState>,
    entry: Arc<CallEntry>,
    mut rx: mpsc::UnboundedReceiver<CallCommand>,
    plan: CallPlan,
) {
    // p-1 Setup, sequence 2 (extension filter).
    {
        let mut rec = lock(&entry.record);
        let n = rec.session.notification(CALLER);
        webhook_delivery::publish(&state, n);
    }
    let answer_at = Instant::now() + Duration::from_millis(state.config.device_answer_ms);
    if let Wait::Hangup = wait_or_hangup(&state, &mut rx, answer_at).await {
        finish(&state, &entry, EndedBy::Api);
        return;
    }
    lock(&entry.record).truth.device_answered_at = Some(Timestamp::now());

    let Some(model) = plan.destination else {
        unknown_number(&state, &entry, &mut rx).await;
        return;
    };
    let now = Timestamp::now();
    let mut far = model.start_call(state.audio.clone(), &plan.far_cfg, plan.call_seed, now);
    {
        let mut rec = lock(&entry.record);
        if rec.ended {
            drop(rec);
            finish(&state, &entry, EndedBy::Api);
            return;
        }
        start_ringing(&state, &entry, &mut rec);
    }
    let frame_s = 0.020 / plan.media_pace;
    let start = Instant::now();
    let cap = start + Duration::from_millis(state.config.max_call_ms);
    let mut frames: u64 = 0;
    let mut queue_answer_at: Option<Instant> = None;
    let mut shutdown = state.shutdown.clone();
    loop {
        let deadline = start + Duration::from_secs_f64(frames as f64 * frame_s);
        tokio::select! {
            biased;
            _ = shutdown.changed() => {
                finish(&state, &entry, EndedBy::Simulator);
                return;
            }
            cmd = rx.recv() => match cmd {
                None | Some(CallCommand::Hangup) => {
                    finish(&state, &entry, EndedBy::Api);
                    return;
                }
                Some(CallCommand::Dtmf(d)) => {
                    far.on_dtmf(d);
                    let mut rec = lock(&entry.record);
                    let media_ms = far.media_samples() / 8;
                    rec.truth.dtmf.push(DtmfTruth { digit: d, media_ms });
                    if rec.media.stop_message.is_none() {
                        let seq = rec.media.next_seq;
                        rec.media.next_seq += 1;
                        let m = media_ws::dtmf_message(&entry.stream_sid, seq, d);
                        let _ = entry.media.send(MediaOut::Text(m.into()));
                    }
                }
                Some(CallCommand::Transferred { ring_ms }) => {
                    far.on_transferred();
                    let mut rec = lock(&entry.record);
                    rec.truth.transfer_media_ms = Some(far.media_samples() / 8);
                    queue_answer_at = Some(Instant::now() + Duration::from_millis(ring_ms));
                }
            },
            _ = tokio::time::sleep_until(deadline.into()) => {
                let frame = far.next_frame();
                frames += 1;
                let frame_media_ms = (frames - 1) * 20;
                let wall = Timestamp::now();
                let mut rec = lock(&entry.record);
                if rec.media.started && rec.media.stop_message.is_none() {
                    let seq = rec.media.next_seq;
                    let chunk = rec.media.next_chunk;
                    rec.media.next_seq += 1;
                    rec.media.next_chunk += 1;
                    let m = media_ws::media_message(&entry.stream_sid, seq, chunk, frame_media_ms, &frame.ulaw);
                    let _ = entry.media.send(MediaOut::Text(m.into()));
                }
                let mut ended = rec.ended;
                for ev in &frame.events {
                    if ended {
                        break;
                    }
                    ended = on_far_end_event(&state, &entry, &mut rec, ev, Moment { media_ms: frame_media_ms, wall });
                }
                rec.truth.absorb(far.truth(), far.media_samples());
                if !ended && queue_answer_at.is_some_and(|t| Instant::now() >= t) {
                    queue_answer_at = None;
                    if let Some(i) = rec.session.parties.len().checked_sub(1).filter(|&i| i > CALLEE) {
                        let agent = rec.session.parties[i].to.clone();
                        let _ = agent;
                        set_status(&state, &mut rec, i, PartyStatus::Answered, None);
                        rec.truth.queue_answered_at = Some(Timestamp::now());
                        rec.truth.phase = CallPhase::QueueAnswered;
                        far.on_queue_answered();
                    }
                }
                if !ended && far.is_finished() {
                    let order = far_end_hangup_order(&rec);
                    disconnect_all(&state, &mut rec, &order, None);
                    rec.truth.timeline.push(TimelineEvent { media_ms: frame_media_ms, wall, event: "FarEndFinished".into() });
                    ended = true;
                }
                if !ended && Instant::now() >= cap {
                    let order = near_first_order(&rec);
                    disconnect_all(&state, &mut rec, &order, None);
                    drop(rec);
                    finish(&state, &entry, EndedBy::Simulator);
                    return;
                }
                if ended {
                    drop(rec);
                    finish(&state, &entry, EndedBy::FarEnd);
                    return;
                }
            }
        }
    }
}

/// Remote hang-up: p-2 first, then the near end (REF §4 shows the reverse for a caller
/// hang-up).
fn far_end_hangup_order(rec: &CallRecord) -> Vec<usize> {
    let mut v = vec![CALLEE];
    v.extend(near_end_parties(rec));
    v
}

/// Near-end hang-up (DELETE): p-1/p-3 first, then p-2 (REF §4 table, seq 9-10).
pub fn near_first_order(rec: &CallRecord) -> Vec<usize> {
    let mut v = near_end_parties(rec);
    v.push(CALLEE);
    v
}

/// Applies one far-end event; returns `true` when the call is over.
fn on_far_end_event(
    state: &SimState,
    entry: &CallEntry,
    rec: &mut CallRecord,
    ev: &FarEndEvent,
    at: Moment,
) -> bool {
    rec.truth.timeline.push(TimelineEvent {
        media_ms: at.media_ms,
        wall: at.wall,
        event: format!("{ev:?}"),
    });
    match ev {
        FarEndEvent::Answered => {
            if rec.session.parties[CALLEE].status != PartyStatus::Answered {
                set_status(state, rec, CALLEE, PartyStatus::Answered, None);
                if rec.session.parties[CALLER].status == PartyStatus::Proceeding {
                    set_status(state, rec, CALLER, PartyStatus::Answered, None);
                }
                rec.truth.answered = Some(at);
                rec.truth.phase = CallPhase::Answered;
            }
            false
        }
        FarEndEvent::Busy | FarEndEvent::NoAnswer => {
            let reason = if *ev == FarEndEvent::Busy {
                "TargetBusy"
            } else {
                "NoAnswer"
            };
            let order = far_end_hangup_order(rec);
            disconnect_all(state, rec, &order, Some(reason));
            true
        }
        FarEndEvent::HungUp { .. } => {
            let transferred = rec.truth.transfer_requested_at.is_some();
            rec.truth.agent_hung_up_first = rec.truth.agent_picked_up.is_some() && !transferred;
            let order = far_end_hangup_order(rec);
            disconnect_all(state, rec, &order, None);
            let _ = entry;
            true
        }
        FarEndEvent::HoldStarted => {
            rec.truth.hold_started.get_or_insert(at);
            false
        }
        FarEndEvent::AgentPickedUp => {
            rec.truth.agent_picked_up.get_or_insert(at);
            false
        }
        FarEndEvent::AgentSpeechStarted => {
            rec.truth.agent_speech_started.get_or_insert(at);
            false
        }
        FarEndEvent::ChallengeStarted => {
            rec.truth.challenge_started.get_or_insert(at);
            false
        }
        _ => false,
    }
}

/// Unknown destination: p-2 rings briefly, then both parties are Disconnected with the
/// configured reason (decision documented in the README).
async fn unknown_number(
    state: &Arc<SimState>,
    entry: &Arc<CallEntry>,
    rx: &mut mpsc::UnboundedReceiver<CallCommand>,
) {
    {
        let mut rec = lock(&entry.record);
        if rec.ended {
            drop(rec);
            finish(state, entry, EndedBy::Api);
            return;
        }
        let p2 = callee_party(&rec);
        rec.session.parties.push(p2);
        let n = rec.session.notification(CALLEE);
        webhook_delivery::publish(state, n);
        set_status(state, &mut rec, CALLER, PartyStatus::Proceeding, None);
        rec.truth.phase = CallPhase::Ringing;
    }
    let ring = match state.config.unknown_number {
        UnknownNumberPolicy::InvalidNumber | UnknownNumberPolicy::TargetBusy => 500,
        UnknownNumberPolicy::NoAnswer => 3_000,
    };
    if let Wait::Hangup =
        wait_or_hangup(state, rx, Instant::now() + Duration::from_millis(ring)).await
    {
        finish(state, entry, EndedBy::Api);
        return;
    }
    let reason = match state.config.unknown_number {
        UnknownNumberPolicy::InvalidNumber => "InvalidNumber",
        UnknownNumberPolicy::NoAnswer => "NoAnswer",
        UnknownNumberPolicy::TargetBusy => "TargetBusy",
    };
    {
        let mut rec = lock(&entry.record);
        let order = far_end_hangup_order(&rec);
        disconnect_all(state, &mut rec, &order, Some(reason));
    }
    finish(state, entry, EndedBy::Network);
}

/// Marks the session over, stops media, records the end.
fn finish(state: &SimState, entry: &CallEntry, by: EndedBy) {
    let _ = state;
    let mut rec = lock(&entry.record);
    rec.ended = true;
    let first_end = rec.truth.ended_at.is_none();
    if first_end {
        rec.truth.end(by);
    }
    stop_media(entry, &mut rec, "callEnded");
}

/// `GET …/telephony/sessions/{telephonySessionId}` (Light) → 200 unwrapped session, 404 when
/// unknown or over.
pub async fn get_session(
    State(state): State<Arc<SimState>>,
    Path((account, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let entry = live_call(&state, &id)?;
    let rec = lock(&entry.record);
    if rec.ended {
        return Err(ApiError::not_found("telephonySessionId"));
    }
    Ok(Json(rec.session.rest_json()).into_response())
}

/// A call that exists (404 CMN-102 otherwise).
pub fn live_call(state: &SimState, id: &str) -> ApiResult<Arc<CallEntry>> {
    lock(&state.calls)
        .get(id)
        .ok_or_else(|| ApiError::not_found("telephonySessionId"))
}

/// `DELETE …/telephony/sessions/{telephonySessionId}` (Light) → 204; every live party
/// Disconnected (near end first); 404 when unknown or already over.
pub async fn delete_session(
    State(state): State<Arc<SimState>>,
    Path((account, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let entry = live_call(&state, &id)?;
    {
        let mut rec = lock(&entry.record);
        if rec.ended {
            return Err(ApiError::not_found("telephonySessionId"));
        }
        let order = near_first_order(&rec);
        disconnect_all(&state, &mut rec, &order, None);
        rec.ended = true;
        rec.truth.end(EndedBy::Api);
        stop_media(&entry, &mut rec, "callEnded");
    }
    let _ = entry.commands.send(CallCommand::Hangup);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Starts the transfer of the caller party to `target` (parties.rs validated the state):
/// p-1 Disconnected/BlindTransfer, then the new party p-3 Setup → Proceeding (ringing).
pub fn begin_transfer(
    state: &SimState,
    entry: &CallEntry,
    rec: &mut CallRecord,
    party_idx: usize,
    target: &TransferTarget,
    reason: &'static str,
) {
    set_status(
        state,
        rec,
        party_idx,
        PartyStatus::Disconnected,
        Some(reason),
    );
    let now = Timestamp::now();
    rec.truth.transfer_requested_at = Some(now);
    rec.truth.transfer_target = Some(target.description.clone());
    stop_media(entry, rec, "transferred");
    let callee_to = rec.session.parties[CALLEE].to.clone();
    let n = rec.session.parties.len() + 1;
    let p3 = Party {
        id: format!("p-{}-{n}", rec.session.hex),
        direction: Direction::Inbound,
        status: PartyStatus::Setup,
        reason: None,
        from: PartyInfo {
            phone_number: callee_to.phone_number,
            ..Default::default()
        },
        to: PartyInfo {
            phone_number: Some(target.phone_number.clone()),
            name: target.name.clone(),
            extension_id: target.extension_id,
            device_id: None,
        },
        owner_extension_id: target.extension_id,
        queue_call: target.is_queue,
    };
    rec.session.parties.push(p3);
    let idx = rec.session.parties.len() - 1;
    let n = rec.session.notification(idx);
    webhook_delivery::publish(state, n);
    set_status(state, rec, idx, PartyStatus::Proceeding, None);
    rec.truth.queue_ringing_at = Some(Timestamp::now());
    rec.truth.phase = CallPhase::QueueRinging;
    let ring_ms = lock(&state.runtime).queue_ring_ms;
    let _ = entry.commands.send(CallCommand::Transferred { ring_ms });
}
