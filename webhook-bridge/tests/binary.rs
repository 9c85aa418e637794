//! The `hold-hunter-bridge` binary as a real process: `--help`, env configuration, handshake,
//! forwarding, SIGTERM drain, and no secret in its output.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use support::*;

const BIN: &str = env!("CARGO_BIN_EXE_hold-hunter-bridge");

#[test]
fn help_teaches_and_hides_secret_env_values() {
    let output = Command::new(BIN)
        .arg("--help")
        .env("HH_BRIDGE_INGEST_TOKEN", "test-secret-should-not-print")
        .env(
            "HH_BRIDGE_VERIFICATION_TOKEN",
            "test-secret-should-not-print",
        )
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "EXAMPLE",
        "HH_BRIDGE_VERIFICATION_TOKEN=test-verification-token",
        "HH_BRIDGE_INGEST_TOKEN",
        "HH_BRIDGE_SERVER_URL",
        "HH_BRIDGE_QUEUE_CAPACITY",
        "--shutdown-deadline-ms",
        "/webhooks/ringcentral",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    assert!(!help.contains("test-secret-should-not-print"), "{help}");
}

#[tokio::test]
async fn binary_serves_forwards_and_drains_on_sigterm() {
    let server = FakeIngestServer::start().await;
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("HH_BRIDGE_VERIFICATION_TOKEN", VERIFICATION_TOKEN)
        .env("HH_BRIDGE_INGEST_TOKEN", INGEST_TOKEN)
        .env("HH_BRIDGE_SERVER_URL", server.url())
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let addr: std::net::SocketAddr = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the bridge logs its address");
        log.push(line.clone());
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if json["fields"]["message"] == "hold-hunter-bridge listening" {
            break json["fields"]["local_addr"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
        }
    };

    let http = reqwest::Client::new();
    let url = format!("http://{addr}{WEBHOOK_PATH}");
    let handshake = http
        .post(&url)
        .header("Validation-Token", "test-validation-token")
        .send()
        .await
        .unwrap();
    assert_eq!(handshake.status(), 200);
    assert_eq!(
        handshake.headers()["validation-token"],
        "test-validation-token"
    );
    for sequence in 2..5 {
        let status = http
            .post(&url)
            .header("Verification-Token", VERIFICATION_TOKEN)
            .body(notification("s-binary", sequence))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    let wrong = http
        .post(&url)
        .header("Verification-Token", "test-wrong-token")
        .body(notification("s-binary", 9))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    eventually("3 events at the server", || async {
        server.record.events().len() >= 3
    })
    .await;
    assert_eq!(
        keys(&server.record.events()),
        [
            ("s-binary".into(), 2),
            ("s-binary".into(), 3),
            ("s-binary".into(), 4)
        ]
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "exit status {status}");
    while let Ok(line) = lines_rx.recv_timeout(Duration::from_secs(5)) {
        log.push(line);
    }
    let log = log.join("\n");
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("every accepted event was forwarded"), "{log}");
    for secret in [VERIFICATION_TOKEN, INGEST_TOKEN, "test-wrong-token"] {
        assert!(!log.contains(secret), "log leaks {secret}:\n{log}");
    }
}
