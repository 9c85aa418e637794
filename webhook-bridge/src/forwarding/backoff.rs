//! Capped exponential backoff with jitter for retrying the ingest RPC.

use std::time::Duration;

/// Delay before retry number `attempt` (1 = first retry): `initial * 2^(attempt-1)` capped at
/// `max`, then drawn uniformly from [delay/2, delay] so that several bridges recovering from the
/// same outage do not retry in lockstep.
pub fn retry_delay(attempt: u32, initial: Duration, max: Duration) -> Duration {
    let exponent = attempt.saturating_sub(1).min(31);
    let delay = initial.saturating_mul(1u32 << exponent).min(max);
    let half = delay / 2;
    half + half.mul_f64(rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_caps() {
        let initial = Duration::from_millis(100);
        let max = Duration::from_secs(5);
        for _ in 0..100 {
            let first = retry_delay(1, initial, max);
            assert!(
                first >= Duration::from_millis(50) && first <= initial,
                "{first:?}"
            );
            let fourth = retry_delay(4, initial, max);
            assert!(fourth >= Duration::from_millis(400) && fourth <= Duration::from_millis(800));
            let late = retry_delay(60, initial, max);
            assert!(late >= max / 2 && late <= max, "{late:?}");
        }
    }
}
