//! The pure CPU kernel every CPU-bound workload shares, and its exact verification.
//!
//! The kernel advances a 64-bit linear congruential generator `n` steps: a chain of
//! dependent multiply-adds with no memory traffic, syscalls or allocation, which no
//! compiler can shortcut or vectorise. Its answer can nevertheless be computed
//! independently in O(log n) by jumping ahead (Brown, "Random number generation with
//! arbitrary strides", 1994), so every chunk of every run is verified exactly without
//! running the work twice.

use std::hint::black_box;

/// Knuth's MMIX multiplier.
const A: u64 = 6_364_136_223_846_793_005;
/// Knuth's MMIX increment.
const C: u64 = 1_442_695_040_888_963_407;

/// Steps between two [`checkpoint`](rtcompare_api::checkpoint)s: about 80 µs of work,
/// fine enough for a 5 ms switch interval, coarse enough that the thread-local check
/// costs nothing measurable.
pub const CHECKPOINT_EVERY: u64 = 1 << 16;

/// Advances the generator from `seed` by `steps` steps, one multiply-add at a time,
/// offering a serialising strategy (the emulated GIL) a switch point every
/// [`CHECKPOINT_EVERY`] steps.
#[inline(never)]
pub fn spin(seed: u64, steps: u64) -> u64 {
    let mut x = seed;
    let mut left = black_box(steps);
    while left > 0 {
        let block = left.min(CHECKPOINT_EVERY);
        for _ in 0..block {
            // The opaque barrier keeps LLVM from unrolling and fusing k steps into one
            // multiply-add by A^k (it otherwise does, running ~8x fewer instructions).
            x = black_box(x.wrapping_mul(A).wrapping_add(C));
        }
        left -= block;
        rtcompare_api::checkpoint();
    }
    x
}

/// What [`spin`] returns, computed in O(log steps) by composing the affine map.
pub fn jump(seed: u64, mut steps: u64) -> u64 {
    // (mul, add) is the map x -> mul*x + add after the steps taken so far;
    // (a, c) is the map for the current power-of-two stride.
    let (mut mul, mut add) = (1u64, 0u64);
    let (mut a, mut c) = (A, C);
    while steps > 0 {
        if steps & 1 == 1 {
            mul = mul.wrapping_mul(a);
            add = add.wrapping_mul(a).wrapping_add(c);
        }
        c = a.wrapping_add(1).wrapping_mul(c);
        a = a.wrapping_mul(a);
        steps >>= 1;
    }
    mul.wrapping_mul(seed).wrapping_add(add)
}

/// A well-mixed seed for chunk `index` (SplitMix64 finaliser).
pub fn seed(index: u64) -> u64 {
    let mut z = index.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A chunk's share of the checksum: position-dependent, so a runner that computed the
/// right values for the wrong chunks still fails, yet order-independent once summed.
pub fn contribution(index: u64, value: u64) -> u64 {
    value.rotate_left((index % 64) as u32) ^ index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_matches_spin() {
        for (seed, steps) in [
            (0, 0),
            (1, 1),
            (42, 2),
            (7, 1000),
            (u64::MAX, 12_345),
            (9, 65_536),
        ] {
            assert_eq!(
                jump(seed, steps),
                spin(seed, steps),
                "seed {seed} steps {steps}"
            );
        }
    }

    #[test]
    fn seeds_differ() {
        assert_ne!(seed(0), seed(1));
        assert_ne!(contribution(0, 5), contribution(1, 5));
    }
}
