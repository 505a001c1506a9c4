//! End-to-end tests: the real app in a real window under Xvfb, driven through
//! WebDriver (tauri-driver + WebKitWebDriver). `make test` installs the tools and runs
//! these with `--features e2e`; screenshots land in target/e2e-screenshots/.

mod accessibility;
mod admin;
mod axe;
mod carry;
mod dates;
mod exports;
mod foundation;
mod harness;
mod intake;
mod keystrokes;
mod merge;
mod outcomes;
mod patients;
mod ranking;
mod review;
mod seal;
mod unsaved;
mod x11;
