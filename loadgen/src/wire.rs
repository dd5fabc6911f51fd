//! What goes over the wire: the bytes of every request, the digest that feeds the
//! checksum, the check of every echoed byte, and the checksum a plan must produce.
//!
//! A request is a fixed function of (tag, connection, round), so a reply can be checked
//! without keeping a copy of anything but the request buffer itself, and the checksum
//! of a whole plan can be recomputed from the plan alone. The functions are
//! bit-identical to those `workloads/src/tcp_echo.rs` used, so checksums pinned there
//! stay valid when the bytes come from this generator instead.

use crate::plan::Step;

/// splitmix64's finaliser: a cheap, well-mixed hash of a word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The golden-ratio increment splitmix64 steps by.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Writes the request of `connection`'s round `round` under `tag` into `buf`: one
/// hashed word per 8 bytes, so filling costs little next to a round trip.
pub fn fill(buf: &mut [u8], tag: u64, connection: usize, round: u32) {
    let seed = mix(tag ^ mix(((connection as u64) << 32) | u64::from(round)));
    for (j, chunk) in buf.chunks_mut(8).enumerate() {
        let word = mix(seed.wrapping_add((j as u64 + 1).wrapping_mul(GOLDEN)));
        chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
    }
}

/// An order-sensitive digest of one reply, its length included.
pub fn digest(buf: &[u8]) -> u64 {
    buf.chunks(8).fold(buf.len() as u64, |h, chunk| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        (h ^ u64::from_le_bytes(word))
            .wrapping_mul(0x0000_0100_0000_01B3)
            .rotate_left(23)
    })
}

/// `Ok` when `echoed` is exactly `sent`; otherwise an error naming the connection,
/// the round and the first differing byte.
pub fn verify(sent: &[u8], echoed: &[u8], connection: usize, round: u32) -> Result<(), String> {
    if sent == echoed {
        return Ok(());
    }
    let at = sent
        .iter()
        .zip(echoed)
        .position(|(a, b)| a != b)
        .unwrap_or(sent.len().min(echoed.len()));
    let byte = |b: Option<&u8>| {
        b.map_or("missing (the reply is short)".to_owned(), |b| {
            format!("{b:#04x}")
        })
    };
    Err(format!(
        "connection {connection}, round {round}: echoed byte {at} is {} but {} was sent",
        byte(echoed.get(at)),
        byte(sent.get(at))
    ))
}

/// The checksum of a plan run under `tag` with `bytes`-byte requests: the wrapping
/// sum of [`digest`] of every request of every step (connection c in 0..C, round k in
/// 0..R), which is what the generator adds up from the verified replies.
pub fn expected(tag: u64, bytes: usize, steps: &[Step]) -> u64 {
    let mut buf = vec![0u8; bytes];
    let mut sum = 0u64;
    for step in steps {
        for c in 0..step.connections {
            for k in 0..step.round_trips {
                fill(&mut buf, tag, c, k);
                sum = sum.wrapping_add(digest(&buf));
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(connections: usize, round_trips: u32) -> Step {
        Step {
            connections,
            round_trips,
            rate_per_s: None,
        }
    }

    #[test]
    fn expected_matches_the_checksums_pinned_in_tcp_echo() {
        // The values `workloads` pins for tiny tcp-echo, tcp-echo-1 and tcp-echo-open
        // (tags 0xC105_ED00, 0x0001_ED00, 0x0BE0_ED00; 64-byte requests).
        assert_eq!(
            expected(0xC105_ED00, 64, &[closed(4, 20)]),
            0xecb8_e0d8_3e45_8894
        );
        assert_eq!(
            expected(0x0001_ED00, 64, &[closed(1, 50)]),
            0xf9e2_de33_f7f3_0e00
        );
        let open = Step {
            rate_per_s: Some(4_000.0),
            ..closed(4, 20)
        };
        assert_eq!(expected(0x0BE0_ED00, 64, &[open]), 0x4107_d6e7_388d_80a3);
    }

    #[test]
    fn expected_sums_over_steps_and_counts_every_connection_round_and_byte() {
        let a = expected(7, 64, &[closed(3, 10)]);
        let b = expected(7, 64, &[closed(2, 5)]);
        assert_eq!(
            expected(7, 64, &[closed(3, 10), closed(2, 5)]),
            a.wrapping_add(b)
        );
        assert_ne!(a, expected(7, 64, &[closed(2, 10)]));
        assert_ne!(a, expected(7, 64, &[closed(3, 9)]));
        assert_ne!(a, expected(7, 63, &[closed(3, 10)]));
        assert_ne!(a, expected(8, 64, &[closed(3, 10)]));
        assert_eq!(expected(7, 64, &[]), 0);
    }

    #[test]
    fn requests_differ_per_connection_and_round() {
        let mut a = [0u8; 64];
        let mut b = [0u8; 64];
        fill(&mut a, 1, 0, 0);
        fill(&mut b, 1, 0, 1);
        assert_ne!(a, b);
        fill(&mut b, 1, 1, 0);
        assert_ne!(a, b);
        fill(&mut b, 1, 0, 0);
        assert_eq!(a, b);
    }

    #[test]
    fn verify_names_connection_round_and_first_differing_byte() {
        let mut sent = [0u8; 16];
        fill(&mut sent, 1, 3, 7);
        assert_eq!(verify(&sent, &sent, 3, 7), Ok(()));
        let mut echoed = sent;
        echoed[5] ^= 0xFF;
        echoed[9] ^= 0xFF;
        let err = verify(&sent, &echoed, 3, 7).unwrap_err();
        assert!(
            err.starts_with("connection 3, round 7: echoed byte 5 is"),
            "{err}"
        );
        let err = verify(&sent, &sent[..10], 3, 7).unwrap_err();
        assert!(
            err.contains("echoed byte 10 is missing (the reply is short)"),
            "{err}"
        );
    }
}
