//! Router, the API-gateway middleware (Bearer auth, rate limits, forced faults, headers),
//! [`serve`], [`spawn`] and [`SimHandle`].

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::watch;

use crate::account::Account;
use crate::admin::{self, SettingsUpdate};
use crate::auth;
use crate::config::{RateLimitConfig, SimConfig, WebhookFaults};
use crate::directory;
use crate::errors::ApiError;
use crate::faults::{EndpointFault, ForcedFailure};
use crate::ground_truth::CallGroundTruth;
use crate::media_ws;
use crate::rate_limit::classify;
use crate::state::{DeviceStatus, RuntimeSettings, SimState, lock};
use crate::subscriptions;
use crate::telephony::{calls, parties};
use crate::webhook_delivery::DeliveryRecord;

/// Authenticates `/restapi/v1.0`, applies rate limits and forced faults, and adds the
/// `X-Rate-Limit-*` and `RCRequestId` headers. Unknown paths pass through to the 404 fallback.
async fn gateway(State(state): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some((operation, group)) = classify(req.method(), &path) else {
        return next.run(req).await;
    };
    if path.starts_with("/restapi/v1.0/")
        && let Err(e) = auth::authenticate(&state, req.headers(), req.uri())
    {
        return e.into_response();
    }
    let mut adm = lock(&state.rate).admit(group);
    let mut resp = match adm.refused_retry_after_s {
        Some(retry) => ApiError::rate_limited(retry).into_response(),
        None => match take_fault(&state, operation) {
            Some(ForcedFailure::RateLimited) => {
                adm.remaining = 0;
                let penalty_s = lock(&state.rate).config().penalty_ms.div_ceil(1000).max(1);
                ApiError::rate_limited(penalty_s).into_response()
            }
            Some(ForcedFailure::Unavailable) => ApiError::unavailable().into_response(),
            None => next.run(req).await,
        },
    };
    adm.write_headers(resp.headers_mut());
    if let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        resp.headers_mut().insert("RCRequestId", v);
    }
    resp
}

fn take_fault(state: &SimState, operation: &str) -> Option<ForcedFailure> {
    lock(&state.faults).take_endpoint_fault(operation)
}

async fn not_found() -> Response {
    ApiError::not_found("path").into_response()
}

/// The whole router.
pub fn router(state: Arc<SimState>) -> Router {
    use axum::routing::delete as del;
    let sessions = "/restapi/v1.0/account/{account}/telephony/sessions/{session}";
    let party = "/restapi/v1.0/account/{account}/telephony/sessions/{session}/parties/{party}";
    let rc = Router::new()
        .route("/restapi/oauth/token", post(auth::token))
        .route("/restapi/oauth/revoke", post(auth::revoke))
        .route(
            "/restapi/v1.0/account/{account}/telephony/call-out",
            post(calls::call_out),
        )
        .route(
            sessions,
            get(calls::get_session).delete(calls::delete_session),
        )
        .route(party, get(parties::get_party))
        .route(&format!("{party}/transfer"), post(parties::transfer))
        .route(&format!("{party}/hold"), post(parties::hold))
        .route(&format!("{party}/unhold"), post(parties::unhold))
        .route(&format!("{party}/forward"), post(parties::forward))
        .route(
            "/restapi/v1.0/subscription",
            post(subscriptions::create).get(subscriptions::list),
        )
        .route(
            "/restapi/v1.0/subscription/{id}",
            get(subscriptions::get)
                .put(subscriptions::update)
                .merge(del(subscriptions::delete)),
        )
        .route(
            "/restapi/v1.0/subscription/{id}/renew",
            post(subscriptions::renew),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension",
            get(directory::list_extensions),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}",
            get(directory::read_extension),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}/device",
            get(directory::list_extension_devices),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}/phone-number",
            get(directory::list_extension_phone_numbers),
        )
        .route(
            "/restapi/v1.0/account/{account}/call-queues",
            get(directory::list_call_queues),
        )
        .route(
            "/restapi/v1.0/account/{account}/call-queues/{group}/members",
            get(directory::list_call_queue_members),
        )
        .route(
            "/restapi/v1.0/account/{account}/phone-number",
            get(directory::list_account_phone_numbers),
        )
        .route(
            "/restapi/v1.0/account/{account}/device/{device}/sip-info",
            get(directory::read_device_sip_info),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), gateway));
    rc.merge(admin::router())
        .route("/sim/media/{id}", get(media_ws::attach))
        .fallback(not_found)
        .with_state(state)
}

/// Serves the simulator on `listener` until `shutdown` resolves. Base URL for `uri` fields is
/// `config.public_base_url` or `http://<listener address>`.
pub async fn serve(
    config: SimConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (tx, rx) = watch::channel(false);
    let base_url = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", listener.local_addr().expect("bound")));
    let state = SimState::new(config, base_url, rx)?;
    serve_state(state, listener, tx, shutdown).await
}

async fn serve_state(
    state: Arc<SimState>,
    listener: tokio::net::TcpListener,
    tx: watch::Sender<bool>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = tx.send(true);
        })
        .await?;
    Ok(())
}

/// A simulator running in-process (see [`spawn`]).
pub struct SimHandle {
    base_url: String,
    state: Arc<SimState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// Binds `127.0.0.1:0`, serves `config` in a background task and returns a handle.
pub async fn spawn(config: SimConfig) -> anyhow::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let base_url = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let (tx, rx) = watch::channel(false);
    let state = SimState::new(config, base_url.clone(), rx)?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve_state(state.clone(), listener, tx, async move {
        let _ = stop_rx.await;
    }));
    Ok(SimHandle {
        base_url,
        state,
        stop: Some(stop_tx),
        task: Some(task),
    })
}

impl SimHandle {
    /// Base URL, e.g. `http://127.0.0.1:41234` (RingCentral paths hang off it).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The simulated account (ids of hold lines, devices, call queues, numbers).
    pub fn account(&self) -> &Account {
        &self.state.account
    }

    /// Ground truth of every call, in creation order.
    pub fn calls(&self) -> Vec<CallGroundTruth> {
        admin::calls(&self.state)
    }

    /// Ground truth of one call by `telephonySessionId`.
    pub fn call(&self, telephony_session_id: &str) -> Option<CallGroundTruth> {
        admin::call(&self.state, telephony_session_id)
    }

    /// Webhook delivery log (delivered, failed, dropped).
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        admin::deliveries(&self.state)
    }

    /// Sets webhook fault probabilities; `seed` reseeds the fault RNG.
    pub fn set_webhook_faults(&self, faults: WebhookFaults, seed: Option<u64>) {
        lock(&self.state.faults).set_webhook(faults, seed);
    }

    /// Answers the next `count` requests of `operation` with 429 or 503.
    pub fn add_endpoint_fault(&self, fault: EndpointFault) {
        lock(&self.state.faults).add_endpoint_fault(fault);
    }

    /// Clears pending endpoint faults.
    pub fn clear_endpoint_faults(&self) {
        lock(&self.state.faults).clear_endpoint_faults();
    }

    /// Blacklists a subscription now; returns its SubscriptionInfo, `None` if unknown.
    pub fn blacklist_subscription(&self, id: &str, reason: &str) -> Option<Value> {
        admin::blacklist_subscription(&self.state, id, reason)
    }

    /// Changes settings for new calls; `Err` names the bad field.
    pub fn update_settings(&self, update: SettingsUpdate) -> Result<RuntimeSettings, String> {
        admin::update_settings(&self.state, &update)
    }

    /// Replaces the rate limits (windows and penalties cleared).
    pub fn set_rate_limits(&self, limits: RateLimitConfig) {
        lock(&self.state.rate).set_config(limits);
    }

    /// Sets a device Online/Offline; `false` if unknown.
    pub fn set_device_status(&self, device_id: &str, status: DeviceStatus) -> bool {
        admin::set_device_status(&self.state, device_id, status)
    }

    /// Stops the server and every call; waits for the server task.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.task.take() {
            Some(t) => t.await?,
            None => Ok(()),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}
