//! G.711 mu-law (ITU-T G.711, section 2) decoding to 16-bit linear PCM, and the matching encoder.
//!
//! Every measurement in this crate is made on linear PCM: energy or spectra computed on the raw
//! mu-law bytes are meaningless. The decoder is the exact ITU table scaled to 16 bits
//! (0x00 → -32124, 0x7F → 0, 0x80 → 32124, 0xFF → 0).

/// Bias added before the segment search (G.711: 33 in 14-bit units, 0x84 in 16-bit units).
const BIAS: i32 = 0x84;
/// Largest magnitude the encoder represents before clipping (16-bit units).
const CLIP: i32 = 32635;

const fn decode_one(code: u8) -> i16 {
    let u = !code;
    let exponent = ((u >> 4) & 0x07) as i32;
    let mantissa = (u & 0x0F) as i32;
    let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    if u & 0x80 != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

const fn build_table() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = decode_one(code as u8);
        code += 1;
    }
    table
}

/// Decoding table: `ULAW_TO_LINEAR[code]` is the 16-bit linear sample of a mu-law byte.
pub const ULAW_TO_LINEAR: [i16; 256] = build_table();

/// Decode one G.711 mu-law byte to a 16-bit linear sample.
#[inline]
pub fn decode_ulaw(code: u8) -> i16 {
    ULAW_TO_LINEAR[code as usize]
}

/// Decode mu-law bytes into `out` (the shorter of the two lengths is decoded).
pub fn decode_frame(ulaw: &[u8], out: &mut [i16]) {
    for (dst, &code) in out.iter_mut().zip(ulaw) {
        *dst = decode_ulaw(code);
    }
}

/// Encode one 16-bit linear sample to G.711 mu-law (clips at ±32635). Used by tests and
/// simulators; the detector itself only decodes.
pub fn encode_ulaw(sample: i16) -> u8 {
    let mut pcm = sample as i32;
    let sign = if pcm < 0 {
        pcm = -pcm;
        0x80
    } else {
        0x00
    };
    pcm = pcm.min(CLIP) + BIAS;
    // Segment (exponent): position of the highest set bit above bit 7.
    let mut exponent = 7;
    let mut mask = 0x4000;
    while exponent > 0 && pcm & mask == 0 {
        exponent -= 1;
        mask >>= 1;
    }
    let mantissa = (pcm >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) as u8 | mantissa as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// G.711 decoding written from the standard's formula in 14-bit units, independent of the
    /// table builder: |x| = ((2·mantissa + 33) · 2^segment − 33), scaled ×4 to 16 bits.
    fn g711_reference(code: u8) -> i16 {
        let inverted = !code;
        let segment = ((inverted >> 4) & 7) as i32;
        let mantissa = (inverted & 0x0F) as i32;
        let magnitude_14 = (2 * mantissa + 33) * (1 << segment) - 33;
        let value = magnitude_14 * 4;
        if inverted & 0x80 != 0 {
            -value as i16
        } else {
            value as i16
        }
    }

    #[test]
    fn all_256_codes_match_the_itu_table() {
        for code in 0..=255u8 {
            assert_eq!(decode_ulaw(code), g711_reference(code), "code {code:#04x}");
        }
    }

    #[test]
    fn spot_values_from_the_standard() {
        // Values from the published G.711 mu-law decoding table (16-bit scaling).
        let spots: [(u8, i16); 13] = [
            (0x00, -32124),
            (0x01, -31100),
            (0x0E, -17788),
            (0x0F, -16764),
            (0x10, -15996),
            (0x70, -120),
            (0x7E, -8),
            (0x7F, 0),
            (0x80, 32124),
            (0x8F, 16764),
            (0xF0, 120),
            (0xFE, 8),
            (0xFF, 0),
        ];
        for (code, value) in spots {
            assert_eq!(decode_ulaw(code), value, "code {code:#04x}");
        }
    }

    #[test]
    fn table_is_antisymmetric_and_monotonic() {
        for code in 0..128u8 {
            assert_eq!(decode_ulaw(code), -decode_ulaw(code | 0x80));
        }
        for code in 0x80..0xFFu8 {
            assert!(
                decode_ulaw(code) > decode_ulaw(code + 1),
                "code {code:#04x}"
            );
        }
    }

    #[test]
    fn encode_inverts_decode() {
        for code in 0..=255u8 {
            let expected = if code == 0x7F { 0xFF } else { code }; // -0 encodes as +0
            assert_eq!(encode_ulaw(decode_ulaw(code)), expected, "code {code:#04x}");
        }
        assert_eq!(encode_ulaw(i16::MAX), 0x80);
        assert_eq!(encode_ulaw(i16::MIN), 0x00);
    }

    #[test]
    fn decode_frame_decodes_every_byte() {
        let ulaw = [0x00u8, 0x7F, 0x80, 0xFF];
        let mut pcm = [1i16; 4];
        decode_frame(&ulaw, &mut pcm);
        assert_eq!(pcm, [-32124, 0, 32124, 0]);
    }
}
