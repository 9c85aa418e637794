//! `POST <webhook_path>`: answers RingCentral fast and never waits on the server.
//!
//! Order of checks, each answered without reading further:
//! 1. `Validation-Token` present → handshake echo (200), not forwarded;
//! 2. `Verification-Token` missing or wrong → 401;
//! 3. body over `max_body_bytes` → 413 (from `Content-Length`, or while reading); body not
//!    received within 10 s → 400;
//! 4. not a JSON object → 400; telephony notification missing what the engine needs → 400;
//! 5. non-telephony event → 200, ignored;
//! 6. queue full → 503 (loud ERROR log, `outcome="dropped_queue_full"`); shutting down → 503;
//! 7. otherwise queued → 200 with an empty body.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::handshake::{VALIDATION_TOKEN_HEADER, validation_response};
use super::verification::VERIFICATION_TOKEN_HEADER;
use crate::app::BridgeState;
use crate::forwarding::queue::{PushError, QueuedEvent};
use crate::notification::{Delivery, DeliveryError, parse_delivery};
use crate::telemetry::metrics::DeliveryOutcome;

/// Longest time a client may take to send the body (slow senders must not hold connections).
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Axum handler of the webhook path; counts every request by outcome and records its ack
/// latency.
pub async fn receive_delivery(State(state): State<Arc<BridgeState>>, request: Request) -> Response {
    let started = Instant::now();
    let (outcome, response) = handle(&state, request).await;
    state.metrics.delivery(outcome, started.elapsed());
    response
}

async fn handle(state: &BridgeState, request: Request) -> (DeliveryOutcome, Response) {
    let received_at = jiff::Timestamp::now();
    let (parts, body) = request.into_parts();

    if let Some(token) = parts.headers.get(VALIDATION_TOKEN_HEADER) {
        tracing::info!("answered a RingCentral webhook validation handshake");
        return (DeliveryOutcome::Validation, validation_response(token));
    }

    let presented = parts.headers.get(VERIFICATION_TOKEN_HEADER);
    let verified = presented.is_some_and(|value| state.verification.matches(value.as_bytes()));
    if !verified {
        if let Some(suppressed) = state.rejection_log.should_emit() {
            tracing::warn!(
                token_present = presented.is_some(),
                suppressed,
                "refused a webhook delivery: Verification-Token missing or wrong"
            );
        }
        return reply(
            DeliveryOutcome::RejectedUnauthorized,
            StatusCode::UNAUTHORIZED,
            "verification token missing or wrong",
        );
    }

    let declared_length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|len| len > state.max_body_bytes as u64) {
        return too_large(state);
    }
    let read = tokio::time::timeout(
        BODY_READ_TIMEOUT,
        Limited::new(body, state.max_body_bytes).collect(),
    );
    let bytes = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => {
            return too_large(state);
        }
        Err(_elapsed) => {
            return refuse(
                state,
                DeliveryOutcome::RejectedMalformed,
                format!("request body not received within {BODY_READ_TIMEOUT:?}"),
            );
        }
        Ok(Err(_)) => {
            return refuse(
                state,
                DeliveryOutcome::RejectedMalformed,
                "request body could not be read".into(),
            );
        }
    };

    let event = match parse_delivery(&bytes, received_at) {
        Ok(Delivery::TelephonySession(event)) => event,
        Ok(Delivery::Other) => {
            tracing::debug!("acknowledged a non-telephony webhook event without forwarding it");
            return (
                DeliveryOutcome::IgnoredNonTelephony,
                StatusCode::OK.into_response(),
            );
        }
        Err(err @ DeliveryError::Malformed(_)) => {
            return refuse(state, DeliveryOutcome::RejectedMalformed, err.to_string());
        }
        Err(err @ DeliveryError::Invalid(_)) => {
            return refuse(state, DeliveryOutcome::RejectedInvalid, err.to_string());
        }
    };

    match state.queue.push(QueuedEvent::new(*event)) {
        Ok(depth) => {
            state.metrics.queue_depth(depth);
            (DeliveryOutcome::Accepted, StatusCode::OK.into_response())
        }
        Err(PushError::Full) => {
            if let Some(suppressed) = state.queue_full_log.should_emit() {
                tracing::error!(
                    queue_capacity = state.queue_capacity,
                    suppressed,
                    "DELIVERY QUEUE FULL: answering 503 and dropping RingCentral notifications; \
                     the server is not keeping up or is down"
                );
            }
            reply(
                DeliveryOutcome::DroppedQueueFull,
                StatusCode::SERVICE_UNAVAILABLE,
                "delivery queue full",
            )
        }
        Err(PushError::Closed) => reply(
            DeliveryOutcome::RejectedShuttingDown,
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down",
        ),
    }
}

fn too_large(state: &BridgeState) -> (DeliveryOutcome, Response) {
    refuse(
        state,
        DeliveryOutcome::RejectedTooLarge,
        format!("body larger than {} bytes", state.max_body_bytes),
    )
}

/// Logs (rate-limited) and answers a refused delivery. `reason` never holds payload values.
fn refuse(
    state: &BridgeState,
    outcome: DeliveryOutcome,
    reason: String,
) -> (DeliveryOutcome, Response) {
    if let Some(suppressed) = state.rejection_log.should_emit() {
        tracing::warn!(outcome = outcome.as_str(), %reason, suppressed, "refused a webhook delivery");
    }
    let status = match outcome {
        DeliveryOutcome::RejectedTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    (outcome, (status, reason).into_response())
}

fn reply(
    outcome: DeliveryOutcome,
    status: StatusCode,
    text: &'static str,
) -> (DeliveryOutcome, Response) {
    (outcome, (status, Body::from(text)).into_response())
}
