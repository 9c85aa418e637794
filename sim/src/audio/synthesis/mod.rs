//! Pure-Rust synthesis of every clip kind, used when the real-audio cache is missing, and for
//! call-progress tones and clicks. Deterministic: the same id gives the same samples.

pub mod formant;
pub mod music;
pub mod speech;
pub mod tones;

/// Stable 64-bit seed from a clip id (FNV-1a), so synthesized clips never depend on run order.
pub fn seed_from_id(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
