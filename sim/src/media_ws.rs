//! Sim-only media WebSocket: `GET /sim/media/{telephonySessionId}` (NOT a RingCentral path;
//! RingCentral has no REST media API, REF §8 — on real lines the audio comes from the hold
//! line's SIP device). JSON text messages in the framing telephony media streams commonly use:
//!
//! - server → client, once on attach: `{"event":"connected","protocol":"Call","version":"1.0.0"}`
//! - `{"event":"start","sequenceNumber":"1","start":{"streamSid","callSid":<telephonySessionId>,
//!   "tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,
//!   "channels":1}},"streamSid"}` when media begins (at once if it already has);
//! - per 20 ms frame: `{"event":"media","sequenceNumber":"N","media":{"track":"inbound",
//!   "chunk":"K","timestamp":"<media ms>","payload":"<base64 of 160 mu-law bytes>"},"streamSid"}`;
//! - `{"event":"dtmf","sequenceNumber":"N","dtmf":{"track":"inbound_track","digit":"1"},
//!   "streamSid"}` echoing every digit the far end received;
//! - `{"event":"stop","sequenceNumber":"N","stop":{"callSid","reason"},"streamSid"}` when the
//!   hold line's device leaves the call (hang-up or transfer); then the socket closes.
//!
//! Client → server: `{"event":"dtmf","dtmf":{"digit":"1"}}` sends a DTMF digit into the call
//! (`FarEndCall::on_dtmf`). Other messages are ignored.
//!
//! `sequenceNumber` counts per call (shared by all clients), so a client that fell behind the
//! bounded broadcast (256 messages ≈ 5 s) sees the gap; the call never waits for a client.
//! Media starts when the far end starts ringing (after the device auto-answered), not before.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::errors::ApiError;
use crate::state::{SimState, lock};
use crate::telephony::calls::{CallCommand, CallEntry};

/// Capacity of each call's media broadcast, messages.
pub const MEDIA_BROADCAST_CAPACITY: usize = 256;

/// A message on a call's media broadcast.
#[derive(Debug, Clone)]
pub enum MediaOut {
    /// A JSON text message.
    Text(Arc<str>),
    /// The final `stop` message; the socket closes after it.
    Stop(Arc<str>),
}

/// `connected`.
pub fn connected_message() -> String {
    json!({"event":"connected","protocol":"Call","version":"1.0.0"}).to_string()
}

/// `start` (always sequence 1).
pub fn start_message(stream_sid: &str, call_sid: &str) -> String {
    json!({
        "event": "start",
        "sequenceNumber": "1",
        "start": {
            "streamSid": stream_sid,
            "callSid": call_sid,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        },
        "streamSid": stream_sid,
    })
    .to_string()
}

/// `media` for one frame.
pub fn media_message(stream_sid: &str, seq: u64, chunk: u64, media_ms: u64, ulaw: &[u8]) -> String {
    json!({
        "event": "media",
        "sequenceNumber": seq.to_string(),
        "media": {
            "track": "inbound",
            "chunk": chunk.to_string(),
            "timestamp": media_ms.to_string(),
            "payload": base64::engine::general_purpose::STANDARD.encode(ulaw),
        },
        "streamSid": stream_sid,
    })
    .to_string()
}

/// `dtmf` echo.
pub fn dtmf_message(stream_sid: &str, seq: u64, digit: char) -> String {
    json!({
        "event": "dtmf",
        "sequenceNumber": seq.to_string(),
        "dtmf": {"track": "inbound_track", "digit": digit.to_string()},
        "streamSid": stream_sid,
    })
    .to_string()
}

/// `stop`.
pub fn stop_message(stream_sid: &str, seq: u64, call_sid: &str, reason: &str) -> String {
    json!({
        "event": "stop",
        "sequenceNumber": seq.to_string(),
        "stop": {"callSid": call_sid, "reason": reason},
        "streamSid": stream_sid,
    })
    .to_string()
}

/// `GET /sim/media/{telephonySessionId}`: 404 JSON for unknown sessions, else a WebSocket.
pub async fn attach(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    let entry = lock(&state.calls).get(&id);
    match entry {
        Some(entry) => ws.on_upgrade(move |socket| serve_socket(state, entry, socket)),
        None => ApiError::not_found("telephonySessionId").into_response(),
    }
}

async fn serve_socket(state: Arc<SimState>, entry: Arc<CallEntry>, mut socket: WebSocket) {
    // Subscribe first, then look at the state, so nothing falls between the two.
    let (mut rx, initial) = {
        let rec = lock(&entry.record);
        let rx = entry.media.subscribe();
        let mut initial = vec![connected_message()];
        if rec.media.started {
            initial.push(start_message(&entry.stream_sid, &entry.id));
        }
        let stop = rec.media.stop_message.clone();
        (rx, (initial, stop))
    };
    let (initial, stop) = initial;
    for m in initial {
        if socket.send(Message::Text(m.into())).await.is_err() {
            return;
        }
    }
    if let Some(stop) = stop {
        let _ = socket.send(Message::Text(stop.into())).await;
        let _ = socket.send(Message::Close(None)).await;
        return;
    }
    let mut shutdown = state.shutdown.clone();
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Ok(MediaOut::Text(t)) => {
                    if socket.send(Message::Text(t.to_string().into())).await.is_err() { break; }
                }
                Ok(MediaOut::Stop(t)) => {
                    let _ = socket.send(Message::Text(t.to_string().into())).await;
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    if let Some(d) = parse_dtmf(t.as_str()) {
                        let _ = entry.commands.send(CallCommand::Dtmf(d));
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = shutdown.changed() => break,
        }
    }
}

/// Parses `{"event":"dtmf","dtmf":{"digit":"1"}}`; only `0-9 * #` (and `A-D`) are accepted.
pub fn parse_dtmf(text: &str) -> Option<char> {
    let v: Value = serde_json::from_str(text).ok()?;
    if v.get("event")?.as_str()? != "dtmf" {
        return None;
    }
    let d = v.get("dtmf")?.get("digit")?.as_str()?;
    let mut chars = d.chars();
    let c = chars.next()?;
    (chars.next().is_none() && (c.is_ascii_digit() || "*#ABCD".contains(c))).then_some(c)
}
