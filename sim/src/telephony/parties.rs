//! Party operations (REF §3): GET party, transfer, hold, unhold, forward. Only parties owned
//! by an extension of the account can be controlled; the PSTN party answers 403 TAS-106.
//! State rules from SPEC: transfer only in Answered/Hold, forward only in Setup/Proceeding,
//! hold only in Answered, unhold only in Hold; otherwise 409 TAS-102 "Incorrect State".

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::errors::{ApiError, ApiResult};
use crate::queue;
use crate::state::{SimState, lock};
use crate::telephony::calls::{self, begin_transfer, json_body, live_call, set_status};
use crate::telephony::session::PartyStatus;

type PartyPath = Path<(String, String, String)>;

fn party_of(
    state: &SimState,
    (account, session, party): &(String, String, String),
) -> ApiResult<(Arc<calls::CallEntry>, String)> {
    if !state.account.matches_account(account) {
        return Err(ApiError::not_found("accountId"));
    }
    let entry = live_call(state, session)?;
    Ok((entry, party.clone()))
}

/// `GET …/sessions/{id}/parties/{partyId}` (Light) → 200 `CallParty`.
pub async fn get_party(
    State(state): State<Arc<SimState>>,
    Path(p): PartyPath,
) -> ApiResult<Response> {
    let (entry, party) = party_of(&state, &p)?;
    let rec = lock(&entry.record);
    if rec.ended {
        return Err(ApiError::not_found("telephonySessionId"));
    }
    let i = rec
        .session
        .party_index(&party)
        .ok_or_else(|| ApiError::not_found("partyId"))?;
    Ok(Json(rec.session.parties[i].rest_json(rec.session.account_id)).into_response())
}

enum Op {
    Transfer,
    Forward,
    Hold,
    Unhold,
}

async fn party_op(
    state: Arc<SimState>,
    p: (String, String, String),
    headers: HeaderMap,
    body: Bytes,
    op: Op,
) -> ApiResult<Response> {
    let (entry, party) = party_of(&state, &p)?;
    let v = json_body(&headers, &body)?;
    let target = match op {
        Op::Transfer => Some(queue::resolve_target(&state, &v)?),
        Op::Forward => {
            if v.get("parkOrbit").is_some() {
                return Err(ApiError::invalid_parameter("parkOrbit"));
            }
            Some(queue::resolve_target(&state, &v)?)
        }
        Op::Hold => {
            if let Some(proto) = v.get("proto") {
                let ok = proto.as_str().is_some_and(|s| {
                    [
                        "Auto",
                        "RC",
                        "BroadWorks",
                        "DisconnectHolder",
                        "BroadWorksOrDisconnectHolder",
                    ]
                    .contains(&s)
                });
                if !ok {
                    return Err(ApiError::invalid_parameter("proto"));
                }
            }
            None
        }
        Op::Unhold => None,
    };
    let mut rec = lock(&entry.record);
    if rec.ended {
        return Err(ApiError::not_found("telephonySessionId"));
    }
    let i = rec
        .session
        .party_index(&party)
        .ok_or_else(|| ApiError::not_found("partyId"))?;
    if rec.session.parties[i].owner_extension_id.is_none() {
        return Err(ApiError::not_allowed());
    }
    let status = rec.session.parties[i].status;
    match op {
        Op::Transfer => {
            if !matches!(status, PartyStatus::Answered | PartyStatus::Hold) || i != calls::CALLER {
                return Err(ApiError::incorrect_state());
            }
            let t = target.expect("resolved");
            begin_transfer(&state, &entry, &mut rec, i, &t, "BlindTransfer");
        }
        Op::Forward => {
            if !matches!(status, PartyStatus::Setup | PartyStatus::Proceeding) || i != calls::CALLER
            {
                return Err(ApiError::incorrect_state());
            }
            if rec.session.parties.len() <= calls::CALLEE {
                // The far end isn't ringing yet: nothing to forward.
                return Err(ApiError::incorrect_state());
            }
            let t = target.expect("resolved");
            begin_transfer(&state, &entry, &mut rec, i, &t, "BlindTransfer");
        }
        Op::Hold => {
            if status != PartyStatus::Answered {
                return Err(ApiError::incorrect_state());
            }
            set_status(&state, &mut rec, i, PartyStatus::Hold, None);
        }
        Op::Unhold => {
            if status != PartyStatus::Hold {
                return Err(ApiError::incorrect_state());
            }
            // Unhold reports Answered (DOCS calculating-call-time-metrics.md).
            set_status(&state, &mut rec, i, PartyStatus::Answered, None);
        }
    }
    Ok(Json(rec.session.parties[i].rest_json(rec.session.account_id)).into_response())
}

/// `POST …/parties/{partyId}/transfer` (Light) → 200 `CallParty` (Disconnected/BlindTransfer).
pub async fn transfer(
    State(s): State<Arc<SimState>>,
    Path(p): PartyPath,
    h: HeaderMap,
    b: Bytes,
) -> ApiResult<Response> {
    party_op(s, p, h, b, Op::Transfer).await
}

/// `POST …/parties/{partyId}/forward` (Light) → 200 (CCJS mock: Disconnected/BlindTransfer).
pub async fn forward(
    State(s): State<Arc<SimState>>,
    Path(p): PartyPath,
    h: HeaderMap,
    b: Bytes,
) -> ApiResult<Response> {
    party_op(s, p, h, b, Op::Forward).await
}

/// `POST …/parties/{partyId}/hold` (Light) → 200 `CallParty` (Hold).
pub async fn hold(
    State(s): State<Arc<SimState>>,
    Path(p): PartyPath,
    h: HeaderMap,
    b: Bytes,
) -> ApiResult<Response> {
    party_op(s, p, h, b, Op::Hold).await
}

/// `POST …/parties/{partyId}/unhold` (Light) → 200 `CallParty` (Answered).
pub async fn unhold(
    State(s): State<Arc<SimState>>,
    Path(p): PartyPath,
    h: HeaderMap,
    b: Bytes,
) -> ApiResult<Response> {
    party_op(s, p, h, b, Op::Unhold).await
}
