//! The hunt engine: decide (the pure [`machine::step`]), then do (this executor: call-out,
//! transfer, hang-up, publish). Every state change is a compare-and-set in Redis that also
//! publishes the job event, so any replica can apply any event and races are settled in one
//! place (the scripts in `store`).

pub mod jobs;
pub mod machine;
pub mod media;
pub mod model;
pub mod subscription;
pub mod telephony;
pub mod workers;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use crate::config::EngineConfig;
use crate::error::{Error, Result};
use crate::store::{Cas, Store, WinnerOutcome};
use machine::{Action, LegEvent};
use media::{LegMedia, MediaSupervisor, Verdict, VerdictSink};
use model::{
    Detection, DetectionPhase, DetectionSource, EventKind, JobRecord, KnownMessageHeard,
    LegEndReason, LegRecord, LegState, StreamEvent, now_ms,
};

/// Field updates applied together with a state-machine step.
#[derive(Debug, Clone, Default)]
pub struct LegPatch {
    /// (telephony session id, our party id) from the call-out response.
    pub session: Option<(String, String)>,
    /// New detection.
    pub detection: Option<Detection>,
    /// Last party status seen, for display.
    pub party_status: Option<String>,
    /// RingCentral error code.
    pub provider_error_code: Option<String>,
    /// Last IVR step, for display.
    pub ivr_step: Option<String>,
    /// A known message the detector recognised.
    pub known_message: Option<KnownMessageHeard>,
}

impl LegPatch {
    fn apply(&self, leg: &mut LegRecord) {
        if let Some((session, party)) = &self.session {
            leg.telephony_session_id = Some(session.clone());
            leg.party_id = Some(party.clone());
        }
        if let Some(d) = &self.detection {
            leg.detection = Some(d.clone());
        }
        if let Some(s) = &self.party_status {
            leg.party_status = s.clone();
        }
        if let Some(c) = &self.provider_error_code {
            leg.provider_error_code = Some(c.clone());
        }
        if let Some(s) = &self.ivr_step {
            leg.ivr_step = s.clone();
        }
        if let Some(m) = &self.known_message {
            leg.known_message = Some(m.clone());
        }
    }
}

/// One input to [`Engine::apply`].
#[derive(Debug, Clone, Default)]
pub struct LegInput {
    /// Events folded through the machine in order.
    pub events: Vec<LegEvent>,
    /// `body.sequence` of the notification: applied only if above the leg's last one.
    pub sequence: Option<i64>,
    /// Field updates.
    pub patch: LegPatch,
}

impl LegInput {
    /// One event, no patch.
    pub fn event(event: LegEvent) -> Self {
        LegInput {
            events: vec![event],
            ..LegInput::default()
        }
    }

    /// Adds a patch.
    pub fn with_patch(mut self, patch: LegPatch) -> Self {
        self.patch = patch;
        self
    }
}

/// Shared engine state; clone freely.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    rc: ringcentral::Client,
    config: EngineConfig,
    /// Rate-limiter key: one RingCentral user (client id + account).
    callout_user: String,
    media: Arc<dyn MediaSupervisor>,
    subscription: subscription::SubscriptionState,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

impl Engine {
    /// A new engine (starts nothing; see [`workers::spawn_all`]).
    pub fn new(
        store: Store,
        rc: ringcentral::Client,
        config: EngineConfig,
        media: Arc<dyn MediaSupervisor>,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Engine {
        let callout_user = format!("{}:{}", rc.config().client_id, rc.config().account_id);
        Engine {
            inner: Arc::new(Inner {
                store,
                rc,
                config,
                callout_user,
                media,
                subscription: subscription::SubscriptionState::default(),
                shutdown,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The RingCentral client.
    pub fn rc(&self) -> &ringcentral::Client {
        &self.inner.rc
    }

    /// Engine settings.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// The owned webhook subscription's last known state.
    pub fn subscription(&self) -> &subscription::SubscriptionState {
        &self.inner.subscription
    }

    /// A receiver that becomes `true` when the server shuts down.
    pub fn shutdown_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.shutdown.clone()
    }

    /// True once shutdown began.
    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    /// Applies `input` to a leg: compare-and-set loop over (read, step, write + publish);
    /// the winner of the write runs the actions (spawned). Returns the leg after the call
    /// (unchanged when the input did not apply, e.g. a stale sequence).
    pub async fn apply(&self, job_id: &str, leg_id: &str, input: &LegInput) -> Result<LegRecord> {
        for _ in 0..64 {
            let (job, leg, version) = self.store().load_leg(job_id, leg_id).await?;
            // Ordering is per party (`body.sequence` is shared by the session's parties): an
            // older notification of the callee still matters after a newer one of ours, but
            // an older one of the same party is superseded (stale) and a repeated one is a
            // duplicate.
            let fresh: Vec<&LegEvent> = input
                .events
                .iter()
                .filter(|e| match (input.sequence, e) {
                    (Some(seq), LegEvent::Party { role, .. }) => seq > leg.party_sequence(*role),
                    _ => true,
                })
                .collect();
            if input.sequence.is_some() && !input.events.is_empty() && fresh.is_empty() {
                tracing::debug!(
                    job_id,
                    leg_id,
                    seq = input.sequence,
                    "stale or duplicate event dropped"
                );
                return Ok(leg);
            }
            let mut state = leg.state;
            let mut actions = Vec::new();
            let mut kind = EventKind::LegState;
            let mut messages = Vec::new();
            for event in &fresh {
                let t = machine::step(state, event);
                state = t.next;
                actions.extend(t.actions);
                if t.kind != EventKind::LegState {
                    kind = t.kind;
                }
                if !t.message.is_empty() {
                    messages.push(t.message);
                }
            }
            let now = now_ms();
            // The far end hung up without a RingCentral reason right after a known message:
            // that message says why ("too busy", a courtesy disconnect, closed).
            if state == LegState::Ended(LegEndReason::RemoteHangup)
                && leg.state != state
                && let Some(heard) = &leg.known_message
                && let Some(reason) = heard.end_reason(leg.state, now)
            {
                state = LegState::Ended(reason);
                messages.push(format!(
                    "the far end hung up after a known {} message",
                    heard.kind.replace('_', "-")
                ));
            }
            let mut next = leg.clone();
            input.patch.apply(&mut next);
            if let Some(seq) = input.sequence {
                next.last_sequence = next.last_sequence.max(seq);
                for event in &fresh {
                    if let LegEvent::Party { role, .. } = event {
                        next.set_party_sequence(*role, seq);
                    }
                }
            }
            let state_changed = state != leg.state;
            if state_changed {
                next.state = state;
                next.state_since_ms = now;
                if state == LegState::Hold && next.hold_started_at_ms.is_none() {
                    next.hold_started_at_ms = Some(now);
                }
                if leg.state == LegState::Hold
                    && next.hold_ended_at_ms.is_none()
                    && state != LegState::Hold
                {
                    next.hold_ended_at_ms = Some(now);
                }
                if matches!(state, LegState::Live | LegState::NeedsHuman)
                    && next.live_at_ms.is_none()
                {
                    next.live_at_ms = Some(now);
                }
                if state == LegState::Transferred {
                    next.winner = true;
                }
            }
            if next == leg && actions.is_empty() {
                return Ok(leg);
            }
            let mut visible = next.clone();
            visible.last_sequence = leg.last_sequence;
            visible.last_sequence_ours = leg.last_sequence_ours;
            visible.last_sequence_callee = leg.last_sequence_callee;
            let event = if visible != leg || state_changed {
                if !state_changed && next.detection != leg.detection {
                    kind = EventKind::Detection;
                }
                Some(StreamEvent {
                    kind,
                    time_ms: now,
                    leg_id: Some(leg_id.to_owned()),
                    leg: Some(next.clone()),
                    job_state: job.state,
                    message: messages.join("; "),
                    transfers: job.transfers,
                })
            } else {
                None
            };
            match self
                .store()
                .cas_leg(job_id, &next, version, event.as_ref())
                .await?
            {
                Cas::Conflict => continue,
                Cas::Written(_) => {
                    if state_changed {
                        tracing::info!(job_id, leg_id, from = leg.state.name(), to = state.name(), message = %messages.join("; "), "leg state");
                        crate::telemetry::leg_transition(leg.state, state);
                    }
                    if !actions.is_empty() {
                        tokio::spawn(self.clone().run_actions(job, next.clone(), actions));
                    }
                    return Ok(next);
                }
            }
        }
        Err(Error::Internal(format!(
            "leg {job_id}/{leg_id}: too much write contention"
        )))
    }

    /// Performs `actions` for a leg, in order. Boxed: actions apply further events.
    fn run_actions(
        self,
        job: JobRecord,
        leg: LegRecord,
        actions: Vec<Action>,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            for action in actions {
                if let Err(err) = self.run_action(&job, &leg, &action).await {
                    tracing::warn!(job_id = %job.job_id, leg_id = %leg.leg_id, ?action, error = %err, "action failed");
                }
            }
        })
    }

    async fn run_action(&self, job: &JobRecord, leg: &LegRecord, action: &Action) -> Result<()> {
        let job_id = job.job_id.as_str();
        match action {
            Action::CallOut => self.call_out(job, leg).await,
            Action::Requeue(after_ms) => {
                self.store()
                    .schedule_dial(job_id, &leg.leg_id, now_ms() + *after_ms as i64)
                    .await
            }
            Action::StartMedia => {
                if let Some(m) = media_of(job_id, leg) {
                    let sink: Arc<dyn VerdictSink> = Arc::new(self.clone());
                    self.inner.media.start(m, sink);
                }
                Ok(())
            }
            Action::StopMedia => {
                if let Some(m) = media_of(job_id, leg) {
                    self.inner.media.stop(&m);
                }
                Ok(())
            }
            Action::RequestWinner => self.request_winner(job_id, &leg.leg_id).await,
            Action::ReleaseWinner => self.store().release_winner(job_id, &leg.leg_id).await,
            Action::Transfer => self.transfer(job, leg).await,
            Action::HangUp => {
                self.hang_up(leg).await;
                Ok(())
            }
            Action::ReleaseLine => self
                .store()
                .release_lines(job_id, std::slice::from_ref(&leg.line_id))
                .await
                .map(|_| ()),
            Action::CountTransfer => self.count_transfers(job_id).await,
            Action::CheckJob => self.check_job(job_id).await,
        }
    }

    /// Runs the winner script; an admitted leg goes TRANSFERRING (and is transferred).
    pub async fn request_winner(&self, job_id: &str, leg_id: &str) -> Result<()> {
        match self.store().admit_winner(job_id, leg_id).await? {
            WinnerOutcome::Admitted | WinnerOutcome::AlreadyAdmitted => {
                self.apply(job_id, leg_id, &LegInput::event(LegEvent::WinnerAdmitted))
                    .await?;
            }
            WinnerOutcome::Satisfied | WinnerOutcome::NotHunting => {
                self.apply(job_id, leg_id, &LegInput::event(LegEvent::WinnerRejected))
                    .await?;
            }
        }
        Ok(())
    }

    async fn call_out(&self, job: &JobRecord, leg: &LegRecord) -> Result<()> {
        let request = ringcentral::CallOutRequest::to_phone_number(
            leg.line_id.clone(),
            job.destination_number.clone(),
        );
        metrics::counter!("hh_callouts_total").increment(1);
        match self.rc().call_out(&request).await {
            Ok(session) => {
                let party = session
                    .parties
                    .iter()
                    .find(|p| p.extension_id.as_deref() == Some(leg.extension_id.as_str()))
                    .or_else(|| session.parties.first())
                    .map(|p| p.id.clone())
                    .unwrap_or_default();
                let parked = self
                    .store()
                    .bind_session(&session.id, &job.job_id, &leg.leg_id)
                    .await?;
                let input = LegInput::event(LegEvent::CallOutAccepted).with_patch(LegPatch {
                    session: Some((session.id.clone(), party)),
                    ..LegPatch::default()
                });
                let after = self.apply(&job.job_id, &leg.leg_id, &input).await?;
                if after.state.is_terminal() && !matches!(after.state, LegState::Transferred) {
                    // Stopped while the call-out was in flight: do not leave the call up.
                    self.hang_up(&after).await;
                }
                for bytes in parked {
                    if let Ok(event) =
                        <holdhunter_proto::v1::TelephonySessionEvent as prost::Message>::decode(
                            bytes.as_slice(),
                        )
                    {
                        self.ingest_one(&event).await?;
                    }
                }
                Ok(())
            }
            Err(err) => {
                metrics::counter!("hh_callout_failures_total").increment(1);
                let retry_after_ms = match &err {
                    ringcentral::Error::RateLimited { retry_after, .. } => {
                        Some(retry_after.as_millis() as u64)
                    }
                    e if e.is_retryable() => Some(5_000),
                    _ => None,
                };
                tracing::warn!(job_id = %job.job_id, leg_id = %leg.leg_id, error = %err, "call-out failed");
                let input = LegInput::event(LegEvent::CallOutFailed {
                    error_code: err.error_code().map(str::to_owned),
                    retry_after_ms,
                })
                .with_patch(LegPatch {
                    provider_error_code: err.error_code().map(str::to_owned),
                    ..LegPatch::default()
                });
                self.apply(&job.job_id, &leg.leg_id, &input).await?;
                Ok(())
            }
        }
    }

    async fn transfer(&self, job: &JobRecord, leg: &LegRecord) -> Result<()> {
        let (Some(session), Some(party)) = (&leg.telephony_session_id, &leg.party_id) else {
            return Err(Error::Internal("transfer of a leg without session".into()));
        };
        if let Some(live_at) = leg.live_at_ms {
            let s = (now_ms() - live_at).max(0) as f64 / 1000.0;
            metrics::histogram!("hh_verdict_to_transfer_request_seconds").record(s);
        }
        let target =
            ringcentral::TransferTarget::ExtensionNumber(job.queue_extension_number.clone());
        metrics::counter!("hh_transfers_total").increment(1);
        let outcome = self.rc().transfer_party(session, party, &target).await;
        let input = match outcome {
            Ok(p) => LegInput::event(LegEvent::TransferSucceeded).with_patch(LegPatch {
                party_status: Some(format!(
                    "ours: {}{}",
                    status_code_name(&p.status.code),
                    p.status
                        .reason
                        .as_deref()
                        .map(|r| format!("/{r}"))
                        .unwrap_or_default()
                )),
                ..LegPatch::default()
            }),
            Err(err) => {
                metrics::counter!("hh_transfer_failures_total").increment(1);
                tracing::warn!(job_id = %job.job_id, leg_id = %leg.leg_id, error = %err, "transfer failed");
                let code = err.error_code().map(str::to_owned);
                LegInput::event(LegEvent::TransferFailed {
                    error_code: code.clone(),
                    session_gone: err.is_not_found(),
                })
                .with_patch(LegPatch {
                    provider_error_code: code,
                    ..LegPatch::default()
                })
            }
        };
        self.apply(&job.job_id, &leg.leg_id, &input).await?;
        Ok(())
    }

    /// DELETE the leg's session (404 = already gone); retried on transient errors.
    async fn hang_up(&self, leg: &LegRecord) {
        let Some(session) = &leg.telephony_session_id else {
            return;
        };
        for attempt in 0..4u32 {
            match self.rc().delete_session(session).await {
                Ok(()) => return,
                Err(e) if e.is_not_found() => return,
                Err(e) if e.is_retryable() && attempt < 3 => {
                    tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
                }
                Err(e) => {
                    tracing::warn!(leg_id = %leg.leg_id, error = %e, "hang-up failed");
                    return;
                }
            }
        }
    }

    /// Records a detector verdict for a leg.
    pub async fn apply_verdict(
        &self,
        job_id: &str,
        leg_id: &str,
        verdict: Verdict,
    ) -> Result<LegRecord> {
        let phase = verdict.phase;
        // Assist mode (`engine.detector_transfers = false`): a LIVE verdict is recorded and
        // shown on the leg, but only an operator's ConfirmLive makes the leg compete for the
        // transfer. NEEDS_HUMAN (a voice challenge) always acts.
        let acts = self.inner.config.detector_transfers || phase != DetectionPhase::Live;
        let input = LegInput {
            events: if acts {
                vec![LegEvent::Detected(phase)]
            } else {
                Vec::new()
            },
            sequence: None,
            patch: LegPatch {
                detection: Some(Detection {
                    phase,
                    confidence: verdict.confidence,
                    cause: verdict.cause,
                    detail: verdict.detail,
                    media_ms: verdict.media_ms,
                    source: DetectionSource::Detector,
                }),
                known_message: verdict.known_message.map(|kind| KnownMessageHeard {
                    kind,
                    at_ms: now_ms(),
                }),
                ..LegPatch::default()
            },
        };
        self.apply(job_id, leg_id, &input).await
    }
}

impl VerdictSink for Engine {
    fn verdict(&self, job_id: String, leg_id: String, verdict: Verdict) -> BoxFuture<'static, ()> {
        let engine = self.clone();
        Box::pin(async move {
            if let Err(err) = engine.apply_verdict(&job_id, &leg_id, verdict).await {
                tracing::warn!(%job_id, %leg_id, error = %err, "verdict not applied");
            }
        })
    }

    fn ivr_step(&self, job_id: String, leg_id: String, text: String) -> BoxFuture<'static, ()> {
        let engine = self.clone();
        Box::pin(async move {
            if let Err(err) =
                crate::media::events::record_ivr_step(&engine, &job_id, &leg_id, &text).await
            {
                tracing::warn!(%job_id, %leg_id, error = %err, "IVR step not recorded");
            }
        })
    }

    fn note(&self, job_id: String, leg_id: String, text: String) -> BoxFuture<'static, ()> {
        let engine = self.clone();
        Box::pin(async move {
            if let Err(err) =
                crate::media::events::record_note(&engine, &job_id, &leg_id, &text).await
            {
                tracing::warn!(%job_id, %leg_id, error = %err, "note not published");
            }
        })
    }
}

fn media_of(job_id: &str, leg: &LegRecord) -> Option<LegMedia> {
    Some(LegMedia {
        job_id: job_id.to_owned(),
        leg_id: leg.leg_id.clone(),
        telephony_session_id: leg.telephony_session_id.clone()?,
        party_id: leg.party_id.clone().unwrap_or_default(),
        line_id: leg.line_id.clone(),
    })
}

/// `status.code` as RingCentral spells it.
pub fn status_code_name(code: &ringcentral::PartyStatusCode) -> String {
    use ringcentral::PartyStatusCode as C;
    match code {
        C::Setup => "Setup".into(),
        C::Proceeding => "Proceeding".into(),
        C::Answered => "Answered".into(),
        C::Disconnected => "Disconnected".into(),
        C::Gone => "Gone".into(),
        C::Parked => "Parked".into(),
        C::Hold => "Hold".into(),
        C::VoiceMail => "VoiceMail".into(),
        C::FaxReceive => "FaxReceive".into(),
        C::Tds => "Tds".into(),
        C::VoiceMailScreening => "VoiceMailScreening".into(),
        C::Unknown(s) => s.clone(),
    }
}

/// An operator's confirmation as a detection.
pub fn operator_detection(phase: DetectionPhase, cause: &str, detail: &str) -> Detection {
    Detection {
        phase,
        confidence: 1.0,
        cause: cause.into(),
        detail: detail.into(),
        media_ms: 0,
        source: DetectionSource::Operator,
    }
}
