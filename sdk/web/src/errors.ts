/** Every way a call can fail, as a stable code a page can switch on. */
export type CallErrorCode =
  | 'invalid_options'
  | 'invalid_state'
  | 'microphone_denied'
  | 'microphone_not_found'
  | 'microphone_in_use'
  | 'microphone_failed'
  | 'token_request_failed'
  | 'token_rejected'
  | 'connection_failed'
  | 'call_ended'
  | 'device_failed'
  | 'send_failed'
  | 'playback_failed';

export interface CallErrorDetails {
  /** The option at fault, for `invalid_options`. */
  readonly option?: string;
  /** The HTTP status, for `token_request_failed`. */
  readonly status?: number;
  /** The service's problem `code` (RFC 9457), for `token_request_failed`. */
  readonly problemCode?: string;
  readonly cause?: unknown;
}

export class CallError extends Error {
  override readonly name = 'CallError';
  readonly code: CallErrorCode;
  readonly option: string | undefined;
  readonly status: number | undefined;
  readonly problemCode: string | undefined;
  override readonly cause: unknown;

  constructor(code: CallErrorCode, message: string, details: CallErrorDetails = {}) {
    super(message);
    this.code = code;
    this.option = details.option;
    this.status = details.status;
    this.problemCode = details.problemCode;
    this.cause = details.cause;
  }
}

export function invalidOption(option: string, expected: string): CallError {
  return new CallError('invalid_options', `createCall: \`${option}\` must be ${expected}`, {
    option,
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function requireString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value === '') {
    throw new CallError('invalid_options', `\`${name}\` must be a non-empty string`, { option: name });
  }
}
