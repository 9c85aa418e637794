//! G.711 mu-law (ITU-T G.711, North American PSTN companding) encode and decode.
//!
//! Decoding uses the exact ITU table (values -32124..=32124 in 16-bit linear). Encoding uses the
//! reference segment search with bias 0x84 and clip 32635, so `encode_ulaw(decode_ulaw(c)) == c`
//! for every code except 0x7F (negative zero), which re-encodes as 0xFF (positive zero).

/// Mu-law code of digital silence (positive zero).
pub const ULAW_SILENCE: u8 = 0xFF;

const BIAS: i32 = 0x84;
const CLIP: i32 = 32635;

/// Decode table: mu-law code -> 16-bit linear sample (the ITU G.711 table).
pub static ULAW_DECODE_TABLE: [i16; 256] = build_decode_table();

const fn build_decode_table() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        let u = !(code as u8);
        let sign = u & 0x80;
        let exponent = ((u >> 4) & 0x07) as i32;
        let mantissa = (u & 0x0F) as i32;
        let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
        table[code] = if sign != 0 {
            -magnitude as i16
        } else {
            magnitude as i16
        };
        code += 1;
    }
    table
}

/// Decode one G.711 mu-law byte to a 16-bit linear sample.
#[inline]
pub fn decode_ulaw(code: u8) -> i16 {
    ULAW_DECODE_TABLE[code as usize]
}

/// Encode one 16-bit linear sample as a G.711 mu-law byte.
#[inline]
pub fn encode_ulaw(sample: i16) -> u8 {
    let mut pcm = sample as i32;
    let sign = if pcm < 0 {
        pcm = -pcm;
        0x80
    } else {
        0x00
    };
    if pcm > CLIP {
        pcm = CLIP;
    }
    pcm += BIAS;
    // Segment (exponent) = position of the highest set bit above bit 7, 0..=7.
    let exponent = (31 - (pcm as u32).leading_zeros() as i32 - 7).clamp(0, 7);
    let mantissa = (pcm >> (exponent + 3)) & 0x0F;
    !((sign | (exponent << 4) | mantissa) as u8)
}

/// Encode a slice of linear samples into `out` (same length).
pub fn encode_ulaw_into(samples: &[i16], out: &mut [u8]) {
    for (o, &s) in out.iter_mut().zip(samples) {
        *o = encode_ulaw(s);
    }
}

/// Decode a slice of mu-law bytes into linear samples.
pub fn decode_ulaw_vec(codes: &[u8]) -> Vec<i16> {
    codes.iter().map(|&c| decode_ulaw(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itu_table_endpoints() {
        assert_eq!(decode_ulaw(0x00), -32124);
        assert_eq!(decode_ulaw(0x80), 32124);
        assert_eq!(decode_ulaw(0xFF), 0);
        assert_eq!(decode_ulaw(0x7F), 0);
        assert_eq!(decode_ulaw(0x7E), -8);
        assert_eq!(decode_ulaw(0xFE), 8);
        assert_eq!(decode_ulaw(0x70), -120);
        assert_eq!(decode_ulaw(0xF0), 120);
        assert_eq!(decode_ulaw(0x0F), -16764);
        assert_eq!(decode_ulaw(0x8F), 16764);
    }

    #[test]
    fn all_256_codes_round_trip() {
        for code in 0..=255u8 {
            let back = encode_ulaw(decode_ulaw(code));
            if code == 0x7F {
                assert_eq!(back, 0xFF, "negative zero re-encodes as positive zero");
            } else {
                assert_eq!(back, code, "code {code:#04x}");
            }
        }
    }

    #[test]
    fn encode_is_monotonic_and_saturates() {
        let mut prev = decode_ulaw(encode_ulaw(i16::MIN));
        for s in (i16::MIN as i32..=i16::MAX as i32).step_by(7) {
            let d = decode_ulaw(encode_ulaw(s as i16));
            assert!(d >= prev, "non-monotonic at {s}");
            prev = d;
        }
        assert_eq!(encode_ulaw(i16::MAX), 0x80);
        assert_eq!(encode_ulaw(i16::MIN), 0x00);
        assert_eq!(encode_ulaw(0), 0xFF);
    }

    #[test]
    fn quantization_error_is_within_segment_step() {
        for s in -32000i32..32000 {
            let d = decode_ulaw(encode_ulaw(s as i16)) as i32;
            let err = (d - s).abs();
            // Step size doubles per segment: 8 near zero .. 1024 at the top, so error <= step/2+...
            assert!(err <= 1024, "sample {s} decoded {d}");
            if s.abs() < 100 {
                assert!(err <= 8, "small sample {s} decoded {d}");
            }
        }
    }
}
