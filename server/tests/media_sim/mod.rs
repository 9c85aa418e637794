//! Helpers for the media tests: a call placed on the simulator, a verdict sink that records
//! what the media pipeline reports, and a TCP proxy whose connections a test can cut.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use hold_hunter_server::engine::media::{LegMedia, Verdict, VerdictSink};
use secrecy::SecretString;

/// IRS PPS in the simulator.
pub const PPS_NUMBER: &str = "+18668604259";

/// A logged-in RingCentral client against the simulator.
pub async fn rc_client(sim: &ringcentral_sim::SimHandle) -> ringcentral::Client {
    let config = ringcentral::Config::new(
        sim.base_url().parse().unwrap(),
        "sim-client-id",
        SecretString::from("sim-client-secret"),
        SecretString::from("sim-jwt-assertion"),
    );
    let rc = ringcentral::Client::new(config).unwrap();
    rc.login().await.unwrap();
    rc
}

/// Calls `number` from the simulator's first hold line; the leg as the engine would give it.
pub async fn call(
    sim: &ringcentral_sim::SimHandle,
    rc: &ringcentral::Client,
    number: &str,
) -> LegMedia {
    let device = sim.account().devices[0].id.clone();
    let session = rc
        .call_out(&ringcentral::CallOutRequest::to_phone_number(
            device.clone(),
            number,
        ))
        .await
        .unwrap();
    LegMedia {
        job_id: "job-media-test".into(),
        leg_id: "leg-1".into(),
        telephony_session_id: session.id.clone(),
        party_id: session
            .parties
            .first()
            .map(|p| p.id.clone())
            .unwrap_or_default(),
        line_id: device,
    }
}

/// `ws://host:port/sim/media/{telephonySessionId}` of `base` (`http://host:port`).
pub fn media_template(base: &str) -> String {
    format!(
        "{}/sim/media/{{telephonySessionId}}",
        base.replacen("http://", "ws://", 1)
    )
}

/// What a [`RecordingSink`] received.
#[derive(Debug, Clone, PartialEq)]
pub enum Reported {
    Verdict(Verdict),
    IvrStep(String),
    Note(String),
}

/// A [`VerdictSink`] that records every call.
#[derive(Default, Clone)]
pub struct RecordingSink(Arc<Mutex<Vec<Reported>>>);

impl RecordingSink {
    pub fn all(&self) -> Vec<Reported> {
        self.0.lock().unwrap().clone()
    }
    pub fn ivr_steps(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter_map(|r| match r {
                Reported::IvrStep(t) => Some(t),
                _ => None,
            })
            .collect()
    }
    pub fn notes(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter_map(|r| match r {
                Reported::Note(t) => Some(t),
                _ => None,
            })
            .collect()
    }
    fn push(&self, r: Reported) -> BoxFuture<'static, ()> {
        self.0.lock().unwrap().push(r);
        Box::pin(async {})
    }
}

impl VerdictSink for RecordingSink {
    fn verdict(&self, _job: String, _leg: String, verdict: Verdict) -> BoxFuture<'static, ()> {
        self.push(Reported::Verdict(verdict))
    }
    fn ivr_step(&self, _job: String, _leg: String, text: String) -> BoxFuture<'static, ()> {
        self.push(Reported::IvrStep(text))
    }
    fn note(&self, _job: String, _leg: String, text: String) -> BoxFuture<'static, ()> {
        self.push(Reported::Note(text))
    }
}

/// A TCP proxy to `target`; [`CutProxy::cut`] closes every open connection.
pub struct CutProxy {
    pub addr: SocketAddr,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    accepted: Arc<Mutex<u32>>,
}

impl CutProxy {
    pub async fn start(target: SocketAddr) -> CutProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let accepted: Arc<Mutex<u32>> = Arc::default();
        let (c, a) = (conns.clone(), accepted.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                *a.lock().unwrap() += 1;
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                c.lock().unwrap().push(task.abort_handle());
            }
        });
        CutProxy {
            addr,
            conns,
            accepted,
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u32 {
        *self.accepted.lock().unwrap()
    }

    /// Drops every open connection (both sockets close).
    pub fn cut(&self) {
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}

/// Polls `f` every 50 ms until it returns `Some` or `deadline` passes.
pub async fn until<T, F, Fut>(what: &str, deadline: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
