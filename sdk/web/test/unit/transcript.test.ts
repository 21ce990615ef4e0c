import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TranscriptEvent } from '../../src/events.js';
import { TranscriptAssembler } from '../../src/transcript.js';
import { FakeTextStream, tick } from './fakes.js';

function setUp() {
  const emitted: TranscriptEvent[] = [];
  return { emitted, assembler: new TranscriptAssembler((entry) => emitted.push(entry)) };
}

const segment = (id: string, final = 'false') => ({ 'lk.segment_id': id, 'lk.transcription_final': final });

test("the user's interim texts replace each other in one entry, then the final", async () => {
  const { emitted, assembler } = setUp();
  for (const [text, final] of [
    ['Hel', 'false'],
    ['Hello th', 'false'],
    ['Hello there', 'true'],
  ] as const) {
    await assembler.consume(
      new FakeTextStream(`s-${text}`, segment('SG_1', final)).write(text).close(),
      'user',
    );
  }
  assert.deepEqual(
    emitted.map((e) => [e.text, e.final]),
    [
      ['Hel', false],
      ['Hello th', false],
      ['Hello there', false],
      ['Hello there', true],
    ],
  );
  assert.deepEqual(assembler.entries, [
    { role: 'user', segmentId: 'SG_1', text: 'Hello there', final: true },
  ]);
});

test("the agent's deltas accumulate and the final flag is read after the trailer", async () => {
  const { emitted, assembler } = setUp();
  const stream = new FakeTextStream('s1', segment('SG_A'));
  const done = assembler.consume(stream, 'agent');
  stream.write('Hi, ');
  await tick();
  stream.write('how can I help?');
  await tick();
  assert.deepEqual(emitted.at(-1), {
    role: 'agent',
    segmentId: 'SG_A',
    text: 'Hi, how can I help?',
    final: false,
  });
  stream.close({ 'lk.transcription_final': 'true' });
  await done;
  assert.deepEqual(
    emitted.map((e) => [e.text, e.final]),
    [
      ['Hi, ', false],
      ['Hi, how can I help?', false],
      ['Hi, how can I help?', true],
    ],
  );
});

test('a final in the trailer alone keeps the text already shown', async () => {
  const { emitted, assembler } = setUp();
  await assembler.consume(new FakeTextStream('s1', segment('SG_1')).write('Book a table').close(), 'user');
  await assembler.consume(
    new FakeTextStream('s2', segment('SG_1')).close({ 'lk.transcription_final': 'true' }),
    'user',
  );
  assert.deepEqual(emitted.at(-1), { role: 'user', segmentId: 'SG_1', text: 'Book a table', final: true });
});

test('a stale interim arriving after the final changes nothing', async () => {
  const { emitted, assembler } = setUp();
  await assembler.consume(
    new FakeTextStream('s1', segment('SG_1', 'true')).write('Yes please').close(),
    'user',
  );
  const count = emitted.length;
  await assembler.consume(new FakeTextStream('s0', segment('SG_1')).write('Yes').close(), 'user');
  assert.equal(emitted.length, count);
  assert.deepEqual(
    assembler.entries.map((e) => e.text),
    ['Yes please'],
  );
});

test('an older stream still open when a newer one of its segment starts is ignored', async () => {
  const { emitted, assembler } = setUp();
  const older = new FakeTextStream('s1', segment('SG_1'));
  const olderDone = assembler.consume(older, 'user');
  older.write('Wh');
  await tick();
  const newer = assembler.consume(
    new FakeTextStream('s2', segment('SG_1')).write('What time').close(),
    'user',
  );
  await newer;
  older.write('at').close({ 'lk.transcription_final': 'true' });
  await olderDone;
  assert.deepEqual(assembler.entries, [{ role: 'user', segmentId: 'SG_1', text: 'What time', final: false }]);
  assert.ok(emitted.every((e) => e.text !== 'What'));
});

test('segments keep the order they began in, each once, whatever order their updates come', async () => {
  const { assembler } = setUp();
  const agent = new FakeTextStream('a1', segment('SG_A'));
  const agentDone = assembler.consume(agent, 'agent');
  await assembler.consume(new FakeTextStream('u1', segment('SG_U')).write('hello').close(), 'user');
  agent.write('Welcome').close({ 'lk.transcription_final': 'true' });
  await agentDone;
  await assembler.consume(new FakeTextStream('u2', segment('SG_U', 'true')).write('hello!').close(), 'user');
  assert.deepEqual(
    assembler.entries.map((e) => [e.segmentId, e.text, e.final]),
    [
      ['SG_A', 'Welcome', true],
      ['SG_U', 'hello!', true],
    ],
  );
});

test('a stream that breaks off stays interim', async () => {
  const { emitted, assembler } = setUp();
  const broken = {
    info: { id: 's1', attributes: segment('SG_1') },
    async *[Symbol.asyncIterator]() {
      yield 'Half a sen';
      throw new Error('Room disconnected in the middle of receiving data');
    },
  };
  await assembler.consume(broken, 'agent');
  assert.deepEqual(emitted, [{ role: 'agent', segmentId: 'SG_1', text: 'Half a sen', final: false }]);
});
