// One file's upload (issue 18): POST /api/uploads as multipart/form-data (the field `file`), same-origin with
// the session cookie, over XMLHttpRequest because fetch reports no upload progress. Progress as it goes, abort,
// and the server's answer (UploadAnswer) or a local failure in the same shape.
/* global XMLHttpRequest, FormData */

/** @import { UploadAnswer } from "../../src/http-api.js" */
/** @typedef {UploadAnswer | { ok: false, error: { code: "aborted" | "network", message: string } }} UploadResult */

export const UPLOAD_PATH = "/api/uploads";

/**
 * Starts uploading `file`. `onProgress` gets the share of the bytes sent (0 to 1); once they are all sent the
 * server still reads the file (an image is made into its thumbnail and viewer size) before it answers.
 * @param {Blob & { name?: string }} file
 * @param {{ onProgress?: (fraction: number) => void }} [opts]
 * @returns {{ done: Promise<UploadResult>, abort: () => void }}
 */
export function uploadFile(file, opts = {}) {
  const xhr = new XMLHttpRequest();
  const done = /** @type {Promise<UploadResult>} */ (
    new Promise((resolve) => {
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable && event.total > 0) opts.onProgress?.(event.loaded / event.total);
      });
      xhr.addEventListener("load", () => resolve(readAnswer(xhr)));
      // A refused big file can close the connection before the whole body went (the server stops reading).
      xhr.addEventListener("error", () => resolve(xhr.status > 0 ? readAnswer(xhr) : failed("network", "The upload failed: check the connection and try again.")));
      xhr.addEventListener("abort", () => resolve(failed("aborted", "Upload cancelled.")));
    })
  );
  const form = new FormData();
  form.append("file", file, file.name ?? "file");
  xhr.open("POST", UPLOAD_PATH);
  xhr.responseType = "json";
  xhr.setRequestHeader("Accept", "application/json");
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}

/** @param {XMLHttpRequest} xhr @returns {UploadResult} */
function readAnswer(xhr) {
  const body = /** @type {unknown} */ (xhr.response);
  if (isAnswer(body)) return body;
  if (xhr.status === 413) return failed("network", "This file is too large for the server.");
  return failed("network", `The upload failed (the server answered ${xhr.status || "nothing"}); try again.`);
}

/** @param {unknown} body @returns {body is UploadAnswer} */
function isAnswer(body) {
  if (typeof body !== "object" || body === null || !("ok" in body)) return false;
  if (body.ok === true) return "upload" in body && typeof body.upload === "object" && body.upload !== null;
  return "error" in body && typeof body.error === "object" && body.error !== null && "message" in body.error && typeof body.error.message === "string";
}

/** @param {"aborted" | "network"} code @param {string} message @returns {UploadResult} */
function failed(code, message) {
  return { ok: false, error: { code, message } };
}
