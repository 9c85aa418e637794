//! Workspace-level end-to-end tests and load benchmarks.
//!
//! Helpers shared by `tests/*.rs` and `examples/load_hunt.rs`: an [`E2e`] wraps a devstack
//! [`Stack`] (private redis-server child, RingCentral simulator, the real webhook bridge and the
//! server, on real loopback sockets) with an authenticated gRPC channel, catalog set-up (hold
//! lines, call queues, default queue, an Active webhook subscription), polling with deadlines,
//! and a resuming `WatchJob` recorder ([`Watcher`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use holdhunter_devstack::{Stack, StackOptions};
use holdhunter_proto::v1 as pb;
use pb::job_service_client::JobServiceClient;
use pb::watch_job_response::Payload;
use ringcentral_sim::ground_truth::CallGroundTruth;
use secrecy::ExposeSecret;
use tonic::transport::Channel;

pub use holdhunter_devstack;
pub use holdhunter_proto;

/// Simulator settings shared by the end-to-end tests: fast device answer and queue pick-up,
/// PPS holds at real length (time scale 1: an agent practically never picks up within a
/// test, so the operator's `ConfirmLive` decides the winner), media at real pace (the far
/// end's IVR timeouts then leave the most slack should DTMF navigation ever lag).
pub fn fast_sim(config: &mut ringcentral_sim::SimConfig) {
    config.time_scale = 1.0;
    config.media_pace = 1.0;
    config.device_answer_ms = 50;
    config.queue_ring_ms = 300;
}

/// Server settings shared by the end-to-end tests: IVR → HOLD after 1.5 s without a detector
/// verdict, with or without the media pipeline (so the hunt does not depend on how fast the
/// detector recognises hold), reconciliation with `GET session` every second, fast transfer
/// re-check.
pub fn fast_server(config: &mut hold_hunter_server::ServerConfig) {
    config.engine.ivr_fallback_ms = 1_500;
    config.engine.ivr_fallback_with_media_ms = 1_500;
    config.engine.reconcile_interval_ms = 1_000;
    config.engine.transfer_recheck_ms = 2_000;
    config.engine.watch_leg_grace_ms = 10_000;
    config.shutdown_deadline_ms = 3_000;
}

/// Stack options for a test: fixed seed, fast simulator and server, no simulator rate limits,
/// 200 ms stagger.
pub fn test_options(seed: u64) -> StackOptions {
    StackOptions {
        seed,
        time_scale: 1.0,
        hold_lines: 12,
        disable_rate_limits: true,
        stagger_ms: 200,
        sim_tweak: Some(fast_sim),
        server_tweak: Some(fast_server),
        ..StackOptions::default()
    }
}

/// A running stack plus an authenticated channel to its server.
pub struct E2e {
    /// The stack (tests stop and restart its parts).
    pub stack: Stack,
    channel: Channel,
    bearer: tonic::metadata::MetadataValue<tonic::metadata::Ascii>,
}

impl E2e {
    /// Starts the stack and prepares the catalog ([`Self::prepare`]).
    pub async fn start(options: StackOptions) -> anyhow::Result<E2e> {
        let stack = Stack::start(options).await?;
        let channel = tonic::transport::Endpoint::from_shared(stack.server_url().to_owned())?
            .connect_timeout(Duration::from_secs(2))
            .connect_lazy();
        let mut bearer: tonic::metadata::MetadataValue<_> =
            format!("Bearer {}", stack.api_token().expose_secret()).parse()?;
        bearer.set_sensitive(true);
        let e2e = E2e {
            stack,
            channel,
            bearer,
        };
        e2e.prepare().await?;
        Ok(e2e)
    }

    /// `req` with `authorization: Bearer <api token>`.
    pub fn authed<T>(&self, req: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(req);
        req.metadata_mut()
            .insert("authorization", self.bearer.clone());
        req
    }

    /// A JobService client on the shared (reconnecting) channel.
    pub fn jobs(&self) -> JobServiceClient<Channel> {
        JobServiceClient::new(self.channel.clone())
    }

    /// Syncs hold lines and call queues, makes the first queue the default, and waits (20 s)
    /// until the server's webhook subscription is Active (simulator → bridge → server).
    pub async fn prepare(&self) -> anyhow::Result<()> {
        pb::line_service_client::LineServiceClient::new(self.channel.clone())
            .sync_lines(self.authed(pb::SyncLinesRequest {}))
            .await
            .context("SyncLines")?;
        let mut queues = pb::queue_service_client::QueueServiceClient::new(self.channel.clone());
        let synced = queues
            .sync_queues(self.authed(pb::SyncQueuesRequest {}))
            .await
            .context("SyncQueues")?
            .into_inner()
            .queues;
        let first = synced.first().context("the simulator has no call queue")?;
        queues
            .set_default_queue(self.authed(pb::SetDefaultQueueRequest {
                queue_id: first.queue_id.clone(),
            }))
            .await
            .context("SetDefaultQueue")?;
        let rc =
            pb::ring_central_service_client::RingCentralServiceClient::new(self.channel.clone());
        poll(
            "an Active webhook subscription",
            Duration::from_secs(20),
            || {
                let req = self.authed(pb::CheckRingCentralRequest {});
                let mut rc = rc.clone();
                async move {
                    let check = rc.check_ring_central(req).await.ok()?.into_inner();
                    check
                        .subscription
                        .filter(|s| s.status == "Active")
                        .map(|_| ())
                }
            },
        )
        .await?;
        Ok(())
    }

    /// The default call queue's extension number (the transfer target).
    pub async fn default_queue_extension(&self) -> anyhow::Result<String> {
        let queues = pb::queue_service_client::QueueServiceClient::new(self.channel.clone())
            .list_queues(self.authed(pb::ListQueuesRequest {}))
            .await?
            .into_inner()
            .queues;
        queues
            .into_iter()
            .find(|q| q.is_default)
            .map(|q| q.extension_number)
            .context("no default queue")
    }

    /// StartJob with `lines` legs on `destination_id`.
    pub async fn start_job(&self, destination_id: &str, lines: u32) -> anyhow::Result<pb::Job> {
        self.jobs()
            .start_job(self.authed(pb::StartJobRequest {
                destination_id: destination_id.into(),
                line_count: lines,
                ..Default::default()
            }))
            .await
            .context("StartJob")?
            .into_inner()
            .job
            .context("StartJob answered without a job")
    }

    /// GetJob.
    pub async fn get_job(&self, job_id: &str) -> Result<pb::Job, tonic::Status> {
        let job = self
            .jobs()
            .get_job(self.authed(pb::GetJobRequest {
                job_id: job_id.into(),
            }))
            .await?
            .into_inner()
            .job;
        job.ok_or_else(|| tonic::Status::internal("GetJob answered without a job"))
    }

    /// Polls GetJob (errors, e.g. while a component restarts, count as "not yet") until `done`
    /// holds, for at most `timeout`. The error names `what` and shows the last job seen.
    pub async fn wait_job(
        &self,
        job_id: &str,
        what: &str,
        timeout: Duration,
        done: impl Fn(&pb::Job) -> bool,
    ) -> anyhow::Result<pb::Job> {
        let last: Mutex<Option<String>> = Mutex::new(None);
        let result = poll(what, timeout, || async {
            match self.get_job(job_id).await {
                Ok(job) => {
                    *last.lock().unwrap() = Some(describe(&job));
                    done(&job).then_some(job)
                }
                Err(status) => {
                    *last.lock().unwrap() = Some(format!("GetJob failed: {status}"));
                    None
                }
            }
        })
        .await;
        result.with_context(|| {
            format!(
                "last seen: {}",
                last.lock().unwrap().clone().unwrap_or_default()
            )
        })
    }

    /// ConfirmLive on one leg.
    pub async fn confirm_live(&self, job_id: &str, leg_id: &str) -> Result<pb::Leg, tonic::Status> {
        self.jobs()
            .confirm_live(self.authed(pb::ConfirmLiveRequest {
                job_id: job_id.into(),
                leg_id: leg_id.into(),
            }))
            .await?
            .into_inner()
            .leg
            .ok_or_else(|| tonic::Status::internal("ConfirmLive answered without a leg"))
    }

    /// Simulator ground truth of the calls of `job` (by telephony session id).
    pub fn calls_of(&self, job: &pb::Job) -> Vec<CallGroundTruth> {
        job.legs
            .iter()
            .filter(|l| !l.telephony_session_id.is_empty())
            .filter_map(|l| self.stack.sim().call(&l.telephony_session_id))
            .collect()
    }

    /// Starts a [`Watcher`] on `job_id`.
    pub fn watch(&self, job_id: &str) -> Watcher {
        Watcher::spawn(
            JobServiceClient::new(self.channel.clone()),
            self.bearer.clone(),
            job_id.to_owned(),
        )
    }
}

/// One line per leg: `leg-1 HOLD`, `leg-2 ENDED(LOST_RACE)`.
pub fn describe(job: &pb::Job) -> String {
    let state = pb::JobState::try_from(job.state)
        .map(|s| s.as_str_name())
        .unwrap_or("?");
    let legs: Vec<String> = job
        .legs
        .iter()
        .map(|l| {
            let s = pb::LegState::try_from(l.state)
                .map(|s| s.as_str_name().trim_start_matches("LEG_STATE_"))
                .unwrap_or("?");
            if l.state == pb::LegState::Ended as i32 {
                let r = pb::LegEndReason::try_from(l.end_reason)
                    .map(|r| r.as_str_name().trim_start_matches("LEG_END_REASON_"))
                    .unwrap_or("?");
                format!("{} {s}({r})", l.leg_id)
            } else {
                format!("{} {s}", l.leg_id)
            }
        })
        .collect();
    format!("{state} transfers={} [{}]", job.transfers, legs.join(", "))
}

/// True when the leg is in `state`.
pub fn is_state(leg: &pb::Leg, state: pb::LegState) -> bool {
    leg.state == state as i32
}

/// True when the leg is TRANSFERRED or ENDED.
pub fn leg_terminal(leg: &pb::Leg) -> bool {
    is_state(leg, pb::LegState::Transferred) || is_state(leg, pb::LegState::Ended)
}

/// Job TRANSFERRED and every leg terminal.
pub fn job_settled(job: &pb::Job) -> bool {
    job.state == pb::JobState::Transferred as i32 && job.legs.iter().all(leg_terminal)
}

/// Calls `check` every 100 ms until it returns `Some`, for at most `timeout`.
///
/// Errors: the deadline passed (the message names `what` and the time waited).
pub async fn poll<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if start.elapsed() > timeout {
            anyhow::bail!("timed out after {:?} waiting for {what}", start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A Redis stream id `"<ms>-<seq>"` as a comparable pair.
pub fn token_order(token: &str) -> Option<(u64, u64)> {
    let (ms, seq) = token.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// What a [`Watcher`] recorded.
#[derive(Debug, Default, Clone)]
pub struct WatchLog {
    /// Every message in arrival order: (resume token, payload, wall time received).
    pub messages: Vec<(String, Payload, Instant)>,
    /// Streams opened after the first (each resumed with the last token received).
    pub reconnects: u32,
    /// Streams that ended with an error status (message), before a reconnect.
    pub stream_errors: Vec<String>,
    /// The stream ended cleanly after the job's terminal event.
    pub finished: bool,
}

impl WatchLog {
    /// The events (not snapshots), with their tokens.
    pub fn events(&self) -> Vec<(&str, &pb::JobEvent)> {
        self.messages
            .iter()
            .filter_map(|(t, p, _)| match p {
                Payload::Event(e) => Some((t.as_str(), e)),
                Payload::Snapshot(_) => None,
            })
            .collect()
    }

    /// The token of the first message (the first snapshot's).
    pub fn first_token(&self) -> Option<&str> {
        self.messages.first().map(|(t, _, _)| t.as_str())
    }

    /// Each leg's last state and end reason seen in events.
    pub fn final_leg_states(&self) -> std::collections::BTreeMap<String, (i32, i32)> {
        let mut out = std::collections::BTreeMap::new();
        for (_, e) in self.events() {
            if let Some(l) = &e.leg {
                out.insert(l.leg_id.clone(), (l.state, l.end_reason));
            }
        }
        out
    }
}

/// A `WatchJob` client that resumes with its last token whenever the stream drops (error, or
/// a clean end before the job's terminal event, e.g. on server shutdown), backing off 200 ms,
/// until the stream ends cleanly after the terminal `JOB_STATE` event.
pub struct Watcher {
    log: Arc<Mutex<WatchLog>>,
    task: tokio::task::JoinHandle<()>,
}

impl Watcher {
    fn spawn(
        client: JobServiceClient<Channel>,
        bearer: tonic::metadata::MetadataValue<tonic::metadata::Ascii>,
        job_id: String,
    ) -> Watcher {
        let log = Arc::new(Mutex::new(WatchLog::default()));
        let shared = log.clone();
        let task = tokio::spawn(async move {
            let mut client = client;
            let mut token = String::new();
            let mut opened = 0u32;
            let mut terminal_seen = false;
            loop {
                let mut req = tonic::Request::new(pb::WatchJobRequest {
                    job_id: job_id.clone(),
                    resume_token: token.clone(),
                });
                req.metadata_mut().insert("authorization", bearer.clone());
                let stream = client.watch_job(req).await;
                let mut stream = match stream {
                    Ok(s) => s.into_inner(),
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                if opened > 0 {
                    shared.lock().unwrap().reconnects += 1;
                }
                opened += 1;
                loop {
                    match stream.message().await {
                        Ok(Some(m)) => {
                            token = m.resume_token.clone();
                            if let Some(p) = m.payload {
                                match &p {
                                    Payload::Event(e)
                                        if e.kind == pb::JobEventKind::JobState as i32
                                            && e.job_state != pb::JobState::Hunting as i32 =>
                                    {
                                        terminal_seen = true
                                    }
                                    Payload::Snapshot(j)
                                        if j.state != pb::JobState::Hunting as i32 =>
                                    {
                                        terminal_seen = true
                                    }
                                    _ => {}
                                }
                                shared.lock().unwrap().messages.push((
                                    m.resume_token,
                                    p,
                                    Instant::now(),
                                ));
                            }
                        }
                        Ok(None) if terminal_seen => {
                            shared.lock().unwrap().finished = true;
                            return;
                        }
                        Ok(None) => break,
                        Err(status) => {
                            shared.lock().unwrap().stream_errors.push(format!(
                                "{:?}: {}",
                                status.code(),
                                status.message()
                            ));
                            break;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        Watcher { log, task }
    }

    /// A copy of what was recorded so far.
    pub fn log(&self) -> WatchLog {
        self.log.lock().unwrap().clone()
    }

    /// Waits (at most `timeout`) until the stream ended after the terminal event; returns the
    /// log. Errors: the deadline passed.
    pub async fn finish(self, timeout: Duration) -> anyhow::Result<WatchLog> {
        let log = self.log.clone();
        let finished = poll("the WatchJob stream to end", timeout, || async {
            log.lock().unwrap().finished.then_some(())
        })
        .await;
        self.task.abort();
        let log = self.log.lock().unwrap().clone();
        finished.with_context(|| {
            format!(
                "{} messages, {} reconnects, errors {:?}",
                log.messages.len(),
                log.reconnects,
                log.stream_errors
            )
        })?;
        Ok(log)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Asserts the common outcome of a hunt won by `winner_leg_id`: job TRANSFERRED with one
/// transfer and that winner; the winner TRANSFERRED, every other leg ENDED; exactly one call
/// of the job has a transfer request in the simulator, to the default queue's extension, and
/// the queue answered it. Returns the winner's ground truth.
pub async fn assert_one_transfer(
    e2e: &E2e,
    job: &pb::Job,
    winner_leg_id: &str,
) -> anyhow::Result<CallGroundTruth> {
    anyhow::ensure!(
        job.state == pb::JobState::Transferred as i32 && job.transfers == 1,
        "job not transferred once: {}",
        describe(job)
    );
    anyhow::ensure!(
        job.winner_leg_ids == vec![winner_leg_id.to_owned()],
        "winners {:?}, expected {winner_leg_id}",
        job.winner_leg_ids
    );
    for leg in &job.legs {
        if leg.leg_id == winner_leg_id {
            anyhow::ensure!(
                is_state(leg, pb::LegState::Transferred),
                "winner: {}",
                describe(job)
            );
        } else {
            anyhow::ensure!(
                is_state(leg, pb::LegState::Ended),
                "loser: {}",
                describe(job)
            );
        }
    }
    let winner = job
        .legs
        .iter()
        .find(|l| l.leg_id == winner_leg_id)
        .context("winner leg")?;
    let queue_ext = e2e.default_queue_extension().await?;
    let truth = poll("the queue to answer", Duration::from_secs(10), || async {
        e2e.stack
            .sim()
            .call(&winner.telephony_session_id)
            .filter(|t| t.queue_answered_at.is_some())
    })
    .await?;
    anyhow::ensure!(
        truth
            .transfer_target
            .as_deref()
            .is_some_and(|t| t.contains(&queue_ext)),
        "transfer target {:?}, default queue extension {queue_ext}",
        truth.transfer_target
    );
    let transfers = e2e
        .calls_of(job)
        .iter()
        .filter(|c| c.transfer_requested_at.is_some())
        .count();
    anyhow::ensure!(transfers == 1, "{transfers} transfer requests in the sim");
    Ok(truth)
}
