//! Loop libraries persist in a real redis-server: hashes learned through one supervisor are
//! flushed (periodically and at shutdown) and a second supervisor, as after a restart, loads
//! them at first use. Known hold recordings (`media.known_messages_dir`) are learned by every
//! library at first use and never persisted.

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

/// 8 kHz mono 16-bit WAV at `path`: a gliding two-tone "voice" of `ms`.
fn write_voice_wav(path: &std::path::Path, ms: usize, glide_hz: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..ms * 8 {
        let t = i as f64 / 8000.0;
        let f = 300.0 + glide_hz * (t * 1.7).fract();
        let x = (t * f * std::f64::consts::TAU).sin()
            + 0.5 * (t * 2.6 * f * std::f64::consts::TAU).sin();
        w.write_sample((x * 6000.0) as i16).unwrap();
    }
    w.finalize().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_hold_recordings_are_learned_by_every_library_and_never_persisted() {
    let redis = redis_server();
    let url = redis.url();
    let dir = tempfile::tempdir().unwrap();
    write_voice_wav(&dir.path().join("ann.wav"), 3000, 900.0);
    write_voice_wav(&dir.path().join("music.wav"), 4000, 500.0);
    std::fs::write(
        dir.path().join("manifest.tsv"),
        "# id\tkind\tlang\tvoice\tminutes\tf0_hz\tfile\ttext\n\
         ann.en.x\tannouncement\ten\tivr\t-\t190\tann.wav\tPlease hold.\n\
         music.x\tmusic\t-\t-\t-\t-\tmusic.wav\t-\n",
    )
    .unwrap();
    let config = MediaConfig {
        url_template: Some("ws://127.0.0.1:9/sim/media/{telephonySessionId}".into()),
        known_messages_dir: Some(dir.path().to_path_buf()),
        loop_flush_interval_ms: 100,
        ..MediaConfig::default()
    };
    let (tx, rx) = tokio::sync::watch::channel(false);
    let supervisor = DetectorSupervisor::from_config(&config, store(&url).await, rx).unwrap();
    let pcm = |name: &str| -> Vec<i16> {
        hound::WavReader::open(dir.path().join(name))
            .unwrap()
            .into_samples::<i16>()
            .map(Result::unwrap)
            .collect()
    };
    for destination in ["irs-pps", "irs-business"] {
        let library = supervisor.loops().library(destination).await;
        for clip in ["ann.wav", "music.wav"] {
            let keys = holdhunter_detect::fingerprint_clip(&pcm(clip));
            assert!(!keys.is_empty());
            assert!(
                keys.iter().all(|&k| library.contains_key(k as u32)),
                "{destination} knows every landmark of {clip}"
            );
        }
    }
    // On disk, not in Redis: nothing is flushed, now or at shutdown.
    assert_eq!(supervisor.loops().flush().await, 0);
    tx.send(true).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for destination in ["irs-pps", "irs-business"] {
        let n: u64 = redis::cmd("SCARD")
            .arg(loop_key(destination))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{destination}: known recordings are not persisted");
    }

    // A manifest that lists a hold recording that is not there is a clear error.
    std::fs::write(
        dir.path().join("manifest.tsv"),
        "music.y\tmusic\t-\t-\t-\t-\tgone.wav\t-\n",
    )
    .unwrap();
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let err = DetectorSupervisor::from_config(&config, store(&url).await, rx)
        .err()
        .expect("a missing recording is an error");
    let err = format!("{err:#}");
    assert!(err.contains("music.y") && err.contains("gone.wav"), "{err}");
}

fn redis_server() -> holdhunter_devstack::RedisServer {
    holdhunter_devstack::RedisServer::start().expect("redis-server starts")
}
