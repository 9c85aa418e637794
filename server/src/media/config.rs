//! [`MediaConfig`]: the `media` section of the server configuration (per-leg media client,
//! detector host, IVR navigation by prompt, loop-library persistence).

use std::time::Duration;

use holdhunter_detect::DetectorConfig;
use serde::{Deserialize, Serialize};

/// Placeholder in [`MediaConfig::url_template`] replaced by the leg's telephony session id.
pub const SESSION_PLACEHOLDER: &str = "{telephonySessionId}";

/// The `media` section (`HH_MEDIA__URL_TEMPLATE`, `HH_MEDIA__ENABLED`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Listen to legs' audio. `None` (default): on exactly when `url_template` is set.
    pub enabled: Option<bool>,
    /// WebSocket URL of a leg's media stream, with `{telephonySessionId}` (and optionally
    /// `{partyId}`, `{lineId}`), e.g. `ws://127.0.0.1:18080/sim/media/{telephonySessionId}`
    /// for the simulator. Only `ws://` is supported. Default `None`.
    pub url_template: Option<String>,
    /// Timeout of one WebSocket connect (TCP + upgrade), ms. Default 5000.
    pub connect_timeout_ms: u64,
    /// First delay before reconnecting a dropped media stream, ms (doubles per failure).
    /// Default 200.
    pub reconnect_initial_ms: u64,
    /// Longest delay between reconnect attempts, ms. Default 5000.
    pub reconnect_max_ms: u64,
    /// Stop trying after the stream has been down this long, ms (the leg normally ends
    /// first; this bounds a leg whose end was seen by another replica). Default 120000.
    pub give_up_after_ms: u64,
    /// Least wall time between two verdicts of the same phase sent to the engine (phase
    /// changes are always sent at once), ms. Default 1000.
    pub verdict_update_interval_ms: u64,
    /// Quiet (neither speech nor music) needed after the end of a prompt before a menu step's
    /// digits are sent, media ms, counted from the prompt's last speech frame. A message
    /// followed by another prompt or by music does not qualify. Default 2000 (IVRs wait 5-10 s).
    pub ivr_menu_quiet_ms: u32,
    /// After the IVR plan is done (or when it is empty), declare HOLD to the detector if it
    /// has not heard hold music within this much media time, ms (0 = never). Default 30000.
    pub hold_mark_after_plan_ms: u64,
    /// New loop-library hashes are written to Redis this often, ms. Default 3000.
    pub loop_flush_interval_ms: u64,
    /// Directory of an operator's recordings of the lines: WAV recordings and a
    /// `manifest.tsv` in the simulator's asset format (see [`super::known`]). Known messages
    /// ("too busy", "closed"): speech lining up with one is never an agent, and the far end's
    /// hang-up after it ends the leg `TOO_BUSY`, `COURTESY_DISCONNECT` or `CLOSED`. Hold
    /// recordings (announcements, wait-time messages, IVR prompts, music): every destination's
    /// loop library learns them before its first leg listens, so a line's first hunt already
    /// knows its loop. Default `None` (none; the local stack sets it to the simulator's
    /// recordings).
    pub known_messages_dir: Option<std::path::PathBuf>,
    /// Detector threshold overrides (unset = the detector's tuned defaults).
    pub detector: DetectorOverrides,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            enabled: None,
            url_template: None,
            connect_timeout_ms: 5_000,
            reconnect_initial_ms: 200,
            reconnect_max_ms: 5_000,
            give_up_after_ms: 120_000,
            verdict_update_interval_ms: 1_000,
            ivr_menu_quiet_ms: 2_000,
            hold_mark_after_plan_ms: 30_000,
            loop_flush_interval_ms: 3_000,
            known_messages_dir: None,
            detector: DetectorOverrides::default(),
        }
    }
}

/// Optional overrides of [`DetectorConfig`] fields (same names and units).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorOverrides {
    /// Music needed within the hold window to enter HOLD, media ms.
    pub hold_music_ms: Option<u32>,
    /// Allow LIVE straight from IVR.
    pub allow_live_from_ivr: Option<bool>,
    /// Evidence score at or above which new speech is LIVE.
    pub live_score_threshold: Option<f32>,
    /// Share of hashes in the loop library at or above which speech is recorded (0..1).
    pub recorded_match_ratio: Option<f32>,
    /// Learn heard IVR/HOLD audio into the loop library.
    pub learn: Option<bool>,
    /// Non-speech after speech that ends a prompt segment, media ms.
    pub segment_end_silence_ms: Option<u32>,
}

impl MediaConfig {
    /// True when the media pipeline should run (see [`MediaConfig::enabled`]).
    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(self.url_template.is_some())
    }

    /// Checks the section; one-line errors naming the key.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !self.is_enabled() {
            return Ok(());
        }
        let Some(t) = &self.url_template else {
            anyhow::bail!(
                "media.enabled is true but media.url_template is empty: set HH_MEDIA__URL_TEMPLATE \
                 (e.g. ws://127.0.0.1:18080/sim/media/{SESSION_PLACEHOLDER})"
            );
        };
        anyhow::ensure!(
            t.starts_with("ws://"),
            "media.url_template must start with ws:// (got {t:?})"
        );
        anyhow::ensure!(
            t.contains(SESSION_PLACEHOLDER),
            "media.url_template must contain {SESSION_PLACEHOLDER}"
        );
        anyhow::ensure!(
            self.reconnect_initial_ms >= 1 && self.reconnect_max_ms >= self.reconnect_initial_ms,
            "media.reconnect_initial_ms must be >= 1 and <= media.reconnect_max_ms"
        );
        anyhow::ensure!(
            self.loop_flush_interval_ms >= 10,
            "media.loop_flush_interval_ms must be >= 10"
        );
        Ok(())
    }

    /// The detector configuration: tuned defaults plus [`MediaConfig::detector`].
    pub fn detector_config(&self) -> DetectorConfig {
        let mut c = DetectorConfig::default();
        let o = &self.detector;
        if let Some(v) = o.hold_music_ms {
            c.hold_music_ms = v;
        }
        if let Some(v) = o.allow_live_from_ivr {
            c.allow_live_from_ivr = v;
        }
        if let Some(v) = o.live_score_threshold {
            c.live_score_threshold = v;
        }
        if let Some(v) = o.recorded_match_ratio {
            c.recorded_match_ratio = v;
        }
        if let Some(v) = o.learn {
            c.learn = v;
        }
        if let Some(v) = o.segment_end_silence_ms {
            c.segment_end_silence_ms = v;
        }
        c
    }

    /// `connect_timeout_ms` as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}
