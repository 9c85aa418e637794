//! Media pipeline metrics (Prometheus names):
//! `hh_media_frames_total`, `hh_media_gaps_total`, `hh_media_gap_ms_total`,
//! `hh_media_reconnects_total`, `hh_media_connect_failures_total`, `hh_media_active_legs`
//! (gauge), `hh_detector_frame_seconds` (CPU time of one 20 ms frame in the detector),
//! `hh_detector_verdicts_total{phase}`, `hh_detector_verdicts_suppressed_total`,
//! `hh_ivr_steps_total{trigger=prompt|fallback}`, `hh_dtmf_sent_total`,
//! `hh_loop_hashes_loaded_total`, `hh_loop_hashes_persisted_total`.

use std::time::Duration;

/// One frame went through the detector in `cpu`.
pub fn frame_processed(cpu: Duration) {
    metrics::counter!("hh_media_frames_total").increment(1);
    metrics::histogram!("hh_detector_frame_seconds").record(cpu.as_secs_f64());
}

/// `gap_ms` of media were lost.
pub fn gap(gap_ms: u64) {
    metrics::counter!("hh_media_gaps_total").increment(1);
    metrics::counter!("hh_media_gap_ms_total").increment(gap_ms);
}

/// A dropped stream was attached again.
pub fn reconnected() {
    metrics::counter!("hh_media_reconnects_total").increment(1);
}

/// A connect attempt failed.
pub fn connect_failed() {
    metrics::counter!("hh_media_connect_failures_total").increment(1);
}

/// A verdict was sent to the engine.
pub fn verdict(phase: &'static str) {
    metrics::counter!("hh_detector_verdicts_total", "phase" => phase).increment(1);
}

/// A same-phase update was not sent (rate limit).
pub fn verdict_suppressed() {
    metrics::counter!("hh_detector_verdicts_suppressed_total").increment(1);
}

/// An IVR step was taken.
pub fn ivr_step(trigger: &'static str) {
    metrics::counter!("hh_ivr_steps_total", "trigger" => trigger).increment(1);
}

/// A DTMF digit was sent.
pub fn dtmf_sent() {
    metrics::counter!("hh_dtmf_sent_total").increment(1);
}

/// Legs being listened to.
pub fn active_legs(n: usize) {
    metrics::gauge!("hh_media_active_legs").set(n as f64);
}
