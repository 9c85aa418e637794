//! Ack-latency benchmark: the bridge and a fake ingest server in-process, driven by an
//! open-loop HTTP load generator at a fixed rate over persistent connections.
//!
//! ```text
//! cargo run --release -p hold-hunter-bridge --example bench_ack
//! BENCH_RATE=5000 BENCH_SECONDS=10 BENCH_CONNECTIONS=64 cargo run --release ...
//! ```
//!
//! Each request has a scheduled send time (`start + i / rate`); latency is measured from that
//! scheduled time (so a stalled generator or server cannot hide queueing: no coordinated
//! omission) and, separately, from the actual send. Bodies are the outbound Setup fixture with
//! 1,000 distinct telephony sessions and increasing sequences.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::*;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted_us.len() - 1) as f64).round() as usize;
    sorted_us[rank] as f64 / 1000.0
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, 100 Hz ticks).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_comm = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 (utime) and 15 (stime) of proc(5); index 11 and 12 after the comm field.
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

struct WorkerResult {
    scheduled_us: Vec<u64>,
    service_us: Vec<u64>,
    non_200: usize,
    errors: usize,
}

#[tokio::main]
async fn main() {
    let rate: u64 = env_or("BENCH_RATE", 5_000);
    let seconds: u64 = env_or("BENCH_SECONDS", 10);
    let connections: u64 = env_or("BENCH_CONNECTIONS", 64);
    let total = rate * seconds;

    let server = FakeIngestServer::start().await;
    let mut cfg = config(server.addr);
    cfg.retry_initial_backoff = Duration::from_millis(100);
    cfg.retry_max_backoff = Duration::from_secs(5);
    let bridge = Bridge::start(cfg).await;
    let url = bridge.url(WEBHOOK_PATH);
    let template = notification("SESSION_ID", 424_242);
    assert!(template.contains("424242"));

    // Warm up connections and code paths.
    assert_eq!(bridge.deliver(notification("s-warmup", 2)).await, 200);

    println!(
        "bench_ack: {rate}/s for {seconds} s = {total} deliveries over {connections} connections \
         ({} bytes each), bridge + fake ingest server + load generator in one process on {} CPUs",
        template.len(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("load average before: {}", load_average());
    let cpu_before = process_cpu_seconds();
    let start = Instant::now() + Duration::from_millis(200);
    let mut workers = Vec::new();
    for worker in 0..connections {
        let url = url.clone();
        let template = template.clone();
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .tcp_nodelay(true)
                .build()
                .unwrap();
            let mut result = WorkerResult {
                scheduled_us: Vec::new(),
                service_us: Vec::new(),
                non_200: 0,
                errors: 0,
            };
            let mut i = worker;
            while i < total {
                let session = format!("s-bench-{:04}", i % 1000);
                let sequence = (i / 1000 + 2).to_string();
                let body = template
                    .replace("SESSION_ID", &session)
                    .replace("424242", &sequence);
                let scheduled = start + Duration::from_nanos(i * 1_000_000_000 / rate);
                tokio::time::sleep_until(scheduled.into()).await;
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .header("Verification-Token", VERIFICATION_TOKEN)
                    .header("content-type", "application/json; charset=UTF-8")
                    .body(body)
                    .send()
                    .await;
                let done = Instant::now();
                match response {
                    Ok(r) if r.status() == 200 => {}
                    Ok(_) => result.non_200 += 1,
                    Err(_) => result.errors += 1,
                }
                result
                    .scheduled_us
                    .push(done.duration_since(scheduled).as_micros() as u64);
                result
                    .service_us
                    .push(done.duration_since(sent).as_micros() as u64);
                i += connections;
            }
            result
        }));
    }
    let mut scheduled_us = Vec::with_capacity(total as usize);
    let mut service_us = Vec::with_capacity(total as usize);
    let (mut non_200, mut errors) = (0, 0);
    for worker in workers {
        let r = worker.await.unwrap();
        scheduled_us.extend(r.scheduled_us);
        service_us.extend(r.service_us);
        non_200 += r.non_200;
        errors += r.errors;
    }
    let elapsed = start.elapsed();
    let load_done = Instant::now();
    scheduled_us.sort_unstable();
    service_us.sort_unstable();

    let expected_forwarded = total as usize + 1;
    while server.record.events().len() < expected_forwarded
        && load_done.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drain = load_done.elapsed();
    let cpu = process_cpu_seconds() - cpu_before;
    let forwarded = server.record.events().len();
    let batches = server.record.batch_sizes();

    println!(
        "achieved rate      : {:.0} deliveries/s ({} in {:.2} s)",
        scheduled_us.len() as f64 / elapsed.as_secs_f64(),
        scheduled_us.len(),
        elapsed.as_secs_f64()
    );
    println!("non-200 / errors   : {non_200} / {errors}");
    for (name, sorted) in [
        ("ack (from schedule)", &scheduled_us),
        ("ack (from send)    ", &service_us),
    ] {
        println!(
            "{name}: p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {:.3} ms",
            percentile(sorted, 50.0),
            percentile(sorted, 90.0),
            percentile(sorted, 99.0),
            percentile(sorted, 99.9),
            sorted.last().map_or(f64::NAN, |&us| us as f64 / 1000.0)
        );
    }
    println!(
        "forwarded          : {forwarded} / {expected_forwarded} events in {} RPCs (largest {}), \
         queue drained {:.0} ms after the last ack",
        batches.len(),
        batches.iter().max().copied().unwrap_or(0),
        drain.as_secs_f64() * 1000.0
    );
    println!(
        "process CPU        : {cpu:.1} s ({:.0} us per delivery, bridge + fake server + load \
         generator together); load average after: {}",
        cpu * 1e6 / total as f64,
        load_average()
    );
    let count = bridge.metric("hh_bridge_ack_latency_seconds_count").await;
    let mut shares = Vec::new();
    for le in ["0.0005", "0.001", "0.005"] {
        let within = bridge
            .metric(&format!(
                "hh_bridge_ack_latency_seconds_bucket{{le=\"{le}\"}}"
            ))
            .await;
        shares.push(format!("<= {le} s: {:.2}%", 100.0 * within / count));
    }
    println!(
        "bridge-side ack    : {} (handler time, from its histogram)",
        shares.join(", ")
    );
    println!(
        "bridge /metrics    : accepted {} dropped_queue_full {}",
        bridge.deliveries("accepted").await,
        bridge.deliveries("dropped_queue_full").await
    );
    let verdict = |p99: f64| if p99 <= 5.0 { "MET" } else { "NOT MET" };
    let (p99_scheduled, p99_sent) = (
        percentile(&scheduled_us, 99.0),
        percentile(&service_us, 99.0),
    );
    println!(
        "target p99 <= 5 ms at {rate}/s: from schedule {} ({p99_scheduled:.3} ms), from send {} \
         ({p99_sent:.3} ms)",
        verdict(p99_scheduled),
        verdict(p99_sent)
    );
    let report = bridge.shutdown().await;
    println!("shutdown           : {} unflushed", report.unflushed_events);
    server.stop().await;
}
