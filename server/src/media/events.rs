//! Job events the media pipeline publishes through the engine's [`VerdictSink`]
//! (`ivr_step`, `note`): written with the store's compare-and-set so they never overwrite a
//! concurrent state change, and published on the job's event stream (`WatchJob`).
//!
//! [`VerdictSink`]: crate::engine::media::VerdictSink

use crate::engine::Engine;
use crate::engine::model::{EventKind, StreamEvent, now_ms};
use crate::error::{Error, Result};
use crate::store::Cas;

/// Records `text` as the leg's last IVR step (`Leg.ivr_step`) and publishes an `IVR_STEP`
/// event with it as the message. A terminal leg is left alone.
pub async fn record_ivr_step(
    engine: &Engine,
    job_id: &str,
    leg_id: &str,
    text: &str,
) -> Result<()> {
    for _ in 0..16 {
        let (job, leg, version) = engine.store().load_leg(job_id, leg_id).await?;
        if leg.state.is_terminal() {
            return Ok(());
        }
        let mut next = leg.clone();
        next.ivr_step = text.to_owned();
        let event = StreamEvent {
            kind: EventKind::IvrStep,
            time_ms: now_ms(),
            leg_id: Some(leg_id.to_owned()),
            leg: Some(next.clone()),
            job_state: job.state,
            message: text.to_owned(),
            transfers: job.transfers,
        };
        match engine
            .store()
            .cas_leg(job_id, &next, version, Some(&event))
            .await?
        {
            Cas::Written(_) => return Ok(()),
            Cas::Conflict => continue,
        }
    }
    Err(Error::Internal(format!(
        "leg {job_id}/{leg_id}: IVR step not recorded (write contention)"
    )))
}

/// Publishes a `NOTE` event about a leg (e.g. a media gap or reconnect); the leg record is
/// unchanged.
pub async fn record_note(engine: &Engine, job_id: &str, leg_id: &str, text: &str) -> Result<()> {
    let (job, leg, _) = engine.store().load_leg(job_id, leg_id).await?;
    let event = StreamEvent {
        kind: EventKind::Note,
        time_ms: now_ms(),
        leg_id: Some(leg_id.to_owned()),
        leg: Some(leg),
        job_state: job.state,
        message: text.to_owned(),
        transfers: job.transfers,
    };
    engine.store().publish(job_id, &event).await?;
    Ok(())
}
