import { type LocalAudioTrack, type RemoteTrack, Room, createLocalAudioTrack } from 'livekit-client';
import type { LevelMeter, Platform } from './room.js';

function play(track: RemoteTrack): () => void {
  const element = track.attach();
  element.hidden = true;
  document.body.append(element);
  return () => {
    track.detach(element);
    element.srcObject = null;
    element.remove();
  };
}

/** One AudioContext per call, made when the call starts and closed when it ends. */
function createMeter(): LevelMeter {
  const AudioContextClass = globalThis.AudioContext;
  const context = AudioContextClass ? new AudioContextClass() : undefined;
  const analysers: {
    [K in 'input' | 'output']?: { node: AnalyserNode; source: MediaStreamAudioSourceNode };
  } = {};
  const samples = new Float32Array(512);
  const level = (which: 'input' | 'output'): number => {
    const node = analysers[which]?.node;
    if (!node) return 0;
    node.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    return Math.min(1, Math.sqrt(sum / samples.length) * 4);
  };
  return {
    watch(which, track) {
      const old = analysers[which];
      old?.source.disconnect();
      delete analysers[which];
      if (!context || !track || context.state === 'closed') return;
      const source = context.createMediaStreamSource(new MediaStream([track]));
      const node = context.createAnalyser();
      node.fftSize = samples.length;
      source.connect(node);
      analysers[which] = { node, source };
    },
    read: () => ({ input: level('input'), output: level('output') }),
    resume: async () => {
      if (context?.state === 'suspended') await context.resume();
    },
    close() {
      for (const entry of Object.values(analysers)) entry.source.disconnect();
      if (context && context.state !== 'closed') void context.close();
    },
  };
}

export const browserPlatform: Platform<LocalAudioTrack> = {
  createRoom: (options) => new Room(options),
  createMicrophone: (options) => createLocalAudioTrack(options),
  fetch: (input, init) => globalThis.fetch(input, init),
  play,
  createMeter,
};
