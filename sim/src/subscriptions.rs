//! WebHook subscriptions (REF §5): create with the validation handshake, list, get, renew,
//! update (PUT), delete, expiry and blacklisting.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::errors::{ApiError, ApiResult};
use crate::state::{SimState, lock};
use crate::telephony::session::{Notification, iso_ms};
use crate::webhook_delivery::{self, USER_AGENT};

/// Maximum `expiresIn` for WebHook subscriptions, s (SPEC).
pub const MAX_EXPIRES_IN_S: u64 = 315_360_000;

/// A parsed event filter.
#[derive(Debug, Clone, PartialEq)]
pub enum EventFilter {
    /// `/restapi/v1.0/account/{a}[/extension/{e}]/telephony/sessions[?…]`.
    TelephonySessions {
        /// `Some` for the extension-level filter.
        extension_id: Option<u64>,
        /// `direction=`.
        direction: Option<String>,
        /// `statusCode=`.
        status_code: Option<String>,
        /// `phoneNumber=`.
        phone_number: Option<String>,
    },
    /// Any other accepted filter (stored, never delivered by the simulator).
    Other,
}

impl EventFilter {
    /// Does a telephony notification match this filter?
    pub fn matches(&self, n: &Notification) -> bool {
        match self {
            EventFilter::TelephonySessions {
                extension_id,
                direction,
                status_code,
                phone_number,
            } => {
                extension_id.is_none_or(|e| n.party_extension_id == Some(e))
                    && direction.as_deref().is_none_or(|d| d == n.direction)
                    && status_code.as_deref().is_none_or(|s| s == n.status_code)
                    && phone_number
                        .as_deref()
                        .is_none_or(|p| n.phone_numbers.iter().any(|x| x == p))
            }
            EventFilter::Other => false,
        }
    }
}

/// `Active` or `Blacklisted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    /// Delivering.
    Active,
    /// Suspended after sustained delivery failures.
    Blacklisted,
}

/// One subscription.
#[derive(Debug)]
pub struct Subscription {
    /// UUID.
    pub id: String,
    /// Owner (the logged-in user).
    pub owner_extension_id: u64,
    /// Filters with `~` resolved.
    pub event_filters: Vec<String>,
    /// Parsed filters (same order).
    pub parsed_filters: Vec<EventFilter>,
    /// Webhook URL.
    pub address: String,
    /// `Verification-Token` sent with each delivery (write-only).
    pub verification_token: Option<SecretString>,
    /// Creation.
    pub creation_time: Timestamp,
    /// Requested lifetime, s (kept on renew: changelog 1.0.38).
    pub expires_in_s: u64,
    /// Expiry.
    pub expiration_time: Timestamp,
    /// Status.
    pub status: SubscriptionStatus,
    /// `(blacklistedAt, reason)`.
    pub blacklisted: Option<(Timestamp, String)>,
    /// Consecutive failed deliveries.
    pub consecutive_failures: u32,
    /// When the current failure streak began.
    pub first_failure_at: Option<Instant>,
    /// Sender to this subscription's delivery worker.
    pub worker: mpsc::UnboundedSender<Arc<Notification>>,
}

impl Subscription {
    /// Expired?
    pub fn is_expired(&self) -> bool {
        Timestamp::now() >= self.expiration_time
    }

    /// SPEC `SubscriptionInfo` (fixture `list-subscriptions-blacklisted.json`).
    pub fn json(&self, base_url: &str) -> Value {
        let remaining = self
            .expiration_time
            .duration_since(Timestamp::now())
            .as_secs()
            .max(0);
        let mut v = json!({
            "uri": format!("{base_url}/restapi/v1.0/subscription/{}", self.id),
            "id": self.id,
            "creationTime": iso_ms(self.creation_time),
            "status": match self.status {
                SubscriptionStatus::Active => "Active",
                SubscriptionStatus::Blacklisted => "Blacklisted",
            },
            "eventFilters": self.event_filters,
            "expirationTime": iso_ms(self.expiration_time),
            "expiresIn": remaining,
            "deliveryMode": {
                "transportType": "WebHook",
                "encryption": false,
                "address": self.address,
            },
        });
        if let Some((at, reason)) = &self.blacklisted {
            v["blacklistedData"] = json!({"reason": reason, "blacklistedAt": iso_ms(*at)});
        }
        v
    }

    /// Puts the subscription in `Blacklisted` now.
    pub fn blacklist(&mut self, reason: &str) {
        if self.status != SubscriptionStatus::Blacklisted {
            self.status = SubscriptionStatus::Blacklisted;
            self.blacklisted = Some((Timestamp::now(), reason.to_string()));
        }
    }
}

/// All subscriptions by id.
#[derive(Debug, Default)]
pub struct SubscriptionStore {
    /// id → subscription.
    pub by_id: HashMap<String, Subscription>,
    /// Creation order.
    pub order: Vec<String>,
}

impl SubscriptionStore {
    /// Live (unexpired) subscriptions in creation order.
    pub fn live(&self) -> impl Iterator<Item = &Subscription> {
        self.order
            .iter()
            .filter_map(|id| self.by_id.get(id))
            .filter(|s| !s.is_expired())
    }
}

/// Resolves `~` and parses one filter. `Err` = SUB-508 (or SUB-406 for another account).
pub fn resolve_filter(state: &SimState, filter: &str) -> ApiResult<(String, EventFilter)> {
    let (path, query) = match filter.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (filter, None),
    };
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if segs.len() < 3 || !segs[0].is_empty() || segs[1] != "restapi" || segs[2] != "v1.0" {
        return Err(ApiError::invalid_event_filters());
    }
    let mut resolved: Vec<String> = Vec::with_capacity(segs.len());
    let mut extension_id = None;
    let mut i = 0;
    while i < segs.len() {
        let s = segs[i];
        resolved.push(s.to_string());
        if (s == "account" || s == "extension") && i + 1 < segs.len() {
            let v = segs[i + 1];
            if s == "account" {
                if !state.account.matches_account(v) {
                    return Err(ApiError {
                        status: StatusCode::FORBIDDEN,
                        code: "SUB-406",
                        message: "Event filter belongs to another account".into(),
                        parameter_name: Some("eventFilters".into()),
                        oauth_error: None,
                        retry_after_s: None,
                    });
                }
                resolved.push(state.account.id.to_string());
            } else {
                let ext = state
                    .account
                    .resolve_extension(v)
                    .ok_or_else(ApiError::invalid_event_filters)?;
                extension_id = Some(ext.id);
                resolved.push(ext.id.to_string());
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    let mut text = resolved.join("/");
    if let Some(q) = query {
        text.push('?');
        text.push_str(q);
    }
    let rest: Vec<&str> = segs.iter().skip(3).copied().collect();
    let is_telephony = matches!(
        rest.as_slice(),
        ["account", _, "telephony", "sessions"]
            | ["account", _, "extension", _, "telephony", "sessions"]
    );
    let parsed = if is_telephony {
        let params: HashMap<String, String> = query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        EventFilter::TelephonySessions {
            extension_id,
            direction: params.get("direction").cloned(),
            status_code: params.get("statusCode").cloned(),
            phone_number: params.get("phoneNumber").cloned(),
        }
    } else {
        EventFilter::Other
    };
    Ok((text, parsed))
}

fn parse_json(body: &Bytes) -> ApiResult<Value> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|_| ApiError::invalid_parameter("body"))
}

fn parse_expires_in(v: &Value, default_s: u64) -> ApiResult<u64> {
    match v.get("expiresIn") {
        None | Some(Value::Null) => Ok(default_s),
        Some(x) => match x.as_u64() {
            Some(n) if n >= 1 => Ok(n.min(MAX_EXPIRES_IN_S)),
            _ => Err(ApiError::invalid_parameter("expiresIn")),
        },
    }
}

fn parse_filters(
    state: &SimState,
    v: &Value,
) -> ApiResult<Option<(Vec<String>, Vec<EventFilter>)>> {
    let Some(f) = v.get("eventFilters") else {
        return Ok(None);
    };
    let arr = f
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(ApiError::invalid_event_filters)?;
    let mut texts = Vec::new();
    let mut parsed = Vec::new();
    for item in arr {
        let s = item.as_str().ok_or_else(ApiError::invalid_event_filters)?;
        let (t, p) = resolve_filter(state, s)?;
        texts.push(t);
        parsed.push(p);
    }
    Ok(Some((texts, parsed)))
}

/// The validation handshake (DOCS creating-webhooks.md): POST with an empty body and a
/// `Validation-Token` header; the endpoint must answer 200 within the timeout, echo the header,
/// and keep the whole response within the size limit. Any failure is SUB-525.
pub async fn validate_address(
    state: &SimState,
    address: &str,
    verification_token: Option<&SecretString>,
) -> ApiResult<()> {
    let cfg = &state.config.subscriptions;
    let token = uuid::Uuid::new_v4().to_string();
    let mut req = state
        .http
        .post(address)
        .header("Validation-Token", &token)
        .header("User-Agent", USER_AGENT)
        .header("Content-Length", "0");
    if let Some(v) = verification_token {
        req = req.header("Verification-Token", v.expose_secret());
    }
    let max = cfg.validation_max_response_bytes;
    let exchange = async {
        let mut resp = req
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        if resp.status() != StatusCode::OK {
            return Err(format!("status {}", resp.status()));
        }
        let echoed = resp
            .headers()
            .get("Validation-Token")
            .and_then(|v| v.to_str().ok())
            == Some(token.as_str());
        if !echoed {
            return Err("Validation-Token not echoed".to_string());
        }
        // "HTTP/1.1 200 OK\r\n" + "name: value\r\n"… + "\r\n" + body.
        let mut size = 17 + 2;
        for (k, v) in resp.headers() {
            size += k.as_str().len() + 2 + v.len() + 2;
        }
        while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
            size += chunk.len();
            if size > max {
                break;
            }
        }
        if size > max {
            return Err(format!("response larger than {max} bytes"));
        }
        Ok(())
    };
    match tokio::time::timeout(Duration::from_millis(cfg.validation_timeout_ms), exchange).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(why)) => {
            tracing::info!(%address, %why, "webhook validation failed");
            Err(ApiError::webhook_validation_failed())
        }
        Err(_) => {
            tracing::info!(%address, "webhook validation timed out");
            Err(ApiError::webhook_validation_failed())
        }
    }
}

/// `POST /restapi/v1.0/subscription` (SPEC `createSubscription`, Medium) → 200 SubscriptionInfo.
pub async fn create(State(state): State<Arc<SimState>>, body: Bytes) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let (filters, parsed) =
        parse_filters(&state, &v)?.ok_or_else(ApiError::invalid_event_filters)?;
    let dm = v
        .get("deliveryMode")
        .filter(|d| d.is_object())
        .ok_or_else(|| ApiError::invalid_parameter("deliveryMode"))?;
    match dm.get("transportType").and_then(Value::as_str) {
        Some("WebHook") => {}
        _ => return Err(ApiError::invalid_parameter("deliveryMode.transportType")),
    }
    let address = dm
        .get("address")
        .and_then(Value::as_str)
        .filter(|a| a.starts_with("http://") || a.starts_with("https://"))
        .and_then(|a| url::Url::parse(a).ok().map(|_| a.to_string()))
        .ok_or_else(|| ApiError::invalid_parameter("deliveryMode.address"))?;
    let verification_token = dm
        .get("verificationToken")
        .and_then(Value::as_str)
        .map(|s| SecretString::from(s.to_string()));
    let expires_in_s = parse_expires_in(&v, state.config.subscriptions.default_expires_in_s)?;
    let owner = state.account.owner_extension_id;
    {
        let store = lock(&state.subscriptions);
        let count = store
            .live()
            .filter(|s| s.owner_extension_id == owner)
            .count();
        if count >= state.config.subscriptions.max_per_owner {
            return Err(ApiError::subscription_limit());
        }
    }
    validate_address(&state, &address, verification_token.as_ref()).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = Timestamp::now();
    let (tx, rx) = mpsc::unbounded_channel();
    let sub = Subscription {
        id: id.clone(),
        owner_extension_id: owner,
        event_filters: filters,
        parsed_filters: parsed,
        address,
        verification_token,
        creation_time: now,
        expires_in_s,
        expiration_time: now + jiff::SignedDuration::from_secs(expires_in_s as i64),
        status: SubscriptionStatus::Active,
        blacklisted: None,
        consecutive_failures: 0,
        first_failure_at: None,
        worker: tx,
    };
    let json = sub.json(&state.base_url);
    {
        let mut store = lock(&state.subscriptions);
        store.order.push(id.clone());
        store.by_id.insert(id.clone(), sub);
    }
    webhook_delivery::spawn_worker(state.clone(), id, rx);
    Ok((StatusCode::OK, Json(json)).into_response())
}

fn not_found() -> ApiError {
    ApiError::not_found("subscriptionId")
}

/// `GET /restapi/v1.0/subscription` (Light) → `{uri, records}`.
pub async fn list(State(state): State<Arc<SimState>>) -> ApiResult<Response> {
    let store = lock(&state.subscriptions);
    let records: Vec<Value> = store.live().map(|s| s.json(&state.base_url)).collect();
    Ok(Json(json!({
        "uri": format!("{}/restapi/v1.0/subscription", state.base_url),
        "records": records,
    }))
    .into_response())
}

/// `GET /restapi/v1.0/subscription/{id}` (Light) → 200 or 404.
pub async fn get(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store = lock(&state.subscriptions);
    let s = store
        .by_id
        .get(&id)
        .filter(|s| !s.is_expired())
        .ok_or_else(not_found)?;
    Ok(Json(s.json(&state.base_url)).into_response())
}

fn renew_locked(
    state: &SimState,
    id: &str,
    expires_in_s: Option<u64>,
    filters: Option<(Vec<String>, Vec<EventFilter>)>,
) -> ApiResult<Value> {
    let mut store = lock(&state.subscriptions);
    let s = store
        .by_id
        .get_mut(id)
        .filter(|s| !s.is_expired())
        .ok_or_else(not_found)?;
    if let Some(e) = expires_in_s {
        s.expires_in_s = e;
    }
    if let Some((t, p)) = filters {
        s.event_filters = t;
        s.parsed_filters = p;
    }
    s.expiration_time = Timestamp::now() + jiff::SignedDuration::from_secs(s.expires_in_s as i64);
    Ok(s.json(&state.base_url))
}

/// `POST /restapi/v1.0/subscription/{id}/renew` (Light, empty body): keeps `expiresIn`.
pub async fn renew(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(Json(renew_locked(&state, &id, None, None)?).into_response())
}

/// `PUT /restapi/v1.0/subscription/{id}` (Medium) with `{eventFilters?, expiresIn?}`; an empty
/// body renews with the default expiration (SPEC).
pub async fn update(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let filters = parse_filters(&state, &v)?;
    let expires = if v.get("expiresIn").is_some() {
        Some(parse_expires_in(
            &v,
            state.config.subscriptions.default_expires_in_s,
        )?)
    } else if filters.is_none() {
        Some(state.config.subscriptions.default_expires_in_s)
    } else {
        None
    };
    Ok(Json(renew_locked(&state, &id, expires, filters)?).into_response())
}

/// `DELETE /restapi/v1.0/subscription/{id}` (Medium) → 204 or 404.
pub async fn delete(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut store = lock(&state.subscriptions);
    match store.by_id.remove(&id) {
        Some(_) => {
            store.order.retain(|x| *x != id);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        None => Err(not_found()),
    }
}
