//! Boot, health, reflection, auth, StartJob validation, config errors, metrics: against a real
//! redis-server and the simulator over real sockets.

mod common;

use std::time::Duration;

use common::*;
use holdhunter_proto::v1 as pb;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reflection_and_metrics_are_served() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;

    let mut health = tonic_health::pb::health_client::HealthClient::new(ch.clone());
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "holdhunter.v1.JobService".into(),
        })
        .await
        .expect("health is open without a token")
        .into_inner()
        .status;
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    // Reflection v1alpha (grpcurl 1.8) lists our services and health.
    use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;
    let mut refl = ServerReflectionClient::new(ch.clone());
    let req = tonic_reflection::pb::v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = refl
        .server_reflection_info(tokio_stream::iter(vec![req]))
        .await
        .unwrap()
        .into_inner();
    let msg = stream.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = msg.message_response else {
        panic!("unexpected reflection answer");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for want in [
        "holdhunter.v1.JobService",
        "holdhunter.v1.TelephonyIngestService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }

    // Metrics endpoint renders after an RPC.
    let metrics_addr = server.running.as_ref().unwrap().metrics_addr.unwrap();
    let body = reqwest_get(&format!("http://{metrics_addr}/metrics")).await;
    assert!(body.contains("hh_rpc_duration_seconds"), "metrics: {body}");

    // Graceful stop flips health to NOT_SERVING (observed through the returned future).
    server.stop().await;
}

async fn reqwest_get(url: &str) -> String {
    // Plain HTTP/1.1 GET over a TcpStream (no extra HTTP client dependency).
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let u: url::Url = url.parse().unwrap();
    let mut s = tokio::net::TcpStream::connect((u.host_str().unwrap(), u.port().unwrap()))
        .await
        .unwrap();
    s.write_all(
        format!(
            "GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            u.path()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_and_ingest_tokens_are_separate() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;
    let mut jobs = pb::job_service_client::JobServiceClient::new(ch.clone());

    // Missing token.
    let err = jobs
        .list_jobs(pb::ListJobsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert_eq!(reason(&err), "UNAUTHENTICATED");

    // Wrong token.
    let mut req = tonic::Request::new(pb::ListJobsRequest::default());
    req.metadata_mut()
        .insert("authorization", "Bearer wrong-token".parse().unwrap());
    assert_eq!(
        jobs.list_jobs(req).await.unwrap_err().code(),
        Code::Unauthenticated
    );

    // The ingest token does not open public services...
    let mut req = tonic::Request::new(pb::ListJobsRequest::default());
    req.metadata_mut().insert(
        "authorization",
        format!("Bearer {INGEST_TOKEN}").parse().unwrap(),
    );
    assert_eq!(
        jobs.list_jobs(req).await.unwrap_err().code(),
        Code::Unauthenticated
    );

    // ...and the public token does not open ingest.
    let mut ingest =
        pb::telephony_ingest_service_client::TelephonyIngestServiceClient::new(ch.clone());
    let event = pb::TelephonySessionEvent {
        telephony_session_id: "s-unknown".into(),
        sequence: 2,
        ..Default::default()
    };
    let err = ingest
        .ingest_telephony_events(authed(pb::IngestTelephonyEventsRequest {
            events: vec![event.clone()],
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);

    // The right tokens work.
    jobs.list_jobs(authed(pb::ListJobsRequest::default()))
        .await
        .unwrap();
    let mut req = tonic::Request::new(pb::IngestTelephonyEventsRequest {
        events: vec![event],
    });
    req.metadata_mut().insert(
        "authorization",
        format!("Bearer {INGEST_TOKEN}").parse().unwrap(),
    );
    let out = ingest
        .ingest_telephony_events(req)
        .await
        .unwrap()
        .into_inner();
    assert_eq!((out.accepted, out.unmatched), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_job_validation_codes_and_reasons() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let mut jobs = server.jobs().await;

    let expect =
        |r: Result<tonic::Response<pb::StartJobResponse>, tonic::Status>, code: Code, why: &str| {
            let err = r.expect_err("must fail");
            assert_eq!(err.code(), code, "{err:?}");
            assert_eq!(reason(&err), why, "{err:?}");
        };

    expect(
        jobs.start_job(authed(start_request("irs-pps", 101))).await,
        Code::InvalidArgument,
        "INVALID_ARGUMENT",
    );
    // The BadRequest detail names the field.
    let err = jobs
        .start_job(authed(start_request("irs-pps", 101)))
        .await
        .unwrap_err();
    use tonic_types::StatusExt;
    let details = err.get_error_details();
    assert_eq!(
        details.bad_request().unwrap().field_violations[0].field,
        "line_count"
    );
    assert_eq!(details.error_info().unwrap().domain, "holdhunter.v1");

    expect(
        jobs.start_job(authed(start_request("", 2))).await,
        Code::InvalidArgument,
        "INVALID_ARGUMENT",
    );
    expect(
        jobs.start_job(authed(start_request("no-such-place", 2)))
            .await,
        Code::NotFound,
        "DESTINATION_NOT_FOUND",
    );
    let mut req = start_request("irs-pps", 2);
    req.queue_id = "no-such-queue".into();
    expect(
        jobs.start_job(authed(req)).await,
        Code::NotFound,
        "QUEUE_NOT_FOUND",
    );
    let mut req = start_request("irs-pps", 2);
    req.max_transfers = 3;
    expect(
        jobs.start_job(authed(req)).await,
        Code::InvalidArgument,
        "INVALID_ARGUMENT",
    );
    let mut req = start_request("irs-pps", 2);
    req.max_duration = Some(prost_types::Duration {
        seconds: 5,
        nanos: 0,
    });
    expect(
        jobs.start_job(authed(req)).await,
        Code::InvalidArgument,
        "INVALID_ARGUMENT",
    );
    let mut req = start_request("irs-pps", 0);
    req.pool = "a".into();
    req.line_ids = vec!["x".into()];
    expect(
        jobs.start_job(authed(req)).await,
        Code::InvalidArgument,
        "INVALID_ARGUMENT",
    );

    // 12 lines exist: 13 is more than free.
    expect(
        jobs.start_job(authed(start_request("irs-pps", 13))).await,
        Code::FailedPrecondition,
        "LINES_UNAVAILABLE",
    );
    let mut req = start_request("irs-pps", 0);
    req.line_ids = vec!["no-such-device".into()];
    expect(
        jobs.start_job(authed(req)).await,
        Code::NotFound,
        "LINE_NOT_FOUND",
    );

    // A job on 10 lines leaves 2: 3 are unavailable, and its lines are in use.
    let job = jobs
        .start_job(authed(start_request("irs-pps", 10)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.legs.len(), 10);
    expect(
        jobs.start_job(authed(start_request("irs-pps", 3))).await,
        Code::FailedPrecondition,
        "LINES_UNAVAILABLE",
    );
    let mut req = start_request("irs-pps", 0);
    req.line_ids = vec![job.legs[0].line_id.clone()];
    expect(
        jobs.start_job(authed(req)).await,
        Code::FailedPrecondition,
        "LINE_IN_USE",
    );

    // line_count 0 means the default (6) — but only 2 are free.
    expect(
        jobs.start_job(authed(start_request("irs-pps", 0))).await,
        Code::FailedPrecondition,
        "LINES_UNAVAILABLE",
    );

    // Stop frees the lines; then 0 → 6 legs works; idempotent request ids return the same job.
    jobs.stop_job(authed(pb::StopJobRequest {
        job_id: job.job_id.clone(),
    }))
    .await
    .unwrap();
    let mut req = start_request("irs-pps", 0);
    req.request_id = "test-request-1".into();
    let a = jobs
        .start_job(authed(req.clone()))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(a.legs.len(), 6);
    let b = jobs
        .start_job(authed(req))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(a.job_id, b.job_id);

    // Unknown job.
    let err = jobs
        .get_job(authed(pb::GetJobRequest {
            job_id: "job_nope".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), reason(&err).as_str()),
        (Code::NotFound, "JOB_NOT_FOUND")
    );
    jobs.stop_job(authed(pb::StopJobRequest { job_id: a.job_id }))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_unreachable_is_a_one_line_error() {
    let sim = ringcentral_sim::spawn(sim_config()).await.unwrap();
    let port = holdhunter_devstack::redis_server::free_port().unwrap();
    let mut cfg = server_config(sim.base_url(), &format!("redis://127.0.0.1:{port}/"), None);
    cfg.redis.connect_timeout_ms = 1_000;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = hold_hunter_server::run(cfg, listener, std::future::pending())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "redis unreachable at redis://127.0.0.1:{port}/: start redis-server or set HH_REDIS_URL"
        )),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
}

#[tokio::test]
async fn config_requires_tokens_unless_auth_disabled() {
    let mut cfg = server_config("http://127.0.0.1:1", "redis://127.0.0.1:1/", None);
    cfg.auth.api_token_sha256.clear();
    let err = cfg.validate_static().unwrap_err().to_string();
    assert!(err.contains("auth.api_token_sha256"), "{err}");
    cfg.auth.disabled = true;
    cfg.validate_static().unwrap();
    cfg.auth.api_token_sha256 = vec!["not-a-digest".into()];
    assert!(cfg.validate_static().is_err());
    // Secrets never show in Debug / serialized config.
    let shown = format!("{:?} {}", cfg, serde_json::to_string(&cfg).unwrap());
    assert!(
        !shown.contains("sim-client-secret") && !shown.contains("sim-jwt-assertion"),
        "{shown}"
    );
    let _ = Duration::from_secs(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_web_over_http1_with_cors_and_static_files() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stack = Stack::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html>hold hunter</html>").unwrap();
    let mut cfg = stack.config();
    cfg.static_dir = Some(dir.path().to_owned());
    let server = stack.server_with(cfg).await;

    let raw = |request: Vec<u8>| async move {
        let mut s = tokio::net::TcpStream::connect(server_addr(&request))
            .await
            .unwrap();
        s.write_all(&request[request.iter().position(|b| *b == b'\n').unwrap() + 1..])
            .await
            .unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        String::from_utf8_lossy(&out).to_string()
    };
    fn server_addr(req: &[u8]) -> String {
        let first = req.split(|b| *b == b'\n').next().unwrap();
        String::from_utf8_lossy(first).trim().to_owned()
    }
    let addr = server.addr.to_string();

    // CORS preflight from an allowed origin.
    let preflight = format!(
        "{addr}\nOPTIONS /holdhunter.v1.DestinationService/ListDestinations HTTP/1.1\r\nHost: x\r\n\
         Origin: http://localhost:5173\r\nAccess-Control-Request-Method: POST\r\n\
         Access-Control-Request-Headers: content-type,x-grpc-web,authorization\r\nConnection: close\r\n\r\n"
    );
    let answer = raw(preflight.into_bytes()).await.to_ascii_lowercase();
    assert!(
        answer.contains("access-control-allow-origin: http://localhost:5173"),
        "{answer}"
    );

    // A unary grpc-web call over HTTP/1.1: empty request message frame.
    let body = [0u8, 0, 0, 0, 0];
    let mut call = format!(
        "{addr}\nPOST /holdhunter.v1.DestinationService/ListDestinations HTTP/1.1\r\nHost: x\r\n\
         Origin: http://localhost:5173\r\nContent-Type: application/grpc-web+proto\r\nX-Grpc-Web: 1\r\n\
         Authorization: Bearer {API_TOKEN}\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    call.extend_from_slice(&body);
    let answer = raw(call).await;
    let lower = answer.to_ascii_lowercase();
    assert!(lower.starts_with("http/1.1 200"), "{answer}");
    assert!(lower.contains("access-control-expose-headers"), "{answer}");
    assert!(
        answer.contains("irs-pps") && answer.contains("grpc-status:0"),
        "{answer}"
    );

    // Without a token: grpc-status 16 and the reason header, readable by the browser.
    let mut call = format!(
        "{addr}\nPOST /holdhunter.v1.JobService/ListJobs HTTP/1.1\r\nHost: x\r\n\
         Origin: http://localhost:5173\r\nContent-Type: application/grpc-web+proto\r\nX-Grpc-Web: 1\r\n\
         Content-Length: 5\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    call.extend_from_slice(&body);
    let answer = raw(call).await.to_ascii_lowercase();
    assert!(
        answer.contains("grpc-status: 16") && answer.contains("hh-error-reason: unauthenticated"),
        "{answer}"
    );

    // Static files on the same port.
    let get = format!("{addr}\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let answer = raw(get.into_bytes()).await;
    assert!(answer.contains("<html>hold hunter</html>"), "{answer}");
    server.stop().await;
}

#[test]
fn toml_config_loads_and_unknown_keys_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.toml");
    std::fs::write(
        &file,
        r#"
listen = "127.0.0.1:50999"
[auth]
api_token_sha256 = ["3f98e3ad578064e710ba3876cb369f9c9c29331875673bebb80efe369c17adbd"]
[ringcentral]
client_id = "sim-client-id"
client_secret = "sim-client-secret"
jwt = "sim-jwt-assertion"
[engine]
stagger_ms = 500
"#,
    )
    .unwrap();
    let cfg = hold_hunter_server::ServerConfig::load(Some(&file)).unwrap();
    assert_eq!(cfg.listen.port(), 50999);
    assert_eq!(cfg.engine.stagger_ms, 500);
    assert_eq!(cfg.engine.ivr_fallback_ms, 15_000);
    cfg.validate_static().unwrap();

    std::fs::write(&file, "[engine]\nstager_ms = 1\n").unwrap();
    let err = hold_hunter_server::ServerConfig::load(Some(&file))
        .unwrap_err()
        .to_string();
    assert!(err.contains("stager_ms"), "{err}");
    let missing = hold_hunter_server::ServerConfig::load(Some(&dir.path().join("nope.toml")));
    assert!(missing.is_err());
}
