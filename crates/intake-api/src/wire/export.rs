//! Exports: one visit's PDF and batches of them.

use std::path::PathBuf;

use serde::Serialize;

/// What a single export wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedDto {
    pub path: String,
    pub file_name: String,
    pub bytes: usize,
    pub pdf_sha256: String,
    pub record_sha256: String,
    pub status: String,
}

/// What a batch covers.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// Visit dates, both included (YYYY-MM-DD).
    pub from: String,
    pub to: String,
    /// Empty: signed and amended.
    pub statuses: Vec<String>,
    pub folder: PathBuf,
}

/// How far a batch is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchProgressDto {
    pub done: usize,
    pub total: usize,
    pub written: usize,
    pub skipped: usize,
    pub failed: usize,
    pub eta_seconds: Option<f64>,
    /// The file just finished.
    pub file: Option<String>,
}

/// A visit that was not exported, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFailureDto {
    pub encounter_id: i64,
    pub file: String,
    pub reason: String,
}

/// How a batch ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchReportDto {
    pub folder: String,
    pub manifest: String,
    pub total: usize,
    pub written: usize,
    pub skipped: usize,
    pub failed: Vec<BatchFailureDto>,
    pub cancelled: bool,
    /// Why the batch stopped before the end (a file that could not be written).
    pub stopped: Option<String>,
    pub seconds: f64,
}
