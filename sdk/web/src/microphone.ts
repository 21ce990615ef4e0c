import { MediaDeviceFailure } from 'livekit-client';
import { CallError, type CallErrorCode, messageOf } from './errors.js';

/** What the call asks of the browser's microphone: a voice call's processing, all on. */
export function microphoneOptions(deviceId: string | undefined) {
  return {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    ...(deviceId === undefined ? {} : { deviceId }),
  };
}

const CODES: Record<MediaDeviceFailure, CallErrorCode> = {
  [MediaDeviceFailure.PermissionDenied]: 'microphone_denied',
  [MediaDeviceFailure.NotFound]: 'microphone_not_found',
  [MediaDeviceFailure.DeviceInUse]: 'microphone_in_use',
  [MediaDeviceFailure.Other]: 'microphone_failed',
};

export function microphoneError(error: unknown): CallError {
  const failure = MediaDeviceFailure.getFailure(error) ?? MediaDeviceFailure.Other;
  return new CallError(CODES[failure], `microphone: ${messageOf(error)}`, { cause: error });
}
