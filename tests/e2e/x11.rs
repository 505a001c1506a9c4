//! What a window manager does when someone clicks a window's close button: it sends the
//! window a `WM_DELETE_WINDOW` request (ICCCM). The tests run under Xvfb without a window
//! manager, so they send it themselves, to the app's top-level windows.

use std::ffi::CStr;
use std::ptr;

use x11_dl::xlib;

/// The app's windows on the display: viewable top-level windows whose class names it.
fn app_windows(x: &xlib::Xlib, display: *mut xlib::Display) -> Vec<xlib::Window> {
    let mut found = Vec::new();
    // SAFETY: plain Xlib calls on an open display; every list Xlib returns is read within
    // its length and freed once.
    unsafe {
        let root = (x.XDefaultRootWindow)(display);
        let (mut root_back, mut parent) = (0, 0);
        let mut children: *mut xlib::Window = ptr::null_mut();
        let mut count = 0u32;
        if (x.XQueryTree)(
            display,
            root,
            &mut root_back,
            &mut parent,
            &mut children,
            &mut count,
        ) == 0
            || children.is_null()
        {
            return found;
        }
        let windows = std::slice::from_raw_parts(children, count as usize).to_vec();
        (x.XFree)(children.cast());
        for window in windows {
            let mut attributes: xlib::XWindowAttributes = std::mem::zeroed();
            if (x.XGetWindowAttributes)(display, window, &mut attributes) == 0
                || attributes.map_state != xlib::IsViewable
            {
                continue;
            }
            let mut hint: xlib::XClassHint = std::mem::zeroed();
            if (x.XGetClassHint)(display, window, &mut hint) == 0 {
                continue;
            }
            let mut names = String::new();
            for name in [hint.res_name, hint.res_class] {
                if !name.is_null() {
                    names.push_str(&CStr::from_ptr(name).to_string_lossy().to_lowercase());
                    names.push(' ');
                    (x.XFree)(name.cast());
                }
            }
            if names.contains("intake-desk") || names.contains("intake desk") {
                found.push(window);
            }
        }
    }
    found
}

fn with_display<T>(f: impl FnOnce(&xlib::Xlib, *mut xlib::Display) -> T) -> T {
    let x = xlib::Xlib::open().expect("libX11 (the tests run under Xvfb)");
    // SAFETY: the display is opened and closed here, used only in between.
    unsafe {
        let display = (x.XOpenDisplay)(ptr::null());
        assert!(
            !display.is_null(),
            "no X display: run the end-to-end tests under xvfb-run"
        );
        let result = f(&x, display);
        (x.XCloseDisplay)(display);
        result
    }
}

/// How many windows the app shows.
pub fn app_window_count() -> usize {
    with_display(|x, display| app_windows(x, display).len())
}

/// Asks each of the app's windows to close, as a window's close button does. Returns how
/// many were asked.
pub fn request_close() -> usize {
    with_display(|x, display| {
        let windows = app_windows(x, display);
        // SAFETY: a client message sent with Xlib on the open display.
        unsafe {
            let protocols = (x.XInternAtom)(display, c"WM_PROTOCOLS".as_ptr(), xlib::False);
            let delete = (x.XInternAtom)(display, c"WM_DELETE_WINDOW".as_ptr(), xlib::False);
            for &window in &windows {
                let mut message: xlib::XClientMessageEvent = std::mem::zeroed();
                message.type_ = xlib::ClientMessage;
                message.window = window;
                message.message_type = protocols;
                message.format = 32;
                message.data.set_long(0, delete as std::os::raw::c_long);
                message
                    .data
                    .set_long(1, xlib::CurrentTime as std::os::raw::c_long);
                let mut event = xlib::XEvent::from(message);
                (x.XSendEvent)(display, window, xlib::False, xlib::NoEventMask, &mut event);
            }
            (x.XFlush)(display);
        }
        windows.len()
    })
}
