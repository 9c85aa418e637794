//! One leg's listening task: attach to the media stream (reconnecting with backoff while the
//! leg is connected), feed every frame to the leg's [`LegDetector`], report gaps to it
//! (`on_gap`), walk the IVR plan ([`IvrNavigator`]) and send its DTMF, and turn detector
//! verdicts into engine verdicts ([`VerdictReporter`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use holdhunter_detect::{DetectorConfig, KnownMessages, LegDetector, LoopLibrary};
use holdhunter_proto::v1::IvrStep;
use tokio::sync::watch;

use super::config::MediaConfig;
use super::ivr::{IvrNavigator, StepAction};
use super::metrics;
use super::source::{FRAME_MS, MediaError, MediaEvent, MediaFrame, MediaSource, MediaStream};
use super::verdicts::VerdictReporter;
use crate::engine::media::{LegMedia, VerdictSink};

/// Least wall time between two NOTE events of one leg.
const NOTE_INTERVAL: Duration = Duration::from_secs(5);

/// Everything one leg's task needs.
pub struct LegSession {
    /// The leg.
    pub leg: LegMedia,
    /// Destination id (loop library key), for logs.
    pub destination_id: String,
    /// The destination's IVR plan.
    pub steps: Vec<IvrStep>,
    /// The destination's loop library.
    pub library: Arc<LoopLibrary>,
    /// Known messages ("too busy", "closed"), if configured.
    pub known_messages: Option<Arc<KnownMessages>>,
    /// Where verdicts, IVR steps and notes go.
    pub sink: Arc<dyn VerdictSink>,
    /// Media transport.
    pub source: Arc<dyn MediaSource>,
    /// Settings.
    pub config: Arc<MediaConfig>,
    /// Becomes `true` (or is dropped) when the leg must stop.
    pub cancel: watch::Receiver<bool>,
}

/// Why a leg's task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// [`super::DetectorSupervisor`] stopped it.
    Cancelled,
    /// The stream said `stop` (hang-up or transfer).
    Stopped(String),
    /// The media server does not know the call.
    NotFound,
    /// The stream stayed down longer than `media.give_up_after_ms`.
    GaveUp,
}

/// Media-time bookkeeping across frames and reconnects.
#[derive(Debug, Default)]
struct MediaClock {
    /// Stream timestamp of the first frame, ms (detector media time 0).
    base_ms: Option<u64>,
    /// (sequence, timestamp ms) of the last frame.
    last: Option<(u64, u64)>,
}

enum FrameFit {
    /// In order, no loss.
    Next,
    /// `gap_ms` of media lost before this frame.
    Gap { gap_ms: u64, sequence_jump: u64 },
    /// Duplicate or late: drop it.
    Stale,
}

impl MediaClock {
    fn fit(&mut self, f: &MediaFrame) -> FrameFit {
        self.base_ms.get_or_insert(f.timestamp_ms);
        let Some((seq, ts)) = self.last else {
            self.last = Some((f.sequence, f.timestamp_ms));
            return FrameFit::Next;
        };
        if f.timestamp_ms <= ts {
            return FrameFit::Stale;
        }
        self.last = Some((f.sequence, f.timestamp_ms));
        let expected = ts + FRAME_MS;
        if f.timestamp_ms > expected {
            FrameFit::Gap {
                gap_ms: f.timestamp_ms - expected,
                sequence_jump: f.sequence.saturating_sub(seq),
            }
        } else {
            FrameFit::Next
        }
    }
}

struct State {
    detector: LegDetector,
    navigator: IvrNavigator,
    reporter: VerdictReporter,
    clock: MediaClock,
    last_note: Option<Instant>,
    hold_marked: bool,
}

impl LegSession {
    /// Runs until cancelled, stopped, or given up. Never panics on transport errors.
    pub async fn run(mut self) -> SessionEnd {
        let mut state = State {
            detector: LegDetector::new(
                DetectorConfig {
                    known_messages: self.known_messages.clone(),
                    ..self.config.detector_config()
                },
                Arc::clone(&self.library),
            ),
            navigator: IvrNavigator::new(
                std::mem::take(&mut self.steps),
                self.config.ivr_menu_quiet_ms,
            ),
            reporter: VerdictReporter::new(Duration::from_millis(
                self.config.verdict_update_interval_ms,
            )),
            clock: MediaClock::default(),
            last_note: None,
            hold_marked: false,
        };
        let initial = Duration::from_millis(self.config.reconnect_initial_ms.max(1));
        let max = Duration::from_millis(self.config.reconnect_max_ms.max(1));
        let give_up = Duration::from_millis(self.config.give_up_after_ms);
        let mut backoff = initial;
        let mut down_since: Option<Instant> = None;
        let mut connections = 0u64;
        loop {
            let attempt = tokio::select! {
                biased;
                _ = cancelled(&mut self.cancel) => return SessionEnd::Cancelled,
                r = self.source.connect(&self.leg) => r,
            };
            let mut stream = match attempt {
                Ok(s) => s,
                Err(MediaError::NotFound) => {
                    tracing::info!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, "media stream not found: call over");
                    return SessionEnd::NotFound;
                }
                Err(e) => {
                    metrics::connect_failed();
                    let since = *down_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= give_up {
                        tracing::warn!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, error = %e, "media stream down too long; giving up");
                        return SessionEnd::GaveUp;
                    }
                    tracing::debug!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, error = %e, backoff_ms = backoff.as_millis() as u64, "media connect failed");
                    tokio::select! {
                        biased;
                        _ = cancelled(&mut self.cancel) => return SessionEnd::Cancelled,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(max);
                    continue;
                }
            };
            connections += 1;
            if connections > 1 {
                metrics::reconnected();
                let down_ms = down_since
                    .map(|d| d.elapsed().as_millis() as u64)
                    .unwrap_or(0);
                tracing::info!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, down_ms, connections, "media stream reconnected");
            }
            backoff = initial;
            let end = self.pump(&mut state, stream.as_mut()).await;
            match end {
                Some(end) => {
                    stream.close().await;
                    return end;
                }
                None => {
                    down_since = Some(Instant::now());
                    let text = format!(
                        "media stream dropped at {} ms of media; reconnecting",
                        state.clock.last.map(|(_, ts)| ts).unwrap_or(0)
                    );
                    tracing::warn!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, "{text}");
                    self.note(&mut state, text, true).await;
                    tokio::select! {
                        biased;
                        _ = cancelled(&mut self.cancel) => return SessionEnd::Cancelled,
                        _ = tokio::time::sleep(initial) => {}
                    }
                }
            }
        }
    }

    /// Reads one connection until it ends: `Some(end)` = the task ends, `None` = reconnect.
    async fn pump(
        &mut self,
        state: &mut State,
        stream: &mut dyn MediaStream,
    ) -> Option<SessionEnd> {
        loop {
            let event = tokio::select! {
                biased;
                _ = cancelled(&mut self.cancel) => return Some(SessionEnd::Cancelled),
                e = stream.next_event() => e,
            };
            match event {
                Ok(None) => return None,
                Err(e) => {
                    tracing::debug!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, error = %e, "media stream error");
                    return None;
                }
                Ok(Some(MediaEvent::Stopped { reason })) => {
                    return Some(SessionEnd::Stopped(reason));
                }
                Ok(Some(MediaEvent::Frame(frame))) => {
                    if !self.on_frame(state, stream, frame).await {
                        return None;
                    }
                }
                Ok(Some(MediaEvent::Dtmf { digit })) => {
                    tracing::debug!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, %digit, "far end received DTMF");
                }
                Ok(Some(MediaEvent::Connected | MediaEvent::Started { .. })) => {}
            }
        }
    }

    /// One frame; `false` when the stream broke while sending DTMF.
    async fn on_frame(
        &mut self,
        state: &mut State,
        stream: &mut dyn MediaStream,
        frame: MediaFrame,
    ) -> bool {
        match state.clock.fit(&frame) {
            FrameFit::Stale => return true,
            FrameFit::Next => {}
            FrameFit::Gap {
                gap_ms,
                sequence_jump,
            } => {
                state.detector.on_gap(gap_ms * 8);
                metrics::gap(gap_ms);
                let text = format!(
                    "media gap: {gap_ms} ms lost before {} ms (sequence +{sequence_jump})",
                    frame.timestamp_ms
                );
                tracing::warn!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, "{text}");
                self.note(state, text, false).await;
            }
        }
        let started = Instant::now();
        // While the IVR plan has menus left, no prompt may be taken for an agent.
        state
            .detector
            .set_ivr_pending(state.navigator.done_at().is_none());
        let verdict = state.detector.push_ulaw(&frame.payload);
        metrics::frame_processed(started.elapsed());
        let now = state.detector.media_samples();
        let class = state.detector.last_class();
        let mut steps: Vec<StepAction> = Vec::new();
        for seg in state.detector.take_segment_events() {
            steps.extend(state.navigator.on_segment(&seg));
        }
        steps.extend(state.navigator.on_frame(now, class));
        let mut ok = true;
        for step in steps {
            ok &= self.take_step(stream, step).await;
        }
        let base_ms = state.clock.base_ms.unwrap_or(0);
        if let Some(v) = verdict {
            self.report(state, &v, base_ms).await;
        }
        self.maybe_mark_hold(state, now, base_ms).await;
        ok
    }

    async fn take_step(&self, stream: &mut dyn MediaStream, step: StepAction) -> bool {
        let mut ok = true;
        for digit in step.digits.chars() {
            if let Err(e) = stream.send_dtmf(digit).await {
                tracing::warn!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, error = %e, "DTMF not sent");
                ok = false;
                break;
            }
            metrics::dtmf_sent();
        }
        metrics::ivr_step(step.trigger.as_str());
        tracing::info!(job_id = %self.leg.job_id, leg_id = %self.leg.leg_id, destination_id = %self.destination_id, "{}", step.text);
        self.sink
            .ivr_step(self.leg.job_id.clone(), self.leg.leg_id.clone(), step.text)
            .await;
        ok
    }

    async fn report(&self, state: &mut State, v: &holdhunter_detect::Verdict, base_ms: u64) {
        let Some(verdict) = state.reporter.admit(v, base_ms, Instant::now()) else {
            return;
        };
        tracing::info!(
            job_id = %self.leg.job_id, leg_id = %self.leg.leg_id,
            phase = ?verdict.phase, confidence = verdict.confidence, cause = %verdict.cause,
            media_ms = verdict.media_ms, detail = %verdict.detail, "detector verdict"
        );
        self.sink
            .verdict(self.leg.job_id.clone(), self.leg.leg_id.clone(), verdict)
            .await;
    }

    /// After the IVR plan, tell the detector the leg is queued if it heard no hold music.
    async fn maybe_mark_hold(&self, state: &mut State, now: u64, base_ms: u64) {
        let after = self.config.hold_mark_after_plan_ms;
        if state.hold_marked || after == 0 {
            return;
        }
        let Some(done) = state.navigator.done_at() else {
            return;
        };
        if now.saturating_sub(done) < after * 8 {
            return;
        }
        state.hold_marked = true;
        if let Some(v) = state.detector.mark_hold() {
            self.report(state, &v, base_ms).await;
        }
    }

    /// Publishes a NOTE; gap notes (`always` false) at most every [`NOTE_INTERVAL`]. Notes sent
    /// with `always` (a dropped stream) do not count against that limit, so the gap measured
    /// right after a reconnect is still reported.
    async fn note(&self, state: &mut State, text: String, always: bool) {
        if !always {
            if state.last_note.is_some_and(|t| t.elapsed() < NOTE_INTERVAL) {
                return;
            }
            state.last_note = Some(Instant::now());
        }
        self.sink
            .note(self.leg.job_id.clone(), self.leg.leg_id.clone(), text)
            .await;
    }
}

/// Resolves when `cancel` is `true` or its sender is gone.
async fn cancelled(cancel: &mut watch::Receiver<bool>) {
    let _ = cancel.wait_for(|v| *v).await;
}
