//! The one error shape the web UI sees: `{ code, message, field? }`.

use serde::Serialize;

use intake_api::ApiError;

/// An error as it crosses IPC. `code` is one of `validation`, `not_found`, `conflict`,
/// `forbidden`, `unauthenticated`, `internal`; `message` is for the person; `field`
/// names the form field a validation error belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<ApiError> for IpcError {
    fn from(e: ApiError) -> Self {
        IpcError {
            code: e.code().as_str(),
            field: e.field().map(str::to_string),
            message: e.to_string(),
        }
    }
}
