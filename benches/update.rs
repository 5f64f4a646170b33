//! Update benchmark (written below).
fn main() {}
