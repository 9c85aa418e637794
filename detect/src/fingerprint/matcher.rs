//! [`OffsetVotes`]: the time-offset histogram that tells a repeat of a recording from other
//! audio that merely shares landmark keys.
//!
//! Every library occurrence of a looked-up landmark votes for the offset (listening tag −
//! library tag, wrapping 32-bit). A repeat of a recording puts many votes on one offset
//! (±1 frame: a different frame alignment moves an anchor by at most one frame); other audio
//! spreads its votes over unrelated offsets. Votes are counted per frame, either over a sliding
//! window or cumulatively since a reset.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::library::{FRAME_BITS, Lookup, LoopLibrary};

/// Look up a landmark's key variants (exact first, see
/// [`Landmark::variants`](super::Landmark::variants)) in `library` (its learned entries, and
/// the recent entries of sources other than `here`'s, see [`LoopLibrary::lookup_recent`]) and
/// append the offsets `here − tag` of every occurrence, deduplicated, to `out`. `tags` is scratch space.
/// Returns (found anywhere, informative): a landmark whose exact key is ubiquitous is not
/// informative and casts no vote.
pub fn vote_landmark(
    library: &LoopLibrary,
    variants: &[u32],
    here: u32,
    tags: &mut Vec<u32>,
    out: &mut Vec<u32>,
) -> (bool, bool) {
    tags.clear();
    let mut found = false;
    let source = here >> FRAME_BITS;
    for (i, &k) in variants.iter().enumerate() {
        match library.lookup(k, tags) {
            Lookup::Ubiquitous if i == 0 => return (false, false),
            Lookup::Found(_) => found = true,
            _ => {}
        }
        found |= library.lookup_recent(k, source, tags) > 0;
    }
    let start = out.len();
    out.extend(tags.iter().map(|&tag| here.wrapping_sub(tag)));
    out[start..].sort_unstable();
    let mut w = start;
    for r in start..out.len() {
        if r == start || out[r] != out[w - 1] {
            out[w] = out[r];
            w += 1;
        }
    }
    out.truncate(w);
    (found, true)
}

/// Offsets are mixed before bucketing.
#[derive(Default)]
struct OffsetHasher(u64);

impl Hasher for OffsetHasher {
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

/// Offset histogram over the last `window` frames (or since the last reset, when cumulative).
pub struct OffsetVotes {
    counts: HashMap<u32, u16, BuildHasherDefault<OffsetHasher>>,
    /// Per frame slot of the window: (frame, offsets voted, informative landmarks).
    frames: Vec<(u64, Vec<u32>, u32)>,
    window: usize,
    cumulative: bool,
    landmarks: u32,
    best: Option<u32>,
    best_votes: u32,
}

impl OffsetVotes {
    /// Histogram over a sliding window of `window` frames.
    pub fn sliding(window: usize) -> Self {
        OffsetVotes {
            counts: HashMap::default(),
            frames: (0..window.max(1))
                .map(|_| (u64::MAX, Vec::new(), 0))
                .collect(),
            window: window.max(1),
            cumulative: false,
            landmarks: 0,
            best: None,
            best_votes: 0,
        }
    }

    /// Histogram of every frame since the last [`OffsetVotes::reset`].
    pub fn cumulative() -> Self {
        OffsetVotes {
            cumulative: true,
            ..Self::sliding(1)
        }
    }

    /// Forget all votes.
    pub fn reset(&mut self) {
        self.counts.clear();
        for f in &mut self.frames {
            f.0 = u64::MAX;
            f.1.clear();
            f.2 = 0;
        }
        self.landmarks = 0;
        self.best = None;
        self.best_votes = 0;
    }

    fn votes3(&self, o: u32) -> u32 {
        let c = |x: u32| self.counts.get(&x).copied().unwrap_or(0) as u32;
        c(o.wrapping_sub(1)) + c(o) + c(o.wrapping_add(1))
    }

    /// Add frame `frame`'s votes: `offsets` (each landmark's offsets deduplicated) from
    /// `landmarks` informative (not ubiquitous) landmarks.
    pub fn add_frame(&mut self, frame: u64, offsets: &[u32], landmarks: u32) {
        if !self.cumulative {
            let slot = (frame as usize) % self.window;
            let (old_frame, old, old_landmarks) = &mut self.frames[slot];
            if *old_frame != u64::MAX {
                for o in old.iter() {
                    if let Some(c) = self.counts.get_mut(o) {
                        *c -= 1;
                        if *c == 0 {
                            self.counts.remove(o);
                        }
                    }
                }
                self.landmarks -= *old_landmarks;
            }
            *old_frame = frame;
            old.clear();
            old.extend_from_slice(offsets);
            *old_landmarks = landmarks;
        }
        self.landmarks += landmarks;
        for &o in offsets {
            *self.counts.entry(o).or_insert(0) += 1;
        }
        self.best_votes = self.best.map_or(0, |b| self.votes3(b));
        for &o in offsets {
            let v = self.votes3(o);
            if v > self.best_votes {
                self.best_votes = v;
                self.best = Some(o);
            }
        }
        if self.best_votes == 0 {
            self.best = None;
        }
    }

    /// Votes on the best offset (±1 frame).
    pub fn best_votes(&self) -> u32 {
        self.best_votes
    }

    /// Votes on `offset` (±1 frame).
    pub fn votes_at(&self, offset: u32) -> u32 {
        self.votes3(offset)
    }

    /// The best offset, if any vote was cast.
    pub fn best_offset(&self) -> Option<u32> {
        self.best
    }

    /// Informative landmarks looked up in the window.
    pub fn landmarks(&self) -> u32 {
        self.landmarks
    }

    /// Best votes over informative landmarks, 0..≈1 (0 when none).
    pub fn aligned_ratio(&self) -> f32 {
        if self.landmarks == 0 {
            0.0
        } else {
            self.best_votes as f32 / self.landmarks as f32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_forgets_and_tolerates_one_frame() {
        let mut v = OffsetVotes::sliding(3);
        v.add_frame(0, &[100, 7], 2);
        v.add_frame(1, &[101, 9], 2);
        assert_eq!(v.best_votes(), 2);
        v.add_frame(2, &[100], 1);
        assert_eq!(v.best_votes(), 3);
        v.add_frame(3, &[], 1);
        v.add_frame(4, &[], 1);
        assert_eq!(v.best_votes(), 1);
        assert_eq!(v.landmarks(), 3);
        v.add_frame(5, &[], 0);
        assert_eq!(v.best_votes(), 0);
        let mut c = OffsetVotes::cumulative();
        for f in 0..10 {
            c.add_frame(f, &[50 + (f as u32 % 2)], 1);
        }
        assert_eq!(c.best_votes(), 10);
        assert!((c.aligned_ratio() - 1.0).abs() < 1e-6);
        c.reset();
        assert_eq!(c.best_votes(), 0);
    }
}
