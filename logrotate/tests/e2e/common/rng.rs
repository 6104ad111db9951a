//! A small seeded PRNG (SplitMix64): the same seed gives the same scenarios, kills and faults on
//! every machine; the tests take their seeds from the environment or a constant, never the clock.

/// SplitMix64: 64 bits of state, good enough to pick directives and values.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).expect("lo <= hi");
        lo.checked_add_unsigned(self.next_u64() % span).expect("within lo..=hi")
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed of case `index` of a run seeded with `base`: cases are independent, so a failing
/// case is reproduced by its own seed alone.
pub fn case_seed(base: u64, index: u64) -> u64 {
    let mut rng = Rng::new(base ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03));
    rng.next_u64()
}
