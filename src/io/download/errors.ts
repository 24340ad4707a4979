/** Errors a download can end with. Both name the URL and the exact cache path, so a user who is offline knows where to put the file by hand. */

import { ConvkitError } from '../../errors.js';

export interface DownloadErrorDetails {
  url: string;
  /** Where getFile would have stored the file: placing it there by hand skips the download. */
  cachePath: string;
  /** The HTTP status when the server answered with an error, else null. */
  status?: number | null;
  /** The kept partial download, when there is one; the next call resumes from it. */
  partialPath?: string | null;
  cause?: unknown;
}

/** The file could not be fetched: offline, unreachable host, timeout, HTTP error, or an interrupted transfer. */
export class DownloadError extends ConvkitError {
  readonly url: string;
  readonly cachePath: string;
  readonly status: number | null;
  readonly partialPath: string | null;

  constructor(message: string, details: DownloadErrorDetails) {
    super(message);
    this.url = details.url;
    this.cachePath = details.cachePath;
    this.status = details.status ?? null;
    this.partialPath = details.partialPath ?? null;
    if (details.cause !== undefined) this.cause = details.cause;
  }
}

/** The downloaded bytes do not have the expected hash; they were deleted and nothing was cached. */
export class HashMismatchError extends DownloadError {
  readonly algorithm: string;
  readonly expected: string;
  readonly actual: string;

  constructor(message: string, details: DownloadErrorDetails & { algorithm: string; expected: string; actual: string }) {
    super(message, details);
    this.algorithm = details.algorithm;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}
