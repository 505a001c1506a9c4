//! What the IPC tests share: the app on Tauri's mock runtime with the real configuration
//! and capabilities, and calling a command the way the web UI does.

#![allow(dead_code)] // each test file uses its own part

use std::sync::Arc;

use chrono::Utc;
use intake_api::{Api, Caller, ManualClock};
use intake_desk::Backend;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

pub struct App {
    _app: tauri::App<MockRuntime>,
    pub webview: tauri::WebviewWindow<MockRuntime>,
}

pub fn app(backend: Backend) -> App {
    app_with(backend, |b| b)
}

/// The app with something more on its builder first (state a test provides).
pub fn app_with(
    backend: Backend,
    more: impl FnOnce(tauri::Builder<MockRuntime>) -> tauri::Builder<MockRuntime>,
) -> App {
    let app = intake_desk::builder(more(mock_builder()), backend)
        .build(intake_desk::context())
        .expect("the app builds on the mock runtime");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("the main window");
    App { _app: app, webview }
}

fn demo_api() -> Api {
    let api = Api::in_memory(Arc::new(ManualClock::new(Utc::now()))).unwrap();
    intake_demo::seed_demo(&api, Caller::Cli("test")).unwrap();
    api
}

pub fn demo_app() -> App {
    app(Backend::Ready(Box::new(demo_api())))
}

/// The demo app with something more on its builder.
pub fn demo_app_with(
    more: impl FnOnce(tauri::Builder<MockRuntime>) -> tauri::Builder<MockRuntime>,
) -> App {
    app_with(Backend::Ready(Box::new(demo_api())), more)
}

pub fn invoke(app: &App, cmd: &str, body: Value) -> Result<Value, Value> {
    get_ipc_response(
        &app.webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("a JSON response"))
}

pub fn assert_error_shape(err: &Value, code: &str) {
    let obj = err
        .as_object()
        .unwrap_or_else(|| panic!("an error object, got {err}"));
    assert_eq!(obj["code"], code, "code in {err}");
    assert!(
        obj["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message for the person in {err}"
    );
    assert!(
        obj.keys()
            .all(|k| ["code", "message", "field"].contains(&k.as_str())),
        "nothing but code, message and field in {err}"
    );
}

/// Signs in a demo account (password `demo`) and returns its session token.
pub fn token_of(app: &App, username: &str) -> String {
    let signed_in = invoke(
        app,
        "sign_in",
        json!({ "username": username, "password": "demo" }),
    )
    .unwrap();
    signed_in["token"].as_str().unwrap().to_string()
}
