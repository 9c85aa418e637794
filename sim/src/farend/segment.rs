//! A queued stretch of far-end audio: a clip (optionally looped, from an offset) or silence,
//! with its label, gain, events at its start and an event at its energy onset.

use std::sync::Arc;

use super::events::{AudioLabel, FarEndEvent};
use crate::audio::Clip;

/// One queued stretch of audio.
#[derive(Debug)]
pub struct Segment {
    /// The clip, or `None` for silence.
    pub clip: Option<Arc<Clip>>,
    /// Offset into the clip where playback starts (looped clips wrap).
    pub clip_offset: usize,
    /// Samples this segment lasts.
    pub len: usize,
    /// Samples already played.
    pub pos: usize,
    /// Label of samples at/after the onset (all samples when `onset` is `None`).
    pub label: AudioLabel,
    /// Offset (in the segment) of the first voiced sample; samples before it are `Silence`.
    pub onset: Option<usize>,
    /// Event emitted on the sample at `onset`.
    pub onset_event: Option<FarEndEvent>,
    /// Events emitted on the segment's first sample.
    pub start_events: Vec<FarEndEvent>,
    /// Linear gain applied to the clip.
    pub gain: f32,
    /// Add the agent's room noise (noisy agent lines).
    pub agent_room: bool,
}

impl Segment {
    /// Silence of `len` samples.
    pub fn silence(len: usize, label: AudioLabel) -> Segment {
        Segment {
            clip: None,
            clip_offset: 0,
            len,
            pos: 0,
            label,
            onset: None,
            onset_event: None,
            start_events: Vec::new(),
            gain: 1.0,
            agent_room: false,
        }
    }

    /// A whole clip played once.
    pub fn clip(clip: &Arc<Clip>, label: AudioLabel) -> Segment {
        Segment {
            len: clip.samples.len(),
            clip: Some(clip.clone()),
            ..Segment::silence(0, label)
        }
    }

    /// `len` samples of a clip looped from `offset`.
    pub fn looped(clip: &Arc<Clip>, offset: usize, len: usize, label: AudioLabel) -> Segment {
        Segment {
            clip_offset: offset % clip.samples.len().max(1),
            len,
            clip: Some(clip.clone()),
            ..Segment::silence(0, label)
        }
    }

    /// With an event on the first sample.
    pub fn with_start_event(mut self, ev: FarEndEvent) -> Segment {
        self.start_events.push(ev);
        self
    }

    /// Mark the clip's energy onset (labels before it become `Silence`) with an event there.
    pub fn with_onset_event(mut self, ev: Option<FarEndEvent>) -> Segment {
        let onset = self.clip.as_ref().and_then(|c| c.onset_sample).unwrap_or(0);
        self.onset = Some(onset.min(self.len.saturating_sub(1)));
        self.onset_event = ev;
        self
    }

    /// Render `out.len()` samples starting at `self.pos` (does not advance).
    #[inline]
    pub fn render(&self, out: &mut [i16]) {
        match &self.clip {
            None => out.fill(0),
            Some(c) => {
                let n = c.samples.len();
                let mut idx = (self.clip_offset + self.pos) % n.max(1);
                let unity = (self.gain - 1.0).abs() < 1e-6;
                for o in out.iter_mut() {
                    let s = c.samples[idx];
                    *o = if unity {
                        s
                    } else {
                        (s as f32 * self.gain).clamp(-32768.0, 32767.0) as i16
                    };
                    idx += 1;
                    if idx == n {
                        idx = 0;
                    }
                }
            }
        }
    }
}
