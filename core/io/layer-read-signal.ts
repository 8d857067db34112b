/** States of a `readLayersSync` request's shared flag (written by the reading thread, awaited by the caller). */
export const SENT = 0;
/** The reading thread took the request: from here the caller waits as long as the read takes. */
export const RECEIVED = 2;
/** The reply is posted (or the reading thread ended): the caller reads it from the port. */
export const ANSWERED = 1;
/** How long the caller waits for the reading thread to take a request before giving up (its start costs < 1 s). */
export const RECEIVE_TIMEOUT_MS = 120_000;
