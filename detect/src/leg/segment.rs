//! Speech and music segments for IVR navigation ("prompt spotting"): the server sends the IVR
//! plan's digits after a prompt's [`SegmentKind::SpeechEnd`], which is reported once the speech
//! has been followed by `segment_end_silence_ms` (default 300 ms) of non-speech.

use crate::classify::FrameClass;
use crate::features::FRAME_SAMPLES;

const FRAME: u64 = FRAME_SAMPLES as u64;

/// Kind of segment boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// Speech began (reported after `segment_start_ms` of speech).
    SpeechStart,
    /// Speech ended and was followed by `segment_end_silence_ms` of non-speech.
    SpeechEnd,
    /// Music began (reported once music filled `music_start_ms` of the last 600 ms).
    MusicStart,
    /// Music stopped (no music for 1 s).
    MusicEnd,
}

/// One segment boundary, in media time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentEvent {
    /// What happened.
    pub kind: SegmentKind,
    /// Media time of the boundary, samples: start of the first frame for starts, end of the
    /// last frame for ends. The event is reported later (see [`SegmentKind`]).
    pub at_samples: u64,
    /// Length of the segment so far (starts) or in total (ends), samples.
    pub duration_samples: u64,
}

const MUSIC_WINDOW: usize = 30;
const MUSIC_END_FRAMES: u32 = 50;

/// Turns frame classes into [`SegmentEvent`]s.
#[derive(Debug, Clone)]
pub struct Segmenter {
    start_frames: u32,
    end_frames: u32,
    music_start_frames: u32,
    in_speech: bool,
    speech_run_start: Option<u64>,
    speech_frames_in_run: u32,
    non_speech_run: u32,
    /// Media sample where the last speech frame ended.
    last_speech_end: u64,
    /// Media sample where the current speech segment began.
    segment_start: u64,
    in_music: bool,
    music_flags: [bool; MUSIC_WINDOW],
    music_count: u32,
    music_start: u64,
    last_music_frame: u64,
    last_music_end: u64,
}

impl Segmenter {
    /// New segmenter; thresholds in frames.
    pub fn new(start_frames: u32, end_frames: u32, music_start_frames: u32) -> Self {
        Segmenter {
            start_frames: start_frames.max(1),
            end_frames: end_frames.max(1),
            music_start_frames: music_start_frames.clamp(1, MUSIC_WINDOW as u32),
            in_speech: false,
            speech_run_start: None,
            speech_frames_in_run: 0,
            non_speech_run: 0,
            last_speech_end: 0,
            segment_start: 0,
            in_music: false,
            music_flags: [false; MUSIC_WINDOW],
            music_count: 0,
            music_start: 0,
            last_music_frame: 0,
            last_music_end: 0,
        }
    }

    /// Feed frame number `frame` (0-based, counting gaps) that starts at media sample
    /// `start_samples` and has class `class`; events are appended to `out`.
    pub fn push(
        &mut self,
        frame: u64,
        start_samples: u64,
        class: FrameClass,
        out: &mut Vec<SegmentEvent>,
    ) {
        let end_samples = start_samples + FRAME;
        if class == FrameClass::Speech {
            self.non_speech_run = 0;
            self.last_speech_end = end_samples;
            if !self.in_speech {
                let start = *self.speech_run_start.get_or_insert(start_samples);
                self.speech_frames_in_run += 1;
                if self.speech_frames_in_run >= self.start_frames {
                    self.in_speech = true;
                    self.segment_start = start;
                    out.push(SegmentEvent {
                        kind: SegmentKind::SpeechStart,
                        at_samples: start,
                        duration_samples: end_samples - start,
                    });
                }
            }
        } else {
            self.non_speech_run += 1;
            if !self.in_speech && self.non_speech_run > 2 {
                self.speech_run_start = None;
                self.speech_frames_in_run = 0;
            }
            if self.in_speech && self.non_speech_run >= self.end_frames {
                self.in_speech = false;
                self.speech_run_start = None;
                self.speech_frames_in_run = 0;
                out.push(SegmentEvent {
                    kind: SegmentKind::SpeechEnd,
                    at_samples: self.last_speech_end,
                    duration_samples: self.last_speech_end - self.segment_start,
                });
            }
        }

        let slot = (frame as usize) % MUSIC_WINDOW;
        let is_music = class == FrameClass::Music;
        if self.music_flags[slot] {
            self.music_count -= 1;
        }
        self.music_flags[slot] = is_music;
        if is_music {
            self.music_count += 1;
            if !self.in_music && self.music_count == 1 {
                self.music_start = start_samples;
            }
            self.last_music_frame = frame;
            self.last_music_end = end_samples;
        }
        if !self.in_music && self.music_count >= self.music_start_frames {
            self.in_music = true;
            out.push(SegmentEvent {
                kind: SegmentKind::MusicStart,
                at_samples: self.music_start,
                duration_samples: end_samples - self.music_start,
            });
        } else if self.in_music && frame - self.last_music_frame >= MUSIC_END_FRAMES as u64 {
            self.in_music = false;
            out.push(SegmentEvent {
                kind: SegmentKind::MusicEnd,
                at_samples: self.last_music_end,
                duration_samples: self.last_music_end - self.music_start,
            });
        }
    }
}
