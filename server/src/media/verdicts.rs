//! Detector verdicts → engine [`Verdict`]s: phase, confidence, cause code (e.g.
//! `NEW_SPEECH_AFTER_MUSIC`), detail text (the cause's explanation, plus the speech onset),
//! media time. Phase changes pass at once; updates within a phase at most every
//! `media.verdict_update_interval_ms` of wall time.

use std::time::{Duration, Instant};

use holdhunter_detect::{Cause, Phase};

use super::metrics;
use crate::engine::media::Verdict;
use crate::engine::model::DetectionPhase;

/// The engine's name for a detector phase.
pub fn engine_phase(phase: Phase) -> DetectionPhase {
    match phase {
        Phase::Ivr => DetectionPhase::Ivr,
        Phase::Hold => DetectionPhase::Hold,
        Phase::Live => DetectionPhase::Live,
        Phase::NeedsHuman => DetectionPhase::NeedsHuman,
    }
}

/// Converts a detector verdict. `base_ms` is the stream timestamp (far-end media ms) of the
/// detector's media time 0, so `media_ms` is on the media stream's clock (the simulator's
/// ground truth uses the same clock).
pub fn to_engine(v: &holdhunter_detect::Verdict, base_ms: u64) -> Verdict {
    let code = v.cause.code();
    let full = v.cause.to_string();
    let mut detail = full
        .strip_prefix(code)
        .and_then(|d| d.strip_prefix(": "))
        .unwrap_or(&full)
        .to_owned();
    if let Some(onset) = v.onset_samples {
        detail.push_str(&format!("; speech onset at {} ms", base_ms + onset / 8));
    }
    Verdict {
        phase: engine_phase(v.phase),
        confidence: v.confidence.clamp(0.0, 1.0),
        cause: code.to_owned(),
        detail,
        media_ms: base_ms + v.at_samples / 8,
        known_message: match &v.cause {
            Cause::KnownMessage { kind, .. } => Some(kind.as_str().to_owned()),
            _ => None,
        },
    }
}

/// Decides which verdicts reach the engine.
#[derive(Debug, Clone)]
pub struct VerdictReporter {
    min_interval: Duration,
    last_phase: Option<Phase>,
    last_sent: Option<Instant>,
}

impl VerdictReporter {
    /// Same-phase updates at most every `min_interval`.
    pub fn new(min_interval: Duration) -> Self {
        VerdictReporter {
            min_interval,
            last_phase: None,
            last_sent: None,
        }
    }

    /// The engine verdict to send for `v` now, or `None` (rate-limited update).
    pub fn admit(
        &mut self,
        v: &holdhunter_detect::Verdict,
        base_ms: u64,
        now: Instant,
    ) -> Option<Verdict> {
        // A known message is news whenever it comes: the leg's end reason depends on it.
        let changed =
            self.last_phase != Some(v.phase) || matches!(v.cause, Cause::KnownMessage { .. });
        let due = self
            .last_sent
            .is_none_or(|t| now.duration_since(t) >= self.min_interval);
        if !changed && !due {
            metrics::verdict_suppressed();
            return None;
        }
        self.last_phase = Some(v.phase);
        self.last_sent = Some(now);
        metrics::verdict(v.phase.as_str());
        Some(to_engine(v, base_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(phase: Phase, at_ms: u64) -> holdhunter_detect::Verdict {
        holdhunter_detect::Verdict {
            phase,
            confidence: 0.9,
            cause: Cause::HoldMusic {
                music_ms: 2_600,
                loop_coverage: 0.5,
            },
            at_samples: at_ms * 8,
            onset_samples: None,
        }
    }

    #[test]
    fn maps_phase_cause_detail_and_media_time() {
        let v = to_engine(&verdict(Phase::Hold, 3_000), 12_000);
        assert_eq!(v.phase, DetectionPhase::Hold);
        assert_eq!(v.cause, "HOLD_MUSIC");
        assert!(v.detail.starts_with("2600 ms music"), "{}", v.detail);
        assert_eq!(v.media_ms, 15_000);
        let mut flagged = holdhunter_detect::Verdict {
            cause: Cause::NeedsHumanFlagged {
                reason: "challenge".into(),
            },
            onset_samples: Some(800),
            ..verdict(Phase::NeedsHuman, 500)
        };
        flagged.confidence = 1.5;
        let v = to_engine(&flagged, 0);
        assert_eq!(
            (v.phase, v.cause.as_str(), v.confidence),
            (DetectionPhase::NeedsHuman, "NEEDS_HUMAN_FLAGGED", 1.0)
        );
        assert_eq!(v.detail, "challenge; speech onset at 100 ms");
    }

    #[test]
    fn phase_changes_pass_updates_are_rate_limited() {
        let mut r = VerdictReporter::new(Duration::from_secs(1));
        let t0 = Instant::now();
        assert!(r.admit(&verdict(Phase::Hold, 1_000), 0, t0).is_some());
        assert!(
            r.admit(
                &verdict(Phase::Hold, 1_500),
                0,
                t0 + Duration::from_millis(200)
            )
            .is_none()
        );
        assert!(
            r.admit(
                &verdict(Phase::Live, 1_600),
                0,
                t0 + Duration::from_millis(300)
            )
            .is_some()
        );
        assert!(
            r.admit(
                &verdict(Phase::Live, 2_600),
                0,
                t0 + Duration::from_millis(1_400)
            )
            .is_some()
        );
    }
}
