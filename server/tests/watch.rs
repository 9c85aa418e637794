//! WatchJob's end of stream and its Redis retries, against a real redis-server and the
//! simulator: the stream stays open after the job's terminal event until every leg is terminal
//! (or the `engine.watch_leg_grace_ms` grace after the job ended has passed), and it rides
//! through a Redis restart instead of ending with an error.

mod common;

use std::time::{Duration, Instant};

use common::*;
use holdhunter_proto::v1 as pb;
use pb::job_service_client::JobServiceClient;
use pb::watch_job_response::Payload;

/// Copies a real job's records (job JSON, legs hash, versions) under `new_id`, with the job
/// terminal (STOPPED, ended `ended_ago_ms` ago) and the legs left as they are (not terminal).
/// The copy is not in the active set, so no engine worker touches it.
async fn terminal_copy_with_live_legs(
    redis: &mut redis::aio::MultiplexedConnection,
    job_id: &str,
    new_id: &str,
    ended_ago_ms: i64,
) {
    let job: String = redis::cmd("GET")
        .arg(format!("hh:{{{job_id}}}:job"))
        .query_async(redis)
        .await
        .unwrap();
    let mut job: serde_json::Value = serde_json::from_str(&job).unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    job["job_id"] = new_id.into();
    job["state"] = "STOPPED".into();
    job["ended_at_ms"] = (now - ended_ago_ms).into();
    let legs: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg(format!("hh:{{{job_id}}}:legs"))
        .query_async(redis)
        .await
        .unwrap();
    let vers: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg(format!("hh:{{{job_id}}}:ver"))
        .query_async(redis)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(format!("hh:{{{new_id}}}:job"))
        .arg(job.to_string())
        .query_async(redis)
        .await
        .unwrap();
    for (k, v) in legs {
        let _: () = redis::cmd("HSET")
            .arg(format!("hh:{{{new_id}}}:legs"))
            .arg(k)
            .arg(v)
            .query_async(redis)
            .await
            .unwrap();
    }
    for (k, v) in vers {
        let _: () = redis::cmd("HSET")
            .arg(format!("hh:{{{new_id}}}:ver"))
            .arg(k)
            .arg(v)
            .query_async(redis)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn watch_waits_for_live_legs_until_the_grace_after_the_job_ended() {
    let stack = Stack::start().await;
    let mut cfg = stack.config();
    cfg.engine.watch_leg_grace_ms = 3_000;
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let mut jobs = JobServiceClient::new(ch.clone());
    let job = jobs
        .start_job(authed(start_request("irs-pps", 2)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let client = redis::Client::open(stack.redis.url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();

    // Ended just now, legs not terminal: the stream stays open for about the grace.
    terminal_copy_with_live_legs(&mut redis, &job.job_id, "job_grace_fresh", 0).await;
    let started = Instant::now();
    let mut watch = jobs
        .watch_job(authed(pb::WatchJobRequest {
            job_id: "job_grace_fresh".into(),
            resume_token: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    let first = watch.message().await.unwrap().unwrap();
    let Some(Payload::Snapshot(snap)) = first.payload else {
        panic!("snapshot first")
    };
    assert_eq!(snap.state, pb::JobState::Stopped as i32);
    assert!(
        snap.legs
            .iter()
            .any(|l| l.state < pb::LegState::Transferred as i32)
    );
    let end = tokio::time::timeout(Duration::from_secs(15), watch.message())
        .await
        .expect("the stream ends after the grace");
    assert!(matches!(end, Ok(None)), "{end:?}");
    let open_for = started.elapsed();
    assert!(
        open_for >= Duration::from_millis(2_500),
        "ended after {open_for:?}, before the 3 s grace"
    );

    // Ended long ago: the grace is over, the stream ends right after the snapshot.
    terminal_copy_with_live_legs(&mut redis, &job.job_id, "job_grace_over", 60_000).await;
    let started = Instant::now();
    let mut watch = jobs
        .watch_job(authed(pb::WatchJobRequest {
            job_id: "job_grace_over".into(),
            resume_token: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(watch.message().await.unwrap().is_some());
    assert!(watch.message().await.unwrap().is_none());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    jobs.stop_job(authed(pb::StopJobRequest {
        job_id: job.job_id.clone(),
    }))
    .await
    .unwrap();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn watch_rides_through_a_redis_restart() {
    let mut stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;
    let mut jobs = JobServiceClient::new(ch.clone());
    let job = jobs
        .start_job(authed(start_request("irs-pps", 2)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let mut watch = jobs
        .watch_job(authed(pb::WatchJobRequest {
            job_id: job.job_id.clone(),
            resume_token: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(watch.message().await.unwrap().is_some());
    let held = wait_legs(&ch, &job.job_id, "legs on hold", |l| {
        is_state(l, pb::LegState::Hold)
    })
    .await;

    // appendfsync everysec: let the last writes reach the AOF, then crash and restart Redis.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    stack.redis.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stack.redis.restart().unwrap();

    // The server's engine reconnects on its own; the operator confirms a leg.
    wait_for(
        "ConfirmLive after the Redis restart",
        Duration::from_secs(20),
        || {
            let ch = ch.clone();
            let req = pb::ConfirmLiveRequest {
                job_id: job.job_id.clone(),
                leg_id: held.legs[0].leg_id.clone(),
            };
            async move {
                JobServiceClient::new(ch)
                    .confirm_live(authed(req))
                    .await
                    .ok()
                    .map(|_| ())
            }
        },
    )
    .await;

    // The same stream carries on to the terminal event and ends cleanly.
    let mut saw_terminal = false;
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match watch.message().await {
                Ok(Some(m)) => {
                    if let Some(Payload::Event(e)) = m.payload
                        && e.kind == pb::JobEventKind::JobState as i32
                        && e.job_state == pb::JobState::Transferred as i32
                    {
                        saw_terminal = true;
                    }
                }
                Ok(None) => return Ok(()),
                Err(status) => return Err(status),
            }
        }
    })
    .await
    .expect("the stream ends");
    assert!(read.is_ok(), "the stream ended with an error: {read:?}");
    assert!(saw_terminal, "no terminal event after the Redis restart");
    server.stop().await;
}
