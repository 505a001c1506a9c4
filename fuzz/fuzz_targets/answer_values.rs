#![no_main]
//! libFuzzer over `intake_fuzz::answer_values` (`make fuzz`; see crates/intake-fuzz).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| intake_fuzz::answer_values(data));
