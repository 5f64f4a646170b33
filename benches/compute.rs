//! Compute benchmarks (filled in with the kernels).
fn main() {}
