//! Wiring: Redis store, RingCentral client, engine workers, gRPC + grpc-web services (with
//! auth), health, reflection, CORS, static files, metrics endpoint, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use holdhunter_proto::v1::destination_service_server::DestinationServiceServer;
use holdhunter_proto::v1::job_service_server::JobServiceServer;
use holdhunter_proto::v1::line_service_server::LineServiceServer;
use holdhunter_proto::v1::queue_service_server::QueueServiceServer;
use holdhunter_proto::v1::ring_central_service_server::RingCentralServiceServer;
use holdhunter_proto::v1::telephony_ingest_service_server::TelephonyIngestServiceServer;
use http::{HeaderName, HeaderValue, Method};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tonic::service::interceptor::InterceptedService;
use tonic_health::ServingStatus;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::api::catalog::CatalogApi;
use crate::api::jobs::JobApi;
use crate::api::ringcentral::RingCentralApi;
use crate::auth::TokenCheck;
use crate::config::ServerConfig;
use crate::engine::Engine;
use crate::engine::media::{MediaSupervisor, NoMedia};
use crate::store::Store;

/// gRPC service names reported by `grpc.health.v1`.
pub const SERVICE_NAMES: &[&str] = &[
    "holdhunter.v1.JobService",
    "holdhunter.v1.LineService",
    "holdhunter.v1.QueueService",
    "holdhunter.v1.DestinationService",
    "holdhunter.v1.RingCentralService",
    "holdhunter.v1.TelephonyIngestService",
];

/// Pluggable parts that are not configuration.
#[derive(Clone)]
pub struct ServerOptions {
    /// Per-leg audio pipeline; default [`NoMedia`].
    pub media: Arc<dyn MediaSupervisor>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            media: Arc::new(NoMedia),
        }
    }
}

/// A started server.
pub struct RunningServer {
    /// gRPC address.
    pub local_addr: SocketAddr,
    /// Bound `/metrics` address, if enabled.
    pub metrics_addr: Option<SocketAddr>,
    /// The engine (for in-process callers such as the media pipeline or tests).
    pub engine: Engine,
    task: JoinHandle<anyhow::Result<()>>,
}

impl RunningServer {
    /// Waits until the server stopped (after the shutdown future resolved and draining).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task
            .await
            .map_err(|e| anyhow::anyhow!("server task failed: {e}"))?
    }
}

/// Runs the server on `listener` until `shutdown` resolves, then drains (within
/// `shutdown_deadline_ms`) and returns. Start-up errors are one line (see
/// [`ServerConfig::validate_static`] and the Redis check).
pub async fn run(
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    start(config, listener, shutdown, ServerOptions::default())
        .await?
        .wait()
        .await
}

fn cors_layer(origins: &[String]) -> anyhow::Result<CorsLayer> {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let values = origins
            .iter()
            .map(|o| {
                HeaderValue::from_str(o).map_err(|_| {
                    anyhow::anyhow!("cors_allowed_origins: {o:?} is not a valid origin")
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(values)
    };
    Ok(CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("grpc-status"),
            HeaderName::from_static("grpc-message"),
            HeaderName::from_static("grpc-status-details-bin"),
            HeaderName::from_static("hh-error-reason"),
        ])
        .max_age(Duration::from_secs(86_400)))
}

/// Starts the server and returns once it is serving.
pub async fn start(
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: ServerOptions,
) -> anyhow::Result<RunningServer> {
    config.validate_static()?;
    let cors = cors_layer(&config.cors_allowed_origins)?;
    let store = Store::connect(
        &config.redis.url,
        Duration::from_millis(config.redis.connect_timeout_ms),
        &config.engine,
    )
    .await?;
    let rc = ringcentral::Client::new(config.ringcentral.client_config())
        .map_err(|e| anyhow::anyhow!("ringcentral: {e}"))?;
    match rc.login().await {
        Ok(()) => {}
        Err(e @ ringcentral::Error::Auth { .. }) => {
            anyhow::bail!(
                "RingCentral login failed at {}: {e}; check HH_RINGCENTRAL__CLIENT_ID / CLIENT_SECRET / JWT",
                config.ringcentral.server_url
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "RingCentral not reachable at start-up; will retry on use")
        }
    }
    let local_addr = listener.local_addr()?;
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    // The real media pipeline when `media` is enabled; otherwise the given supervisor.
    let media: Arc<dyn MediaSupervisor> = if config.media.is_enabled() {
        Arc::new(crate::media::DetectorSupervisor::from_config(
            &config.media,
            store.clone(),
            shutdown_rx.clone(),
        )?)
    } else {
        options.media.clone()
    };
    let mut engine_config = config.engine.clone();
    if config.media.is_enabled() {
        engine_config.ivr_fallback_ms = engine_config.ivr_fallback_with_media_ms;
    }
    let engine = Engine::new(store, rc, engine_config, media, shutdown_rx.clone());
    let workers = crate::engine::workers::spawn_all(&engine, config.webhook.clone());

    // Metrics.
    crate::telemetry::prometheus();
    let metrics_addr = match config.metrics_listen {
        Some(addr) => {
            let l = crate::telemetry::bind_metrics(addr).await?;
            let bound = l.local_addr()?;
            let mut rx = shutdown_rx.clone();
            tokio::spawn(crate::telemetry::serve_metrics(l, async move {
                let _ = rx.wait_for(|v| *v).await;
            }));
            Some(bound)
        }
        None => None,
    };

    // Health and reflection (open).
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_service_status("", ServingStatus::Serving).await;
    for name in SERVICE_NAMES {
        health
            .set_service_status(*name, ServingStatus::Serving)
            .await;
    }
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(holdhunter_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(holdhunter_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;

    // Auth.
    let public = TokenCheck::new(&config.auth.api_token_sha256, config.auth.disabled);
    let ingest = TokenCheck::new(&config.ingest.token_sha256, config.auth.disabled);
    if config.auth.disabled {
        tracing::warn!(
            "AUTHENTICATION DISABLED (auth.disabled = true): every RPC is open; local development only"
        );
        let mut rx = shutdown_rx.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(300)) => {
                        tracing::warn!("AUTHENTICATION DISABLED: every RPC is open");
                    }
                    _ = rx.changed() => return,
                }
            }
        });
    } else if config.ingest.token_sha256.is_empty() {
        tracing::warn!(
            "ingest.token_sha256 is empty: TelephonyIngestService rejects every call (the webhook bridge cannot deliver events; reconciliation still runs)"
        );
    }

    let max = config.max_request_bytes;
    let jobs = JobApi {
        engine: engine.clone(),
    };
    let catalog = CatalogApi {
        engine: engine.clone(),
    };
    let rcapi = RingCentralApi {
        engine: engine.clone(),
    };
    let mut routes = tonic::service::Routes::builder();
    routes
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(InterceptedService::new(
            JobServiceServer::new(jobs).max_decoding_message_size(max),
            public.clone(),
        ))
        .add_service(InterceptedService::new(
            LineServiceServer::new(catalog.clone()).max_decoding_message_size(max),
            public.clone(),
        ))
        .add_service(InterceptedService::new(
            QueueServiceServer::new(catalog.clone()).max_decoding_message_size(max),
            public.clone(),
        ))
        .add_service(InterceptedService::new(
            DestinationServiceServer::new(catalog).max_decoding_message_size(max),
            public.clone(),
        ))
        .add_service(InterceptedService::new(
            RingCentralServiceServer::new(rcapi.clone()).max_decoding_message_size(max),
            public,
        ))
        .add_service(InterceptedService::new(
            TelephonyIngestServiceServer::new(rcapi).max_decoding_message_size(max),
            ingest,
        ));
    let routes = routes.routes();
    if let Some(dir) = &config.static_dir {
        anyhow::ensure!(
            dir.is_dir(),
            "static_dir {} is not a directory",
            dir.display()
        );
    }
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tonic::transport::Server::builder()
        .accept_http1(true)
        .layer(cors)
        .layer(crate::static_files::StaticFilesLayer::new(
            config.static_dir.clone(),
        ))
        .layer(tonic_web::GrpcWebLayer::new())
        .layer(crate::telemetry::RpcMetricsLayer)
        .add_routes(routes)
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            async move {
                let _ = stop_rx.await;
            },
        );
    let deadline = Duration::from_millis(config.shutdown_deadline_ms);
    tracing::info!(%local_addr, ?metrics_addr, auth_disabled = config.auth.disabled, "hold-hunter-server listening (gRPC + grpc-web)");
    let task = tokio::spawn(async move {
        let mut server = tokio::spawn(server);
        tokio::select! {
            _ = shutdown => {}
            r = &mut server => {
                // The server ended by itself (error).
                let _ = shutdown_tx.send(true);
                return r.map_err(|e| anyhow::anyhow!("server task: {e}"))?.map_err(|e| anyhow::anyhow!("server: {e}"));
            }
        }
        tracing::info!("shutdown: health NOT_SERVING, ending streams, draining");
        health
            .set_service_status("", ServingStatus::NotServing)
            .await;
        for name in SERVICE_NAMES {
            health
                .set_service_status(*name, ServingStatus::NotServing)
                .await;
        }
        let _ = shutdown_tx.send(true);
        let _ = stop_tx.send(());
        let drained = tokio::time::timeout(deadline, &mut server).await;
        for w in workers {
            w.abort();
        }
        match drained {
            Ok(r) => {
                r.map_err(|e| anyhow::anyhow!("server task: {e}"))?
                    .map_err(|e| anyhow::anyhow!("server: {e}"))?;
                tracing::info!("shutdown complete");
            }
            Err(_) => {
                tracing::warn!(
                    deadline_ms = deadline.as_millis() as u64,
                    "shutdown deadline exceeded; aborting open requests"
                );
                server.abort();
            }
        }
        Ok(())
    });
    Ok(RunningServer {
        local_addr,
        metrics_addr,
        engine,
        task,
    })
}
