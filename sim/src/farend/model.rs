//! A destination model: a validated spec plus the draws that depend only on it.

use std::sync::Arc;

use anyhow::{Context, bail};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

use super::call::FarEndCall;
use super::config::FarEndConfig;
use super::spec::{DestinationSpec, IvrInput};
use crate::audio::AudioBank;

/// A simulated destination (IRS line). Built from a [`DestinationSpec`].
#[derive(Debug)]
pub struct DestinationModel {
    /// Stable id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// E.164 number.
    pub number: String,
    /// IANA time zone.
    pub time_zone: String,
    spec: DestinationSpec,
    tz: jiff::tz::TimeZone,
    hold_dist: LogNormal<f64>,
}

impl DestinationModel {
    /// Validate a spec. Errors: unknown time zone, number not E.164, bad probabilities,
    /// zero mean hold, empty menus.
    pub fn from_spec(spec: DestinationSpec) -> anyhow::Result<DestinationModel> {
        let tz = jiff::tz::TimeZone::get(&spec.time_zone)
            .with_context(|| format!("time zone {}", spec.time_zone))?;
        if !spec.number.starts_with('+') || !spec.number[1..].chars().all(|c| c.is_ascii_digit()) {
            bail!("number {} is not E.164", spec.number);
        }
        let q = &spec.queue;
        for p in [
            q.level_of_service,
            q.too_busy_share,
            spec.ring.busy_probability,
            spec.ring.no_answer_probability,
        ] {
            if !(0.0..=1.0).contains(&p) {
                bail!("probability {p} out of 0..=1");
            }
        }
        if q.hold_mean_ms == 0 || q.hold_sigma <= 0.0 {
            bail!("hold mean and sigma must be positive");
        }
        for step in &spec.ivr.steps {
            if let IvrInput::Menu { accept } = &step.input
                && (accept.is_empty() || accept.iter().any(|k| k.chars().count() != 1))
            {
                bail!("menu {} must accept single keys", step.prompt_id);
            }
        }
        // Log-normal with the given mean: mu = ln(mean) - sigma^2 / 2.
        let mu = (q.hold_mean_ms as f64).ln() - q.hold_sigma * q.hold_sigma / 2.0;
        let hold_dist = LogNormal::new(mu, q.hold_sigma)?;
        Ok(DestinationModel {
            id: spec.id.clone(),
            name: spec.name.clone(),
            number: spec.number.clone(),
            time_zone: spec.time_zone.clone(),
            spec,
            tz,
            hold_dist,
        })
    }

    /// The spec this model was built from.
    pub fn spec(&self) -> &DestinationSpec {
        &self.spec
    }

    /// Is the line open at `now` (destination local time, federal holidays)?
    pub fn is_open_at(&self, now: jiff::Timestamp) -> bool {
        self.spec
            .hours
            .is_open_local(now.to_zoned(self.tz.clone()).datetime())
    }

    /// The DTMF keys that walk the IVR to the queue: one entry per step expecting input
    /// (first accepted key of each menu; an empty string for optional number entries).
    pub fn dtmf_path(&self) -> Vec<String> {
        self.spec
            .ivr
            .steps
            .iter()
            .filter_map(|s| match &s.input {
                IvrInput::None => None,
                IvrInput::Menu { accept } => accept.first().cloned(),
                IvrInput::Digits { .. } => Some(String::new()),
            })
            .collect()
    }

    /// Draw one hold time in media ms BEFORE time scale: log-normal with the line's mean and
    /// sigma, capped at `hold_max_ms`, at least 1 s.
    pub fn draw_hold_ms(&self, rng: &mut impl Rng) -> u64 {
        let ms = self.hold_dist.sample(rng);
        (ms.round() as u64).clamp(1_000, self.spec.queue.hold_max_ms.max(1_000))
    }

    /// Start a call. `call_seed` makes it reproducible (mixed with `cfg.seed`); `now` is the
    /// wall-clock start, used for business hours in the destination's time zone.
    pub fn start_call(
        self: &Arc<Self>,
        bank: Arc<AudioBank>,
        cfg: &FarEndConfig,
        call_seed: u64,
        now: jiff::Timestamp,
    ) -> FarEndCall {
        FarEndCall::new(self.clone(), bank, cfg, call_seed, now)
    }
}

/// The call's random generator: ChaCha8 seeded by a SplitMix64 mix of (seed, call_seed).
pub fn call_rng(seed: u64, call_seed: u64) -> ChaCha8Rng {
    use rand::SeedableRng;
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    ChaCha8Rng::seed_from_u64(mix(seed ^ mix(call_seed)))
}
