//! Transfer targets and call queues: resolves a SPEC `TransferTarget` / forward target to a
//! call queue, a user or an external number, and picks the agent who answers.
//!
//! Call queues "ring" for `queue_ring_ms` (wall) after a transfer, then an agent answers.
//! UNVERIFIED model (REF §3: the parties after a transfer are not documented): one new party
//! `p-…-3`, `Inbound`, owned by the call-queue extension (`queueCall: true`), `from` = the far
//! end's number, goes Setup → Proceeding (ringing) → Answered (an agent picked up).

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::account::ExtensionKind;
use crate::errors::{ApiError, ApiResult};
use crate::state::SimState;

/// Where a transferred call goes.
#[derive(Debug, Clone)]
pub struct TransferTarget {
    /// As requested, e.g. `extensionNumber=5001`.
    pub description: String,
    /// Target extension (queue or user); `None` for an external number.
    pub extension_id: Option<u64>,
    /// Target name.
    pub name: Option<String>,
    /// `to.phoneNumber` of the new party: the extension number for internal targets.
    pub phone_number: String,
    /// The target is a call queue.
    pub is_queue: bool,
    /// The agent (User extension) who will answer, for queues.
    pub agent_extension_id: Option<u64>,
}

static ROUND_ROBIN: AtomicUsize = AtomicUsize::new(0);

/// Target fields of SPEC `TransferTarget` (forward has no `parkOrbit`).
const FIELDS: [&str; 5] = [
    "phoneNumber",
    "voicemail",
    "extensionNumber",
    "parkOrbit",
    "extensionId",
];

/// Resolves exactly one of `phoneNumber`, `voicemail`, `extensionNumber`, `parkOrbit`,
/// `extensionId` (SPEC: "Only one of these parameters … must be specified"). `voicemail` and
/// `parkOrbit` are not simulated (400 CMN-101).
pub fn resolve_target(state: &SimState, body: &Value) -> ApiResult<TransferTarget> {
    let present: Vec<&str> = FIELDS
        .into_iter()
        .filter(|f| body.get(*f).is_some_and(|v| !v.is_null()))
        .collect();
    if present.len() != 1 {
        return Err(ApiError::invalid_parameter(if present.is_empty() {
            "phoneNumber"
        } else {
            present[1]
        }));
    }
    let field = present[0];
    let raw = &body[field];
    let text = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(ApiError::invalid_parameter(field)),
    };
    let account = &state.account;
    let ext = match field {
        "extensionNumber" => Some(
            account
                .extension_by_number(&text)
                .ok_or_else(|| ApiError::not_found("extensionNumber"))?,
        ),
        "extensionId" => Some(
            text.parse::<u64>()
                .ok()
                .and_then(|id| account.extension(id))
                .ok_or_else(|| ApiError::not_found("extensionId"))?,
        ),
        "phoneNumber" => {
            if !valid_number(&text) {
                return Err(ApiError::invalid_parameter("phoneNumber"));
            }
            // Legacy "<main number>*<extension number>" (DOCS active-call-control.md).
            match text.split_once('*') {
                Some((main, ext)) if main == account.main_number => Some(
                    account
                        .extension_by_number(ext)
                        .ok_or_else(|| ApiError::not_found("phoneNumber"))?,
                ),
                _ => account.extension_by_direct_number(&text),
            }
        }
        _ => return Err(ApiError::invalid_parameter(field)),
    };
    let description = format!("{field}={text}");
    Ok(match ext {
        Some(e) => {
            let is_queue = e.kind == ExtensionKind::Department;
            let agent_extension_id = if is_queue {
                account.call_queue(e.id).and_then(|q| {
                    (!q.agent_extension_ids.is_empty()).then(|| {
                        let i = ROUND_ROBIN.fetch_add(1, Ordering::Relaxed);
                        q.agent_extension_ids[i % q.agent_extension_ids.len()]
                    })
                })
            } else {
                Some(e.id)
            };
            TransferTarget {
                description,
                extension_id: Some(e.id),
                name: Some(e.name.clone()),
                phone_number: e.extension_number.clone(),
                is_queue,
                agent_extension_id,
            }
        }
        None => TransferTarget {
            description,
            extension_id: None,
            name: None,
            phone_number: text,
            is_queue: false,
            agent_extension_id: None,
        },
    })
}

/// E.164 (`+` and 2–15 digits), short codes (`*67`) and special numbers (`911`).
pub fn valid_number(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    !body.is_empty()
        && body.len() <= 20
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
        && body.chars().any(|c| c.is_ascii_digit())
}
