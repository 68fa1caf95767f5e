/** Error codes shared with the C++ core (Status) — see shared/API.md. */
export const STATUS_CODES = ['OK', 'EVENT_TOO_LARGE', 'BAD_PAYLOAD', 'STREAM_ERROR_EVENT', 'TEXT_TOO_LARGE', 'BAD_ARGUMENT'];

/** An Error with a machine-readable `code` (and `status` for HTTP errors). */
export class RillmarkError extends Error {
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'RillmarkError';
    this.code = code;
    for (const [k, v] of Object.entries(extra)) if (k !== 'cause') this[k] = v;
  }
}

export function statusError(status, message) {
  return new RillmarkError(STATUS_CODES[status] ?? 'UNKNOWN', message);
}
