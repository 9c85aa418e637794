//! An ERROR log that fires at most once per interval and reports how many occurrences it
//! suppressed, so a flood (e.g. every delivery dropped on a full queue) stays readable.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Rate limiter for one kind of loud log line.
#[derive(Debug)]
pub struct LoudLog {
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    last_emitted: Option<Instant>,
    suppressed: u64,
}

impl LoudLog {
    /// At most one line per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            state: Mutex::new(State {
                last_emitted: None,
                suppressed: 0,
            }),
        }
    }

    /// Returns `Some(n)` when a line should be emitted now, `n` being the occurrences suppressed
    /// since the previous line; `None` when this occurrence is suppressed.
    pub fn should_emit(&self) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match state.last_emitted {
            Some(at) if now.duration_since(at) < self.interval => {
                state.suppressed += 1;
                None
            }
            _ => {
                state.last_emitted = Some(now);
                Some(std::mem::take(&mut state.suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_once_per_interval_and_counts_suppressed() {
        let log = LoudLog::new(Duration::from_secs(3600));
        assert_eq!(log.should_emit(), Some(0));
        assert_eq!(log.should_emit(), None);
        assert_eq!(log.should_emit(), None);
        let log = LoudLog::new(Duration::ZERO);
        assert_eq!(log.should_emit(), Some(0));
        assert_eq!(log.should_emit(), Some(0));
    }
}
