//! [`KnownMessages`]: a destination's recorded messages that end a call without an agent
//! ("due to high call volume, we are unable to take your call", "our office is currently
//! closed"), fingerprinted once so a leg recognises them the first time it hears them.
//!
//! The loop library only knows what this destination's legs heard before, and a "too busy"
//! message ends the call 300 ms after it: the 5 s insert delay never learns it. Left alone it
//! reads as new speech after a cut-off recording (session 8, detect_eval seed 1: 2 of 6 false
//! transfers were `busy.en` courtesy disconnects). Speech lining up with a known message is
//! never LIVE, and the detector reports which message it was
//! ([`Cause::KnownMessage`](crate::Cause)), so the server can end the leg with that reason.

use super::library::{FRAME_BITS, LoopLibrary};

/// What a known message means for the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// "Too busy, call back later": the far end hangs up next (before hold: too busy; on
    /// hold: a courtesy disconnect).
    TooBusy,
    /// Closed (outside business hours): the far end hangs up next.
    Closed,
}

impl MessageKind {
    /// Stable name: `too_busy` or `closed` (the simulator's asset kinds).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::TooBusy => "too_busy",
            MessageKind::Closed => "closed",
        }
    }

    /// Inverse of [`MessageKind::as_str`]; None for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "too_busy" => Some(MessageKind::TooBusy),
            "closed" => Some(MessageKind::Closed),
            _ => None,
        }
    }
}

/// One known message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMessage {
    /// Name shown in causes, e.g. `busy.en`.
    pub name: String,
    /// What it means.
    pub kind: MessageKind,
    /// Its source id in the library.
    source: u32,
}

impl KnownMessage {
    /// Its source id in [`KnownMessages::library`] (the high bits of its tags).
    pub fn source(&self) -> u32 {
        self.source
    }
}

/// Fingerprints of a destination's known messages, one library source per message.
#[derive(Debug, Default)]
pub struct KnownMessages {
    library: LoopLibrary,
    messages: Vec<KnownMessage>,
}

impl KnownMessages {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fingerprint `pcm` (8 kHz linear PCM, the whole message) as message `name` of `kind`.
    /// Returns how many landmark entries were stored (0: the clip is silent or too short to
    /// be recognised, under ≈ 100 ms of sound).
    pub fn add(&mut self, name: &str, kind: MessageKind, pcm: &[i16]) -> usize {
        let (source, stored) = self.library.learn_clip_source(pcm);
        self.messages.push(KnownMessage {
            name: name.to_string(),
            kind,
            source,
        });
        stored
    }

    /// The fingerprints, for voting ([`vote_landmark`](super::vote_landmark)).
    pub fn library(&self) -> &LoopLibrary {
        &self.library
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// No messages.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The message a library tag belongs to (tag = listening tag − voted offset).
    pub fn message_of_tag(&self, tag: u32) -> Option<&KnownMessage> {
        let source = tag >> FRAME_BITS;
        self.messages.iter().find(|m| m.source == source)
    }
}
