//! [`DetectorSupervisor`]: the real [`MediaSupervisor`]: one task per leg (a
//! [`LegSession`]), the destination's IVR plan looked up from the job, loop libraries shared
//! per destination and persisted in Redis ([`LoopStore`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use holdhunter_detect::KnownMessages;

use super::known::HoldRecording;
use holdhunter_proto::v1::IvrStep;
use tokio::sync::watch;

use super::config::MediaConfig;
use super::loops::LoopStore;
use super::metrics;
use super::session::LegSession;
use super::source::MediaSource;
use super::websocket::WebSocketMediaSource;
use crate::engine::media::{LegMedia, MediaSupervisor, VerdictSink};
use crate::store::Store;

struct LegTask {
    id: u64,
    cancel: watch::Sender<bool>,
}

struct Inner {
    store: Store,
    config: Arc<MediaConfig>,
    source: Arc<dyn MediaSource>,
    loops: LoopStore,
    /// The known messages of `media.known_messages_dir`, shared by every leg.
    known_messages: Option<Arc<KnownMessages>>,
    legs: Mutex<HashMap<String, LegTask>>,
    next_id: AtomicU64,
}

/// Listens to every connected leg of this replica. Cheap to clone.
#[derive(Clone)]
pub struct DetectorSupervisor {
    inner: Arc<Inner>,
}

fn key(job_id: &str, leg_id: &str) -> String {
    format!("{job_id}/{leg_id}")
}

impl DetectorSupervisor {
    /// A supervisor reading media from `source`, with no known recordings (see
    /// [`DetectorSupervisor::with_known_recordings`]). Spawns the loop-library flush task (must
    /// be called inside a tokio runtime), which flushes a last time and ends when `shutdown`
    /// becomes `true` or its sender is dropped.
    pub fn new(
        store: Store,
        config: MediaConfig,
        source: Arc<dyn MediaSource>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Self::with_known_recordings(store, config, source, shutdown, None, Vec::new())
    }

    /// As [`DetectorSupervisor::new`], every leg's detector also knowing `known_messages`, and
    /// every destination's loop library learning `hold` (the line's known hold recordings,
    /// [`super::known`]) before its first leg listens.
    pub fn with_known_recordings(
        store: Store,
        config: MediaConfig,
        source: Arc<dyn MediaSource>,
        shutdown: watch::Receiver<bool>,
        known_messages: Option<Arc<KnownMessages>>,
        hold: Vec<HoldRecording>,
    ) -> Self {
        let loops = LoopStore::with_hold_recordings(store.clone(), hold);
        let interval = Duration::from_millis(config.loop_flush_interval_ms.max(10));
        tokio::spawn(flush_loop(loops.clone(), interval, shutdown));
        DetectorSupervisor {
            inner: Arc::new(Inner {
                store,
                config: Arc::new(config),
                source,
                loops,
                known_messages,
                legs: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// A supervisor over the WebSocket media source of `config.url_template`. Errors name the
    /// bad `media.*` key.
    pub fn from_config(
        config: &MediaConfig,
        store: Store,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        config.validate()?;
        let template = config.url_template.clone().ok_or_else(|| {
            anyhow::anyhow!("media.url_template is empty: set HH_MEDIA__URL_TEMPLATE")
        })?;
        let source = Arc::new(WebSocketMediaSource::new(
            template,
            config.connect_timeout(),
        ));
        let (known, hold) = match &config.known_messages_dir {
            Some(dir) => {
                let known = super::known::load(dir)?;
                tracing::info!(
                    dir = %dir.display(),
                    messages = known.messages.as_ref().map_or(0, |m| m.len()),
                    hold_recordings = known.hold.len(),
                    "media: known recordings loaded"
                );
                (known.messages.map(Arc::new), known.hold)
            }
            None => (None, Vec::new()),
        };
        Ok(Self::with_known_recordings(
            store,
            config.clone(),
            source,
            shutdown,
            known,
            hold,
        ))
    }

    /// The loop libraries.
    pub fn loops(&self) -> &LoopStore {
        &self.inner.loops
    }

    /// Legs being listened to now.
    pub fn active_legs(&self) -> usize {
        self.inner
            .legs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Starts listening to `leg` with a known destination and IVR plan (no store lookup).
    /// Ignored when the leg is already being listened to.
    pub fn start_with_plan(
        &self,
        leg: LegMedia,
        destination_id: String,
        steps: Vec<IvrStep>,
        sink: Arc<dyn VerdictSink>,
    ) {
        let Some((id, cancel)) = self.register(&leg) else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            this.run(id, leg, destination_id, steps, sink, cancel).await;
        });
    }

    fn register(&self, leg: &LegMedia) -> Option<(u64, watch::Receiver<bool>)> {
        let mut legs = self.inner.legs.lock().unwrap_or_else(|e| e.into_inner());
        let k = key(&leg.job_id, &leg.leg_id);
        if legs
            .get(&k)
            .is_some_and(|t| !t.cancel.is_closed() && !*t.cancel.borrow())
        {
            tracing::debug!(job_id = %leg.job_id, leg_id = %leg.leg_id, "media: already listening");
            return None;
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = watch::channel(false);
        legs.insert(k, LegTask { id, cancel: tx });
        metrics::active_legs(legs.len());
        Some((id, rx))
    }

    async fn run(
        &self,
        id: u64,
        leg: LegMedia,
        destination_id: String,
        steps: Vec<IvrStep>,
        sink: Arc<dyn VerdictSink>,
        cancel: watch::Receiver<bool>,
    ) {
        let library = self.inner.loops.library(&destination_id).await;
        tracing::info!(job_id = %leg.job_id, leg_id = %leg.leg_id, %destination_id, ivr_steps = steps.len(), library_hashes = library.len(), "media: listening");
        let session = LegSession {
            leg: leg.clone(),
            destination_id,
            steps,
            library,
            known_messages: self.inner.known_messages.clone(),
            sink,
            source: Arc::clone(&self.inner.source),
            config: Arc::clone(&self.inner.config),
            cancel,
        };
        let end = session.run().await;
        tracing::info!(job_id = %leg.job_id, leg_id = %leg.leg_id, ?end, "media: stopped listening");
        let mut legs = self.inner.legs.lock().unwrap_or_else(|e| e.into_inner());
        let k = key(&leg.job_id, &leg.leg_id);
        if legs.get(&k).is_some_and(|t| t.id == id) {
            legs.remove(&k);
        }
        metrics::active_legs(legs.len());
    }

    /// The job's destination id and IVR plan (empty plan when it cannot be found).
    async fn plan_of(&self, leg: &LegMedia) -> (String, Vec<IvrStep>) {
        let store = &self.inner.store;
        let job = match store.load_leg(&leg.job_id, &leg.leg_id).await {
            Ok((job, _, _)) => job,
            Err(e) => {
                tracing::warn!(job_id = %leg.job_id, leg_id = %leg.leg_id, error = %e, "media: job not readable; no IVR plan");
                return (String::from("unknown"), Vec::new());
            }
        };
        match crate::destinations::get(store, &job.destination_id).await {
            Ok(d) => (
                job.destination_id,
                d.ivr_plan.map(|p| p.steps).unwrap_or_default(),
            ),
            Err(e) => {
                tracing::warn!(job_id = %leg.job_id, destination_id = %job.destination_id, error = %e, "media: destination not found; no IVR plan");
                (job.destination_id, Vec::new())
            }
        }
    }
}

impl MediaSupervisor for DetectorSupervisor {
    fn start(&self, leg: LegMedia, sink: Arc<dyn VerdictSink>) {
        let Some((id, cancel)) = self.register(&leg) else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            let (destination_id, steps) = this.plan_of(&leg).await;
            this.run(id, leg, destination_id, steps, sink, cancel).await;
        });
    }

    fn stop(&self, leg: &LegMedia) {
        let mut legs = self.inner.legs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(task) = legs.remove(&key(&leg.job_id, &leg.leg_id)) {
            let _ = task.cancel.send(true);
        }
        metrics::active_legs(legs.len());
    }
}

async fn flush_loop(loops: LoopStore, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        let stop = tokio::select! {
            _ = tokio::time::sleep(interval) => false,
            _ = stopped(&mut shutdown) => true,
        };
        loops.flush().await;
        if stop {
            return;
        }
    }
}

/// Resolves when `shutdown` is `true` or its sender is gone.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|v| *v).await;
}
