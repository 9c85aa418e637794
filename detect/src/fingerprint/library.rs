//! [`LoopLibrary`]: where each landmark was heard on one destination's lines.
//!
//! One library per destination (e.g. per IRS number), shared by every leg of every job through
//! `Arc<LoopLibrary>`. It maps a landmark key ([`Landmark::key`](super::Landmark::key)) to its
//! occurrences, each a [`LibraryEntry`] tag: the source (a leg or a clip) and the 20 ms frame
//! of that source where it was heard. A repeat of a recording matches many keys whose
//! occurrences all sit at one time offset from the listening leg's frames; other speech
//! matches keys scattered over unrelated offsets ([`super::OffsetVotes`]).
//!
//! A key heard in more than [`MAX_OCCURRENCES`] places is non-informative (a stop word): it
//! stops learning and lookups report it as [`Lookup::Ubiquitous`].
//!
//! Heard but not yet learned: a leg learns its audio only after a delay (so an agent is never
//! learned, see `DetectorConfig::insert_delay_ms`), but a recording another leg of the same
//! destination is hearing right now is still a recording. A leg therefore also publishes what
//! it hears at once as *recent* entries ([`LoopLibrary::add_recent`]), which only the other
//! legs' lookups see ([`LoopLibrary::lookup_recent`]), and withdraws them when it learns them
//! or sets them aside ([`LoopLibrary::remove_recent`]). The same waveform on two legs at once
//! is never a person. Recent entries are never persisted.
//!
//! Speech marks: the library also marks the tags where the source heard speech
//! ([`LoopLibrary::mark_speech`]), so a leg that recognised a recording at an offset can ask
//! what the recording does next ([`LoopLibrary::speaks_at`]): a known recording that should be
//! speaking while the line is quiet was cut off. Speech marks are stored as entries of the
//! reserved key [`SPEECH_MARK_KEY`] and persist with the rest. Music marks
//! ([`LoopLibrary::mark_music`], key [`MUSIC_MARK_KEY`]) do the same for the frames where a
//! music track sounds, so a leg can tell a track's own pause (its copy is quiet there too)
//! from music cut off by a pickup ([`LoopLibrary::sounds_at`]).
//!
//! Persistence: entries added by legs are queued as new until
//! [`LoopLibrary::drain_new_hashes`] (packed `u64`, see [`LibraryEntry::to_u64`]) or
//! [`LoopLibrary::drain_new_entries`] hands them to the server, which persists them (a Redis
//! set per destination keyed with [`FINGERPRINT_VERSION`](super::FINGERPRINT_VERSION)); a later
//! job loads them back with [`LoopLibrary::extend`], which does not mark them new again.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

use super::clip::fingerprint_clip_entries;
use super::landmark::{MUSIC_MARK_KEY, SPEECH_MARK_KEY};

const SHARDS: usize = 16;
/// Default cap on stored entries (≈ 3 h of distinct loop audio; ≈ 40 MB at most).
pub const DEFAULT_MAX_ENTRIES: usize = 4_000_000;
/// Occurrences of one key beyond which it is non-informative.
pub const MAX_OCCURRENCES: usize = 48;
/// Bits of a tag holding the frame within its source (2^20 frames ≈ 5.8 h).
pub const FRAME_BITS: u32 = 20;
/// Sources are numbered modulo this (12 bits).
pub const SOURCE_MODULUS: u32 = 1 << (32 - FRAME_BITS);

/// Keys are already uniformly mixed: hash them by identity.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[derive(Default)]
struct Occurrences {
    tags: Vec<u32>,
    ubiquitous: bool,
}

type Shard = HashMap<u32, Occurrences, BuildHasherDefault<IdentityHasher>>;
type RecentShard = HashMap<u32, Vec<u32>, BuildHasherDefault<IdentityHasher>>;
type MarkShard = HashSet<u32, BuildHasherDefault<IdentityHasher>>;

/// Whether `tag` is in a sharded mark set.
fn has_mark(marks: &[RwLock<MarkShard>; SHARDS], tag: u32) -> bool {
    marks[tag as usize % SHARDS]
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&tag)
}

/// One library entry: a landmark key heard at `tag` = source × 2^20 + frame (wrapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LibraryEntry {
    /// Landmark key.
    pub key: u32,
    /// Source (12 bits, high) and 20 ms frame within it (20 bits, low).
    pub tag: u32,
}

impl LibraryEntry {
    /// Packed form for storage: key in the high 32 bits, tag in the low 32 bits.
    pub fn to_u64(self) -> u64 {
        (self.key as u64) << 32 | self.tag as u64
    }

    /// Inverse of [`LibraryEntry::to_u64`].
    pub fn from_u64(v: u64) -> Self {
        LibraryEntry {
            key: (v >> 32) as u32,
            tag: v as u32,
        }
    }

    /// Tag of `frame` of source `source` (both wrap).
    pub fn tag_of(source: u32, frame: u64) -> u32 {
        (source % SOURCE_MODULUS) << FRAME_BITS | (frame as u32 & ((1 << FRAME_BITS) - 1))
    }
}

/// A hold recording fingerprinted once, to be learned by any number of libraries
/// ([`LoopLibrary::learn_print`]).
#[derive(Debug, Clone, Default)]
pub struct RecordingPrint {
    /// Landmark keys with their anchor frame (20 ms frames from the start), as
    /// [`fingerprint_clip_entries`].
    pub entries: Vec<(u64, u64)>,
    /// Frames where a spoken recording speaks (≥ −50 dBFS; empty for music).
    pub speech_frames: Vec<u64>,
    /// Frames where a music recording sounds (≥ −50 dBFS; empty for speech).
    pub music_frames: Vec<u64>,
}

impl RecordingPrint {
    /// Fingerprint 8 kHz linear PCM; `speaks`: a spoken recording (its sounding frames are
    /// speech, see [`super::clip::sounding_frames`]), not music.
    pub fn of(pcm: &[i16], speaks: bool) -> Self {
        let sounding = super::clip::sounding_frames(pcm);
        let (speech_frames, music_frames) = if speaks {
            (sounding, Vec::new())
        } else {
            (Vec::new(), sounding)
        };
        RecordingPrint {
            entries: fingerprint_clip_entries(pcm),
            speech_frames,
            music_frames,
        }
    }
}

/// Result of looking a key up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Never heard.
    Absent,
    /// Heard in too many places to tell anything.
    Ubiquitous,
    /// Heard; this many tags were appended to the caller's buffer.
    Found(usize),
}

/// Thread-safe map of landmark keys heard on a destination to where they were heard. See the
/// module docs.
pub struct LoopLibrary {
    shards: [RwLock<Shard>; SHARDS],
    /// Heard by a leg, not yet learned: key → tags (see the module docs).
    recent: [RwLock<RecentShard>; SHARDS],
    /// Tags marked as speech (see the module docs).
    speech: [RwLock<MarkShard>; SHARDS],
    /// Tags marked as music (see the module docs).
    music: [RwLock<MarkShard>; SHARDS],
    new_entries: Mutex<Vec<LibraryEntry>>,
    len: AtomicUsize,
    max_entries: usize,
    next_source: AtomicU32,
    /// An operator's hold recordings were learned ([`LoopLibrary::learn_print`]).
    operator_recordings: AtomicBool,
}

impl Default for LoopLibrary {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for LoopLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopLibrary")
            .field("len", &self.len())
            .field("max_entries", &self.max_entries)
            .finish()
    }
}

impl LoopLibrary {
    /// Empty library holding at most [`DEFAULT_MAX_ENTRIES`].
    pub fn new() -> Self {
        Self::with_max_hashes(DEFAULT_MAX_ENTRIES)
    }

    /// Empty library holding at most `max_entries`; further inserts are dropped (a full library
    /// only stops learning, it never forgets).
    pub fn with_max_hashes(max_entries: usize) -> Self {
        LoopLibrary {
            shards: std::array::from_fn(|_| RwLock::new(Shard::default())),
            recent: std::array::from_fn(|_| RwLock::new(RecentShard::default())),
            speech: std::array::from_fn(|_| RwLock::new(MarkShard::default())),
            music: std::array::from_fn(|_| RwLock::new(MarkShard::default())),
            new_entries: Mutex::new(Vec::new()),
            len: AtomicUsize::new(0),
            max_entries,
            next_source: AtomicU32::new(1),
            operator_recordings: AtomicBool::new(false),
        }
    }

    fn shard(&self, key: u32) -> &RwLock<Shard> {
        &self.shards[(key >> 28) as usize % SHARDS]
    }

    /// Number of stored entries (landmark occurrences and speech marks).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A new source number (12 bits, wrapping) for a leg or clip: its entries are tagged
    /// with it. Numbers continue after the largest source imported, so a new leg's timeline
    /// does not overlap persisted ones until the numbers wrap.
    pub fn register_leg(&self) -> u32 {
        self.next_source.fetch_add(1, Ordering::Relaxed) % SOURCE_MODULUS
    }

    /// Whether this exact packed entry ([`LibraryEntry::to_u64`]) is stored.
    pub fn contains(&self, packed: u64) -> bool {
        let e = LibraryEntry::from_u64(packed);
        self.shard(e.key)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&e.key)
            .is_some_and(|o| o.tags.contains(&e.tag))
    }

    /// Whether `key` was heard anywhere.
    pub fn contains_key(&self, key: u32) -> bool {
        self.shard(key)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&key)
    }

    /// Append the tags where `key` was heard to `tags` (unless it is ubiquitous).
    pub fn lookup(&self, key: u32, tags: &mut Vec<u32>) -> Lookup {
        let shard = self.shard(key).read().unwrap_or_else(|e| e.into_inner());
        match shard.get(&key) {
            None => Lookup::Absent,
            Some(o) if o.ubiquitous => Lookup::Ubiquitous,
            Some(o) => {
                tags.extend_from_slice(&o.tags);
                Lookup::Found(o.tags.len())
            }
        }
    }

    /// Publish an entry a leg has just heard and will learn (or drop) later: other legs'
    /// [`LoopLibrary::lookup_recent`] see it until [`LoopLibrary::remove_recent`].
    pub fn add_recent(&self, e: LibraryEntry) {
        let mut shard = self.recent[(e.key >> 28) as usize % SHARDS]
            .write()
            .unwrap_or_else(|e| e.into_inner());
        shard.entry(e.key).or_default().push(e.tag);
    }

    /// Withdraw one entry published with [`LoopLibrary::add_recent`] (no-op if absent).
    pub fn remove_recent(&self, e: LibraryEntry) {
        let mut shard = self.recent[(e.key >> 28) as usize % SHARDS]
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(tags) = shard.get_mut(&e.key) {
            if let Some(i) = tags.iter().position(|&t| t == e.tag) {
                tags.swap_remove(i);
            }
            if tags.is_empty() {
                shard.remove(&e.key);
            }
        }
    }

    /// Append the tags of recent entries of `key` heard by sources other than `source` (a
    /// leg never matches its own recent audio) to `tags`. Returns how many were appended.
    pub fn lookup_recent(&self, key: u32, source: u32, tags: &mut Vec<u32>) -> usize {
        let shard = self.recent[(key >> 28) as usize % SHARDS]
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let Some(found) = shard.get(&key) else {
            return 0;
        };
        let before = tags.len();
        tags.extend(
            found
                .iter()
                .filter(|&&t| t >> FRAME_BITS != source % SOURCE_MODULUS),
        );
        tags.len() - before
    }

    /// Number of recent entries published and not withdrawn (all legs).
    pub fn recent_len(&self) -> usize {
        self.recent
            .iter()
            .map(|s| {
                s.read()
                    .unwrap_or_else(|e| e.into_inner())
                    .values()
                    .map(Vec::len)
                    .sum::<usize>()
            })
            .sum()
    }

    /// Whether the source of `tag` heard speech on that frame ([`LoopLibrary::mark_speech`]).
    /// False for a frame never learned as speech (silence, music, a repeat, or beyond what was
    /// heard).
    pub fn speaks_at(&self, tag: u32) -> bool {
        has_mark(&self.speech, tag)
    }

    /// Whether the source of `tag` heard music on that frame ([`LoopLibrary::mark_music`]).
    pub fn plays_music_at(&self, tag: u32) -> bool {
        has_mark(&self.music, tag)
    }

    /// Whether the source of `tag` sounded on that frame: speech or music marked there.
    /// False for its quiet frames (a track's own pause) and for frames never learned.
    pub fn sounds_at(&self, tag: u32) -> bool {
        self.speaks_at(tag) || self.plays_music_at(tag)
    }

    /// Mark `tag` as a frame where its source heard music (a leg calls this for the music
    /// frames it learns), queued for persistence as an entry of [`MUSIC_MARK_KEY`]. Returns
    /// true if it was new.
    pub fn mark_music(&self, tag: u32) -> bool {
        self.insert_entry(LibraryEntry {
            key: MUSIC_MARK_KEY,
            tag,
        })
    }

    /// Mark `tag` as a frame where its source heard speech (a leg calls this for the speech
    /// frames it learns). The mark is queued for persistence as an entry of
    /// [`SPEECH_MARK_KEY`]. Returns true if it was new.
    pub fn mark_speech(&self, tag: u32) -> bool {
        self.insert_entry(LibraryEntry {
            key: SPEECH_MARK_KEY,
            tag,
        })
    }

    /// Set a speech mark (from [`LoopLibrary::mark_speech`] or an import).
    fn add_speech_mark(&self, tag: u32) -> bool {
        self.add_mark(&self.speech, tag)
    }

    /// Set a mark in `marks` (speech or music), counting it as an entry.
    fn add_mark(&self, marks: &[RwLock<MarkShard>; SHARDS], tag: u32) -> bool {
        let added = marks[tag as usize % SHARDS]
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tag);
        if added {
            self.len.fetch_add(1, Ordering::Relaxed);
        }
        added
    }

    fn add(&self, e: LibraryEntry) -> bool {
        if self.len() >= self.max_entries {
            return false;
        }
        if e.key == SPEECH_MARK_KEY {
            return self.add_speech_mark(e.tag);
        }
        if e.key == MUSIC_MARK_KEY {
            return self.add_mark(&self.music, e.tag);
        }
        let mut shard = self.shard(e.key).write().unwrap_or_else(|e| e.into_inner());
        let o = shard.entry(e.key).or_default();
        if o.ubiquitous || o.tags.contains(&e.tag) {
            return false;
        }
        if o.tags.len() >= MAX_OCCURRENCES {
            o.ubiquitous = true;
            return false;
        }
        o.tags.push(e.tag);
        drop(shard);
        self.len.fetch_add(1, Ordering::Relaxed);
        let source = e.tag >> FRAME_BITS;
        self.next_source.fetch_max(source + 1, Ordering::Relaxed);
        true
    }

    /// Add an entry heard on a leg. Returns true if it was stored; it is then queued for
    /// [`LoopLibrary::drain_new_entries`] / [`LoopLibrary::drain_new_hashes`].
    pub fn insert_entry(&self, e: LibraryEntry) -> bool {
        let added = self.add(e);
        if added {
            self.new_entries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(e);
        }
        added
    }

    /// Add a packed entry ([`LibraryEntry::to_u64`]) as [`LoopLibrary::insert_entry`].
    pub fn insert(&self, packed: u64) -> bool {
        self.insert_entry(LibraryEntry::from_u64(packed))
    }

    /// Add many packed entries (as [`LoopLibrary::insert`]); returns how many were stored.
    pub fn insert_many(&self, packed: &[u64]) -> usize {
        packed.iter().filter(|&&p| self.insert(p)).count()
    }

    /// Import packed entries loaded from persistent storage ([`LoopLibrary::drain_new_hashes`]).
    /// They are not queued as new (they are already persisted). Returns how many were stored.
    pub fn extend<I: IntoIterator<Item = u64>>(&self, packed: I) -> usize {
        packed
            .into_iter()
            .filter(|&p| self.add(LibraryEntry::from_u64(p)))
            .count()
    }

    /// Import (key, tag) pairs, e.g. [`fingerprint_clip_entries`] (tags in source 0) or a
    /// store's entries; not queued as new. Keys and tags are truncated to 32 bits. Returns how
    /// many were stored. Prefer [`LoopLibrary::learn_clip`] for clips: it gives each clip its
    /// own source, so clips never line up with each other.
    pub fn extend_entries<I: IntoIterator<Item = (u64, u64)>>(&self, entries: I) -> usize {
        entries
            .into_iter()
            .filter(|&(k, t)| {
                self.add(LibraryEntry {
                    key: k as u32,
                    tag: t as u32,
                })
            })
            .count()
    }

    /// Fingerprint a known recording (8 kHz linear PCM) under a new source and import it (not
    /// queued as new). Returns how many entries were stored.
    pub fn learn_clip(&self, pcm: &[i16]) -> usize {
        self.learn_clip_source(pcm).1
    }

    /// Learn a known hold recording of the destination (an announcement, a wait-time message,
    /// a music track; 8 kHz linear PCM) under a new source, as a leg learns what it hears, so
    /// its first hearing on a line is already a repeat. `speaks`: a spoken recording; its
    /// sounding frames (≥ −50 dBFS) get speech marks ([`LoopLibrary::speaks_at`]), as a leg
    /// marks the speech it learns. Nothing is queued as new (the recording is on disk;
    /// it is not persisted). Returns how many entries (landmarks and marks) were stored. To
    /// teach many libraries one recording, fingerprint it once ([`RecordingPrint::of`]) and
    /// call [`LoopLibrary::learn_print`].
    pub fn learn_recording(&self, pcm: &[i16], speaks: bool) -> usize {
        self.learn_print(&RecordingPrint::of(pcm, speaks))
    }

    /// Learn a fingerprinted hold recording under a new source (see
    /// [`LoopLibrary::learn_recording`]). Returns how many entries were stored.
    pub fn learn_print(&self, print: &RecordingPrint) -> usize {
        self.operator_recordings.store(true, Ordering::Relaxed);
        let source = self.register_leg();
        let landmarks = self.add_under(source, print.entries.iter().copied());
        let speech = print
            .speech_frames
            .iter()
            .filter(|&&f| self.add_speech_mark(LibraryEntry::tag_of(source, f)))
            .count();
        let music = print
            .music_frames
            .iter()
            .filter(|&&f| self.add_mark(&self.music, LibraryEntry::tag_of(source, f)))
            .count();
        landmarks + speech + music
    }

    /// Whether an operator's hold recordings were learned ([`LoopLibrary::learn_recording`],
    /// [`LoopLibrary::learn_print`]): the destination's recordings are known beforehand, not
    /// only as its line played them.
    pub fn holds_operator_recordings(&self) -> bool {
        self.operator_recordings.load(Ordering::Relaxed)
    }

    /// As [`LoopLibrary::learn_clip`], also returning the new source (the high bits of the
    /// clip's tags, [`LibraryEntry::tag_of`]): (source, entries stored).
    pub fn learn_clip_source(&self, pcm: &[i16]) -> (u32, usize) {
        let source = self.register_leg();
        let stored = self.add_under(source, fingerprint_clip_entries(pcm));
        (source, stored)
    }

    /// Add (landmark key, frame) pairs of a clip under `source` (not queued as new). Returns
    /// how many were stored.
    fn add_under(&self, source: u32, entries: impl IntoIterator<Item = (u64, u64)>) -> usize {
        entries
            .into_iter()
            .filter(|&(k, frame)| {
                self.add(LibraryEntry {
                    key: k as u32,
                    tag: LibraryEntry::tag_of(source, frame),
                })
            })
            .count()
    }

    /// Union with another in-process library. Entries this library lacked are queued as new.
    /// Returns how many were added.
    pub fn merge(&self, other: &LoopLibrary) -> usize {
        other
            .export_entries()
            .into_iter()
            .filter(|&e| self.insert_entry(e))
            .count()
    }

    /// Take the entries added by legs since the last call, packed ([`LibraryEntry::to_u64`]),
    /// for persisting (e.g. `SADD`); load them back with [`LoopLibrary::extend`].
    pub fn drain_new_hashes(&self) -> Vec<u64> {
        self.drain_new_entries()
            .into_iter()
            .map(LibraryEntry::to_u64)
            .collect()
    }

    /// Take the entries added since the last call (same queue as
    /// [`LoopLibrary::drain_new_hashes`]).
    pub fn drain_new_entries(&self) -> Vec<LibraryEntry> {
        std::mem::take(&mut *self.new_entries.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Every stored entry (unordered).
    pub fn export_entries(&self) -> Vec<LibraryEntry> {
        let mut all = Vec::with_capacity(self.len());
        for shard in &self.shards {
            let shard = shard.read().unwrap_or_else(|e| e.into_inner());
            for (&key, o) in shard.iter() {
                all.extend(o.tags.iter().map(|&tag| LibraryEntry { key, tag }));
            }
        }
        for (key, shards) in [
            (SPEECH_MARK_KEY, &self.speech),
            (MUSIC_MARK_KEY, &self.music),
        ] {
            for marks in shards {
                let marks = marks.read().unwrap_or_else(|e| e.into_inner());
                all.extend(marks.iter().map(|&tag| LibraryEntry { key, tag }));
            }
        }
        all
    }

    /// Every stored entry, packed (unordered), e.g. to rebuild a persistent set.
    pub fn export(&self) -> Vec<u64> {
        self.export_entries()
            .into_iter()
            .map(LibraryEntry::to_u64)
            .collect()
    }

    /// Number of distinct keys and of ubiquitous (non-informative) keys, for diagnostics.
    pub fn key_stats(&self) -> (usize, usize) {
        let mut keys = 0;
        let mut ubiquitous = 0;
        for shard in &self.shards {
            let shard = shard.read().unwrap_or_else(|e| e.into_inner());
            keys += shard.len();
            ubiquitous += shard.values().filter(|o| o.ubiquitous).count();
        }
        (keys, ubiquitous)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn packed(key: u32, tag: u32) -> u64 {
        LibraryEntry { key, tag }.to_u64()
    }

    #[test]
    fn insert_contains_and_drain() {
        let lib = LoopLibrary::new();
        assert!(lib.insert(packed(42, 7)));
        assert!(!lib.insert(packed(42, 7)));
        assert!(lib.insert(packed(42, 9)));
        assert!(lib.contains(packed(42, 7)));
        assert!(!lib.contains(packed(43, 7)));
        assert!(lib.contains_key(42));
        assert_eq!(lib.drain_new_hashes(), vec![packed(42, 7), packed(42, 9)]);
        assert!(lib.drain_new_hashes().is_empty());
        assert_eq!(lib.len(), 2);
        let mut tags = Vec::new();
        assert_eq!(lib.lookup(42, &mut tags), Lookup::Found(2));
        assert_eq!(tags, vec![7, 9]);
        assert_eq!(lib.lookup(1, &mut tags), Lookup::Absent);
    }

    #[test]
    fn export_import_round_trip_does_not_mark_imports_new() {
        let a = LoopLibrary::new();
        let t = |frame| LibraryEntry::tag_of(5, frame);
        let all = [
            packed(1, t(1)),
            packed(2, t(2)),
            packed(3, t(3)),
            packed(3, t(9)),
        ];
        assert_eq!(a.insert_many(&all), 4);
        let persisted = a.drain_new_hashes();
        let b = LoopLibrary::new();
        assert_eq!(b.extend(persisted.iter().copied()), 4);
        assert!(b.drain_new_hashes().is_empty());
        let mut exported = b.export();
        exported.sort_unstable();
        let mut want = all.to_vec();
        want.sort_unstable();
        assert_eq!(exported, want);
        // Sources continue after the imported ones.
        assert_eq!(b.register_leg(), 6);
    }

    #[test]
    fn speech_marks_persist_with_the_entries() {
        let a = LoopLibrary::new();
        let t = |frame| LibraryEntry::tag_of(7, frame);
        assert_eq!(
            a.insert_many(&[packed(1, t(10)), packed(2, t(10)), packed(3, t(11))]),
            3
        );
        assert!(a.mark_speech(t(10)));
        assert!(!a.mark_speech(t(10)), "a mark is set once");
        assert!(a.mark_speech(t(12)));
        assert!(a.mark_music(t(14)));
        assert!(!a.mark_music(t(14)), "a music mark is set once");
        assert!(a.plays_music_at(t(14)) && !a.speaks_at(t(14)) && a.sounds_at(t(14)));
        assert!(!a.plays_music_at(t(10)) && a.sounds_at(t(10)));
        assert!(a.speaks_at(t(10)));
        assert!(!a.speaks_at(t(11)), "landmarks alone are no speech mark");
        assert!(a.speaks_at(t(12)), "a mark needs no landmark");
        assert!(!a.speaks_at(t(13)));
        // Marks are entries (they count, and persist) but not landmarks: no lookup sees them.
        assert_eq!(a.len(), 6);
        assert!(!a.contains_key(SPEECH_MARK_KEY) && !a.contains_key(MUSIC_MARK_KEY));
        // They persist (and export) as entries of the reserved keys.
        let persisted = a.drain_new_hashes();
        assert_eq!(persisted.len(), 6);
        let b = LoopLibrary::new();
        b.extend(persisted.iter().copied());
        for f in 10..=14 {
            assert_eq!(b.speaks_at(t(f)), a.speaks_at(t(f)), "frame {f}");
            assert_eq!(b.plays_music_at(t(f)), a.plays_music_at(t(f)), "frame {f}");
        }
        let mut exported = b.export();
        exported.sort_unstable();
        let mut want = persisted;
        want.sort_unstable();
        assert_eq!(exported, want);
    }

    #[test]
    fn the_speech_mark_key_is_no_landmark_key() {
        use crate::fingerprint::Landmark;
        for anchor_bin in 0..=255u8 {
            for target_bin in 0..=255u8 {
                for dt in 0..=255u8 {
                    let key = Landmark {
                        anchor_bin,
                        target_bin,
                        dt,
                    }
                    .key();
                    assert_ne!(key, SPEECH_MARK_KEY);
                    assert_ne!(key, MUSIC_MARK_KEY);
                }
            }
        }
    }

    #[test]
    fn merge_adds_missing_entries_as_new() {
        let a = LoopLibrary::new();
        let b = LoopLibrary::new();
        a.insert_many(&[packed(1, 1), packed(2, 2)]);
        b.insert_many(&[packed(2, 2), packed(3, 3)]);
        b.drain_new_hashes();
        assert_eq!(b.merge(&a), 1);
        assert_eq!(b.drain_new_hashes(), vec![packed(1, 1)]);
    }

    #[test]
    fn ubiquitous_keys_stop_counting() {
        let lib = LoopLibrary::new();
        for t in 0..=MAX_OCCURRENCES as u32 {
            lib.insert(packed(5, t));
        }
        let mut tags = Vec::new();
        assert_eq!(lib.lookup(5, &mut tags), Lookup::Ubiquitous);
        assert!(tags.is_empty());
        assert_eq!(lib.key_stats(), (1, 1));
    }

    #[test]
    fn cap_stops_learning() {
        let lib = LoopLibrary::with_max_hashes(2);
        assert_eq!(lib.insert_many(&[1, 2, 3]), 2);
        assert!(!lib.contains(3));
    }

    #[test]
    fn shared_across_threads() {
        let lib = Arc::new(LoopLibrary::new());
        let handles: Vec<_> = (0..4u32)
            .map(|t| {
                let lib = Arc::clone(&lib);
                std::thread::spawn(move || {
                    for i in 0..1000u32 {
                        lib.insert(packed(t * 1_000_000 + i, i));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(lib.len(), 4000);
        assert_eq!(lib.drain_new_hashes().len(), 4000);
    }
}

#[cfg(test)]
mod recording_tests {
    use super::*;

    /// 1 s of a gliding two-tone "voice" (fingerprintable), 0.5 s of digital silence, 1 s more.
    fn spoken_with_pause() -> Vec<i16> {
        let voice = |from: usize| {
            (from..from + 8000).map(|i| {
                let t = i as f64 / 8000.0;
                let f = 300.0 + 700.0 * (t * 2.3).fract();
                (((t * f * std::f64::consts::TAU).sin()
                    + 0.5 * (t * 2.7 * f * std::f64::consts::TAU).sin())
                    * 6000.0) as i16
            })
        };
        voice(0)
            .chain(std::iter::repeat_n(0, 4000))
            .chain(voice(12_000))
            .collect()
    }

    #[test]
    fn a_learned_recording_speaks_or_plays_where_it_sounds_and_is_not_persisted() {
        let lib = LoopLibrary::new();
        let pcm = spoken_with_pause();
        lib.learn_clip(&pcm);
        assert!(!lib.holds_operator_recordings(), "a clip a leg heard");
        let stored = lib.learn_recording(&pcm, true);
        assert!(lib.holds_operator_recordings());
        let source = lib.register_leg() - 1;
        assert!(stored > 100, "landmarks and marks stored: {stored}");
        let tag = |frame| LibraryEntry::tag_of(source, frame);
        // Frames 0..50 sound, 50..75 are the pause, 75..125 sound again.
        assert!(lib.speaks_at(tag(10)) && lib.speaks_at(tag(100)));
        assert!(
            !lib.speaks_at(tag(60)),
            "the recording's own pause is not speech"
        );
        assert!(
            lib.drain_new_hashes().is_empty(),
            "a recording on disk is not persisted"
        );

        let music = LoopLibrary::new();
        let n = music.learn_recording(&pcm, false);
        let source = music.register_leg() - 1;
        assert_eq!(
            n, stored,
            "music: the same landmarks, music marks for speech marks"
        );
        let tag = |frame| LibraryEntry::tag_of(source, frame);
        assert!(!music.speaks_at(tag(10)));
        assert!(
            music.plays_music_at(tag(10)) && music.plays_music_at(tag(100)),
            "music plays where it sounds"
        );
        assert!(!music.plays_music_at(tag(60)), "nor in its own pause");
        assert!(!lib.plays_music_at(LibraryEntry::tag_of(source, 10)));
    }
}
