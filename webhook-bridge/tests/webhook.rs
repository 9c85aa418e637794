//! The HTTP side: handshake, Verification-Token, refused bodies, probes. Real sockets, real
//! bridge, fake ingest server over real gRPC.

mod support;

use std::time::{Duration, Instant};

use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw HTTP/1.1 bytes and returns the complete raw response (server closes the
/// connection because of `Connection: close`).
async fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("response within 10 s")
        .unwrap();
    response
}

fn split_response(raw: &[u8]) -> (String, Vec<(String, String)>, Vec<u8>) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header terminator");
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap().to_owned();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    (status_line, headers, raw[end + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn validation_handshake_echoes_token_with_empty_200_under_1024_bytes() {
    let server = FakeIngestServer::start().await;
    let bridge = Bridge::start(config(server.addr)).await;
    let token = "00000000-0000-4000-8000-00000000fake";

    // As documented: empty body, Validation-Token (with and without Verification-Token).
    for with_verification in [true, false] {
        let verification = if with_verification {
            format!("Verification-Token: {VERIFICATION_TOKEN}\r\n")
        } else {
            String::new()
        };
        let request = format!(
            "POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: bridge.test\r\nValidation-Token: {token}\r\n\
             {verification}Content-Type: application/json\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        );
        let started = Instant::now();
        let raw = raw_exchange(bridge.addr, request.as_bytes()).await;
        let elapsed = started.elapsed();
        assert!(
            elapsed < Duration::from_secs(3),
            "RingCentral needs < 3000 ms: {elapsed:?}"
        );
        assert!(raw.len() < 1024, "whole response is {} bytes", raw.len());
        let (status_line, headers, body) = split_response(&raw);
        assert_eq!(status_line, "HTTP/1.1 200 OK");
        assert_eq!(header(&headers, "validation-token"), Some(token));
        assert_eq!(header(&headers, "content-length"), Some("0"));
        assert_eq!(header(&headers, "content-type"), Some("application/json"));
        assert!(body.is_empty());
    }

    // A token too long to echo within 1024 bytes is refused.
    let long = "x".repeat(600);
    let request = format!(
        "POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: bridge.test\r\nValidation-Token: {long}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let raw = raw_exchange(bridge.addr, request.as_bytes()).await;
    let (status_line, headers, _) = split_response(&raw);
    assert_eq!(status_line, "HTTP/1.1 400 Bad Request");
    assert_eq!(header(&headers, "validation-token"), None);

    // Handshakes are counted and never forwarded: a real delivery afterwards is the only event.
    assert_eq!(
        bridge.deliver(notification("s-after-handshake", 2)).await,
        200
    );
    eventually("the delivery after the handshake", || async {
        !server.record.events().is_empty()
    })
    .await;
    assert_eq!(
        keys(&server.record.events()),
        [("s-after-handshake".into(), 2)]
    );
    assert_eq!(bridge.deliveries("validation").await, 3.0);
    assert_eq!(bridge.deliveries("accepted").await, 1.0);
}

#[tokio::test]
async fn missing_or_wrong_verification_token_is_refused_counted_and_not_forwarded() {
    let server = FakeIngestServer::start().await;
    let bridge = Bridge::start(config(server.addr)).await;

    assert_eq!(bridge.post_with(notification("s-none", 2), None).await, 401);
    // Same length, one character off.
    assert_eq!(
        bridge
            .post_with(notification("s-wrong", 2), Some("test-verification-tokem"))
            .await,
        401
    );
    assert_eq!(
        bridge
            .post_with(notification("s-short", 2), Some("t"))
            .await,
        401
    );
    assert_eq!(
        bridge.post_with(notification("s-empty", 2), Some("")).await,
        401
    );
    assert_eq!(bridge.deliver(notification("s-good", 2)).await, 200);

    eventually("the verified delivery", || async {
        !server.record.events().is_empty()
    })
    .await;
    // Single ordered queue: anything accepted before it would have arrived before it.
    assert_eq!(keys(&server.record.events()), [("s-good".into(), 2)]);
    assert_eq!(bridge.deliveries("rejected_unauthorized").await, 4.0);
    assert_eq!(bridge.deliveries("accepted").await, 1.0);
}

#[tokio::test]
async fn malformed_invalid_oversize_and_non_telephony_bodies() {
    let server = FakeIngestServer::start().await;
    let bridge = Bridge::start(config(server.addr)).await;
    let good: serde_json::Value = serde_json::from_str(&notification("s-x", 2)).unwrap();

    // Malformed: not JSON, not an object, empty body.
    for body in ["{not json", "[1, 2]", ""] {
        assert_eq!(bridge.deliver(body).await, 400, "{body:?}");
    }

    // Invalid: missing what the engine needs.
    let mut missing_session = good.clone();
    missing_session["body"]
        .as_object_mut()
        .unwrap()
        .remove("telephonySessionId");
    let mut missing_sequence = good.clone();
    missing_sequence["body"]
        .as_object_mut()
        .unwrap()
        .remove("sequence");
    let mut no_parties = good.clone();
    no_parties["body"]["parties"] = serde_json::json!([]);
    let mut no_status_code = good.clone();
    no_status_code["body"]["parties"][0]["status"]
        .as_object_mut()
        .unwrap()
        .remove("code");
    let mut no_party_id = good.clone();
    no_party_id["body"]["parties"][0]
        .as_object_mut()
        .unwrap()
        .remove("id");
    for body in [
        missing_session,
        missing_sequence,
        no_parties,
        no_status_code,
        no_party_id,
    ] {
        assert_eq!(bridge.deliver(body.to_string()).await, 400, "{body}");
    }

    // Oversize with Content-Length: 413.
    let max = 64 * 1024;
    let mut padded = notification("s-oversize", 2);
    padded.push_str(&" ".repeat(max + 1 - padded.len()));
    assert_eq!(padded.len(), max + 1);
    assert_eq!(bridge.deliver(padded).await, 413);

    // Oversize without Content-Length (chunked): 413 while reading.
    let chunk = " ".repeat(16 * 1024);
    let mut request = format!(
        "POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: bridge.test\r\nVerification-Token: {VERIFICATION_TOKEN}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..5 {
        request.extend(format!("{:x}\r\n{chunk}\r\n", chunk.len()).into_bytes());
    }
    request.extend(b"0\r\n\r\n");
    let raw = raw_exchange(bridge.addr, &request).await;
    let (status_line, _, _) = split_response(&raw);
    assert_eq!(status_line, "HTTP/1.1 413 Payload Too Large");

    // Exactly at the limit is fine (unknown fields and whitespace tolerated).
    let mut at_limit = notification("s-at-limit", 2);
    at_limit.push_str(&" ".repeat(max - at_limit.len()));
    assert_eq!(bridge.deliver(at_limit).await, 200);

    // A subscription renewal reminder: 200, ignored.
    let reminder = serde_json::json!({
        "uuid": "5563541093658012431",
        "event": "/restapi/v1.0/subscription/~?threshold=86400&interval=3600",
        "timestamp": "2024-01-01T00:00:00.000Z",
        "subscriptionId": "4a2eee85-880d-4690-9959-85d9fc70728b",
        "ownerId": "170848004",
        "body": {"id": "4a2eee85-880d-4690-9959-85d9fc70728b", "expirationTime": "2024-01-02T00:00:00.000Z",
                 "expiresIn": 86399, "status": "Active", "eventFilters": [], "deliveryMode": {}}
    });
    assert_eq!(bridge.deliver(reminder.to_string()).await, 200);

    assert_eq!(bridge.deliver(notification("s-sync", 2)).await, 200);
    eventually("two accepted events", || async {
        server.record.events().len() >= 2
    })
    .await;
    assert_eq!(
        keys(&server.record.events()),
        [("s-at-limit".into(), 2), ("s-sync".into(), 2)]
    );
    assert_eq!(bridge.deliveries("rejected_malformed").await, 3.0);
    assert_eq!(bridge.deliveries("rejected_invalid").await, 5.0);
    assert_eq!(bridge.deliveries("rejected_too_large").await, 2.0);
    assert_eq!(bridge.deliveries("ignored_non_telephony").await, 1.0);
    assert_eq!(bridge.deliveries("accepted").await, 2.0);
}

#[tokio::test]
async fn healthz_readyz_and_metrics() {
    let addr = unused_addr().await;
    let bridge = Bridge::start(config(addr)).await;

    assert_eq!(bridge.get("/healthz").await.0, 200);
    let (status, text) = bridge.get("/readyz").await;
    assert_eq!(
        (status, text.as_str()),
        (503, "server unreachable or not serving")
    );

    let server = FakeIngestServer::start_at(addr, Default::default()).await;
    eventually("/readyz 200 once the server is up", || async {
        bridge.get("/readyz").await.0 == 200
    })
    .await;

    let record = server.stop().await;
    eventually("/readyz 503 once the server is down", || async {
        bridge.get("/readyz").await.0 == 503
    })
    .await;
    drop(record);

    assert_eq!(bridge.deliver(notification("s-metrics", 2)).await, 200);
    eventually("a failed forward attempt", || async {
        bridge
            .metric("hh_bridge_forward_batches_total{result=\"error\"}")
            .await
            >= 1.0
    })
    .await;
    let (status, text) = bridge.get("/metrics").await;
    assert_eq!(status, 200);
    for name in [
        "hh_bridge_deliveries_total{outcome=\"dropped_queue_full\"} 0",
        "hh_bridge_ack_latency_seconds",
        "hh_bridge_forward_latency_seconds",
        "hh_bridge_queue_depth 1",
        "hh_bridge_forward_errors_total{code=\"Unavailable\"}",
        "hh_bridge_forward_batches_total",
    ] {
        assert!(text.contains(name), "missing {name} in\n{text}");
    }
}
