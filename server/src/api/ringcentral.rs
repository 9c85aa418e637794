//! `RingCentralService` (read-only views through the server's credentials) and
//! `TelephonyIngestService` (bridge → server).

use holdhunter_proto::v1 as pb;
use holdhunter_proto::v1::ring_central_service_server::RingCentralService;
use holdhunter_proto::v1::telephony_ingest_service_server::TelephonyIngestService;
use tonic::{Request, Response, Status};

use super::convert::ts;
use crate::engine::Engine;
use crate::engine::telephony::Ingested;
use crate::error::Error;

/// RingCentralService and TelephonyIngestService handlers.
#[derive(Clone)]
pub struct RingCentralApi {
    /// Engine.
    pub engine: Engine,
}

fn subscription(s: &ringcentral::SubscriptionInfo) -> pb::Subscription {
    pb::Subscription {
        subscription_id: s.id.clone(),
        status: match &s.status {
            Some(ringcentral::SubscriptionStatus::Active) => "Active".into(),
            Some(ringcentral::SubscriptionStatus::Blacklisted) => "Blacklisted".into(),
            Some(other) => format!("{other:?}"),
            None => String::new(),
        },
        event_filters: s.event_filters.clone(),
        address: s
            .delivery_mode
            .as_ref()
            .and_then(|d| d.address.clone())
            .unwrap_or_default(),
        expires_at: s.expiration_time.map(|t| ts(t.as_millisecond())),
        blacklisted_reason: s
            .blacklisted_data
            .as_ref()
            .and_then(|b| b.reason.clone())
            .unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl RingCentralService for RingCentralApi {
    async fn check_ring_central(
        &self,
        _req: Request<pb::CheckRingCentralRequest>,
    ) -> Result<Response<pb::CheckRingCentralResponse>, Status> {
        let rc = self.engine.rc();
        let auth_error = match rc.login().await {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        };
        let (sub, problem) = self.engine.subscription().get();
        let auth_error = match (auth_error.is_empty(), problem) {
            (true, Some(p)) => p,
            (true, None) => String::new(),
            (false, Some(p)) => format!("{auth_error}; {p}"),
            (false, None) => auth_error,
        };
        Ok(Response::new(pb::CheckRingCentralResponse {
            server_url: rc.config().server_url.to_string(),
            authenticated: rc.login().await.is_ok(),
            auth_error,
            subscription: sub.as_ref().map(subscription),
            rate_limits: rc
                .rate_limit_status()
                .into_iter()
                .map(|r| pb::RateLimitGroup {
                    group: r.group,
                    limit: r.limit.unwrap_or(0),
                    remaining: r.remaining.unwrap_or(0),
                    window_s: r.window.map(|w| w.as_secs() as u32).unwrap_or(0),
                })
                .collect(),
        }))
    }

    async fn list_extensions(
        &self,
        _req: Request<pb::ListExtensionsRequest>,
    ) -> Result<Response<pb::ListExtensionsResponse>, Status> {
        let extensions = self
            .engine
            .rc()
            .list_extensions(&ringcentral::ExtensionQuery::default())
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::ListExtensionsResponse {
            extensions: extensions
                .into_iter()
                .map(|e| pb::Extension {
                    extension_id: e.id,
                    extension_number: e.extension_number.unwrap_or_default(),
                    name: e.name.unwrap_or_default(),
                    r#type: e.type_.unwrap_or_default(),
                    status: e.status.unwrap_or_default(),
                })
                .collect(),
        }))
    }

    async fn list_subscriptions(
        &self,
        _req: Request<pb::ListSubscriptionsRequest>,
    ) -> Result<Response<pb::ListSubscriptionsResponse>, Status> {
        let subs = self
            .engine
            .rc()
            .list_subscriptions()
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::ListSubscriptionsResponse {
            subscriptions: subs.iter().map(subscription).collect(),
        }))
    }
}

#[tonic::async_trait]
impl TelephonyIngestService for RingCentralApi {
    async fn ingest_telephony_events(
        &self,
        req: Request<pb::IngestTelephonyEventsRequest>,
    ) -> Result<Response<pb::IngestTelephonyEventsResponse>, Status> {
        let req = req.into_inner();
        if req.events.is_empty() || req.events.len() > 1000 {
            return Err(Error::invalid("events", "1..=1000 events").into());
        }
        let (mut accepted, mut unmatched) = (0u32, 0u32);
        for (i, event) in req.events.iter().enumerate() {
            if event.telephony_session_id.is_empty() {
                return Err(Error::invalid(
                    format!("events[{i}].telephony_session_id"),
                    "required",
                )
                .into());
            }
            match self.engine.ingest_one(event).await? {
                Ingested::Applied => accepted += 1,
                Ingested::Parked => {
                    accepted += 1;
                    unmatched += 1;
                }
            }
        }
        Ok(Response::new(pb::IngestTelephonyEventsResponse {
            accepted,
            unmatched,
        }))
    }
}
