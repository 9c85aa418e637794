//! OAuth: `POST /restapi/oauth/token` (JWT bearer grant and refresh) and
//! `POST /restapi/oauth/revoke`, plus Bearer-token checks for `/restapi/v1.0` (REF §1).
//!
//! Semantics (DOCS refresh-tokens.md / tokens.md):
//! - refresh tokens are single use; a refresh invalidates the session's previous access token
//!   at once (it then answers 401 OAU-128);
//! - the old refresh token keeps returning the *same* new tokens for
//!   `refresh_reuse_window_ms` after the new access token was first used, or for
//!   `unused_refresh_window_ms` while it is unused; after that it is `invalid_grant`;
//! - revoke (access or refresh token) kills the whole OAuth session: 200, empty body.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::Rng;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::errors::{ApiError, ApiResult};
use crate::state::{SimState, lock};

/// Who a valid access token belongs to.
#[derive(Debug, Clone)]
pub struct AuthContext {
    /// Extension id of the logged-in user.
    pub owner_extension_id: u64,
    /// OAuth session id.
    pub oauth_session_id: String,
}

#[derive(Debug, Clone)]
struct AccessToken {
    session_id: String,
    expires_at: Instant,
    /// Replaced by a refresh.
    superseded: bool,
    first_used: Option<Instant>,
}

#[derive(Debug, Clone)]
struct IssuedTokens {
    access_token: String,
    refresh_token: String,
    access_ttl_s: u64,
    refresh_ttl_s: u64,
    issued_at: Instant,
}

#[derive(Debug, Clone)]
struct RefreshToken {
    session_id: String,
    expires_at: Instant,
    /// Set once used: the tokens that refresh produced.
    successor: Option<(Instant, IssuedTokens)>,
}

/// All OAuth sessions and tokens.
#[derive(Debug, Default)]
pub struct AuthStore {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    revoked_sessions: std::collections::HashSet<String>,
}

fn random_token() -> String {
    // Shaped like RingCentral's opaque tokens (base64url); obviously simulator-made.
    let mut bytes = [0u8; 33];
    rand::rng().fill(&mut bytes[..]);
    format!(
        "U0lNLVRPS0VO{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

impl AuthStore {
    fn issue(&mut self, session_id: &str, access_ttl_s: u64, refresh_ttl_s: u64) -> IssuedTokens {
        let now = Instant::now();
        let t = IssuedTokens {
            access_token: random_token(),
            refresh_token: random_token(),
            access_ttl_s,
            refresh_ttl_s,
            issued_at: now,
        };
        self.access.insert(
            t.access_token.clone(),
            AccessToken {
                session_id: session_id.to_string(),
                expires_at: now + Duration::from_secs(access_ttl_s),
                superseded: false,
                first_used: None,
            },
        );
        self.refresh.insert(
            t.refresh_token.clone(),
            RefreshToken {
                session_id: session_id.to_string(),
                expires_at: now + Duration::from_secs(refresh_ttl_s),
                successor: None,
            },
        );
        t
    }

    /// Checks a Bearer token; marks its first use.
    pub fn authenticate(&mut self, token: &str, owner: u64) -> ApiResult<AuthContext> {
        let Some(t) = self.access.get_mut(token) else {
            return Err(ApiError::unauthorized("OAU-129", "Access token corrupted"));
        };
        if t.superseded
            || Instant::now() >= t.expires_at
            || self.revoked_sessions.contains(&t.session_id)
        {
            return Err(ApiError::unauthorized("OAU-128", "Access token expired"));
        }
        t.first_used.get_or_insert_with(Instant::now);
        Ok(AuthContext {
            owner_extension_id: owner,
            oauth_session_id: t.session_id.clone(),
        })
    }

    /// Revokes the OAuth session a token belongs to. Unknown tokens are ignored. The session's
    /// tokens are kept (marked by the revoked session) so a revoked access token answers
    /// OAU-128 like an expired one, not OAU-129 "corrupted".
    fn revoke(&mut self, token: &str) {
        let session = self
            .access
            .get(token)
            .map(|t| t.session_id.clone())
            .or_else(|| self.refresh.get(token).map(|t| t.session_id.clone()));
        if let Some(s) = session {
            self.revoked_sessions.insert(s);
        }
    }

    /// Number of live (unexpired, unrevoked) OAuth sessions; for the admin API.
    pub fn live_sessions(&self) -> usize {
        let now = Instant::now();
        let mut s: Vec<&String> = self
            .access
            .values()
            .filter(|t| !t.superseded && now < t.expires_at)
            .filter(|t| !self.revoked_sessions.contains(&t.session_id))
            .map(|t| &t.session_id)
            .collect();
        s.sort();
        s.dedup();
        s.len()
    }
}

fn form(body: &Bytes) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn require_form(headers: &HeaderMap) -> ApiResult<()> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(ApiError::unsupported_media_type())
    }
}

/// Client authentication: `Authorization: Basic base64(id:secret)`, or `client_id` in the body
/// for a non-confidential client.
fn check_client(
    state: &SimState,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
) -> ApiResult<()> {
    let creds = &state.config.credentials;
    let invalid_client = || {
        ApiError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "OAU-146",
            "Invalid client credentials",
        )
    };
    match headers.get(header::AUTHORIZATION) {
        Some(v) => {
            let v = v.to_str().unwrap_or("");
            let Some(b64) = v.strip_prefix("Basic ") else {
                return Err(ApiError::oauth(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "OAU-123",
                    "Invalid Authorization header value",
                ));
            };
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    ApiError::oauth(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        "OAU-123",
                        "Invalid Authorization header value",
                    )
                })?;
            let (id, secret) = decoded.split_once(':').ok_or_else(invalid_client)?;
            if id == creds.client_id && secret == creds.client_secret.expose_secret() {
                Ok(())
            } else {
                Err(invalid_client())
            }
        }
        None => match f.get("client_id") {
            Some(id) if *id == creds.client_id => Ok(()),
            _ => Err(invalid_client()),
        },
    }
}

fn clamp_access_ttl(requested: Option<&String>, default_s: u64) -> u64 {
    // DOCS auth-token-params.inc: above max -> default; under 600 -> 600.
    match requested.and_then(|v| v.parse::<u64>().ok()) {
        Some(v) if v > 3_600 => default_s,
        Some(v) if v < 600 => 600,
        Some(v) => v,
        None => default_s,
    }
}

fn clamp_refresh_ttl(requested: Option<&String>, default_s: u64) -> u64 {
    match requested.and_then(|v| v.parse::<u64>().ok()) {
        Some(v) if v > 2_592_000 => default_s,
        Some(v) if v >= 1 => v,
        _ => default_s,
    }
}

fn token_response(state: &SimState, session_id: &str, t: &IssuedTokens) -> Response {
    let elapsed_s = t.issued_at.elapsed().as_secs();
    let body = json!({
        "access_token": t.access_token,
        "token_type": "bearer",
        "expires_in": t.access_ttl_s.saturating_sub(elapsed_s),
        "refresh_token": t.refresh_token,
        "refresh_token_expires_in": t.refresh_ttl_s.saturating_sub(elapsed_s),
        "scope": "CallControl ReadAccounts ReadCallLog SubscriptionWebhook TelephonySessions",
        "owner_id": state.account.owner_extension_id.to_string(),
        "endpoint_id": "sim-endpoint-id",
        "session_id": session_id,
    });
    let mut resp = (StatusCode::OK, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    resp
}

/// `POST /restapi/oauth/token` (SPEC `getToken`, group Auth).
pub async fn token(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    require_form(&headers)?;
    let f = form(&body);
    check_client(&state, &headers, &f)?;
    let tokens_cfg = &state.config.tokens;
    match f.get("grant_type").map(String::as_str) {
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            let ok = f
                .get("assertion")
                .is_some_and(|a| a == state.config.credentials.jwt.expose_secret());
            if !ok {
                return Err(ApiError::oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "OAU-213",
                    "Token not found",
                ));
            }
            let access_ttl =
                clamp_access_ttl(f.get("access_token_ttl"), tokens_cfg.access_token_ttl_s);
            let refresh_ttl =
                clamp_refresh_ttl(f.get("refresh_token_ttl"), tokens_cfg.refresh_token_ttl_s);
            let session_id = format!(
                "{}",
                rand::rng().random_range(1_000_000_000u64..9_999_999_999)
            );
            let issued = lock(&state.auth).issue(&session_id, access_ttl, refresh_ttl);
            Ok(token_response(&state, &session_id, &issued))
        }
        Some("refresh_token") => {
            let Some(rt) = f.get("refresh_token") else {
                return Err(ApiError::oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "OAU-101",
                    "Parameter [refresh_token] is missing",
                ));
            };
            let invalid = || {
                ApiError::oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "OAU-211",
                    "Token is revoked",
                )
            };
            let mut store = lock(&state.auth);
            let now = Instant::now();
            let record = store.refresh.get(rt).cloned().ok_or_else(invalid)?;
            if now >= record.expires_at || store.revoked_sessions.contains(&record.session_id) {
                return Err(invalid());
            }
            if let Some((used_at, successor)) = &record.successor {
                let first_used = store
                    .access
                    .get(&successor.access_token)
                    .and_then(|t| t.first_used);
                let still_valid = match first_used {
                    Some(u) => {
                        now.duration_since(u)
                            < Duration::from_millis(tokens_cfg.refresh_reuse_window_ms)
                    }
                    None => {
                        now.duration_since(*used_at)
                            < Duration::from_millis(tokens_cfg.unused_refresh_window_ms)
                    }
                };
                return if still_valid {
                    Ok(token_response(&state, &record.session_id, successor))
                } else {
                    Err(invalid())
                };
            }
            let access_ttl =
                clamp_access_ttl(f.get("access_token_ttl"), tokens_cfg.access_token_ttl_s);
            let refresh_ttl =
                clamp_refresh_ttl(f.get("refresh_token_ttl"), tokens_cfg.refresh_token_ttl_s);
            // The session's previous access tokens die now.
            for t in store.access.values_mut() {
                if t.session_id == record.session_id {
                    t.superseded = true;
                }
            }
            let issued = store.issue(&record.session_id, access_ttl, refresh_ttl);
            if let Some(r) = store.refresh.get_mut(rt) {
                r.successor = Some((now, issued.clone()));
            }
            drop(store);
            Ok(token_response(&state, &record.session_id, &issued))
        }
        _ => Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "OAU-250",
            "Unsupported grant type",
        )),
    }
}

/// `POST /restapi/oauth/revoke` (SPEC `revokeToken`, group Auth): form `token=` (or `?token=`),
/// 200 with an empty body; kills the whole OAuth session.
pub async fn revoke(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: Bytes,
) -> ApiResult<Response> {
    let mut f = form(&body);
    if let Some(q) = uri.query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()).into_owned() {
            f.entry(k).or_insert(v);
        }
    }
    check_client(&state, &headers, &f)?;
    if let Some(t) = f.get("token") {
        lock(&state.auth).revoke(t);
    }
    Ok(StatusCode::OK.into_response())
}

/// Extracts the access token from `Authorization: Bearer …` or `?access_token=`.
pub fn bearer_token(headers: &HeaderMap, uri: &axum::http::Uri) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v.strip_prefix("Bearer ").map(|s| s.trim().to_string());
    }
    uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned())
    })
}

/// Authenticates a `/restapi/v1.0` request: 401 OAU-123 without a Bearer token, OAU-129 for an
/// unknown one, OAU-128 for an expired, refreshed-away or revoked one.
pub fn authenticate(
    state: &SimState,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
) -> ApiResult<AuthContext> {
    let Some(token) = bearer_token(headers, uri) else {
        return Err(ApiError::unauthorized(
            "OAU-123",
            "Invalid Authorization header value",
        ));
    };
    lock(&state.auth).authenticate(&token, state.account.owner_extension_id)
}
