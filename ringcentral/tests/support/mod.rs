//! A small in-process RingCentral platform for client tests: real HTTP on 127.0.0.1 (axum),
//! playing the behaviour described in shared/reference/ringcentral-api.md: JWT grant with Basic
//! client auth, single-use refresh tokens that kill the previous access token, revoke, rate-limit
//! headers, scripted 429s, error bodies, 3-page listings, 204/404 deletes.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use ringcentral::Config;
use secrecy::SecretString;
use serde_json::{Value, json};

/// Obviously fake credentials; tests assert they never leak.
pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "test-client-secret-5f1c";
pub const JWT: &str = "test-jwt-assertion-9b27";
pub const SIP_PASSWORD: &str = "test-sip-password-44e0";

/// A scripted throttle for the next API request.
#[derive(Debug, Clone, Copy)]
pub enum Throttle {
    /// 429 with `Retry-After: <seconds>`.
    RetryAfter(u64),
    /// 429 without `Retry-After`.
    NoRetryAfter,
}

/// Knobs and observations of the fake platform.
#[derive(Default)]
pub struct PlatformState {
    pub expires_in_s: u64,
    pub token_delay: Duration,
    pub reject_refresh: bool,
    pub always_unauthorized: bool,
    pub throttle_plan: VecDeque<Throttle>,

    next_token: u64,
    pub valid_access: HashSet<String>,
    /// refresh token -> the access token issued with it.
    pub valid_refresh: HashMap<String, String>,
    pub issued_access: Vec<String>,

    pub jwt_grants: u32,
    pub refresh_grants: u32,
    pub failed_refreshes: u32,
    pub failed_logins: u32,
    pub revokes: u32,
    pub unauthorized: u32,
    pub throttled: u32,
    pub api_requests: u32,

    next_session: u64,
    pub sessions: HashMap<String, Value>,
    pub last_call_out_body: Option<Value>,
    pub last_transfer_body: Option<Value>,
    pub last_subscription_body: Option<Value>,
    pub extension_queries: Vec<String>,
    pub account_ids_seen: Vec<String>,
    /// `METHOD path?query body` of every request served by the generic recorder.
    pub recorded: Vec<String>,
}

impl PlatformState {
    /// Kills every token (like an admin session timeout or password change).
    pub fn kill_all_tokens(&mut self) {
        self.valid_access.clear();
        self.valid_refresh.clear();
    }
}

type Shared = Arc<Mutex<PlatformState>>;

/// The running fake platform.
pub struct FakePlatform {
    pub addr: SocketAddr,
    pub state: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakePlatform {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakePlatform {
    pub async fn start() -> Self {
        let state: Shared = Arc::new(Mutex::new(PlatformState {
            expires_in_s: 3600,
            ..PlatformState::default()
        }));
        let router = Router::new()
            .route("/restapi/oauth/token", post(token))
            .route("/restapi/oauth/revoke", post(revoke))
            .route(
                "/restapi/v1.0/account/{account}/telephony/call-out",
                post(call_out),
            )
            .route(
                "/restapi/v1.0/account/{account}/telephony/sessions/{session}",
                get(get_session).delete(delete_session),
            )
            .route(
                "/restapi/v1.0/account/{account}/telephony/sessions/{session}/parties/{party}/transfer",
                post(transfer),
            )
            .route("/restapi/v1.0/account/{account}/extension", get(extensions))
            .route(
                "/restapi/v1.0/account/{account}/device/{device}/sip-info",
                get(sip_info),
            )
            .route(
                "/restapi/v1.0/subscription",
                post(create_subscription).fallback(recorder),
            )
            .fallback(recorder)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve");
        });
        Self {
            addr,
            state,
            server,
        }
    }

    /// A client config pointing at this platform, with fast test waits.
    pub fn config(&self) -> Config {
        let mut config = Config::new(
            format!("http://{}", self.addr).parse().expect("url"),
            CLIENT_ID,
            SecretString::from(CLIENT_SECRET),
            SecretString::from(JWT),
        );
        config.request_timeout = Duration::from_secs(10);
        config.max_rate_limit_wait = Duration::from_secs(5);
        config.default_retry_after = Duration::from_millis(50);
        config
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut PlatformState) -> R) -> R {
        f(&mut self.state.lock().expect("state"))
    }

    /// Inserts a session with one caller party and returns its id.
    pub fn add_session(&self) -> String {
        self.with(|s| new_session(s, "59474004", "+16579991394"))
    }
}

fn new_session(state: &mut PlatformState, device_id: &str, to: &str) -> String {
    state.next_session += 1;
    let id = format!("s-test{}", state.next_session);
    let session = json!({
        "id": id,
        "origin": {"type": "CallOut"},
        "creationTime": "2026-01-05T08:05:00Z",
        "parties": [{
            "id": format!("p-{id}-1"),
            "direction": "Outbound",
            "from": {"deviceId": device_id, "extensionId": "170848004", "phoneNumber": "+15188315358"},
            "to": {"phoneNumber": to},
            "owner": {"accountId": "170848004", "extensionId": "170848004"},
            "muted": false,
            "standAlone": false,
            "status": {"code": "Setup"}
        }]
    });
    state.sessions.insert(id.clone(), session);
    id
}

fn rate_headers(group: &str, limit: u32) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-rate-limit-group", HeaderValue::from_str(group).unwrap());
    headers.insert("x-rate-limit-limit", HeaderValue::from(limit));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(limit - 1));
    headers.insert("x-rate-limit-window", HeaderValue::from(60));
    headers
}

fn json_response(status: StatusCode, group: &str, limit: u32, body: Value) -> Response {
    (status, rate_headers(group, limit), axum::Json(body)).into_response()
}

fn api_error(status: StatusCode, code: &str, message: &str, parameter: Option<&str>) -> Response {
    let mut error = json!({"errorCode": code, "message": message});
    if let Some(parameter) = parameter {
        error["parameterName"] = json!(parameter);
    }
    json_response(status, "light", 50, json!({"errors": [error]}))
}

fn oauth_error(status: StatusCode, error: &str, description: &str, code: &str) -> Response {
    json_response(
        status,
        "auth",
        5,
        json!({
            "error": error,
            "error_description": description,
            "errors": [{"errorCode": code, "message": description}]
        }),
    )
}

fn client_auth_ok(headers: &HeaderMap) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str())
}

fn form(body: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn issue(state: &mut PlatformState) -> Value {
    state.next_token += 1;
    let access = format!("test-access-token-{}", state.next_token);
    let refresh = format!("test-refresh-token-{}", state.next_token);
    state.valid_access.insert(access.clone());
    state.valid_refresh.insert(refresh.clone(), access.clone());
    state.issued_access.push(access.clone());
    json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": state.expires_in_s,
        "refresh_token": refresh,
        "refresh_token_expires_in": 604800,
        "scope": "CallControl ReadAccounts",
        "owner_id": "170848004",
        "endpoint_id": "test-endpoint",
        "session_id": "test-oauth-session"
    })
}

async fn token(State(state): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let delay = state.lock().unwrap().token_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut state = state.lock().unwrap();
    if !client_auth_ok(&headers) {
        state.failed_logins += 1;
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials",
            "OAU-146",
        );
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "Unsupported content type",
            "CMN-415",
        );
    }
    let fields = form(&body);
    match fields.get("grant_type").map(String::as_str) {
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            if fields.get("assertion").map(String::as_str) != Some(JWT) {
                state.failed_logins += 1;
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid token",
                    "OAU-213",
                );
            }
            state.jwt_grants += 1;
            let body = issue(&mut state);
            json_response(StatusCode::OK, "auth", 5, body)
        }
        Some("refresh_token") => {
            let presented = fields.get("refresh_token").cloned().unwrap_or_default();
            let old_access = state.valid_refresh.remove(&presented);
            match old_access {
                Some(old_access) if !state.reject_refresh => {
                    // Single use: the refresh token is gone and the old access token dies.
                    state.valid_access.remove(&old_access);
                    state.refresh_grants += 1;
                    let body = issue(&mut state);
                    json_response(StatusCode::OK, "auth", 5, body)
                }
                _ => {
                    state.failed_refreshes += 1;
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Token not found",
                        "OAU-211",
                    )
                }
            }
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant type",
            "OAU-250",
        ),
    }
}

async fn revoke(State(state): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let mut state = state.lock().unwrap();
    if !client_auth_ok(&headers) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials",
            "OAU-146",
        );
    }
    let fields = form(&body);
    let token = fields.get("token").cloned().unwrap_or_default();
    if state.valid_access.contains(&token) || state.valid_refresh.contains_key(&token) {
        // Revoke kills the whole OAuth session.
        state.kill_all_tokens();
    }
    state.revokes += 1;
    (StatusCode::OK, rate_headers("auth", 5)).into_response()
}

/// Bearer check plus scripted throttling, as a platform gateway would do it.
fn gate(state: &mut PlatformState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    state.api_requests += 1;
    if let Some(throttle) = state.throttle_plan.pop_front() {
        state.throttled += 1;
        let mut response = json_response(
            StatusCode::TOO_MANY_REQUESTS,
            "light",
            50,
            json!({"errors": [{"errorCode": "CMN-301", "message": "Request rate exceeded"}]}),
        );
        if let Throttle::RetryAfter(seconds) = throttle {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        return Err(Box::new(response));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if state.always_unauthorized || !state.valid_access.contains(token) {
        state.unauthorized += 1;
        return Err(Box::new(api_error(
            StatusCode::UNAUTHORIZED,
            "OAU-128",
            "Access token expired",
            None,
        )));
    }
    Ok(())
}

async fn call_out(
    State(state): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    state.account_ids_seen.push(account);
    state.last_call_out_body = Some(body.clone());
    let device_id = body["from"]["deviceId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if device_id.is_empty() {
        return api_error(
            StatusCode::BAD_REQUEST,
            "CMN-101",
            "Parameter [from.deviceId] value is invalid",
            Some("from.deviceId"),
        );
    }
    let to = body["to"]["phoneNumber"]
        .as_str()
        .unwrap_or("101")
        .to_owned();
    let id = new_session(&mut state, &device_id, &to);
    let session = state.sessions[&id].clone();
    json_response(
        StatusCode::CREATED,
        "heavy",
        10,
        json!({"session": session}),
    )
}

async fn get_session(
    State(state): State<Shared>,
    Path((_account, session)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if session == "slow" {
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    match state.sessions.get(&session) {
        Some(body) => json_response(StatusCode::OK, "light", 50, body.clone()),
        None => api_error(
            StatusCode::NOT_FOUND,
            "CMN-102",
            "Resource for parameter [telephonySessionId] is not found",
            Some("telephonySessionId"),
        ),
    }
}

async fn delete_session(
    State(state): State<Shared>,
    Path((_account, session)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    match state.sessions.remove(&session) {
        Some(_) => (StatusCode::NO_CONTENT, rate_headers("light", 50)).into_response(),
        None => api_error(
            StatusCode::NOT_FOUND,
            "CMN-102",
            "Resource for parameter [telephonySessionId] is not found",
            Some("telephonySessionId"),
        ),
    }
}

async fn transfer(
    State(state): State<Shared>,
    Path((_account, session, party)): Path<(String, String, String)>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    state.last_transfer_body = Some(body.clone());
    let fields = body.as_object().map(|o| o.len()).unwrap_or(0);
    if fields != 1 {
        return api_error(
            StatusCode::BAD_REQUEST,
            "CMN-101",
            "Only one of transfer target parameters must be specified",
            None,
        );
    }
    if !state.sessions.contains_key(&session) {
        return api_error(StatusCode::NOT_FOUND, "CMN-102", "Session not found", None);
    }
    json_response(
        StatusCode::OK,
        "light",
        50,
        json!({
            "id": party,
            "direction": "Outbound",
            "from": {"deviceId": "59474004", "extensionId": "170848004", "phoneNumber": "+16504257106"},
            "to": {"phoneNumber": "+16579991394"},
            "owner": {"accountId": "170848004", "extensionId": "170848004"},
            "muted": false,
            "standAlone": false,
            "status": {"code": "Disconnected", "reason": "BlindTransfer"}
        }),
    )
}

/// 3 pages of 2 extensions each (ids are JSON integers, as in SPEC).
async fn extensions(
    State(state): State<Shared>,
    Path(_account): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    let query = query.unwrap_or_default();
    state.extension_queries.push(query.clone());
    let params = form(&query);
    let page: i64 = params.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let per_page = 2;
    let total_pages = 3;
    let base = "https://platform.ringcentral.com/restapi/v1.0/account/170848004/extension";
    let records: Vec<Value> = if (1..=total_pages).contains(&page) {
        (0..per_page)
            .map(|i| {
                let id = 1000 + (page - 1) * per_page + i + 1;
                json!({
                    "id": id,
                    "uri": format!("{base}/{id}"),
                    "extensionNumber": format!("{}", 100 + id - 1000),
                    "name": format!("Hold line {id}"),
                    "type": "User",
                    "status": "Enabled",
                    "someNewField": {"nested": true}
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut navigation = json!({
        "firstPage": {"uri": format!("{base}?page=1&perPage=2")},
        "lastPage": {"uri": format!("{base}?page=3&perPage=2")}
    });
    if page < total_pages {
        navigation["nextPage"] = json!({"uri": format!("{base}?page={}&perPage=2", page + 1)});
    }
    if page > 1 {
        navigation["previousPage"] = json!({"uri": format!("{base}?page={}&perPage=2", page - 1)});
    }
    json_response(
        StatusCode::OK,
        "medium",
        40,
        json!({
            "uri": format!("{base}?page={page}&perPage=2"),
            "records": records,
            "paging": {
                "page": page, "totalPages": total_pages, "perPage": per_page,
                "totalElements": total_pages * per_page,
                "pageStart": (page - 1) * per_page, "pageEnd": page * per_page - 1
            },
            "navigation": navigation
        }),
    )
}

async fn sip_info(
    State(state): State<Shared>,
    Path((_account, _device)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    json_response(
        StatusCode::OK,
        "light",
        50,
        json!({
            "username": "16501234567",
            "password": SIP_PASSWORD,
            "authorizationId": "802398808016",
            "domain": "sip.ringcentral.com",
            "outboundProxy": "sip10.ringcentral.com:5090",
            "transport": "TLS"
        }),
    )
}

async fn create_subscription(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    state.last_subscription_body = Some(body.clone());
    json_response(
        StatusCode::OK,
        "medium",
        40,
        json!({
            "uri": "https://platform.ringcentral.com/restapi/v1.0/subscription/8c5d2b6e-0000-4000-8000-000000000001",
            "id": "8c5d2b6e-0000-4000-8000-000000000001",
            "creationTime": "2026-01-05T10:00:00.000Z",
            "status": "Active",
            "eventFilters": ["/restapi/v1.0/account/170848004/extension/170848004/telephony/sessions"],
            "expirationTime": "2026-01-12T10:00:00.000Z",
            "expiresIn": body["expiresIn"],
            "deliveryMode": {
                "transportType": "WebHook",
                "encryption": false,
                "address": body["deliveryMode"]["address"]
            }
        }),
    )
}

/// Generic endpoint for the remaining routes: records the request line and answers with a
/// plausible body for its path (party, one-record page, subscription, 204).
async fn recorder(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(response) = gate(&mut state, &headers) {
        return *response;
    }
    let path = uri.path().to_owned();
    let line = match uri.query() {
        Some(query) => format!("{method} {path}?{query} {body}"),
        None => format!("{method} {path} {body}"),
    };
    state.recorded.push(line.trim_end().to_owned());
    let page = |record: Value| json!({"records": [record], "paging": {"page": 1, "totalPages": 1, "perPage": 100}, "navigation": {}});
    let subscription = json!({"id": "sub-1", "status": "Active", "eventFilters": []});
    let body = if method == Method::DELETE || path.ends_with("/reject") {
        return (StatusCode::NO_CONTENT, rate_headers("light", 50)).into_response();
    } else if path.contains("/parties/") {
        json!({"id": "p-1", "direction": "Outbound", "status": {"code": "Hold"}})
    } else if path.ends_with("/call-queues") {
        page(json!({"id": "11570443004", "extensionNumber": "10086"}))
    } else if path.ends_with("/members") || path.ends_with("/device") {
        page(json!({"id": 170848004, "extensionNumber": "101"}))
    } else if path.ends_with("/phone-number") {
        page(json!({"id": 284652008, "phoneNumber": "+18559103500"}))
    } else if path == "/restapi/v1.0/subscription" {
        json!({"uri": "x", "records": [subscription]})
    } else if path.starts_with("/restapi/v1.0/subscription/") {
        subscription
    } else {
        return api_error(StatusCode::NOT_FOUND, "CMN-102", "Resource not found", None);
    };
    json_response(StatusCode::OK, "light", 50, body)
}
