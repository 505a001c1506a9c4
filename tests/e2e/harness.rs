//! Runs the real app in a real window for a test: a temporary data folder, our own
//! tauri-driver on a free port, a WebDriver session, screenshots on request, and
//! everything stopped when the test ends (also when it fails).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use intake_api::{Api, Caller, DataDir, SystemClock};
use serde_json::json;

/// The real `intake-desk` binary, built with this test.
const APP: &str = env!("CARGO_BIN_EXE_intake-desk");

/// The WebDriver code for the Enter key (a typed "\n" is not a key press).
pub const ENTER: &str = "\u{E007}";

/// WebDriver key codes (W3C): held modifiers stay down until [`RELEASE`].
pub const TAB: &str = "\u{E004}";
pub const SHIFT: &str = "\u{E008}";
pub const CONTROL: &str = "\u{E009}";
pub const ALT: &str = "\u{E00A}";
pub const RELEASE: &str = "\u{E000}";

/// How long to wait for the UI to show something before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Session {
    pub client: Client,
    /// Keys sent with `press` and `type_into` (a held modifier counts once; the
    /// release marker does not count).
    keys: std::sync::atomic::AtomicUsize,
    driver: Child,
    pub data: tempfile::TempDir,
    /// Where the app finds its answers to file dialogs (`--e2e-dialogs`).
    dialogs: tempfile::TempDir,
    name: String,
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/tauri-driver");
    if local.exists() {
        return local;
    }
    PathBuf::from("tauri-driver")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// A data folder with the demo accounts (nurse, physician, admin; password "demo").
pub fn demo_data() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("a temporary data folder");
    intake_demo::seed_demo(&api(data.path()), Caller::Cli("e2e")).expect("demo accounts");
    data
}

/// The same, with the records on the clinic server: a database of its own on the test
/// cluster (`scripts/with-postgres.sh`, which `make e2e` runs beside), named in the data
/// folder's `intake-desk.conf` as `intake db use` writes it, connected to as the app's
/// role. The database outlives the test (the app reconnects to it when restarted); the
/// cluster is removed after the run.
pub fn demo_data_on_server() -> tempfile::TempDir {
    use intake_store::pg::testing::{cluster, TestDatabase, APP};
    let settings = cluster().expect(
        "INTAKE_TEST_PG is not set: run the end-to-end tests with scripts/with-postgres.sh (make e2e does)",
    );
    let database = TestDatabase::new(&settings);
    let data = tempfile::tempdir().expect("a temporary data folder");
    DataDir::at(data.path())
        .set_config_entry("database", Some(&database.config(APP).url))
        .expect("the data folder's intake-desk.conf");
    std::mem::forget(database);
    let api = api(data.path());
    assert!(
        api.database_description().starts_with("clinic server"),
        "the demo data is on the server"
    );
    intake_demo::seed_demo(&api, Caller::Cli("e2e")).expect("demo accounts");
    data
}

/// Opens the API on a test's data folder (its own file, or the server its
/// intake-desk.conf names), to arrange data before the app starts.
pub fn api(data: &Path) -> Api {
    api_on_clock(data, Arc::new(SystemClock))
}

/// [`api`] with a clock of the test's own (visits dated in the past).
pub fn api_on_clock(data: &Path, clock: Arc<dyn intake_api::Clock>) -> Api {
    let dir = DataDir::at(data);
    let chosen = dir
        .database(None, None)
        .expect("the data folder's database");
    Api::open_database(&dir, &chosen, clock).expect("open the test database")
}

impl Session {
    /// Starts the app on `data` and connects to its window.
    pub async fn start(name: &str, data: tempfile::TempDir) -> Session {
        // Two TLS providers are linked (see Cargo.toml); the WebDriver client uses ring's.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let native_port = free_port();
        let driver_path = tauri_driver();
        let driver = Command::new(&driver_path)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so stopping it also stops WebKitWebDriver and the app.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e}. `make test` installs tauri-driver into .tools/ \
                     and runs these tests under xvfb-run.",
                    driver_path.display()
                )
            });
        let dialogs = tempfile::tempdir().expect("a folder for dialog answers");
        let answers = dialogs.path().join("answer");
        std::fs::write(&answers, "").expect("no dialog answer yet");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": APP,
                    "args": ["--data-dir", data.path(), "--e2e-dialogs", answers] }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            let connected = ClientBuilder::rustls()
                .expect("TLS roots")
                .capabilities(caps.clone())
                .connect(&url)
                .await;
            match connected {
                Ok(client) => {
                    let session = Session {
                        client,
                        keys: Default::default(),
                        driver,
                        data,
                        dialogs,
                        name: name.to_string(),
                    };
                    return session;
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("no WebDriver session with the app at {url}: {last_error}");
    }

    /// Runs one WebDriver call, failing the test (not hanging it) if the window stops
    /// answering.
    async fn bounded<T, E: std::fmt::Display>(
        &self,
        what: &str,
        call: impl std::future::Future<Output = Result<T, E>>,
    ) -> T {
        match tokio::time::timeout(PATIENCE + Duration::from_secs(5), call).await {
            Ok(Ok(value)) => value,
            Ok(Err(e)) => panic!("{}: {what}: {e}", self.name),
            Err(_) => panic!("{}: {what}: the window did not answer", self.name),
        }
    }

    /// Waits for the element matching `css` to be in the page.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let found = loop {
            let search = self
                .client
                .wait()
                .at_most(PATIENCE)
                .for_element(Locator::Css(css));
            let found = tokio::time::timeout(PATIENCE + Duration::from_secs(5), search).await;
            // A screen that redraws while it is found (a new route) leaves a stale handle:
            // look again.
            match &found {
                Ok(Err(e))
                    if e.to_string().contains("Stale")
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => break found,
            }
        };
        match found {
            Ok(Ok(element)) => element,
            Ok(Err(e)) => {
                self.capture(&format!(
                    "FAILED-{}",
                    css.replace(['#', ' ', '[', ']', '"', '='], "_")
                ))
                .await;
                panic!("{}: {css} did not appear: {e}", self.name)
            }
            Err(_) => panic!(
                "{}: the window did not answer while looking for {css}",
                self.name
            ),
        }
    }

    /// Whether an element matching `css` is in the page right now.
    pub async fn exists(&self, css: &str) -> bool {
        !self
            .bounded(css, self.client.find_all(Locator::Css(css)))
            .await
            .is_empty()
    }

    /// Waits until `css`'s text contains `text`, and returns the text.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let element = self.find(css).await;
            // The page may replace the element between finding and reading it: look again.
            let found = match tokio::time::timeout(PATIENCE, element.text()).await {
                Ok(Ok(text)) => text,
                Ok(Err(_)) => String::new(),
                Err(_) => panic!("{}: {css}: the window did not answer", self.name),
            };
            if found.contains(text) {
                return found;
            }
            if tokio::time::Instant::now() > deadline {
                self.capture("FAILED-text").await;
                let page = self.page_text().await;
                panic!(
                    "{}: {css} shows {found:?}, not {text:?}; the page reads:\n{page}",
                    self.name
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into the field matching `css` (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) {
        eprintln!("{}: type into {css}", self.name);
        self.count(text);
        let field = self.find(css).await;
        self.bounded(css, field.clear()).await;
        self.bounded(css, field.send_keys(text)).await;
    }

    /// Sets an input's value the way a picker would (date inputs take no typing in
    /// every WebKit build) and tells the page it changed.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        let script = "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
                      el.dispatchEvent(new Event('input', {bubbles: true})); \
                      el.dispatchEvent(new Event('change', {bubbles: true}));";
        let args = vec![json!(css), json!(value)];
        self.bounded(css, self.client.execute(script, args)).await;
    }

    /// Chooses the option with `value` in a select.
    pub async fn select(&self, css: &str, value: &str) {
        let element = self.find(css).await;
        // WebKit picks an option only from a select in view (the window is 1000×700).
        let script = "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });";
        self.bounded(css, self.client.execute(script, vec![json!(css)]))
            .await;
        self.bounded(css, element.select_by_value(value)).await;
    }

    /// Keys sent so far (see the field); `reset_keys` starts counting again.
    pub fn keys_sent(&self) -> usize {
        self.keys.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn reset_keys(&self) {
        self.keys.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    fn count(&self, keys: &str) {
        let n = keys.chars().filter(|c| c.to_string() != RELEASE).count();
        self.keys.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sends keys to whatever has focus, as a person at the keyboard would.
    pub async fn press(&self, keys: &str) {
        eprintln!("{}: keys {:?}", self.name, keys);
        self.count(keys);
        let active = self
            .bounded("the focused element", self.client.active_element())
            .await;
        self.bounded("keys", active.send_keys(keys)).await;
    }

    /// The id of the focused element ("" when it has none).
    pub async fn focused_id(&self) -> String {
        let script = "return document.activeElement ? document.activeElement.id : '';";
        let value = self
            .bounded("focus", self.client.execute(script, vec![]))
            .await;
        value.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the element with focus has the id `id`.
    pub async fn wait_for_focus(&self, id: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let now = self.focused_id().await;
            if now == id {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                self.capture("FAILED-focus").await;
                panic!("{}: focus is on {now:?}, not {id:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The current `value` of the input matching `css`.
    pub async fn value_of(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.bounded(css, element.prop("value"))
            .await
            .unwrap_or_default()
    }

    /// Waits until the input matching `css` holds `value`.
    pub async fn wait_for_value(&self, css: &str, value: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let now = self.value_of(css).await;
            if now == value {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                self.capture("FAILED-value").await;
                panic!("{}: {css} holds {now:?}, not {value:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the checkbox or radio button matching `css` is checked (a key that
    /// picks an option has landed before the next one is sent).
    pub async fn wait_for_checked(&self, css: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !self.is_checked(css).await {
            if tokio::time::Instant::now() > deadline {
                self.capture("FAILED-checked").await;
                panic!("{}: {css} is not checked", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The start of the page's visible text, for a failure message.
    async fn page_text(&self) -> String {
        let script = "return document.body.innerText.slice(0, 1500);";
        match tokio::time::timeout(PATIENCE, self.client.execute(script, vec![])).await {
            Ok(Ok(value)) => value.as_str().unwrap_or_default().to_string(),
            _ => String::from("(the window did not answer)"),
        }
    }

    /// Whether the checkbox or radio button matching `css` is checked.
    pub async fn is_checked(&self, css: &str) -> bool {
        let element = self.find(css).await;
        self.bounded(css, element.prop("checked")).await.as_deref() == Some("true")
    }

    /// Kills the app with SIGKILL (as a power cut would: nothing gets to clean up), ends
    /// the session and hands back its data folder for the next start.
    pub fn kill_app(mut self) -> tempfile::TempDir {
        let pattern = format!("intake-desk --data-dir {}", self.data.path().display());
        let status = Command::new("pkill")
            .args(["-KILL", "-f", &pattern])
            .status()
            .expect("pkill");
        assert!(
            status.success(),
            "{}: no app process matched {pattern:?}",
            self.name
        );
        let placeholder = tempfile::tempdir().expect("a temporary folder");
        std::mem::replace(&mut self.data, placeholder)
    }

    pub async fn click(&self, css: &str) {
        eprintln!("{}: click {css}", self.name);
        // A list that redraws (after a save) replaces the element found a moment ago:
        // find it again, a few times, before failing.
        for _ in 0..5 {
            let element = self.find(css).await;
            // Into the middle of the window, clear of the sticky top bar.
            let script = "document.querySelector(arguments[0])?.scrollIntoView({block: 'center'});";
            let _ = self.client.execute(script, vec![json!(css)]).await;
            match tokio::time::timeout(PATIENCE, element.click()).await {
                Ok(Ok(())) => return,
                Ok(Err(e)) => eprintln!("{}: click {css}: {e}; again", self.name),
                Err(_) => panic!("{}: click {css}: the window did not answer", self.name),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let element = self.find(css).await;
        self.bounded(css, element.click()).await;
    }

    /// Saves a PNG of the window to target/e2e-screenshots/<name>.png.
    ///
    /// The picture is taken from the X display (ImageMagick's `import`), not through
    /// WebDriver: WebKitWebDriver's own screenshot sometimes never returns and then
    /// blocks every later command of the session.
    /// Captures the window as `target/e2e-screenshots/<name>.png` and checks the screen
    /// with axe (see `axe.rs`): a serious or critical violation fails the test.
    pub async fn screenshot(&self, name: &str) {
        self.capture(name).await;
        crate::axe::check(self, name).await;
    }

    /// Captures the window without the accessibility check (a screen caught mid-change).
    pub async fn capture(&self, name: &str) {
        // A run on the clinic server keeps its own pictures beside the workstation's.
        let server_name;
        let name = if self.name.starts_with("server-") {
            server_name = format!("server-{name}");
            server_name.as_str()
        } else {
            name
        };
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let (x, y, w, h) = self
            .bounded("window rect", self.client.get_window_rect())
            .await;
        let status = Command::new("import")
            .args(["-window", "root", "-crop"])
            .arg(format!("{w}x{h}+{x}+{y}"))
            .arg("+repage")
            .arg(dir.join(format!("{name}.png")))
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("{}: no screenshot {name} ({status:?})", self.name);
        }
    }

    /// The test's name, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Ends the WebDriver session (closing the app) and stops tauri-driver.
    pub async fn finish(self) {
        let _ = self.client.clone().close().await;
        // Drop stops the driver's process group.
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // The group id is the driver's pid (process_group(0)); TERM lets WebKitWebDriver
        // close the app it started, KILL makes sure nothing is left behind.
        let group = format!("-{}", self.driver.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill").args([signal, "--", &group]).status();
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = self.driver.wait();
    }
}

/// Answers every later native file dialog with `path` (WebDriver cannot reach the GTK
/// dialog): the app, built with the `e2e` feature, reads its answer from the file given
/// by `--e2e-dialogs` (see `src-tauri/dialogs.rs`) instead of showing the dialog.
pub async fn answer_dialogs_with(s: &Session, path: &Path) {
    let answer = s.dialogs.path().join("answer");
    std::fs::write(&answer, path.display().to_string()).expect("the dialog's answer");
}

/// The dialogs the app asked so far: `[{ kind, title, fileName }]`, oldest first.
pub async fn dialog_calls(s: &Session) -> Vec<serde_json::Value> {
    let calls = std::fs::read_to_string(s.dialogs.path().join("answer.calls")).unwrap_or_default();
    calls
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON line per dialog"))
        .collect()
}

/// Signs in as a demo account (password "demo") from the sign-in screen.
pub async fn sign_in_as(s: &Session, user: &str) {
    s.wait_for_text("h1", "Sign in").await;
    s.type_into("#sign-in-username", user).await;
    s.type_into("#sign-in-password", &format!("demo{ENTER}"))
        .await;
    s.find("#home").await;
}

/// Goes to a route the way a link would (the page is not reloaded).
pub async fn go_to(s: &Session, hash: &str) {
    let script = "location.hash = arguments[0];";
    s.client.execute(script, vec![json!(hash)]).await.unwrap();
}
