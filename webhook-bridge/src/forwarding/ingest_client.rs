//! The authenticated client of the server's `TelephonyIngestService` and its gRPC health
//! service, over one persistent HTTP/2 channel.

use std::time::Duration;

use holdhunter_proto::v1::telephony_ingest_service_client::TelephonyIngestServiceClient;
use holdhunter_proto::v1::{
    IngestTelephonyEventsRequest, IngestTelephonyEventsResponse, TelephonySessionEvent,
};
use secrecy::{ExposeSecret, SecretString};
use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::config::BridgeConfig;

/// Connection settings of the server channel.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);
const HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// Clonable handle (clones share the channel) for ingest RPCs and health checks.
#[derive(Clone)]
pub struct IngestClient {
    ingest: TelephonyIngestServiceClient<Channel>,
    health: HealthClient<Channel>,
    /// `Bearer <ingest token>`, marked sensitive so HTTP/2 never indexes it (HPACK) and
    /// `Debug` hides it.
    authorization: AsciiMetadataValue,
    rpc_timeout: Duration,
}

/// The client could not be built from the config.
#[derive(Debug, thiserror::Error)]
pub enum IngestClientError {
    /// `server_url` is not a valid URI.
    #[error("server_url is not a valid gRPC endpoint URI")]
    InvalidServerUrl,
    /// The ingest token has characters not allowed in a header value.
    #[error("ingest_token is not a valid header value (visible ASCII only)")]
    InvalidIngestToken,
}

impl IngestClient {
    /// Builds the lazily connecting channel (connects on first use, reconnects after the
    /// server goes away) with TCP_NODELAY and HTTP/2 keepalive PINGs, also while idle.
    pub fn new(config: &BridgeConfig) -> Result<Self, IngestClientError> {
        let endpoint = Endpoint::from_shared(config.server_url.clone())
            .map_err(|_| IngestClientError::InvalidServerUrl)?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(config.http2_keepalive_interval)
            .keep_alive_timeout(KEEPALIVE_TIMEOUT)
            .keep_alive_while_idle(true);
        let channel = endpoint.connect_lazy();
        Ok(Self {
            ingest: TelephonyIngestServiceClient::new(channel.clone()),
            health: HealthClient::new(channel),
            authorization: bearer(&config.ingest_token)?,
            rpc_timeout: config.rpc_timeout,
        })
    }

    /// One `IngestTelephonyEvents` RPC with the bearer credential and the configured deadline.
    pub async fn ingest(
        &self,
        events: Vec<TelephonySessionEvent>,
    ) -> Result<IngestTelephonyEventsResponse, tonic::Status> {
        let mut request = tonic::Request::new(IngestTelephonyEventsRequest { events });
        request.set_timeout(self.rpc_timeout);
        request
            .metadata_mut()
            .insert("authorization", self.authorization.clone());
        let mut client = self.ingest.clone();
        client
            .ingest_telephony_events(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// `grpc.health.v1.Health/Check` for the whole server (service `""`). True when the server
    /// answers SERVING, or answers at all without a health service (`Unimplemented`: reachable).
    pub async fn server_ready(&self) -> bool {
        let mut request = tonic::Request::new(HealthCheckRequest {
            service: String::new(),
        });
        request.set_timeout(HEALTH_CHECK_TIMEOUT);
        request
            .metadata_mut()
            .insert("authorization", self.authorization.clone());
        let mut client = self.health.clone();
        let answer = tokio::time::timeout(HEALTH_CHECK_TIMEOUT, client.check(request)).await;
        match answer {
            Ok(Ok(response)) => response.into_inner().status == ServingStatus::Serving as i32,
            Ok(Err(status)) => status.code() == tonic::Code::Unimplemented,
            Err(_elapsed) => false,
        }
    }
}

fn bearer(token: &SecretString) -> Result<AsciiMetadataValue, IngestClientError> {
    let mut value: AsciiMetadataValue =
        MetadataValue::try_from(format!("Bearer {}", token.expose_secret()))
            .map_err(|_| IngestClientError::InvalidIngestToken)?;
    value.set_sensitive(true);
    Ok(value)
}
