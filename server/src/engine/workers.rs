//! Background loops of the engine, each stopping on the shutdown signal:
//! - dial: claims due legs from the durable schedule, passes the shared rate limiter, marks
//!   them DIALING (compare-and-set) and calls out;
//! - tick: timers (IVR fallback, max duration, orphan DIALING legs, winner retries, closing
//!   jobs a crash left half-finished, lost schedule entries);
//! - reconcile: `GET session` for every active leg (at start-up and every
//!   `reconcile_interval_ms`).

use std::time::Duration;

use tokio::task::JoinHandle;

use super::machine::LegEvent;
use super::model::{
    Detection, DetectionPhase, DetectionSource, JobEndCause, JobState, LegState, now_ms,
};
use super::{Engine, LegInput, LegPatch};
use crate::error::Result;

/// Lease of a claimed schedule entry, ms: an entry claimed by a crashed replica returns to the
/// schedule after this long.
const CLAIM_LEASE_MS: u64 = 30_000;

/// Starts the dial, tick and reconcile loops (and the subscription keeper when a webhook
/// address is configured).
pub fn spawn_all(engine: &Engine, webhook: crate::config::WebhookConfig) -> Vec<JoinHandle<()>> {
    let mut handles = vec![
        tokio::spawn(dial_loop(engine.clone())),
        tokio::spawn(tick_loop(engine.clone())),
        tokio::spawn(reconcile_loop(engine.clone())),
    ];
    if webhook.address.is_some() {
        handles.push(tokio::spawn(super::subscription::keep_subscription(
            engine.clone(),
            webhook,
        )));
    }
    handles
}

async fn sleep_or_shutdown(engine: &Engine, d: Duration) -> bool {
    let mut rx = engine.shutdown_signal();
    if *rx.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = rx.changed() => true,
    }
}

async fn dial_loop(engine: Engine) {
    let poll = Duration::from_millis(engine.config().dial_poll_ms);
    loop {
        if sleep_or_shutdown(&engine, poll).await {
            return;
        }
        match engine.store().claim_due(now_ms(), CLAIM_LEASE_MS, 20).await {
            Ok(due) => {
                for (job_id, leg_id) in due {
                    let engine = engine.clone();
                    tokio::spawn(async move {
                        if let Err(e) = dial_one(&engine, &job_id, &leg_id).await {
                            tracing::warn!(%job_id, %leg_id, error = %e, "dial failed");
                        }
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "dial schedule unavailable"),
        }
    }
}

async fn dial_one(engine: &Engine, job_id: &str, leg_id: &str) -> Result<()> {
    let store = engine.store();
    let (job, leg, _) = match store.load_leg(job_id, leg_id).await {
        Ok(v) => v,
        Err(crate::error::Error::JobNotFound(_) | crate::error::Error::LegNotFound { .. }) => {
            return store.finish_claim(job_id, leg_id).await;
        }
        Err(e) => return Err(e),
    };
    if job.state.is_terminal() || leg.state != LegState::Queued {
        return store.finish_claim(job_id, leg_id).await;
    }
    let cfg = engine.config();
    let token = format!("{job_id} {leg_id} {}", uuid::Uuid::new_v4().simple());
    let wait_ms = store
        .acquire_callout(
            &engine.inner.callout_user,
            now_ms(),
            cfg.callout_window_ms,
            cfg.callout_limit,
            &token,
        )
        .await?;
    if wait_ms > 0 {
        tracing::debug!(job_id, leg_id, wait_ms, "call-out rate limit: rescheduled");
        store
            .schedule_dial(job_id, leg_id, now_ms() + wait_ms as i64)
            .await?;
        return store.finish_claim(job_id, leg_id).await;
    }
    engine
        .apply(job_id, leg_id, &LegInput::event(LegEvent::DialDue))
        .await?;
    store.finish_claim(job_id, leg_id).await
}

async fn tick_loop(engine: Engine) {
    let every = Duration::from_millis(engine.config().tick_ms);
    loop {
        if sleep_or_shutdown(&engine, every).await {
            return;
        }
        let jobs = match engine.store().active_jobs().await {
            Ok(j) => j,
            Err(e) => {
                tracing::warn!(error = %e, "tick: store unavailable");
                continue;
            }
        };
        let mut census: std::collections::BTreeMap<&'static str, usize> = [
            "QUEUED",
            "DIALING",
            "RINGING",
            "IVR",
            "HOLD",
            "LIVE",
            "NEEDS_HUMAN",
            "TRANSFERRING",
        ]
        .into_iter()
        .map(|s| (s, 0))
        .collect();
        for job_id in jobs {
            if let Err(e) = tick_job(&engine, &job_id, &mut census).await {
                tracing::warn!(%job_id, error = %e, "tick failed");
            }
        }
        let counts: Vec<(&'static str, usize)> = census.into_iter().collect();
        crate::telemetry::set_leg_census(&counts);
    }
}

async fn tick_job(
    engine: &Engine,
    job_id: &str,
    census: &mut std::collections::BTreeMap<&'static str, usize>,
) -> Result<()> {
    let Some(snap) = engine.store().load_job(job_id).await? else {
        // Expired: nothing left to drive.
        return engine.store().retire_job_id(job_id).await;
    };
    let now = now_ms();
    let cfg = engine.config();
    if snap.job.state.is_terminal() {
        if now - snap.job.ended_at_ms.unwrap_or(now) > 5_000 {
            engine.close_job(job_id).await?;
        }
        return Ok(());
    }
    if now - snap.job.created_at_ms >= snap.job.max_duration_ms as i64 {
        engine
            .finish_job(
                job_id,
                JobState::Exhausted,
                JobEndCause::MaxDuration,
                "max duration elapsed".into(),
            )
            .await?;
        return Ok(());
    }
    let age = |since: i64| now - since;
    for (leg, _) in &snap.legs {
        if !leg.state.is_terminal() {
            *census.entry(leg.state.name()).or_default() += 1;
        }
        match leg.state {
            LegState::Ivr if age(leg.state_since_ms) >= cfg.ivr_fallback_ms as i64 => {
                let input = LegInput::event(LegEvent::IvrFallbackElapsed).with_patch(LegPatch {
                    detection: Some(Detection {
                        phase: DetectionPhase::Hold,
                        confidence: 0.5,
                        cause: "IVR_FALLBACK_TIMER".into(),
                        detail: format!(
                            "no hold verdict {} ms after the answer",
                            cfg.ivr_fallback_ms
                        ),
                        media_ms: 0,
                        source: DetectionSource::Telephony,
                    }),
                    ..LegPatch::default()
                });
                engine.apply(job_id, &leg.leg_id, &input).await?;
            }
            LegState::Live | LegState::NeedsHuman => {
                engine.request_winner(job_id, &leg.leg_id).await?;
            }
            LegState::Dialing
                if leg.telephony_session_id.is_none()
                    && age(leg.state_since_ms) >= 2_000
                    && engine.adopt_orphan_session(job_id, leg).await? => {}
            LegState::Dialing
                if leg.telephony_session_id.is_none()
                    && age(leg.state_since_ms) >= cfg.dialing_orphan_ms as i64 =>
            {
                engine
                    .apply(
                        job_id,
                        &leg.leg_id,
                        &LegInput::event(LegEvent::DialOutcomeUnknown),
                    )
                    .await?;
            }
            _ => {}
        }
        let queued_long = leg.state == LegState::Queued && age(leg.state_since_ms) >= 5_000;
        if queued_long && !engine.store().is_scheduled(job_id, &leg.leg_id).await? {
            tracing::warn!(job_id, leg_id = %leg.leg_id, "queued leg missing from the dial schedule: rescheduled");
            engine
                .store()
                .schedule_dial(job_id, &leg.leg_id, now)
                .await?;
        }
    }
    if snap.legs.iter().all(|(l, _)| l.state.is_terminal()) {
        engine.check_job(job_id).await?;
    }
    Ok(())
}

async fn reconcile_loop(engine: Engine) {
    let every = Duration::from_millis(engine.config().reconcile_interval_ms);
    let mut first = true;
    loop {
        if !first && sleep_or_shutdown(&engine, every).await {
            return;
        }
        first = false;
        let jobs = match engine.store().active_jobs().await {
            Ok(j) => j,
            Err(e) => {
                tracing::warn!(error = %e, "reconcile: store unavailable");
                continue;
            }
        };
        for job_id in jobs {
            let Ok(Some(snap)) = engine.store().load_job(&job_id).await else {
                continue;
            };
            if snap.job.state.is_terminal() {
                continue;
            }
            let checks = snap
                .legs
                .iter()
                .filter(|(l, _)| !l.state.is_terminal() && l.telephony_session_id.is_some())
                .map(|(l, _)| {
                    let engine = engine.clone();
                    let job_id = job_id.clone();
                    let leg = l.clone();
                    async move { engine.reconcile_leg(&job_id, &leg).await }
                });
            for r in futures::future::join_all(checks).await {
                if let Err(e) = r {
                    tracing::warn!(%job_id, error = %e, "reconcile failed");
                }
            }
        }
    }
}
