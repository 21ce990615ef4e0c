import type { Role, TranscriptEvent } from './events.js';

export const TRANSCRIPTION_TOPIC = 'lk.transcription';
const SEGMENT_ID = 'lk.segment_id';
const FINAL = 'lk.transcription_final';

/** What the assembler needs of livekit-client's `TextStreamReader`. */
export interface TextStreamLike extends AsyncIterable<string> {
  readonly info: { readonly id: string; readonly attributes?: Record<string, string> };
}

interface Segment {
  entry: TranscriptEvent;
  latestStream: number;
}

/**
 * One entry per `lk.segment_id`, in the order segments began. LiveKit Agents sends the
 * user's interim texts as one stream each (the whole text so far) and the agent's text as one
 * stream of deltas whose final flag comes in the trailer, so: a stream's text is the sum of
 * its chunks, the newest stream of a segment wins, and a final segment never changes again.
 */
export class TranscriptAssembler {
  private readonly segments = new Map<string, Segment>();
  private streams = 0;

  constructor(private readonly emit: (entry: TranscriptEvent) => void) {}

  get entries(): readonly TranscriptEvent[] {
    return [...this.segments.values()].map((segment) => segment.entry).filter((e) => e.text !== '');
  }

  async consume(reader: TextStreamLike, role: Role): Promise<void> {
    const segmentId = reader.info.attributes?.[SEGMENT_ID] ?? reader.info.id;
    const stream = ++this.streams;
    let segment = this.segments.get(segmentId);
    if (!segment) {
      segment = { entry: { role, segmentId, text: '', final: false }, latestStream: stream };
      this.segments.set(segmentId, segment);
    }
    segment.latestStream = stream;
    let text = '';
    try {
      for await (const chunk of reader) {
        text += chunk;
        this.update(segment, stream, text, false);
      }
    } catch {
      return; // the stream broke off (the room went away): what arrived stays interim
    }
    // livekit-client merges the trailer's attributes into `info` when the stream closes
    if (reader.info.attributes?.[FINAL] === 'true') this.update(segment, stream, text, true);
  }

  private update(segment: Segment, stream: number, text: string, final: boolean): void {
    const entry = segment.entry;
    if (entry.final || stream !== segment.latestStream) return;
    const next = text === '' ? entry.text : text;
    if (next === entry.text && final === entry.final) return;
    segment.entry = { ...entry, text: next, final };
    if (segment.entry.text !== '') this.emit(segment.entry);
  }
}
