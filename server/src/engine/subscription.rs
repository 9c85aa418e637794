//! Ownership of the webhook subscription: at start-up and every `webhook.check_interval_ms`
//! ensure exactly one Active subscription of the account-level telephony sessions filter
//! points at the bridge; renew it `webhook.renew_before_s` before expiry; delete and re-create
//! it when RingCentral blacklisted it; retry creation with exponential backoff (the bridge may
//! not be up yet), reporting the problem in logs and in `CheckRingCentral`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ringcentral::{
    ACCOUNT_TELEPHONY_SESSIONS_FILTER, CreateSubscriptionRequest, SubscriptionInfo,
    SubscriptionStatus,
};

use super::Engine;
use crate::config::WebhookConfig;

/// Last known state of the owned subscription.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionState {
    inner: Arc<Mutex<(Option<SubscriptionInfo>, Option<String>)>>,
}

impl SubscriptionState {
    /// (subscription, last problem).
    pub fn get(&self) -> (Option<SubscriptionInfo>, Option<String>) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, info: Option<SubscriptionInfo>, problem: Option<String>) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = (info, problem);
    }
}

fn is_ours(s: &SubscriptionInfo, address: &str) -> bool {
    let addr = s.delivery_mode.as_ref().and_then(|d| d.address.as_deref());
    addr == Some(address)
        && s.event_filters
            .iter()
            .any(|f| f.ends_with("/telephony/sessions") && !f.contains("/extension/"))
}

async fn ensure_once(
    engine: &Engine,
    cfg: &WebhookConfig,
    address: &str,
) -> ringcentral::Result<SubscriptionInfo> {
    let rc = engine.rc();
    let mut ours: Vec<SubscriptionInfo> = rc
        .list_subscriptions()
        .await?
        .into_iter()
        .filter(|s| is_ours(s, address))
        .collect();
    for s in ours.iter().filter(|s| s.is_blacklisted()) {
        tracing::warn!(subscription_id = %s.id, reason = ?s.blacklisted_data.as_ref().and_then(|b| b.reason.clone()), "webhook subscription blacklisted: deleting and re-creating");
        let _ = rc.delete_subscription(&s.id).await;
    }
    ours.retain(|s| matches!(s.status, Some(SubscriptionStatus::Active)));
    ours.sort_by_key(|s| s.creation_time);
    if let Some(active) = ours.first().cloned() {
        for extra in &ours[1..] {
            let _ = rc.delete_subscription(&extra.id).await;
        }
        let remaining_s = active
            .expiration_time
            .map(|t| (t.as_second() - jiff::Timestamp::now().as_second()).max(0) as u64)
            .unwrap_or(0);
        if remaining_s < cfg.renew_before_s {
            tracing::info!(subscription_id = %active.id, remaining_s, "renewing webhook subscription");
            return rc.renew_subscription(&active.id).await;
        }
        return Ok(active);
    }
    tracing::info!(%address, "creating webhook subscription (account telephony sessions)");
    rc.create_subscription(&CreateSubscriptionRequest::webhook(
        vec![ACCOUNT_TELEPHONY_SESSIONS_FILTER.to_owned()],
        address,
        cfg.verification_token.clone(),
        cfg.expires_in_s,
    ))
    .await
}

/// Keeps the subscription Active until shutdown.
pub async fn keep_subscription(engine: Engine, cfg: WebhookConfig) {
    let Some(address) = cfg.address.as_ref().map(|u| u.to_string()) else {
        return;
    };
    let mut backoff = Duration::from_millis(cfg.retry_initial_ms.max(1));
    let mut shutdown = engine.shutdown_signal();
    loop {
        let wait = match ensure_once(&engine, &cfg, &address).await {
            Ok(info) => {
                engine.subscription().set(Some(info), None);
                backoff = Duration::from_millis(cfg.retry_initial_ms.max(1));
                Duration::from_millis(cfg.check_interval_ms)
            }
            Err(e) => {
                let problem = format!(
                    "webhook subscription not active ({e}); retrying in {} ms",
                    backoff.as_millis()
                );
                tracing::warn!("{problem}");
                let (info, _) = engine.subscription().get();
                engine.subscription().set(info, Some(problem));
                let wait = backoff;
                backoff = (backoff * 2).min(Duration::from_millis(cfg.retry_max_ms));
                wait
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
    }
}
