// "Export PDF" for one visit, shared by the review screen and the patient's Visits: the
// backend opens the native save dialog on its file name (`YYYY-MM-DD_MRN_visit-ID.pdf`)
// and writes the summary where the person chose (the window never names a path). The outcome is one line in the
// screen's notice: "Saved <file> (n pages)" or the backend's message. Nothing here
// decides who may export: the backend refuses, and the screens show the button only
// where it said so.

import * as api from '../api.js';

function sizeText(bytes) {
  if (!Number.isFinite(bytes)) return '';
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "Saved <fileName> (2 pages, 38 KB)." from export_pdf's answer. */
export function savedText(result) {
  const pages = Number.isFinite(result.pages) ? `${result.pages} ${result.pages === 1 ? 'page' : 'pages'}` : null;
  const details = [pages, sizeText(result.bytes)].filter(Boolean).join(', ');
  return `Saved ${result.fileName}${details ? ` (${details})` : ''}.`;
}

/**
 * Asks where to save visit `encounterId`'s summary and writes it. `note` is a notice from
 * dom.js; `button` (optional) is disabled while it runs. Resolves to the export's result,
 * or null when the person cancelled the dialog or it failed (the note says why).
 */
export async function exportVisitPdf(encounterId, note, button = null) {
  if (button?.disabled) return null;
  note.clear();
  if (button) button.disabled = true;
  try {
    const result = await api.exportPdf(encounterId);
    if (!result) return null; // cancelled
    note.success(savedText(result));
    return result;
  } catch (err) {
    note.error(err.message);
    return null;
  } finally {
    if (button) {
      button.disabled = false;
      if (button.isConnected) button.focus(); // disabling it dropped the focus
    }
  }
}
