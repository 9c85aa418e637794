//! [`LoopLibrary`]: the set of landmark hashes already heard on one destination's lines.
//!
//! One library per destination (e.g. per IRS number), shared by every leg of every job through
//! `Arc<LoopLibrary>`. Reads take a shared lock on one of 16 shards, so hundreds of legs can
//! look up concurrently. Hashes added by legs are also queued as "new" until
//! [`LoopLibrary::drain_new_hashes`] hands them to the server, which persists them (a Redis set
//! per destination, keyed with [`FINGERPRINT_VERSION`](super::FINGERPRINT_VERSION)); a later
//! job loads them back with [`LoopLibrary::extend`], which does not mark them new again.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

const SHARDS: usize = 16;
/// Default cap on stored hashes (≈ 2–3 h of distinct loop audio; ≈ 64 MB at most).
pub const DEFAULT_MAX_HASHES: usize = 4_000_000;

/// Hashes are already uniformly mixed: hash them by identity.
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
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// Hash → tag: where (in the library's timeline, 20 ms frames) the hash was first heard.
type Shard = HashMap<u64, u64, BuildHasherDefault<IdentityHasher>>;

/// Tag of a hash whose first hearing is unknown (imported with [`LoopLibrary::extend`] or added
/// with [`LoopLibrary::insert`]): it counts as a match but never as a time-consistent one.
pub const UNKNOWN_TAG: u64 = u64::MAX;

/// Frames of library timeline reserved per leg ([`LoopLibrary::register_leg`]): 2^28 frames,
/// ≈ 62 days of media.
pub const LEG_TIMELINE_FRAMES: u64 = 1 << 28;

/// Thread-safe map of landmark hashes of recorded audio heard on a destination, each with a
/// tag: the frame, on a library-wide timeline, where it was first heard. A true repeat of a
/// recording matches hashes whose tags are all offset by the same amount from the listening
/// leg's frames; look-alike speech (another voice, the same phonemes) matches hashes heard at
/// unrelated times. [`LoopLibrary::tag_of_any`] returns the tag for that test.
pub struct LoopLibrary {
    shards: [RwLock<Shard>; SHARDS],
    new_hashes: Mutex<Vec<(u64, u64)>>,
    len: AtomicUsize,
    max_hashes: usize,
    legs: AtomicU64,
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
            .field("max_hashes", &self.max_hashes)
            .finish()
    }
}

impl LoopLibrary {
    /// Empty library holding at most [`DEFAULT_MAX_HASHES`].
    pub fn new() -> Self {
        Self::with_max_hashes(DEFAULT_MAX_HASHES)
    }

    /// Empty library holding at most `max_hashes`; further inserts are dropped (a full library
    /// only stops learning, it never forgets). Keeps chance matches rare: new audio matches a
    /// full default library by chance in well under 1 % of lookups.
    pub fn with_max_hashes(max_hashes: usize) -> Self {
        LoopLibrary {
            shards: std::array::from_fn(|_| RwLock::new(Shard::default())),
            new_hashes: Mutex::new(Vec::new()),
            len: AtomicUsize::new(0),
            max_hashes,
            legs: AtomicU64::new(0),
        }
    }

    fn shard(&self, hash: u64) -> &RwLock<Shard> {
        // Middle bits: hashbrown uses the low bits for buckets and the top 7 bits for tags.
        &self.shards[((hash >> 32) as usize) % SHARDS]
    }

    /// Number of stored hashes.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reserve a stretch of the library timeline for a new leg; returns its first frame. A
    /// leg tags the hashes it learns with this base plus its own frame number.
    pub fn register_leg(&self) -> u64 {
        (self.legs.fetch_add(1, Ordering::Relaxed) + 1) * LEG_TIMELINE_FRAMES
    }

    /// Whether `hash` was heard before.
    pub fn contains(&self, hash: u64) -> bool {
        self.tag_of(hash).is_some()
    }

    /// The tag of `hash` if it was heard before ([`UNKNOWN_TAG`] when its first hearing is
    /// unknown).
    pub fn tag_of(&self, hash: u64) -> Option<u64> {
        self.shard(hash)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&hash)
            .copied()
    }

    /// Whether any of `hashes` was heard before.
    pub fn contains_any(&self, hashes: &[u64]) -> bool {
        hashes.iter().any(|&h| self.contains(h))
    }

    /// The tag of the first of `hashes` heard before, if any.
    pub fn tag_of_any(&self, hashes: &[u64]) -> Option<u64> {
        hashes.iter().find_map(|&h| self.tag_of(h))
    }

    fn add(&self, hash: u64, tag: u64) -> bool {
        if self.len() >= self.max_hashes {
            return false;
        }
        let mut shard = self.shard(hash).write().unwrap_or_else(|e| e.into_inner());
        let added = match shard.get_mut(&hash) {
            None => {
                shard.insert(hash, tag);
                true
            }
            Some(old) => {
                // A known first hearing replaces an unknown one; otherwise the first stays.
                if *old == UNKNOWN_TAG && tag != UNKNOWN_TAG {
                    *old = tag;
                }
                false
            }
        };
        drop(shard);
        if added {
            self.len.fetch_add(1, Ordering::Relaxed);
        }
        added
    }

    /// Add a hash heard on a leg, first heard at an unknown time ([`UNKNOWN_TAG`]). Returns
    /// true if it was not stored yet; it is then also queued for
    /// [`LoopLibrary::drain_new_hashes`].
    pub fn insert(&self, hash: u64) -> bool {
        self.insert_tagged(hash, UNKNOWN_TAG)
    }

    /// Add a hash first heard at library-timeline frame `tag` (see
    /// [`LoopLibrary::register_leg`]). Returns true if it was not stored yet; it is then queued
    /// for [`LoopLibrary::drain_new_entries`] / [`LoopLibrary::drain_new_hashes`].
    pub fn insert_tagged(&self, hash: u64, tag: u64) -> bool {
        let added = self.add(hash, tag);
        if added {
            self.new_hashes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((hash, tag));
        }
        added
    }

    /// Add many hashes heard on a leg (as [`LoopLibrary::insert`]); returns how many were new.
    pub fn insert_many(&self, hashes: &[u64]) -> usize {
        let mut fresh = Vec::new();
        for &h in hashes {
            if self.add(h, UNKNOWN_TAG) {
                fresh.push((h, UNKNOWN_TAG));
            }
        }
        let n = fresh.len();
        if n > 0 {
            self.new_hashes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(fresh);
        }
        n
    }

    /// Import hashes loaded from persistent storage. They are not queued as new (they are
    /// already persisted). Returns how many were not stored yet.
    /// Imported hashes carry [`UNKNOWN_TAG`]: they match, but never time-consistently, so a
    /// recording known only from them is not recognised by the library alone; prefer
    /// [`LoopLibrary::extend_entries`].
    pub fn extend<I: IntoIterator<Item = u64>>(&self, hashes: I) -> usize {
        hashes
            .into_iter()
            .filter(|&h| self.add(h, UNKNOWN_TAG))
            .count()
    }

    /// Import (hash, tag) entries loaded from persistent storage (see
    /// [`LoopLibrary::drain_new_entries`]); not queued as new. Returns how many were not stored
    /// yet. Tags of different libraries may overlap; that only weakens consistency tests.
    pub fn extend_entries<I: IntoIterator<Item = (u64, u64)>>(&self, entries: I) -> usize {
        entries
            .into_iter()
            .filter(|&(h, tag)| self.add(h, tag))
            .count()
    }

    /// Union with another in-process library. Entries this library lacked are queued as new
    /// (this library's store has not seen them). Returns how many were added.
    pub fn merge(&self, other: &LoopLibrary) -> usize {
        let mut added = 0;
        for (h, tag) in other.export_entries() {
            if self.insert_tagged(h, tag) {
                added += 1;
            }
        }
        added
    }

    /// Take the hashes added by [`LoopLibrary::insert`], [`LoopLibrary::insert_tagged`],
    /// [`LoopLibrary::insert_many`] or [`LoopLibrary::merge`] since the last call, for
    /// persisting (e.g. `SADD`). Drops their tags: prefer [`LoopLibrary::drain_new_entries`].
    pub fn drain_new_hashes(&self) -> Vec<u64> {
        self.drain_new_entries()
            .into_iter()
            .map(|(h, _)| h)
            .collect()
    }

    /// Take the (hash, tag) entries added since the last call (same queue as
    /// [`LoopLibrary::drain_new_hashes`]), for persisting (e.g. `HSETNX`).
    pub fn drain_new_entries(&self) -> Vec<(u64, u64)> {
        std::mem::take(&mut *self.new_hashes.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Every stored (hash, tag) entry (unordered).
    pub fn export_entries(&self) -> Vec<(u64, u64)> {
        let mut all = Vec::with_capacity(self.len());
        for shard in &self.shards {
            all.extend(
                shard
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .map(|(&h, &t)| (h, t)),
            );
        }
        all
    }

    /// Every stored hash (unordered), e.g. to rebuild a persistent set.
    pub fn export(&self) -> Vec<u64> {
        let mut all = Vec::with_capacity(self.len());
        for shard in &self.shards {
            all.extend(
                shard
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .keys()
                    .copied(),
            );
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn insert_contains_and_drain() {
        let lib = LoopLibrary::new();
        assert!(lib.insert(42));
        assert!(!lib.insert(42));
        assert!(lib.contains(42));
        assert!(!lib.contains(43));
        assert_eq!(lib.drain_new_hashes(), vec![42]);
        assert!(lib.drain_new_hashes().is_empty());
        assert_eq!(lib.len(), 1);
    }

    #[test]
    fn export_import_round_trip_does_not_mark_imports_new() {
        let a = LoopLibrary::new();
        assert_eq!(a.insert_many(&[1, 2, 3, u64::MAX]), 4);
        let persisted = a.drain_new_hashes();
        let b = LoopLibrary::new();
        assert_eq!(b.extend(persisted.iter().copied()), 4);
        assert!(b.drain_new_hashes().is_empty());
        let mut exported = b.export();
        exported.sort_unstable();
        assert_eq!(exported, vec![1, 2, 3, u64::MAX]);
    }

    #[test]
    fn merge_adds_missing_hashes_as_new() {
        let a = LoopLibrary::new();
        let b = LoopLibrary::new();
        a.insert_many(&[1, 2]);
        b.insert_many(&[2, 3]);
        b.drain_new_hashes();
        assert_eq!(b.merge(&a), 1);
        assert_eq!(b.drain_new_hashes(), vec![1]);
        assert!(b.contains(1) && b.contains(3));
    }

    #[test]
    fn first_known_tag_is_kept_and_entries_round_trip() {
        let lib = LoopLibrary::new();
        let base = lib.register_leg();
        assert_ne!(base, lib.register_leg());
        assert!(lib.insert(7));
        assert_eq!(lib.tag_of(7), Some(UNKNOWN_TAG));
        assert!(!lib.insert_tagged(7, base + 3));
        assert!(lib.insert_tagged(8, base + 5));
        assert!(!lib.insert_tagged(8, base + 9));
        assert_eq!(lib.tag_of(7), Some(base + 3));
        assert_eq!(lib.tag_of(8), Some(base + 5));
        assert_eq!(lib.tag_of_any(&[1, 8, 7]), Some(base + 5));
        let entries = lib.drain_new_entries();
        assert_eq!(entries, vec![(7, UNKNOWN_TAG), (8, base + 5)]);
        let other = LoopLibrary::new();
        assert_eq!(other.extend_entries(lib.export_entries()), 2);
        assert_eq!(other.tag_of(8), Some(base + 5));
        assert!(other.drain_new_entries().is_empty());
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
        let handles: Vec<_> = (0..4u64)
            .map(|t| {
                let lib = Arc::clone(&lib);
                std::thread::spawn(move || {
                    for i in 0..1000u64 {
                        lib.insert(t * 1_000_000 + i);
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
