//! Closing the window without losing typed changes.
//!
//! A close request (the window manager's close button, Alt+F4) is not obeyed at once: the
//! window is asked first, since only it knows whether changes still wait to be saved
//! (`ui/shell/closing.js`). It answers with `close_request_heard` at once, then either
//! closes itself (`close_window`: nothing waits, or the person chose to close anyway) or
//! stays open. A page that does not answer within [`ANSWER_WITHIN`] (it failed to load, or
//! hangs) cannot hold the window open: it is closed as asked.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager, Runtime, WebviewWindow, Window, WindowEvent};

/// How long the page has to say it heard a close request.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// The close requests asked of the page and the last one it answered, by number.
#[derive(Default)]
pub struct CloseRequests {
    asked: AtomicU64,
    heard: AtomicU64,
}

impl CloseRequests {
    /// Numbers a new request.
    pub fn ask(&self) -> u64 {
        self.asked.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The page heard request `number` (and so every one before it).
    pub fn heard(&self, number: u64) {
        self.heard.fetch_max(number, Ordering::SeqCst);
    }

    /// Whether request `number` went unanswered.
    pub fn unanswered(&self, number: u64) -> bool {
        self.heard.load(Ordering::SeqCst) < number
    }
}

/// The script that hands request `number` to the page.
pub fn request_script(number: u64) -> String {
    format!(
        "window.dispatchEvent(new CustomEvent('intake-close-requested', {{ detail: {number} }}));"
    )
}

/// The window event hook: holds a close request and asks the page.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    let Some(webview) = window.get_webview_window(window.label()) else {
        return; // no page to ask: the window closes
    };
    let number = window.state::<CloseRequests>().ask();
    if webview.eval(request_script(number)).is_err() {
        return;
    }
    api.prevent_close();
    close_if_unanswered(webview, number);
}

fn close_if_unanswered<R: Runtime>(webview: WebviewWindow<R>, number: u64) {
    std::thread::spawn(move || {
        std::thread::sleep(ANSWER_WITHIN);
        if webview.state::<CloseRequests>().unanswered(number) {
            eprintln!("intake-desk: the window did not answer a close request; closing it");
            let _ = webview.destroy();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_unanswered_until_the_page_hears_it_or_a_later_one() {
        let requests = CloseRequests::default();
        let first = requests.ask();
        let second = requests.ask();
        assert!(requests.unanswered(first) && requests.unanswered(second));
        requests.heard(second);
        assert!(
            !requests.unanswered(first),
            "hearing the later one answers both"
        );
        requests.heard(first);
        assert!(
            !requests.unanswered(second),
            "an older answer does not undo a newer one"
        );
    }

    #[test]
    fn the_script_names_the_request() {
        assert_eq!(
            request_script(7),
            "window.dispatchEvent(new CustomEvent('intake-close-requested', { detail: 7 }));"
        );
    }
}
