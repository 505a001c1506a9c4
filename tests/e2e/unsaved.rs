//! Typed changes that cannot be saved at once are never dropped: the save is kept and
//! sent again by itself, leaving the intake keeps it going in the background (the top bar
//! says so), and closing the window asks first. "Cannot be saved" is real here: another
//! program holds the database's write lock.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{demo_data, Session, ALT, ENTER, PATIENCE, RELEASE};
use crate::intake::{answer, start_intake_for_zoe, stored_answers};
use crate::x11;

/// Holds the database's write lock from another program (the sqlite3 shell) until the
/// returned guard is dropped.
struct WriteLockHeld {
    child: std::process::Child,
}

impl WriteLockHeld {
    fn take(db: &std::path::Path) -> WriteLockHeld {
        use std::io::{BufRead, BufReader, Write};
        use std::process::{Command, Stdio};
        let mut child = Command::new("sqlite3")
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the sqlite3 shell (scripts/ensure-deps.sh installs it)");
        let input = child.stdin.as_mut().unwrap();
        writeln!(input, "BEGIN IMMEDIATE; SELECT 'locked';").unwrap();
        input.flush().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked", "the shell holds the write lock");
        WriteLockHeld { child }
    }
}

impl Drop for WriteLockHeld {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_save_that_cannot_go_in_is_kept_said_and_sent_again_by_itself() {
    let s = Session::start("intake-retry", demo_data()).await;
    start_intake_for_zoe(&s).await;
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.wait_for_focus("q-vitals_height").await;
    // Another program holds the database while the nurse types: the save waits its 5 s,
    // then is kept and the header says so (never "Saved").
    let lock = WriteLockHeld::take(&s.data.path().join("intake.db"));
    s.press(&format!("172{ENTER}")).await;
    let said = s.wait_for_text("#intake-saved", "not saved yet").await;
    assert!(said.contains("retrying"), "{said}");
    s.screenshot("intake-save-retrying").await;
    let (_, answers) = stored_answers(&s);
    assert!(
        !answers.iter().any(|(k, _, _)| k == "vitals/height"),
        "not in the database yet"
    );
    // The other program lets go: the kept save goes in by itself, without a keystroke.
    drop(lock);
    s.wait_for_text("#intake-saved", "Saved").await;
    let (_, answers) = stored_answers(&s);
    assert_eq!(
        answer(&answers, "vitals/height"),
        &json!({ "valueDecimal": 172.0 })
    );
    s.finish().await;
}

/// Zoë's intake open with 172 typed as her height while another program holds the write
/// lock: the header says the change is not saved yet. The lock goes with the guard.
async fn a_height_not_saved_yet(name: &str) -> (Session, WriteLockHeld) {
    let s = Session::start(name, demo_data()).await;
    start_intake_for_zoe(&s).await;
    s.press(&format!("{ALT}2{RELEASE}")).await;
    s.wait_for_focus("q-vitals_height").await;
    let lock = WriteLockHeld::take(&s.data.path().join("intake.db"));
    s.press(&format!("172{ENTER}")).await;
    s.wait_for_text("#intake-saved", "not saved yet").await;
    (s, lock)
}

#[tokio::test]
async fn leaving_an_intake_whose_save_waits_keeps_sending_it_and_the_top_bar_says_so() {
    let (s, lock) = a_height_not_saved_yet("unsaved-leave").await;
    // The nurse goes on to the patient list: the change goes with the window, not the screen.
    s.click("#nav a[data-section='patients']").await;
    let said = s
        .wait_for_text("#top-unsaved", "1 change not saved yet")
        .await;
    assert!(said.contains("not saved yet"), "{said}");
    s.screenshot("unsaved-left-behind").await;
    drop(lock);
    // Sent again by itself: the top bar's note goes, and the value is in.
    let deadline = Instant::now() + PATIENCE * 2;
    while s.exists("#top-unsaved:not([hidden])").await {
        assert!(
            Instant::now() < deadline,
            "the change left behind was never sent"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (_, answers) = stored_answers(&s);
    assert_eq!(
        answer(&answers, "vitals/height"),
        &json!({ "valueDecimal": 172.0 })
    );
    s.finish().await;
}

async fn until_windows(count: usize, what: &str) {
    let deadline = Instant::now() + PATIENCE;
    while x11::app_window_count() != count {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn closing_the_window_with_a_change_not_saved_asks_first() {
    let (s, lock) = a_height_not_saved_yet("unsaved-close").await;
    // The close button: the window tries to save, cannot, and asks.
    assert_eq!(x11::request_close(), 1, "the app's window");
    let asked = s
        .wait_for_text("#close-dialog", "1 change not saved yet")
        .await;
    assert!(asked.contains("on this screen"), "{asked}");
    s.screenshot("unsaved-close-asks").await;
    // Keeping it open is the default (Enter on the focused button).
    s.wait_for_focus("close-keep").await;
    s.press(ENTER).await;
    assert!(!s.exists("#close-dialog").await, "the question went away");
    assert_eq!(x11::app_window_count(), 1, "still open");
    drop(lock);
    s.wait_for_text("#intake-saved", "Saved").await;
    // Nothing waits now: closing closes.
    x11::request_close();
    until_windows(0, "the window closes when nothing waits").await;
    let (_, answers) = stored_answers(&s);
    assert_eq!(
        answer(&answers, "vitals/height"),
        &json!({ "valueDecimal": 172.0 })
    );
}
