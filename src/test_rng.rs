//! A tiny deterministic random generator (xorshift64) for the library's randomized
//! tests: no dependency, and the same sequence on every run, so a failure reproduces.

/// xorshift64 (Marsaglia): fine for test inputs, not for anything else.
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator from a non-zero seed.
    pub(crate) fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A string of up to `max - 1` of `pieces`, each drawn at random (the pieces of
    /// the randomized equivalence tests: the shapes a fast path must agree on).
    pub(crate) fn string_of(&mut self, pieces: &[&str], max: u64) -> String {
        let n = self.below(max);
        (0..n)
            .map(|_| pieces[self.below(pieces.len() as u64) as usize])
            .collect()
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}
