//! The interface between the hunt engine and the per-leg audio pipeline (media stream +
//! live-agent detector). The engine calls [`MediaSupervisor::start`] when a leg reaches IVR
//! (the destination answered) and [`MediaSupervisor::stop`] when it leaves the connected
//! states; the pipeline reports decisions through [`VerdictSink::verdict`].
//! [`NoMedia`] is the default until the real media client and detector are plugged in.

use std::sync::Arc;

use futures::future::BoxFuture;

use super::model::DetectionPhase;

/// Identifies one leg's call for the media pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegMedia {
    /// Job id.
    pub job_id: String,
    /// Leg id.
    pub leg_id: String,
    /// RingCentral telephony session id (the simulator's media WebSocket is
    /// `GET {sim}/sim/media/{telephonySessionId}`).
    pub telephony_session_id: String,
    /// Our party id.
    pub party_id: String,
    /// Hold line (device id) of the leg.
    pub line_id: String,
}

/// A detector decision on a leg.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Phase decided.
    pub phase: DetectionPhase,
    /// 0.0 ..= 1.0.
    pub confidence: f32,
    /// Machine-readable cause (e.g. `NEW_SPEECH_AFTER_MUSIC`).
    pub cause: String,
    /// Human-readable detail.
    pub detail: String,
    /// Media time since the leg's audio started, ms.
    pub media_ms: u64,
    /// Kind of the known message recognised (`KNOWN_MESSAGE` verdicts only): `too_busy` or
    /// `closed` (see `holdhunter_detect::MessageKind`).
    pub known_message: Option<String>,
}

/// Where verdicts go (implemented by the engine).
pub trait VerdictSink: Send + Sync + 'static {
    /// Records a verdict for a leg; a `Live` / `NeedsHuman` verdict makes the leg compete for
    /// the transfer. Errors are logged by the engine.
    fn verdict(&self, job_id: String, leg_id: String, verdict: Verdict) -> BoxFuture<'static, ()>;

    /// Records an IVR navigation step of a leg (e.g. `IVR step 1/2 'language': prompt ended
    /// at 5120 ms, sent 1`) as the leg's `ivr_step` and an `IVR_STEP` job event. Default:
    /// nothing.
    fn ivr_step(&self, job_id: String, leg_id: String, text: String) -> BoxFuture<'static, ()> {
        let _ = (job_id, leg_id, text);
        Box::pin(async {})
    }

    /// Publishes an informational `NOTE` job event about a leg (media gaps, reconnects).
    /// Default: nothing.
    fn note(&self, job_id: String, leg_id: String, text: String) -> BoxFuture<'static, ()> {
        let _ = (job_id, leg_id, text);
        Box::pin(async {})
    }
}

/// Starts and stops per-leg listening. Implementations spawn their own tasks and must not
/// block; `start` may be called again for a leg after a server restart.
pub trait MediaSupervisor: Send + Sync + 'static {
    /// Start listening to `leg`; report verdicts to `sink`.
    fn start(&self, leg: LegMedia, sink: Arc<dyn VerdictSink>);
    /// Stop listening to `leg` (idempotent).
    fn stop(&self, leg: &LegMedia);
}

/// A supervisor that listens to nothing (legs move IVR → HOLD by the fallback timer and go
/// LIVE only by ConfirmLive).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoMedia;

impl MediaSupervisor for NoMedia {
    fn start(&self, leg: LegMedia, _sink: Arc<dyn VerdictSink>) {
        tracing::debug!(job_id = %leg.job_id, leg_id = %leg.leg_id, "media: no-op start");
    }

    fn stop(&self, leg: &LegMedia) {
        tracing::debug!(job_id = %leg.job_id, leg_id = %leg.leg_id, "media: no-op stop");
    }
}
