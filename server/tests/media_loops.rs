//! Loop libraries persist in a real redis-server: hashes learned through one supervisor are
//! flushed (periodically and at shutdown) and a second supervisor, as after a restart, loads
//! them at first use.

mod media_sim;

use std::sync::Arc;
use std::time::Duration;

use hold_hunter_server::media::{DetectorSupervisor, MediaConfig, WebSocketMediaSource, loop_key};
use hold_hunter_server::store::Store;
use media_sim::until;

async fn store(url: &str) -> Store {
    Store::connect(
        url,
        Duration::from_secs(5),
        &hold_hunter_server::config::EngineConfig::default(),
    )
    .await
    .unwrap()
}

fn supervisor(store: Store, shutdown: tokio::sync::watch::Receiver<bool>) -> DetectorSupervisor {
    let config = MediaConfig {
        loop_flush_interval_ms: 200,
        ..MediaConfig::default()
    };
    // The media source is never used here (no leg is started).
    let source = Arc::new(WebSocketMediaSource::new(
        "ws://127.0.0.1:9/sim/media/{telephonySessionId}",
        Duration::from_secs(1),
    ));
    DetectorSupervisor::new(store, config, source, shutdown)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loop_library_persists_and_a_restarted_supervisor_loads_it() {
    let redis = redis_server();
    let url = redis.url();
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let key = loop_key("irs-pps");
    assert_eq!(
        key,
        format!(
            "hh:loops:{{irs-pps}}:v{}",
            holdhunter_detect::FINGERPRINT_VERSION
        )
    );

    let (tx, rx) = tokio::sync::watch::channel(false);
    let first = supervisor(store(&url).await, rx);
    let library = first.loops().library("irs-pps").await;
    assert!(library.is_empty());
    let hashes: Vec<u64> = (0..25_000u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect();
    library.insert_many(&hashes[..20_000]);
    // Periodic flush.
    until("periodic flush", Duration::from_secs(10), || {
        let mut conn = conn.clone();
        let key = key.clone();
        async move {
            let n: u64 = redis::cmd("SCARD")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .unwrap();
            (n == 20_000).then_some(())
        }
    })
    .await;
    // Flush at shutdown.
    library.insert_many(&hashes[20_000..]);
    tx.send(true).unwrap();
    until("flush at shutdown", Duration::from_secs(10), || {
        let mut conn = conn.clone();
        let key = key.clone();
        async move {
            let n: u64 = redis::cmd("SCARD")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .unwrap();
            (n == 25_000).then_some(())
        }
    })
    .await;
    drop(first);

    // "Restart": a new supervisor over a new connection.
    let (_tx2, rx2) = tokio::sync::watch::channel(false);
    let second = supervisor(store(&url).await, rx2);
    let loaded = second.loops().library("irs-pps").await;
    assert_eq!(loaded.len(), 25_000);
    assert!(hashes.iter().all(|h| loaded.contains(*h)));
    // Loaded hashes are not "new": nothing is written again.
    assert_eq!(second.loops().flush().await, 0);
    // Other destinations have their own (empty) library.
    assert!(second.loops().library("irs-business").await.is_empty());
    let _: () = redis::cmd("PING").query_async(&mut conn).await.unwrap();
}

fn redis_server() -> holdhunter_devstack::RedisServer {
    holdhunter_devstack::RedisServer::start().expect("redis-server starts")
}
