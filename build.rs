//! Build script: tells the test targets whether a MongoDB test server is configured.
//!
//! With `WICKVIEW_TEST_MONGODB_URI` set (or under `CI=true`, where those tests must run and
//! fail loudly without a server) the `mongo_tests` cfg is set; the MongoDB tests are marked
//! `#[cfg_attr(not(mongo_tests), ignore = "...")]`, so a plain `cargo test` without a server
//! lists them as ignored instead of passing them. `mongo_fault_tests` does the same for the
//! tests that start and kill their own server (`WICKVIEW_TEST_SECANTUSD`).

use std::env;

fn is_set(name: &str) -> bool {
    env::var(name).is_ok_and(|v| !v.trim().is_empty())
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=WICKVIEW_TEST_MONGODB_URI");
    println!("cargo::rerun-if-env-changed=WICKVIEW_TEST_SECANTUSD");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rustc-check-cfg=cfg(mongo_tests)");
    println!("cargo::rustc-check-cfg=cfg(mongo_fault_tests)");
    let ci = env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if ci || is_set("WICKVIEW_TEST_MONGODB_URI") {
        println!("cargo::rustc-cfg=mongo_tests");
    }
    if ci || is_set("WICKVIEW_TEST_SECANTUSD") {
        println!("cargo::rustc-cfg=mongo_fault_tests");
    }
}
