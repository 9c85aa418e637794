//! Per-run far-end configuration.

/// Configuration shared by the calls of one simulator run.
#[derive(Debug, Clone, PartialEq)]
pub struct FarEndConfig {
    /// Master seed; each call mixes it with its `call_seed` (ChaCha8).
    pub seed: u64,
    /// At least 1.0. Divides drawn hold durations and long waits (60.0 makes a 30 min hold last
    /// 30 s of media). Audio is never sped up; IVR timeouts, rings and agent patience are not
    /// scaled; announcement intervals are scaled but kept >= 8 s so the loop still repeats.
    pub time_scale: f64,
    /// Demo/tests: treat the line as open regardless of business hours.
    pub ignore_business_hours: bool,
    /// Media ms the agent waits for a reply before "Hello? Is anyone there?", then hangs up.
    pub agent_patience_ms: u64,
    /// PPS: after pickup, ask "please repeat the following phrase" (voice challenge).
    pub voice_challenge: bool,
}

impl Default for FarEndConfig {
    fn default() -> Self {
        FarEndConfig {
            seed: 0,
            time_scale: 1.0,
            ignore_business_hours: false,
            agent_patience_ms: 5_000,
            voice_challenge: false,
        }
    }
}
