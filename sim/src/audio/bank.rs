//! The bank of audio clips shared by all simulated calls.

use std::path::Path;
use std::sync::Arc;

/// All clips the far end plays, loaded once and shared via `Arc`.
#[derive(Debug, Default)]
pub struct AudioBank {}

impl AudioBank {
    /// Load the bank from an asset cache dir; `None` or a missing dir synthesizes clips in Rust.
    pub fn load(_dir: Option<&Path>) -> anyhow::Result<Arc<AudioBank>> {
        Ok(Arc::new(AudioBank {}))
    }
}
